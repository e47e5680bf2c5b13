# tests/integration/capture.sh - `hvprobe capture` against a real QEMU
# running real guests, checked against what gdb-multiarch reads from the
# same stopped guest.
. tests/lib/tap.sh
. tests/lib/qemu.sh
. tests/lib/json.sh
T=$HVP_TEST_TMP/capture
mkdir -p "$T"
trap 'qemu_stop $T/q1; qemu_stop $T/q2; qemu_stop $T/q3; qemu_stop $T/q4' EXIT

# ---- vexpress-a9, guest sets VBAR (in Secure state: only VBAR_S holds it)
ELF=$GUESTS/tiny-vbar-vexpress.elf
qemu_start "$T/q1" vexpress "$ELF"
ok_if "vbar guest's SVC handler ran (ground truth from the UART)" qemu_wait_serial "$T/q1" "svc: handler ran"

"$HVPROBE" capture --qmp "unix:$T/q1/qmp.sock" --hmp "unix:$T/q1/hmp.sock" --gdb "unix:$T/q1/gdb.sock" \
    --elf "$ELF" --label tcg-vexpress -o "$T/all.json" 2>"$T/err"
expect_eq "capture over all three channels exits 0" "$?" 0
S=$T/all.json
expect_eq "schema_version is 1" "$(jget $S 'd["schema_version"]')" 1
expect_eq "label recorded" "$(jget $S 'd["label"]')" tcg-vexpress
expect_eq "channels used: with QMP, HMP adds nothing and is not connected" "$(jget $S '",".join(d["channels"])')" qmp,gdb
expect_eq "VBAR_S carries the guest's table" "$(jget $S 'd["cp15"]["VBAR_S"]')" 0x60000000
expect_eq "Non-secure VBAR reads 0" "$(jget $S 'd["cp15"]["VBAR"]')" 0x00000000
expect_eq "CPU mode svc32" "$(jget $S 'd["cpu"]["cpsr"]["mode"]')" svc32
expect_eq "security state Secure" "$(jget $S 'd["cpu"]["security_state"]')" secure
expect_eq "machine" "$(jget $S 'd["backend"]["machine"]')" vexpress-a9
expect_eq "cpu model" "$(jget $S 'd["backend"]["cpu_model"]')" cortex-a9
expect_eq "accelerator tcg, KVM disabled" "$(jget $S 'd["backend"]["accelerator"]+"/"+str(d["backend"]["kvm"]["enabled"])')" tcg/False
expect_match "QEMU version" "$(jget $S 'd["backend"]["qemu_version"]')" '^[0-9]+\.[0-9]+\.[0-9]+$'
expect_eq "guest was running and was resumed" "$(jget $S 'str(d["backend"]["was_running"])+str(d["backend"]["resumed"])')" TrueTrue
expect_eq "monitor commands went through the gdbstub (qRcmd), the run state and target through QMP" \
    "$(jget $S '",".join(sorted(set(r["channel"]+":"+r["command"].split()[0] for r in d["raw"])))')" \
    "gdb:info,gdb:qom-get,qmp:query-status,qmp:query-target"
expect_eq "the guest really runs again (QEMU's own run state)" \
    "$(python3 -c 'import json,socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); f=s.makefile("rwb"); f.readline(); f.write(b"{\"execute\":\"qmp_capabilities\"}\n{\"execute\":\"query-status\"}\n"); f.flush(); f.readline(); print(json.loads(f.readline())["return"]["status"])' "$T/q1/qmp.sock")" running
expect_eq "how long the guest stayed halted is recorded" "$(jget $S 'isinstance(d["backend"]["halted_ms"], int) and 0 <= d["backend"]["halted_ms"] < 10000')" true
expect_eq "0x0 (virtual) reads as 64 zero bytes, not as an error" \
    "$(jget $S '[m["bytes"]+str(m["error"]) for m in d["memory"] if m["addr"]=="0x00000000" and m["space"]=="virtual"][0]')" \
    "$(printf '0%.0s' $(seq 128))None"
expect_eq "0x0 is also read as a physical address" \
    "$(jget $S 'len([m for m in d["memory"] if m["addr"]=="0x00000000" and m["space"]=="physical"])')" 1
