# tests/integration/a64_fixture.sh - a64-fixture (guests/a64-fixture/), the
# AArch64 EL2 hypervisor with the seL4 VMM's stage-2 policy, reproduces the
# seL4 VMM's report under real qemu-system-aarch64, and halts in a state a
# capture can explain.
#
# First the ELF (aarch64-linux-gnu-nm/readelf): the symbols hvprobe relies
# on and where the image goes.  Then the documented command line
# (run-fixture -n), and the reset state: QEMU starts the CPU in the
# fixture, at EL2h, with the guest's entry in the boot parameter word.
# Then for cortex-a57 and cortex-a53: a64-low (VBAR_EL1 0: the SVC's vector
# fetch from IPA 0x200 faults in stage 2 -> the seL4 VMM's Pagefault line),
# a64-vbar (its own table in guest RAM: runs normally), a64-unmapped (a
# guest *stage-1* fault: the hypervisor never hears of it) and a64-stubs,
# each checked on the UART line for line and, halted with gdb-multiarch, in
# the registers that explain it.  a64-low once more on max; a stop at
# vmm_trap_recorded (hvprobe's breakpoint) with x0 = the trap record; and
# without virtualization=on / with secure=on the fixture says where it
# found itself.
#
# Every QEMU runs with -monitor none, its gdbstub on a unix socket in a
# 0700 directory under $HVP_TEST_TMP, inside `timeout 30`, and is stopped
# (or killed) before the test ends.
. tests/lib/tap.sh
. tests/lib/bgqemu.sh
. tests/lib/qemu.sh                     # qemu_wait_serial
T=$HVP_TEST_TMP/a64_fixture
mkdir -p "$T" && chmod 700 "$T"
A64CROSS=${A64CROSS:-aarch64-linux-gnu-}
NM=${A64CROSS}nm READELF=${A64CROSS}readelf
FIX=$GUESTS/a64-fixture.elf
RUN=guests/a64-fixture/run-fixture

# fx_start DIR CPU GUEST.elf [QEMU-ARGS...]: run-fixture (it execs QEMU)
# in the background (tests/lib/bgqemu.sh).
fx_start() {
    local dir=$1 cpu=$2 elf=$3; shift 3
    bg_start "$dir" "$RUN" -c "$cpu" "$elf" -monitor none \
        -serial "file:$dir/serial.txt" -gdb "unix:$dir/gdb.sock,server=on,wait=off" "$@"
}
stop_all() { local d; for d in "$T"/*/; do [ -d "$d" ] && bg_stop "${d%/}"; done; }
trap stop_all EXIT

# run VARIANT CPU TEXT SETTLE: a64-VARIANT-virt under the fixture; wait (5 s
# at most) for TEXT on the UART, then SETTLE seconds for anything that
# should not come.  Sets D, G (the guest ELF) and SER (the UART text).
run() {
    local v=$1 cpu=$2 text=$3 settle=$4
    D=$T/$v-$cpu G=$GUESTS/a64-$v-virt.elf SER=
    fx_start "$D" "$cpu" "$G" || return 1
    qemu_wait_serial "$D" "$text" 5
    sleep "$settle"
    SER=$(cat "$D/serial.txt")
}

# gdb_state: halt the CPU (symbols from the fixture) and record every
# register ("info registers all"), a few fixture symbols and stage-2
# descriptors as NAME=0xHEX, and the 39 words of the trap record.  QEMU 7.2
# calls VBAR_EL1 and SCTLR_EL1 "VBAR" and "SCTLR"; reg accepts both names.
# gdb reads memory through the translation regime the CPU is in: halted in
# the guest (EL1, stage 2 on) 0x48000100 is an IPA stage 2 does not map,
# so the record is read in QEMU's physical-memory mode (Qqemu.PhyMemMode);
# vaddr_rec is the same read without it.
gdb_state() {
    local args=() s
    for s in _start vmm_halt vmm_trap_recorded vmm_trap_record el2_vectors s2_l1 s2_l2_low s2_l2_ram; do
        args+=(-ex "printf \"$s=0x%lx\\n\", &$s"); done
    args+=(-ex 'printf "l1_0=0x%lx\n", s2_l1[0]' -ex 'printf "l1_1=0x%lx\n", s2_l1[1]'
           -ex 'printf "l1_2=0x%lx\n", s2_l1[2]' -ex 'printf "l2low_0=0x%lx\n", s2_l2_low[0]'
           -ex 'printf "l2ram_0=0x%lx\n", s2_l2_ram[0]' -ex 'printf "l2ram_64=0x%lx\n", s2_l2_ram[64]')
    GDB=$(timeout 30 gdb-multiarch -batch -nx "$FIX" -ex "target remote $D/gdb.sock" \
        -ex 'info registers all' "${args[@]}" \
        -ex 'printf "vaddr_rec=read:\n"' -ex 'x/1gx 0x48000100' \
        -ex 'maint packet Qqemu.PhyMemMode:1' -ex 'x/39gx 0x48000100' -ex 'maint packet Qqemu.PhyMemMode:0' 2>&1)
}
reg() {
    printf '%s\n' "$GDB" | awk -v a="$1" -v b="${2:-$1}" '($1 == a || $1 == b) && $2 ~ /^0x/ { print $2; exit }'
}
gv() { printf '%s\n' "$GDB" | sed -n "s/^$1=//p" | head -1; }
# rec N: word N of the trap record (fixture.h), as 0x%x ("unreadable" if
# gdb could not read it)
rec() {
    local w
    w=$(printf '%s\n' "$GDB" | sed -n '/^sending: Qqemu.PhyMemMode:1/,/^sending: Qqemu.PhyMemMode:0/p' |
        grep -E '^0x480001[0-9a-f]{2}|^0x480002[0-9a-f]{2}' | cut -d: -f2 |
        tr -s ' \t\n' '\n' | grep -v '^$' | sed -n "$(($1 + 1))p")
    case $w in 0x[0-9a-f]*) printf '0x%x\n' "$w" ;; *) echo unreadable ;; esac
}
# vaddr_rec: what a plain (virtual-address) gdb read of 0x48000100 gave
vaddr_rec() { printf '%s\n' "$GDB" | sed -n '/^vaddr_rec=read:/{n;p;}' | head -1; }
sym() { local a; a=$($NM "$1" | awk -v s="$2" '$3 == s { print $1; exit }'); [ -z "$a" ] || printf '0x%x\n' "0x$a"; }
hex() { printf '0x%x' "$(($1))"; }
in_range() { [ $(($1)) -ge $(($2)) ] && [ $(($1)) -lt $(($3)) ]; }
el() { echo "EL$(( ($1 >> 2) & 3 ))$( [ $(($1 & 1)) = 1 ] && echo h || echo t)"; }

BOOT="a64-fixture: EL2, stage 2 on (nothing at IPA 0), entering the guest at 0x40080000 in EL1h"
MAP="a64-fixture: stage 2 maps IPA 0x40000000-0x47ffffff RAM, 0x8000000-0x801ffff GIC, 0x9000000-0x9000fff UART; nothing else (VTCR_EL2 0x80000060, HCR_EL2 0x80000039)"
GBOOT="a64: boot (EL1)"
ISSUE="a64: issuing svc"
TOOK="a64: took sync at VBAR_EL1+0x200 (cur_spx.sync), ESR_EL1 0x56000000"
BACK="a64: back from svc"
PF="Pagefault from [vm0]: read prefetch fault @ PC: 0x200 IPA: 0x200, FSR: 0x6"
MAGIC=0x5254584946343641                 # "A64FIXTR"

# ---- the image
ok_if "$FIX exists (make guests)" test -f "$FIX"
expect_eq "ELF: entry _start at 0x48001000; vmm_trap_record at 0x48000100 (the boot parameter page)" \
    "$(sym "$FIX" _start) $(sym "$FIX" vmm_trap_record)" "0x48001000 0x48000100"
ok_if "ELF: vmm_trap_recorded and vmm_halt are global functions" \
    sh -c "$NM '$FIX' | grep -q ' T vmm_trap_recorded\$' && $NM '$FIX' | grep -q ' T vmm_halt\$'"
ok_if "ELF: el2_vectors ($(sym "$FIX" el2_vectors)) is 2 KiB aligned, 16 slots (0x800 bytes)" \
    sh -c "v=$(sym "$FIX" el2_vectors) e=$(sym "$FIX" el2_vectors_end); [ -n \"\$v\" ] && [ \$((v & 0x7ff)) = 0 ] && [ \$((e - v)) = 2048 ]"
below=0
for a in $($READELF -lW "$FIX" | awk '$1 == "LOAD" { print $3 }'); do
    [ $((a)) -lt $((0x48001000)) ] && below=$((below + 1)); done
expect_eq "ELF: no segment below 0x48001000 (the boot parameter page is the loaders' and the fixture's)" "$below" 0

# ---- the command line is the documented one
expect_eq "run-fixture -n: the documented QEMU command line" \
    "$($RUN -n "$GUESTS/a64-low-virt.elf" -S)" \
    "qemu-system-aarch64 -M virt,virtualization=on -cpu cortex-a57 -m 256M -nodefaults -display none -kernel $GUESTS/a64-low-virt.elf -device loader,file=$FIX,cpu-num=0 -device loader,addr=0x48000000,data=0x40080000,data-len=8 -serial stdio -S"
expect_match "run-fixture -n -c cortex-a53: the same with -cpu cortex-a53" \
    "$($RUN -n -c cortex-a53 "$GUESTS/a64-low-virt.elf")" '^qemu-system-aarch64 -M virt,virtualization=on -cpu cortex-a53 -m 256M '
ok_if "run-fixture refuses a 32-bit guest" sh -c "! $RUN -n '$GUESTS/tiny-low-virt.elf' 2>/dev/null"

# ---- reset: QEMU starts the CPU in the fixture, in EL2h, the entry in place
D=$T/reset
fx_start "$D" cortex-a57 "$GUESTS/a64-low-virt.elf" -S
# shellcheck disable=SC2016  # $pc, $cpsr are gdb's
G=$(timeout 30 gdb-multiarch -batch -nx "$FIX" -ex "target remote $D/gdb.sock" \
    -ex 'printf "pc=0x%lx cpsr=0x%x\n", $pc, $cpsr' \
    -ex 'printf "slot=0x%lx image=0x%x\n", *(unsigned long *)0x48000000, *(unsigned int *)0x40080000' 2>&1)
pc=$(printf '%s\n' "$G" | sed -n 's/^pc=\([^ ]*\) .*/\1/p') cpsr=$(printf '%s\n' "$G" | sed -n 's/.* cpsr=//p')
expect_eq "reset: pc = the fixture's _start (the loader's PC beats -kernel's), in EL2h, DAIF masked" \
    "$pc $(el "${cpsr:-0}") $(( (${cpsr:-0} >> 6) & 0xf ))" "$(sym "$FIX" _start) EL2h 15"
expect_eq "reset: the boot parameter word 0x48000000 holds the guest's e_entry as 64 bits" \
    "$(printf '%s\n' "$G" | sed -n 's/^slot=\([^ ]*\) .*/\1/p')" 0x40080000
expect_eq "reset: the guest image is at 0x40080000 (loaded by -kernel; first insn mrs x0, CurrentEL)" \
    "$(printf '%s\n' "$G" | sed -n 's/.* image=//p')" 0xd5384240
bg_stop "$D"

# ---- each guest on cortex-a57 and cortex-a53
for C in cortex-a57 cortex-a53; do
    # low: VBAR_EL1 0 -> the SVC goes to the guest's EL1 at 0x200, whose
    # fetch faults in stage 2 (IPA 0x200: level-2 entry 0 invalid)
    run low "$C" "Halting..." 0.3
    expect_eq "low/$C: UART: boot line, guest boot, svc issued, the seL4 VMM's report, Halting..." "$SER" \
        "$(printf '%s\n' "$BOOT" "$MAP" "$GBOOT" "$ISSUE" "$PF" "Halting...")"
    gdb_state
    ok_if "low/$C: halted in vmm_halt ($(reg pc))" in_range "$(reg pc)" "$(gv vmm_halt)" "$(gv vmm_halt)+12"
    expect_eq "low/$C: at EL2h (cpsr $(reg cpsr))" "$(el "$(reg cpsr)")" EL2h
    expect_eq "low/$C: HCR_EL2 = 0x80000039: VM=1 (stage 2 on), RW, IMO/FMO/AMO, TGE=0" \
        "$(reg HCR_EL2) $(( $(reg HCR_EL2) & 1 )) $(( ($(reg HCR_EL2) >> 27) & 1 ))" "0x80000039 1 0"
    expect_eq "low/$C: VBAR_EL1 = 0 (the guest never set it)" "$(reg VBAR_EL1 VBAR)" 0x0
    expect_eq "low/$C: ESR_EL2 0x82000006 (EC 0x20 instruction abort from a lower EL, IFSC 0x6 level 2)" \
        "$(reg ESR_EL2) $(hex "$(reg ESR_EL2)>>26") $(hex "$(reg ESR_EL2)&0x3f")" "0x82000006 0x20 0x6"
    expect_eq "low/$C: FAR_EL2 0x200, HPFAR_EL2 0 (IPA 0x200), ELR_EL2 0x200, SPSR_EL2 0x3c5 (EL1h)" \
        "$(reg FAR_EL2) $(reg HPFAR_EL2) $(reg ELR_EL2) $(reg SPSR_EL2)" "0x200 0x0 0x200 0x3c5"
    expect_eq "low/$C: the SVC went to the guest's EL1 first: ESR_EL1 0x56000000, ELR_EL1 = svc_insn+4" \
        "$(reg ESR_EL1) $(reg ELR_EL1)" "0x56000000 $(hex "$(sym "$G" svc_insn)"+4)"
    expect_eq "low/$C: VBAR_EL2 = el2_vectors, VTCR_EL2 0x80000060, VTTBR_EL2 = VMID 1 | s2_l1" \
        "$(reg VBAR_EL2) $(reg VTCR_EL2) $(reg VTTBR_EL2)" \
        "$(gv el2_vectors) 0x80000060 $(hex "(1<<48)|$(gv s2_l1)")"
    expect_eq "low/$C: stage 2: l1[0] -> s2_l2_low whose entry 0 (IPA 0-2M) is invalid; l1[2] invalid" \
        "$(gv l1_0) $(gv l2low_0) $(gv l1_2)" "$(hex "$(gv s2_l2_low)|3") 0x0 0x0"
    expect_eq "low/$C: stage 2: l1[1] -> s2_l2_ram, a 2M normal block at 0x40000000, nothing at 0x48000000" \
        "$(gv l1_1) $(gv l2ram_0) $(gv l2ram_64)" "$(hex "$(gv s2_l2_ram)|3") 0x400007fd 0x0"
    expect_eq "low/$C: trap record: magic, ELR, SPSR, ESR, FAR, HPFAR, vector 0x400 (lower_a64.sync)" \
        "$(rec 0) $(rec 32) $(rec 33) $(rec 34) $(rec 35) $(rec 36) $(rec 38)" \
        "$MAGIC 0x200 0x3c5 0x82000006 0x200 0x0 0x400"
    expect_eq "low/$C: trap record: the guest's x1 = UART, sp = SP_EL1 = its stack_top" \
        "$(rec 2) $(rec 37) $(reg SP_EL1)" "0x9000000 $(sym "$G" stack_top) $(sym "$G" stack_top)"
    bg_stop "$D"

    # vbar: VBAR_EL1 := the image's own table, in guest RAM: runs normally
    run vbar "$C" "$BACK" 0.3
    expect_eq "vbar/$C: UART: the handler line and back from svc, no Pagefault" "$SER" \
        "$(printf '%s\n' "$BOOT" "$MAP" "$GBOOT" "$ISSUE" "$TOOK" "$BACK")"
    gdb_state
    expect_eq "vbar/$C: still the guest: EL1h in idle, VBAR_EL1 = vectors, under stage 2 (HCR_EL2.VM)" \
        "$(el "$(reg cpsr)") $(reg VBAR_EL1 VBAR) $(( $(reg HCR_EL2) & 1 ))" "EL1h $(sym "$G" vectors) 1"
    ok_if "vbar/$C: pc in idle ($(reg pc))" in_range "$(reg pc)" "$(sym "$G" idle)" "$(sym "$G" idle)+8"
    expect_eq "vbar/$C: no trap record (magic 0, read physically)" "$(rec 0)" 0x0
    expect_match "vbar/$C: halted in the guest, gdb cannot read 0x48000100 by address: stage 2 has no IPA for it" \
        "$(vaddr_rec)" 'Cannot access memory at address 0x48000100'
    bg_stop "$D"

    # unmapped: the guest's own stage-1 fault loops in the guest; a stage-2
    # fault needs a stage-1 translation first, so the hypervisor never sees it
    run unmapped "$C" "$ISSUE" 1
    expect_eq "unmapped/$C: UART: mmu on, svc issued, no Pagefault" "$SER" \
        "$(printf '%s\n' "$BOOT" "$MAP" "$GBOOT" "a64: mmu on" "$ISSUE")"
    gdb_state
    up=$(sym "$G" unmapped_page)
    expect_eq "unmapped/$C: guest EL1h abort loop at VBAR_EL1+0x200, ESR_EL1 0x86000007 (stage-1 L3)" \
        "$(el "$(reg cpsr)") $(reg pc) $(reg ESR_EL1)" "EL1h $(hex "$up"+0x200) 0x86000007"
    expect_eq "unmapped/$C: nothing reached EL2: ESR_EL2 0, no trap record" "$(reg ESR_EL2) $(rec 0)" "0x0 0x0"
    bg_stop "$D"

    # stubs: 'b .' table in guest RAM: spins in the guest, the VMM sees nothing
    run stubs "$C" "$ISSUE" 1
    expect_eq "stubs/$C: UART: svc issued, nothing after" "$SER" \
        "$(printf '%s\n' "$BOOT" "$MAP" "$GBOOT" "$ISSUE")"
    bg_stop "$D"
done

# ---- max: the same report
run low max "Halting..." 0.3
expect_eq "low/max: UART: the seL4 VMM's report, Halting..." \
    "$(printf '%s\n' "$SER" | sed -n '1p;5,$p')" "$(printf '%s\n' "$BOOT" "$PF" "Halting...")"
bg_stop "$D"

# ---- hvprobe's breakpoint: vmm_trap_recorded, x0 = the record, written
D=$T/bp G=$GUESTS/a64-low-virt.elf
fx_start "$D" cortex-a57 "$G" -S
# shellcheck disable=SC2016  # $pc, $x0 are gdb's
BP=$(timeout 30 gdb-multiarch -batch -nx "$FIX" -ex "target remote $D/gdb.sock" \
    -ex 'break vmm_trap_recorded' -ex continue \
    -ex 'printf "pc=0x%lx x0=0x%lx magic=0x%lx elr=0x%lx\n", $pc, $x0, *(unsigned long *)$x0, ((unsigned long *)$x0)[32]' \
    -ex "shell echo uart_pf=\$(grep -c Pagefault '$D/serial.txt')" 2>&1)
expect_eq "stop at vmm_trap_recorded: x0 = &vmm_trap_record, magic set, ELR 0x200; nothing printed yet" \
    "$(printf '%s\n' "$BP" | grep -E '^(pc|uart_pf)=' | paste -sd' ')" \
    "pc=$(sym "$FIX" vmm_trap_recorded) x0=0x48000100 magic=$MAGIC elr=0x200 uart_pf=0"
bg_stop "$D"

# ---- not EL2: QEMU resets the CPU into its highest EL
for M in "virt:EL1" "virt,secure=on:EL3"; do
    machine=${M%:*} want=${M##*:}
    D=$T/not-el2-${machine//[,=]/_}
    mkdir -p "$D" && chmod 700 "$D"
    QEMU_AUDIO_DRV=none timeout 30 qemu-system-aarch64 -M "$machine" -cpu cortex-a57 -m 256M \
        -nodefaults -display none -monitor none -kernel "$GUESTS/a64-low-virt.elf" \
        -device "loader,file=$FIX,cpu-num=0" -device loader,addr=0x48000000,data=0x40080000,data-len=8 \
        -serial "file:$D/serial.txt" >"$D/qemu.log" 2>&1 &
    echo $! >"$D/qemu.pid"
    qemu_wait_serial "$D" "Halting..." 5
    expect_match "-M $machine: the boot line says it started in $want, not EL2, and halts" \
        "$(cat "$D/serial.txt")" "^a64-fixture: started in $want, not EL2: "
    bg_stop "$D"
done

no_qemu_left() { ! pgrep -af "qemu-system-aarch64 .*$T/"; }
ok_if "no QEMU left running from this test" no_qemu_left
done_testing
