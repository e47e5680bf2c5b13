# tests/integration/capture_ram.sh - `hvprobe capture --save-ram` on real
# QEMU: every RAM block saved once beside the snapshot, files matching the
# recorded sha256 and length and what `hvprobe dump` gives, QMP and
# gdbstub paths, run --capture, and failures that leave nothing behind.
. tests/lib/tap.sh
. tests/lib/qemu.sh
. tests/lib/json.sh
T=$HVP_TEST_TMP/capture_ram
mkdir -p "$T/a" "$T/b" "$T/c" "$T/d" "$T/e" "$T/f" "$T/v" "$T/full" "$T/small"
cleanup() { qemu_stop "$T/q"; qemu_stop "$T/q2"; umount "$T/full" 2>/dev/null; umount "$T/small" 2>/dev/null; }
trap cleanup EXIT
ELF=$GUESTS/tiny-vbar-vexpress.elf
# 32 MiB of RAM at 0x60000000 (alias vexpress.lowmem at 0x0), plus the
# board's 32 MiB SRAM and 8 MiB VRAM: 72 MiB.
qemu_start "$T/q" vexpress "$ELF" -m 32M
qemu_wait_serial "$T/q" "handler ran"
CH="--qmp unix:$T/q/qmp.sock --gdb unix:$T/q/gdb.sock"

# Every file of a snapshot's ram_images: present, the recorded length,
# the recorded sha256.  Prints "ok" or what is wrong.
check_files() {
    python3 - "$1" <<'PY'
import hashlib, json, os, sys
p = sys.argv[1]; d = json.load(open(p)); bad = []
for m in d["ram_images"]:
    f = os.path.join(os.path.dirname(p), m["file"])
    if not os.path.isfile(f): bad.append(m["file"] + " missing"); continue
    if os.path.getsize(f) != m["len"]: bad.append(m["file"] + " size"); continue
    h = hashlib.sha256(open(f, "rb").read()).hexdigest()
    if h != m["sha256"]: bad.append(m["file"] + " sha256")
print("ok" if not bad else " ".join(bad))
PY
}
run_state() { "$HVPROBE" capture -q --qmp "unix:$T/q/qmp.sock" -o - | python3 -c 'import json,sys; print(json.load(sys.stdin)["backend"]["run_state"])'; }

# ---- QMP path, every RAM block, running guest
S=$T/a/snap.json
ERR=$("$HVPROBE" capture $CH --elf "$ELF" --save-ram -o "$S" 2>&1); rc=$?
expect_eq "capture --save-ram (QMP): exit 0" "$rc" 0
expect_match "the total size is announced before the save" "$ERR" 'saving 72\.0 MiB of RAM via QMP pmemsave'
expect_eq "three RAM blocks, each once, in address order" \
    "$(jget $S '" ".join(m["region"]+"@"+m["addr"]+"+"+str(m["len"]) for m in d["ram_images"])')" \
    "vexpress.sram@0x48000000+33554432 vexpress.vram@0x4c000000+8388608 vexpress.highmem@0x60000000+33554432"
expect_eq "files named after the snapshot, method qmp" \
    "$(jget $S '" ".join(m["file"]+":"+m["method"] for m in d["ram_images"])')" \
    "snap.ram-0x48000000.bin:qmp snap.ram-0x4c000000.bin:qmp snap.ram-0x60000000.bin:qmp"
expect_eq "each file exists with the recorded length and sha256" "$(check_files "$S")" ok
expect_eq "sha256sum agrees" "$(cd "$T/a" && sha256sum snap.ram-0x60000000.bin | cut -d' ' -f1)" \
    "$(jget $S '[m["sha256"] for m in d["ram_images"] if m["addr"]=="0x60000000"][0]')"
expect_eq "the alias at 0x0 is recorded, not saved, and hidden by the flash" \
    "$(jget $S '[(a["name"],a["addr"],a["offset"],a["visible"]) for m in d["ram_images"] for a in m["aliases"]]')" \
    '[["vexpress.lowmem", "0x00000000", "0x00000000", false]]'
expect_eq "nothing but the snapshot and its images in the directory" "$(ls -A "$T/a" | tr '\n' ' ')" \
    "snap.json snap.ram-0x48000000.bin snap.ram-0x4c000000.bin snap.ram-0x60000000.bin "
ok_if "the snapshot validates against the schema" tests/lib/validate-snapshot "$S"
expect_eq "halted_ms recorded (the RAM was saved in the same halt)" \
    "$(jget $S 'isinstance(d["backend"]["halted_ms"], int) and d["backend"]["halted_ms"] >= 0 and d["backend"]["resumed"]')" true
expect_eq "one instant: the vector table read with the registers is in the RAM image" \
    "$(python3 - "$S" <<'PY'
