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
  a64-novbar (gdb) a working AArch64 gdbstub whose target description has
            x0..x30, sp, pc, cpsr and no system registers (no VBAR_EL1)
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
elif mode == "a64-novbar":
    regs = "".join('<reg name="x%d" bitsize="64" type="int"/>' % i for i in range(31))
    xml = ('<?xml version="1.0"?><!DOCTYPE target SYSTEM "gdb-target.dtd"><target><architecture>aarch64'
           '</architecture><feature name="org.gnu.gdb.aarch64.core">' + regs +
           '<reg name="sp" bitsize="64" type="data_ptr"/><reg name="pc" bitsize="64" type="code_ptr"/>'
           '<reg name="cpsr" bitsize="32" type="int"/></feature></target>').encode()
    def reg_hex(n):
        if n == 33:
            return (0x3c5).to_bytes(4, "little").hex()
        return (0x40080000 if n == 32 else 0).to_bytes(8, "little").hex()
    buf = b""
    c.settimeout(10)
    while True:
        try:
            d = c.recv(65536)
        except Exception:
            break
        if not d:
            break
        buf += d
        while True:
            buf = buf.lstrip(b"+-\x03")
            if not buf.startswith(b"$") or b"#" not in buf or len(buf) < buf.index(b"#") + 3:
                break
            end = buf.index(b"#")
            pkt, buf = buf[1:end].decode(), buf[end + 3:]
            c.sendall(b"+")
            if pkt.startswith("qSupported"):
                r = b"PacketSize=1000;qXfer:features:read+"
            elif pkt == "?":
                r = b"S05"
            elif pkt.startswith("qXfer:features:read:target.xml:"):
                off, ln = (int(x, 16) for x in pkt.rsplit(":", 1)[1].split(","))
                chunk = xml[off:off + ln]
                r = (b"m" if off + ln < len(xml) else b"l") + chunk
            elif pkt == "g":
                r = "".join(reg_hex(n) for n in range(34)).encode()
            elif pkt.startswith("p"):
                r = reg_hex(int(pkt[1:], 16)).encode()
            elif pkt.startswith("m"):
                r = b"E14"
            elif pkt.startswith("D"):
                r = b"OK"
            else:
                r = b""
            c.sendall(gdb_packet(r))
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
