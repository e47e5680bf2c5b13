# tests/integration/guests.sh - every tiny guest variant does, under real
# QEMU, what guests/tiny/variant-*.S says it does.
#
# For each variant x board: run it, check the UART ground truth (did the
# SVC handler run?), then stop it with gdb-multiarch and check the
# architectural state that explains the outcome (vector base, SCTLR, mode,
# fault registers, the words at the vector base).  Some runs also log
# QEMU's exception trace (-d int,guest_errors) and check its sequence.
. tests/lib/tap.sh
. tests/lib/qemu.sh
T=$HVP_TEST_TMP/guests
mkdir -p "$T"
stop_all() { local d; for d in "$T"/*/; do [ -d "$d" ] && qemu_stop "${d%/}"; done; }
trap stop_all EXIT

RAM_vexpress=0x60000000
RAM_virt=0x40000000

# run_guest VARIANT BOARD TEXT [QEMU-ARGS...]: start tiny-VARIANT-BOARD, wait
# for TEXT on the UART, then give a wrong handler time to print.  Sets D
# (the QEMU dir), ELF, S ("_S" on vexpress: it runs in Secure state, where
# the banked CP15 registers are the _S ones) and SER (the UART text).
run_guest() {
    local v=$1 b=$2 text=$3; shift 3
    D=$T/$v-$b ELF=$GUESTS/tiny-$v-$b.elf
    if [ "$b" = vexpress ]; then S=_S; else S=; fi
    qemu_start "$D" "$b" "$ELF" "$@" || return 1
    qemu_wait_serial "$D" "$text" 5
    sleep 0.3
    SER=$(cat "$D/serial.txt")
}

# gdb_state [SYMBOL...]: halt the guest with gdb-multiarch (symbols from
# $ELF) and record KEY=hex lines: pc cpsr lr r4 vbar sctlr ifar ifsr, one
# per SYMBOL (its address), and w0..w7 = the 8 words at the vector base
# (VBAR, or 0xffff0000 if SCTLR.V), or "Cannot access memory".  Sets GDB.
gdb_state() {
    local args=() s
    for s in pc cpsr lr r4; do args+=(-ex "printf \"$s=%08x\\n\", \$$s"); done
    for s in VBAR SCTLR IFAR IFSR; do
        args+=(-ex "printf \"${s,,}=%08x\\n\", \$$s$S"); done
    for s in "$@"; do args+=(-ex "printf \"$s=%08x\\n\", &$s"); done
    args+=(-ex "set \$vb = (\$SCTLR$S & 0x2000) ? 0xffff0000 : \$VBAR$S")
    for s in 0 1 2 3 4 5 6 7; do
        args+=(-ex "printf \"w$s=%08x\\n\", *(unsigned int *)(\$vb + 4 * $s)"); done
    GDB=$(timeout 30 gdb-multiarch -batch -nx "$ELF" -ex "target remote $D/gdb.sock" "${args[@]}" 2>&1)
}
gv() { printf '%s\n' "$GDB" | sed -n "s/^$1=//p" | head -1; }
hex() { printf '%08x' "$(($1))"; }
mode() { case $(($(printf '0x%s' "$(gv cpsr)") & 0x1f)) in
    19) echo svc32 ;; 23) echo abt32 ;; 27) echo und32 ;; *) echo "other($(gv cpsr))" ;; esac; }
sctlr_bit() { echo $(((0x$(gv sctlr) >> $1) & 1)); }
in_range() { [ $(($1)) -ge $(($2)) ] && [ $(($1)) -lt $(($3)) ]; }

for B in vexpress virt; do
    RAM=$(eval echo "\$RAM_$B")

    # ---- low: VBAR left at 0, so the SVC fetches from the board's 0x8
    run_guest low $B "tiny: issuing svc"
    expect_eq "low/$B: UART ground truth: boot, svc issued, no handler" "$SER" \
        "$(printf 'tiny: boot\ntiny: issuing svc')"
    gdb_state svc_insn
    expect_eq "low/$B: VBAR$S is 0" "$(gv vbar)" 00000000
    expect_eq "low/$B: SCTLR$S.V is 0 (low vectors)" "$(sctlr_bit 13)" 0
    if [ $B = vexpress ]; then
        expect_eq "low/$B: the 8 words at 0x0 are zero (flash)" \
            "$(gv w0)$(gv w1)$(gv w2)$(gv w3)$(gv w4)$(gv w5)$(gv w6)$(gv w7)" \
            "$(printf '0%.0s' $(seq 64))"
        expect_eq "low/$B: still svc32, nothing faulted: zeros execute as andeq" "$(mode)" svc32
        expect_eq "low/$B: LR_svc = svc_insn+4: the SVC was taken" "$(gv lr)" "$(hex 0x$(gv svc_insn)+4)"
        ok_if "low/$B: pc slid out of the image into low memory (pc=$(gv pc))" in_range 0x$(gv pc) 0x20 $RAM
    else
        expect_eq "low/$B: 0x0 holds the DTB (0xd00dfeed big-endian = word 0xedfe0dd0)" "$(gv w0)" edfe0dd0
        expect_eq "low/$B: and the image is at RAM base, not at 0" \
            "$(timeout 30 gdb-multiarch -batch -nx "$ELF" -ex "target remote $D/gdb.sock" \
                -ex "printf \"%08x\\n\", *(unsigned int *)$RAM" 2>&1 | tail -2 | head -1)" ea000006
        expect_eq "low/$B: the DTB header executed as code hit an UNDEFINED word: und32" "$(mode)" und32
        ok_if "low/$B: looping through the DTB header, 0x4 <= pc <= 0x24 (pc=$(gv pc))" in_range 0x$(gv pc) 0x4 0x28
    fi
    qemu_stop "$D"

    # ---- vbar: VBAR := the image's table -> the handler runs
    run_guest vbar $B "tiny: back from svc"
    expect_eq "vbar/$B: UART ground truth: handler ran and returned" "$SER" \
        "$(printf 'tiny: boot\ntiny: issuing svc\nsvc: handler ran\ntiny: back from svc')"
    gdb_state _vectors idle
    expect_eq "vbar/$B: VBAR$S = _vectors = RAM base" "$(gv vbar)" "$(gv _vectors)"
    expect_eq "vbar/$B: _vectors is at RAM base" "$(gv _vectors)" "$(hex $RAM)"
    expect_match "vbar/$B: VBAR+0x8 is a branch (b svc_handler)" "$(gv w2)" '^ea'
    ok_if "vbar/$B: pc parked in idle after returning" in_range 0x$(gv pc) 0x$(gv idle) 0x$(gv idle)+8
    qemu_stop "$D"

    # ---- hivecs: SCTLR.V=1 sends the SVC to 0xffff0008, where nothing is
    run_guest hivecs $B "tiny: issuing svc" -d int,guest_errors -D "$T/hivecs-$B.log"
    expect_eq "hivecs/$B: UART ground truth: svc issued, no handler" "$SER" \
        "$(printf 'tiny: boot\nhivecs: SCTLR.V=1, vectors at 0xffff0000\ntiny: issuing svc')"
    gdb_state _vectors svc_insn
    expect_eq "hivecs/$B: SCTLR$S.V = 1" "$(sctlr_bit 13)" 1
    expect_eq "hivecs/$B: VBAR$S = _vectors, a working table, yet ignored" "$(gv vbar)" "$(gv _vectors)"
    expect_match "hivecs/$B: gdb cannot read 0xffff0000 either" "$GDB" 'Cannot access memory at address 0xffff0000'
    qemu_stop "$D"
    L=$T/hivecs-$B.log
    expect_eq "hivecs/$B: -d guest_errors: the first failed read is the SVC vector" \
        "$(grep -m1 -o 'Invalid read at addr 0x[0-9A-F]*' "$L")" "Invalid read at addr 0xFFFF0008"
    if [ $B = virt ]; then
        expect_eq "hivecs/$B: bus error -> Prefetch Abort, IFSR 0x8 (external), IFAR 0xffff0008, then 0xffff000c" \
            "$(grep -m2 'IFAR' "$L" | tr -s ' \n' ' ')" \
            "...with IFSR 0x8 IFAR 0xffff0008 ...with IFSR 0x8 IFAR 0xffff000c "
        expect_eq "hivecs/$B: stuck in abt32" "$(mode)" abt32
        expect_eq "hivecs/$B: pc = IFAR = 0xffff000c (the abort vector itself)" "$(gv pc)/$(gv ifar)/$(gv ifsr)" ffff000c/ffff000c/00000008
    else
        expect_eq "hivecs/$B: legacy board: no abort taken at all (-d int)" \
            "$(grep -c 'Prefetch Abort' "$L")" 0
        expect_match "hivecs/$B: failed fetches read as zero up to 0xfffffffc" "$(cat "$L")" 'Invalid read at addr 0xFFFFFFFC'
        expect_eq "hivecs/$B: still svc32, LR_svc = svc_insn+4" "$(mode)/$(gv lr)" "svc32/$(hex 0x$(gv svc_insn)+4)"
        ok_if "hivecs/$B: pc wrapped past 0xffffffff into low memory (pc=$(gv pc))" in_range 0x$(gv pc) 0 $RAM
    fi
    rm -f "$L"

    # ---- mmu: VA 0 unmapped, VBAR 0 -> Prefetch Abort at 0x8, then 0xc, for ever
    run_guest mmu $B "tiny: issuing svc" -d int -D "$T/mmu-$B.log"
    expect_eq "mmu/$B: UART ground truth: MMU on (UART mapped), svc issued, no handler" "$SER" \
        "$(printf 'tiny: boot\nmmu: on, VA 0x0-0xfffff unmapped\ntiny: issuing svc')"
    gdb_state ttb
    qemu_stop "$D"
    L=$T/mmu-$B.log
    expect_eq "mmu/$B: SCTLR$S.M = 1, VBAR$S = 0" "$(sctlr_bit 0)/$(gv vbar)" 1/00000000
    expect_eq "mmu/$B: stuck in abt32" "$(mode)" abt32
    expect_eq "mmu/$B: pc = IFAR = 0xc, IFSR = 0x5 (translation fault, section)" \
        "$(gv pc)/$(gv ifar)/$(gv ifsr)" 0000000c/0000000c/00000005
    expect_match "mmu/$B: gdb reads virtual addresses: 0x0 is unmapped for it too" "$GDB" 'Cannot access memory at address 0x0'
    expect_eq "mmu/$B: -d int: SVC, then Prefetch Abort IFAR 0x8, then IFAR 0xc" \
        "$(grep -E 'Taking exception|IFAR' "$L" | head -5 | paste -sd'|')" \
        "Taking exception 2 [SVC] on CPU 0|Taking exception 3 [Prefetch Abort] on CPU 0|...with IFSR 0x5 IFAR 0x8|Taking exception 3 [Prefetch Abort] on CPU 0|...with IFSR 0x5 IFAR 0xc"
    ok_if "mmu/$B: -d int: it loops (> 100 Prefetch Aborts, all at IFAR 0xc after the first)" \
        sh -c "[ \$(grep -c 'IFAR 0xc\$' '$L') -gt 100 ] && [ \$(grep IFAR '$L' | grep -cv 'IFAR 0xc\$') = 1 ]"
    rm -f "$L"

    # ---- ldrpc: 8 x ldr pc,[pc,#24] + literal pool -> the handler runs
    run_guest ldrpc $B "tiny: back from svc"
    expect_eq "ldrpc/$B: UART ground truth: handler ran and returned" "$SER" \
        "$(printf 'tiny: boot\ntiny: issuing svc\nsvc: handler ran\ntiny: back from svc')"
    gdb_state ldr_vectors ldr_pool svc_handler
    expect_eq "ldrpc/$B: VBAR$S = ldr_vectors" "$(gv vbar)" "$(gv ldr_vectors)"
    expect_eq "ldrpc/$B: the 8 words at VBAR are 0xe59ff018 (ldr pc, [pc, #24])" \
        "$(gv w0) $(gv w1) $(gv w2) $(gv w3) $(gv w4) $(gv w5) $(gv w6) $(gv w7)" \
        "$(printf 'e59ff018 %.0s' $(seq 8) | sed 's/ $//')"
    expect_eq "ldrpc/$B: the pool starts right after them" "$(gv ldr_pool)" "$(hex 0x$(gv ldr_vectors)+0x20)"
    expect_eq "ldrpc/$B: pool word for SVC (VBAR+0x28) = &svc_handler" \
        "$(timeout 30 gdb-multiarch -batch -nx "$ELF" -ex "target remote $D/gdb.sock" \
            -ex 'printf "%08x\n", *(unsigned int *)((char *)&ldr_vectors + 0x28)' 2>&1 | tail -2 | head -1)" \
        "$(gv svc_handler)"
    qemu_stop "$D"

    # ---- linuxvec: Linux's layout (MMU on, SCTLR.V, vector page at
    # 0xffff0000, stubs page above it) -> the handler runs
    run_guest linuxvec $B "tiny: back from svc"
    expect_eq "linuxvec/$B: UART ground truth: handler ran and returned" "$SER" \
        "$(printf 'tiny: boot\nlinuxvec: MMU on, vectors at 0xffff0000, stubs at 0xffff1000\ntiny: issuing svc\nsvc: handler ran\ntiny: back from svc')"
    gdb_state svc_handler
    expect_eq "linuxvec/$B: SCTLR$S.V = 1 and M = 1" "$(sctlr_bit 13)$(sctlr_bit 0)" 11
    expect_eq "linuxvec/$B: the SVC slot at 0xffff0008 is ldr pc, [pc, #4080]" "$(gv w2)" e59ffff0
    expect_eq "linuxvec/$B: its literal, the first word of the stubs page, = &svc_handler" \
        "$(timeout 30 gdb-multiarch -batch -nx "$ELF" -ex "target remote $D/gdb.sock" \
            -ex 'printf "%08x\n", *(unsigned int *)0xffff1000' 2>&1 | tail -2 | head -1)" \
        "$(gv svc_handler)"
    qemu_stop "$D"

    # ---- stubs: a table of 'b .' -> spins in the SVC stub
    run_guest stubs $B "tiny: issuing svc"
    expect_eq "stubs/$B: UART ground truth: svc issued, no handler" "$SER" \
        "$(printf 'tiny: boot\ntiny: issuing svc')"
    gdb_state stub_vectors svc_insn
    expect_eq "stubs/$B: VBAR$S = stub_vectors" "$(gv vbar)" "$(gv stub_vectors)"
    expect_eq "stubs/$B: the 8 words at VBAR are 0xeafffffe (b .)" \
        "$(gv w0) $(gv w1) $(gv w2) $(gv w3) $(gv w4) $(gv w5) $(gv w6) $(gv w7)" \
        "$(printf 'eafffffe %.0s' $(seq 8) | sed 's/ $//')"
    expect_eq "stubs/$B: pc = VBAR+0x8 in svc32, LR_svc = svc_insn+4" \
        "$(gv pc)/$(mode)/$(gv lr)" "$(hex 0x$(gv vbar)+8)/svc32/$(hex 0x$(gv svc_insn)+4)"
    qemu_stop "$D"

    # ---- undef: UDF in the SVC slot -> Undefined Instruction exception
    run_guest undef $B "undef: handler ran"
    expect_eq "undef/$B: UART ground truth: the undef handler ran, not the SVC one" "$SER" \
        "$(printf 'tiny: boot\ntiny: issuing svc\nundef: handler ran')"
    gdb_state undef_vectors undef_handler
    expect_eq "undef/$B: VBAR$S = undef_vectors" "$(gv vbar)" "$(gv undef_vectors)"
    expect_eq "undef/$B: VBAR+0x8 holds 0xe7f000f0 (udf #0)" "$(gv w2)" e7f000f0
    expect_eq "undef/$B: und32 in undef_handler, LR_und = VBAR+0x8+4" \
        "$(mode)/$(gv pc)/$(gv r4)" "und32/$(gv undef_handler)/$(hex 0x$(gv vbar)+0xc)"
    qemu_stop "$D"
done

no_qemu_left() { ! pgrep -af "qemu-system-arm .*$T/"; }
ok_if "no QEMU left running from this test" no_qemu_left
done_testing
