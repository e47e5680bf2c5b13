/*
 * sel4-vbar: a guest for the seL4 CAmkES VMM that sets VBAR correctly and
 * then faults somewhere other than the vector page.
 *
 * Raw binary, linked and entered at RAM_BASE (0x40000000 on virt) in SVC
 * mode with the MMU off.  It
 *   1. points VBAR at its own 32-byte-aligned table (sel4_vectors, placed
 *      after _start, so VBAR != the entry point) and prints
 *      "sel4-vbar: VBAR set to 0x........";
 *   2. prints "sel4-vbar: reading 0x0" and loads from address 0x0
 *      (read_insn: ldr r0, [r1] with r1 = 0).
 * Under the seL4 VMM (every IPA mapped on demand except page 0) that load
 * is a stage-2 data abort the VMM reports and stops on:
 *   Pagefault from [vm0]: read fault @ PC: <read_insn> IPA: 0x0, FSR: ...
 * On plain QEMU virt the flash at 0x0 answers: it prints
 * "sel4-vbar: read ok" and idles in a wfi loop.
 * A guest-level exception (if one is ever taken) lands in a handler that
 * prints "sel4-vbar: exception <name>, lr=0x........" and spins.
 *
 * Build flags: -DUART_BASE=<PL011 data register>; link with sel4-vbar.ld
 * and --defsym=RAM_BASE=<link base>.  No stack is used.
 */
        .syntax unified
        .arm

#include "../tiny/puts.S"

/* PUTHEX: print r0 as 0x%08x on the PL011 (clobbers r0-r3, no stack). */
        .macro  PUTHEX
        bl      puthex
        .endm

        .section .text.entry, "ax"
        .global _start
_start:
        ldr     r4, =sel4_vectors
        SET_VBAR r4
        PUTS    "sel4-vbar: VBAR set to "
        mrc     p15, 0, r0, c12, c0, 0  @ read back what the CPU holds
        PUTHEX
        PUTS    "\n"
        PUTS    "sel4-vbar: reading 0x0\n"
        mov     r1, #0
        .global read_insn
read_insn:
        ldr     r0, [r1]                @ stage-2 data abort under seL4
        PUTS    "sel4-vbar: read ok\n"
        .global idle
idle:   wfi
        b       idle

/* puthex(r0): "0x" + 8 hex digits.  Clobbers r0-r3. */
        .text
        .global puthex
puthex: ldr     r1, =UART_BASE
        mov     r2, #'0'
        str     r2, [r1]
        mov     r2, #'x'
        str     r2, [r1]
        mov     r3, #28
1:      lsr     r2, r0, r3
        and     r2, r2, #0xf
        cmp     r2, #10
        addlo   r2, r2, #'0'
        addhs   r2, r2, #('a' - 10)
        str     r2, [r1]
        subs    r3, r3, #4
        bpl     1b
        bx      lr

/* The vector table VBAR points at: one branch per exception. */
        .balign 32
        .global sel4_vectors
sel4_vectors:
        b       reset_handler           @ 0x00 reset
        b       undef_handler           @ 0x04 undefined instruction
        b       svc_handler             @ 0x08 supervisor call
        b       pabt_handler            @ 0x0c prefetch abort
        b       dabt_handler            @ 0x10 data abort
        b       hyp_handler             @ 0x14 not used outside Hyp mode
        b       irq_handler             @ 0x18 IRQ
        b       fiq_handler             @ 0x1c FIQ

/* Each handler: print its name and the exception LR, then spin. */
        .macro  HANDLER name, text
        .global \name
\name:  mov     r4, lr
        PUTS    "sel4-vbar: exception \text, lr="
        mov     r0, r4
        PUTHEX
        PUTS    "\n"
        b       .
        .endm

        HANDLER reset_handler, reset
        HANDLER undef_handler, undef
        HANDLER svc_handler, svc
        HANDLER pabt_handler, prefetch-abort
        HANDLER dabt_handler, data-abort
        HANDLER hyp_handler, hyp-slot
        HANDLER irq_handler, irq
        HANDLER fiq_handler, fiq
