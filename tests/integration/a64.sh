# tests/integration/a64.sh - AArch64 end to end: real AArch64 guests
# (guests/a64/) under qemu-system-aarch64 -M virt, captured by `hvprobe
# run` at their SVC, judged slot by slot, compared with expectations that
# encode what each guest's own UART says; the refusals (an AArch64 image
# for a 32-bit-only backend, a mixed snapshot set, a target description
# without VBAR_EL1) with their exit code 7.
. tests/lib/tap.sh
. tests/lib/json.sh
T=$HVP_TEST_TMP/a64
mkdir -p "$T"
G=$GUESTS

# snap VARIANT [CPU]: run the guest, capture at its SVC (symbol svc_insn),
# keep its serial output.
snap() {
    local v=$1 cpu=${2:-} label=a64-$1${2:+-$2}
    "$HVPROBE" run "$G/a64-$v-virt.elf" ${cpu:+--cpu "$cpu"} --serial "$T/$label.serial" \
        --capture "$T/$label.json" --at-symbol svc_insn --timeout 20 --label "$label" -q
}

for v in vbar low unmapped stubs; do
    ok_if "run + capture the a64-$v guest at its SVC" snap "$v"
done
for cpu in cortex-a53 max; do
    ok_if "run + capture a64-vbar on $cpu" snap vbar "$cpu"
done
ok_if "every AArch64 snapshot validates against docs/snapshot.schema.json" \
    tests/lib/validate-snapshot "$T"/a64-*.json
S=$T/a64-vbar.json
expect_eq "AArch64 snapshots are schema 2" "$(jget "$S" 'd["schema_version"]')" 2
expect_eq "the snapshot records the architecture" "$(jget "$S" 'd["arch"]')" aarch64
expect_eq "PSTATE decoded: EL1 with SP_EL1" "$(jget "$S" 'd["cpu"]["pstate"]["mode"]')" EL1h
expect_match "x0..x30, sp, pc captured" "$(jget "$S" 'sorted(d["cpu"]["registers"])[:3]')" '"pc", "sp", "x0"'
expect_match "VBAR_EL1 (QEMU's VBAR) and the EL1 regime registers captured" \
    "$(jget "$S" '[k for k in ("VBAR","SCTLR","TCR_EL1","TTBR0_EL1","ESR_EL1") if k in d["cp15"]]')" \
    '"VBAR", "SCTLR", "TCR_EL1", "TTBR0_EL1", "ESR_EL1"'
VBAR=$(jget "$S" 'd["cp15"]["VBAR"]')
VEC=$(aarch64-linux-gnu-nm "$G/a64-vbar-virt.elf" | awk '$3 == "vectors" {print "0x" $1}')
expect_eq "VBAR_EL1 is the image's 'vectors' table" "$((VBAR))" "$((VEC))"
expect_match "the whole 16-slot table was read (0x800 bytes at VBAR_EL1)" \
    "$(jget "$S" '[m["len"] for m in d["memory"] if m.get("purpose") == "VBAR_EL1"]')" '2048'

# The vector base through real page tables of every shape (guests/a64's
# mmu16k, mmu64k, ttbr1: VBAR_EL1 is an alias VA of the table): hvprobe's
# walk of the snapshot's descriptors must land on the table's PA, and the
# slot must be valid.  mmu16k needs a CPU with a 16 KiB granule (max).
"$HVPROBE" run "$G/a64-mmu16k-virt.elf" --cpu max --capture "$T/g16.json" --at-symbol svc_insn --timeout 20 \
    --label g16 -q
"$HVPROBE" run "$G/a64-mmu64k-virt.elf" --capture "$T/g64.json" --at-symbol svc_insn --timeout 20 --label g64 -q
"$HVPROBE" run "$G/a64-ttbr1-virt.elf" --capture "$T/gt1.json" --at-symbol svc_insn --timeout 20 --label gt1 -q
OUT=$("$HVPROBE" compare -v --expect g16:cur_spx.sync=valid --expect g64:cur_spx.sync=valid \
    --expect gt1:cur_spx.sync=valid "$T/g16.json" "$T/g64.json" "$T/gt1.json"); rc=$?
