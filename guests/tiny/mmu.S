/*
 * mmu.S - the stage-1 MMU set-up shared by the mmu and linuxvec variants
 * (included from their files): a flat (identity) short-descriptor section
 * map of RAM (128 MiB from RAM_BASE) and of the 1 MiB holding the UART,
 * nothing else unless the variant adds sections between MMU_TABLE and
 * MMU_ENABLE.
 *
 * Short-descriptor first-level table: 4096 word entries, one per 1 MiB of
 * VA, 16 KiB aligned.  Section entry = PA[31:20] | AP[1:0]=0b11 (bits 11:10,
 * full access) | domain 0 | C,B (bits 3,2) | 0b10 (section).
 */
#define SECT_NORMAL     0x00000c0e      /* AP=11, C=1, B=1: normal memory */
#define SECT_DEVICE     0x00000c06      /* AP=11, C=0, B=1: shared device */
#define RAM_MIB         128

/* ttb := every entry Fault, then RAM and the UART identity-mapped.
 * Leaves r0 = ttb.  Clobbers r1-r4. */
        .macro  MMU_TABLE
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
        .endm

/* TTBCR := 0, TTBR0 := r0 (ttb), domain 0 client, TLBs flushed, MMU on.
 * The code runs on unchanged: VA == PA for RAM.  Clobbers r1. */
        .macro  MMU_ENABLE
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
        orr     r1, r1, #1              @ SCTLR.M: MMU on
        mcr     p15, 0, r1, c1, c0, 0
        isb
        .endm

        .section .bss.ttb, "aw", %nobits
        .align  14
        .global ttb
ttb:    .space  4096 * 4
