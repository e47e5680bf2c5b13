/*
 * hivecs: set SCTLR.V (bit 13) -> "high vectors": the vector base becomes
 * 0xFFFF0000 and VBAR is ignored.  To make that visible, VBAR is first set
 * to the image's working table (as in the vbar variant): if VBAR counted,
 * the handler would run.
 *
 * Neither vexpress-a9 nor virt has anything at 0xFFFF0000 (no RAM, no ROM,
 * no device), so the SVC's handler cannot be fetched.  What happens next
 * depends on the board, measured on QEMU 7.2 with -d int,guest_errors:
 *
 *   virt:        the fetch from 0xFFFF0008 is a bus error ("Invalid read at
 *                addr 0xFFFF0008 ... rejected") -> Prefetch Abort (IFSR 0x8,
 *                synchronous external abort, IFAR 0xFFFF0008) -> vector
 *                0xFFFF000C, whose fetch fails the same way -> Prefetch
 *                Abort again, for ever: abt32, PC = IFAR = 0xFFFF000C.
 *   vexpress-a9: a legacy board (QEMU sets ignore_memory_transaction_failures
 *                for it): the failed fetch is logged but NOT an abort -- it
 *                reads as zero, 'andeq r0,r0,r0'.  The CPU slides from
 *                0xFFFF0008 to 0xFFFFFFFC, wraps to 0x0 and on through the
 *                zero-filled flash, still in svc32.  (A debugger read of
 *                0xFFFF0000 fails all the same: "Cannot access memory".)
 *
 * Either way the UART shows "tiny: issuing svc" and nothing after.
 */
        .macro  variant_setup
        ldr     r0, =_vectors
        SET_VBAR r0                     @ a perfectly good VBAR ...
        mrc     p15, 0, r0, c1, c0, 0   @ SCTLR
        orr     r0, r0, #(1 << 13)      @ ... overridden by SCTLR.V
        mcr     p15, 0, r0, c1, c0, 0
        isb
        PUTS    "hivecs: SCTLR.V=1, vectors at 0xffff0000\n"
        .endm
