/*
 * vbar: VBAR_EL1 := vectors (the image's own table); isb so the next
 * exception uses it.  The SVC is taken to vectors + 0x200, whose handler
 * prints "a64: took sync at VBAR_EL1+0x200 (cur_spx.sync), ESR_EL1
 * 0x56000000" and erets to svc_insn + 4: "a64: back from svc".  The working
 * reference for the other variants.
 */
        .macro  variant_setup
        adrp    x0, vectors
        add     x0, x0, :lo12:vectors
        msr     vbar_el1, x0
        isb
        .endm
