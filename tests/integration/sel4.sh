# tests/integration/sel4.sh - the sel4 backend.  Without a seL4 image: the
# image checks (not a seL4 image, wrong architecture) and the guest-trap
# trigger's refusal under a backend without one.  With HVP_SEL4_IMAGE (the
# user's real system; .ci/run sets it when ../shared/sel4 holds it): run it,
# capture the guest at the trap the VMM reports, and check what the user
# would see.
. tests/lib/tap.sh
. tests/lib/json.sh
T=$HVP_TEST_TMP/sel4
mkdir -p "$T"
export TMPDIR=$T

OUT=$("$HVPROBE" run "$GUESTS/tiny-vbar-virt.elf" --backend sel4 --dry-run 2>&1); rc=$?
expect_eq "a guest ELF is not a seL4 image: exit 2" "$rc" 2
expect_match "it says so" "$OUT" "is not a seL4 system image: it holds no archive with kernel.elf"
OUT=$("$HVPROBE" run /etc/hostname --backend sel4 --dry-run 2>&1); rc=$?
expect_eq "a text file: exit 2" "$rc" 2
expect_match "not an ELF file" "$OUT" "not a seL4 system image: not an ELF file"
# Images that look like seL4's but are not for this backend: an ELF header
# and a newc archive with kernel.elf (and a DTB), written here.
mkimg() {   # mkimg FILE CLASS(32|64) MACHINE DTB-COMPATIBLE
    python3 - "$@" <<'PY'
import struct, sys
path, cls, mach, compat = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4].encode()
def entry(name, data):
    n = name.encode() + b"\0"
    h = b"070701" + b"".join(b"%08X" % v for v in (1, 0o100644, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(n), 0))
    b = h + n
    b += b"\0" * (-len(b) % 4) + data
    return b + b"\0" * (-len(b) % 4)
ident = b"\x7fELF" + bytes([2 if cls == 64 else 1, 1, 1]) + b"\0" * 9
hdr = ident + struct.pack("<HHI", 2, mach, 1) + b"\0" * (64 - 24)
dtb = b"\xd0\x0d\xfe\xed" + b"\0" * 60 + compat + b"\0arm,cortex-a15\0"
open(path, "wb").write(hdr + entry("kernel.elf", b"\x7fELF") + entry("kernel.dtb", dtb) + entry("TRAILER!!!", b""))
PY
}
mkimg "$T/a64.img" 64 183 linux,dummy-virt
OUT=$("$HVPROBE" run "$T/a64.img" --backend sel4 --dry-run 2>&1); rc=$?
expect_eq "a seL4 image for AArch64: exit 7 (the architecture does not fit)" "$rc" 7
expect_match "it says so" "$OUT" "is a seL4 image for AArch64: the sel4 backend runs 32-bit ARM \\(arm_hyp\\) images"
mkimg "$T/imx.img" 32 40 fsl,imx6q
OUT=$("$HVPROBE" run "$T/imx.img" --backend sel4 --dry-run 2>&1); rc=$?
expect_eq "a seL4 image for another platform: exit 2" "$rc" 2
expect_match "it says so" "$OUT" "is a seL4 image for another platform .*the sel4 backend runs qemu-arm-virt images"
expect_eq "nothing left behind by refused plans" "$(find "$T" -maxdepth 1 -name 'hvprobe-*' | wc -l)" 0
OUT=$("$HVPROBE" check --list)
expect_match "check --list names sel4" "$OUT" "sel4"
OUT=$("$HVPROBE" run --help)
expect_match "run --help describes the sel4 backend from the registry" "$OUT" "  sel4       a seL4 system image"
OUT=$(timeout 30 "$HVPROBE" run "$GUESTS/tiny-vbar-virt.elf" --machine virt --capture "$T/x.json" --at-guest-trap 2>&1); rc=$?
expect_eq "--at-guest-trap under tcg: exit 3" "$rc" 3
expect_match "it says which backends have it" "$OUT" "guest-trap triggers run under sel4"
ok_if "no snapshot written" test ! -e "$T/x.json"

