#!/usr/bin/env bash
# bench/matrix.sh - how long the exception-routing matrix takes, side by
# side with doing its cells by hand:
#   hvprobe matrix, tcg + fixture (105 cells), -j <cores> and -j 1
#   by hand, per cell: QEMU -S with a gdbstub, gdb-multiarch -batch to
#   break at probe_raise and print VBAR, SCTLR and the 8 words at the
#   vector base, detach, listen 0.5 s to the serial port -- the minimum a
#   person needs to fill one cell, without any verdict; timed over a
#   sample of cells and scaled to the matrix's count
#   with --kvm: the whole matrix including kvm-nested (needs `hvprobe
#   kvm-host build` first)
# Ratios come from the same run.  A benchmark, not a test: nothing asserts.
# Usage: bench/matrix.sh [--kvm]   (run `make` first)
set -euo pipefail
cd "$(dirname "$0")/.."
H=${HVPROBE:-build/hvprobe}
G=build/guests
[ -x "$H" ] && [ -f "$G/probe-svc-vbar-virt.elf" ] || { echo "run make first" >&2; exit 2; }
. bench/lib.sh
D=$(mktemp -d /tmp/hvprobe-bench.XXXXXX)
trap 'pkill -KILL -f "qemu-system.*$D" 2>/dev/null; rm -rf "$D"' EXIT
machine_line
J=$(nproc)

secs() { awk -v m="$1" 'BEGIN {printf "%.1f", m / 1000}'; }
par=$(ms "$H" matrix -q -o "$D/par" --backends tcg,fixture -j "$J")
cells=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['cells']))" "$D/par/matrix.json")
ran=$(ls "$D/par/cells/" | grep -c 'snapshot.json$')
seq=$(ms "$H" matrix -q -o "$D/seq" --backends tcg,fixture -j 1)

# One cell by hand (tcg, virt): $1 = probe name.
by_hand() {
    local elf=$G/$1.elf sock=$D/gdb.sock ser=$D/serial.txt
    rm -f "$sock" "$ser"
    qemu-system-arm -M virt -m 128M -nodefaults -display none -serial "file:$ser" -S \
        -gdb "unix:$sock,server=on,wait=off" -kernel "$elf" -name "$D" &
    local q=$!
    while [ ! -S "$sock" ]; do sleep 0.01; done
    gdb-multiarch -batch -ex "file $elf" -ex "target remote $sock" -ex 'break probe_raise' -ex continue \
        -ex 'p/x $VBAR' -ex 'p/x $SCTLR' -ex 'x/8wx $VBAR' -ex detach >/dev/null 2>&1
    sleep 0.5
    kill "$q"
    wait "$q" 2>/dev/null || true
    grep -q 'probe:' "$ser"
}
SAMPLE="svc-vbar undef-vbar pabt-high dabt-low irq-vbar fiq-high svc-mmu dabt-mmu"
hand=0
for p in $SAMPLE; do
    t=$(ms by_hand "probe-$p-virt")
    hand=$(awk -v a="$hand" -v b="$t" 'BEGIN {print a + b}')
done
n=$(wc -w <<<"$SAMPLE")
per_hand=$(awk -v a="$hand" -v n="$n" 'BEGIN {printf "%.0f", a / n}')
per_hv=$(awk -v a="$seq" -v n="$ran" 'BEGIN {printf "%.0f", a / n}')
echo
echo "tcg + fixture matrix: $cells cells ($ran run, the rest n/a without running)"
printf '  %-44s %8s s\n' "hvprobe matrix -j $J" "$(secs "$par")"
printf '  %-44s %8s s   (-j %s is %.1fx faster)\n' "hvprobe matrix -j 1" "$(secs "$seq")" "$J" \
    "$(awk -v a="$seq" -v b="$par" 'BEGIN {print a / b}')"
printf '  %-44s %8s ms  (capture, guest heard out, verdict, judged)\n' "hvprobe, per cell run (-j 1)" "$per_hv"
printf '  %-44s %8s ms  (no verdict; mean of %d cells)\n' "by hand: QEMU + gdb-multiarch + 0.5 s listen" "$per_hand" "$n"
printf '  %-44s %8s s   (%.1fx the -j %s matrix)\n' "by hand, scaled to the $ran cells" \
    "$(awk -v a="$per_hand" -v n="$ran" 'BEGIN {printf "%.1f", a * n / 1000}')" \
    "$(awk -v a="$per_hand" -v n="$ran" -v b="$par" 'BEGIN {print a * n / b}')" "$J"

if [ "${1:-}" = "--kvm" ]; then
    all=$(ms "$H" matrix -q -o "$D/all" -j "$J")
    kc=$(ls "$D/all/cells/" | grep -c '@kvm-nested.snapshot.json$' || true)
    echo
    echo "whole matrix with kvm-nested ($kc kvm-nested cells run, each booting its own emulated arm64 host):"
    printf '  %-44s %8s s\n' "hvprobe matrix -j $J" "$(secs "$all")"
    python3 - "$D/all/cells" <<'PY'
import json, glob, sys, statistics
t = [json.load(open(f))['seconds'] for f in glob.glob(sys.argv[1] + '/*@kvm-nested.json')
     if json.load(open(f)).get('snapshot')]
if t:
    print("  kvm-nested cell: median %.1f s (min %.1f, max %.1f)" % (statistics.median(t), min(t), max(t)))
PY
fi
