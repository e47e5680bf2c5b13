/*
 * mmu.S - the stage-1 translation tables of the unmapped variant (included
 * from its file): an identity map of the first 2 MiB of RAM (RAM_BASE,
 * which holds the whole image; a64.ld checks) as 4 KiB pages, except the
 * page unmapped_page, and of the 4 KiB page holding the UART.  Nothing
 * else is mapped.
 *
 * 4 KiB granule, TCR_EL1.T0SZ = 25: 39-bit VAs through TTBR0_EL1, walks
 * starting at level 1 (VA[38:30]: 1 GiB per entry), then level 2 (2 MiB),
 * level 3 (4 KiB pages).  TTBR1 walks off (EPD1).  IPS 0: 32-bit PAs are
 * enough on virt below 4 GiB.  Walks non-cacheable (IRGN0 = ORGN0 = 0):
 * the tables are written with the MMU and caches off, so nothing needs
 * cleaning first.
 *
 * Tables (in .bss, built at run time by MMU_TABLES):
 *   pt_l1[RAM_BASE >> 30]            -> pt_l2_ram
 *   pt_l2_ram[RAM_BASE >> 21 & 511]  -> pt_l3_ram: 512 pages, RAM_BASE..+2 MiB,
 *                                       Normal, except unmapped_page: invalid
 *   pt_l1[UART_BASE >> 30]           -> pt_l2_dev
 *   pt_l2_dev[UART_BASE >> 21 & 511] -> pt_l3_dev: the UART's page, Device-nGnRnE
 * (RAM_BASE and UART_BASE must lie in different 1 GiB regions: on virt,
 * 0x40000000 and 0x09000000.)
 *
 * MAIR_EL1: Attr0 = 0xff (Normal, write-back), Attr1 = 0x00 (Device-nGnRnE).
 * Page descriptor: 0b11 | AttrIndx << 2 | SH << 8 | AF (bit 10) | PXN, UXN
 * (bits 53, 54); AP[2:1] = 00 (EL1 read/write).  Table descriptor: 0b11.
 */
#define PT_TABLE        0x3
#define PT_NORMAL       (0x3 | (0 << 2) | (3 << 8) | (1 << 10))         /* 0x703 */
#define PT_DEVICE       (0x3 | (1 << 2) | (1 << 10) | (3 << 53))         /* XN */
#define MAIR_VALUE      0x00ff
#define TCR_VALUE       (25 | (1 << 23))                                 /* T0SZ 25, EPD1 */
#define IDX(va, shift)  ((((va) >> (shift)) & 511) * 8)

/* Build the tables.  Clobbers x0-x2. */
        .macro  MMU_TABLES
        adrp    x0, pt_l1               // 1. all five tables: invalid
        mov     x1, #(5 * 4096 / 16)
1:      stp     xzr, xzr, [x0], #16
        subs    x1, x1, #1
        b.ne    1b
        adrp    x0, pt_l1               // 2. level 1 -> the two level-2 tables
        adrp    x1, pt_l2_ram
        orr     x1, x1, #PT_TABLE
        str     x1, [x0, #IDX(RAM_BASE, 30)]
        adrp    x1, pt_l2_dev
        orr     x1, x1, #PT_TABLE
        str     x1, [x0, #IDX(UART_BASE, 30)]
        adrp    x0, pt_l2_dev           // 3. the UART page
        adrp    x1, pt_l3_dev
        orr     x1, x1, #PT_TABLE
        str     x1, [x0, #IDX(UART_BASE, 21)]
        adrp    x0, pt_l3_dev
        ldr     x1, =((UART_BASE & ~0xfff) | PT_DEVICE)
        str     x1, [x0, #IDX(UART_BASE, 12)]
        adrp    x0, pt_l2_ram           // 4. RAM's first 2 MiB, page by page
        adrp    x1, pt_l3_ram
        orr     x1, x1, #PT_TABLE
        str     x1, [x0, #IDX(RAM_BASE, 21)]
        adrp    x0, pt_l3_ram
        ldr     x1, =(RAM_BASE | PT_NORMAL)
        mov     x2, #512
2:      str     x1, [x0], #8
        add     x1, x1, #4096
        subs    x2, x2, #1
        b.ne    2b
        adrp    x0, pt_l3_ram           // 5. ... but one page left out
        adrp    x1, unmapped_page
        ubfx    x1, x1, #12, #9
        str     xzr, [x0, x1, lsl #3]
        dsb     sy
        .endm

/* MAIR, TCR, TTBR0 := pt_l1, TLBs flushed, then SCTLR_EL1.M, C, I.  The
 * code runs on unchanged: VA == PA.  Clobbers x0. */
        .macro  MMU_ENABLE
        ldr     x0, =MAIR_VALUE
        msr     mair_el1, x0
        ldr     x0, =TCR_VALUE
        msr     tcr_el1, x0
        adrp    x0, pt_l1
        msr     ttbr0_el1, x0
        isb
        tlbi    vmalle1
        dsb     nsh
        isb
        mrs     x0, sctlr_el1
        orr     x0, x0, #(1 << 0)       // M: stage 1 on
        orr     x0, x0, #(1 << 2)       // C
        orr     x0, x0, #(1 << 12)      // I
        msr     sctlr_el1, x0
        isb
        .endm

        .section .bss.pt, "aw", %nobits
        .balign 4096
        .global pt_l1, pt_l2_ram, pt_l3_ram, pt_l2_dev, pt_l3_dev, unmapped_page
pt_l1:          .space  4096
pt_l2_ram:      .space  4096
pt_l3_ram:      .space  4096
pt_l2_dev:      .space  4096
pt_l3_dev:      .space  4096
unmapped_page:  .space  4096