OUT=$("$HVPROBE" run "$GUESTS/tiny-vbar-virt.elf" --machine virt --capture "$T/x.json" --at-guest-trap=bogus 2>&1); rc=$?
expect_eq "--at-guest-trap with an unknown kind: exit 2" "$rc" 2
expect_match "it lists the kinds" "$OUT" "unknown guest trap 'bogus' \\(fault, prefetch-abort, data-abort, hvc, wfi or any\\)"
OUT=$(timeout 30 "$HVPROBE" run "$GUESTS/tiny-vbar-virt.elf" --machine virt --capture "$T/x.json" --at-serial 'never printed' --timeout 1.5 2>&1); rc=$?
expect_eq "a trigger that never fires: exit 6" "$rc" 6
expect_match "one sentence says so" "$OUT" "the trigger did not fire within 1.5 s"
ok_if "nothing written" test ! -e "$T/x.json"
expect_eq "no runtime directory left" "$(find "$T" -maxdepth 1 -name 'hvprobe-*' | wc -l)" 0

# guests/sel4-vbar, the guest of the seL4 variant: it sets VBAR to its own
# table and reads IPA 0.  Under TCG the read succeeds (flash is there).
timeout 30 "$HVPROBE" run "$GUESTS/sel4-vbar-virt.elf" --machine virt --capture "$T/v.json" --at-serial 'read ok' -q; rc=$?
expect_eq "sel4-vbar under tcg virt reaches 'read ok'" "$rc" 0
expect_eq "its VBAR is its own table" "$(jget "$T/v.json" 'd["cp15"]["VBAR"]')" 0x400000a0
OUT=$(timeout 30 "$HVPROBE" run "$GUESTS/sel4-vbar-virt.elf" --backend fixture 2>/dev/null | head -20)
expect_match "under the fixture the read of IPA 0 is reported as seL4 reports it" "$OUT" \
    'Pagefault from \[vm0\]: read fault @ PC: 0x40000030 IPA: 0x0'

# The same path against the stage-2 fixture (no seL4 needed): it reports
# faults in the VMM's words and calls vmm_trap_recorded() at each trap.
timeout 30 "$HVPROBE" run "$GUESTS/sel4-vbar-virt.elf" --backend fixture --capture "$T/f.json" >/dev/null 2>"$T/err"; rc=$?
expect_eq "fixture: --capture alone captures at the reported trap: exit 0" "$rc" 0
expect_eq "fixture: context guest-trap, data abort at guest PC 0x40000030, IPA 0" \
    "$(jget "$T/f.json" '" ".join([d["context"]["kind"], d["context"]["trap"], d["context"]["guest_registers"]["pc"], hex(int(d["context"]["ipa"], 16))])')" \
    "guest-trap data-abort 0x40000030 0x0"
expect_match "fixture: the report line is kept" "$(jget "$T/f.json" 'd["context"]["report"]')" \
    '^Pagefault from \[vm0\]: read fault @ PC: 0x40000030 IPA: 0x0'
expect_eq "fixture: the guest's VBAR is its table" "$(jget "$T/f.json" 'd["cp15"]["VBAR"]')" 0x400000a0
OUT=$("$HVPROBE" compare -v "$T/f.json" --expect 'fixture-virt:svc=valid' 2>&1); rc=$?
expect_eq "fixture: its svc vector is valid" "$rc" 0
expect_match "so the cause named is the reported fault, not the vectors" "$OUT" \
    "fixture-virt: the vectors are not what stopped the guest: its data-abort at pc 0x40000030 \\(IPA 0x0\\) is the fault the hypervisor reported; the fixture's stage 2 maps"
timeout 30 "$HVPROBE" run "$GUESTS/tiny-low-virt.elf" --backend fixture --capture "$T/fl.json" -q; rc=$?
expect_eq "fixture, tiny-low: exit 0" "$rc" 0
expect_eq "fixture, tiny-low: the prefetch abort at guest PC 0x8, in SVC mode" \
    "$(jget "$T/fl.json" 'd["context"]["trap"] + " " + d["context"]["guest_registers"]["pc"] + " " + hex(int(d["context"]["guest_registers"]["cpsr"], 16) & 0x1f)')" \
    "prefetch-abort 0x00000008 0x13"
OUT=$("$HVPROBE" compare -v "$T/fl.json" --expect 'fixture-virt:svc=unmapped' 2>&1); rc=$?
expect_eq "fixture, tiny-low: svc unmapped" "$rc" 0
timeout 30 "$HVPROBE" run "$GUESTS/hyp-probe-hvc-virt.elf" --backend fixture --capture "$T/fh.json" --at-guest-trap hvc -q; rc=$?
expect_eq "fixture: --at-guest-trap hvc: exit 0" "$rc" 0
expect_eq "fixture: the trap is the HVC (HSR.EC 0x12)" \
    "$(jget "$T/fh.json" 'd["context"]["trap"] + " " + hex(int(d["context"]["syndrome"], 16) >> 26)')" "hvc 0x12"

# A system whose guest never faults: the trigger times out with one
# sentence, exit 6, no snapshot, no QEMU left.
OUT=$(timeout 30 "$HVPROBE" run "$GUESTS/tiny-vbar-virt.elf" --backend fixture --capture "$T/nf.json" --timeout 2 -q 2>&1); rc=$?
expect_eq "fixture, a guest that never faults: exit 6" "$rc" 6
expect_match "it says no reported trap came" "$OUT" \
    "^hvprobe run: no fault trap of the guest that the hypervisor reported within 2.0 s \\(0 guest traps seen\\)"
ok_if "no snapshot written" test ! -e "$T/nf.json"
expect_eq "no runtime directory left" "$(find "$T" -maxdepth 1 -name 'hvprobe-*' | wc -l)" 0
OUT=$(timeout 30 "$HVPROBE" run "$GUESTS/tiny-low-virt.elf" --backend fixture --capture "$T/nf.json" --serial /dev/null 2>&1); rc=$?
expect_eq "--serial to a non-file with a trigger that reads it back: exit 2" "$rc" 2
expect_match "it says why" "$OUT" "the trigger waits for text in the serial output, which goes to /dev/null"

# The fixture's seL4-like mode (fixture.h FIXTURE_SEL4_LIKE): the UART is
# mapped on demand (a trap resolved before the reported one), and after the
# report a VMM thread runs with HCR.TGE=1 whose SVCs enter the same Hyp
# vector.  The capture must be the reported trap, not the resolved one.
SEL4LIKE="-device loader,addr=0x48000004,data=1,data-len=4"
timeout 30 "$HVPROBE" run "$GUESTS/sel4-vbar-virt.elf" --backend fixture --capture "$T/fs.json" -- $SEL4LIKE >"$T/out" 2>"$T/err"; rc=$?
expect_eq "seL4-like fixture: exit 0" "$rc" 0
expect_match "it resolved the UART trap on demand first" "$(cat "$T/out")" "OnDemandInstall: Created device-backed memory for addr 0x9000000"
expect_match "hvprobe saw that trap and kept going" "$(cat "$T/err")" "guest data-abort at pc 0x[0-9a-f]+ \\(IPA 0x9000000"
expect_eq "the snapshot is the reported trap: IPA 0, guest PC 0x40000030" \
    "$(jget "$T/fs.json" 'hex(int(d["context"]["ipa"], 16)) + " " + d["context"]["guest_registers"]["pc"]')" "0x0 0x40000030"
expect_eq "it records the trap resolved before, with the hypervisor's line" \
    "$(jget "$T/fs.json" '"|".join(hex(int(t["ipa"], 16)) + " " + t["trap"] + " " + str(t["resolved_by"]) for t in d["context"]["earlier_traps"])')" \
    "0x9000000 data-abort OnDemandInstall: Created device-backed memory for addr 0x9000000"
expect_match "and what the fixture does with such faults" "$(jget "$T/fs.json" 'd["context"]["policy"]')" \
    "the UART page on demand, as this run shows.*IPA 0x0 here"
OUT=$("$HVPROBE" compare -v "$T/fs.json" 2>&1)
expect_match "compare shows the faulting IPA's own stage-2 walk (not the vector's)" "$OUT" \
    "the faulting IPA in the hypervisor's stage 2 at the trap: IPA 0x0: translation fault"
expect_match "and the trap resolved before it" "$OUT" \
    "resolved by the hypervisor before this trap \\(1\\): IPA 0x9000000 \\(data-abort, pc 0x[0-9a-f]+\\): Created device-backed memory"
expect_eq "the plain fixture resolves nothing: no earlier traps recorded" \
    "$(jget "$T/f.json" 'len(d["context"].get("earlier_traps", []))')" 0
# After the report, attached the user's original way: a hypervisor thread.
timeout 30 "$HVPROBE" run "$GUESTS/tiny-low-virt.elf" --backend fixture --capture "$T/fl2.json" --after 1.5 -q -- $SEL4LIKE; rc=$?
expect_eq "seL4-like fixture, captured after the report: exit 0" "$rc" 0
expect_eq "HCR.TGE=1 there (the VMM thread's)" "$(jget "$T/fl2.json" 'hex((int(d["cp15"]["HCR"], 16) >> 27) & 1)')" 0x1
expect_eq "the snapshot says it holds a hypervisor thread" "$(jget "$T/fl2.json" 'd["context"]["kind"]')" hypervisor-thread
OUT=$("$HVPROBE" compare -v "$T/fl2.json" 2>&1)
expect_match "compare concludes nothing about the guest from it" "$OUT" \
    "cannot conclude for fixture-virt: it was captured in one of the hypervisor's own threads \\(HCR.TGE=1\\), not in the guest"
expect_eq "and does not claim a verdict for the guest's svc" "$(printf '%s\n' "$OUT" | grep -c 'every snapshot routes SVC to a handler')" 0

# A variant of the user's system with guests/sel4-vbar inside (built from
# the public sources, see ../shared/sel4/BUILD.md), when one is named.
if [ -n "${HVP_SEL4_VARIANT_IMAGE:-}" ]; then
    timeout 120 "$HVPROBE" run "$HVP_SEL4_VARIANT_IMAGE" --backend sel4 --capture "$T/var.json" -q; rc=$?
    expect_eq "variant: exit 0" "$rc" 0
    expect_eq "variant: data abort at guest PC 0x40000030, IPA 0, VBAR 0x400000a0" \
        "$(jget "$T/var.json" '" ".join([d["context"]["trap"], d["context"]["guest_registers"]["pc"], hex(int(d["context"]["ipa"], 16)), d["cp15"]["VBAR"]])')" \
        "data-abort 0x40000030 0x0 0x400000a0"
    OUT=$("$HVPROBE" compare -v "$T/var.json" --expect 'sel4-virt:svc=valid' 2>&1); rc=$?
    expect_eq "variant: its svc vector is valid" "$rc" 0
    expect_match "variant: the cause is its read of IPA 0, in the page the VMM never maps" "$OUT" \
        "sel4-virt: the vectors are not what stopped the guest: its data-abort at pc 0x40000030 \\(IPA 0x0\\) is the fault the hypervisor reported; .* except page 0; IPA 0x0 is in page 0"
else
    echo "# HVP_SEL4_VARIANT_IMAGE is not set: the seL4 variant with guests/sel4-vbar was not run"
fi

if [ -z "${HVP_SEL4_IMAGE:-}" ]; then
    echo "# HVP_SEL4_IMAGE is not set: the real seL4 system was not run"
    done_testing
    exit 0
fi
IMG=$HVP_SEL4_IMAGE
OUT=$("$HVPROBE" run "$IMG" --backend sel4 --dry-run 2>&1)
expect_match "the QEMU line is seL4's for qemu-arm-virt (read from the image)" "$OUT" \
    '-M virt,virtualization=on,highmem=off,secure=off -cpu cortex-a15 -m 2048M .*-kernel '
timeout 120 "$HVPROBE" run "$IMG" --backend sel4 --capture "$T/sel4.json" >"$T/out" 2>"$T/err"; rc=$?
expect_eq "run --backend sel4 --capture: exit 0" "$rc" 0
expect_match "the VMM's report is quoted" "$(cat "$T/err")" 'the hypervisor reported: Pagefault from \[vm0\]: read prefetch fault @ PC: 0x8 IPA: 0x8'
expect_match "the guest's traps it resolved came first" "$(cat "$T/err")" 'guest data-abort at pc .*IPA 0x9000000'
expect_eq "context: the guest at a trap" "$(jget "$T/sel4.json" 'd["context"]["kind"]')" guest-trap
expect_eq "the trap is a prefetch abort" "$(jget "$T/sel4.json" 'd["context"]["trap"]')" prefetch-abort
expect_eq "guest PC 0x8 (from seL4's TCB)" "$(jget "$T/sel4.json" 'd["context"]["guest_registers"]["pc"]')" 0x00000008
expect_eq "guest mode SVC" "$(jget "$T/sel4.json" 'hex(int(d["context"]["guest_registers"]["cpsr"],16) & 0x1f)')" 0x13
expect_eq "IPA 0x8" "$(jget "$T/sel4.json" 'int(d["context"]["ipa"],16)')" 8
expect_eq "guest VBAR 0" "$(jget "$T/sel4.json" 'd["cp15"]["VBAR"]')" 0x00000000
expect_eq "the CPU stopped in Hyp mode at the kernel's handler" "$(jget "$T/sel4.json" 'd["cpu"]["cpsr"]["mode"]')" hyp32
OUT=$("$HVPROBE" compare -v "$T/sel4.json" --expect 'sel4-virt:svc=unmapped' 2>&1); rc=$?
expect_eq "compare: svc unmapped (expectation holds)" "$rc" 0
expect_match "for the right reason: the guest's stage 2 has nothing at IPA 0x8" "$OUT" \
    'svc: unmapped: the guest cannot fetch VA 0x8: stage 2: IPA 0x8: translation fault'
expect_match "compare tells where it was captured and what the VMM said" "$OUT" \
    "captured at the guest's prefetch-abort to its hypervisor: guest PC 0x00000008, svc32 mode \\(CPSR 0x60000093\\), IPA 0x8; the hypervisor reported: Pagefault from"
expect_eq "no fix names the system image's own vector table (it is not the guest's)" \
    "$(printf '%s\n' "$OUT" | grep -c 'arm_vector_table')" 0
expect_eq "the traps the VMM resolved before: the UART page, then the GIC's, each with its OnDemandInstall line" \
    "$(jget "$T/sel4.json" '"|".join(hex(int(t["ipa"], 16) >> 12 << 12) + " " + str(t["resolved_by"]) for t in d["context"]["earlier_traps"])')" \
    "0x9000000 OnDemandInstall: Created device-backed memory for addr 0x9000000|0x8040000 OnDemandInstall: Created RAM-backed memory for addr 0x8040000"
expect_match "the VMM's policy: any page on demand except page 0, where IPA 0x8 lies" \
    "$(jget "$T/sel4.json" 'd["context"]["policy"]')" "on demand \\(as it did earlier in this run\\) except page 0; IPA 0x8 is in page 0"
expect_match "the guest's IRQ is judged at its own vector (the virtual IRQ), not at the kernel's HVBAR" \
    "$("$HVPROBE" compare -v "$T/sel4.json" --format json | python3 -c 'import json,sys; v=[x for x in json.load(sys.stdin)["snapshots"][0]["vectors"] if x["name"] == "irq"][0]; print(v["verdict"], "|", v["base_source"])')" \
    "^unmapped \\| VBAR = 0x00000000 .*; virtual IRQ: physical ones go to Hyp \\(HCR.IMO=1\\)$"
expect_match "the faulting IPA's own stage-2 walk is shown" "$OUT" \
    "the faulting IPA in the hypervisor's stage 2 at the trap: IPA 0x8: translation fault, level 2"
expect_match "the fix: a vector table of the guest's own, and VBAR" "$OUT" \
    "sel4-virt: the vector base is 0x00000000 .* put an 8-entry vector table .* write its address to VBAR"

# Without the kernel's symbols (the image alone in a folder) a guest-trap
# capture cannot start: one sentence, exit 2, nothing left.
mkdir -p "$T/alone" && cp "$IMG" "$T/alone/img"
OUT=$(timeout 60 "$HVPROBE" run "$T/alone/img" --backend sel4 --capture "$T/n.json" 2>&1); rc=$?
expect_eq "guest-trap capture without kernel.elf: exit 2" "$rc" 2
expect_match "it says what is missing" "$OUT" "guest-trap triggers need the seL4 kernel's symbols: .*alone/kernel.elf is not readable"
ok_if "no snapshot written" test ! -e "$T/n.json"

# --hyp-symbols names the kernel's ELF elsewhere; a kind other than
# `fault` fires at the first trap of that kind (the only prefetch abort
# here is the reported one, at IPA 0x8).
timeout 120 "$HVPROBE" run "$T/alone/img" --backend sel4 --hyp-symbols "$(dirname "$IMG")/kernel.elf" \
    --capture "$T/p.json" --at-guest-trap prefetch-abort >/dev/null 2>"$T/err"; rc=$?
expect_eq "--hyp-symbols FILE --at-guest-trap prefetch-abort: exit 0" "$rc" 0
expect_eq "it is the prefetch abort at guest PC 0x8" "$(jget "$T/p.json" 'd["context"]["trap"] + " " + d["context"]["guest_registers"]["pc"]')" "prefetch-abort 0x00000008"
expect_eq "captured at the trap, before any report" "$(jget "$T/p.json" 'd["context"]["report"]')" null

# The user's story end to end: the same mistake (VBAR left at 0) under
# TCG virt (the CPU fetches the device tree at 0x8) and under seL4 (IPA 0x8
# is not mapped in the VMM's stage 2).
timeout 30 "$HVPROBE" run "$GUESTS/tiny-low-virt.elf" --machine virt --capture "$T/tcg.json" --at-exception svc -q; rc=$?
expect_eq "tcg virt, VBAR 0: captured at the SVC vector" "$rc" 0
OUT=$("$HVPROBE" compare -v "$T/sel4.json" "$T/tcg.json" --expect 'sel4-virt:svc=unmapped' --expect 'tcg-virt:svc=data' 2>&1); rc=$?
expect_eq "compare sel4 vs tcg: both expectations hold" "$rc" 0
expect_match "the root cause is the guest's vector base, the same in both" "$OUT" \
    "no snapshot has a usable SVC vector: the same root cause in all of them"
expect_match "how it shows under seL4: IPA 0x8 unmapped, page 0 never mapped on demand" "$OUT" \
    "sel4-virt: the SVC vector's fetch at 0x8 finds unmapped: .*stage 2: IPA 0x8: translation fault.*except page 0"
expect_match "how it shows under TCG: the device tree in flash" "$OUT" \
    "tcg-virt: the SVC vector's fetch at 0x8 finds data: inside the device tree blob .* virt.flash0"

# The user's original way: attach after the fault.  The CPU is in a seL4
# thread (HCR.TGE=1): nothing may be read as the guest's.
timeout 120 "$HVPROBE" run "$IMG" --backend sel4 --capture "$T/late.json" --at-serial 'Halting...' >/dev/null 2>"$T/err"; rc=$?
expect_eq "a capture after the fault: exit 0" "$rc" 0
expect_eq "the late snapshot says it holds a seL4 thread, not the guest" "$(jget "$T/late.json" 'd["context"]["kind"]')" hypervisor-thread
OUT=$("$HVPROBE" compare -v "$T/late.json" 2>&1)
expect_match "it is not in the guest" "$(jget "$T/late.json" 'd["cpu"]["cpsr"]["mode"]')" '^(usr32|sys32|hyp32)$'
expect_match "compare says the registers are not the guest's" "$OUT" "HCR.TGE=1: the CPU runs one of the hypervisor's own threads, not a guest"
expect_match "and concludes nothing about the guest" "$OUT" "cannot conclude for sel4-virt: it was captured in one of the hypervisor's own threads"
expect_eq "and suggests no fix from the system image's tables" "$(printf '%s\n' "$OUT" | grep -c 'arm_vector_table')" 0
done_testing