import json, os, sys
p = sys.argv[1]; d = json.load(open(p))
vb = int(d["cp15"]["VBAR_S"], 16)
m = [m for m in d["memory"] if int(m["addr"], 16) == vb and m["space"] == "physical"][0]
img = open(os.path.join(os.path.dirname(p), "snap.ram-0x60000000.bin"), "rb").read()
print(img[vb - 0x60000000:vb - 0x60000000 + m["len"]].hex() == m["bytes"])
PY
)" True
expect_eq "the guest runs again afterwards" "$(run_state)" running
OUT=$("$HVPROBE" show "$S")
expect_match "show lists the RAM images" "$OUT" '^ram images  3 saved beside the snapshot'
expect_match "show: each file present, with its region" "$OUT" '0x60000000\+32 MiB +vexpress\.highmem +qmp +snap\.ram-0x60000000\.bin \(present\)'
expect_match "show: the alias hidden at 0x0" "$OUT" 'also at 0x00000000\+32 MiB as vexpress\.lowmem .*hidden there'
rm "$T/a/snap.ram-0x4c000000.bin"
expect_match "show: a missing file is called missing" "$("$HVPROBE" show "$S")" 'snap\.ram-0x4c000000\.bin \(MISSING\)'

# ---- failures: exit code, one sentence, nothing left, guest resumed
ERR=$("$HVPROBE" capture $CH --save-ram -o - 2>&1 >/dev/null); rc=$?
expect_eq "--save-ram with -o -: exit 2" "$rc" 2
expect_match "--save-ram with -o -: says why" "$ERR" 'saved beside the snapshot'
ERR=$("$HVPROBE" capture $CH --save-ram=nosuch.ram -o "$T/b/x.json" 2>&1); rc=$?
expect_eq "unknown region: exit 2" "$rc" 2
expect_match "unknown region: lists the RAM blocks" "$ERR" "no RAM region 'nosuch.ram' \(RAM: vexpress.sram at 0x48000000 \(32 MiB\)"
ERR=$("$HVPROBE" capture $CH --save-ram=0x60001000 -o "$T/b/x.json" 2>&1); rc=$?
expect_eq "an address that is no region's base: exit 2" "$rc" 2
ERR=$("$HVPROBE" capture $CH --save-ram=0x40000000+4K -o "$T/b/x.json" 2>&1); rc=$?
expect_match "a range outside RAM: refused" "$ERR" 'is not inside one RAM region'
ERR=$("$HVPROBE" capture $CH --save-ram --ram-limit 64M -o "$T/b/x.json" 2>&1); rc=$?
expect_eq "over --ram-limit: exit 2" "$rc" 2
expect_match "over --ram-limit: one sentence with the sizes" "$ERR" '^hvprobe capture: the RAM to save is 72 MiB, more than the limit of 64 MiB'
ERR=$("$HVPROBE" capture --gdb "unix:$T/q/gdb.sock" --save-ram --ram-limit 64M -o "$T/b/x.json" 2>&1); rc=$?
expect_match "gdbstub alone: the map comes through the gdbstub (qRcmd), so the RAM is found" "$ERR" \
    '^hvprobe capture: the RAM to save is 72 MiB, more than the limit of 64 MiB'
ERR=$("$HVPROBE" capture --hmp "unix:$T/q/hmp.sock" --save-ram -o "$T/b/x.json" 2>&1); rc=$?
expect_eq "HMP alone (no bulk reader): exit 2" "$rc" 2
ERR=$("$HVPROBE" capture $CH --save-ram=foo, -o "$T/b/x.json" 2>&1); rc=$?
expect_eq "empty item in --save-ram: exit 2" "$rc" 2
expect_eq "failures left nothing behind" "$(ls -A "$T/b")" ""
expect_eq "the guest runs again after the failures" "$(run_state)" running

# ---- full disk: refused before writing (16 KiB), or rolled back (1 MiB)
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=16k tmpfs "$T/full" && mount -t tmpfs -o size=1m tmpfs "$T/small"; then
    ERR=$("$HVPROBE" capture $CH --save-ram -o "$T/full/s.json" 2>&1); rc=$?
    expect_eq "no room for the RAM: exit 5" "$rc" 5
    expect_match "no room for the RAM: one sentence with the sizes" "$ERR" '^hvprobe capture: not enough space for the RAM images in .*: 72\.0 MiB needed, 0\.0 MiB free$'
    expect_eq "no room for the RAM: nothing left" "$(ls -A "$T/full")" ""
    # The RAM fits, the snapshot does not: the images are taken back.
    ERR=$("$HVPROBE" capture $CH --save-ram=0x60000000+1000K -o "$T/small/s.json" 2>&1); rc=$?
    expect_eq "RAM fits, snapshot does not: exit 5" "$rc" 5
    expect_match "RAM fits, snapshot does not: says so" "$ERR" 'No space left on device'
    expect_eq "RAM fits, snapshot does not: nothing left" "$(ls -A "$T/small")" ""
    # An earlier capture of the same names survives a failed one intact.
    "$HVPROBE" capture -q $CH --save-ram=0x60000000+64K -o "$T/small/s.json"
    expect_eq "a small capture fits" "$?" 0
    BEFORE=$(cd "$T/small" && sha256sum s.json s.ram-0x60000000.bin)
    ERR=$("$HVPROBE" capture $CH --save-ram=0x60000000+904K -o "$T/small/s.json" 2>&1); rc=$?
    expect_eq "replacing it fails for space: exit 5" "$rc" 5
    expect_eq "the earlier snapshot and image are untouched" "$(cd "$T/small" && sha256sum s.json s.ram-0x60000000.bin)" "$BEFORE"
    expect_eq "and nothing else is left" "$(ls -A "$T/small" | tr '\n' ' ')" "s.json s.ram-0x60000000.bin "
    expect_eq "the earlier pair is still consistent" "$(check_files "$T/small/s.json")" ok
    umount "$T/full"; umount "$T/small"
