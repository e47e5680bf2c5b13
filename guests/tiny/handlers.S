/*
 * handlers.S - the exception handlers and stacks of the tiny guests (and
 * guests/zimage), included where the handlers go.  "svc: handler ran" is
 * the UART's ground truth that the SVC vector works.
 */
/* SVC handler: print, then return to the instruction after the SVC
 * (LR_svc = SVC + 4) restoring CPSR from SPSR_svc. */
        .global svc_handler
svc_handler:
        ldr     sp, =svc_stack_top
        push    {r0-r3, lr}
        PUTS    "svc: handler ran\n"
        ldm     sp!, {r0-r3, pc}^

/* Every other exception just parks the CPU where a debugger can see it. */
        .global undef_handler, pabt_handler, dabt_handler, irq_handler, fiq_handler
undef_handler:  b .
pabt_handler:   b .
dabt_handler:   b .
irq_handler:    b .
fiq_handler:    b .

        .bss
        .align 3
        .space 1024
stack_top:
        .space 512
svc_stack_top:
