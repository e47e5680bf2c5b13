# tests/integration/linux.sh - Linux images run as Linux: `hvprobe run`
# recognises a zImage (magic at 0x24) or uImage and boots it with QEMU's
# Linux boot protocol, passing --dtb, --append and --initrd through, under
# tcg and kvm-nested.  The guest (guests/zimage/) is a real zImage-format
# image: it reports over its UART the boot registers, what r2 points at and
# the hvpmark= value from the command line, so each check is the guest's
# own word.  Bad input gets a sentence and exit 2.
#
# Opt-in, a kernel nobody here wrote: HVP_LINUX_ZIMAGE=vmlinuz (e.g. from
# Debian's linux-image-armmp) and HVP_LINUX_DTB=vexpress-v2p-ca9.dtb boot
# it under vexpress-a9 and check that every vector is valid.
. tests/lib/tap.sh
. tests/lib/json.sh
T=$HVP_TEST_TMP/linux
mkdir -p "$T"
export TMPDIR=$T
trap 'pkill -KILL -f "qemu-system.*$T" 2>/dev/null' EXIT
rundirs() { find "$T" -maxdepth 1 -name 'hvprobe-*' | wc -l; }

# ---- the command line
Z=$GUESTS/zimage-virt.bin
CMD=$("$HVPROBE" run "$Z" --machine virt --append 'console=ttyAMA0 hvpmark=a,b' --dry-run); rc=$?
expect_eq "a zImage: dry-run exits 0 (no --load-addr needed)" "$rc" 0
expect_match "a zImage boots with -kernel and the command line" "$CMD" "-kernel $Z -append 'console=ttyAMA0 hvpmark=a,b'"
printf 'initrd' >"$T/initrd.img"
CMD=$("$HVPROBE" run "$Z" --machine virt --initrd "$T/initrd.img" --dtb "$T/initrd.img" --dry-run)
expect_match "--dtb and --initrd pass through" "$CMD" "-kernel $Z -dtb $T/initrd.img -initrd $T/initrd.img"
CMD=$("$HVPROBE" run "$Z" --machine virt --load-addr 0x40010000 --dry-run)
expect_match "--load-addr: the zImage is loaded raw, not booted as Linux" "$CMD" \
    "-device loader,file=$Z,addr=0x40010000,force-raw=on -device loader,addr=0x40010000,cpu-num=0"
# A uImage (U-Boot legacy header, magic 0x27051956) is a Linux image too.
python3 - "$T/uImage" <<'EOF'
import struct, sys
hdr = struct.pack(">IIIIIIIBBBB32s", 0x27051956, 0, 0, 16, 0x40008000, 0x40008000, 0, 5, 2, 2, 0, b"test")
open(sys.argv[1], "wb").write(hdr + b"\0" * 16)
EOF
CMD=$("$HVPROBE" run "$T/uImage" --machine virt --append x --dry-run)
expect_match "a uImage boots with -kernel too" "$CMD" "-kernel $T/uImage -append x"

# ---- bad input: one sentence, exit 2, nothing left behind
ERR=$("$HVPROBE" run "$GUESTS/tiny-vbar-virt.elf" --machine virt --dtb "$T/initrd.img" --dry-run 2>&1); rc=$?
expect_eq "--dtb with an ELF guest: exit 2" "$rc" 2
expect_match "... says why" "$ERR" "--dtb is for a Linux image booted as Linux .*an ELF file, which QEMU enters at its ELF entry"
ERR=$("$HVPROBE" run "$Z" --machine virt --dtb "$T/missing.dtb" --dry-run 2>&1); rc=$?
expect_eq "a --dtb that does not exist: exit 2" "$rc" 2
expect_match "... names it" "$ERR" "cannot read --dtb '$T/missing.dtb'"
python3 -c 'import sys; open(sys.argv[1], "wb").write(b"\0" * 0x38 + b"ARM\x64" + b"\0" * 8)' "$T/Image"
CMD=$("$HVPROBE" run "$T/Image" --append x --dry-run 2>&1); rc=$?
expect_eq "an arm64 Image under tcg: dry-run exits 0" "$rc" 0
expect_match "... booted as Linux on qemu-system-aarch64 -M virt -cpu cortex-a57" "$CMD" \
    "qemu-system-aarch64 .*-M virt -cpu cortex-a57 .*-kernel $T/Image -append x"
ERR=$("$HVPROBE" run "$T/Image" --backend kvm --dry-run 2>&1); rc=$?
expect_eq "an arm64 Image under kvm (32-bit guests only): exit 7" "$rc" 7
expect_match "... says it is AArch64 and what to use instead" "$ERR" "is an AArch64 image: the kvm backend runs 32-bit guests only"
ERR=$("$HVPROBE" run "$Z" --backend fixture --dry-run 2>&1); rc=$?
expect_eq "a zImage under the fixture: exit 2" "$rc" 2
expect_match "... says why and where to run it" "$ERR" "the fixture backend needs an ELF guest image .*without the Linux boot protocol.*tcg, kvm or kvm-nested"
ERR=$("$HVPROBE" run "$Z" --machine virt --elf "$Z" --dry-run 2>&1); rc=$?
expect_eq "--elf that is not an ELF: exit 2" "$rc" 2
expect_match "... says what it is" "$ERR" "--elf '$Z' is a Linux zImage, not the guest's ELF file"
expect_eq "no runtime directory left by any of them" "$(rundirs)" 0

# ---- the guest's own word: tcg virt (QEMU's device tree)
OUT=$(timeout 60 "$HVPROBE" run "$Z" --machine virt --append 'console=ttyAMA0 hvpmark=from-append' \
    --elf "$GUESTS/zimage-virt.elf" --capture "$T/virt.json" --at-serial 'back from svc' --label zimage-virt \
    --serial "$T/virt.txt" 2>"$T/virt.err"); rc=$?
expect_eq "virt: booted as Linux and captured (exit 0)" "$rc" 0
S=$(cat "$T/virt.txt")
expect_match "virt: entered with r0=0, r1=0xffffffff (no board id), r2 the device tree" "$S" \
    '^zimage: boot r0=00000000 r1=ffffffff r2=4[0-9a-f]{7}$'
expect_match "virt: r2 points at a device tree" "$S" '^zimage: device tree at r2$'
expect_match "virt: --append reached the guest's command line" "$S" '^zimage: hvpmark=from-append$'
expect_match "virt: a Cortex-A15, so the guest chose its BHB-mitigated table (as Linux does)" "$S" '^zimage: cpu part c0f: vectors_bhb$'
expect_match "virt: the handler ran" "$S" '^svc: bhb handler ran$'
OUT=$("$HVPROBE" compare -v "$T/virt.json" --expect zimage-virt:svc=valid); rc=$?
expect_eq "virt: svc=valid" "$rc" 0
expect_match "virt: --elf gives the handler's symbol" "$OUT" 'zimage-virt svc 0xea[0-9a-f]{6}: valid: branches to 0x40010[0-9a-f]{3} \(svc_handler_bhb\+0x0\)'
expect_match "virt: the vector base is the image's second table (RAM base + 0x10000 + 0x60)" "$OUT" 'vector base +0x40010060 VBAR'
ok_if "virt: the snapshot validates" tests/lib/validate-snapshot "$T/virt.json"

# ---- vexpress-a9: no device tree from QEMU, so ATAGS (and a warning)
timeout 60 "$HVPROBE" run "$GUESTS/zimage-vexpress.bin" --append 'hvpmark=atags' --elf "$GUESTS/zimage-vexpress.elf" \
    --capture "$T/vex.json" --at-serial 'back from svc' --serial "$T/vex.txt" 2>"$T/vex.err"; rc=$?
expect_eq "vexpress-a9: booted as Linux and captured (exit 0)" "$rc" 0
S=$(cat "$T/vex.txt")
expect_match "vexpress-a9: r1 is the board's machine type (0x8e0), r2 the ATAGS at RAM + 0x100" "$S" \
    '^zimage: boot r0=00000000 r1=000008e0 r2=60000100$'
expect_match "vexpress-a9: r2 points at ATAGS" "$S" '^zimage: ATAGS at r2$'
expect_match "vexpress-a9: --append reached the ATAGS command line" "$S" '^zimage: hvpmark=atags$'
expect_match "vexpress-a9 without --dtb: warned that a multiplatform kernel needs one" "$(cat "$T/vex.err")" \
    'warning: .*zimage-vexpress.bin is a Linux zImage and no --dtb is given: QEMU boots vexpress-a9 with ATAGS'
