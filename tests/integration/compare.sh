# tests/integration/compare.sh - every verdict and diagnosis rule triggered
# for real: real guests under QEMU, captured, then compared.
. tests/lib/tap.sh
. tests/lib/qemu.sh
. tests/lib/json.sh
T=$HVP_TEST_TMP/compare
mkdir -p "$T"
trap 'qemu_stop $T/q' EXIT

# snap VARIANT BOARD [LABEL] [WAIT-TEXT]: run the guest, capture it, stop it.
snap() {
    local v=$1 b=$2 label=${3:-$1-$2} wait=${4:-issuing svc}
    qemu_start "$T/q" "$b" "$GUESTS/tiny-$v-$b.elf"
    qemu_wait_serial "$T/q" "$wait" 5
    sleep 0.2   # let the SVC happen: what follows it is what is captured
    "$HVPROBE" capture -q --qmp "unix:$T/q/qmp.sock" --gdb "unix:$T/q/gdb.sock" \
        --elf "$GUESTS/tiny-$v-$b.elf" --label "$label" -o "$T/$label.json"
    local rc=$?
    [ -n "${ORIG:-}" ] && python3 tests/lib/orig-capture.py "$T/q/hmp.sock" "$ORIG" "$T/$ORIG.json"
    qemu_stop "$T/q"
    return $rc
}

for vb in low:vexpress low:virt vbar:vexpress vbar:virt mmu:vexpress hivecs:virt ldrpc:vexpress stubs:vexpress undef:virt; do
    ok_if "capture ${vb%:*} guest on ${vb#*:}" snap "${vb%:*}" "${vb#*:}"
done

# Each verdict, from a real guest, as a hypothesis check.
"$HVPROBE" compare -v -o "$T/all.txt" \
    --expect low-vexpress:svc=zero-filled --expect low-virt:svc=data \
    --expect vbar-vexpress:svc=valid --expect vbar-virt:svc=valid \
    --expect mmu-vexpress:svc=unmapped --expect hivecs-virt:svc=unmapped \
    --expect ldrpc-vexpress:svc=valid --expect ldrpc-vexpress:undef=stub \
    --expect stubs-vexpress:svc=stub --expect undef-virt:svc=undefined \
    --expect vbar-vexpress:0x14=unknown \
    "$T"/low-vexpress.json "$T"/low-virt.json "$T"/vbar-vexpress.json "$T"/vbar-virt.json \
    "$T"/mmu-vexpress.json "$T"/hivecs-virt.json "$T"/ldrpc-vexpress.json "$T"/stubs-vexpress.json \
    "$T"/undef-virt.json
expect_eq "every verdict holds on its real guest (exit 0)" "$?" 0
ALL=$(cat "$T/all.txt")
expect_match "all expectations reported PASS" "$(grep -c '^  PASS' "$T/all.txt")" '^11$'
expect_match "zero-filled reason names the flash region and the sled" "$ALL" \
    'low-vexpress svc 0x00000000: zero-filled: 0x00000000 in vexpress.flash0 \(romd\) decodes as andeq r0, r0, r0'
expect_match "data reason: the device tree blob at virt's 0x0" "$ALL" 'low-virt +svc .*: data: inside the device tree blob'
expect_match "valid reason: the handler symbol" "$ALL" 'vbar-vexpress svc 0xea[0-9a-f]{6}: valid: branches to 0x600000[0-9a-f]{2} \(svc_handler\+0x0\)'
expect_match "Secure guest: the base comes from VBAR_S" "$ALL" 'VBAR_S = 0x60000000 \(Secure state, SCTLR_S.V=0\)'
expect_match "unmapped reason (MMU): no translation, and the MMU is what hides memory" "$ALL" \
    'mmu-vexpress svc: unmapped: virtual address 0x8 has no valid translation .*so the MMU.s tables are what leave it out'
expect_match "unmapped reason (high vectors): no memory at 0xffff0008" "$ALL" 'hivecs-virt svc: unmapped: no memory backs address 0xffff0008'
expect_match "LDR PC table resolved through its literal" "$ALL" 'ldrpc-vexpress svc 0xe59ff018: valid: loads PC from the literal at 0x600000e8: jumps to 0x600000[0-9a-f]{2} \(svc_handler'
expect_match "stub reason" "$ALL" 'stubs-vexpress svc 0xeafffffe: stub: b \. : branches to itself'
expect_match "undefined reason" "$ALL" 'undef-virt svc 0xe7f000f0: undefined'
expect_match "crashed-guest warning (abt32 at the vector)" "$ALL" 'mmu-vexpress: the CPU was already in abt32 with PC 0x0000000c'
expect_match "fault registers decoded (short-descriptor IFSR)" "$ALL" \
    'mmu-vexpress: last prefetch abort recorded: IFSR_S = 0x00000005 \(translation fault, section\) at IFAR_S = 0x0000000c'
expect_match "high vectors: the fix is to clear SCTLR.V" "$ALL" 'hivecs-virt: SCTLR.V=1 sends exceptions to 0xffff0000.*clear SCTLR.V'

# Linux's vector layout (guests/tiny/variant-linuxvec.S): MMU on, high
# vectors, the SVC slot loads its handler from the stubs page 4 KiB above
# the table.  Capture reads that literal, so the verdict is decided.
for B in vexpress virt; do
    timeout 30 "$HVPROBE" run "$GUESTS/tiny-linuxvec-$B.elf" --machine "${B/vexpress/vexpress-a9}" \
        --capture "$T/linuxvec-$B.json" --label "linuxvec-$B" --at-serial 'back from svc' -q
    expect_eq "linuxvec/$B: captured after its handler ran" "$?" 0
done
OUT=$("$HVPROBE" compare -v "$T/linuxvec-vexpress.json" "$T/linuxvec-virt.json" \
    --expect linuxvec-vexpress:svc=valid --expect linuxvec-virt:svc=valid \
    --expect linuxvec-vexpress:undef=valid --expect linuxvec-virt:irq=valid); rc=$?
expect_eq "linuxvec: svc, undef, irq valid on both boards (exit 0)" "$rc" 0
expect_match "the SVC slot's literal in the stubs page was read and followed" "$OUT" \
    'linuxvec-virt svc 0xe59ffff0: valid: loads PC from the literal at 0xffff1000: jumps to 0x400[0-9a-f]{5} \(svc_handler\+0x0\)'
expect_match "the branch slots land in the stubs page" "$OUT" 'linuxvec-vexpress undef 0xea0003ff: valid: branches to 0xffff1008'
expect_eq "the literal is recorded in the snapshot" \
    "$(jget "$T/linuxvec-virt.json" '[m["purpose"] for m in d["memory"] if m["addr"] == "0xffff1000"][0]')" \
    "literal:0xffff0000+0x8"
expect_match "a virtual vector base names the RAM its stage-1 walk reaches" "$OUT" \
    'region at base +vexpress.highmem +mach-virt.ram'
expect_match "the evidence chain gives the physical address" "$OUT" \
    'fetch at 0xffff0008 \(high vectors: SCTLR.V=1 \(Non-secure state\)\) -> mach-virt.ram \(ram\) at PA 0x47ff0008 holds 0xe59ffff0'
expect_match "the reset slot is shown at the reset address, not the table's base" "$OUT" \
    'reset 0x00 +zero-filled \(at 0x0\) +data \(at 0x0\)'
expect_match "and its reason says which rule places it" "$OUT" \
    'linuxvec-virt reset .*sits at the reset address in virt.flash0 \(romd\) \[reset is fetched at the reset address 0x0, not at this table.s base 0xffff0000'

# A false hypothesis: exit 1, and the report says what was found instead.
OUT=$("$HVPROBE" compare -v --expect low-vexpress:svc=valid "$T/low-vexpress.json"); rc=$?
expect_eq "a failing expectation exits 1" "$rc" 1
expect_match "the failure says what was found" "$OUT" 'FAIL low-vexpress:svc=valid \(got zero-filled\)'
OUT=$("$HVPROBE" compare -v --expect nosuch:svc=valid "$T/low-vexpress.json"); rc=$?
expect_eq "an expectation naming no snapshot fails (exit 1)" "$rc" 1
expect_match "...and says so" "$OUT" "no snapshot is labelled 'nosuch'"

# Diagnosis rules.
OUT=$("$HVPROBE" compare -v "$T/low-vexpress.json" "$T/vbar-vexpress.json")
expect_match "rule: vector base differs (low vs vbar)" "$OUT" 'the vector base differs: under vbar-vexpress the CPU fetches svc at 0x60000008'
expect_match "suggested fix names the image's table and VBAR" "$OUT" \
    'low-vexpress: the vector base is 0x00000000 .*the image has a vector table at 0x60000000 \(_vectors\+0x0\): write it to VBAR'
OUT=$("$HVPROBE" compare -v "$T/low-vexpress.json" "$T/mmu-vexpress.json" "$T/low-virt.json")
expect_match "rule: same root cause everywhere, only the symptom differs" "$OUT" \
    'no snapshot has a usable SVC vector: the same root cause in all of them\. The guest never installed a vector table'
expect_match "evidence chain: fetch -> region -> word -> verdict" "$OUT" \
    'low-vexpress: svc -> taken to svc32 -> fetch at 0x00000008 \(VBAR_S = 0x00000000.*\) -> vexpress.flash0 \(romd\) holds 0x00000000 \(andeq r0, r0, r0\) -> zero-filled'

# The FreeRTOS-like guest: its table has a NOP in slot 0x14 and LDR PC
# entries; the fix names the table symbol, the handlers are symbolised.
timeout 30 "$HVPROBE" run "$GUESTS/rtos-low-vexpress.elf" -q --capture "$T/rtos-low.json" --at-exception svc --label rtos-low
timeout 30 "$HVPROBE" run "$GUESTS/rtos-vbar-vexpress.elf" -q --capture "$T/rtos-vbar.json" --at-exception svc --label rtos-vbar
OUT=$("$HVPROBE" compare -v --expect rtos-low:svc=zero-filled --expect rtos-vbar:svc=valid --expect rtos-vbar:irq=valid \
      "$T/rtos-low.json" "$T/rtos-vbar.json"); rc=$?
expect_eq "RTOS guest: low zero-filled, vbar svc and irq valid" "$rc" 0
expect_match "RTOS guest: SVC handler symbolised through the literal pool" "$OUT" 'rtos-vbar svc .*jumps to 0x[0-9a-f]+ \(FreeRTOS_SWI_Handler\+0x0\)'
expect_match "RTOS guest: the fix names _freertos_vector_table and VBAR" "$OUT" \
    'rtos-low: the vector base is 0x00000000 .*vector table at 0x60000000 \(_freertos_vector_table\+0x0\): write it to VBAR'

# A snapshot labelled KVM that ran under TCG is called out.
ok_if "capture labelled kvm (on TCG)" snap vbar virt kvm-virt "handler ran"
OUT=$("$HVPROBE" compare -v "$T/kvm-virt.json")
expect_match "rule: KVM label on a TCG run" "$OUT" "kvm-virt: labelled 'kvm-virt' but QEMU reports KVM disabled"

# Formats.
MD=$("$HVPROBE" compare -v --format markdown "$T/low-vexpress.json" "$T/vbar-vexpress.json")
expect_match "markdown: a table row per vector" "$MD" '^\| svc   0x08 \| zero-filled \| valid \|$'
expect_match "markdown: diagnosis heading" "$MD" '^## Diagnosis$'
"$HVPROBE" compare -v --format json --expect low-vexpress:svc=zero-filled "$T/low-vexpress.json" "$T/vbar-vexpress.json" >"$T/c.json"
expect_eq "json: verdict per vector" "$(jget "$T/c.json" 'd["snapshots"][0]["vectors"][2]["verdict"]+","+d["snapshots"][1]["vectors"][2]["verdict"]')" zero-filled,valid
expect_eq "json: expectation result" "$(jget "$T/c.json" 'd["expectations"][0]["held"]')" true
expect_match "json: root cause" "$(jget "$T/c.json" 'd["diagnosis"]["root_cause"][0]')" 'vector base differs'

# The original script's format, captured the way it captured: imported,
# and its false positive ("vectors PRESENT") is not repeated.
ORIG=orig-qemu snap low vexpress low-again
ORIG=orig-mmu snap mmu vexpress mmu-again
expect_match "original file has CRLF monitor text" "$(jget "$T/orig-qemu.json" 'repr(d["data"]["exception_table"])')" '\\r'
OUT=$("$HVPROBE" compare -v --expect orig-qemu:svc=zero-filled --expect orig-mmu:svc=unmapped \
      "$T/orig-qemu.json" "$T/orig-mmu.json"); rc=$?
expect_eq "original-format snapshots import; zero words are not a vector table (exit 0)" "$rc" 0
expect_match "import: reduced evidence is said" "$OUT" 'orig-qemu: imported from the original capture script.*reduced evidence'
expect_match "import: the assumption is said" "$OUT" 'assumed 0x0 as the imported file does'
expect_match "import: no 'hypothesis confirmed': one root cause, two symptoms" "$OUT" 'no snapshot has a usable SVC vector'
ERR=$("$HVPROBE" compare -v "$T/none.json" 2>&1); rc=$?
expect_eq "missing snapshot: exit 2" "$rc" 2
ERR=$("$HVPROBE" compare -v --expect bad "$T/low-vexpress.json" 2>&1); rc=$?
expect_eq "malformed --expect: exit 2" "$rc" 2
expect_match "malformed --expect: says the form" "$ERR" 'is not LABEL:VECTOR=VERDICT'
ERR=$("$HVPROBE" compare -v --expect x:svc=fine "$T/low-vexpress.json" 2>&1); rc=$?
expect_match "unknown verdict: lists the vocabulary" "$ERR" "'fine' is not a verdict \(valid, stub, zero-filled"
done_testing
