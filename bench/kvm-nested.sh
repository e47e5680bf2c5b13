#!/usr/bin/env bash
# bench/kvm-nested.sh - what real KVM through the kvm-nested backend costs
# on this machine:
#   host build     `hvprobe kvm-host build` into an empty cache (only with
#                  --build: downloads about 100 MB)
#   host boot      the emulated arm64 host's own "ready" time (its clock),
#                  and the wall time until the inner QEMU's QMP answers
#                  (`run --capture --after 0`)
#   run --capture  the whole `hvprobe run --backend kvm-nested --capture
#                  --at-serial 'issuing svc'` wall time (goal: < 20 s)
# Figures: median of N runs (min-max).  A benchmark, not a test.
# Usage: bench/kvm-nested.sh [RUNS] [--build]   (default 3; run make first)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=3 BUILDHOST=0
for a in "$@"; do case $a in --build) BUILDHOST=1 ;; *) RUNS=$a ;; esac; done
H=${HVPROBE:-build/hvprobe}
ELF=build/guests/tiny-low-virt.elf
[ -x "$H" ] && [ -f "$ELF" ] || { echo "run make first" >&2; exit 2; }
D=$(mktemp -d /tmp/hvprobe-bench-kvm.XXXXXX)
export TMPDIR=$D
trap 'pkill -KILL -f "qemu-system-aarch64 .*$D/" 2>/dev/null; rm -rf "$D"' EXIT
stats() { sort -n | awk '{a[NR]=$1} END {printf "%.1f s (%.1f-%.1f)", a[int((NR+1)/2)], a[1], a[NR]}'; }
now() { date +%s%N; }
secs() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f\n", (b - a) / 1e9 }'; }

if [ "$BUILDHOST" = 1 ]; then
    s=$(now)
    XDG_CACHE_HOME=$D/cache "$H" kvm-host build >/dev/null 2>&1
    printf 'host build (empty cache)     %s s\n' "$(secs "$s")"
    export XDG_CACHE_HOME=$D/cache
fi
"$H" kvm-host status >/dev/null || "$H" kvm-host build >&2

: >"$D/ready" ; : >"$D/up" ; : >"$D/svc"
for _ in $(seq "$RUNS"); do
    s=$(now)
    "$H" run "$ELF" --backend kvm-nested --serial "$D/s.log" --capture "$D/a.json" --after 0 2>"$D/err" >/dev/null
    secs "$s" >>"$D/up"
    sed -n 's/.*arm64 host up after \([0-9.]*\) s.*/\1/p' "$D/err" >>"$D/ready"
    s=$(now)
    "$H" run "$ELF" --backend kvm-nested --serial "$D/s.log" -q --capture "$D/b.json" --at-serial 'issuing svc'
    secs "$s" >>"$D/svc"
done
echo "kvm-nested, $RUNS runs, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg):"
echo "  host boot to /init ready (host clock)      $(stats <"$D/ready")"
echo "  host boot + inner QEMU up (wall)           $(stats <"$D/up")"
echo "  run --capture at 'issuing svc' (wall)      $(stats <"$D/svc")   goal < 20 s"
