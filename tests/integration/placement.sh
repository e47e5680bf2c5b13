# tests/integration/placement.sh - "the image is not running where it was
# linked": a bare-metal guest linked at RAM base, given to QEMU's -kernel
# as a raw binary, which QEMU places at RAM base + 0x10000 as it would a
# Linux zImage.  capture --elf compares the ELF's segments with guest
# memory; compare names the shift first, with the fix.  The same guest
# given as its ELF is intact, and the rule stays silent.
. tests/lib/tap.sh
. tests/lib/qemu.sh
. tests/lib/json.sh
T=$HVP_TEST_TMP/placement
mkdir -p "$T"
stop_all() { local d; for d in "$T"/*/; do [ -d "$d" ] && qemu_stop "${d%/}"; done; }
trap stop_all EXIT

for B in virt vexpress; do
    ELF=$GUESTS/tiny-vbar-$B.elf
    arm-none-eabi-objcopy -O binary "$ELF" "$T/tiny-vbar-$B.bin"
    LINK=$(arm-none-eabi-readelf -l "$ELF" | awk '/LOAD/ {print $4; exit}')
    # As a raw binary: QEMU's -kernel puts it 0x10000 above its link address.
    qemu_start "$T/raw-$B" "$B" "$T/tiny-vbar-$B.bin"
    sleep 1
    expect_eq "raw/$B: ground truth: the guest prints nothing (its strings are where it was linked)" \
        "$(cat "$T/raw-$B/serial.txt")" ""
    "$HVPROBE" capture -q --qmp "unix:$T/raw-$B/qmp.sock" --gdb "unix:$T/raw-$B/gdb.sock" --elf "$ELF" \
        --label raw-$B -o "$T/raw-$B.json"
    expect_eq "raw/$B: captured" "$?" 0
    qemu_stop "$T/raw-$B"
    expect_eq "raw/$B: the image's first bytes are in memory 0x10000 above the link address" \
        "$(jget "$T/raw-$B.json" '[m["bytes"][:16] for m in d["memory"] if m["purpose"] == "image-segment:0+0x10000"][0]')" \
        "$(od -An -tx1 -N8 "$T/tiny-vbar-$B.bin" | tr -d ' \n')"
    OUT=$("$HVPROBE" compare -v "$T/raw-$B.json" 2>&1)
    expect_match "raw/$B: compare names the shift first" \
        "$(printf '%s\n' "$OUT" | sed -n '/Most likely root cause/{n;p;}')" \
        "raw-$B: the image is not running where it was linked: the segment linked at $LINK is in guest memory 0x10000 higher \\(QEMU's -kernel places a raw binary at RAM base \\+ 0x10000"
    expect_match "raw/$B: the fix says how to load it" "$OUT" \
        "raw-$B: load the image where it was linked: give QEMU the ELF .*--load-addr $LINK\\), or link it at"
    expect_eq "raw/$B: no fix tells it to point VBAR at the table it already points at" \
        "$(printf '%s\n' "$OUT" | grep -c 'write it to VBAR')" 0

    # The same guest as its ELF: loaded as linked, nothing said.
    qemu_start "$T/elf-$B" "$B" "$ELF"
    qemu_wait_serial "$T/elf-$B" "tiny: back from svc" 5
    "$HVPROBE" capture -q --qmp "unix:$T/elf-$B/qmp.sock" --gdb "unix:$T/elf-$B/gdb.sock" --elf "$ELF" \
        --label elf-$B -o "$T/elf-$B.json"
    qemu_stop "$T/elf-$B"
    OUT=$("$HVPROBE" compare -v "$T/elf-$B.json" --expect "elf-$B:svc=valid" 2>&1)
    expect_eq "elf/$B: loaded as linked: svc valid" "$?" 0
    expect_eq "elf/$B: and no placement finding" "$(printf '%s\n' "$OUT" | grep -c 'not running where it was linked')" 0
done
done_testing
