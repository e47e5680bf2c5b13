# tests/integration/a64_guests.sh - the AArch64 guests (guests/a64/) do,
# under real qemu-system-aarch64 -M virt, what guests/a64/variant-*.S say.
#
# First the ELFs themselves (aarch64-linux-gnu-nm/objdump): the symbols the
# tool relies on (vectors, stub_vectors, svc_insn, idle) and their
# alignment.  Then, for each variant x cpu (cortex-a53, cortex-a57, max):
# run it, check the UART ground truth line for line (the handler line for
# vbar and the alias variants; "a64: mmu on" for unmapped and the alias
# variants), then halt it with gdb-multiarch and check the state that
# explains the outcome (VBAR_EL1, PC, ESR_EL1, ELR_EL1, FAR_EL1, the words
# at the vector).  The alias variants (mmu16k, mmu64k, ttbr1: VBAR_EL1 a
# second VA of `vectors`, through 16 KiB, 64 KiB and TTBR1 4 KiB tables)
# also: their static tables aligned to the granule in the ELF; VBAR_EL1 =
# the alias VA, TCR_EL1 the intended value and granule, TTBRn = the
# tables; the word at the alias VA + 0x200 (gdb reads through the MMU) is
# the one at vectors + 0x200; and QEMU's -d int log holds exactly one
# exception, the SVC, entered at the alias VA + 0x200 and returned from to
# svc_insn + 4.  mmu16k on cortex-a53/a57 (no 16 KiB granule) refuses
# instead: its own line, MMU off, parked in idle.  Last, vbar started in EL2
# (virtualization=on), EL3 (secure=on) and EL3 with EL2 (both): the same
# UART lines, and QEMU's exception log (-d int) shows the eret down to
# EL1 at el1_entry.
#
# Every QEMU runs with -monitor none, its gdbstub on a unix socket in a
# 0700 directory under $HVP_TEST_TMP, inside `timeout 30`, and is stopped
# (or killed) before the test ends.
. tests/lib/tap.sh
. tests/lib/bgqemu.sh
T=$HVP_TEST_TMP/a64_guests
mkdir -p "$T" && chmod 700 "$T"
A64CROSS=${A64CROSS:-aarch64-linux-gnu-}
NM=${A64CROSS}nm OBJDUMP=${A64CROSS}objdump
CPUS="cortex-a53 cortex-a57 max"
VARIANTS="low vbar unmapped stubs mmu16k mmu64k ttbr1"
# The alias variants (guests/a64/variant-<v>.S): alias base (VA of
# RAM_BASE), TCR_EL1, TG0 (TCR_EL1[15:14]: 0 4K, 1 64K, 2 16K), granule,
# TTBR0 table, TTBR1 table (- for none).
RAM_BASE=0x40000000
ALIAS_mmu16k="0x0000801003000000 0x24090b510 2 0x4000 pt16_l0 -"
ALIAS_mmu64k="0x0000004010000000 0x2c0997519 1 0x10000 pt64_l2 -"
ALIAS_ttbr1="0xffff808080600000 0x2b5103519 0 0x1000 pt4_l1 ptk_l0"

# a64_start DIR MACHINE CPU ELF [QEMU-ARGS...]: the guest on
# qemu-system-aarch64 in the background (tests/lib/bgqemu.sh).
a64_start() {
    local dir=$1 machine=$2 cpu=$3 elf=$4; shift 4
    bg_start "$dir" qemu-system-aarch64 -M "$machine" -cpu "$cpu" \
        -nodefaults -display none -monitor none -m 128M \
        -serial "file:$dir/serial.txt" -kernel "$elf" \
        -gdb "unix:$dir/gdb.sock,server=on,wait=off" "$@"
}
stop_all() { local d; for d in "$T"/*/; do [ -d "$d" ] && bg_stop "${d%/}"; done; }
trap stop_all EXIT

# run VARIANT CPU MACHINE TEXT SETTLE [QEMU-ARGS...]: boot a64-VARIANT-virt,
# wait (5 s at most) for TEXT on the UART, then SETTLE seconds for anything
# that should not come.  Sets D, ELF and SER (the UART text).
run() {
    local v=$1 cpu=$2 machine=$3 text=$4 settle=$5; shift 5
    D=$T/$v-$cpu-${machine//[,=]/_} ELF=$GUESTS/a64-$v-virt.elf SER=
    a64_start "$D" "$machine" "$cpu" "$ELF" "$@" || return 1
    for _ in $(seq 1 100); do
        grep -qF "$text" "$D/serial.txt" 2>/dev/null && break
        sleep 0.05
    done
    sleep "$settle"
    SER=$(cat "$D/serial.txt")
}

# gdb_state [ADDR...]: halt the guest with gdb-multiarch and record
# NAME=0xHEX lines for pc, cpsr and the EL1 system registers, and mADDR=
# the word at each ADDR (or gdb's "Cannot access memory" error).
# QEMU 7.2 names VBAR_EL1 and SCTLR_EL1 "VBAR" and "SCTLR" in its gdb
# register list; both spellings are accepted.
gdb_state() {
    local args=() a
    for a in "$@"; do args+=(-ex "printf \"m$a=0x%x\\n\", *(unsigned int *)$a"); done
    GDB=$(timeout 30 gdb-multiarch -batch -nx "$ELF" -ex "target remote $D/gdb.sock" \
        -ex "info registers all" "${args[@]}" 2>&1)
}
reg() {
    printf '%s\n' "$GDB" | awk -v a="$1" -v b="${2:-$1}" '($1 == a || $1 == b) && $2 ~ /^0x/ { print $2; exit }'
}
mem() { printf '%s\n' "$GDB" | sed -n "s/^m$1=//p" | head -1; }
sym() { local a; a=$($NM "$1" | awk -v s="$2" '$3 == s { print $1; exit }'); [ -z "$a" ] || printf '0x%x\n' "0x$a"; }
hex() { printf '0x%x' "$(($1))"; }
in_range() { [ $(($1)) -ge $(($2)) ] && [ $(($1)) -lt $(($3)) ]; }

BOOT="a64: boot (EL1)"
ISSUE="a64: issuing svc"
TOOK="a64: took sync at VBAR_EL1+0x200 (cur_spx.sync), ESR_EL1 0x56000000"
BACK="a64: back from svc"
WANT_low=$(printf '%s\n%s' "$BOOT" "$ISSUE")
WANT_vbar=$(printf '%s\n%s\n%s\n%s' "$BOOT" "$ISSUE" "$TOOK" "$BACK")
WANT_unmapped=$(printf '%s\na64: mmu on\n%s' "$BOOT" "$ISSUE")
WANT_stubs=$WANT_low
WANT_alias=$(printf '%s\na64: mmu on\n%s\n%s\n%s' "$BOOT" "$ISSUE" "$TOOK" "$BACK")
WANT_no16k=$(printf '%s\n%s' "$BOOT" "a64: no 16 KiB granule (ID_AA64MMFR0_EL1.TGran16 0): mmu off, no svc")

# ---- the images: symbols and alignment
for v in $VARIANTS; do
    E=$GUESTS/a64-$v-virt.elf
    ok_if "$v: $E exists (make guests)" test -f "$E"
    vec=$(sym "$E" vectors) svc=$(sym "$E" svc_insn) idle=$(sym "$E" idle)
    ok_if "$v: vectors ($vec) is 2 KiB aligned; svc_insn ($svc) and idle ($idle) are defined" \
        sh -c "[ -n '$vec' ] && [ \$(($vec & 0x7ff)) = 0 ] && [ -n '$svc' ] && [ -n '$idle' ]"
    expect_eq "$v: the 16 slots are 0x80 apart, cur_spx.sync at vectors+0x200, lower_a32.serror at +0x780" \
        "$(sym "$E" vec_cur_sp0_sync) $(sym "$E" vec_cur_spx_sync) $(sym "$E" vec_lower_a32_serror) $(sym "$E" vectors_end)" \
        "$vec $(hex "$vec"+0x200) $(hex "$vec"+0x780) $(hex "$vec"+0x800)"
    expect_match "$v: svc_insn is svc #0" \
        "$($OBJDUMP -d --start-address="$svc" --stop-address="$(hex "$svc"+4)" "$E")" \
        '[[:space:]]d4000001[[:space:]]+svc[[:space:]]+#0x0'
done
E=$GUESTS/a64-stubs-virt.elf
sv=$(sym "$E" stub_vectors)
ok_if "stubs: stub_vectors ($sv) is 2 KiB aligned, apart from vectors" \
    sh -c "[ -n '$sv' ] && [ \$(($sv & 0x7ff)) = 0 ] && [ '$sv' != '$(sym "$E" vectors)' ]"
expect_eq "stubs: all 512 words of stub_vectors are 'b .' (0x14000000)" \
    "$($OBJDUMP -d --start-address="$sv" --stop-address="$(hex "$sv"+0x800)" "$E" | grep -cE '^ *[0-9a-f]+:[[:space:]]+14000000[[:space:]]+b[[:space:]]')" 512
for v in low vbar unmapped mmu16k mmu64k ttbr1; do
    expect_eq "$v: no stub_vectors in this image" "$(sym "$GUESTS/a64-$v-virt.elf" stub_vectors)" ""
done
for v in mmu16k mmu64k ttbr1; do
    E=$GUESTS/a64-$v-virt.elf
    eval "set -- \$ALIAS_$v"
    gran=$4
    tables=$($NM "$E" | awk '$2 == "D" && $3 ~ /^pt/ { print "0x" $1 }')
    misaligned=$(for a in $tables; do [ $((a & (gran - 1))) = 0 ] || echo "$a"; done)
    ok_if "$v: $(echo $tables | wc -w) page tables in .data, each aligned to the $((gran / 1024)) KiB granule" \
        sh -c "[ -n '$tables' ] && [ -z '$misaligned' ]"
    expect_eq "$v: the map covers RAM_BASE..a64_map_end = 0x40200000 and the image (_end) ends below it" \
        "$(sym "$E" a64_map_end) $(( $(sym "$E" _end) <= 0x40200000 ))" "0x40200000 1"
done

# ---- each variant on each cpu
for C in $CPUS; do
    # low: VBAR_EL1 = 0 -> 0x200 in the empty flash: udf #0, again and again
    run low "$C" virt "$ISSUE" 1
    expect_eq "low/$C: UART ground truth: boot, svc issued, no handler" "$SER" "$WANT_low"
    gdb_state 0x0 0x200
    expect_eq "low/$C: VBAR_EL1 0; 0x0 and 0x200 (flash) hold 0 (udf #0, no DTB)" \
        "$(reg VBAR_EL1 VBAR) $(mem 0x0) $(mem 0x200)" "0x0 0x0 0x0"
    expect_eq "low/$C: udf loop: pc = ELR_EL1 = 0x200, ESR_EL1 0x2000000 (EC 0, unknown), EL1h" \
        "$(reg pc) $(reg ELR_EL1) $(reg ESR_EL1) $(reg cpsr)" "0x200 0x200 0x2000000 0x3c5"
    bg_stop "$D"

    # vbar: VBAR_EL1 := vectors -> the cur_spx.sync handler runs and returns
    run vbar "$C" virt "$BACK" 0.3
    expect_eq "vbar/$C: UART ground truth: handler line, back from svc" "$SER" "$WANT_vbar"
    gdb_state
    E=$ELF
    expect_eq "vbar/$C: VBAR_EL1 = vectors, ESR_EL1 0x56000000, ELR_EL1 = svc_insn+4" \
        "$(reg VBAR_EL1 VBAR) $(reg ESR_EL1) $(reg ELR_EL1)" \
        "$(sym "$E" vectors) 0x56000000 $(hex "$(sym "$E" svc_insn)"+4)"
    ok_if "vbar/$C: pc parked in idle ($(reg pc))" in_range "$(reg pc)" "$(sym "$E" idle)" "$(sym "$E" idle)+8"
    bg_stop "$D"

    # unmapped: MMU on, VBAR_EL1 := an unmapped page -> Instruction Abort loop
    run unmapped "$C" virt "$ISSUE" 1
    E=$ELF up=$(sym "$ELF" unmapped_page)
    expect_eq "unmapped/$C: UART ground truth: mmu on, svc issued, no handler" "$SER" "$WANT_unmapped"
    gdb_state "$(hex "$up"+0x200)"
    expect_eq "unmapped/$C: SCTLR_EL1.M = 1, VBAR_EL1 = unmapped_page ($up)" \
        "$(( $(reg SCTLR_EL1 SCTLR) & 1 )) $(reg VBAR_EL1 VBAR)" "1 $up"
    expect_eq "unmapped/$C: abort loop: pc = ELR_EL1 = FAR_EL1 = VBAR+0x200, ESR_EL1 0x86000007 (IABT, L3 translation)" \
        "$(reg pc) $(reg ELR_EL1) $(reg FAR_EL1) $(reg ESR_EL1)" \
        "$(hex "$up"+0x200) $(hex "$up"+0x200) $(hex "$up"+0x200) 0x86000007"
    expect_match "unmapped/$C: gdb (reading VAs) cannot read the vector either" \
        "$(mem "$(hex "$up"+0x200)")" 'Cannot access memory'
    bg_stop "$D"

    # stubs: VBAR_EL1 := stub_vectors -> spins on 'b .' at +0x200
    run stubs "$C" virt "$ISSUE" 1
    E=$ELF sv=$(sym "$ELF" stub_vectors)
    expect_eq "stubs/$C: UART ground truth: svc issued, no handler" "$SER" "$WANT_stubs"
    gdb_state "$(hex "$sv"+0x200)"
    expect_eq "stubs/$C: VBAR_EL1 = stub_vectors, pc = VBAR+0x200 holding 0x14000000 (b .)" \
        "$(reg VBAR_EL1 VBAR) $(reg pc) $(mem "$(hex "$sv"+0x200)")" "$sv $(hex "$sv"+0x200) 0x14000000"
    expect_eq "stubs/$C: the SVC was taken: ESR_EL1 0x56000000, ELR_EL1 = svc_insn+4" \
        "$(reg ESR_EL1) $(reg ELR_EL1)" "0x56000000 $(hex "$(sym "$E" svc_insn)"+4)"
    bg_stop "$D"

    # mmu16k, mmu64k, ttbr1: MMU on, VBAR_EL1 := vectors' alias VA -> the
    # handler runs there (mmu16k only where the CPU has the 16 KiB granule)
    for v in mmu16k mmu64k ttbr1; do
        eval "set -- \$ALIAS_$v"
        base=$1 tcr=$2 tg0=$3 t0=$5 t1=$6
        E=$GUESTS/a64-$v-virt.elf
        vec=$(sym "$E" vectors) svc=$(sym "$E" svc_insn) idle=$(sym "$E" idle)
        va=$(hex "$vec - $RAM_BASE + $base")
        L=$T/$v-$C-int.log
        if [ "$v" = mmu16k ] && [ "$C" != max ]; then
            run "$v" "$C" virt "mmu off, no svc" 1 -d int -D "$L"
            expect_eq "$v/$C: UART ground truth: no 16 KiB granule here, so no MMU and no svc" "$SER" "$WANT_no16k"
            gdb_state
            expect_eq "$v/$C: SCTLR_EL1.M 0, VBAR_EL1 0, TCR_EL1 0, TTBR0_EL1 0: nothing programmed" \
                "$(( $(reg SCTLR_EL1 SCTLR) & 1 )) $(reg VBAR_EL1 VBAR) $(reg TCR_EL1) $(reg TTBR0_EL1)" "0 0x0 0x0 0x0"
            ok_if "$v/$C: pc parked in idle ($(reg pc))" in_range "$(reg pc)" "$idle" "$idle+8"
            bg_stop "$D"
            expect_eq "$v/$C: -d int: no exception taken" "$(grep -c '^Taking' "$L")" 0
            rm -f "$L"
            continue
        fi
        run "$v" "$C" virt "$BACK" 0.3 -d int -D "$L"
        expect_eq "$v/$C: UART ground truth: mmu on, handler line through the alias, back from svc" "$SER" "$WANT_alias"
        gdb_state "$(hex "$va"+0x200)" "$(hex "$vec"+0x200)"
        expect_eq "$v/$C: SCTLR_EL1.M = 1, VBAR_EL1 = vectors' alias VA $va (vectors at PA $vec)" \
            "$(( $(reg SCTLR_EL1 SCTLR) & 1 )) $(reg VBAR_EL1 VBAR)" "1 $va"
        expect_eq "$v/$C: TCR_EL1 = $tcr, TG0 = $tg0" \
            "$(reg TCR_EL1) $(( ($(reg TCR_EL1) >> 14) & 3 ))" "$tcr $tg0"
        if [ "$t1" = - ]; then
            expect_eq "$v/$C: TTBR0_EL1 = $t0; EPD1 set, TTBR1_EL1 0" \
                "$(reg TTBR0_EL1) $(( ($(reg TCR_EL1) >> 23) & 1 )) $(reg TTBR1_EL1)" "$(sym "$E" "$t0") 1 0x0"
        else
            expect_eq "$v/$C: TTBR0_EL1 = $t0, TTBR1_EL1 = $t1; EPD1 0, T1SZ 16, TG1 2 (4 KiB)" \
                "$(reg TTBR0_EL1) $(reg TTBR1_EL1) $(( ($(reg TCR_EL1) >> 23) & 1 )) $(( ($(reg TCR_EL1) >> 16) & 63 )) $(( ($(reg TCR_EL1) >> 30) & 3 ))" \
                "$(sym "$E" "$t0") $(sym "$E" "$t1") 0 16 2"
        fi
        expect_eq "$v/$C: the alias VA + 0x200 holds vectors + 0x200's word, 0xd10143ff (sub sp, sp, #80)" \
            "$(mem "$(hex "$va"+0x200)") $(mem "$(hex "$vec"+0x200)")" "0xd10143ff 0xd10143ff"
        expect_eq "$v/$C: the SVC was taken: ESR_EL1 0x56000000, ELR_EL1 = svc_insn+4" \
            "$(reg ESR_EL1) $(reg ELR_EL1)" "0x56000000 $(hex "$svc"+4)"
        ok_if "$v/$C: pc parked in idle ($(reg pc))" in_range "$(reg pc)" "$idle" "$idle+8"
        bg_stop "$D"
        expect_eq "$v/$C: -d int: one exception, the SVC, entered at the alias VA + 0x200, returned to svc_insn+4" \
            "$(grep -E '^Taking|^\.\.\.to EL|^Exception return' "$L" | paste -sd'|')" \
            "Taking exception 2 [SVC] on CPU 0|...to EL1 PC $(hex "$va"+0x200) PSTATE 0x3c5|Exception return from AArch64 EL1 to AArch64 EL1 PC $(hex "$svc"+4)"
        rm -f "$L"
    done
done

# ---- the drop to EL1: started in EL2, EL3, EL3 with EL2
E=$GUESTS/a64-vbar-virt.elf
for M in virt,virtualization=on:EL2 virt,secure=on:EL3 virt,secure=on,virtualization=on:EL3; do
    machine=${M%:*} from=${M##*:}
    run vbar cortex-a57 "$machine" "$BACK" 0.3 -d int -D "$T/vbar-$from-${machine//[,=]/_}.log"
    expect_eq "vbar/-M $machine: UART ground truth: boot (EL1), handler line, back from svc" "$SER" "$WANT_vbar"
    bg_stop "$D"
    L=$T/vbar-$from-${machine//[,=]/_}.log
    expect_eq "vbar/-M $machine: -d int: started in $from, eret to EL1 at el1_entry, SVC taken EL1 to EL1" \
        "$(grep -E '^Exception return|^Taking|^\.\.\.from' "$L" | head -3 | paste -sd'|')" \
        "Exception return from AArch64 $from to AArch64 EL1 PC $(sym "$E" el1_entry)|Taking exception 2 [SVC] on CPU 0|...from EL1 to EL1"
    rm -f "$L"
done

no_qemu_left() { ! pgrep -af "qemu-system-aarch64 .*$T/"; }
ok_if "no QEMU left running from this test" no_qemu_left
done_testing
