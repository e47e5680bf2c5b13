# tests/lib/qemu.sh - start and stop a real QEMU for tests (source me).
#
#   qemu_start DIR BOARD ELF [EXTRA-QEMU-ARGS...]
#       BOARD: vexpress (vexpress-a9) | virt (virt, cortex-a15)
#       Starts qemu-system-arm in the background with QMP, HMP and the
#       gdbstub on unix sockets inside DIR (created 0700), serial output
#       to DIR/serial.txt, pid in DIR/qemu.pid.  Waits for the sockets.
#   qemu_stop DIR      kill that QEMU and wait for it.
#   qemu_wait_serial DIR TEXT [SECONDS]   wait until serial.txt has TEXT.

qemu_board_args() {
    case "$1" in
        vexpress) echo "-M vexpress-a9" ;;
        virt)     echo "-M virt -cpu cortex-a15" ;;
        *) echo "unknown board $1" >&2; return 1 ;;
    esac
}

qemu_start() {
    local dir=$1 board=$2 elf=$3; shift 3
    mkdir -p "$dir" && chmod 700 "$dir"
    rm -f "$dir"/*.sock "$dir/serial.txt"
    # shellcheck disable=SC2046
    QEMU_AUDIO_DRV=none qemu-system-arm $(qemu_board_args "$board") \
        -nodefaults -display none -m 128M \
        -serial "file:$dir/serial.txt" -kernel "$elf" \
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
    echo "qemu_start: sockets did not appear in $dir" >&2
    return 1
}

qemu_wait_serial() {
    local dir=$1 text=$2 secs=${3:-5} i
    for i in $(seq 1 $((secs * 20))); do
        grep -qF "$text" "$dir/serial.txt" 2>/dev/null && return 0
        sleep 0.05
    done
    return 1
}

qemu_stop() {
    local dir=$1 pid
    pid=$(cat "$dir/qemu.pid" 2>/dev/null) || return 0
    kill "$pid" 2>/dev/null
    local i
    for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    kill -9 "$pid" 2>/dev/null
    rm -f "$dir/qemu.pid"
}

# free_port: a TCP port on 127.0.0.1 nobody listens on right now (so two
# test runs, or two worktrees, never fight over a fixed number).
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
