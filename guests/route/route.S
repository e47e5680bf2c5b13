/*
 * route.S - the route guest's vector tables and mode changes (route.c has
 * the flow).  Three tables, one per mode that can take the interrupt:
 *   _vectors     VBAR (PL1: irq32 at +0x18)
 *   mon_vectors  MVBAR (Monitor: with SCR.IRQ=1, mon32 at +0x18)
 *   hyp_vectors  HVBAR (Hyp: with HCR.IMO=1, hyp32 at +0x18; HVC from the
 *                guest arrives at the Hyp Trap entry +0x14)
 * Every handler says on the UART which mode it runs in and where it was
 * entered, so each route is the guest's own word.
 */
#include "../rtos/rtos.h"

        .syntax unified
        .arm
        .arch_extension sec
        .arch_extension virt

        .section .freertos_vectors, "ax"
        .global _vectors
_vectors:
        b       _start                  @ 0x00
        b       .                       @ 0x04 undef
        b       .                       @ 0x08 svc
        b       .                       @ 0x0c pabt
        b       pl1_dabt                @ 0x10 dabt (also asynchronous aborts)
        b       .                       @ 0x14
        b       pl1_irq                 @ 0x18 irq
        b       pl1_fiq                 @ 0x1c fiq

        .align  5
        .global mon_vectors
mon_vectors:
        b       .                       @ 0x00
        b       .                       @ 0x04
        b       .                       @ 0x08 smc
        b       .                       @ 0x0c
        b       .                       @ 0x10
        b       .                       @ 0x14
        b       mon_irq                 @ 0x18 irq (SCR.IRQ=1)
        b       mon_fiq                 @ 0x1c fiq (SCR.FIQ=1)

        .align  5
        .global hyp_vectors
hyp_vectors:
        b       .                       @ 0x00
        b       .                       @ 0x04
        b       .                       @ 0x08
        b       .                       @ 0x0c
        b       .                       @ 0x10
        b       hyp_trap                @ 0x14 hyp trap (the guest's HVC; with
                                        @ HCR.TGE, a PL0 SVC)
        b       hyp_irq                 @ 0x18 irq (HCR.IMO=1)
        b       hyp_fiq                 @ 0x1c fiq (HCR.FMO=1)

        .section .text.boot, "ax"
        .global _start
_start:
        mrs     r0, cpsr
        and     r0, r0, #0x1f
        cmp     r0, #MODE_HYP
        bne     1f
        /* Started in Hyp (virt,virtualization=on): HVBAR, HCR.IMO, then
         * the guest's SVC mode (IRQs masked until route_main opens them). */
        ldr     sp, =hyp_stack_top
        ldr     r0, =hyp_vectors
        mcr     p15, 4, r0, c12, c0, 0  @ HVBAR
#ifdef ROUTE_TGE
        /* HCR.TGE: the exceptions a PL1 would take from PL0 go to Hyp
         * (as Hyp Traps, at HVBAR+0x14); the guest runs in User mode. */
        mov     r0, #(1 << 27)
        mcr     p15, 4, r0, c1, c1, 0   @ HCR
        isb
        ldr     r0, =usr_stack_top
        msr     SP_usr, r0
        ldr     r0, =route_usr
        msr     ELR_hyp, r0
        mov     r0, #(0x1c0 | MODE_USR)
        msr     spsr_cxsf, r0
        eret
#endif
#ifdef ROUTE_VA
        /* HCR.AMO: asynchronous aborts to Hyp; HCR.VA: a virtual abort
         * pending for the guest, taken once its CPSR.A is clear. */
        mov     r0, #((1 << 5) | (1 << 8))
#elif defined(ROUTE_FMO)
        mov     r0, #(1 << 3)           @ HCR.FMO: physical FIQs to Hyp
#else
        mov     r0, #(1 << 4)           @ HCR.IMO: physical IRQs to Hyp