expect_eq "16 KiB, 64 KiB and TTBR1 walks: cur_spx.sync valid in all three" "$rc" 0
for l in g16 g64 gt1; do
    expect_match "$l: the slot's bytes come from the PA the walk gives (the table's)" "$OUT" \
        "$l: cur_spx.sync -> taken to EL1h -> fetch at 0x[0-9a-f]+ .*mach-virt.ram \(ram\) at PA 0x40080a00"
    expect_match "$l: the alias is said, symbols through it" "$OUT" \
        "$l: VBAR_EL1 0x[0-9a-f]+ is an alias: the MMU maps it to PA 0x40080800, where the image's vector table \(vectors\) was linked"
done
expect_eq "the walks' descriptors are in the snapshots: 4, 2 and 4 levels" \
    "$(for f in g16 g64 gt1; do jget "$T/$f.json" 'len([m for m in d["memory"] if m.get("purpose") == "walk"]) >= {"g16": 4, "g64": 2, "gt1": 4}[d["label"]]'; done | tr '\n' ' ')" \
    "true true true "
expect_match "TTBR1: the high VA" "$OUT" 'gt1: cur_spx.sync -> taken to EL1h -> fetch at 0xffff[0-9a-f]{12}'

# Ground truth: the guests' own UART lines, when they run on past the SVC
# (vbar reaches `idle`; low and unmapped never print again).
"$HVPROBE" run "$G/a64-vbar-virt.elf" --serial "$T/vbar-after.serial" --capture "$T/vbar-idle.json" \
    --at-symbol idle --timeout 20 -q
expect_match "a64-vbar's handler ran in cur_spx.sync" "$(cat "$T/vbar-after.serial")" \
    'a64: took sync at VBAR_EL1\+0x200 \(cur_spx.sync\), ESR_EL1 0x56000000'
expect_match "... and returned" "$(cat "$T/vbar-after.serial")" 'a64: back from svc'

"$HVPROBE" compare -v -o "$T/cmp.txt" \
    --expect a64-vbar:cur_spx.sync=valid --expect a64-vbar:lower_a64.sync=valid \
    --expect a64-vbar-cortex-a53:cur_spx.sync=valid --expect a64-vbar-max:cur_spx.sync=valid \
    --expect a64-low:cur_spx.sync=zero-filled --expect a64-low:0x200=zero-filled \
    --expect a64-unmapped:cur_spx.sync=unmapped --expect a64-unmapped:cur_sp0.irq=unmapped \
    --expect a64-stubs:cur_spx.sync=stub \
    "$T"/a64-vbar.json "$T"/a64-vbar-cortex-a53.json "$T"/a64-vbar-max.json "$T"/a64-low.json \
    "$T"/a64-unmapped.json "$T"/a64-stubs.json
expect_eq "every AArch64 verdict holds on its real guest (exit 0)" "$?" 0
C=$(cat "$T/cmp.txt")
expect_match "all 9 expectations PASS" "$(grep -c '^  PASS' "$T/cmp.txt")" '^9$'
expect_match "the table has the 16 slots, the raised exceptions marked" "$C" 'cur_spx.sync +0x200 +valid <- sync'
expect_match "valid: the slot's code branches to the handler, by symbol" "$C" \
    'a64-vbar cur_spx.sync 0x[0-9a-f]{8}: valid: .*branches to 0x4008[0-9a-f]{4} \(vec_report'
expect_match "zero-filled: UDF #0 in flash at 0x200, the CPU loops there" "$C" \
    'a64-low cur_spx.sync 0x00000000: zero-filled: 0x00000000 in virt.flash0 \(romd\) at PA 0x200 is UDF #0 in A64.*this slot again'
expect_match "unmapped: the stage-1 walk's failing descriptor" "$C" \
    'a64-unmapped cur_spx.sync: unmapped: VA 0x[0-9a-f]+ has no translation: stage 1 \(EL1\): .*translation fault, level 3'
