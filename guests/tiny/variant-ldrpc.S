/*
 * ldrpc: the classic ARM vector table, 8 x 'ldr pc, [pc, #24]' (0xe59ff018)
 * followed by a literal pool of 8 handler addresses.  In ARM state PC reads
 * as the instruction's address + 8, so the entry at offset n loads the word
 * at n + 8 + 24 = n + 0x20: the pool entry with the same index.  Unlike
 * 'b handler' (+-32 MiB), this reaches a handler anywhere in the 4 GiB
 * space.  VBAR := ldr_vectors, so the SVC loads pc from ldr_vectors+0x28 =
 * &svc_handler: the handler runs and returns.
 */
        .section .text.variant, "ax"
        .align  5
        .global ldr_vectors, ldr_pool
ldr_vectors:
        .rept   8
        ldr     pc, [pc, #24]
        .endr
ldr_pool:
        .word   _start, undef_handler, svc_handler, pabt_handler
        .word   dabt_handler, idle, irq_handler, fiq_handler

        .macro  variant_setup
        ldr     r0, =ldr_vectors
        SET_VBAR r0
        .endm