#endif
        mcr     p15, 4, r0, c1, c1, 0   @ HCR
        isb
        ldr     r0, =svc_entry
        msr     ELR_hyp, r0
        mov     r0, #(0x1c0 | MODE_SVC)
        msr     spsr_cxsf, r0           @ SPSR_hyp (the current mode's)
        eret
1:
svc_entry:
        ldr     sp, =svc_stack_top
        cps     #MODE_IRQ
        ldr     sp, =irq_stack_top
        cps     #MODE_FIQ
        ldr     sp, =fiq_stack_top
        cps     #MODE_ABT
        ldr     sp, =abt_stack_top
        cps     #MODE_SVC
        ldr     r0, =_vectors
        mcr     p15, 0, r0, c12, c0, 0  @ VBAR (VBAR_S in Secure state)
        isb
        bl      route_main
        .global idle
idle:   wfi
        b       idle

/* enable_monitor_route(bits): MVBAR, a Monitor stack, SCR |= bits
 * (SCR.IRQ 1 << 1, SCR.FIQ 1 << 2), from Secure SVC. */
        .global enable_monitor_route
enable_monitor_route:
        mov     r1, r0
        ldr     r0, =mon_vectors
        mcr     p15, 0, r0, c12, c0, 1  @ MVBAR
        cps     #0x16                   @ Monitor
        ldr     sp, =mon_stack_top
        cps     #MODE_SVC
        mrc     p15, 0, r0, c1, c1, 0   @ SCR
        orr     r0, r0, r1              @ SCR.IRQ / SCR.FIQ: to Monitor
        mcr     p15, 0, r0, c1, c1, 0
        isb
        bx      lr

/* An interrupt entry of a PL1 or Monitor table: call fn (route.c), then
 * return to the interrupted instruction. */
        .macro  INTERRUPT name, fn
\name:
        sub     lr, lr, #4
        push    {r0-r3, r12, lr}
        bl      \fn
        pop     {r0-r3, r12, lr}
        movs    pc, lr
        .endm

/* An entry of the Hyp table: call fn, return with ERET (ELR_hyp). */
        .macro  HYP_ENTRY name, fn
\name:
        push    {r0-r3, r12, lr}
        bl      \fn
        pop     {r0-r3, r12, lr}
        eret
        .endm

/* IRQ taken in PL1 (irq32, at VBAR+0x18) -- physical, or virtual under
 * HCR.IMO (injected by hyp_irq with HCR.VI); FIQ (fiq32, at VBAR+0x1c). */
        INTERRUPT pl1_irq, route_pl1_irq
        INTERRUPT pl1_fiq, route_pl1_fiq

/* Data abort in PL1 (abt32, at VBAR+0x10): the virtual asynchronous
 * abort of ROUTE_VA (return to where it was taken). */
pl1_dabt:
        sub     lr, lr, #8
        push    {r0-r3, r12, lr}
        mrc     p15, 0, r0, c5, c0, 0   @ DFSR
        bl      route_pl1_dabt
        pop     {r0-r3, r12, lr}
        movs    pc, lr

/* IRQ and FIQ taken in Monitor mode (SCR.IRQ=1: MVBAR+0x18; SCR.FIQ=1:
 * MVBAR+0x1c). */
        INTERRUPT mon_irq, route_mon_irq
        INTERRUPT mon_fiq, route_mon_fiq

/* Physical IRQ / FIQ taken in Hyp mode (HCR.IMO=1: HVBAR+0x18; HCR.FMO=1:
 * HVBAR+0x1c): route.c acknowledges it and injects a virtual one into the
 * guest (HCR.VI / HCR.VF). */
        HYP_ENTRY hyp_irq, route_hyp_irq
        HYP_ENTRY hyp_fiq, route_hyp_fiq

/* Hyp Trap entry: the guest's HVC (it has taken the virtual IRQ: clear
 * HCR.VI), or under HCR.TGE a User-mode SVC; route.c reads HSR. */
hyp_trap:
        push    {r0-r3, r12, lr}
        mrc     p15, 4, r0, c5, c2, 0   @ HSR
        bl      route_hyp_trap
        pop     {r0-r3, r12, lr}
        eret

        .global read_hcr, write_hcr
read_hcr:
        mrc     p15, 4, r0, c1, c1, 0
        bx      lr
write_hcr:
        mcr     p15, 4, r0, c1, c1, 0
        isb
        bx      lr

        .bss
        .align  3
        .space  2048
svc_stack_top:
        .space  1024
irq_stack_top:
        .space  1024
fiq_stack_top:
        .space  1024
usr_stack_top:
        .space  1024
abt_stack_top:
        .space  1024
mon_stack_top:
        .space  1024
hyp_stack_top:
