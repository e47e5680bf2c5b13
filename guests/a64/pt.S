/*
 * pt.S - static stage-1 translation tables and the MMU switch-on for the
 * alias variants (mmu16k, mmu64k, ttbr1; included from their files after
 * they #define PT_GRANULE).  The unmapped variant keeps its own run-time
 * builder (mmu.S); nothing here changes it.
 *
 * The tables are ordinary initialised data in the image (.data.pt, in the
 * ELF as it is loaded: `objdump -s -j .data` shows every descriptor), each
 * table aligned to the granule -- a next-level table address in a
 * descriptor is granule-aligned by construction (its low bits are the
 * descriptor's attributes), and a start-level table is aligned at least to
 * its own size.  The CPU never writes them: QEMU's loader puts them in
 * RAM before the first instruction, so no cache cleaning is needed before
 * cacheable walks (on hardware the boot protocol's "image cleaned to
 * PoC" covers the same).
 *
 * What every alias variant maps (RAM_BASE/UART_BASE of virt):
 *   identity  RAM_BASE .. RAM_BASE + PT_WINDOW (2 MiB, the whole image:
 *             a64.ld checks _end against a64_map_end) as Normal
 *             write-back pages, EL1 read/write, executable; the UART's
 *             page as Device-nGnRnE, execute-never.
 *   alias     the same 2 MiB again at ALIAS_BASE (VA = PA - RAM_BASE +
 *             ALIAS_BASE): Normal write-back, EL1 read-only, EL0
 *             execute-never.  The whole window and not only `vectors`,
 *             because the slot handler runs on at the alias VA: its `adr`
 *             (slot address), `b vec_report`, `bl puts`, the `adrp` of its
 *             strings and the literal loads are all PC-relative, so
 *             vec_report, puts, .rodata and the literal pools are reached
 *             through the alias too.  It only reads there (the stack and
 *             the UART are reached through the identity map), and its eret
 *             goes back to ELR_EL1 = svc_insn + 4, an identity VA.
 *
 * MAIR_EL1 (as mmu.S): Attr0 = 0xff Normal, inner/outer write-back
 * non-transient read/write-allocate; Attr1 = 0x00 Device-nGnRnE.
 * Descriptors: bits 1:0 = 0b11 (table at levels 0-2, page at level 3);
 * a page adds AttrIndx (bits 4:2), SH (9:8; 0b11 inner shareable), AF (bit
 * 10: set, so no access flag fault -- TCR.HA is 0), AP[2:1] (7:6; 0b00
 * EL1 read/write, 0b10 EL1 read-only, EL0 no access either way), PXN (53),
 * UXN (54).  The output address sits in bits 47:granule_bits in all three
 * granules (no 52-bit PAs here).
 *
 * TCR_EL1 fields used (the variants put the values together):
 *   T0SZ 5:0, IRGN0 9:8, ORGN0 11:10, SH0 13:12, TG0 15:14 (0b00 4K,
 *   0b01 64K, 0b10 16K), T1SZ 21:16, EPD1 23, IRGN1 25:24, ORGN1 27:26,
 *   SH1 29:28, TG1 31:30 (0b01 16K, 0b10 4K, 0b11 64K), IPS 34:32.
 * Walks are inner and outer write-back write-allocate (IRGNn = ORGNn =
 * 0b01), inner shareable (SHn = 0b11), as Linux sets them.  IPS = 0b010,
 * 40-bit PAs: the smallest PARange of the three CPUs tested
 * (ID_AA64MMFR0_EL1: cortex-a53 0x1122 -> 40 bits, cortex-a57 0x1124 -> 44,
 * max -> 52); every PA used here is below 4 GiB anyway.  A variant whose
 * TTBR1 half is unused sets EPD1 and still gives T1SZ and TG1 valid values
 * (TG1 0b00 is reserved).
 */
#define MAIR_VALUE      0x00ff

#define PTE_VALID       0x3                     /* table (L0-2) or page (L3) */
#define PTE_AF          (1 << 10)
#define PTE_SH_INNER    (3 << 8)
#define PTE_AP_RO       (1 << 7)                /* AP[2:1] = 0b10 */
#define PTE_PXN         (1 << 53)
#define PTE_UXN         (1 << 54)
#define PTE_NORMAL      (PTE_VALID | (0 << 2) | PTE_SH_INNER | PTE_AF)  /* 0x703 */
#define PTE_ALIAS       (PTE_NORMAL | PTE_AP_RO | PTE_UXN)              /* 0x40000000000783 */
#define PTE_DEVICE      (PTE_VALID | (1 << 2) | PTE_AF | PTE_PXN | PTE_UXN) /* 0x60000000000407 */

