# tests/lib/fixture.sh - run a guest under hyp-fixture for tests (source me
# after tests/lib/qemu.sh; run from the repository root).
#
#   fixture_start DIR GUEST.elf [EXTRA-QEMU-ARGS...]
#       guests/hyp-fixture/run-fixture GUEST.elf (the documented fixture
#       command line: virt,virtualization=on, cortex-a15, 256M, the guest as
#       -kernel, the fixture through -device loader) in the background, with
#       QMP, HMP and the gdbstub on unix sockets in DIR (created 0700), the
#       UART in DIR/serial.txt, QEMU's pid in DIR/qemu.pid (run-fixture
#       execs QEMU, so $! is QEMU).  Waits for the sockets.
#   Stop it with qemu_stop DIR; wait for UART text with qemu_wait_serial.
#   The fixture ELF comes from $GUESTS/hyp-fixture.elf (see run-fixture).

fixture_start() {
    local dir=$1 elf=$2; shift 2
    mkdir -p "$dir" && chmod 700 "$dir"
    rm -f "$dir"/*.sock "$dir/serial.txt"
    QEMU_AUDIO_DRV=none guests/hyp-fixture/run-fixture "$elf" \
        -serial "file:$dir/serial.txt" \
        -qmp "unix:$dir/qmp.sock,server=on,wait=off" \
        -monitor "unix:$dir/hmp.sock,server=on,wait=off" \
        -gdb "unix:$dir/gdb.sock,server=on,wait=off" \
        "$@" >"$dir/qemu.log" 2>&1 &
    echo $! >"$dir/qemu.pid"
    local i
    for i in $(seq 1 100); do
        [ -S "$dir/qmp.sock" ] && [ -S "$dir/hmp.sock" ] && [ -S "$dir/gdb.sock" ] && return 0
        kill -0 "$(cat "$dir/qemu.pid")" 2>/dev/null || { cat "$dir/qemu.log" >&2; return 1; }
        sleep 0.05
    done
    echo "fixture_start: sockets did not appear in $dir" >&2
    return 1
}
