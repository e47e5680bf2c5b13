/*
 * stubs: VBAR_EL1 := stub_vectors, a second 2 KiB-aligned table in the
 * image whose every word is `b .` (0x14000000).  The table is mapped
 * (MMU off: RAM), fetchable and decodes, but the SVC lands on
 * stub_vectors + 0x200, which branches to itself: the CPU spins there in
 * EL1h with ESR_EL1 0x56000000 and ELR_EL1 = svc_insn + 4, and nothing is
 * printed after "a64: issuing svc".  What a placeholder table left by a
 * boot loader or an RTOS port looks like.  The good `vectors` table is in
 * the image all the same.
 */
        .section .text.variant, "ax"
        .balign 2048                    // VBAR_EL1[10:0] are RES0
        .global stub_vectors
stub_vectors:
        .rept   2048 / 4                // 16 slots x 32 instructions
        b       .
        .endr

        .macro  variant_setup
        adrp    x0, stub_vectors
        add     x0, x0, :lo12:stub_vectors
        msr     vbar_el1, x0
        isb
        .endm
