# tests/integration/faults.sh - fault injection: misbehaving peers on each
# channel, a full disk, QEMU dying under a capture.  Each case must give
# one clear line on stderr, exit 3 (channel) or 5 (output), finish within
# its timeout, and leave no snapshot or temporary file behind.
. tests/lib/tap.sh
. tests/lib/qemu.sh
T=$HVP_TEST_TMP/faults
mkdir -p "$T/out"
PIDS=""
cleanup() { for p in $PIDS; do kill "$p" 2>/dev/null; done; qemu_stop "$T/q"; umount "$T/full" 2>/dev/null; umount "$T/full" 2>/dev/null; }
trap cleanup EXIT

peer() {   # peer PROTO MODE -> starts the fake, waits for its socket
    rm -f "$T/$1.sock"
    python3 tests/lib/fakepeer.py "$1" "$2" "$T/$1.sock" &
    PIDS="$PIDS $!"
    for i in $(seq 50); do [ -S "$T/$1.sock" ] && return 0; sleep 0.05; done
}

for proto in qmp hmp gdb; do
    modes="silent garbage hangup half midreply"
    [ $proto = qmp ] && modes="$modes wrongid flood"
    for mode in $modes; do
        peer $proto $mode
        start=$(date +%s%N)
        ERR=$(timeout 20 "$HVPROBE" capture --$proto "unix:$T/$proto.sock" --timeout 500 -o "$T/out/s.json" 2>&1); rc=$?
        ms=$(( ($(date +%s%N) - start) / 1000000 ))
        expect_eq "$proto $mode: exit 3" "$rc" 3
        expect_eq "$proto $mode: one line on stderr" "$(printf '%s\n' "$ERR" | wc -l)" 1
        expect_match "$proto $mode: the line names the channel" "$ERR" "hvprobe capture: .*($proto|QMP|HMP|gdbstub)"
        expect_eq "$proto $mode: finished within its timeout (< 5 s)" "$([ $ms -lt 5000 ] && echo yes || echo "no: $ms ms")" yes
        expect_eq "$proto $mode: no snapshot, no temporary file" "$(ls -A "$T/out")" ""
    done
done

# A full disk: the snapshot cannot be written -> exit 5, nothing left.
mkdir -p "$T/full"
if [ "$(id -u)" = 0 ]; then mount -t tmpfs -o size=16k tmpfs "$T/full"; MOUNTED=$?; else MOUNTED=1; fi
if [ "$MOUNTED" = 0 ]; then
    qemu_start "$T/q" vexpress "$GUESTS/tiny-vbar-vexpress.elf"
    ERR=$("$HVPROBE" capture --qmp "unix:$T/q/qmp.sock" --gdb "unix:$T/q/gdb.sock" -o "$T/full/s.json" 2>&1); rc=$?
    expect_eq "full disk: exit 5" "$rc" 5
    expect_match "full disk: says so" "$ERR" 'No space left on device'
    expect_eq "full disk: nothing left on it" "$(ls -A "$T/full")" ""
    ERR=$("$HVPROBE" capture --qmp "unix:$T/q/qmp.sock" -o /dev/full 2>&1); rc=$?
    expect_eq "output is a device (/dev/full): exit 5" "$rc" 5
    ok_if "the device was written into, not replaced by a file" test -c /dev/full
    STATE=$("$HVPROBE" capture -q --qmp "unix:$T/q/qmp.sock" -o - | python3 -c 'import json,sys; print(json.load(sys.stdin)["backend"]["run_state"])')
    expect_eq "full disk: the guest was resumed anyway" "$STATE" running
    # QEMU dies while hvprobe waits on it: a peer that stops answering.
    kill -STOP "$(cat "$T/q/qemu.pid")"
    ERR=$(timeout 20 "$HVPROBE" capture --qmp "unix:$T/q/qmp.sock" --timeout 500 -o "$T/out/s.json" 2>&1); rc=$?
    expect_eq "QEMU frozen: exit 3 within the timeout" "$rc" 3
    kill -CONT "$(cat "$T/q/qemu.pid")"
    kill -9 "$(cat "$T/q/qemu.pid")"
    ERR=$("$HVPROBE" capture --qmp "unix:$T/q/qmp.sock" --gdb "unix:$T/q/gdb.sock" -o "$T/out/s.json" 2>&1); rc=$?
    expect_eq "QEMU killed: exit 3" "$rc" 3
    expect_eq "QEMU killed: no snapshot" "$(ls -A "$T/out")" ""
    umount "$T/full"
    # A read-only temporary directory: the runtime directory (sockets) goes
    # to the next writable candidate, and nothing is left there.
    mount -t tmpfs -o ro,size=16k tmpfs "$T/full"
    ERR=$(TMPDIR="$T/full" timeout 60 "$HVPROBE" run "$GUESTS/tiny-vbar-vexpress.elf" -q \
        --capture "$T/out/ro.json" --after 1 2>&1); rc=$?
    expect_eq "read-only TMPDIR: run still works (exit 0)" "$rc" 0
    ok_if "read-only TMPDIR: the snapshot was written" test -s "$T/out/ro.json"
    expect_eq "read-only TMPDIR: nothing written into it" "$(ls -A "$T/full")" ""
    umount "$T/full"
else
    tap_result 1 "full disk: this test needs root to mount a small tmpfs (CI runs as root)"
fi
done_testing
