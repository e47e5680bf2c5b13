/*
 * probe.S - the matrix probe's vector tables and entry (probe.c has the
 * flow).  A probe takes ONE exception (PROBE_EXC) under ONE vector
 * placement (PROBE_PLACE) and says on the UART which handler ran, so each
 * cell of `hvprobe matrix` has the guest's own word as its ground truth.
 *
 *   _vectors     the guest's table: VBAR in placement vbar; copied to the
 *                page mapped at 0xffff0000 in placement high.  Every slot is
 *                `ldr pc, [pc, #24]` with its handler's address 32 bytes on,
 *                so the copy works wherever it lies.
 *   hyp_vectors  HVBAR, when the probe starts in Hyp mode (virt with
 *                virtualization=on): placement s2 (its own stage 2 maps
 *                nothing at IPA 0) and exception serror (HCR.VA) need it.
 *
 * probe_raise is the instruction that raises the exception (or, for an
 * interrupt, the first of the loop that waits for it with it unmasked):
 * `hvprobe matrix` captures the guest there.
 */
#include "../rtos/rtos.h"
#include "probe.h"

        .syntax unified
        .arm
        .arch_extension sec
        .arch_extension virt

        .section .freertos_vectors, "ax"
        .global _vectors, _vectors_end
_vectors:
        ldr     pc, [pc, #24]           @ 0x00 reset
        ldr     pc, [pc, #24]           @ 0x04 undefined instruction
        ldr     pc, [pc, #24]           @ 0x08 svc
        ldr     pc, [pc, #24]           @ 0x0c prefetch abort
        ldr     pc, [pc, #24]           @ 0x10 data abort (also asynchronous)
        ldr     pc, [pc, #24]           @ 0x14 (hyp trap: unused at PL1)
        ldr     pc, [pc, #24]           @ 0x18 irq
        ldr     pc, [pc, #24]           @ 0x1c fiq
        .word   _start, pl1_und, pl1_svc, pl1_pabt, pl1_dabt, pl1_hyp, pl1_irq, pl1_fiq
_vectors_end:

        .align  5
        .global hyp_vectors
hyp_vectors:
        b       hyp_0x00
        b       hyp_0x04
        b       hyp_0x08
        b       hyp_0x0c
        b       hyp_0x10
        b       hyp_0x14                @ hyp trap: the guest's stage-2 fault
        b       hyp_0x18
        b       hyp_0x1c

        .section .text.boot, "ax"
        .global _start
_start:
        /* .bss first (stacks, page tables, flags): nothing may rely on
         * RAM starting zeroed. */
        ldr     r0, =_bss_start
        ldr     r1, =_bss_end
        mov     r2, #0
1:      cmp     r0, r1
        strlo   r2, [r0], #4
        blo     1b
        mrs     r0, cpsr
        and     r0, r0, #0x1f
        cmp     r0, #MODE_HYP
        bne     svc_entry
        /* Started in Hyp: HVBAR, then probe.c sets HCR (and stage 2), and
         * the probe itself runs in svc32 like any guest. */
        ldr     sp, =hyp_stack_top
        ldr     r0, =hyp_vectors
        mcr     p15, 4, r0, c12, c0, 0  @ HVBAR
        bl      probe_hyp_setup
        ldr     r0, =svc_entry
        msr     ELR_hyp, r0
        mov     r0, #(0x1c0 | MODE_SVC)
        msr     spsr_cxsf, r0
        eret
svc_entry:
        ldr     sp, =svc_stack_top
        cps     #MODE_IRQ
        ldr     sp, =irq_stack_top
        cps     #MODE_FIQ
        ldr     sp, =fiq_stack_top
        cps     #MODE_ABT
        ldr     sp, =abt_stack_top
        cps     #MODE_UND
        ldr     sp, =und_stack_top
        cps     #MODE_SVC
        bl      probe_main
        /* probe_main returns only when the probe cannot run here (it said
         * why): idle. */
        .global probe_idle
probe_idle:
        cpsid   aif
1:      wfi
        b       1b

/* probe_raise_exception: raise PROBE_EXC, with the placement set up.
 * Synchronous exceptions: the raising instruction is probe_raise.
 * Interrupts: unmask, then at probe_raise call probe_wait, which arms a
 * timer that fires 10 ms later (after the capture: no interrupt can come
 * before the breakpoint) and gives up after PROBE_WAIT_S. */
        .global probe_raise_exception, probe_raise
probe_raise_exception:
#if PROBE_EXC == EXC_SVC
probe_raise:
        svc     #0
#elif PROBE_EXC == EXC_UNDEF
probe_raise:
        udf     #0
#elif PROBE_EXC == EXC_PABT
probe_raise:
        bkpt    #0                      @ a debug event: Prefetch Abort, IFSR 0x2
#elif PROBE_EXC == EXC_DABT
        mrc     p15, 0, r0, c1, c0, 0
        orr     r0, r0, #(1 << 1)       @ SCTLR.A: alignment faults on
        mcr     p15, 0, r0, c1, c0, 0
        isb
        ldr     r1, =probe_word
        add     r1, r1, #1
probe_raise:
        ldr     r0, [r1]                @ unaligned: Data Abort, DFSR 0x1
#elif PROBE_EXC == EXC_IRQ
        cpsie   i
probe_raise:
        bl      probe_wait
#elif PROBE_EXC == EXC_FIQ
        cpsie   f
probe_raise:
        bl      probe_wait
#elif PROBE_EXC == EXC_SERROR
        /* HCR.VA is pending (probe_hyp_setup): taken once CPSR.A is 0. */
probe_raise:
        cpsie   a
        bl      probe_wait
#endif
        /* Still here: the exception was not taken (probe.c says why). */
        b       probe_not_taken

/* PL1 handlers: which slot ran (r0 = its offset), then probe_report
 * prints and stops.  The stack of the mode taken is set at start. */
        .macro  PL1_ENTRY name, off
\name:
        mov     r0, #\off
        mov     r1, lr
        b       probe_report
        .endm
        PL1_ENTRY pl1_und, 0x04
        PL1_ENTRY pl1_svc, 0x08
        PL1_ENTRY pl1_pabt, 0x0c
        PL1_ENTRY pl1_dabt, 0x10
        PL1_ENTRY pl1_hyp, 0x14
        PL1_ENTRY pl1_irq, 0x18
        PL1_ENTRY pl1_fiq, 0x1c

/* Hyp handlers: the same, through probe_hyp_report. */
        .macro  HYP_SLOT off
hyp_\off:
        ldr     sp, =hyp_stack_top
        mov     r0, #\off
        b       probe_hyp_report
        .endm
        HYP_SLOT 0x00
        HYP_SLOT 0x04
        HYP_SLOT 0x08
        HYP_SLOT 0x0c
        HYP_SLOT 0x10
        HYP_SLOT 0x14
        HYP_SLOT 0x18
        HYP_SLOT 0x1c

        .data
        .align  2
probe_word:
        .word   0x12345678, 0x9abcdef0

        .bss
        .align  3
        .space  2048
svc_stack_top:
        .space  1024
irq_stack_top:
        .space  1024
fiq_stack_top:
        .space  1024
abt_stack_top:
        .space  1024
und_stack_top:
        .space  1024
hyp_stack_top:
