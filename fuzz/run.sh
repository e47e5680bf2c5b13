#!/bin/sh
# fuzz/run.sh BUILD SECONDS HARNESS... - run each harness for SECONDS on a
# fresh copy of its seed corpus (fuzz/corpus/HARNESS), then print one line
# per harness: executions, corpus size, and whether it crashed.  Logs and
# crash artifacts stay in BUILD/run/HARNESS/.  Exit status 1 if any
# harness crashed (or failed to start), else 0.
set -u
BUILD=$1; SECONDS_EACH=$2; shift 2
HERE=$(cd "$(dirname "$0")" && pwd)
status=0
summary=""
for h in "$@"; do
    bin="$BUILD/bin/fuzz_$h"
    work="$BUILD/run/$h"
    rm -rf "$work"
    mkdir -p "$work/corpus" "$work/artifacts"
    [ -d "$HERE/corpus/$h" ] && cp "$HERE/corpus/$h"/* "$work/corpus/" 2>/dev/null
    printf 'fuzz: %-14s %ss ...\n' "$h" "$SECONDS_EACH"
    "$bin" -max_total_time="$SECONDS_EACH" -print_final_stats=1 -timeout=10 \
        -rss_limit_mb=2048 -artifact_prefix="$work/artifacts/" \
        "$work/corpus" >"$work/fuzz.log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log" | tail -n1)
    [ -n "$execs" ] || execs=$(sed -n 's/^#\([0-9]*\).*/\1/p' "$work/fuzz.log" | tail -n1)
    files=$(ls "$work/corpus" | wc -l)
    art=$(ls "$work/artifacts" 2>/dev/null | head -n1)
    if [ "$rc" -eq 0 ] && [ -z "$art" ]; then
        verdict="no crash"
    else
        verdict="CRASHED (rc $rc): $work/artifacts/$art, log $work/fuzz.log"
        status=1
    fi
    line=$(printf '%-14s %12s execs  %5s corpus files  %s' "$h" "${execs:-?}" "$files" "$verdict")
    summary="$summary$line
"
done
printf '\nfuzz summary (%s s per harness):\n%s' "$SECONDS_EACH" "$summary"
exit $status
