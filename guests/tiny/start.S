/*
 * tiny: the smallest guest that shows ARMv7-A exception routing.
 *
 * A vector table (_vectors) sits at the start of the image (the link
 * address: 0x60000000 on vexpress-a9, 0x40000000 on virt).  The guest
 * prints, executes SVC, and prints again if the SVC handler returns.
 * Whether the CPU ever reaches svc_handler depends on one thing: what the
 * CPU finds at <vector base> + 0x8.  The vector base is
 *
 *     SCTLR.V == 1  ->  0xFFFF0000 ("high vectors"), whatever VBAR says
 *     SCTLR.V == 0  ->  VBAR of the current security state (VBAR_S in
 *                       Secure state; reset value 0)
 *
 * (Monitor mode would use MVBAR, Hyp mode HVBAR; tiny never runs there.)
 *
 * Each variant (guests/tiny/variant-<name>.S, chosen with
 * -DVARIANT_FILE) provides the macro `variant_setup`, run just before the
 * SVC, and any extra tables or code it needs.  See those files for why
 * each one works or fails.  UART ground truth, common to all variants:
 *
 *     "tiny: boot"              reached _start
 *     "tiny: issuing svc"       the next instruction is SVC #0
 *     "svc: handler ran"        the SVC exception reached svc_handler
 *     "tiny: back from svc"     ... and returned
 *
 * Build flags: -DUART_BASE=<PL011 data register> -DVARIANT_FILE="<file>";
 * link with tiny.ld and --defsym=RAM_BASE=<link base>.
 */
        .syntax unified
        .arm

#include "puts.S"
#include VARIANT_FILE

/* The image's own vector table: plain branches, one per exception. */
        .section .text.vectors, "ax"
        .global _vectors
_vectors:
        b       _start                  @ 0x00 reset
        b       undef_handler           @ 0x04 undefined instruction
        b       svc_handler             @ 0x08 supervisor call (SVC)
        b       pabt_handler            @ 0x0c prefetch abort
        b       dabt_handler            @ 0x10 data abort
        b       .                       @ 0x14 hyp trap / not used
        b       irq_handler             @ 0x18 IRQ
        b       fiq_handler             @ 0x1c FIQ

        .text
        .global _start
_start:
        ldr     sp, =stack_top
        PUTS    "tiny: boot\n"
        variant_setup
        PUTS    "tiny: issuing svc\n"
        .global svc_insn
svc_insn:
        svc     #0
        PUTS    "tiny: back from svc\n"
        .global idle
idle:   wfi
        b       idle

#include "handlers.S"
