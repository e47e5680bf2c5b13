# tests/integration/fixture.sh - hyp-fixture (guests/hyp-fixture/) reproduces
# the seL4 VMM's behaviour under real QEMU, and parks in a state a capture
# can explain.
#
# For each guest: run it under the fixture (tests/lib/fixture.sh), check
# the UART (the guest's own lines and the fixture's CAmkES-style report),
# then halt the CPU with gdb-multiarch and check the registers that explain
# the outcome: the mode the CPU is parked in, HSR (ESR_EL2), HIFAR, HDFAR
# (QEMU's gdbstub has no HDFAR: FAR_EL2, printed as 32 bits, is it), HPFAR,
# VTTBR/VTCR/HCR, HVBAR (VBAR_EL2), and the guest's own VBAR/SCTLR/IFSR.
. tests/lib/tap.sh
. tests/lib/qemu.sh
. tests/lib/fixture.sh
T=$HVP_TEST_TMP/fixture
mkdir -p "$T"
stop_all() { local d; for d in "$T"/*/; do [ -d "$d" ] && qemu_stop "${d%/}"; done; }
trap stop_all EXIT

FIX=$GUESTS/hyp-fixture.elf
NM=${CROSS:-arm-none-eabi-}nm
BANNER="vmm: hyp-fixture: stage 2 maps IPA 0x40000000-0x40ffffff RAM, 0x8000000-0x801ffff GIC, 0x9000000-0x9000fff UART; nothing else"

# sym ELF NAME: the symbol's address, 8 hex digits.
sym() { $NM "$1" | awk -v s="$2" '$3 == s { print $1 }'; }
hex() { printf '%08x' "$(($1))"; }
in_range() { [ $(($1)) -ge $(($2)) ] && [ $(($1)) -lt $(($3)) ]; }

# run_fixture NAME GUEST.elf TEXT: start GUEST under the fixture, wait for
# TEXT on the UART, give anything after it time to print.  Sets D, ELF, SER.
run_fixture() {
    D=$T/$1 ELF=$2
    fixture_start "$D" "$ELF" || return 1
    qemu_wait_serial "$D" "$3" 5
    sleep 0.3
    SER=$(cat "$D/serial.txt")
}

# gdb_state: halt the CPU (symbols from the fixture ELF) and record KEY=hex
# lines: core registers, the Hyp and guest system registers, fixture
# symbols, and the first stage-2 descriptors.  Sets GDB.
gdb_state() {
    local args=() r
    for r in pc cpsr ESR_EL2 HIFAR FAR_EL2 HPFAR VTCR HCR VBAR VBAR_EL2 SCTLR IFSR IFAR CNTHCTL_EL2; do
        args+=(-ex "printf \"$r=%08x\\n\", \$$r"); done
    args+=(-ex 'printf "VTTBR=%016llx\n", $VTTBR')
    for r in park hyp_vectors s2_l1 s2_l2_low s2_l2_ram; do
        args+=(-ex "printf \"$r=%08x\\n\", &$r"); done
    args+=(-ex 'printf "l1_0=%016llx\n", s2_l1[0]' -ex 'printf "l1_1=%016llx\n", s2_l1[1]'
           -ex 'printf "l2low_0=%016llx\n", s2_l2_low[0]' -ex 'printf "l2ram_0=%016llx\n", s2_l2_ram[0]')
    GDB=$(timeout 30 gdb-multiarch -batch -nx "$FIX" -ex "target remote $D/gdb.sock" "${args[@]}" 2>&1)
}
gv() { printf '%s\n' "$GDB" | sed -n "s/^$1=//p" | head -1; }
mode() { case $(($(printf '0x%s' "$(gv cpsr)") & 0x1f)) in
    16) echo usr32 ;; 19) echo svc32 ;; 23) echo abt32 ;; 26) echo hyp32 ;; 27) echo und32 ;;
    *) echo "other($(gv cpsr))" ;; esac; }
ec() { printf '0x%x' $((0x$(gv ESR_EL2) >> 26)); }
fsc() { printf '0x%x' $((0x$(gv ESR_EL2) & 0x3f)); }
# IPA of a stage-2 fault: HPFAR[31:4] = IPA[39:12], the low 12 bits from HIFAR
ipa_i() { printf '%08x' $(((0x$(gv HPFAR) >> 4 << 12) | (0x$(gv HIFAR) & 0xfff))); }
# report: the UART from the fixture's report on, r0 masked (a string address)
report() { printf '%s\n' "$SER" | sed -n '/^--------$/,$p' | sed 's/^r0: 0x[0-9a-f]*$/r0: 0xR0/'; }
# ctx PC R14 SP CPSR [R1 [R2]]: the expected report body from Context: on
ctx() {
    printf 'Context:\nr0: 0xR0\nr1: %s\nr2: %s\n' "${5:-0x9000000}" "${6:-0x0}"
    for i in 3 4 5 6 7 8 9 10 11 12; do printf 'r%s: 0x0\n' $i; done
    printf 'pc: %s\nr14: %s\nsp: %s\ncpsr: %s\n' "$1" "$2" "$3" "$4"
}
FATAL="$(printf -- '--------\nmain_continued@main.c:1310 Failed to run VM\nHalting...')"
ENTER="vmm: entering guest at 0x40000020 (NS svc32, MMU off, VBAR 0)"

# ---- the command line is the documented one
CMD=$(guests/hyp-fixture/run-fixture -n "$GUESTS/tiny-low-virt.elf" -S)
expect_eq "run-fixture -n: the documented QEMU command line" "$CMD" \
    "qemu-system-arm -M virt,virtualization=on -cpu cortex-a15 -m 256M -nodefaults -display none -kernel $GUESTS/tiny-low-virt.elf -device loader,file=$FIX,cpu-num=0 -device loader,addr=0x48000000,data=0x40000020,data-len=4 -serial stdio -S"

# ---- the fixture itself starts in Hyp mode, at its entry, with nothing done yet
fixture_start "$T/reset" "$GUESTS/tiny-low-virt.elf" -S
D=$T/reset; gdb_state
expect_eq "reset: QEMU starts the CPU in the fixture (pc = its entry), in hyp32" \
    "$(gv pc)/$(mode)" "$(sym "$FIX" _start)/hyp32"
expect_eq "reset: the guest entry slot 0x48000000 holds the guest's e_entry" \
    "$(timeout 30 gdb-multiarch -batch -nx -ex "target remote $D/gdb.sock" \
        -ex 'printf "%08x\n", *(unsigned int *)0x48000000' 2>&1 | tail -2 | head -1)" 40000020
expect_eq "reset: the guest image is at 0x40000000 (loaded by -kernel)" \
    "$(timeout 30 gdb-multiarch -batch -nx -ex "target remote $D/gdb.sock" \
        -ex 'printf "%08x\n", *(unsigned int *)0x40000000' 2>&1 | tail -2 | head -1)" ea000006
qemu_stop "$D"

# ---- low: VBAR left at 0, SVC -> the vector fetch from IPA 0x8 faults in stage 2
G=$GUESTS/tiny-low-virt.elf
run_fixture low "$G" "Halting..."
expect_eq "low: UART: banner, guest boot, svc issued, then the VMM's report" \
    "$(printf '%s\n' "$SER" | sed -n '1,4p')" \
    "$(printf '%s\n%s\ntiny: boot\ntiny: issuing svc' "$BANNER" "$ENTER")"
expect_eq "low: the seL4 VMM's fault line, exactly" \
    "$(printf '%s\n' "$SER" | grep '^Pagefault')" \
    "Pagefault from [vm0]: read prefetch fault @ PC: 0x8 IPA: 0x8, FSR: 0x6"
expect_eq "low: the whole report: guest in svc32 at pc 0x8, lr = svc_insn+4, sp = stack_top" \
    "$(report)" \
    "$(printf -- '--------\nPagefault from [vm0]: read prefetch fault @ PC: 0x8 IPA: 0x8, FSR: 0x6\n'
       ctx 0x8 "0x$(printf '%x' $((0x$(sym "$G" svc_insn) + 4)))" "0x$(printf '%x' 0x$(sym "$G" stack_top))" 0x600001d3
       printf '%s' "$FATAL")"
expect_match "low: guest r0 points into guest RAM" "$(printf '%s\n' "$SER" | grep '^r0:')" '^r0: 0x40[0-9a-f]{6}$'
gdb_state
expect_eq "low: CPU parked in hyp32 (cpsr & 0x1f == 0x1a)" "$(mode)" hyp32
ok_if "low: pc in the fixture's park loop (pc=$(gv pc))" in_range 0x$(gv pc) 0x$(gv park) 0x$(gv park)+12
expect_eq "low: HSR (ESR_EL2) = 0x80000006: EC 0x20 prefetch abort from the guest, IFSC 0x6" \
    "$(gv ESR_EL2)/$(ec)/$(fsc)" "80000006/0x20/0x6"
expect_eq "low: HIFAR = 0x8 (the guest VA of the fetch)" "$(gv HIFAR)" 00000008
expect_eq "low: HPFAR = 0 -> IPA = HPFAR>>4<<12 | HIFAR&0xfff = 0x8" "$(gv HPFAR)/$(ipa_i)" 00000000/00000008
expect_eq "low: guest VBAR = 0, guest SCTLR.M = 0 and .V = 0 (reset values)" \
    "$(gv VBAR)/$(((0x$(gv SCTLR)) & 1))/$(((0x$(gv SCTLR) >> 13) & 1))" 00000000/0/0
expect_eq "low: the guest saw no fault of its own (IFSR = IFAR = 0)" "$(gv IFSR)/$(gv IFAR)" 00000000/00000000
expect_eq "low: HVBAR (VBAR_EL2) = the fixture's hyp_vectors" "$(gv VBAR_EL2)" "$(gv hyp_vectors)"
expect_eq "low: HCR = 0x1 (VM: stage 2 on; IMO/FMO/AMO 0)" "$(gv HCR)" 00000001
expect_eq "low: VTCR = 0x80000040 (T0SZ 0: 32-bit IPA, SL0 1: walk starts at level 1)" "$(gv VTCR)" 80000040
ok_if "low: VTTBR non-zero" test "$(gv VTTBR)" != 0000000000000000
expect_eq "low: VTTBR = VMID 1 | s2_l1" "$(gv VTTBR)" "00010000$(gv s2_l1)"
expect_eq "low: level-1 entry 0 (IPA 0-1G) is a table -> s2_l2_low" "$(gv l1_0)" "00000000$(hex 0x$(gv s2_l2_low)+3)"
expect_eq "low: ...whose entry 0 (IPA 0-2M) is invalid: hence a level-2 fault, FSC 0x6" "$(gv l2low_0)" 0000000000000000
expect_eq "low: level-1 entry 1 -> s2_l2_ram, entry 0 a 2M RAM block at PA 0x40000000" \
    "$(gv l1_1)/$(gv l2ram_0)" "00000000$(hex 0x$(gv s2_l2_ram)+3)/00000000400007fd"
REC=$(timeout 30 gdb-multiarch -batch -nx -ex "target remote $D/gdb.sock" \
    -ex 'x/23wx 0x48000100' 2>&1 | grep -E '^0x480001[0-9a-f]{2}:' | cut -d: -f2 | tr -s ' \t\n' ' ' | sed 's/^ //; s/ $//')
G=$GUESTS/tiny-low-virt.elf
expect_eq "low: trap record at 0x48000100: magic, HSR, HIFAR, HDFAR, HPFAR, IPA, pc, cpsr" \
    "$(echo "$REC" | cut -d' ' -f1-8)" \
    "0x46505948 0x80000006 0x00000008 0x00000000 0x00000000 0x00000008 0x00000008 0x600001d3"
expect_eq "low: trap record: guest r1, sp = stack_top, lr = svc_insn+4" \
    "$(echo "$REC" | cut -d' ' -f10,22,23)" \
    "0x09000000 0x$(sym "$G" stack_top) 0x$(hex 0x$(sym "$G" svc_insn)+4)"
expect_eq "low: CNTHCTL = 0x3 (guest may use the physical counter/timer)" "$(gv CNTHCTL_EL2)" 00000003
qemu_stop "$D"

# ---- vbar: VBAR := the image's own table, which is in guest RAM: runs normally
run_fixture vbar "$GUESTS/tiny-vbar-virt.elf" "tiny: back from svc"
expect_eq "vbar: UART: the SVC handler ran and returned, no fault" "$SER" \
    "$(printf '%s\n%s\ntiny: boot\ntiny: issuing svc\nsvc: handler ran\ntiny: back from svc' "$BANNER" "$ENTER")"
gdb_state
expect_eq "vbar: still the guest: svc32, guest VBAR = _vectors, under stage 2 (HCR.VM)" \
    "$(mode)/$(gv VBAR)/$(gv HCR)" "svc32/$(sym "$GUESTS/tiny-vbar-virt.elf" _vectors)/00000001"
qemu_stop "$D"

# ---- ldrpc: ldr pc,[pc,#24] table in guest RAM: runs normally
run_fixture ldrpc "$GUESTS/tiny-ldrpc-virt.elf" "tiny: back from svc"
expect_match "ldrpc: UART: the SVC handler ran and returned" "$SER" 'svc: handler ran'
expect_eq "ldrpc: no fault report" "$(printf '%s\n' "$SER" | grep -c Pagefault)" 0
qemu_stop "$D"

# ---- stubs: 'b .' table in guest RAM: spins in the guest, the VMM sees nothing
G=$GUESTS/tiny-stubs-virt.elf
run_fixture stubs "$G" "tiny: issuing svc"
expect_eq "stubs: UART: svc issued, nothing after (no handler, no report)" "$SER" \
    "$(printf '%s\n%s\ntiny: boot\ntiny: issuing svc' "$BANNER" "$ENTER")"
gdb_state
expect_eq "stubs: svc32 at stub_vectors+0x8" "$(mode)/$(gv pc)" "svc32/$(hex 0x$(sym "$G" stub_vectors)+8)"
qemu_stop "$D"

# ---- mmu: the guest's own stage-1 fault goes to the guest's VBAR (0), whose
# fetch is a stage-1 fault again: the loop never leaves the guest, so the
# hypervisor never sees it (a stage-2 fault needs a stage-1 translation first)
run_fixture mmu "$GUESTS/tiny-mmu-virt.elf" "tiny: issuing svc"
expect_eq "mmu: UART: MMU on, svc issued, no report from the VMM" "$SER" \
    "$(printf '%s\n%s\ntiny: boot\nmmu: on, VA 0x0-0xfffff unmapped\ntiny: issuing svc' "$BANNER" "$ENTER")"
gdb_state
expect_eq "mmu: guest abt32, pc = IFAR = 0xc, IFSR 0x5 (stage-1 translation fault, section)" \
    "$(mode)/$(gv pc)/$(gv IFAR)/$(gv IFSR)" abt32/0000000c/0000000c/00000005
expect_eq "mmu: HSR/HIFAR untouched: nothing was routed to Hyp" "$(gv ESR_EL2)/$(gv HIFAR)" 00000000/00000000
qemu_stop "$D"

# ---- hivecs: vectors at 0xffff0000: IPA beyond level-1 entry 3 -> level-1 fault
G=$GUESTS/tiny-hivecs-virt.elf
run_fixture hivecs "$G" "Halting..."
expect_eq "hivecs: fault line: IPA 0xffff0008, FSR 0x5 (translation fault, level 1)" \
    "$(printf '%s\n' "$SER" | grep '^Pagefault')" \
    "Pagefault from [vm0]: read prefetch fault @ PC: 0xffff0008 IPA: 0xffff0008, FSR: 0x5"
gdb_state
expect_eq "hivecs: hyp32, EC 0x20, HIFAR 0xffff0008, HPFAR 0x00ffff00 -> IPA 0xffff0008" \
    "$(mode)/$(ec)/$(gv HIFAR)/$(gv HPFAR)/$(ipa_i)" hyp32/0x20/ffff0008/00ffff00/ffff0008
expect_eq "hivecs: guest SCTLR.V = 1, VBAR = _vectors (ignored)" \
    "$(((0x$(gv SCTLR) >> 13) & 1))/$(gv VBAR)" "1/$(sym "$G" _vectors)"
qemu_stop "$D"

# ---- undef: UDF in the SVC slot: the guest's own undef handler runs
run_fixture undef "$GUESTS/tiny-undef-virt.elf" "undef: handler ran"
expect_match "undef: UART: the guest's undef handler ran, no report" "$SER" 'undef: handler ran$'
qemu_stop "$D"

# ---- probes: the data-abort and unexpected-trap paths
G=$GUESTS/hyp-probe-write-virt.elf
run_fixture write "$G" "Halting..."
PI=$(printf '0x%x' 0x$(sym "$G" probe_insn))
expect_eq "write: store to IPA 0x10000004 (not given): 'write fault', FSR 0x6" \
    "$(printf '%s\n' "$SER" | grep '^Pagefault')" \
    "Pagefault from [vm0]: write fault @ PC: $PI IPA: 0x10000004, FSR: 0x6"
gdb_state
expect_eq "write: hyp32, HSR EC 0x24 (data abort from the guest), WnR = 1" \
    "$(mode)/$(ec)/$(((0x$(gv ESR_EL2) >> 6) & 1))" hyp32/0x24/1
expect_eq "write: HDFAR = 0x10000004, HPFAR = 0x00100000 (IPA[39:12] << 4)" "$(gv FAR_EL2)/$(gv HPFAR)" 10000004/00100000
qemu_stop "$D"

G=$GUESTS/hyp-probe-read-virt.elf
run_fixture read "$G" "Halting..."
expect_eq "read: load from the fixture's own RAM (0x48001000): not in stage 2" \
    "$(printf '%s\n' "$SER" | grep '^Pagefault')" \
    "Pagefault from [vm0]: read fault @ PC: $(printf '0x%x' 0x$(sym "$G" probe_insn)) IPA: 0x48001000, FSR: 0x6"
qemu_stop "$D"

G=$GUESTS/hyp-probe-hvc-virt.elf
run_fixture hvc "$G" "Halting..."
expect_eq "hvc: unexpected trap line (EC 0x12, imm16 0x42; ELR = the next instruction)" \
    "$(printf '%s\n' "$SER" | grep '^vmm: unexpected')" \
    "vmm: unexpected trap HSR=0x4a000042 (EC 0x12) @ PC: $(printf '0x%x' $((0x$(sym "$G" probe_insn) + 4)))"
gdb_state
expect_eq "hvc: parked in hyp32" "$(mode)" hyp32
qemu_stop "$D"

# ---- without virtualization=on there is no Hyp mode: the fixture says so
D=$T/nohyp; mkdir -p "$D"; chmod 700 "$D"
timeout 10 qemu-system-arm -M virt -cpu cortex-a15 -m 256M -nodefaults -display none \
    -kernel "$GUESTS/tiny-low-virt.elf" -device "loader,file=$FIX,cpu-num=0" \
    -serial "file:$D/serial.txt" >"$D/qemu.log" 2>&1 &
echo $! >"$D/qemu.pid"
qemu_wait_serial "$D" "Halting..." 5
expect_match "nohyp: fixture refuses to run outside Hyp mode" "$(cat "$D/serial.txt")" \
    '^vmm: hyp-fixture needs Hyp mode, but started with CPSR 0x[0-9a-f]+ \(run it with -M virt,virtualization=on'
qemu_stop "$D"

no_qemu_left() { ! pgrep -af "qemu-system-arm .*$T/"; }
ok_if "no QEMU left running from this test" no_qemu_left
done_testing
