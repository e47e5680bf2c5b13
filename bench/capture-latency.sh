#!/usr/bin/env bash
# bench/capture-latency.sh - how long a full hvprobe capture takes, side by
# side with what a user would otherwise run against the same guest:
#   gdb-multiarch -batch reading x/8wx 0, $VBAR and `info registers`
#   the original script's four monitor commands over HMP (a minimal reader)
# and the wall time of `hvprobe demo`.  Figures: median of N runs (min-max),
# and ratios from the same run.  A benchmark, not a test: nothing asserts.
# Usage: bench/capture-latency.sh [RUNS]   (default 7; run `make` first)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-7}
H=${HVPROBE:-build/hvprobe}
ELF=build/guests/tiny-vbar-vexpress.elf
[ -x "$H" ] && [ -f "$ELF" ] || { echo "run make first" >&2; exit 2; }
. tests/lib/qemu.sh
. bench/lib.sh
D=$(mktemp -d /tmp/hvprobe-bench.XXXXXX)
trap 'qemu_stop $D/q; rm -rf "$D"' EXIT
qemu_start "$D/q" vexpress "$ELF"
qemu_wait_serial "$D/q" "handler ran"


hmp_reader() {
    python3 - "$D/q/hmp.sock" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
def until():
    b = b""
    while not b.endswith(b"(qemu) "):
        b += s.recv(65536)
    return b
until()
for c in ["x/8wx 0x0", "x/8i 0x0", "info registers", "info mtree"]:
    s.sendall(c.encode() + b"\n"); until()
PY
}

declare -A R
for i in $(seq "$RUNS"); do
    R[hv]+="$(ms "$H" capture -q --qmp "unix:$D/q/qmp.sock" --hmp "unix:$D/q/hmp.sock" --gdb "unix:$D/q/gdb.sock" --elf "$ELF" -o "$D/s.json") "
    R[hvs]+="$(ms "$H" capture -q --qmp "unix:$D/q/qmp.sock" --hmp "unix:$D/q/hmp.sock" --gdb "unix:$D/q/gdb.sock" --elf "$ELF" -o -) "
    R[halt]+="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["backend"]["halted_ms"])' "$D/s.json") "
    R[gdb]+="$(ms gdb-multiarch -batch -ex "target remote $D/q/gdb.sock" -ex 'x/8wx 0' -ex 'p/x $VBAR' -ex 'info registers') "
    R[hmp]+="$(ms hmp_reader) "
done
read -r hv hvmin hvmax < <(tr ' ' '\n' <<<"${R[hv]}" | grep . | stats)
read -r hs hsmin hsmax < <(tr ' ' '\n' <<<"${R[hvs]}" | grep . | stats)
read -r gd gdmin gdmax < <(tr ' ' '\n' <<<"${R[gdb]}" | grep . | stats)
read -r hm hmmin hmmax < <(tr ' ' '\n' <<<"${R[hmp]}" | grep . | stats)
read -r hl hlmin hlmax < <(tr ' ' '\n' <<<"${R[halt]}" | grep . | stats)
qemu_stop "$D/q" || true
DEMO=""
for i in 1 2 3; do DEMO+="$(ms "$H" demo --no-kvm -q -o "$D/demo") "; done
read -r dm dmmin dmmax < <(tr ' ' '\n' <<<"$DEMO" | grep . | stats)

machine_line
printf '%-58s %8s %14s\n' "what (median of $RUNS runs)" "ms" "min-max"
printf '%-58s %8.1f %14s\n' "hvprobe capture: full snapshot, QMP+HMP+gdbstub, --elf" "$hv" "$hvmin-$hvmax"
printf '%-58s %8.1f %14s\n' "  the same to standard output (-o -: no file, no fsync)" "$hs" "$hsmin-$hsmax"
printf '%-58s %8.1f %14s\n' "  of which the guest stayed halted (snapshot halted_ms)" "$hl" "$hlmin-$hlmax"
printf '%-58s %8.1f %14s\n' "gdb-multiarch -batch: x/8wx 0, \$VBAR, info registers" "$gd" "$gdmin-$gdmax"
printf '%-58s %8.1f %14s\n' "HMP reader: the original script's four commands" "$hm" "$hmmin-$hmmax"
printf '%-58s %8.1f %14s\n' "hvprobe demo --no-kvm (6 QEMU runs, captures; 3 runs)" "$dm" "$dmmin-$dmmax"
awk -v a="$hv" -v s="$hs" -v b="$gd" -v c="$hm" 'BEGIN {
    printf "ratio hvprobe capture / gdb-multiarch batch: %.3f (to stdout: %.3f)\n", a / (b ? b : 1), s / (b ? b : 1);
    printf "ratio hvprobe capture / HMP reader:          %.3f\n", a / (c ? c : 1) }'
