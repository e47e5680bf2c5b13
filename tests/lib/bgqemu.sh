# tests/lib/bgqemu.sh - a QEMU in the background for tests that drive it
# themselves (source me).  Its files live in a private 0700 directory DIR:
# the caller's command line puts the UART in DIR/serial.txt and the
# gdbstub on DIR/gdb.sock.
#   bg_start DIR CMD...  run CMD (a QEMU, or a script that execs one) under
#                        `timeout 30`, its output in DIR/qemu.log, the pid of
#                        `timeout` in DIR/qemu.pid; wait for DIR/gdb.sock
#   bg_stop DIR          TERM to `timeout` (it passes it on to QEMU), then
#                        KILL to both if they are still there after 5 s
bg_start() {
    local dir=$1; shift
    mkdir -p "$dir" && chmod 700 "$dir"
    rm -f "$dir/gdb.sock" "$dir/serial.txt"
    QEMU_AUDIO_DRV=none timeout 30 "$@" >"$dir/qemu.log" 2>&1 &
    echo $! >"$dir/qemu.pid"
    for _ in $(seq 1 100); do
        [ -S "$dir/gdb.sock" ] && return 0
        kill -0 "$(cat "$dir/qemu.pid")" 2>/dev/null || { cat "$dir/qemu.log" >&2; return 1; }
        sleep 0.05
    done
    echo "bg_start: no gdb socket in $dir" >&2
    return 1
}

bg_stop() {
    local dir=$1 pid qpid
    pid=$(cat "$dir/qemu.pid" 2>/dev/null) || return 0
    qpid=$(pgrep -P "$pid" 2>/dev/null)
    kill "$pid" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    kill -9 ${qpid:+"$qpid"} "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    rm -f "$dir/qemu.pid"
}