expect_match "vexpress-a9: a Cortex-A9, so the plain table" "$S" '^zimage: cpu part c09: vectors$'
expect_match "vexpress-a9: the plain handler ran" "$S" '^svc: handler ran$'
"$HVPROBE" compare --expect tcg-vexpress-a9:svc=valid "$T/vex.json" >/dev/null
expect_eq "vexpress-a9: svc=valid" "$?" 0

# The same image, valid vectors on both boards, but different SVC
# handlers: compare says so, instead of "nothing differs".
OUT=$("$HVPROBE" compare "$T/virt.json" "$T/vex.json"); rc=$?
expect_eq "virt vs vexpress-a9: compared (exit 0)" "$rc" 0
expect_match "the cause: the guest installed a different handler under each" "$OUT" \
    'every snapshot routes SVC to a handler, but not to the same one: zimage-virt to svc_handler_bhb\+0x0 \(0x40010[0-9a-f]{3}\), tcg-vexpress-a9 to svc_handler\+0x0 \(0x60010[0-9a-f]{3}\)'
expect_match "... and points at the machine and CPU each found" "$OUT" \
    'zimage-virt on virt-[0-9.]+ cortex-a15, tcg-vexpress-a9 on vexpress-a9 cortex-a9'

# ---- real KVM (kvm-nested): the image, --append and --initrd travel into the host
timeout 300 "$HVPROBE" run "$Z" --backend kvm-nested --append 'hvpmark=under-kvm' --initrd "$T/initrd.img" \
    --elf "$GUESTS/zimage-virt.elf" --capture "$T/kvm.json" --at-serial 'back from svc' --label zimage-kvm \
    --serial "$T/kvm.txt" -q; rc=$?
expect_eq "kvm-nested: booted as Linux under KVM and captured (exit 0)" "$rc" 0
expect_match "kvm-nested: --append reached the guest" "$(cat "$T/kvm.txt")" '^zimage: hvpmark=under-kvm'
expect_match "kvm-nested: the host's Cortex-A57 gets the BHB table" "$(cat "$T/kvm.txt")" '^zimage: cpu part d07: vectors_bhb'
expect_eq "kvm-nested: accelerator kvm" "$(jget "$T/kvm.json" 'd["backend"]["accelerator"]')" kvm
OUT=$("$HVPROBE" compare --expect zimage-kvm:svc=valid --expect zimage-virt:svc=valid "$T/kvm.json" "$T/virt.json"); rc=$?
expect_eq "kvm-nested and tcg: svc=valid in both" "$rc" 0
expect_match "the same handler under both: nothing differs in the vectors" "$OUT" \
    'every snapshot routes SVC to a handler: the exception vectors are not what differs'
expect_eq "no runtime directory left" "$(rundirs)" 0

# ---- opt-in: a Linux kernel nobody here wrote
if [ -n "${HVP_LINUX_ZIMAGE:-}" ]; then
    printf 'TRAILER!!!' >"$T/empty.cpio"
    timeout 180 "$HVPROBE" run "$HVP_LINUX_ZIMAGE" --machine vexpress-a9 ${HVP_LINUX_DTB:+--dtb "$HVP_LINUX_DTB"} \
        --append 'console=ttyAMA0' --capture "$T/kernel.json" --label kernel \
        --at-serial "${HVP_LINUX_TRIGGER:-Unable to mount root fs}" --serial "$T/kernel.txt" -q; rc=$?
    expect_eq "HVP_LINUX_ZIMAGE: booted and captured (exit 0)" "$rc" 0
    expect_match "the kernel saw its command line" "$(cat "$T/kernel.txt")" 'Kernel command line: console=ttyAMA0'
    OUT=$("$HVPROBE" compare "$T/kernel.json" --expect kernel:svc=valid --expect kernel:undef=valid \
        --expect kernel:irq=valid --expect kernel:pabt=valid --expect kernel:dabt=valid); rc=$?
    expect_eq "the kernel's svc, undef, irq, pabt and dabt vectors are valid" "$rc" 0
    expect_match "high vectors (Linux's vector page)" "$OUT" 'vector base +0xffff0000 high'
fi
done_testing
