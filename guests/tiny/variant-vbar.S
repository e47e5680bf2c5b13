/*
 * vbar: point VBAR at the image's own table (_vectors, at RAM_BASE).  With
 * SCTLR.V=0 the SVC is taken to VBAR+0x8 = 'b svc_handler': the handler
 * runs and returns.  The working reference for every other variant.
 */
        .macro  variant_setup
        ldr     r0, =_vectors
        SET_VBAR r0
        .endm
