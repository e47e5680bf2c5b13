/*
 * vectors.S - where the rtos guest meets the exception model: its vector
 * table, reset entry, and the two handlers that make it an RTOS --
 * FreeRTOS_SWI_Handler (SVC: start the first task, yield) and
 * FreeRTOS_IRQ_Handler (the tick, through the GIC).  Modelled on FreeRTOS's
 * Cortex-A9 port (portable/GCC/ARM_CA9/portASM.S) and the Zynq demo's
 * FreeRTOS_asm_vectors.S.
 *
 * How an exception finds its handler on ARMv7-A (no Monitor/Hyp here):
 *
 *     handler address = vector base + offset of the exception
 *     vector base     = SCTLR.V ? 0xffff0000 : VBAR   (VBAR_S if Secure)
 *
 * VBAR resets to 0.  This table is linked at the start of RAM (0x60000000
 * on vexpress-a9, 0x40000000 on virt), *not* at 0x0, so it is only used
 * if the guest writes its address to VBAR (vPortInstallFreeRTOSVectorTable,
 * the `vbar` variant).  The `low` variant does not, and its first SVC
 * fetches from 0x8 whatever the board or hypervisor has there.
 *
 * Tasks run in System mode (shares SP/LR with User mode, but privileged)
 * with IRQs enabled.  An exception leaves SVC/IRQ mode with LR = the
 * return address and SPSR = the task's CPSR; portSAVE_CONTEXT pushes those
 * two with SRS onto the *task's* stack (SP_sys), then the task's r0-r12 and
 * LR_sys, and stores SP_sys in the TCB.  portRESTORE_CONTEXT undoes that
 * for whichever TCB pxCurrentTCB points at, ending in RFE, which loads PC
 * and CPSR together.  A task's saved frame, from its saved SP upwards:
 *
 *     r0 r1 ... r12 lr | pc cpsr            (16 words, port.c builds the
 *                                            first one for a new task)
 */
#include "rtos.h"

        .syntax unified
        .arm

/*
 * The vector table, exactly the Zynq FreeRTOS layout: branches, LDR PC
 * through a literal for SVC and IRQ, NOP in the unused 0x14 slot.  VBAR
 * needs 32-byte alignment; rtos.ld puts this first in the image.
 */
        .section .freertos_vectors, "ax"
        .align  5
        .global _freertos_vector_table
_freertos_vector_table:
        b       _boot                           @ 0x00 reset
        b       FreeRTOS_Undefined              @ 0x04 undefined instruction
        ldr     pc, _swi                        @ 0x08 supervisor call
        b       FreeRTOS_PrefetchAbortHandler   @ 0x0c prefetch abort
        b       FreeRTOS_DataAbortHandler       @ 0x10 data abort
        nop                                     @ 0x14 not used (hyp trap)
        ldr     pc, _irq                        @ 0x18 IRQ
        b       FreeRTOS_FIQHandler             @ 0x1c FIQ
_irq:   .word   FreeRTOS_IRQ_Handler            @ 0x20 literal for 0x18
_swi:   .word   FreeRTOS_SWI_Handler            @ 0x24 literal for 0x08

/*
 * Reset entry.  Masks interrupts, zeroes .bss (the stacks are in it), gives
 * each exception mode that runs code its own stack, and calls main() in
 * svc32.  Entered in Secure svc32 (vexpress-a9) or Non-secure svc32 (virt,
 * and under hyp-fixture, which ERETs here with A/I/F masked).
 */
        .section .text.boot, "ax"
        .global _boot, _start
_boot:
_start:
        cpsid   aif
        ldr     r0, =_bss_start
        ldr     r1, =_bss_end
        mov     r2, #0
1:      cmp     r0, r1
        strlo   r2, [r0], #4
        blo     1b
        cps     #MODE_UND
        ldr     sp, =und_stack_top
        cps     #MODE_ABT
        ldr     sp, =abt_stack_top
        cps     #MODE_FIQ
        ldr     sp, =fiq_stack_top
        cps     #MODE_IRQ
        ldr     sp, =irq_stack_top      @ unused: IRQs are handled in SYS mode
        cps     #MODE_SVC
        ldr     sp, =svc_stack_top      @ main() and the first SVC
        bl      main
2:      wfi                             @ main() does not return
        b       2b

        .text
/* ---- context save / restore (FreeRTOS portSAVE/RESTORE_CONTEXT) ---- */

/* From SVC or IRQ mode, LR already the return address: push LR/SPSR of the
 * current mode to the task stack, switch to SYS mode, push r0-r12 and
 * LR_sys, record SP_sys in pxCurrentTCB->pxTopOfStack.  Ends in SYS mode
 * with the I bit still set (CPS changes only the mode). */
        .macro  portSAVE_CONTEXT
        srsdb   sp!, #MODE_SYS
        cps     #MODE_SYS
        push    {r0-r12, lr}
        ldr     r0, =pxCurrentTCB
        ldr     r1, [r0]
        str     sp, [r1]
        .endm

