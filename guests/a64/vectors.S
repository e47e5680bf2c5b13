/*
 * vectors.S - the a64 guests' own EL1 vector table, `vectors`, present in
 * every variant's image (also where the variant does not use it, so a
 * tool can name the table VBAR_EL1 should have held).
 *
 * AArch64 vector table: 2 KiB aligned (VBAR_EL1[10:0] are RES0), 16 slots
 * of 0x80 bytes (32 instructions), the slot chosen by where the exception
 * comes from and by its type:
 *
 *   0x000 cur_sp0.*     from the current EL while using SP_EL0 (EL1t)
 *   0x200 cur_spx.*     from the current EL while using SP_ELx (EL1h)
 *   0x400 lower_a64.*   from a lower EL (EL0) in AArch64
 *   0x600 lower_a32.*   from a lower EL (EL0) in AArch32
 *   + 0x000 sync, 0x080 irq, 0x100 fiq, 0x180 serror
 *
 * The guests run in EL1h, so `svc #0` is a synchronous exception from the
 * current EL with SP_EL1: VBAR_EL1 + 0x200, cur_spx.sync, ESR_EL1 =
 * EC 0x15 (SVC from AArch64) << 26 | IL << 25 | imm16 0 = 0x56000000.
 *
 * Taking an exception to EL1 always selects SP_EL1, whichever group the
 * slot is for, so every handler can save registers on the guest's stack.
 *
 * Every slot is its own handler (global vec_<group>_<type>, at its own
 * offset).  It saves the registers it uses, then prints
 *     "a64: took <type> at VBAR_EL1+0x<off> (<group>.<type>), ESR_EL1 0x<esr>"
 * where <off> is computed at run time as (this slot's address - VBAR_EL1):
 * the line says which slot the CPU really entered, relative to the vector
 * base it really used.  An SVC (ESR_EL1.EC 0x15) returns with eret to
 * ELR_EL1, which already points after the SVC (preferred return address of
 * an SVC is the next instruction: nothing to advance).  Anything else
 * cannot be returned from meaningfully (eret would re-execute the faulting
 * instruction and print for ever), so the handler parks at `unexpected`.
 */
        .section .text.vectors, "ax"

        .macro  SLOT group, type
        .balign 128
        .global vec_\group\()_\type
vec_\group\()_\type:
        sub     sp, sp, #80
        stp     x0, x1, [sp, #0]
        stp     x2, x3, [sp, #16]
        stp     x4, x5, [sp, #32]
        stp     x6, x7, [sp, #48]
        str     x30, [sp, #64]
        adr     x5, vec_\group\()_\type
        adrp    x6, 9001f
        add     x6, x6, :lo12:9001f
        adrp    x7, 9002f
        add     x7, x7, :lo12:9002f
        b       vec_report
        .pushsection .rodata
9001:   .asciz  "\type"
9002:   .asciz  "\group\().\type"
        .popsection
        .endm

        .balign 2048
        .global vectors
vectors:
        SLOT    cur_sp0, sync           // 0x000
        SLOT    cur_sp0, irq            // 0x080
        SLOT    cur_sp0, fiq            // 0x100
        SLOT    cur_sp0, serror         // 0x180
        SLOT    cur_spx, sync           // 0x200  <- svc #0 from EL1h
        SLOT    cur_spx, irq            // 0x280
        SLOT    cur_spx, fiq            // 0x300
        SLOT    cur_spx, serror         // 0x380
        SLOT    lower_a64, sync         // 0x400
        SLOT    lower_a64, irq          // 0x480
        SLOT    lower_a64, fiq          // 0x500
        SLOT    lower_a64, serror       // 0x580
        SLOT    lower_a32, sync         // 0x600
        SLOT    lower_a32, irq          // 0x680
        SLOT    lower_a32, fiq          // 0x700
        SLOT    lower_a32, serror       // 0x780
        .balign 128
        .global vectors_end
vectors_end:

/* vec_report: x5 = the slot's address, x6 = its type, x7 = its name; the
 * caller's x0-x7 and x30 are saved on the stack (80 bytes). */
        .text
        .global vec_report, unexpected
vec_report:
        PUTS    "a64: took "
        mov     x0, x6
        bl      puts
        PUTS    " at VBAR_EL1+0x"
        mrs     x1, vbar_el1
        sub     x0, x5, x1
        mov     x1, #3
        bl      puthex
        PUTS    " ("
        mov     x0, x7
        bl      puts
        PUTS    "), ESR_EL1 0x"
        mrs     x0, esr_el1             // 64 bits wide since Armv8.7 (ISS2):
        mov     x1, #8                  // print 16 digits if the top half is set
        lsr     x2, x0, #32
        cbz     x2, 1f
        mov     x1, #16
1:      bl      puthex
        PUTS    "\n"
        mrs     x0, esr_el1
        ubfx    x0, x0, #26, #6         // EC
        cmp     x0, #0x15               // SVC from AArch64
        b.ne    unexpected
        ldp     x0, x1, [sp, #0]
        ldp     x2, x3, [sp, #16]
        ldp     x4, x5, [sp, #32]
        ldp     x6, x7, [sp, #48]
        ldr     x30, [sp, #64]
        add     sp, sp, #80
        eret                            // to ELR_EL1 = svc_insn + 4
unexpected:
        wfi
        b       unexpected
