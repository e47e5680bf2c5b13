#!/usr/bin/env python3
"""tests/lib/orig-capture.py SOCKET LABEL OUT.json

Reproduces what the user's original capture script saved: it types
`x/8wx 0x0`, `x/8i 0x0`, `info registers` and `info mtree` into the QEMU
monitor, keeps the answer lines between the echoed command and the next
prompt (CRLF line ends included, as telnetlib returned them), and writes
{"timestamp", "hypervisor", "system", "data": {...}}.  SOCKET is a unix
socket path or HOST:PORT.  Used by tests to check that hvprobe imports
that format and does not repeat its false positive."""
import json, socket, sys, datetime

def connect(addr):
    if ":" in addr and not addr.startswith("/"):
        host, port = addr.rsplit(":", 1)
        return socket.create_connection((host, int(port)), timeout=5)
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(5)
    s.connect(addr)
    return s

def read_until_prompt(s):
    buf = b""
    while not buf.endswith(b"(qemu) "):
        d = s.recv(65536)
        if not d:
            break
        buf += d
    return buf

s = connect(sys.argv[1])
read_until_prompt(s)
data = {}
for key, cmd in [("exception_table", "x/8wx 0x0"), ("exception_instructions", "x/8i 0x0"),
                 ("cpu_registers", "info registers"), ("memory_layout", "info mtree")]:
    s.sendall(cmd.encode() + b"\n")
    out = read_until_prompt(s).decode("utf-8", errors="ignore")
    data[key] = "\n".join(out.split("\n")[1:-1])
json.dump({"timestamp": datetime.datetime.now().isoformat(), "hypervisor": sys.argv[2],
           "system": "FreeRTOS ARM", "data": data}, open(sys.argv[3], "w"), indent=2)
