/*
 * puts.S - shared by every tiny variant (included from start.S).
 *
 * puts(r0): write the NUL-terminated string at r0 to the PL011 data
 * register at UART_BASE.  QEMU's PL011 accepts bytes without any setup, so
 * this is the whole driver.  Clobbers r0-r2; needs no stack.
 */
        .section .text.puts, "ax"     @ after the common code (tiny.ld)
        .global puts
puts:   ldr     r1, =UART_BASE
1:      ldrb    r2, [r0], #1
        cmp     r2, #0
        bxeq    lr
        str     r2, [r1]
        b       1b

/* PUTS "text": print a literal string (clobbers r0-r2, lr). */
        .macro  PUTS text
        ldr     r0, =9001f
        bl      puts
        .pushsection .rodata
9001:   .asciz  "\text"
        .popsection
        .endm

/* SET_VBAR reg: VBAR := reg (mcr p15,0,<reg>,c12,c0,0).  In Secure state
 * (vexpress-a9 boots Secure SVC) this writes VBAR_S; on virt (no EL3) the
 * only VBAR.  The vector base must be 32-byte aligned. */
        .macro  SET_VBAR reg
        mcr     p15, 0, \reg, c12, c0, 0
        isb
        .endm
