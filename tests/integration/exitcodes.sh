# tests/integration/exitcodes.sh - the README's exit-code table, checked
# row by row: each line below is (expected exit code | stderr pattern |
# command line).  The pattern is an extended regex that must match the
# command's stderr; '-' means stderr must be empty.  Commands run through
# bash, with $H (hvprobe), $T (a scratch directory), $SNAP, $LOG, $ELF and
# $Q (a live QEMU's runtime directory) set.  Real QEMU throughout.
#
# Code 4 (internal error: a bug, out of memory) has no row: nothing reaches
# it without fault injection (an allocator that fails on purpose, or a
# crippled capstone), and ulimit-based tricks break the sanitizer build.
. tests/lib/tap.sh
. tests/lib/qemu.sh
T=$HVP_TEST_TMP/exitcodes
mkdir -p "$T"
export TMPDIR=$T
trap 'qemu_stop $T/q; pkill -KILL -f "qemu-system.*$T" 2>/dev/null' EXIT
export H=$HVPROBE T SNAP=tests/fixtures/snapshots/vbar-vexpress.json LOG=tests/fixtures/trace/qemu-mmu-virt.log
export ELF=$GUESTS/tiny-vbar-vexpress.elf Q=$T/q FREE=$(free_port)
qemu_start "$Q" vexpress "$ELF"
qemu_wait_serial "$Q" "handler ran"

TABLE=$(cat <<'ROWS'
0|-|$H check -q --backend tcg
0|-|$H show $SNAP
0|-|$H compare --expect vbar-vexpress:svc=valid $SNAP
0|-|$H trace $LOG
0|-|$H report -q -o $T/r.html $SNAP
0|-|$H capture -q --qmp unix:$Q/qmp.sock --gdb unix:$Q/gdb.sock -o $T/c.json
0|-|$H dump -q --qmp unix:$Q/qmp.sock 0x60000000 4K -o $T/d.bin
0|-|$H run -q $ELF --capture $T/run.json --at-serial 'handler ran'
0|-|$H run $ELF --dry-run
0|-|XDG_CACHE_HOME=$T/cache $H kvm-host -q clean
0|-|$H help run
0|-|$H --version
1|-|$H compare --expect vbar-vexpress:svc=unmapped $SNAP
1|1 expectation did not hold|$H report -o $T/r2.html --expect vbar-vexpress:svc=unmapped $SNAP
1|-|XDG_CACHE_HOME=$T/cache $H kvm-host status
1|-|XDG_CACHE_HOME=$T/cache $H kvm-host status --json
1|-|XDG_CACHE_HOME=$T/cache PATH=/nonexistent $H check --backend kvm-nested
2|is not a subcommand|$H frobnicate
2|^usage: hvprobe|$H
2|unknown or incomplete option '--bogus'|$H check --bogus
2|unknown or incomplete option '--bogus'|$H run $ELF --bogus
2|unknown or incomplete option '--bogus'|$H capture --bogus
2|unknown or incomplete option '--bogus'|$H show --bogus $SNAP
2|unknown or incomplete option '--bogus'|$H dump --bogus
2|unknown or incomplete option '--bogus'|$H demo --bogus
2|unknown or incomplete option '--bogus'|$H kvm-host --bogus status
2|unknown or incomplete option '--bogus'|$H compare --bogus $SNAP
2|unknown or incomplete option '--bogus'|$H report --bogus $SNAP
2|unknown or incomplete option '--bogus'|$H trace --bogus $LOG
2|unknown backend 'nosuch'|$H check --backend nosuch
2|no image given|$H run
2|not an ARM image|$H run /bin/true
2|--at-exception wants svc|$H run $ELF --capture $T/x.json --at-exception reset
2|'no_such_symbol' is not a symbol|$H run $ELF --capture $T/x.json --at-symbol no_such_symbol
2|no channel given|$H capture -o $T/x.json
2|not an ARM image|$H capture --qmp unix:$Q/qmp.sock --elf /bin/true -o $T/x.json
2|is not a length|$H dump --qmp unix:$Q/qmp.sock 0x0 zero -o $T/x.bin
2|No such file|$H show $T/missing.json
2|line 1|$H compare tests/fixtures/trace/README
2|give at least one snapshot|$H compare
2|say where to write the report|$H report $SNAP
2|cannot open .*missing.log|$H trace $T/missing.log
2|unexpected argument 'extra'|$H demo extra
2|build, status or clean|$H kvm-host frobnicate
3|cannot connect to unix:.*none.sock|$H capture --qmp unix:$T/none.sock -o $T/x.json
3|refused|$H capture --gdb tcp:127.0.0.1:$FREE -o $T/x.json
3|cannot connect|$H dump --qmp unix:$T/none.sock 0x0 4K -o $T/x.bin
3|memory at 0xfff00000 cannot be read|$H dump --virt --gdb unix:$Q/gdb.sock 0xfff00000 8K -o $T/x.bin
3|QEMU exited at start|$H run -q $ELF -- -no-such-qemu-option
3|QEMU exited \(status 137\) before the capture trigger fired|$H run -q $ELF --capture $T/x.json --at-serial 'never printed' & sleep 1.5; kill -9 $(pgrep -f "qemu-system.*$T/hvprobe-"); wait $!
7|has a 32-bit CPU|$H run $GUESTS/a64-vbar-virt.elf --machine vexpress-a9 --dry-run
7|the kvm backend runs 32-bit guests only|$H run $GUESTS/a64-vbar-virt.elf --backend kvm --dry-run
5|directory is missing or not writable|$H capture --qmp unix:$Q/qmp.sock -o $T/nodir/x.json
5|directory is missing or not writable|$H dump --qmp unix:$Q/qmp.sock 0x60000000 4K -o $T/nodir/x.bin
5|cannot create a file next to .*nodir/x.json|$H run -q $ELF --capture $T/nodir/x.json --after 0.2
5|cannot create /proc/.*: |$H demo --no-kvm -o /proc/hvprobe-demo
5|cannot write standard output|$H show $SNAP >/dev/full
5|cannot write standard output|$H check --backend tcg >/dev/full
5|No space left on device|$H report -o /dev/full $SNAP
5|No space left on device|$H trace -o /dev/full $LOG
5|No space left on device|$H compare -o /dev/full $SNAP
5|No space left on device|$H capture --qmp unix:$Q/qmp.sock -o /dev/full
130|-|timeout --preserve-status -s INT 1.5 $H run -q $ELF
130|-|timeout --preserve-status -s TERM 1.5 $H run -q $ELF --capture $T/x.json --at-serial 'never printed'
130|-|timeout --preserve-status -s INT 1 $H demo -q --no-kvm -o $T/demo
ROWS
)
if [ "$(uname -m)" = x86_64 ]; then
    TABLE=$TABLE$'\n''1|-|$H check --backend kvm'$'\n''3|cannot run here: KVM runs only guests|$H run $ELF --backend kvm'
