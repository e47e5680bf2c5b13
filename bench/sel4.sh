#!/usr/bin/env bash
# bench/sel4.sh - what capturing the guest at its reported trap costs on
# the user's seL4 system, against what the same image takes to print its
# fault line under plain QEMU, in the same run:
#   plain QEMU          qemu-system-arm with the image, QEMU start to the
#                       VMM's "Pagefault from" line in the serial file
#   hvprobe run         `hvprobe run IMAGE --backend sel4 --capture`:
#                       start to the snapshot on disk (breakpoints on the
#                       kernel's fault handlers, a capture at each guest
#                       trap, the one the report names written)
# Figures: median of N runs (min-max) and the ratio of the medians (goal:
# at most 1.5).  A benchmark, not a test.  The fixture row is the same
# path against guests/hyp-fixture, for machines without the image.
# Usage: HVP_SEL4_IMAGE=... bench/sel4.sh [RUNS]   (default 5; run make first)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
RUNS=${1:-5}
H=${HVPROBE:-build/hvprobe}
IMG=${HVP_SEL4_IMAGE:-../shared/sel4/capdl-loader-image-arm-qemu-arm-virt}
[ -x "$H" ] || { echo "run make first" >&2; exit 2; }
[ -f "$IMG" ] || { echo "no seL4 image: set HVP_SEL4_IMAGE" >&2; exit 2; }
D=$(mktemp -d /tmp/hvprobe-bench-sel4.XXXXXX)
export TMPDIR=$D
trap 'pkill -KILL -f "qemu-system-arm .*$D/" 2>/dev/null; rm -rf "$D"' EXIT

# plain QEMU: start, poll the serial file for the report line, stop.
plain() {
    local s=$EPOCHREALTIME e
    qemu-system-arm -M virt,virtualization=on,highmem=off,secure=off -cpu cortex-a15 -m 2048M \
        -nodefaults -display none -serial "file:$D/plain.log" -kernel "$IMG" 2>/dev/null &
    local pid=$!
    until grep -q 'Pagefault from' "$D/plain.log" 2>/dev/null; do sleep 0.005; done
    e=$EPOCHREALTIME
    kill "$pid"; wait "$pid" 2>/dev/null || true
    rm -f "$D/plain.log"
    awk -v s="$s" -v e="$e" 'BEGIN {printf "%.1f\n", (e - s) * 1000}'
}
: >"$D/plain" ; : >"$D/hvp" ; : >"$D/fix"
for _ in $(seq "$RUNS"); do
    plain >>"$D/plain"
    ms "$H" run "$IMG" --backend sel4 --capture "$D/s.json" -q >>"$D/hvp"
    [ -s "$D/s.json" ] || { echo "hvprobe run failed" >&2; exit 1; }
    rm -f "$D/s.json"
    ms "$H" run build/guests/tiny-low-virt.elf --backend fixture --capture "$D/f.json" -q >>"$D/fix"
done
machine_line
read -r pm pmin pmax < <(stats <"$D/plain")
read -r hm hmin hmax < <(stats <"$D/hvp")
read -r fm fmin fmax < <(stats <"$D/fix")
printf '%-44s %8.1f ms  (%.1f-%.1f)\n' "plain QEMU: start to the fault line" "$pm" "$pmin" "$pmax"
printf '%-44s %8.1f ms  (%.1f-%.1f)\n' "hvprobe run --backend sel4 --capture" "$hm" "$hmin" "$hmax"
awk -v a="$hm" -v b="$pm" 'BEGIN {printf "%-44s %8.2f  (goal <= 1.5)\n", "ratio", a / b}'
printf '%-44s %8.1f ms  (%.1f-%.1f)\n' "fixture: run --capture at the reported trap" "$fm" "$fmin" "$fmax"