expect_eq "VBAR_S target read: the image's vector table (b _start = 0xea000006)" \
    "$(jget $S '[m["bytes"][:8] for m in d["memory"] if m["addr"]=="0x60000000" and m["space"]=="virtual"][0]')" 060000ea
expect_eq "0xffff0000 is unreadable (an error, not zeros)" \
    "$(jget $S '[m["error"] is not None and m["bytes"]=="" for m in d["memory"] if m["addr"]=="0xffff0000"][0]')" true
expect_eq "physical 0xffff0000 (no region there) is an error, not QEMU's zeros" \
    "$(jget $S '[str(m["backed"])+":"+m["bytes"]+":"+str(m["error"].startswith("no memory region backs this")) for m in d["memory"] if m["addr"]=="0xffff0000" and m["space"]=="physical"][0]')" \
    "False::True"
expect_eq "physical 0x0 is backed (flash)" \
    "$(jget $S '[m["backed"] for m in d["memory"] if m["addr"]=="0x00000000" and m["space"]=="physical"][0]')" true
expect_match "memory map has the flash alias at 0x0" \
    "$(jget $S '[r["name"]+"@"+r["start"]+":"+r["kind"] for r in d["memory_map"] if r["view"]=="tree"]')" 'vexpress.flashalias@0x0000000000000000:romd'
expect_match "memory map has the lowmem alias at 0x0" \
    "$(jget $S '[r["name"]+"@"+r["start"]+":"+r["kind"]+":"+str(r.get("alias_target")) for r in d["memory_map"]]')" 'vexpress.lowmem@0x0000000000000000:ram:vexpress.highmem'
expect_match "flat view (QEMU's winner at 0x0) is recorded" \
    "$(jget $S '[r["name"] for r in d["memory_map"] if r["view"]=="flat" and r["start"]=="0x0000000000000000" and "memory" in (r["address_space"] or "").split(", ")]')" 'flash'
expect_eq "image sha256 matches sha256sum" "$(jget $S 'd["image"]["sha256"]')" "$(sha256sum "$ELF" | cut -d' ' -f1)"
expect_eq "image entry" "$(jget $S 'd["image"]["entry"]')" "$(printf '0x%08x' "$(arm-none-eabi-readelf -h "$ELF" | awk '/Entry/ {print $4}')")"
expect_match "image symbols include svc_handler" "$(jget $S '[s["name"] for s in d["image"]["symbols"]]')" svc_handler
expect_match "raw monitor text kept (info mtree -f)" "$(jget $S '[r["command"] for r in d["raw"]]')" 'info mtree -f'
expect_eq "with the gdbstub, no \`info registers\` (core registers from 'g', Secure from SCR)" \
    "$(jget $S '[r["command"] for r in d["raw"] if r["command"]=="info registers"] == [] and d["cpu"]["source"]=="gdb"')" true
expect_match "raw info mtree text kept" "$(jget $S '[r["text"][:40] for r in d["raw"] if r["command"]=="info mtree"]')" 'address-space'

# ---- the same halted guest, read by gdb-multiarch: the snapshot must agree.
"$HVPROBE" capture --qmp "unix:$T/q1/qmp.sock" --gdb "unix:$T/q1/gdb.sock" --keep-halted -o "$T/halted.json" 2>"$T/err"
expect_eq "capture --keep-halted exits 0" "$?" 0
expect_eq "--keep-halted: not resumed" "$(jget $T/halted.json 'd["backend"]["resumed"]')" false
GDB=$(timeout 30 gdb-multiarch -batch -ex "target remote $T/q1/gdb.sock" \
      -ex 'p/x $pc' -ex 'p/x $cpsr' -ex 'p/x $VBAR_S' -ex 'p/x $VBAR' -ex 'p/x $SCTLR_S' -ex 'x/2wx 0' 2>&1)
gdbval() { printf '%s\n' "$GDB" | awk -v n="\$$1" '$1==n {print $3}'; }
expect_eq "gdb-multiarch attaches after our capture and agrees on pc" \
    "$(printf '0x%08x' "$(gdbval 1)")" "$(jget $T/halted.json 'd["cpu"]["registers"]["pc"]')"
