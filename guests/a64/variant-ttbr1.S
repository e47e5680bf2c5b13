/*
 * ttbr1: MMU on with the 4 KiB granule and both VA ranges: TTBR0_EL1
 * identity-maps the image's RAM and the UART (the layout of the unmapped
 * variant, without its hole), TTBR1_EL1 maps a kernel-style high VA of
 * the image's `vectors` table, and VBAR_EL1 := that high VA -- as an
 * arm64 Linux kernel's VBAR_EL1 is in TTBR1's half.  Tables: pt.S
 * (static, in the image, each 4 KiB-aligned).
 *
 * TCR_EL1 = 0x2b5103519:
 *   T0SZ 25 (39-bit VAs through TTBR0_EL1: 0 .. 0x0000_007f_ffff_ffff),
 *   TG0 0b00 (4 KiB); T1SZ 16 (48-bit VAs through TTBR1_EL1:
 *   0xffff_0000_0000_0000 .. all ones), EPD1 0 (TTBR1 walks on), TG1 0b10
 *   (4 KiB); both halves' walks IRGN = ORGN = 0b01 (write-back
 *   write-allocate), SH 0b11 (inner shareable); IPS 0b010 (40-bit PAs).
 * A 4 KiB level resolves 9 VA bits: level 3 VA[20:12] (4 KiB pages),
 * level 2 VA[29:21] (2 MiB), level 1 VA[38:30] (1 GiB), level 0
 * VA[47:39] (512 GiB).
 *
 * TTBR0_EL1 = pt4_l1: every walk starts at level 1, 3 levels (1, 2, 3).
 *   pt4_l1[0]       -> pt4_l2dev
 *     pt4_l2dev[72] -> pt4_l3dev: [0] the UART page 0x09000000, Device
 *   pt4_l1[1]       -> pt4_l2ram
 *     pt4_l2ram[0]  -> pt4_l3ram: [0..511] 0x40000000..0x401fffff, Normal
 * TTBR1_EL1 = ptk_l0: every walk starts at level 0, 4 levels (0, 1, 2, 3).
 *   ptk_l0[257]     -> ptk_l1
 *     ptk_l1[2]     -> ptk_l2
 *       ptk_l2[3]   -> ptk_l3: [0..511] the same 2 MiB, read-only
 *
 * Alias: ALIAS_BASE 0xffff_8080_8060_0000 = RAM_BASE (0x40000000), so
 * VBAR_EL1 = vectors - 0x40000000 + 0xffff808080600000; with vectors at
 * PA 0x40080800 (as linked today), VBAR_EL1 = 0xffff808080680800, and the
 * SVC's vector VA 0xffff808080680a00 (VA[55] = 1: TTBR1) walks L0[257] ->
 * L1[2] -> L2[3] -> L3[0x80] -> page PA 0x40080000, + 0xa00 = PA
 * 0x40080a00 = vec_cur_spx_sync.  (The identity walk of that PA, through
 * TTBR0: L1[1] -> L2[0] -> L3[0x80].)
 *
 * Outcome (cortex-a53, cortex-a57 and max all have the 4 KiB granule,
 * ID_AA64MMFR0_EL1.TGran4 0 or 1): "a64: mmu on", "a64: issuing svc",
 * then the slot handler runs at the high VA and prints "a64: took sync at
 * VBAR_EL1+0x200 (cur_spx.sync), ESR_EL1 0x56000000" and erets to
 * svc_insn + 4 (identity, TTBR0): "a64: back from svc".  On a CPU without
 * it (TGran4 0xf) the guest says "a64: no 4 KiB granule
 * (ID_AA64MMFR0_EL1.TGran4 0xf): mmu off, no svc" and idles instead.
 */
#define PT_GRANULE      0x1000
#include "pt.S"

#define ALIAS_BASE      0xffff808080600000
#define TCR_VALUE       (TCR_T0SZ(25) | TCR_WALK0 | TCR_TG0_4K | TCR_T1SZ(16) | TCR_WALK1 | \
                         TCR_TG1_4K | TCR_IPS_40)               /* 0x2b5103519 */
#define L0I(va)         (((va) >> 39) & 0x1ff)
#define L1I(va)         (((va) >> 30) & 0x1ff)
#define L2I(va)         (((va) >> 21) & 0x1ff)
#define L3I(va)         (((va) >> 12) & 0x1ff)
#define PAGES           (PT_WINDOW / PT_GRANULE)                /* 512 */

        .if (RAM_BASE >> 39) | (UART_BASE >> 39) | (RAM_BASE & (PT_WINDOW - 1)) | (ALIAS_BASE & (PT_WINDOW - 1))
        .error "ttbr1: RAM and UART must be 39-bit VAs, RAM_BASE and ALIAS_BASE 2 MiB-aligned"
        .endif
        .if L1I(UART_BASE) >= L1I(RAM_BASE)
        .error "ttbr1: the TTBR0 tables want the UART in a lower 1 GiB than RAM"
        .endif

        .section .data.pt, "aw", %progbits
        PT_BEGIN pt4_l1
        PT_ENTRY pt4_l1, L1I(UART_BASE), pt4_l2dev + PTE_VALID
        PT_ENTRY pt4_l1, L1I(RAM_BASE), pt4_l2ram + PTE_VALID
        PT_END   pt4_l1, 512
        PT_BEGIN pt4_l2dev
        PT_ENTRY pt4_l2dev, L2I(UART_BASE), pt4_l3dev + PTE_VALID
        PT_END   pt4_l2dev, 512
        PT_BEGIN pt4_l3dev
        PT_PAGES pt4_l3dev, L3I(UART_BASE), 1, UART_BASE & ~(PT_GRANULE - 1), PTE_DEVICE
        PT_END   pt4_l3dev, 512
        PT_BEGIN pt4_l2ram
        PT_ENTRY pt4_l2ram, L2I(RAM_BASE), pt4_l3ram + PTE_VALID
        PT_END   pt4_l2ram, 512
        PT_BEGIN pt4_l3ram
        PT_PAGES pt4_l3ram, 0, PAGES, RAM_BASE, PTE_NORMAL
        PT_END   pt4_l3ram, 512
        PT_BEGIN ptk_l0
        PT_ENTRY ptk_l0, L0I(ALIAS_BASE), ptk_l1 + PTE_VALID
        PT_END   ptk_l0, 512
        PT_BEGIN ptk_l1
        PT_ENTRY ptk_l1, L1I(ALIAS_BASE), ptk_l2 + PTE_VALID
        PT_END   ptk_l1, 512
        PT_BEGIN ptk_l2
        PT_ENTRY ptk_l2, L2I(ALIAS_BASE), ptk_l3 + PTE_VALID
        PT_END   ptk_l2, 512
        PT_BEGIN ptk_l3
        PT_PAGES ptk_l3, 0, PAGES, RAM_BASE, PTE_ALIAS
        PT_END   ptk_l3, 512

        .macro  variant_setup
        mrs     x0, id_aa64mmfr0_el1
        ubfx    x0, x0, #28, #4         // TGran4: 0xf = not implemented
        cmp     x0, #0xf
        b.ne    1f
        PUTS    "a64: no 4 KiB granule (ID_AA64MMFR0_EL1.TGran4 0xf): mmu off, no svc\n"
        b       idle
1:      PT_MMU_ON TCR_VALUE, pt4_l1, ptk_l0
        PUTS    "a64: mmu on\n"
        PT_VBAR_ALIAS ALIAS_BASE
        .endm
