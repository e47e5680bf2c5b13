# tests/integration/show.sh - `hvprobe show` on a snapshot of a real guest,
# and on broken snapshot files.
. tests/lib/tap.sh
. tests/lib/qemu.sh
. tests/lib/json.sh
T=$HVP_TEST_TMP/show
mkdir -p "$T"
trap 'qemu_stop $T/q' EXIT

qemu_start "$T/q" vexpress "$GUESTS/tiny-low-vexpress.elf"
qemu_wait_serial "$T/q" "issuing svc"
"$HVPROBE" capture -q --qmp "unix:$T/q/qmp.sock" --gdb "unix:$T/q/gdb.sock" \
    --elf "$GUESTS/tiny-low-vexpress.elf" --label low -o "$T/low.json"
expect_eq "capture of the low guest" "$?" 0
qemu_stop "$T/q"

OUT=$("$HVPROBE" show "$T/low.json"); rc=$?
expect_eq "show exits 0" "$rc" 0
expect_match "show: label" "$OUT" '^label +low$'
expect_match "show: backend line" "$OUT" '^backend +QEMU [0-9.]+, target arm, machine vexpress-a9, cpu cortex-a9$'
expect_match "show: accelerator" "$OUT" '^accel +tcg \(KVM disabled'
expect_match "show: CPU mode and Secure state with its source" "$OUT" '^cpu +svc32, Secure \(from SCR.NS\)'
expect_match "show: VBAR_S of the low guest is 0" "$OUT" 'VBAR_S +0x00000000'
expect_match "show: SCTLR decoded (V=0, MMU off)" "$OUT" 'SCTLR +0x[0-9a-f]{8} +\(V=0: low/VBAR vectors, M=0: MMU off\)'
expect_match "show: zero words at 0x0, virtual" "$OUT" '0x00000000 virtual +gdb +00000000 00000000 00000000'
expect_match "show: 0xffff0000 unreadable, not zero" "$OUT" '0xffff0000 virtual +gdb +unreadable: Cannot access memory'
expect_match "show: regions at 0x0 include the flash alias" "$OUT" 'at 0x0: tree +vexpress.flashalias +romd'
expect_match "show: image with sha256" "$OUT" 'sha256 [0-9a-f]{64}'

"$HVPROBE" show --json "$T/low.json" >"$T/norm.json"
expect_eq "show --json exits 0" "$?" 0
expect_eq "show --json is the same snapshot" "$(jget "$T/norm.json" 'd["cp15"]["VBAR_S"]')" "$(jget "$T/low.json" 'd["cp15"]["VBAR_S"]')"
ok_if "show --json output is identical to the file (nothing lost, nothing added)" cmp "$T/norm.json" "$T/low.json"

head -c 2000 "$T/low.json" >"$T/trunc.json"
ERR=$("$HVPROBE" show "$T/trunc.json" 2>&1); rc=$?
expect_eq "truncated snapshot: exit 2" "$rc" 2
expect_match "truncated snapshot: line and column" "$ERR" 'trunc.json: malformed JSON at line [0-9]+, column [0-9]+'
ERR=$("$HVPROBE" show "$T/none.json" 2>&1); rc=$?
expect_eq "missing snapshot: exit 2" "$rc" 2
expect_match "missing snapshot: says so" "$ERR" "cannot open snapshot .*none.json.: No such file"
printf '{"timestamp": "2025-01-18", "hypervisor": "Linux KVM", "data": {"exception_table": "00000000: 0x00000000 0x00000000\\r"}}' >"$T/orig.json"
OUT=$("$HVPROBE" show "$T/orig.json" 2>&1); rc=$?
expect_eq "the original script's format is imported: exit 0" "$rc" 0
expect_match "imported: says so" "$OUT" '^imported +from the original capture script.*reduced evidence'
expect_match "imported: the hypervisor field is the label" "$OUT" '^label +Linux KVM$'
expect_match "imported: words at 0x0 (CR stripped)" "$OUT" '0x00000000 virtual +hmp +00000000 00000000 +\[low-vectors\]'
printf '{"hypervisor_name": "x"}' >"$T/other.json"
ERR=$("$HVPROBE" show "$T/other.json" 2>&1); rc=$?
expect_eq "a JSON file that is not a snapshot: exit 2" "$rc" 2
expect_match "not a snapshot: names the missing field" "$ERR" "schema_version' is missing"
ERR=$("$HVPROBE" show 2>&1); rc=$?
expect_eq "show without a file: exit 2" "$rc" 2
"$HVPROBE" show --help | grep -q '^usage: hvprobe show'
expect_eq "show --help" "$?" 0
"$HVPROBE" help capture | grep -q '^usage: hvprobe capture'
expect_eq "hvprobe help capture prints capture's help" "$?" 0
"$HVPROBE" frobnicate 2>/dev/null; expect_eq "unknown subcommand: exit 2" "$?" 2
done_testing
