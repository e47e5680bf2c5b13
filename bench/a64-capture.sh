#!/usr/bin/env bash
# bench/a64-capture.sh - an AArch64 capture, side by side with what a user
# would otherwise run against the same halted guest:
#   hvprobe capture (QMP + gdbstub, --elf): registers, system registers, the
#     whole 16-slot table where hvprobe's own walk of the page tables puts
#     it (every descriptor read kept), each slot's handler bytes, the map
#   gdb-multiarch -batch: `info registers`, $VBAR, and the 0x800-byte
#     table at VBAR (x/512wx): raw words, no walk, no verdict
# on two guests: guests/a64's `unmapped` (MMU on, 4 KiB pages) and Debian's
# arm64 kernel (the kvm-nested host's, cached by `hvprobe kvm-host build`;
# skipped with a note when it is not there), halted at the root-mount
# failure with VBAR_EL1 in the kernel's high half (TTBR1).  Then hvprobe
# compare on the snapshot (the analysis: 16 slots decoded with capstone,
# the walks repeated from the snapshot).  Median of N runs (min-max) and
# ratios from the same run.  A benchmark, not a test: nothing asserts.
# Usage: bench/a64-capture.sh [RUNS]   (default 7; run `make` first)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-7}
H=${HVPROBE:-build/hvprobe}
ELF=build/guests/a64-unmapped-virt.elf
[ -x "$H" ] && [ -f "$ELF" ] || { echo "run make first" >&2; exit 2; }
. bench/lib.sh
D=$(mktemp -d /tmp/hvprobe-bench.XXXXXX)
QPID=""
stop() { [ -n "$QPID" ] && kill "$QPID" 2>/dev/null && wait "$QPID" 2>/dev/null; QPID=""; }
trap 'stop; rm -rf "$D"' EXIT

# start IMAGE WAIT-TEXT [EXTRA...]: qemu-system-aarch64 -M virt, sockets
# in $D, until the serial shows WAIT-TEXT.
start() {
    local img=$1 wait=$2; shift 2
    rm -f "$D"/*.sock "$D/serial"
    qemu-system-aarch64 -M virt -cpu cortex-a57 -m 512M -nodefaults -display none -serial "file:$D/serial" \
        -qmp "unix:$D/qmp.sock,server=on,wait=off" -gdb "unix:$D/gdb.sock,server=on,wait=off" \
        -kernel "$img" "$@" &
    QPID=$!
    for _ in $(seq 600); do grep -q "$wait" "$D/serial" 2>/dev/null && return 0; sleep 0.05; done
    echo "the guest never printed '$wait'" >&2
    exit 1
}

# measure LABEL ELF-OR-EMPTY: fill R[LABEL.*]
declare -A R
measure() {
    local l=$1 elf=$2
    for _ in $(seq "$RUNS"); do
        R[$l.hv]+="$(ms "$H" capture -q --keep-halted --qmp "unix:$D/qmp.sock" --gdb "unix:$D/gdb.sock" \
            ${elf:+--elf "$elf"} -o "$D/$l.json") "
        R[$l.gdb]+="$(ms gdb-multiarch -batch -ex "target remote $D/gdb.sock" -ex 'info registers' -ex 'p/x $VBAR' \
            -ex 'x/512wx $VBAR') "
        R[$l.cmp]+="$(ms "$H" compare -v "$D/$l.json") "
    done
}

start "$ELF" "issuing svc"
measure guest "$ELF"
stop
KIMG=$("$H" kvm-host status --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["kernel"]["path"])' 2>/dev/null || true)
if [ -n "$KIMG" ] && [ -f "$KIMG" ]; then
    start "$KIMG" "Unable to mount root fs" -append "console=ttyAMA0 nokaslr"
    measure kernel ""
    stop
fi

machine_line
row() { # LABEL KEY TEXT
    read -r m mn mx < <(tr ' ' '\n' <<<"${R[$1.$2]}" | grep . | stats)
    printf '%-66s %8.1f %14s\n' "$3" "$m" "$mn-$mx"
    eval "M_$1_$2=$m"
}
printf '%-66s %8s %14s\n' "what (median of $RUNS runs)" "ms" "min-max"
for l in guest kernel; do
    [ -n "${R[$l.hv]:-}" ] || { echo "($l: Debian's arm64 kernel is not cached: hvprobe kvm-host build)"; continue; }
    [ $l = guest ] && echo "a64-unmapped guest (MMU on, 4 KiB pages, VBAR_EL1 unmapped):" \
                   || echo "Debian's arm64 kernel at the root-mount failure (VBAR_EL1 in TTBR1's half):"
    row $l hv "  hvprobe capture: full AArch64 snapshot, the table walked"
    row $l gdb "  gdb-multiarch -batch: registers, \$VBAR, x/512wx \$VBAR"
    row $l cmp "  hvprobe compare -v on the snapshot (16 slots, routes, walks)"
    eval "a=\$M_${l}_hv b=\$M_${l}_gdb"
    awk -v a="$a" -v b="$b" 'BEGIN {printf "  ratio: hvprobe capture / gdb-multiarch = %.2f\n", a / b}'
done