#define TCR_T0SZ(n)     (n)
#define TCR_WALK0       ((1 << 8) | (1 << 10) | (3 << 12))   /* IRGN0, ORGN0 WBWA, SH0 inner */
#define TCR_TG0_4K      (0 << 14)
#define TCR_TG0_64K     (1 << 14)
#define TCR_TG0_16K     (2 << 14)
#define TCR_T1SZ(n)     ((n) << 16)
#define TCR_EPD1        (1 << 23)
#define TCR_WALK1       ((1 << 24) | (1 << 26) | (3 << 28))  /* IRGN1, ORGN1 WBWA, SH1 inner */
#define TCR_TG1_16K     (1 << 30)
#define TCR_TG1_4K      (2 << 30)
#define TCR_TG1_64K     (3 << 30)
#define TCR_IPS_40      (2 << 32)

#define PT_WINDOW       0x200000                /* 2 MiB of RAM from RAM_BASE */

/* The end of what the identity map covers, for a64.ld's image-size check. */
        .global a64_map_end
        .set    a64_map_end, RAM_BASE + PT_WINDOW

/* PT_BEGIN name: start a table at the next granule boundary. */
        .macro  PT_BEGIN name
        .balign PT_GRANULE
        .global \name
\name:
        .endm

/* PT_ENTRY table, index, value: descriptor `value` at entry `index`.
 * Entries of a table must come in ascending order (.org cannot move
 * back: a clash is an assembly error, not a silent overwrite). */
        .macro  PT_ENTRY table, idx, val
        .org    \table + (\idx) * 8
        .quad   \val
        .endm

/* PT_PAGES table, index, count, pa, attr: `count` page descriptors from
 * entry `index`, mapping pa, pa + granule, ... with `attr`. */
        .macro  PT_PAGES table, idx, n, pa, attr
        .org    \table + (\idx) * 8
        .set    .Lpt_oa, \pa
        .rept   \n
        .quad   .Lpt_oa | (\attr)
        .set    .Lpt_oa, .Lpt_oa + PT_GRANULE
        .endr
        .endm

/* PT_END table, entries: the rest of the table's `entries` are invalid
 * (zeros). */
        .macro  PT_END table, n
        .org    \table + (\n) * 8
        .endm

/* PT_MMU_ON tcr, ttbr0[, ttbr1]: MAIR, TCR, TTBR0 (and TTBR1), the
 * EL1&0 TLB entries invalidated, then SCTLR_EL1.M, C, I.  The code runs on
 * unchanged: its VA == PA in the identity map.  Clobbers x0.
 *   dsb ish          stores before this complete (there are none to the
 *                    tables, which come with the image; kept as the
 *                    architecture's table-update sequence has it)
 *   msr ...; isb     the new MAIR/TCR/TTBRs in effect before the TLBI
 *   tlbi vmalle1     no stale EL1&0 translations (none exist: MMU was off)
 *   dsb ish; isb     the invalidation complete before the MMU goes on
 *   msr sctlr; isb   the next instruction is fetched through the tables */
        .macro  PT_MMU_ON tcr, ttbr0, ttbr1
        dsb     ish
        ldr     x0, =MAIR_VALUE
        msr     mair_el1, x0
        ldr     x0, =(\tcr)
        msr     tcr_el1, x0
        adrp    x0, \ttbr0
        msr     ttbr0_el1, x0
        .ifnb   \ttbr1
        adrp    x0, \ttbr1
        msr     ttbr1_el1, x0
        .endif
        isb
        tlbi    vmalle1
        dsb     ish
        isb
        mrs     x0, sctlr_el1
        orr     x0, x0, #(1 << 0)       // M: stage 1 on
        orr     x0, x0, #(1 << 2)       // C
        orr     x0, x0, #(1 << 12)      // I
        msr     sctlr_el1, x0
        isb
        .endm

/* PT_VBAR_ALIAS alias_base: VBAR_EL1 := vectors - RAM_BASE + alias_base
 * (the alias VA of the image's table); isb so the SVC uses it.  Clobbers
 * x0, x1. */
        .macro  PT_VBAR_ALIAS alias
        adrp    x0, vectors
        add     x0, x0, :lo12:vectors
        ldr     x1, =((\alias) - RAM_BASE)
        add     x0, x0, x1
        msr     vbar_el1, x0
        isb
        .endm
