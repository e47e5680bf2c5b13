#!/usr/bin/env python3
"""fuzz/mkseeds.py OUTDIR - build full seed sets for every harness from the
real fixtures (tests/fixtures/**, build/guests/*.elf), in the input
conventions of fuzz/fuzz_targets.h.  Run from the repository root.
fuzz/corpus/<harness>/ is these seeds merged down (libFuzzer -merge=1)
to the files that add coverage, then committed; see README.md."""
import glob
import json
import os
import re
import sys

out = sys.argv[1]
FX = "tests/fixtures"


def put(h, name, data):
    d = os.path.join(out, h)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def rd(p):
    with open(p, "rb") as f:
        return f.read()


def rsp_packet(payload, notify=False):
    s = sum(payload) & 0xFF
    return (b"%" if notify else b"$") + payload + b"#%02x" % s


# rsp_codec: the bytes each side sent in the recorded session, plus
# hand-made packets for escape, RLE, notification and bad checksums.
sess = rd(f"{FX}/rsp/vexpress-a9-session.txt").decode("utf-8", "replace").splitlines()
for side, tag in (("<- ", "stub"), ("-> ", "gdb")):
    data = "".join(l[3:] for l in sess if l.startswith(side) and "bytes)" not in l)
    put("rsp_codec", f"session-{tag}", data)
put("rsp_codec", "escape-rle", b"+" + rsp_packet(b"m}\x03*\"0* ") + b"\x03" +
    rsp_packet(b"Stop:T05", True) + b"$bad#00-$x#zz")

# tdesc: "NAME\n<xml>" documents separated by NUL, root first.
for d in sorted(glob.glob(f"{FX}/rsp/*/")):
    names = ["target.xml"] + sorted(os.path.basename(p) for p in glob.glob(d + "*.xml")
                                    if not p.endswith("target.xml"))
    docs = [n.encode() + b"\n" + rd(d + n) for n in names]
    put("tdesc", os.path.basename(d.rstrip("/")), b"\0".join(docs))
    put("tdesc", os.path.basename(d.rstrip("/")) + "-core-only",
        b"\0".join(docs[:2]))

# qmp: the raw reply lines, and all of them as one stream.
allq = b""
for p in sorted(glob.glob(f"{FX}/qmp/*.jsonl")):
    put("qmp", os.path.basename(p), rd(p))
    allq += rd(p)
put("qmp", "all", allq)


def cmdline(path):
    cmd = os.path.basename(path).split("__", 1)[1].rsplit(".", 1)[0]
    m = re.match(r"(xp?)-(\w+)-(0x[0-9a-f]+)$", cmd)
    if m:
        return "%s/%s %s" % m.groups()
    if cmd == "info-registers-a":
        return "info registers -a"
    if cmd == "info-mtree-f":
        return "info mtree -f"
    return cmd.replace("-", " ")


# hmp_clean: "CMDLINE\0RAW" from the .raw socket captures.
for p in sorted(glob.glob(f"{FX}/hmp/*.raw")):
    base = os.path.basename(p)
    if base == "banner.raw":
        put("hmp_clean", base, rd(p))
    else:
        put("hmp_clean", base, cmdline(p).encode() + b"\0" + rd(p))

for p in sorted(glob.glob(f"{FX}/hmp/*.txt")):
    base = os.path.basename(p)
    if "info-registers" in base or "cpu-1" in base:
        put("hmp_registers", base, rd(p))
    elif "__x-" in base or "__xp-" in base:
        put("hmp_x", base, rd(p))
    elif "mtree" in base:
        put("hmp_mtree", base, rd(p))


# snapshot: the captured snapshots, cut down (a few flat regions, short
# raw texts), and the original capture script's format built from the
# monitor texts (CRLF, as it saved them).
def trim(d):
    d = dict(d)
    flat = [r for r in d.get("memory_map", []) if r.get("flat")]
    tree = [r for r in d.get("memory_map", []) if not r.get("flat")]
    d["memory_map"] = flat[:4] + tree[:3]
    d["raw"] = [dict(r, text=r["text"][:200]) for r in d.get("raw", [])[:2]]
    if d.get("image"):
        d["image"] = dict(d["image"], symbols=d["image"].get("symbols", [])[:6])
    return d


for p in sorted(glob.glob(f"{FX}/snapshots/*.json")):
    d = json.loads(rd(p))
    put("snapshot", os.path.basename(p), json.dumps(trim(d), indent=1))


def crlf(p):
    return rd(p).decode().replace("\r\n", "\n").replace("\n", "\r\n")


for scen, mtree in (("vexpress-svc", "vexpress-svc"), ("vexpress-mmu", "virt-svc")):
    x = f"{FX}/hmp/{scen}__x-4wx-0x0.txt"
    if not os.path.exists(x):
        x = f"{FX}/hmp/{scen}__x-8wx-0x0.txt"
    orig = {
        "timestamp": "2024-01-01T00:00:00",
        "hypervisor": "QEMU TCG" if scen.endswith("svc") else "seL4",
        "system": "vexpress-a9",
        "data": {
            "exception_table": crlf(x),
            "exception_instructions": "0x00000000:  andeq r0, r0, r0\r\n",
            "cpu_registers": crlf(f"{FX}/hmp/{scen}__info-registers.txt"),
            "memory_layout": crlf(f"{FX}/hmp/{mtree}__info-mtree.txt")[:1500],
        },
    }
    put("snapshot", f"orig-{scen}.json", json.dumps(orig, indent=1))

# trace: the first lines of every log (they repeat: loops).
for p in sorted(glob.glob(f"{FX}/trace/*.log")):
    lines = rd(p).split(b"\n")
    put("trace", os.path.basename(p), b"\n".join(lines[:120]) + b"\n")

# elf: the built test guests (make -C guests BUILD=$PWD/build/guests).
for p in sorted(glob.glob("build/guests/*.elf")):
    put("elf", os.path.basename(p), rd(p))
