#!/usr/bin/env bash
# bench/all.sh - every figure of the performance issue in one run: capture
# latency (hvprobe vs gdb-multiarch vs a minimal HMP reader, and the time
# the guest stays halted), `hvprobe demo` wall time, and bulk memory
# (hvprobe dump over QMP and the gdbstub vs a bare pmemsave and gdb's
# `dump binary memory`).  Ratios come from the same run.  No assertions.
# Usage: bench/all.sh [RUNS]   (`make bench` builds first and runs this)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-7}
echo "== capture latency and demo =="
bench/capture-latency.sh "$RUNS"
echo
echo "== AArch64 capture =="
bench/a64-capture.sh "$RUNS"
echo
echo "== bulk memory =="
bench/dump.sh "$(( RUNS < 3 ? RUNS : 3 ))"
IMG=${HVP_SEL4_IMAGE:-../shared/sel4/capdl-loader-image-arm-qemu-arm-virt}
if [ -f "$IMG" ]; then
    echo
    echo "== seL4: start to the snapshot at the reported trap =="
    HVP_SEL4_IMAGE=$IMG bench/sel4.sh "$(( RUNS < 5 ? RUNS : 5 ))"
else
    echo
    echo "== seL4: no image (set HVP_SEL4_IMAGE): not measured =="
fi
