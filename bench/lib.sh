# bench/lib.sh - shared pieces of the benchmarks (source me).
#   ms CMD...     run CMD (output discarded), print its wall time in ms
#                 (bash's $EPOCHREALTIME: no clock process forked around it)
#   stats         read numbers, print "median min max"
#   machine_line  one line naming this machine and its QEMU
ms() {
    local s=$EPOCHREALTIME e
    "$@" >/dev/null 2>&1 || true
    e=$EPOCHREALTIME
    awk -v s="$s" -v e="$e" 'BEGIN {printf "%.1f\n", (e - s) * 1000}'
}
stats() { sort -n | awk '{a[NR]=$1} END {printf "%s %s %s\n", a[int((NR+1)/2)], a[1], a[NR]}'; }
machine_line() {
    echo "machine: $(nproc) cores, $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1 /proc/loadavg)"
    echo "QEMU: $(qemu-system-arm --version | head -1)"
}
