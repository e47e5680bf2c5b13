/*
 * zimage: a guest in the Linux zImage format, booted the way QEMU boots a
 * Linux kernel (its -kernel Linux boot protocol): QEMU recognises the
 * zImage magic at offset 0x24, loads the image at RAM base + 0x10000 and
 * enters it with r0 = 0, r1 = the machine type, r2 = the device tree (or,
 * on a board without one, the ATAGS list).  The guest is linked there
 * (zimage.ld, RAM_BASE + 0x10000), so it needs no relocation.
 *
 * UART ground truth:
 *     "zimage: boot r0=XXXXXXXX r1=XXXXXXXX r2=XXXXXXXX"
 *     "zimage: device tree at r2" / "zimage: ATAGS at r2" / "zimage: nothing at r2"
 *     "zimage: hvpmark=VALUE"   the text after "hvpmark=" in what r2 points
 *                               at (the kernel command line, --append)
 *     "zimage: cpu part XXX: vectors" or "...: vectors_bhb"
 *     "zimage: issuing svc", "svc: handler ran" (or "svc: bhb handler ran"),
 *     "zimage: back from svc"
 * VBAR is pointed at one of the image's own tables first, so SVC is
 * `valid` -- chosen by CPU, as Linux does: on a Cortex-A15 or A57 (MIDR
 * part 0xc0f, 0xd07) Linux installs its Spectre-BHB mitigation, whose SVC
 * entry is another handler (vector_bhb_loop8_swi instead of vector_swi);
 * this guest does the same with svc_handler_bhb, so the same image routes
 * SVC to different handlers under different CPUs.
 */
        .syntax unified
        .arm

#include "../tiny/puts.S"

        .section .text.head, "ax"
        .global _head
_head:
        .rept   8
        mov     r0, r0                  @ 0x00-0x1c: Linux's eight no-ops
        .endr
        b       _start                  @ 0x20
        .word   0x016f2818              @ 0x24: zImage magic
        .word   0                       @ 0x28: start (0: position independent)
        .word   _image_end - _head      @ 0x2c: end (size)
        .word   0x04030201              @ 0x30: little-endian

        .align  5
        .global _vectors
_vectors:
        b       _start                  @ 0x00 reset
        b       undef_handler           @ 0x04
        b       svc_handler             @ 0x08
        b       pabt_handler            @ 0x0c
        b       dabt_handler            @ 0x10
        b       .                       @ 0x14
        b       irq_handler             @ 0x18
        b       fiq_handler             @ 0x1c

        .align  5
        .global _vectors_bhb
_vectors_bhb:
        b       _start                  @ 0x00 reset
        b       undef_handler           @ 0x04
        b       svc_handler_bhb         @ 0x08
        b       pabt_handler            @ 0x0c
        b       dabt_handler            @ 0x10
        b       .                       @ 0x14
        b       irq_handler             @ 0x18
        b       fiq_handler             @ 0x1c

        .text
        .global _start
_start:
        mov     r4, r0
        mov     r5, r1
        mov     r6, r2
        ldr     sp, =stack_top
        PUTS    "zimage: boot r0="
        mov     r0, r4
        bl      puthex
        PUTS    " r1="
        mov     r0, r5
        bl      puthex
        PUTS    " r2="
        mov     r0, r6
        bl      puthex
        PUTS    "\n"

        /* What r2 points at: a device tree (magic 0xd00dfeed, big-endian)
         * or an ATAGS list (ATAG_CORE 0x54410001 in its second word). */
        mov     r7, #0                  @ bytes to scan for the marker
        ldr     r0, [r6]
        ldr     r1, =0xedfe0dd0
        cmp     r0, r1
        bne     1f
        PUTS    "zimage: device tree at r2\n"
        ldr     r7, [r6, #4]            @ totalsize, big-endian
        rev     r7, r7
        b       3f
1:      ldr     r0, [r6, #4]
        ldr     r1, =0x54410001
        cmp     r0, r1
        bne     2f
        PUTS    "zimage: ATAGS at r2\n"
        mov     r7, #0x1000
        b       3f
2:      PUTS    "zimage: nothing at r2\n"
3:      cmp     r7, #0x20000            @ never scan past 128 KiB
        movhi   r7, #0x20000
        mov     r0, r6
        mov     r1, r7
        bl      find_mark

        /* The vector table for this CPU (MIDR bits [15:4], the part). */
        mrc     p15, 0, r4, c0, c0, 0
        ubfx    r4, r4, #4, #12
        PUTS    "zimage: cpu part "
        mov     r0, r4
        bl      puthex3
        ldr     r5, =_vectors
        ldr     r1, =0xc0f              @ Cortex-A15
        cmp     r4, r1
        ldrne   r1, =0xd07              @ Cortex-A57
        cmpne   r4, r1
        ldreq   r5, =_vectors_bhb
        bne     1f
        PUTS    ": vectors_bhb\n"
        b       2f
1:      PUTS    ": vectors\n"
2:      SET_VBAR r5
        PUTS    "zimage: issuing svc\n"
        .global svc_insn
svc_insn:
        svc     #0
        PUTS    "zimage: back from svc\n"
        .global idle
idle:   wfi
        b       idle

/* find_mark(r0 = start, r1 = length): print "zimage: hvpmark=VALUE" for
 * the first "hvpmark=" in [start, start + length), VALUE up to a NUL, a
 * blank or 64 bytes. */
find_mark:
        push    {r4-r8, lr}
        mov     r4, r0
        add     r5, r0, r1
        sub     r5, r5, #8
1:      cmp     r4, r5
        bhi     9f
        ldr     r6, =mark
        mov     r7, #0
2:      ldrb    r0, [r4, r7]
        ldrb    r1, [r6, r7]
        cmp     r0, r1
        bne     3f
        add     r7, r7, #1
        cmp     r7, #8
        blo     2b
        PUTS    "zimage: hvpmark="
        add     r4, r4, #8
        mov     r8, #64
        ldr     r1, =UART_BASE
4:      ldrb    r2, [r4], #1
        cmp     r2, #0
        cmpne   r2, #' '
        beq     5f
        str     r2, [r1]
        subs    r8, r8, #1
        bne     4b
5:      PUTS    "\n"
        pop     {r4-r8, pc}
3:      add     r4, r4, #1
        b       1b
9:      PUTS    "zimage: no hvpmark= at r2\n"
        pop     {r4-r8, pc}

/* puthex(r0): print r0 as 8 hex digits; puthex3(r0): its low 12 bits
 * as 3 (clobbers r0-r3). */
puthex3:
        mov     r3, #8
        b       0f
puthex:
        mov     r3, #28
0:      ldr     r1, =UART_BASE
1:      lsr     r2, r0, r3
        and     r2, r2, #0xf
        cmp     r2, #10
        addlo   r2, r2, #'0'
        addhs   r2, r2, #('a' - 10)
        str     r2, [r1]
        subs    r3, r3, #4
        bpl     1b
        bx      lr

/* The "mitigated" entry: some work first (Linux's loop8 clears the
 * branch history with 8 taken branches), then the same handler. */
        .global svc_handler_bhb
svc_handler_bhb:
        ldr     sp, =svc_stack_top
        push    {r0-r3, lr}
        mov     r0, #8
1:      subs    r0, r0, #1
        bne     1b
        PUTS    "svc: bhb handler ran\n"
        ldm     sp!, {r0-r3, pc}^

        .section .rodata
        /* (the scan is bounded by the blob's own size, so it never
         * reaches this copy in the image) */
mark:   .ascii  "hvpmark="

        .text
#include "../tiny/handlers.S"