/* Resume pxCurrentTCB: SP_sys from its TCB, pop r0-r12 and LR, then RFE
 * pops PC and CPSR -- the task continues in SYS mode, IRQs as it had them. */
        .macro  portRESTORE_CONTEXT
        cps     #MODE_SYS
        ldr     r0, =pxCurrentTCB
        ldr     r1, [r0]
        ldr     sp, [r1]
        pop     {r0-r12, lr}
        rfeia   sp!
        .endm

/* Call C with an 8-byte aligned SP (AAPCS), whatever the task's SP was.
 * r4 is callee-saved; the task's own r4 is already in its frame. */
        .macro  CALL_ALIGNED fn
        mov     r4, sp
        bic     sp, sp, #7
        bl      \fn
        mov     sp, r4
        .endm

/*
 * FreeRTOS_SWI_Handler: the SVC vector (reached through _swi).  Every SVC
 * is a context switch.  pxCurrentTCB == NULL means the SVC came from
 * vPortStartFirstTask -- there is no task to save yet, the caller (main)
 * is simply abandoned.  Otherwise a task yielded: save it, pick the next.
 * LR_svc = the instruction after the SVC, which is where the task resumes.
 */
        .global FreeRTOS_SWI_Handler
FreeRTOS_SWI_Handler:
        push    {r0}                    @ one scratch register, on SP_svc
        ldr     r0, =pxCurrentTCB
        ldr     r0, [r0]
        cmp     r0, #0
        pop     {r0}
        beq     1f
        portSAVE_CONTEXT
1:      CALL_ALIGNED vTaskSwitchContext
        portRESTORE_CONTEXT

/*
 * FreeRTOS_IRQ_Handler: the IRQ vector (reached through _irq).  IRQs are
 * only ever unmasked in tasks, so the interrupted context is a task.
 * Acknowledge the interrupt by reading GICC_IAR (its ID tells which
 * device), let vApplicationIRQHandler (port.c) service it, signal end of
 * interrupt by writing the same value to GICC_EOIR, and switch task if the
 * tick asked for it (ulPortYieldRequired).
 */
        .global FreeRTOS_IRQ_Handler
FreeRTOS_IRQ_Handler:
        sub     lr, lr, #4              @ LR_irq = interrupted instruction + 4
        portSAVE_CONTEXT
        ldr     r0, =ulICCIAR
        ldr     r0, [r0]
        ldr     r5, [r0]                @ r5 := GICC_IAR (acknowledge)
        mov     r0, r5
        CALL_ALIGNED vApplicationIRQHandler
        ldr     r0, =ulICCEOIR
        ldr     r0, [r0]
        str     r5, [r0]                @ GICC_EOIR := IAR (end of interrupt)
        ldr     r0, =ulPortYieldRequired
        ldr     r1, [r0]
        cmp     r1, #0
        beq     1f
        mov     r1, #0
        str     r1, [r0]
        CALL_ALIGNED vTaskSwitchContext
1:      portRESTORE_CONTEXT

/*
 * vPortStartFirstTask: called once from vTaskStartScheduler in svc32 with
 * IRQs masked.  Starts the scheduler through SVC, like the FreeRTOS
 * Cortex-M ports (svc 0 in prvPortStartFirstTask): this is the guest's
 * first SVC, and so the first time the CPU needs vector base + 0x8.
 */
        .global vPortStartFirstTask
vPortStartFirstTask:
        svc     #0
        b       .                       @ not reached

/* Faults: report (port.c vPortFault) and stop.  r0 = vector offset. */
        .global FreeRTOS_Undefined, FreeRTOS_PrefetchAbortHandler
        .global FreeRTOS_DataAbortHandler, FreeRTOS_FIQHandler
FreeRTOS_Undefined:
        mov     r0, #0x04
        b       fault
FreeRTOS_PrefetchAbortHandler:
        mov     r0, #0x0c
        b       fault
FreeRTOS_DataAbortHandler:
        mov     r0, #0x10
        b       fault
FreeRTOS_FIQHandler:
        mov     r0, #0x1c
fault:  mov     r1, lr
        mrs     r2, spsr
        bic     sp, sp, #7
        bl      vPortFault
1:      wfi
        b       1b

/* Exception-mode stacks (the tasks' stacks are in main.c). */
        .section .bss.stacks, "aw", %nobits
        .align  3
        .space  1024
svc_stack_top:
        .space  256
irq_stack_top:
        .space  512
und_stack_top:
        .space  512
abt_stack_top:
        .space  512
fiq_stack_top:
