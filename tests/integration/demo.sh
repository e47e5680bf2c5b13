# tests/integration/demo.sh - `hvprobe demo` end to end (real QEMU, the
# real guests and the stage-2 fixture), and the fixture backend of run.
. tests/lib/tap.sh
. tests/lib/json.sh
T=$HVP_TEST_TMP/demo
mkdir -p "$T"
export TMPDIR=$T
trap 'pkill -KILL -f "qemu-system.*$T" 2>/dev/null' EXIT

# The kvm-nested rows need the cached arm64 KVM host: the demo prepares it
# on first use (a download of about 100 MB, a minute or two), hence the
# generous timeout.
OUT=$(timeout 600 "$HVPROBE" demo -o "$T/out" 2>"$T/err"); rc=$?
expect_eq "demo exits 0: every expectation held" "$rc" 0
expect_eq "twelve expectations (six TCG/fixture, two real KVM, four AArch64), all PASS" \
    "$(printf '%s\n' "$OUT" | grep -c '^  PASS')" 12
expect_match "real KVM: the low guest's SVC fetches virt's device tree, as under TCG virt (UART: no handler)" \
    "$OUT" '^  PASS kvm-nested-low:svc=data'
expect_match "real KVM: the vbar guest's SVC reaches its handler" "$OUT" '^  PASS kvm-nested-vbar:svc=valid'
expect_match "progress: the KVM rows ran under KVM on the host CPU's MIDR" "$(cat "$T/err")" \
    'kvm-nested-low +[0-9.]+ s +UART: nothing after .issuing svc. +\(KVM, MIDR 0x411fd070\)'
expect_match "progress: the KVM vbar guest's handler ran (UART)" "$(cat "$T/err")" \
    'kvm-nested-vbar +[0-9.]+ s +UART: svc: handler ran'
expect_eq "kvm-nested snapshot: accelerator kvm" "$(jget "$T/out/kvm-nested-low.json" 'd["backend"]["accelerator"]')" kvm
expect_match "progress: the fixture reproduces the seL4 VMM's report" "$(cat "$T/err")" \
    'fixture-low +[0-9.]+ s +Pagefault from \[vm0\]: read prefetch fault @ PC: 0x8 IPA: 0x8, FSR: 0x6'
# The default view puts the answer first; the evidence chain and the
# notes are in summary.md (and under demo -v).
MD=$(cat "$T/out/summary.md")
expect_match "answer first: fixture-low's SVC line" "$OUT" '^fixture-low +tcg virt-7.2 +unmapped: stage 2 maps nothing at IPA 0x8$'
expect_match "answer first: the fix names the image's vector table" "$OUT" \
    'tcg-virt-low, fixture-low, kvm-nested-low: the vector base is 0x00000000'
expect_match "fixture-low: unmapped at stage 2, IPA 0x8, with the descriptor" "$MD" \
    'fixture-low: svc -> .* -> unmapped: the guest cannot fetch VA 0x8: stage 2: IPA 0x8: translation fault, level 2 \(VTTBR; level-2 descriptor at 0x[0-9a-f]+ = 0x0+\)'
expect_match "fixture-low: HSR decoded" "$MD" 'fixture-low: last exception taken to Hyp mode: (HSR|ESR_EL2) = 0x8[0-9a-f]{7}: stage-2 translation fault, level 2, on instruction fetch from IPA 0x8'
expect_match "fixture-low: the guest view is said" "$MD" 'fixture-low: the CPU was in Hyp mode with stage 2 on: the vectors below are the guest'
expect_match "conclusion printed" "$OUT" "^conclusion: the guest's vector base decides it"
# The AArch64 table beside the AArch32 one, each row proved by the guest's
# own UART (or its hypervisor's report).
expect_match "AArch64: a second comparison, of the synchronous slot" "$OUT" \
    '^hvprobe compare: 4 snapshots, the AArch64 synchronous slot of each'
expect_match "AArch64 answer: tcg-a64-low loops on zeros at 0x200 in flash" "$OUT" \
    '^tcg-a64-low +tcg virt-7.2 +zero-filled: zeros at 0x200 in virt.flash0$'
