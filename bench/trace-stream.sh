#!/usr/bin/env bash
# bench/trace-stream.sh - a benchmark (not a test): does `hvprobe trace`
# stream a multi-GiB QEMU -d int log in constant memory, and how fast?
#
# Builds a log of at least SIZE_MIB MiB (default 1100) in /tmp by repeating
# real QEMU 7.2 logs (tests/fixtures/trace: a Prefetch Abort storm, an
# external-abort storm with guest_errors lines, an Undefined Instruction
# loop and a run mixed with cpu/exec/in_asm output), runs hvprobe trace on
# it under /usr/bin/time -v, and prints size, elapsed time, throughput and
# maximum RSS.  The log is deleted afterwards unless KEEP=1.
#
# Usage: bench/trace-stream.sh [HVPROBE]   (default build/hvprobe)
#        SIZE_MIB=4096 bench/trace-stream.sh build/trace/hvprobe
set -eu
cd "$(dirname "$0")/.."
HVPROBE=${1:-${HVPROBE:-build/hvprobe}}
SIZE_MIB=${SIZE_MIB:-1100}
F=tests/fixtures/trace
[ -x "$HVPROBE" ] || { echo "no hvprobe binary at $HVPROBE (make first)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (Debian package 'time')" >&2; exit 2; }

WORK=$(mktemp -d /tmp/hvprobe-trace-bench.XXXXXX)
trap '[ "${KEEP:-0}" = 1 ] || rm -rf "$WORK"' EXIT
LOG=$WORK/big-int.log

# One ~8 MiB block of real log text, then the block repeated.
: >"$WORK/block"
while [ "$(stat -c %s "$WORK/block")" -lt $((8 << 20)) ]; do
    cat "$F/qemu-mmu-virt.log" "$F/qemu-hivecs-virt.log" "$F/qemu-low-virt.log" \
        "$F/qemu-modes-mixed.log" >>"$WORK/block"
    echo >>"$WORK/block"      # the mixed log ends without a newline
done
BLOCK=$(stat -c %s "$WORK/block")
N=$(( (SIZE_MIB * 1048576 + BLOCK - 1) / BLOCK ))
echo "generating $LOG: $N x $((BLOCK >> 10)) KiB ..."
for _ in $(seq 1 "$N"); do cat "$WORK/block"; done >"$LOG"
BYTES=$(stat -c %s "$LOG")

echo "running: $HVPROBE trace $LOG"
/usr/bin/time -v "$HVPROBE" trace --first 3 "$LOG" >"$WORK/out.txt" 2>"$WORK/time.txt" || {
    cat "$WORK/time.txt" >&2; exit 1; }
sed -n '1,12p' "$WORK/out.txt"

ELAPSED=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$WORK/time.txt")
RSS=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$WORK/time.txt")
SECS=$(echo "$ELAPSED" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
echo
echo "log size:     $BYTES bytes ($(awk -v b="$BYTES" 'BEGIN { printf "%.2f GiB", b / 1073741824 }'))"
echo "elapsed:      $ELAPSED ($SECS s)"
echo "throughput:   $(awk -v b="$BYTES" -v s="$SECS" 'BEGIN { if (s > 0) printf "%.0f MiB/s", b / 1048576 / s; else print "n/a" }')"
echo "max RSS:      $RSS KiB"
