# tests/integration/rtos.sh - the FreeRTOS-like guest (guests/rtos/) does,
# under real QEMU and under hyp-fixture, what guests/rtos/README.md says.
#
# For each variant x backend (TCG vexpress-a9, TCG virt, virt under
# hyp-fixture): check the UART ground truth -- vbar: both tasks tick, the
# yields return; low/hivecs/mmu: "rtos: scheduler starting" and then
# nothing, or the fixture's fault report -- then halt the CPU with
# gdb-multiarch and check the state that explains it.  If $HVPROBE is set,
# capture running guests and check hvprobe's verdicts on them.
. tests/lib/tap.sh
. tests/lib/qemu.sh
. tests/lib/fixture.sh
T=$HVP_TEST_TMP/rtos
mkdir -p "$T"
stop_all() { local d; for d in "$T"/*/; do [ -d "$d" ] && qemu_stop "${d%/}"; done; }
trap stop_all EXIT

NM=${CROSS:-arm-none-eabi-}nm
RAM_vexpress=0x60000000
RAM_virt=0x40000000
BANNER="vmm: hyp-fixture: stage 2 maps IPA 0x40000000-0x40ffffff RAM, 0x8000000-0x801ffff GIC, 0x9000000-0x9000fff UART; nothing else"
TICK_vexpress="rtos: tick: Cortex-A9 private timer at 0x1e000600, GIC PPI 29, 100 Hz; GICD 0x1e001000 GICC 0x1e000100"
TICK_virt="rtos: tick: generic timer CNTV (CNTFRQ 62500000), GIC PPI 27, 100 Hz; GICD 0x08000000 GICC 0x08010000"
GICD_vexpress=0x1e001000 IRQ_vexpress=29
GICD_virt=0x08000000 IRQ_virt=27

sym() { $NM "$1" | awk -v s="$2" '$3 == s { print $1 }'; }
hex() { printf '%08x' "$(($1))"; }
in_range() { [ $(($1)) -ge $(($2)) ] && [ $(($1)) -lt $(($3)) ]; }

# run VARIANT BACKEND TEXT [SETTLE]: start rtos-VARIANT-<board> on BACKEND
# (vexpress | virt | fixture), wait for TEXT on the UART, then SETTLE
# seconds for whatever comes after it.  Sets D, ELF, B (board), S ("_S" on
# vexpress: Secure state, banked CP15 names) and SER (the UART text).
run() {
    local v=$1 be=$2 text=$3 settle=${4:-0.3}
    D=$T/$v-$be S=
    case $be in
        fixture) B=virt ;;
        vexpress) B=vexpress S=_S ;;
        *) B=$be ;;
    esac
    ELF=$GUESTS/rtos-$v-$B.elf
    if [ "$be" = fixture ]; then fixture_start "$D" "$ELF" || return 1
    else qemu_start "$D" "$B" "$ELF" || return 1; fi
    qemu_wait_serial "$D" "$text" 10
    sleep "$settle"
    SER=$(cat "$D/serial.txt")
}

# gdb_state: halt the guest (symbols from $ELF) and record KEY=value lines:
# pc cpsr, VBAR SCTLR IFAR IFSR (the _S bank on vexpress), the scheduler's
# tick count and current task, the GIC's enable bits for IDs 0-31.  Sets GDB.
gdb_state() {
    local args=() r gicd
    gicd=$(eval echo "\$GICD_$B")
    for r in pc cpsr; do args+=(-ex "printf \"$r=%08x\\n\", \$$r"); done
    for r in VBAR SCTLR IFAR IFSR; do args+=(-ex "printf \"${r,,}=%08x\\n\", \$$r$S"); done
    args+=(-ex 'printf "ticks=%u\n", xTickCount'
           -ex 'printf "cur=%08x\n", pxCurrentTCB' -ex 'printf "tasks=%08x\n", &tasks'
           -ex "printf \"isenabler0=%08x\\n\", *(unsigned int *)($gicd + 0x100)")
    GDB=$(timeout 30 gdb-multiarch -batch -nx "$ELF" -ex "target remote $D/gdb.sock" "${args[@]}" 2>&1)
}
gv() { printf '%s\n' "$GDB" | sed -n "s/^$1=//p" | head -1; }
mode() { case $(($(printf '0x%s' "$(gv cpsr)") & 0x1f)) in
    18) echo irq32 ;; 19) echo svc32 ;; 23) echo abt32 ;; 27) echo und32 ;; 31) echo sys32 ;;
    *) echo "other($(gv cpsr))" ;; esac; }

# head_lines VARIANT SETUP-LINE: the UART up to "scheduler starting"
head_lines() {
    [ "$BE" = fixture ] && printf '%s\nvmm: entering guest at 0x%x (NS svc32, MMU off, VBAR 0)\n' \
        "$BANNER" $((0x$(sym "$ELF" _start)))
    printf 'rtos: boot on %s, variant %s, svc32\n%s\nrtos: tasks A and B created\n%s\nrtos: scheduler starting' \
        "$([ "$B" = vexpress ] && echo vexpress-a9 || echo virt)" "$1" "$2" "$(eval echo "\$TICK_$B")"
}
# consecutive TASK: that task's "tick N" lines count 1, 2, 3, ... with no gap
consecutive() {
    printf '%s\n' "$SER" | sed -n "s/^task $1: tick //p" |
        awk 'BEGIN { n = 0 } { if ($1 != n + 1) exit 1; n = $1 } END { exit n < 4 }'
}
# Every UART line is one the guest (or the fixture) prints: no torn lines.
ALLOWED='^(vmm: .*|rtos: .*|task [AB]: tick [0-9]+|task A: back from yield)$'

for BE in vexpress virt fixture; do
    # ---- vbar: VBAR := _freertos_vector_table -> SVC and IRQ reach their handlers
    run vbar $BE "task B: tick 5"
    RAM=$(eval echo "\$RAM_$B")
    expect_eq "vbar/$BE: UART up to the scheduler: VBAR set to the image's table, tick source" \
        "$(printf '%s\n' "$SER" | sed -n '1,/^rtos: scheduler starting$/p')" \
        "$(head_lines vbar "rtos: vbar: VBAR := 0x$(hex $RAM) (_freertos_vector_table)")"
    ok_if "vbar/$BE: task A ticks 1, 2, 3, 4, ... (SVC start worked, tick IRQs drive time)" consecutive A
    ok_if "vbar/$BE: task B ticks 1, 2, 3, 4, ... (B never yields: only the tick IRQ switches away from it)" consecutive B
    Y=$(printf '%s\n' "$SER" | grep -c '^rtos: yield via svc (task A)$')
    BK=$(printf '%s\n' "$SER" | grep -c '^task A: back from yield$')
    ok_if "vbar/$BE: task A yielded via SVC ($Y) and its yields returned ($BK)" \
        test "$Y" -ge 2 -a "$BK" -ge 1 -a $((Y - BK)) -le 1
    expect_eq "vbar/$BE: no fault, no unexpected interrupt, no torn line" \
        "$(printf '%s\n' "$SER" | grep -Ev "$ALLOWED"; printf '%s\n' "$SER" | grep -E 'exception|unexpected|Pagefault')" ""
    gdb_state
    expect_eq "vbar/$BE: VBAR$S = _freertos_vector_table, SCTLR.V = 0" \
        "$(gv vbar)/$(((0x$(gv sctlr) >> 13) & 1))" "$(sym "$ELF" _freertos_vector_table)/0"
    ok_if "vbar/$BE: halted in a task or a handler (sys32/irq32/svc32: $(mode))" \
        grep -qE '^(sys32|irq32|svc32)$' <<<"$(mode)"
    ok_if "vbar/$BE: tick count > 30 (xTickCount = $(gv ticks))" test "$(gv ticks)" -gt 30
    ok_if "vbar/$BE: pxCurrentTCB is task A's or B's TCB" \
        in_range 0x$(gv cur) 0x$(gv tasks) 0x$(gv tasks)+16
    expect_eq "vbar/$BE: GIC distributor has the tick's PPI enabled (ISENABLER0 bit $(eval echo "\$IRQ_$B"))" \
        "$(((0x$(gv isenabler0) >> $(eval echo "\$IRQ_$B")) & 1))" 1
    qemu_stop "$D"

    # ---- low: VBAR left at 0 -> the first SVC (scheduler start) fetches from 0x8
    if [ $BE = fixture ]; then run low $BE "Halting..."; else run low $BE "scheduler starting" 1.5; fi
    expect_eq "low/$BE: UART up to the scheduler: VBAR left at 0" \
        "$(printf '%s\n' "$SER" | sed -n '1,/^rtos: scheduler starting$/p')" \
        "$(head_lines low "rtos: low: VBAR left at 0x00000000, vectors assumed at 0x0")"
    AFTER=$(printf '%s\n' "$SER" | sed '1,/^rtos: scheduler starting$/d')
    gdb_state
    case $BE in
    vexpress)
        expect_eq "low/$BE: nothing after 'scheduler starting' (no task ran)" "$AFTER" ""
        ok_if "low/$BE: svc32, sliding through the zero-filled flash at 0x0 (pc=$(gv pc))" \
            test "$(mode)" = svc32 -a $((0x$(gv pc))) -lt $((0x04000000)) ;;
    virt)
        expect_eq "low/$BE: nothing after 'scheduler starting' (no task ran)" "$AFTER" ""
        ok_if "low/$BE: und32, looping in the DTB QEMU put at 0x0 (pc=$(gv pc))" \
            test "$(mode)" = und32 -a $((0x$(gv pc))) -lt $((0x28)) ;;
    fixture)
        expect_eq "low/$BE: the seL4 VMM's fault line: prefetch fault at PC 0x8, IPA 0x8, FSR 0x6" \
            "$(printf '%s\n' "$AFTER" | grep '^Pagefault')" \
            "Pagefault from [vm0]: read prefetch fault @ PC: 0x8 IPA: 0x8, FSR: 0x6"
        expect_eq "low/$BE: guest context: pc 0x8, r14 = vPortStartFirstTask's SVC + 4, svc32 with IRQs masked" \
            "$(printf '%s\n' "$AFTER" | grep -E '^(pc|r14|cpsr):' | tr '\n' ' ')" \
            "pc: 0x8 r14: 0x$(printf '%x' $((0x$(sym "$ELF" vPortStartFirstTask) + 4))) cpsr: 0x600001d3 "
        expect_eq "low/$BE: no task line after the report" \
            "$(printf '%s\n' "$AFTER" | grep -c '^task')" 0
        expect_eq "low/$BE: parked in the fixture: hyp32 (CPSR.M = 0x1a)" \
            "$(($(printf '0x%s' "$(gv cpsr)") & 0x1f))" 26 ;;
    esac
    expect_eq "low/$BE: VBAR$S = 0, and no tick was ever taken (xTickCount = 0, no current task)" \
        "$(gv vbar)/$(gv ticks)/$(gv cur)" 00000000/0/00000000
    qemu_stop "$D"

    # ---- hivecs: SCTLR.V=1 -> 0xffff0008: no memory on either board, no IPA under the fixture
    if [ $BE = fixture ]; then run hivecs $BE "Halting..."; else run hivecs $BE "scheduler starting" 1; fi
    AFTER=$(printf '%s\n' "$SER" | sed '1,/^rtos: scheduler starting$/d')
    if [ $BE = fixture ]; then
        expect_eq "hivecs/$BE: fault at PC/IPA 0xffff0008, FSR 0x5 (level-1 translation fault)" \
            "$(printf '%s\n' "$AFTER" | grep '^Pagefault')" \
            "Pagefault from [vm0]: read prefetch fault @ PC: 0xffff0008 IPA: 0xffff0008, FSR: 0x5"
    else
        expect_eq "hivecs/$BE: 'scheduler starting', then nothing" "$AFTER" ""
    fi
    expect_match "hivecs/$BE: SCTLR.V set, VBAR set too (and ignored)" "$SER" \
        "^rtos: hivecs: SCTLR.V=1, vectors at 0xffff0000 \\(VBAR 0x$(hex $(eval echo "\$RAM_$B")) ignored\\)$"
    qemu_stop "$D"

    # ---- mmu: VA 0 unmapped at stage 1 -> abt32 loop inside the guest; the hypervisor sees nothing
    run mmu $BE "scheduler starting" 1
    expect_eq "mmu/$BE: 'scheduler starting', then nothing (no VMM report either)" \
        "$(printf '%s\n' "$SER" | sed '1,/^rtos: scheduler starting$/d')" ""
    gdb_state
    expect_eq "mmu/$BE: guest abt32, IFAR$S 0xc, IFSR$S 0x5 (stage-1 section translation fault)" \
        "$(mode)/$(gv ifar)/$(gv ifsr)" abt32/0000000c/00000005
    qemu_stop "$D"
done

# ---- hvprobe on the running guests: verdicts for the SVC and IRQ vectors
if [ -n "${HVPROBE:-}" ]; then
    # snap VARIANT BACKEND WAIT-TEXT: run, capture as VARIANT-BACKEND, stop.
    snap() {
        run "$1" "$2" "$3" 0.3 || return 1
        "$HVPROBE" capture -q --qmp "unix:$D/qmp.sock" --gdb "unix:$D/gdb.sock" \
            --elf "$ELF" --label "$1-$2" -o "$T/$1-$2.json"
        local rc=$?
        qemu_stop "$D"
        return $rc
    }
    ok_if "capture vbar guest on vexpress (running: tasks ticking)" snap vbar vexpress "task B: tick 3"
    ok_if "capture vbar guest under the fixture (running)" snap vbar fixture "task B: tick 3"
    ok_if "capture low guest on vexpress (after its first SVC)" snap low vexpress "scheduler starting"
    ok_if "capture low guest on virt" snap low virt "scheduler starting"
    ok_if "capture low guest under the fixture (parked at the VMM report)" snap low fixture "Halting..."

    OUT=$("$HVPROBE" compare -v --expect vbar-vexpress:svc=valid --expect vbar-vexpress:irq=valid \
        "$T/vbar-vexpress.json"); rc=$?
    expect_eq "vbar/vexpress: hvprobe: svc=valid, irq=valid (exit 0)" "$rc" 0
    expect_match "vbar/vexpress: SVC slot resolved through 'ldr pc, _swi' to FreeRTOS_SWI_Handler" "$OUT" \
        'vbar-vexpress svc 0xe59ff014: valid: loads PC from the literal at 0x60000024: jumps to 0x600000[0-9a-f]{2} \(FreeRTOS_SWI_Handler\+0x0\)'
    expect_match "vbar/vexpress: IRQ slot resolved through 'ldr pc, _irq' to FreeRTOS_IRQ_Handler" "$OUT" \
        'vbar-vexpress irq 0xe59ff000: valid: loads PC from the literal at 0x60000020: jumps to 0x600000[0-9a-f]{2} \(FreeRTOS_IRQ_Handler\+0x0\)'
    "$HVPROBE" compare -v --expect vbar-fixture:svc=valid --expect vbar-fixture:irq=valid \
        "$T/vbar-fixture.json" >"$T/vbar-fixture.txt"
    expect_eq "vbar/fixture: hvprobe: svc=valid, irq=valid through stage 2 (exit 0)" "$?" 0
    OUT=$("$HVPROBE" compare -v --expect low-vexpress:svc=zero-filled --expect low-vexpress:irq=zero-filled \
        --expect low-virt:svc=data --expect low-fixture:svc=unmapped --expect low-fixture:irq=unmapped \
        "$T/low-vexpress.json" "$T/low-virt.json" "$T/low-fixture.json"); rc=$?
    expect_eq "low: hvprobe: vexpress zero-filled, virt data (DTB), fixture unmapped (exit 0)" "$rc" 0
    expect_match "low/fixture: the stage-2 fault at IPA 0x8 is named" "$OUT" \
        'low-fixture svc: unmapped: the guest cannot fetch VA 0x8: stage 2: IPA 0x8: translation fault, level 2'
    OUT=$("$HVPROBE" compare -v "$T/low-vexpress.json" "$T/vbar-vexpress.json")
    expect_match "low vs vbar on vexpress: root cause is the vector base" "$OUT" \
        'the vector base differs: under vbar-vexpress the CPU fetches svc at 0x60000008'
fi

no_qemu_left() { ! pgrep -af "qemu-system-arm .*$T/"; }
ok_if "no QEMU left running from this test" no_qemu_left
done_testing
