/*
 * undef: VBAR points at a table whose SVC slot (offset 0x8) holds a
 * permanently UNDEFINED encoding, 0xe7f000f0 ('udf #0').  Taking the SVC
 * fetches and executes it -> Undefined Instruction exception -> offset 0x4
 * of the same table, which reports and parks in und32 with r4 = LR_und
 * (the UDF's address + 4, i.e. undef_vectors + 0xc).  The UART shows
 * "undef: handler ran" instead of "svc: handler ran".
 */
        .section .text.variant, "ax"
        .align  5
        .global undef_vectors
undef_vectors:
        b       _start                  @ 0x00
        b       undef_report            @ 0x04 undefined instruction
        .word   0xe7f000f0              @ 0x08 SVC slot: UDF #0
        b       pabt_handler            @ 0x0c
        b       dabt_handler            @ 0x10
        b       .                       @ 0x14
        b       irq_handler             @ 0x18
        b       fiq_handler             @ 0x1c

        .global undef_report
undef_report:
        mov     r4, lr                  @ LR_und = UDF address + 4: keep it
        PUTS    "undef: handler ran\n"
        b       undef_handler

        .macro  variant_setup
        ldr     r0, =undef_vectors
        SET_VBAR r0
        .endm
