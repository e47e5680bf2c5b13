# tests/integration/terminal.sh - what a person sees in a terminal: the
# real `hvprobe demo` and `hvprobe compare` run in tmux windows of 80x24
# and 100x40, read back with capture-pane.  No line is wider than the
# window, the root cause and the fix come first (on the first screen of
# the pager), long output is paged like git's, piped output is not
# wrapped, and --json and the report do not depend on the window.
. tests/lib/tap.sh
T=$HVP_TEST_TMP/terminal
mkdir -p "$T"
N=0 SOCK=
tm() { tmux -S "$SOCK" "$@"; }
trap 'for s in "$T"/tmux*.sock; do tmux -S "$s" kill-server 2>/dev/null; done
      pkill -KILL -f "qemu-system.*$T" 2>/dev/null' EXIT

# in_window W H CMD: run CMD (a shell command line) in a fresh W x H tmux
# window, as a user would type it (no COLUMNS, no HVP_PAGER set).
in_window() {
    local w=$1 h=$2
    [ -n "$SOCK" ] && tm kill-server 2>/dev/null
    N=$((N + 1)) SOCK=$T/tmux$N.sock     # a fresh server: no race with the old one
    tm -f /dev/null new-session -d -x "$w" -y "$h" -s t \
        "env -u COLUMNS -u HVP_PAGER -u PAGER -u LESS sh -c '$3'; echo __END__ rc=\$?; sleep 600"
}
# screen: the window's visible lines; history: everything printed so far.
# Lines the terminal wrapped are joined back (-J), so a line wider than
# the window shows as one long line.
screen() { tm capture-pane -p -J -t t | sed 's/ *$//'; }
history() { tm capture-pane -p -J -S - -t t | sed 's/ *$//'; }
# wait_for TEXT SECONDS: until the window shows TEXT.
wait_for() {
    local i
    for i in $(seq $(($2 * 10))); do
        history | grep -qF -- "$1" && return 0
        sleep 0.1
    done
    return 1
}
widest() { awk '{ if (length > m) m = length } END { print m + 0 }'; }
# line_of TEXT: the first line number holding TEXT
line_of() { grep -nF -- "$1" | head -1 | cut -d: -f1; }

