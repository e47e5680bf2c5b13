/*
 * tiny: the smallest guest that shows ARMv7-A exception routing.
 *
 * A vector table sits at the start of the image (the link address, e.g.
 * 0x60000000 on vexpress-a9, 0x40000000 on virt).  Whether the CPU ever
 * reaches it depends on one thing: where the *vector base* points.
 *
 *   -DSET_VBAR   write the table's address to VBAR (mcr p15,0,rX,c12,c0,0)
 *                -> the SVC below reaches svc_handler ("svc: handler ran")
 *   (default)    leave VBAR at its reset value 0 -> SVC fetches from 0x8,
 *                which on QEMU's vexpress-a9/virt is zero-filled flash:
 *                the CPU slides through 'andeq r0,r0,r0' and never prints.
 *
 * Build flags: -DUART_BASE=0x10009000 (PL011 data register).
 */
        .syntax unified
        .arm
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
#ifdef SET_VBAR
        ldr     r0, =_vectors
        mcr     p15, 0, r0, c12, c0, 0  @ VBAR := &_vectors
        isb
#endif
        ldr     r0, =msg_boot
        bl      puts
        ldr     r0, =msg_svc
        bl      puts
        svc     #0
        ldr     r0, =msg_back
        bl      puts
        .global idle
idle:   wfi
        b       idle

        .global svc_handler
svc_handler:
        ldr     sp, =svc_stack_top
        push    {r0-r3, lr}
        ldr     r0, =msg_handler
        bl      puts
        ldm     sp!, {r0-r3, pc}^       @ return from SVC, CPSR := SPSR

undef_handler:  b .
pabt_handler:   b .
dabt_handler:   b .
irq_handler:    b .
fiq_handler:    b .

/* puts(r0): write a NUL-terminated string to the PL011 data register. */
puts:   ldr     r1, =UART_BASE
1:      ldrb    r2, [r0], #1
        cmp     r2, #0
        bxeq    lr
        str     r2, [r1]
        b       1b

        .section .rodata
msg_boot:    .asciz "tiny: boot\n"
msg_svc:     .asciz "tiny: issuing svc\n"
msg_handler: .asciz "svc: handler ran\n"
msg_back:    .asciz "tiny: back from svc\n"

        .bss
        .align 3
        .space 1024
stack_top:
        .space 512
svc_stack_top:
