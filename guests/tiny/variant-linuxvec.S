/*
 * linuxvec: exception vectors laid out as Linux's ARM kernel lays them
 * out (arch/arm/kernel/entry-armv.S): with the MMU on, a vector page at
 * VA 0xFFFF0000 and SCTLR.V=1 (high vectors), and the "stubs" page 4 KiB
 * above it.  Each slot branches into the stubs page, except SVC, which is
 * `ldr pc, [pc, #4080]`: it loads the handler's address from the first
 * word of the stubs page, 0xFFFF1000.  So the SVC slot's verdict needs a
 * word outside the 32-byte table, and the other slots' targets lie in
 * another page.
 *
 * Set-up: the identity map of mmu.S, plus the last 1 MiB of VA
 * (0xFFF00000, holding both pages) mapped to the last MiB of the 128 MiB
 * of RAM; the two pages are copied there through their virtual addresses;
 * then SCTLR.V is set.  The SVC then reaches svc_handler for real:
 * "svc: handler ran", "tiny: back from svc".  hvprobe's verdict: svc
 * valid (loads PC from the literal at 0xffff1000: jumps to svc_handler).
 */
#include "mmu.S"

#define HIGH_SECTION_PA (RAM_BASE + (RAM_MIB - 1) * 0x100000)

        .macro  variant_setup
        MMU_TABLE
        ldr     r1, =HIGH_SECTION_PA    @ VA 0xFFF00000 -> last MiB of RAM
        ldr     r3, =SECT_NORMAL
        orr     r4, r1, r3
        ldr     r2, =(0xfff00000 >> 18)
        str     r4, [r0, r2]
        MMU_ENABLE
        ldr     r0, =linux_vectors      @ copy the two pages to VA 0xFFFF0000
        ldr     r1, =0xffff0000
        mov     r2, #(8192 / 4)
1:      ldr     r3, [r0], #4
        str     r3, [r1], #4
        subs    r2, r2, #1
        bne     1b
        dsb
        mcr     p15, 0, r2, c7, c5, 0   @ ICIALLU: the copied code is fetched fresh
        isb
        mrc     p15, 0, r0, c1, c0, 0
        orr     r0, r0, #(1 << 13)      @ SCTLR.V: high vectors
        mcr     p15, 0, r0, c1, c0, 0
        isb
        PUTS    "linuxvec: MMU on, vectors at 0xffff0000, stubs at 0xffff1000\n"
        .endm

/* The vector page and the stubs page, as they are copied: branches are
 * relative, so they reach the same stubs at 0xFFFF1000. */
        .section .text.variant, "ax"
        .align  12
linux_vectors:
        b       vector_rst              @ 0x00 (Linux: W(b) vector_rst)
        b       vector_und              @ 0x04
        ldr     pc, [pc, #4080]         @ 0x08: the literal at 0xFFFF1000
        b       vector_pabt             @ 0x0c
        b       vector_dabt             @ 0x10
        b       vector_addrexcptn       @ 0x14
        b       vector_irq              @ 0x18
        b       vector_fiq              @ 0x1c
        .space  4096 - 32
linux_stubs:
        .word   svc_handler             @ 0xFFFF1000: .L__vectors_swi
vector_rst:     ldr pc, =_start
vector_und:     ldr pc, =undef_handler
vector_pabt:    ldr pc, =pabt_handler
vector_dabt:    ldr pc, =dabt_handler
vector_addrexcptn: b .
vector_irq:     ldr pc, =irq_handler
vector_fiq:     ldr pc, =fiq_handler
        .ltorg
        .space  8192 - (. - linux_vectors)