OUT=$T/out
for size in 100x40 80x24; do
    W=${size%x*} H=${size#*x}
    in_window "$W" "$H" "$HVPROBE demo -o $OUT"
    ok_if "demo in a ${size} window: finishes (exit 0)" wait_for "__END__ rc=0" 300
    history >"$T/demo-$size.txt"
    expect_eq "demo, ${size}: no line wider than $W columns" \
        "$(sed '/__END__/d' "$T/demo-$size.txt" | awk -v w="$W" 'length > w')" ""
    # The comparison's answer: from its first line, the fix starts on the
    # first screen (H - 1 lines).
    sed -n '/^hvprobe compare:/,$p' "$T/demo-$size.txt" >"$T/demo-cmp-$size.txt"
    FIX=$(line_of "Suggested fix:" <"$T/demo-cmp-$size.txt")
    expect_match "demo, ${size}: the fix starts within the first screen of the comparison (line ${FIX:-none})" \
        "${FIX:-999}" "^([1-9]|1[0-9]|2[0-1])$"
    expect_match "demo, ${size}: the root cause comes before the fix" \
        "$(line_of "Most likely root cause:" <"$T/demo-cmp-$size.txt")" "^([1-9]|1[0-9])$"
    expect_match "demo, ${size}: progress lines wrap under their start, the UART text intact" \
        "$(tr -s ' \n' ' ' <"$T/demo-$size.txt")" "fixture-low +[0-9.]+ s +Pagefault from \[vm0\]: read prefetch fault @ PC: 0x8 IPA: 0x8, FSR: 0x6"
done
SNAPS="$OUT/tcg-vexpress-low.json $OUT/tcg-vexpress-vbar.json $OUT/tcg-virt-low.json $OUT/tcg-virt-vbar.json
       $OUT/fixture-low.json $OUT/fixture-vbar.json $OUT/kvm-nested-low.json $OUT/kvm-nested-vbar.json"
SNAPS=$(echo $SNAPS)
expect_eq "the demo wrote its 8 snapshots" "$(ls $SNAPS 2>/dev/null | wc -l)" 8

for size in 80x24 100x40; do
    W=${size%x*} H=${size#*x}
    # Paged: less -FRX shows the first screen and waits for the user.
    in_window "$W" "$H" "$HVPROBE compare $SNAPS"
    ok_if "compare in a ${size} window: the pager shows the first screen" wait_for "hvprobe compare: 8 snapshots" 10
    sleep 0.5
    screen >"$T/page-$size.txt"
    expect_eq "compare, ${size}: the pager waits (the output is longer than the window)" \
        "$(grep -c "__END__" "$T/page-$size.txt")" 0
    expect_eq "compare, ${size}: no line on the first screen wider than $W" "$(awk -v w="$W" 'length > w' "$T/page-$size.txt")" ""
    ok_if "compare, ${size}: the root cause is on the first screen" grep -q "^Most likely root cause:" "$T/page-$size.txt"
    ok_if "compare, ${size}: the fix is on the first screen" \
        grep -q "^  tcg-vexpress-low: the vector base is 0x00000000" "$T/page-$size.txt"
    tm send-keys -t t q
    ok_if "compare, ${size}: q leaves the pager, exit 0" wait_for "__END__ rc=0" 10

    # Not paged: every line of the whole output fits the window.
    in_window "$W" "$H" "$HVPROBE compare --no-pager $SNAPS"
    ok_if "compare --no-pager, ${size}: finishes (exit 0)" wait_for "__END__ rc=0" 10
    history | sed '/__END__/,$d' >"$T/full-$size.txt"
    expect_eq "compare --no-pager, ${size}: no line wider than $W" "$(awk -v w="$W" 'length > w' "$T/full-$size.txt")" ""
    expect_match "compare --no-pager, ${size}: the table is split into groups of snapshots" \
        "$(grep -c '^snapshot ' "$T/full-$size.txt")" '^[2-9]$'
    expect_match "compare --no-pager, ${size}: an address is never cut" "$(cat "$T/full-$size.txt")" \
        '(^| )0x00000000 \(VBAR_S'
done

# Piped: no width imposed (one table, long lines), no pager; COLUMNS, when
# set, is the width.
in_window 80 24 "$HVPROBE compare $SNAPS | cat > $T/piped.txt"
ok_if "compare | cat in a terminal: no pager, exit 0" wait_for "__END__ rc=0" 10
expect_match "piped: not wrapped (the widest line is wider than the window)" "$(widest <"$T/piped.txt")" '^(1[0-9][0-9]|[2-9][0-9][0-9])$'
expect_eq "piped: one table" "$(grep -c '^snapshot ' "$T/piped.txt")" 1
COLUMNS=90 "$HVPROBE" compare $SNAPS >"$T/c90.txt"
expect_eq "COLUMNS=90: no line wider than 90" "$(awk 'length > 90' "$T/c90.txt")" ""

# HVP_PAGER chooses the pager; one that cannot run falls back to printing.
in_window 80 24 "HVP_PAGER=\"sed s/^/PAGED:/\" $HVPROBE compare $SNAPS"
ok_if "HVP_PAGER: the output goes through it" wait_for "PAGED:hvprobe compare: 8 snapshots" 10
in_window 80 24 "HVP_PAGER=/nonexistent/pager $HVPROBE compare $SNAPS"
ok_if "a pager that cannot run: printed directly, exit 0" wait_for "__END__ rc=0" 10
ok_if "a pager that cannot run: the answer is still printed" grep -q '^Suggested fix:' <(history)

# The window changes nothing in --json or the report.
"$HVPROBE" compare --json $SNAPS >"$T/plain.json"
COLUMNS=40 "$HVPROBE" compare --json $SNAPS >"$T/narrow.json"
ok_if "--json does not depend on the width" cmp "$T/plain.json" "$T/narrow.json"
"$HVPROBE" report -q --format markdown -o "$T/plain.md" $SNAPS
COLUMNS=40 "$HVPROBE" report -q --format markdown -o "$T/narrow.md" $SNAPS
ok_if "the report does not depend on the width" cmp "$T/plain.md" "$T/narrow.md"
# The matrix in an 80-column window: its progress line is rewritten in
# place (no line wider than the window, no escape sequences), then the
# table's column groups and prose fit the width.
in_window 80 24 "$HVPROBE matrix -o $T/mx --backends tcg,fixture --exceptions svc,irq --placements vbar,low,s2"
ok_if "matrix in an 80x24 window: finishes (exit 0)" wait_for "__END__ rc=0" 300
history >"$T/matrix-80.txt"
expect_eq "matrix, 80x24: no line wider than 80 columns" "$(sed '/__END__/d' "$T/matrix-80.txt" | awk 'length > 80')" ""
ok_if "matrix, 80x24: the summary line is there" grep -q "^18 cells: 14 agree, 0 disagree" "$T/matrix-80.txt"
ok_if "matrix, 80x24: the table has its rows" grep -Eq "^svc low +silent zero-filled +silent data" "$T/matrix-80.txt"
done_testing
