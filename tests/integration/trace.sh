# tests/integration/trace.sh - `hvprobe trace` on a QEMU -d int log that
# this test generates from a real guest (tiny-mmu-virt: SVC, then a
# Prefetch Abort storm at IFAR 0x8 then 0xc), plus --json, a missing file
# and garbage input.
. tests/lib/tap.sh
. tests/lib/qemu.sh
. tests/lib/json.sh
T=$HVP_TEST_TMP/trace
mkdir -p "$T"
trap 'qemu_stop "$T/q"' EXIT

LOG=$T/int.log
ELF=$GUESTS/tiny-mmu-virt.elf
ok_if "guest image $ELF exists" test -r "$ELF"
qemu_start "$T/q" virt "$ELF" -d int,guest_errors -D "$LOG"
ok_if "QEMU started" test -S "$T/q/qmp.sock"
# wait until the storm has produced a few thousand exceptions
for _ in $(seq 1 100); do
    [ "$(grep -c 'IFAR 0xc' "$LOG" 2>/dev/null || echo 0)" -gt 2000 ] && break
    sleep 0.05
done
QPID=$(cat "$T/q/qemu.pid")
qemu_stop "$T/q"
ok_if "QEMU is gone" bash -c "! kill -0 $QPID 2>/dev/null"

OUT=$("$HVPROBE" trace --first 5 "$LOG"); rc=$?
expect_eq "trace exits 0 on a log with faults" "$rc" 0
expect_match "SVC counted once" "$OUT" '^  SVC +1 +\(QEMU exception 2\)'
expect_match "Prefetch Aborts counted" "$OUT" '^  Prefetch Abort +[0-9]{4,} +\(QEMU exception 3\)'
expect_match "first fault: Prefetch Abort at IFAR 0x8, decoded" "$OUT" \
    '^first fault \(line 4\): Prefetch Abort at IFAR 0x8, IFSR 0x5 \(translation fault, section\), EL1->EL1'
expect_match "loop at IFAR 0xc detected from line 8" "$OUT" \
    '^loop: Prefetch Abort at IFAR 0xc repeated [0-9]{4,} times, starting at line 8 .*no exception return'
expect_match "reading names the SVC vector" "$OUT" 'instruction fetch from 0x8, the SVC vector'
expect_eq "timeline has 5 entries" "$(printf '%s\n' "$OUT" | sed -n '/^timeline/,$p' | grep -c '^ ')" 5
aborts=$(grep -c '^Taking exception 3' "$LOG")
expect_match "count equals grep's count ($aborts)" "$OUT" "^  Prefetch Abort +$aborts "

"$HVPROBE" trace --json "$LOG" >"$T/t.json"; rc=$?
expect_eq "--json exits 0" "$rc" 0
ok_if "--json is valid JSON" python3 -m json.tool "$T/t.json"
expect_eq "--json first fault IFAR" "$(jget "$T/t.json" 'd["first_fault"]["far_register"] + " " + d["first_fault"]["far"]')" "IFAR 0x8"
expect_eq "--json fault status decoded" "$(jget "$T/t.json" 'd["first_fault"]["fsr_decoded"]')" "translation fault, section"
expect_eq "--json loop: period, address, start" "$(jget "$T/t.json" '"%d %s %d" % (d["loops"][0]["period"], d["loops"][0]["cycle"][0]["far"], d["loops"][0]["start_line"])')" "1 0xc 8"
expect_eq "--json loop repeats = aborts - 1" "$(jget "$T/t.json" 'd["loops"][0]["repeats"]')" "$((aborts - 1))"
expect_eq "--json counts" "$(jget "$T/t.json" '[e["count"] for e in d["exceptions"]]')" "[1, $aborts]"

head -c 300000 "$LOG" | "$HVPROBE" trace - >"$T/stdin.txt"; rc=$?
expect_eq "reads standard input" "$rc" 0
expect_match "stdin: same first fault" "$(cat "$T/stdin.txt")" '^first fault \(line 4\): Prefetch Abort at IFAR 0x8'

"$HVPROBE" trace -o "$T/out.txt" --loop-threshold 1000000000 "$LOG"; rc=$?
expect_eq "-o exits 0" "$rc" 0
ok_if "a huge --loop-threshold reports no loop" bash -c "! grep -q '^loop:' '$T/out.txt'"

"$HVPROBE" trace "$T/does-not-exist.log" 2>"$T/err"; rc=$?
expect_eq "missing file: exit 2" "$rc" 2
expect_match "missing file: one sentence" "$(cat "$T/err")" '^hvprobe trace: cannot open .*does-not-exist.log: No such file'
"$HVPROBE" trace 2>/dev/null; expect_eq "no file: exit 2" "$?" 2
"$HVPROBE" trace --first x "$LOG" 2>/dev/null; expect_eq "bad --first: exit 2" "$?" 2
"$HVPROBE" trace --help | grep -q 'Taking exception'; expect_eq "--help teaches the formats" "$?" 0

head -c 2000000 /dev/urandom >"$T/garbage.bin"
G=$("$HVPROBE" trace "$T/garbage.bin"); rc=$?
expect_eq "garbage: exit 0" "$rc" 0
expect_match "garbage: nothing found" "$G" 'nothing recognised'
expect_match "garbage: no faults" "$G" '^faults: 0$'

done_testing
