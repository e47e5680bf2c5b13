# tests/integration/cli.sh - one command-line grammar for every subcommand:
# `hvprobe help SUB` = `SUB --help`; -q/--quiet and -v/--verbose everywhere
# (quiet: nothing but errors on stderr; verbose: channels, timings, QEMU
# command lines); --json wherever the output is data, and it parses;
# --version; no colour or other terminal escapes, on a terminal or not.
. tests/lib/tap.sh
. tests/lib/qemu.sh
T=$HVP_TEST_TMP/cli
mkdir -p "$T"
export TMPDIR=$T
trap 'qemu_stop $T/q' EXIT
SNAP=tests/fixtures/snapshots/vbar-vexpress.json
SNAP2=tests/fixtures/snapshots/low-vexpress.json
LOG=tests/fixtures/trace/qemu-mmu-virt.log
ELF=$GUESTS/tiny-vbar-vexpress.elf
isjson() { python3 -c 'import json,sys; json.load(sys.stdin)'; }

# ---- help: the same text both ways, for every subcommand the top-level help lists
SUBS=$("$HVPROBE" --help | awk '/^subcommands:/ {on=1; next} on && /^  [a-z]/ {print $1} on && /^$/ {on=0}')
expect_eq "the top-level help lists the eleven subcommands" "$(echo $SUBS)" \
    "check run capture show dump demo kvm-host compare report matrix trace"
for s in $SUBS; do
    A=$("$HVPROBE" help "$s"); ra=$?
    B=$("$HVPROBE" "$s" --help); rb=$?
    C=$("$HVPROBE" "$s" -h)
    expect_eq "$s: 'help $s' and '$s --help' print the same text, exit 0" "$ra$rb:$(cmp -s <(echo "$A") <(echo "$B") && cmp -s <(echo "$A") <(echo "$C") && echo same)" "00:same"
    expect_match "$s: the help documents -q/--quiet and -v/--verbose" "$(echo "$A" | grep -c -e '-q, --quiet' -e '-v, --verbose')" '^2$' 
    ERR=$("$HVPROBE" "$s" --no-such-option 2>&1); rc=$?
    expect_eq "$s: an unknown option is a usage error (exit 2)" "$rc" 2
done
ERR=$("$HVPROBE" help nosuch 2>&1); rc=$?
expect_eq "help for an unknown subcommand: exit 2" "$rc" 2
expect_match "--version: name, version, schema" "$("$HVPROBE" --version)" '^hvprobe [0-9]+\.[0-9]+\.[0-9]+ \(snapshot schema 1\)$'

# ---- -q and -v on the subcommands that need no QEMU
for cmd in "check --backend tcg" "show $SNAP" "compare $SNAP $SNAP2" "trace $LOG" \
           "report -o $T/r.html $SNAP" "kvm-host status"; do
    sub=${cmd%% *}
    "$HVPROBE" $cmd -q >/dev/null 2>"$T/err"; rq=$?
    "$HVPROBE" $cmd >/dev/null 2>/dev/null; rn=$?
    expect_eq "$sub -q: same exit status, nothing on stderr" "$rq:$(wc -c <"$T/err")" "$rn:0"
    "$HVPROBE" $cmd --verbose >/dev/null 2>/dev/null; rv=$?
    expect_eq "$sub --verbose: accepted, same exit status" "$rv" "$rn"
done
expect_match "check -v: says how long the probe took" "$("$HVPROBE" check -v --backend tcg 2>&1 >/dev/null)" 'probed the host in [0-9]+ ms'
expect_eq "-q before the subcommand works too" "$("$HVPROBE" -q check --backend tcg 2>&1 >/dev/null | wc -c)" 0

# ---- --json where the output is data
for cmd in "check --json" "show --json $SNAP" "compare --json $SNAP $SNAP2" "trace --json $LOG" "kvm-host status --json"; do
    ok_if "${cmd%% *} --json: valid JSON" sh -c "'$HVPROBE' $cmd 2>/dev/null | python3 -c 'import json,sys; json.load(sys.stdin)'"
done
J=$("$HVPROBE" run "$ELF" --dry-run --json)
expect_eq "run --dry-run --json: backend, machine, command line" \
    "$(echo "$J" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["backend"], d["machine"], d["command_line"].split()[0])')" \
    "tcg vexpress-a9 qemu-system-arm"