expect_match "stub: b ." "$C" 'a64-stubs cur_spx.sync 0x14000000: stub: b \.'
expect_match "routes: SVC at EL1h goes to cur_spx.sync of VBAR_EL1" "$C" \
    'a64-vbar sync: valid: taken to EL1, the current level, with SP_ELx .*: cur_spx.sync'
expect_match "routes: IRQ masked by PSTATE.I" "$C" 'a64-vbar irq: valid: .*masked now \(PSTATE.I=1\)'
expect_match "fix: write the image's 'vectors' to VBAR_EL1" "$C" \
    "a64-low: the vector base is 0x0 \(VBAR_EL1 = 0x0\), but the image has an AArch64 vector table at 0x4008[0-9a-f]{4} \(vectors\): write it to VBAR_EL1 \(adr x0, vectors; msr vbar_el1, x0; isb\)"

"$HVPROBE" compare --format json "$S" > "$T/cmp.json"
expect_eq "JSON: arch and 16 vectors" "$(jget "$T/cmp.json" '[d["snapshots"][0]["arch"], len(d["snapshots"][0]["vectors"])]')" \
    '["aarch64", 16]'
expect_eq "JSON: the sync route" "$(jget "$T/cmp.json" '[(r["kind"], r["el"], r["slot"], r["verdict"]) for r in d["snapshots"][0]["routes"]][0]')" \
    '["sync", 1, "cur_spx.sync", "valid"]'

# The report draws AArch64 slots.
"$HVPROBE" report -o "$T/rep.html" "$S" "$T/a64-low.json"
expect_eq "report of AArch64 snapshots (exit 0)" "$?" 0
expect_match "the report's table names the AArch64 slots" "$(cat "$T/rep.html")" 'lower_a32.serror'

# Stuck: the low guest loops on UDF #0 at 0x200; run --when-stuck sees the
# storm in QEMU's -d int log and compare names the slot.
timeout 60 "$HVPROBE" run "$G/a64-low-virt.elf" --capture "$T/stuck.json" --when-stuck --timeout 20 --label stuck64 -q
expect_eq "run --when-stuck: the AArch64 low guest is caught in its loop (exit 0)" "$?" 0
expect_eq "the condition: a storm of undefined instructions into 0x200" \
    "$(jget "$T/stuck.json" '[d["context"]["condition"]["name"], d["context"]["condition"]["exception"], d["context"]["condition"]["vector"]]')" \
    '["storm", "Undefined Instruction", "0x00000200"]'
expect_match "compare: the slot it re-enters, and why" "$("$HVPROBE" compare "$T/stuck.json")" \
    'stuck64: stuck: re-entering the cur_spx.sync slot on undefined-instruction exceptions [0-9,]+ times a second .*that slot is zero-filled: .*at PA 0x200 is UDF #0'

# --at-exception svc: a breakpoint on the synchronous slots (cur_spx and
# lower_a64 of VBAR_EL1 and of the image's table): the CPU is caught on
# entering cur_spx.sync; and an idle guest (wfi, IRQs masked) is "wfi".
timeout 60 "$HVPROBE" run "$G/a64-vbar-virt.elf" --capture "$T/atx.json" --at-exception svc --timeout 20 \
    --label atx -q
expect_eq "run --at-exception svc on an AArch64 guest: exit 0" "$?" 0
VEC=$(aarch64-linux-gnu-nm "$G/a64-vbar-virt.elf" | awk '$3 == "vectors" {print "0x" $1}')
expect_eq "... caught at VBAR_EL1+0x200, in EL1h" "$(jget "$T/atx.json" '[int(d["cpu"]["registers"]["pc"], 16), d["cpu"]["pstate"]["mode"]]')" \
    "[$((VEC + 0x200)), \"EL1h\"]"
expect_match "... ESR_EL1 says it was the SVC" "$("$HVPROBE" compare -v "$T/atx.json")" 'ESR_EL1 0x56000000: SVC #0x0'
timeout 60 "$HVPROBE" run "$G/a64-vbar-virt.elf" --capture "$T/idle.json" --when-stuck --timeout 20 --label idle64 -q
expect_eq "run --when-stuck: the AArch64 guest idle in wfi with IRQs masked is 'wfi'" \
    "$(jget "$T/idle.json" 'd["context"]["condition"]["name"]')" wfi