fi
if XDG_CACHE_HOME= "$HVPROBE" kvm-host status >/dev/null 2>&1; then
    # The prepared kvm-nested host boots for ~10 s: a signal during the boot ends the wait.
    TABLE=$TABLE$'\n''130|-|timeout --preserve-status -s INT 3 $H run -q $GUESTS/tiny-vbar-virt.elf --backend kvm-nested'
fi

while IFS= read -r row; do
    [ -n "$row" ] || continue
    want=${row%%|*}; rest=${row#*|}; pat=${rest%%|*}; cmd=${rest#*|}
    case "$cmd" in *"/dev/full"*) [ -c /dev/full ] || continue ;; esac
    bash -c "$cmd" >/dev/null 2>"$T/err" </dev/null; got=$?
    err=$(cat "$T/err")
    if [ "$pat" = - ]; then
        expect_eq "exit $want, stderr empty: $cmd" "$got:$err" "$want:"
    else
        expect_eq "exit $want: $cmd" "$got" "$want"
        expect_match "  ... and stderr says /$pat/" "$err" "$pat"
        case "$pat" in ^usage*) ;; *) expect_eq "  ... in one line" "$(printf '%s\n' "$err" | wc -l)" 1 ;; esac
    fi
done <<<"$TABLE"
expect_eq "no runtime directory left behind" "$(find "$T" -maxdepth 1 -name 'hvprobe-*' | wc -l)" 0
ok_if "/dev/full is still a device" test -c /dev/full
done_testing
