/*
 * mmu: turn on the stage-1 MMU with a flat (identity) short-descriptor
 * section map of RAM (128 MiB from RAM_BASE) and of the 1 MiB holding the
 * UART -- and nothing else.  VA 0x0-0xFFFFF (the first section) is left
 * unmapped (a Fault entry); VBAR stays 0.
 *
 * The SVC is taken to VA 0x8.  Exception vectors are fetched through the
 * MMU like any instruction, so the fetch faults: Prefetch Abort (IFSR 0x5,
 * translation fault, section; IFAR 0x8), vector VBAR+0xC = VA 0xC -- also
 * unmapped: Prefetch Abort again (IFAR 0xC), and again, for ever, in
 * abt32.  Under a hypervisor this shows up as "Page Fault at PC: 0x8".
 * Whatever is in physical memory at 0x0 is irrelevant: the guest has no
 * virtual address for it.
 *
 * Short-descriptor first-level table: 4096 word entries, one per 1 MiB of
 * VA, 16 KiB aligned.  Section entry = PA[31:20] | AP[1:0]=0b11 (bits 11:10,
 * full access) | domain 0 | C,B (bits 3,2) | 0b10 (section).
 */
#define SECT_NORMAL     0x00000c0e      /* AP=11, C=1, B=1: normal memory */
#define SECT_DEVICE     0x00000c06      /* AP=11, C=0, B=1: shared device */
#define RAM_MIB         128

        .macro  variant_setup
        ldr     r0, =ttb
        mov     r1, #0                  @ 1. all 4096 entries: Fault
        mov     r2, #4096
1:      str     r1, [r0], #4
        subs    r2, r2, #1
        bne     1b
        ldr     r0, =ttb                @ 2. RAM: identity, normal memory
        ldr     r1, =RAM_BASE
        ldr     r3, =SECT_NORMAL
        mov     r2, #RAM_MIB
2:      orr     r4, r1, r3
        str     r4, [r0, r1, lsr #18]   @ entry index = VA >> 20, *4 bytes
        add     r1, r1, #0x100000
        subs    r2, r2, #1
        bne     2b
        ldr     r1, =(UART_BASE & 0xfff00000)   @ 3. UART: identity, device
        ldr     r3, =SECT_DEVICE
        orr     r4, r1, r3
        str     r4, [r0, r1, lsr #18]
        mov     r1, #0
        mcr     p15, 0, r1, c2, c0, 2   @ TTBCR := 0 (short descriptors, TTBR0 only)
        mcr     p15, 0, r0, c2, c0, 0   @ TTBR0 := ttb
        mov     r1, #1
        mcr     p15, 0, r1, c3, c0, 0   @ DACR := domain 0 client (check AP)
        mov     r1, #0
        mcr     p15, 0, r1, c8, c7, 0   @ TLBIALL
        dsb
        isb
        mrc     p15, 0, r1, c1, c0, 0
        orr     r1, r1, #1              @ SCTLR.M: MMU on.  The code runs on
        mcr     p15, 0, r1, c1, c0, 0   @ unchanged: VA == PA for RAM.
        isb
        PUTS    "mmu: on, VA 0x0-0xfffff unmapped\n"
        .endm

        .section .bss.ttb, "aw", %nobits
        .align  14
        .global ttb
ttb:    .space  4096 * 4