# A kernel nobody here wrote: Debian's arm64 kernel, the one the kvm-nested
# backend's host boots (hvprobe kvm-host build caches it; kvm_nested.sh
# needs it anyway), booted under TCG as an AArch64 guest to the root mount.
# VBAR_EL1 must be its vector table and every slot valid; with
# HVP_ARM64_VMLINUX (its vmlinux, from linux-image-*-arm64-dbg) the table
# must be the `vectors` symbol.
timeout 900 "$HVPROBE" kvm-host build -q >"$T/kh.out" 2>&1
KIMG=$(jget <("$HVPROBE" kvm-host status --json) 'd["kernel"]["path"]')
ok_if "Debian's arm64 kernel (the kvm-nested host's) is cached" test -f "$KIMG"
timeout 120 "$HVPROBE" run "$KIMG" ${HVP_ARM64_VMLINUX:+--elf "$HVP_ARM64_VMLINUX"} --memory 512M \
    --append 'console=ttyAMA0 nokaslr' --capture "$T/kernel.json" --label debian-arm64 \
    --at-serial 'Unable to mount root fs' --serial "$T/kernel.txt" -q
expect_eq "the arm64 kernel boots under tcg and is captured (exit 0)" "$?" 0
expect_match "... it is Debian's kernel, by its own word" "$(cat "$T/kernel.txt")" 'Linux version 6\.[0-9.]+-[0-9]+-arm64 .*Debian'
OUT=$("$HVPROBE" compare -v "$T/kernel.json" --expect debian-arm64:cur_spx.sync=valid \
    --expect debian-arm64:lower_a64.sync=valid --expect debian-arm64:lower_a64.irq=valid); rc=$?
expect_eq "the kernel's cur_spx.sync, lower_a64.sync and lower_a64.irq are valid" "$rc" 0
expect_eq "all 16 slots valid" "$(printf '%s\n' "$OUT" | grep -cE '^  debian-arm64 (cur|lower)_[a-z0-9]+\.[a-z]+ 0x[0-9a-f]{8}: valid: ')" 16
KVBAR=$(jget "$T/kernel.json" 'd["cp15"]["VBAR"]')
expect_match "VBAR_EL1 is a 2 KiB-aligned kernel address" "$KVBAR" '^0xffff[0-9a-f]{9}[08]00$'
expect_match "lower_a64.sync: Linux's in-slot branch is followed to the handler" "$OUT" \
    'debian-arm64 lower_a64.sync 0x14000003: valid: code \(b #0x[0-9a-f]+ \.\.\.\) that branches to'
if [ -n "${HVP_ARM64_VMLINUX:-}" ]; then
    VEC=$(aarch64-linux-gnu-nm "$HVP_ARM64_VMLINUX" | awk '$3 == "vectors" {print "0x" $1}')
    expect_eq "HVP_ARM64_VMLINUX: VBAR_EL1 is its 'vectors' symbol" "$((KVBAR))" "$((VEC))"
    expect_match "... and compare names it" "$OUT" 'VBAR_EL1 = 0xffff[0-9a-f]+ \(vectors\)'
    expect_match "... and the handler by symbol" "$OUT" 'debian-arm64 +tcg virt-7.2 +valid: handler el1h_64_sync'
    # KASLR on (QEMU's virt gives a seed): the table is found by its
    # content, moved, and symbols follow it.
    timeout 120 "$HVPROBE" run "$KIMG" --elf "$HVP_ARM64_VMLINUX" --memory 512M --append 'console=ttyAMA0' \
        --capture "$T/kaslr.json" --label kaslr --at-serial 'Unable to mount root fs' -q
    OUT=$("$HVPROBE" compare -v --expect kaslr:cur_spx.sync=valid "$T/kaslr.json"); rc=$?
    expect_eq "HVP_ARM64_VMLINUX, KASLR on: cur_spx.sync valid" "$rc" 0
    expect_match "... the table is 'vectors', relocated" "$OUT" \
        "kaslr: VBAR_EL1 0x[0-9a-f]+ holds the image's vector table \(vectors\) linked at $VEC .*KASLR"
    expect_match "... the handler named through the relocation" "$OUT" 'kaslr +tcg virt-7.2 +valid: handler el1h_64_sync'
