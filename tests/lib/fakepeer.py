#!/usr/bin/env python3
"""tests/lib/fakepeer.py PROTO MODE SOCKET - a scripted, misbehaving debug
peer on a unix socket, for fault-injection tests (fakes only for faults).

PROTO: qmp | hmp | gdb.  MODE:
  silent    accept and never send a byte
  garbage   send bytes that are not the protocol
  hangup    accept and close at once
  half      send half of a valid first message, then stall
  midreply  answer the handshake, then hang up in the middle of a reply
  wrongid   (qmp) answer every command with a reply for another id
  flood     (qmp) send events forever, never a reply
Serves one client, then exits."""
import os, socket, sys, time, json

proto, mode, path = sys.argv[1:4]
if os.path.exists(path):
    os.unlink(path)
srv = socket.socket(socket.AF_UNIX)
srv.bind(path)
srv.listen(1)
c, _ = srv.accept()

GREETING = {"qmp": b'{"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}, "package": ""}, "capabilities": ["oob"]}}\r\n',
            "hmp": b"QEMU 7.2.22 monitor - type 'help' for more information\r\n(qemu) ",
            "gdb": b""}

def gdb_packet(payload):
    return b"$" + payload + b"#" + b"%02x" % (sum(payload) % 256)

def recv_some():
    c.settimeout(5)
    try:
        return c.recv(65536)
    except Exception:
        return b""

if mode == "silent":
    time.sleep(30)
elif mode == "garbage":
    c.sendall(os.urandom(16) + b"this is not the protocol you are looking for\r\n" * 200)
    time.sleep(5)
elif mode == "hangup":
    c.close()
elif mode == "half":
    first = GREETING[proto] or b"+" + gdb_packet(b"PacketSize=1000")
    if proto == "gdb":
        recv_some()
    c.sendall(first[: len(first) // 2])
    time.sleep(30)
elif mode == "midreply":
    if proto == "qmp":
        c.sendall(GREETING["qmp"])
        recv_some()                                        # qmp_capabilities
        c.sendall(b'{"return": {}, "id": 1}\r\n')
        recv_some()                                        # next command
        c.sendall(b'{"return": {"status": "running", "runn')
    elif proto == "hmp":
        c.sendall(GREETING["hmp"])
        recv_some()
        c.sendall(b"info status\r\nVM sta")
    else:
        recv_some()                                        # qSupported
        c.sendall(b"+" + gdb_packet(b"PacketSize=1000;qXfer:features:read+")[:-2])
    time.sleep(0.2)
    c.close()
elif mode == "wrongid":
    c.sendall(GREETING["qmp"])
    while True:
        d = recv_some()
        if not d:
            break
        c.sendall(b'{"return": {}, "id": 424242}\r\n')
elif mode == "flood":
    c.sendall(GREETING["qmp"])
    try:
        while True:
            c.sendall(b'{"event": "RTC_CHANGE", "data": {"offset": 0}, "timestamp": {"seconds": 1, "microseconds": 0}}\r\n' * 100)
            time.sleep(0.001)
    except Exception:
        pass
