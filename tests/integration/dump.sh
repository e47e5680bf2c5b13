# tests/integration/dump.sh - `hvprobe dump` on a real guest: both methods
# give the image's bytes, virtual == physical with the MMU off, errors
# leave no file behind.
. tests/lib/tap.sh
. tests/lib/qemu.sh
T=$HVP_TEST_TMP/dump
mkdir -p "$T"
trap 'qemu_stop $T/q' EXIT
ELF=$GUESTS/tiny-vbar-vexpress.elf
arm-none-eabi-objcopy -O binary "$ELF" "$T/image.bin"
N=$(stat -c %s "$T/image.bin")
qemu_start "$T/q" vexpress "$ELF"
qemu_wait_serial "$T/q" "handler ran"

OUT=$("$HVPROBE" dump --qmp "unix:$T/q/qmp.sock" 0x60000000 1M -o "$T/qmp.bin"); rc=$?
expect_eq "dump via QMP: exit 0" "$rc" 0
expect_match "dump via QMP: says method, size and sha256" "$OUT" 'qmp.bin: 1048576 bytes at physical 0x60000000 via QMP in .* sha256 [0-9a-f]{64}$'
expect_eq "dump via QMP: 1 MiB written" "$(stat -c %s "$T/qmp.bin")" 1048576
"$HVPROBE" dump -q --gdb "unix:$T/q/gdb.sock" 0x60000000 1M -o "$T/gdb.bin"
expect_eq "dump via the gdbstub: exit 0" "$?" 0
ok_if "QMP and gdbstub dumps are identical" cmp "$T/qmp.bin" "$T/gdb.bin"
ok_if "the dump starts with the loaded image's bytes" cmp -n "$N" "$T/image.bin" "$T/qmp.bin"
"$HVPROBE" dump -q --virt --qmp "unix:$T/q/qmp.sock" 0x60000000 64K -o "$T/virt.bin"
ok_if "virtual dump (MMU off) equals the physical one" cmp "$T/virt.bin" <(head -c 65536 "$T/qmp.bin")
"$HVPROBE" dump -q --method gdb --qmp "unix:$T/q/qmp.sock" --gdb "unix:$T/q/gdb.sock" 0x60000000 4096 -o "$T/m.bin"
expect_eq "--method gdb with both channels: exit 0" "$?" 0
STATE=$("$HVPROBE" capture -q --qmp "unix:$T/q/qmp.sock" -o - | python3 -c 'import json,sys; print(json.load(sys.stdin)["backend"]["run_state"])')
expect_eq "the guest runs again after the dumps" "$STATE" running

ERR=$("$HVPROBE" dump --virt --gdb "unix:$T/q/gdb.sock" 0xfff00000 8K -o "$T/bad.bin" 2>&1); rc=$?
expect_eq "unreadable range via the gdbstub: exit 3" "$rc" 3
expect_match "unreadable range: names the address" "$ERR" 'memory at 0xfff00000 cannot be read'
expect_eq "unreadable range: no file, no temp file" "$(ls "$T" | grep -c -e '^bad.bin$' -e '^\.hvprobe-dump')" 0
ERR=$("$HVPROBE" dump --qmp "unix:$T/q/qmp.sock" 0x60000000 4K -o "$T/nodir/x.bin" 2>&1); rc=$?
expect_eq "missing output directory: exit 5" "$rc" 5
ERR=$("$HVPROBE" dump --qmp "unix:$T/q/qmp.sock" 0x60000000 zero -o "$T/x.bin" 2>&1); rc=$?
expect_eq "bad length: exit 2" "$rc" 2
ERR=$("$HVPROBE" dump 0x0 16 -o "$T/x.bin" 2>&1); rc=$?
expect_eq "no channel: exit 2" "$rc" 2
done_testing