expect_eq "gdb agrees on cpsr" "$(printf '0x%08x' "$(gdbval 2)")" "$(jget $T/halted.json 'd["cpu"]["cpsr"]["value"]')"
expect_eq "gdb agrees on VBAR_S" "$(printf '0x%08x' "$(gdbval 3)")" "$(jget $T/halted.json 'd["cp15"]["VBAR_S"]')"
expect_eq "gdb agrees on VBAR" "$(printf '0x%08x' "$(gdbval 4)")" "$(jget $T/halted.json 'd["cp15"]["VBAR"]')"
expect_eq "gdb agrees on SCTLR_S" "$(printf '0x%08x' "$(gdbval 5)")" "$(jget $T/halted.json 'd["cp15"]["SCTLR_S"]')"
expect_match "gdb agrees that 0x0 holds zero words" "$GDB" '^0x0:[[:space:]]+0x00000000[[:space:]]+0x00000000'

# ---- each channel alone
"$HVPROBE" capture --qmp "unix:$T/q1/qmp.sock" -o "$T/qmp.json" 2>"$T/err"
expect_eq "QMP alone works" "$?" 0
expect_eq "QMP alone: cp15 unknown, says which channel" "$(jget $T/qmp.json '[u["reason"] for u in d["unknown"] if u["field"]=="cp15"][0]')" \
    "CP15 registers are only exposed by the gdbstub (--gdb)"
expect_eq "QMP alone: registers from info registers, Secure from the PSR line" \
    "$(jget $T/qmp.json 'd["cpu"]["source"]+"/"+d["cpu"]["security_state"]')" "info registers/secure"
expect_eq "QMP alone: 0x0 read through the monitor" \
    "$(jget $T/qmp.json '[m["channel"]+":"+m["bytes"][:8] for m in d["memory"] if m["addr"]=="0x00000000"][0]')" qmp:00000000
"$HVPROBE" capture --hmp "unix:$T/q1/hmp.sock" -o "$T/hmp.json" 2>"$T/err"
expect_eq "HMP alone works" "$?" 0
expect_eq "HMP alone: machine via qom-get" "$(jget $T/hmp.json 'd["backend"]["machine"]')" vexpress-a9
expect_eq "HMP alone: memory map parsed" "$(jget $T/hmp.json 'len(d["memory_map"])>10')" true
"$HVPROBE" capture --gdb "unix:$T/q1/gdb.sock" -o "$T/gdb.json" 2>"$T/err"
expect_eq "gdbstub alone works" "$?" 0
expect_eq "gdbstub alone: VBAR_S" "$(jget $T/gdb.json 'd["cp15"]["VBAR_S"]')" 0x60000000
expect_eq "gdbstub alone: memory map through the gdbstub's monitor (qRcmd)" \
    "$(jget $T/gdb.json 'str(len(d["memory_map"])>10)+" "+",".join(sorted(set(r["channel"] for r in d["raw"])))')" "True gdb"
expect_eq "gdbstub alone: machine and CPU through qRcmd too" \
    "$(jget $T/gdb.json 'd["backend"]["machine"]+"/"+d["backend"]["cpu_model"]')" vexpress-a9/cortex-a9
expect_eq "gdbstub alone: 0xffff0000 physical is unbacked (checked against the flat map)" \
    "$(jget $T/gdb.json '[m["error"] is not None for m in d["memory"] if m["addr"]=="0xffff0000" and m["space"]=="physical"][0]')" true
expect_match "gdbstub alone: a note explains the resume" "$(cat "$T/err")" 'cannot tell whether the guest was running'
qemu_stop "$T/q1"

# ---- a guest that was already stopped is never resumed (QEMU -S)
qemu_start "$T/q2" vexpress "$ELF" -S
"$HVPROBE" capture --qmp "unix:$T/q2/qmp.sock" --gdb "unix:$T/q2/gdb.sock" -o "$T/paused.json" 2>"$T/err"
expect_eq "capture of a paused guest exits 0" "$?" 0
expect_eq "paused guest: was_running false, not resumed" \
    "$(jget $T/paused.json 'str(d["backend"]["was_running"])+str(d["backend"]["resumed"])')" FalseFalse
"$HVPROBE" capture --qmp "unix:$T/q2/qmp.sock" -o "$T/paused2.json" 2>"$T/err"
expect_eq "paused guest is still paused afterwards" "$(jget $T/paused2.json 'd["backend"]["run_state"]')" prelaunch
qemu_stop "$T/q2"