else
    tap_result 1 "full disk: this test needs root to mount a small tmpfs (CI runs as root)"
fi
expect_eq "the guest runs again after the full disks" "$(run_state)" running

# ---- run --capture --save-ram (virt: one RAM block, flash is not RAM)
"$HVPROBE" run -q "$GUESTS/tiny-vbar-virt.elf" --machine virt --memory 32M --capture "$T/v/run.json" \
    --at-serial 'handler ran' --save-ram 2>"$T/v.err"
expect_eq "run --capture --save-ram: exit 0" "$?" 0
expect_eq "run: virt's RAM, once, flash left out" \
    "$(jget "$T/v/run.json" '" ".join(m["region"]+"@"+m["addr"]+"+"+str(m["len"]) for m in d["ram_images"])')" \
    "mach-virt.ram@0x40000000+33554432"
expect_eq "run: the file matches its record" "$(check_files "$T/v/run.json")" ok

# ---- the same instant by three methods: halt the guest, keep it halted
"$HVPROBE" capture -q $CH --keep-halted --save-ram=vexpress.highmem -o "$T/c/q.json"
expect_eq "QMP capture of one block, guest kept halted: exit 0" "$?" 0
"$HVPROBE" dump -q --qmp "unix:$T/q/qmp.sock" 0x60000000 32M -o "$T/c/dump.bin"
ok_if "the image equals hvprobe dump of the same range" cmp "$T/c/q.ram-0x60000000.bin" "$T/c/dump.bin"
ERR=$("$HVPROBE" capture --hmp "unix:$T/q/hmp.sock" --gdb "unix:$T/q/gdb.sock" --save-ram=0x60000000 \
    -o "$T/d/g.json" 2>&1); rc=$?
expect_eq "gdbstub path (map from HMP): exit 0" "$rc" 0
expect_match "gdbstub path: announced" "$ERR" 'saving 32\.0 MiB of RAM via the gdbstub'
expect_eq "gdbstub path: method rsp, file matches its record" \
    "$(jget "$T/d/g.json" 'd["ram_images"][0]["method"]') $(check_files "$T/d/g.json")" "rsp ok"
ok_if "gdbstub image equals the QMP image" cmp "$T/d/g.ram-0x60000000.bin" "$T/c/q.ram-0x60000000.bin"
ERR=$("$HVPROBE" capture --gdb "unix:$T/q/gdb.sock" --keep-halted --save-ram=0x60000000+1M,0x48000000+64K \
    -o "$T/e/gdbonly.json" 2>&1); rc=$?
expect_eq "gdbstub alone with explicit ranges: exit 0" "$rc" 0
expect_eq "gdbstub alone: the ranges were checked against the map it read (qRcmd), files match" \
    "$(jget "$T/e/gdbonly.json" '[m["region"] for m in d["ram_images"]]') $(check_files "$T/e/gdbonly.json")" \
    '["vexpress.highmem", "vexpress.sram"] ok'
ok_if "gdbstub alone: the range equals the start of the QMP image" \
    cmp "$T/e/gdbonly.ram-0x60000000.bin" <(head -c 1048576 "$T/c/q.ram-0x60000000.bin")
ok_if "gdbstub-only snapshot validates against the schema" tests/lib/validate-snapshot "$T/d/g.json" "$T/e/gdbonly.json"

# ---- compare: the same range saved in two snapshots, by sha256
OUT=$("$HVPROBE" compare -v "$T/c/q.json" "$T/d/g.json")
expect_match "compare: the same instant's RAM is identical" "$OUT" \
    'RAM 0x60000000\+32 MiB \(vexpress\.highmem\): identical \(sha256 [0-9a-f]{12}\) in every snapshot'
qemu_start "$T/q2" vexpress "$GUESTS/tiny-low-vexpress.elf" -m 32M
qemu_wait_serial "$T/q2" "issuing svc"
"$HVPROBE" capture -q --qmp "unix:$T/q2/qmp.sock" --gdb "unix:$T/q2/gdb.sock" --label low --save-ram=vexpress.highmem \
    -o "$T/f/low.json"
OUT=$("$HVPROBE" compare -v "$T/c/q.json" "$T/f/low.json")
expect_match "compare: another guest's RAM differs" "$OUT" \
    'RAM 0x60000000\+32 MiB \(vexpress\.highmem\): differs \(sha256 [^ ]*q\.json=[0-9a-f]{12}, low=[0-9a-f]{12}\)'
OUT=$("$HVPROBE" compare -v --format json "$T/c/q.json" "$T/f/low.json")
expect_match "compare --format json carries it too" "$OUT" 'RAM 0x60000000\+32 MiB \(vexpress\.highmem\): differs'
done_testing
