# tests/integration/valgrind.sh - no leaks and no memory errors under
# valgrind in the paths users run: capture over all channels, show, compare
# (all formats, imported original files), run with a breakpoint trigger,
# demo (ten QEMU runs), AArch64 captures, compare, report and show, trace,
# check.  Skipped under SANITIZE builds
# (ASan and valgrind do not mix); those run the same paths under ASan.
. tests/lib/tap.sh
. tests/lib/qemu.sh
T=$HVP_TEST_TMP/valgrind
mkdir -p "$T"
export TMPDIR=$T
trap 'qemu_stop $T/q' EXIT
if nm "$HVPROBE" 2>/dev/null | grep -q __asan_init; then
    echo "ok 1 - # SKIP sanitizer build: ASan replaces valgrind here"
    exit 0
fi
VG="valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99"
vg() { local desc=$1; shift; $VG "$HVPROBE" "$@" >"$T/out" 2>"$T/err"; local rc=$?
       if [ $rc = 99 ]; then tap_result 1 "valgrind: $desc"; sed 's/^/#   /' "$T/err" | head -30; else tap_result 0 "valgrind: $desc"; fi; }

ELF=$GUESTS/tiny-vbar-vexpress.elf
qemu_start "$T/q" vexpress "$ELF"
qemu_wait_serial "$T/q" "handler ran"
vg "capture over QMP+HMP+gdbstub with --elf" capture -q --qmp "unix:$T/q/qmp.sock" --hmp "unix:$T/q/hmp.sock" \
    --gdb "unix:$T/q/gdb.sock" --elf "$ELF" -o "$T/s.json"
vg "capture of an unreachable channel (error path)" capture -q --qmp "unix:$T/none.sock" -o "$T/x.json"
qemu_stop "$T/q"
vg "show" show "$T/s.json"
vg "show --json" show --json "$T/s.json"
vg "show of a truncated file (error path)" show tests/lib/tap.sh
for f in text markdown json; do
    vg "compare --format $f with expectations" compare --format $f --expect low-vexpress:svc=zero-filled \
        tests/fixtures/snapshots/*.json "$T/s.json"
done
printf '{"timestamp":"t","hypervisor":"orig","data":{"exception_table":"00000000: 0x00000000 0x00000000\\r\\n","cpu_registers":"R00=00000000 R01=00000000 R02=00000000 R03=00000000\\r\\nR04=00000000 R05=00000000 R06=00000000 R07=00000000\\r\\nR08=00000000 R09=00000000 R10=00000000 R11=00000000\\r\\nR12=00000000 R13=00000000 R14=00000000 R15=00000008\\r\\nPSR=600001d3 -ZC- A S svc32\\r\\n"}}' >"$T/orig.json"
vg "compare of an imported original-format file" compare "$T/orig.json"
vg "run with --at-exception (breakpoints) and capture" run "$ELF" -q --capture "$T/r.json" --at-exception svc
vg "run --dry-run" run "$ELF" --dry-run
vg "demo: ten QEMU runs, captures, two comparisons" demo --no-kvm -q -o "$T/demo"
vg "AArch64: run + capture at a symbol (x0-x30, sysregs, the table walked)" run "$GUESTS/a64-unmapped-virt.elf" -q \
    --capture "$T/a64.json" --at-symbol svc_insn
vg "AArch64: run under the fixture, captured at the guest's trap" run "$GUESTS/a64-low-virt.elf" --backend fixture -q \
    --capture "$T/a64fx.json"
vg "AArch64: compare -v (16 slots, routes, stage-2 walk) and report" compare -v "$T/a64.json" "$T/a64fx.json" \
    "$T/demo/tcg-a64-vbar.json"
vg "AArch64: report" report -o "$T/a64.html" "$T/a64.json" "$T/a64fx.json"
vg "AArch64: show" show "$T/a64fx.json"
vg "AArch64 and AArch32 mixed (error path)" compare "$T/a64.json" "$T/s.json"
vg "trace" trace tests/fixtures/trace/$(ls tests/fixtures/trace | grep -m1 '\.log$')
vg "check --json" check --json
vg "matrix --cell (a probe captured at its raise, heard out, judged)" matrix --cell irq.s2@tcg-virt -o "$T/mx"
vg "matrix: cells in child processes, table, JSON, page" matrix -q -o "$T/mx2" --backends tcg-virt --exceptions svc --placements vbar,low
vg "matrix --merge" matrix --merge "$T/mx2" --json
done_testing
