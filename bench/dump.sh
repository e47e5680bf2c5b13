#!/usr/bin/env bash
# bench/dump.sh - bulk memory: `hvprobe dump` (QMP path and gdbstub path)
# side by side with a bare QMP pmemsave and gdb-multiarch's
# `dump binary memory`, for 16 MiB and 256 MiB of guest RAM.  Median of
# RUNS (min-max) and ratios from the same run.  A benchmark: no asserts.
# Usage: bench/dump.sh [RUNS]   (default 3; run `make` first)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
H=${HVPROBE:-build/hvprobe}
ELF=build/guests/tiny-vbar-virt.elf
[ -x "$H" ] && [ -f "$ELF" ] || { echo "run make first" >&2; exit 2; }
. tests/lib/qemu.sh
. bench/lib.sh
D=$(mktemp -d /tmp/hvprobe-bench.XXXXXX)
trap 'qemu_stop $D/q || true; rm -rf "$D"' EXIT
qemu_start "$D/q" virt "$ELF" -m 512M
qemu_wait_serial "$D/q" "handler ran"
bare_pmemsave() {
    python3 - "$D/q/qmp.sock" "$1" "$2" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); f = s.makefile("rwb")
f.readline()
for cmd in ({"execute": "qmp_capabilities"},
            {"execute": "pmemsave", "arguments": {"val": 0x40000000, "size": int(sys.argv[3]), "filename": sys.argv[2]}}):
    f.write(json.dumps(cmd).encode() + b"\n"); f.flush()
    while b"return" not in (l := f.readline()) and b"error" not in l: pass
PY
}
machine_line
printf '%-52s %10s %14s %8s\n' "what (median of $RUNS)" "ms" "min-max" "MiB/s"
for size in 16 256; do
    bytes=$((size * 1048576))
    declare -A R=()
    for i in $(seq "$RUNS"); do
        R[bare]+="$(ms bare_pmemsave "$D/bare.bin" "$bytes") "
        R[qmp]+="$(ms "$H" dump -q --qmp "unix:$D/q/qmp.sock" 0x40000000 "${size}M" -o "$D/qmp.bin") "
        R[rsp]+="$(ms "$H" dump -q --gdb "unix:$D/q/gdb.sock" 0x40000000 "${size}M" -o "$D/rsp.bin") "
        if [ "$size" -le 16 ] || [ "${GDB_BIG:-}" ]; then
            R[gdb]+="$(ms gdb-multiarch -batch -ex "target remote $D/q/gdb.sock" \
                       -ex "dump binary memory $D/gdb.bin 0x40000000 $((0x40000000 + bytes))") "
        fi
    done
    for k in bare qmp rsp gdb; do
        [ -n "${R[$k]:-}" ] || continue
        read -r med mn mx < <(tr ' ' '\n' <<<"${R[$k]}" | grep . | stats)
        eval "M_$k=$med"
        case $k in
            bare) what="bare QMP pmemsave, $size MiB" ;;
            qmp) what="hvprobe dump via QMP, $size MiB" ;;
            rsp) what="hvprobe dump via the gdbstub, $size MiB" ;;
            gdb) what="gdb-multiarch dump binary memory, $size MiB" ;;
        esac
        printf '%-52s %10.1f %14s %8.1f\n' "$what" "$med" "$mn-$mx" "$(awk -v b=$size -v m=$med 'BEGIN{print m ? b*1000/m : 0}')"
    done
    awk -v q="$M_qmp" -v b="$M_bare" 'BEGIN {printf "  ratio hvprobe QMP / bare pmemsave: %.2f\n", q / (b ? b : 1)}'
    if [ -n "${R[gdb]:-}" ]; then
        awk -v r="$M_rsp" -v g="$M_gdb" 'BEGIN {printf "  ratio hvprobe gdbstub / gdb-multiarch: %.2f\n", r / (g ? g : 1)}'
    fi
    unset M_gdb R
done
cmp "$D/qmp.bin" "$D/rsp.bin" && echo "QMP and gdbstub dumps of 256 MiB are identical"
rm -f "$D"/*.bin

# A whole snapshot with all of the guest's RAM (512 MiB, capture --save-ram)
# against a bare pmemsave of the same RAM, and how long the guest stayed
# halted for it (backend.halted_ms: registers and RAM are one instant).
C="" B="" HM=""
for i in $(seq "$RUNS"); do
    B+="$(ms bare_pmemsave "$D/bare.bin" $((512 * 1048576))) "
    C+="$(ms "$H" capture -q --qmp "unix:$D/q/qmp.sock" --gdb "unix:$D/q/gdb.sock" --save-ram -o "$D/cap.json") "
    HM+="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["backend"]["halted_ms"])' "$D/cap.json") "
    rm -f "$D"/*.bin
done
read -r bmed bmn bmx < <(tr ' ' '\n' <<<"$B" | grep . | stats)
read -r cmed cmn cmx < <(tr ' ' '\n' <<<"$C" | grep . | stats)
read -r hmed hmn hmx < <(tr ' ' '\n' <<<"$HM" | grep . | stats)
printf '%-52s %10.1f %14s %8.1f\n' "bare QMP pmemsave, 512 MiB" "$bmed" "$bmn-$bmx" "$(awk -v m=$bmed 'BEGIN{print m ? 512000/m : 0}')"
printf '%-52s %10.1f %14s %8.1f\n' "hvprobe capture --save-ram (snapshot + 512 MiB)" "$cmed" "$cmn-$cmx" "$(awk -v m=$cmed 'BEGIN{print m ? 512000/m : 0}')"
printf '%-52s %10.1f %14s\n' "  of which the guest stayed halted (halted_ms)" "$hmed" "$hmn-$hmx"
awk -v c="$cmed" -v b="$bmed" 'BEGIN {printf "  ratio capture --save-ram / bare pmemsave: %.2f (capture also hashes and fsyncs)\n", c / (b ? b : 1)}'