expect_match "AArch64 answer: the AArch64 fixture maps nothing at IPA 0x200" "$OUT" \
    '^fixture-a64-low +tcg virt-7.2 +unmapped: stage 2 maps nothing at IPA 0x200$'
for l in tcg-a64-low:cur_spx.sync=zero-filled tcg-a64-vbar:cur_spx.sync=valid fixture-a64-low:cur_spx.sync=unmapped \
         fixture-a64-vbar:cur_spx.sync=valid; do
    expect_match "AArch64 expectation $l" "$OUT" "^  PASS $l\$"
done
expect_match "progress: the AArch64 vbar guest's own line (its cur_spx.sync handler)" "$(cat "$T/err")" \
    'tcg-a64-vbar +[0-9.]+ s +UART: a64: took sync at VBAR_EL1\+0x200 \(cur_spx.sync\)'
expect_match "progress: the AArch64 fixture's report" "$(cat "$T/err")" \
    'fixture-a64-low +[0-9.]+ s +Pagefault from \[vm0\]: read prefetch fault @ PC: 0x200 IPA: 0x200, FSR: 0x6'
expect_match "progress: the AArch64 low guest says nothing after its SVC" "$(cat "$T/err")" \
    "tcg-a64-low +[0-9.]+ s +UART: nothing after 'issuing svc'"
ok_if "summary.md written" test -s "$T/out/summary.md"
expect_eq "twelve snapshots written" "$(ls "$T/out"/*.json | wc -l)" 12
ok_if "demo snapshots validate against the schema" tests/lib/validate-snapshot "$T"/out/*.json
S=$T/out/fixture-low.json
expect_eq "fixture snapshot: captured in hyp32" "$(jget "$S" 'd["cpu"]["cpsr"]["mode"]')" hyp32
expect_eq "fixture snapshot: guest VBAR is 0" "$(jget "$S" 'd["cp15"]["VBAR"]')" 0x00000000
expect_match "fixture snapshot: the stage-2 walk's descriptor reads are recorded" \
    "$(jget "$S" '[m["purpose"] for m in d["memory"] if m["space"]=="physical"]')" '"walk"'
expect_eq "no runtime directories left" "$(find "$T" -maxdepth 1 -name 'hvprobe-*' | wc -l)" 0

# The fixture backend of run, capturing at the VMM's fault report.
timeout 60 "$HVPROBE" run "$GUESTS/tiny-low-virt.elf" --backend fixture -q \
    --capture "$T/fx.json" --at-serial 'Halting...' --label sel4-like; rc=$?
expect_eq "run --backend fixture --capture at the fault: exit 0" "$rc" 0
"$HVPROBE" compare -v --expect sel4-like:svc=unmapped "$T/fx.json" >/dev/null
expect_eq "run --backend fixture: the low guest's SVC vector is unmapped" "$?" 0
timeout 60 "$HVPROBE" run "$GUESTS/tiny-low-virt.elf" --backend fixture -q \
    --capture "$T/fx-svc.json" --at-exception svc --label in-guest; rc=$?
expect_eq "run --backend fixture --at-exception svc: exit 0" "$rc" 0
OUT=$("$HVPROBE" compare -v --expect in-guest:svc=unmapped "$T/fx-svc.json"); rc=$?
expect_eq "captured inside the guest at its SVC: svc=unmapped" "$rc" 0
expect_match "inside the guest: the stage-2 walk names IPA 0x8" "$OUT" \
    'in-guest svc: unmapped: the guest cannot fetch VA 0x8: stage 2: IPA 0x8: translation fault, level 2'
CMD=$("$HVPROBE" run "$GUESTS/tiny-low-virt.elf" --backend fixture --dry-run)
expect_match "fixture command line: virt with virtualization, guest as -kernel, fixture by the loader" "$CMD" \
    '-M virt,virtualization=on -cpu cortex-a15 .*-kernel .*tiny-low-virt.elf -device loader,file=.*hyp-fixture.elf,cpu-num=0 -device loader,addr=0x48000000,data=0x40000020,data-len=4'
done_testing