fi

# The AArch64 fixture (guests/a64-fixture): an EL2 hypervisor whose
# stage 2 maps nothing at IPA 0.  run --capture with no trigger captures
# the guest at the trap the hypervisor reports (a breakpoint at its
# vmm_trap_recorded): the CPU at EL2, the guest's registers from the trap
# record, the guest's slots walked through stage 2.
timeout 60 "$HVPROBE" run "$G/a64-low-virt.elf" --backend fixture --capture "$T/fx.json" --label fx64 \
    --serial "$T/fx.serial" -q
expect_eq "run --backend fixture: an AArch64 guest, captured at its trap (exit 0)" "$?" 0
expect_match "the AArch64 fixture reports the guest's fault, seL4-style" "$(cat "$T/fx.serial")" \
    '^Pagefault from \[vm0\]: read prefetch fault @ PC: 0x200 IPA: 0x200, FSR: 0x6'
expect_eq "context: a guest trap, a prefetch abort" "$(jget "$T/fx.json" '[d["context"]["kind"], d["context"]["trap"]]')" \
    '["guest-trap", "prefetch-abort"]'
expect_eq "context: the guest's pc and IPA (x0-x12, sp, x30, pc, pstate from the trap record)" \
    "$(jget "$T/fx.json" '[d["context"]["guest_registers"]["pc"], d["context"]["ipa"], "x30" in d["context"]["guest_registers"]]')" \
    '["0x0000000000000200", "0x0000000000000200", true]'
expect_eq "captured at EL2" "$(jget "$T/fx.json" 'd["cpu"]["pstate"]["mode"]')" EL2h
OUT=$("$HVPROBE" compare -v --expect fx64:cur_spx.sync=unmapped --expect fx64:cur_spx.irq=unmapped "$T/fx.json"); rc=$?
expect_eq "the guest's cur_spx.sync (and every slot) is unmapped at stage 2" "$rc" 0
expect_match "... the stage-2 walk's failing descriptor" "$OUT" \
    'fx64 cur_spx.sync: unmapped: VA 0x200 has no translation: VA 0x200 is IPA 0x200, and stage 2 \(VTTBR_EL2\): IPA 0x200: translation fault, level 2'
expect_match "... the guest view is said" "$OUT" 'the slots below are the guest.s \(EL1, VBAR_EL1\)'
expect_match "... the trap is named, with the hypervisor's report" "$OUT" \
    "captured at the guest's prefetch-abort to its hypervisor: guest PC 0x200, EL1h .*Pagefault from \[vm0\]"
expect_match "... ESR_EL2 decoded: a stage-2 translation fault on a fetch" "$OUT" \
    'ESR_EL2 0x82000006: instruction abort from a lower Exception level, translation fault, level 2'
expect_match "routes: IRQ goes to the hypervisor (HCR_EL2.IMO), lower_a64.irq of VBAR_EL2" "$OUT" \
    'fx64 irq: valid: taken from EL1 to EL2 \(HCR_EL2.IMO routes it to EL2\).*lower_a64.irq at VBAR_EL2\+0x480'
expect_match "the fix names the image's table" "$OUT" 'write it to VBAR_EL1 \(adr x0, vectors; msr vbar_el1, x0; isb\)'

