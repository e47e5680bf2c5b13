/*
 * puts.S - UART output for the a64 guests (included from start.S).
 *
 * QEMU's PL011 accepts bytes written to its data register (UART_BASE)
 * without any set-up, so that is the whole driver.  Neither routine uses
 * the stack; both clobber only x0-x4 (the vector handlers rely on that).
 *
 *   puts(x0)          write the NUL-terminated string at x0
 *   puthex(x0, x1)    write the low x1 hex digits of x0 (lowercase, no "0x")
 *   PUTS "text"       print a literal string (clobbers x0-x4, x30)
 */
        .section .text.puts, "ax"
        .global puts, puthex
puts:   ldr     x1, =UART_BASE
1:      ldrb    w2, [x0], #1
        cbz     w2, 2f
        str     w2, [x1]                // UARTDR is a 32-bit register
        b       1b
2:      ret

puthex: ldr     x4, =UART_BASE
        lsl     x1, x1, #2              // shift of the top digit, + 4
1:      cbz     x1, 2f
        sub     x1, x1, #4
        lsr     x2, x0, x1
        and     x2, x2, #0xf
        cmp     x2, #10
        add     x3, x2, #'0'
        add     x2, x2, #('a' - 10)
        csel    x2, x3, x2, lo
        str     w2, [x4]
        b       1b
2:      ret
        .ltorg

        .macro  PUTS text
        adrp    x0, 9001f
        add     x0, x0, :lo12:9001f
        bl      puts
        .pushsection .rodata
9001:   .asciz  "\text"
        .popsection
        .endm
