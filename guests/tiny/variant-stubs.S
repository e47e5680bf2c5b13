/*
 * stubs: VBAR points at a table whose every entry is 'b .' (0xeafffffe).
 * The table is fetchable and decodes, but the SVC lands on an entry that
 * branches to itself: the CPU spins at stub_vectors+0x8 in svc32 and
 * svc_handler never runs.  This is what a placeholder table left by a
 * boot loader or an RTOS port looks like.
 */
        .section .text.variant, "ax"
        .align  5                       @ VBAR needs 32-byte alignment
        .global stub_vectors
stub_vectors:
        .rept   8
        b       .
        .endr

        .macro  variant_setup
        ldr     r0, =stub_vectors
        SET_VBAR r0
        .endm