# ---- virt (no TrustZone): VBAR holds the table, security state Non-secure
qemu_start "$T/q3" virt "$GUESTS/tiny-vbar-virt.elf"
qemu_wait_serial "$T/q3" "svc: handler ran"
"$HVPROBE" capture --qmp "unix:$T/q3/qmp.sock" --gdb "unix:$T/q3/gdb.sock" -o "$T/virt.json" 2>"$T/err"
expect_eq "virt capture exits 0" "$?" 0
expect_eq "virt: VBAR carries the table" "$(jget $T/virt.json 'd["cp15"]["VBAR"]')" 0x40000000
expect_eq "virt: no VBAR_S (no Security Extensions)" "$(jget $T/virt.json '"VBAR_S" in d["cp15"]')" false
expect_match "virt: machine (QEMU resolves -M virt to a versioned type)" "$(jget $T/virt.json 'd["backend"]["machine"]')" "^virt-[0-9]+\.[0-9]+$"
expect_eq "virt: cpu" "$(jget $T/virt.json 'd["backend"]["cpu_model"]')" cortex-a15
qemu_stop "$T/q3"

# ---- the original scripts' setup: HMP and gdbstub on TCP ports (they used
# 55556 and 1235; free ports here so parallel runs don't collide)
HPORT=$(free_port); GPORT=$(free_port)
mkdir -p "$T/q4" && chmod 700 "$T/q4"
QEMU_AUDIO_DRV=none qemu-system-arm -M vexpress-a9 -nodefaults -display none -m 128M \
    -serial "file:$T/q4/serial.txt" -kernel "$GUESTS/tiny-low-vexpress.elf" \
    -monitor tcp:127.0.0.1:$HPORT,server,nowait -gdb tcp:127.0.0.1:$GPORT >"$T/q4/qemu.log" 2>&1 &
echo $! >"$T/q4/qemu.pid"
for i in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$GPORT) 2>/dev/null && break; sleep 0.1; done
"$HVPROBE" capture --hmp tcp:127.0.0.1:$HPORT --gdb :$GPORT --label original -o "$T/orig.json" 2>"$T/err"
expect_eq "capture over the TCP ports like the original setup exits 0" "$?" 0
expect_eq "original setup: low guest leaves VBAR_S at 0" "$(jget $T/orig.json 'd["cp15"]["VBAR_S"]')" 0x00000000
qemu_stop "$T/q4"

# ---- errors: one clear sentence, distinct exit code, no file left behind
"$HVPROBE" capture -o "$T/x.json" 2>"$T/err"; rc=$?
expect_eq "no channel: exit 2" "$rc" 2
"$HVPROBE" capture --qmp "unix:$T/nonexistent.sock" -o "$T/x.json" 2>"$T/err"; rc=$?
expect_eq "no QEMU behind the socket: exit 3" "$rc" 3
expect_match "no QEMU: the message names the channel" "$(cat "$T/err")" 'QMP channel unix:.*nonexistent.sock'
expect_eq "no QEMU: no output file" "$(ls "$T/x.json" 2>/dev/null)" ""
"$HVPROBE" capture --gdb :1 -o "$T/nodir/x.json" 2>"$T/err"; rc=$?
expect_eq "output directory missing: exit 5 before touching the target" "$rc" 5
"$HVPROBE" capture --gdb :1 --elf "$T/missing.elf" -o "$T/x.json" 2>"$T/err"; rc=$?
expect_eq "missing --elf: exit 2" "$rc" 2
"$HVPROBE" capture --gdb :1 --elf /bin/true -o "$T/x.json" 2>"$T/err"; rc=$?
expect_eq "x86-64 --elf: exit 2" "$rc" 2
expect_match "x86-64 --elf: says what it is" "$(cat "$T/err")" 'x86-64 ELF, not an ARM image \(32-bit ARM or AArch64\)'
ls "$T"/.hvprobe-snapshot.* >/dev/null 2>&1; expect_eq "no temp files left behind" "$?" 2
ok_if "every snapshot written validates against docs/snapshot.schema.json" \
    tests/lib/validate-snapshot "$T"/*.json
done_testing