# ---- with QEMU: run, capture, dump
J=$(timeout 30 "$HVPROBE" run "$ELF" --capture "$T/s.json" --at-serial 'handler ran' --json 2>"$T/err"); rc=$?
expect_eq "run --json: exit 0" "$rc" 0
expect_eq "run --json: a summary naming the snapshot (no serial stream on stdout)" \
    "$(echo "$J" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["snapshot"], d["exit"], d["qemu_exit_status"])')" "$T/s.json 0 None"
expect_match "run: a progress line while it waits for the trigger" "$(cat "$T/err")" "waiting for 'handler ran' on the guest's serial output"
timeout 30 "$HVPROBE" run "$ELF" -q --capture "$T/q.json" --at-serial 'handler ran' >"$T/out" 2>"$T/err"; rc=$?
expect_eq "run -q: exit 0, nothing on stdout or stderr" "$rc:$(cat "$T/out" "$T/err" | wc -c)" "0:0"
timeout 30 "$HVPROBE" run "$ELF" -v --capture "$T/v.json" --after 0.3 >/dev/null 2>"$T/err"; rc=$?
expect_match "run -v: the QEMU command line on stderr" "$(cat "$T/err")" 'QEMU command line: qemu-system-arm '
expect_match "run -v: timings on stderr" "$(cat "$T/err")" 'captured in [0-9]+ ms'

qemu_start "$T/q" vexpress "$ELF"
qemu_wait_serial "$T/q" "handler ran"
"$HVPROBE" capture -q --qmp "unix:$T/q/qmp.sock" -o "$T/c.json" 2>"$T/err"; rc=$?
expect_eq "capture -q: exit 0, nothing on stderr" "$rc:$(wc -c <"$T/err")" "0:0"
"$HVPROBE" capture -v --qmp "unix:$T/q/qmp.sock" --gdb "unix:$T/q/gdb.sock" -o "$T/c.json" 2>"$T/err"; rc=$?
expect_match "capture -v: the channels" "$(cat "$T/err")" "channels: qmp unix:$T/q/qmp.sock, hmp -, gdb unix:"
expect_match "capture -v: the time taken" "$(cat "$T/err")" "capture took [0-9]+ ms"
J=$("$HVPROBE" dump --json --qmp "unix:$T/q/qmp.sock" 0x60000000 64K -o "$T/d.bin"); rc=$?
expect_eq "dump --json: the sha256 of the file written" \
    "$rc:$(echo "$J" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["bytes"], d["method"], d["sha256"])')" \
    "0:65536 qmp $(sha256sum "$T/d.bin" | cut -d' ' -f1)"
"$HVPROBE" dump -q --qmp "unix:$T/q/qmp.sock" 0x60000000 4K -o "$T/d2.bin" >"$T/out" 2>&1
expect_eq "dump -q: prints nothing" "$(wc -c <"$T/out")" 0
qemu_stop "$T/q"

# ---- demo: -q leaves only the result; --json is one document
J=$(timeout 120 "$HVPROBE" demo --no-kvm -q --json -o "$T/demo" 2>"$T/err"); rc=$?
expect_eq "demo -q --json: exit 0, nothing on stderr" "$rc:$(wc -c <"$T/err")" "0:0"
expect_eq "demo --json: ten runs (six AArch32, four AArch64), no failed expectation, both comparisons inside" \
    "$(echo "$J" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d["runs"]), d["expectations_failed"], len(d["comparison"]["snapshots"]), len(d["comparison_a64"]["snapshots"]))')" "10 0 6 4"

# ---- no colour, ever: not on a terminal, not with NO_COLOR, not without it
for env in "" "NO_COLOR=1"; do
    OUT=$(env $env script -qec "'$HVPROBE' check; '$HVPROBE' compare $SNAP $SNAP2; '$HVPROBE' trace $LOG; '$HVPROBE' show $SNAP; '$HVPROBE' run $ELF --dry-run" /dev/null)
    expect_eq "on a terminal${env:+ with $env}: no escape sequences in the output" "$(printf '%s' "$OUT" | grep -c $'\033')" 0
done
expect_eq "no escape sequences when writing to a pipe" \
    "$( ("$HVPROBE" check; "$HVPROBE" compare $SNAP $SNAP2; "$HVPROBE" trace $LOG) 2>&1 | grep -c $'\033')" 0
done_testing