# Refusals, each one sentence and exit 7.
TINY=$T/tiny.json
"$HVPROBE" run "$G/tiny-vbar-virt.elf" --machine virt --capture "$TINY" --at-symbol idle --timeout 20 --label tiny -q
out=$("$HVPROBE" compare "$S" "$TINY" 2>&1)
expect_eq "compare refuses a mixed AArch32/AArch64 set (exit 7)" "$?" 7
expect_match "... and says why" "$out" 'cannot compare AArch32 and AArch64 snapshots as one set: a64-vbar is AArch64 .* and tiny is AArch32'
out=$("$HVPROBE" report -o "$T/mixed.html" "$S" "$TINY" 2>&1)
expect_eq "report refuses a mixed set too (exit 7)" "$?" 7
expect_eq "... and writes nothing" "$(ls "$T/mixed.html" 2>/dev/null)" ""
out=$("$HVPROBE" compare --expect tiny:cur_spx.sync=valid "$TINY" 2>&1)
expect_eq "an AArch64 slot expected of an AArch32 snapshot fails (exit 1)" "$?" 1
expect_match "... saying so" "$out" "FAIL tiny:cur_spx.sync=valid: cur_spx.sync names an AArch64 vector, but 'tiny' is an AArch32 snapshot"
out=$("$HVPROBE" run "$G/a64-vbar-virt.elf" --backend kvm --dry-run 2>&1)
expect_eq "an AArch64 image for the kvm backend (32-bit guests only) is refused (exit 7)" "$?" 7
expect_match "... naming the backend and what to use" "$out" "is an AArch64 image: the kvm backend runs 32-bit guests only .*; run it under tcg, the fixture or kvm-nested"
out=$("$HVPROBE" run "$G/a64-vbar-virt.elf" --machine vexpress-a9 --dry-run 2>&1)
expect_eq "an AArch64 image on vexpress-a9 is refused (exit 7)" "$?" 7
expect_match "... the board's CPU is 32-bit" "$out" 'vexpress-a9 has a 32-bit CPU \(cortex-a9\): use --machine virt'
out=$("$HVPROBE" run "$G/tiny-vbar-virt.elf" --machine virt --cpu cortex-a57 --dry-run 2>&1)
expect_eq "a 32-bit image with an AArch64 --cpu is refused (exit 7)" "$?" 7
out=$("$HVPROBE" run "$G/a64-vbar-virt.elf" --dry-run 2>&1)
expect_match "dry run: qemu-system-aarch64 -M virt -cpu cortex-a57 by default" "$out" 'qemu-system-aarch64 .*-M virt -cpu cortex-a57'

# An AArch64 guest captured through QMP alone: recorded as AArch64, with
# the registers named as unknown (they need the gdbstub), not as AArch32.
qemu-system-aarch64 -M virt -cpu cortex-a57 -nodefaults -display none -serial none \
    -kernel "$G/a64-vbar-virt.elf" -qmp "unix:$T/mq.sock,server=on,wait=off" &
QP=$!
for _ in $(seq 50); do [ -S "$T/mq.sock" ] && break; sleep 0.1; done
"$HVPROBE" capture -q --qmp "unix:$T/mq.sock" -o "$T/mon.json"
expect_eq "QMP only: captured (exit 0)" "$?" 0
kill "$QP" 2>/dev/null; wait "$QP" 2>/dev/null
expect_eq "QMP only: an AArch64 snapshot, its registers unknown for want of the gdbstub" \
    "$(jget "$T/mon.json" '[d["arch"], [u["field"] for u in d["unknown"]][0]]')" '["aarch64", "cpu.registers"]'

# A target description without VBAR_EL1 (a scripted gdbstub): exit 7.
python3 tests/lib/fakepeer.py gdb a64-novbar "$T/gdb.sock" &
PEER=$!
for _ in $(seq 50); do [ -S "$T/gdb.sock" ] && break; sleep 0.1; done
out=$("$HVPROBE" capture --gdb "unix:$T/gdb.sock" -o "$T/novbar.json" 2>&1)
expect_eq "a gdbstub whose AArch64 description lacks VBAR_EL1: exit 7" "$?" 7
expect_match "... one sentence naming the register" "$out" "has no VBAR_EL1"
expect_eq "... and no snapshot written" "$(ls "$T/novbar.json" 2>/dev/null)" ""
kill "$PEER" 2>/dev/null; wait "$PEER" 2>/dev/null

done_testing
