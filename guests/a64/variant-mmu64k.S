/*
 * mmu64k: MMU on with the 64 KiB granule, and VBAR_EL1 := a second VA of
 * the image's `vectors` table, so the vector fetch goes through a
 * two-level walk that is not the identity.  Tables: pt.S (static, in the
 * image, each 64 KiB-aligned).
 *
 * TCR_EL1 = 0x2c0997519:
 *   T0SZ 25 (39-bit VAs through TTBR0_EL1), TG0 0b01 (64 KiB), walks
 *   IRGN0 = ORGN0 = 0b01 (write-back write-allocate), SH0 0b11 (inner
 *   shareable); EPD1 1 (no TTBR1 walks; T1SZ 25, TG1 0b11 64 KiB only so
 *   the fields are valid); IPS 0b010 (40-bit PAs).
 * TTBR0_EL1 = pt64_l2.  A 64 KiB level resolves 13 VA bits: level 3
 * VA[28:16] (64 KiB pages), level 2 VA[41:29] (512 MiB); a 39-bit VA
 * leaves level 2 only VA[38:29], 1024 entries (an 8 KiB start table).
 * Every walk starts at level 2 and takes 2 levels (2, 3).
 *
 *   pt64_l2[0]   -> pt64_l3dev: [0x900] the UART page 0x09000000, Device
 *   pt64_l2[2]   -> pt64_l3ram: [0..31] 0x40000000..0x401fffff, Normal
 *   pt64_l2[512] -> pt64_l3a:   [0x1000..0x101f] the same 2 MiB, read-only
 *
 * Alias: ALIAS_BASE 0x0000_0040_1000_0000 = RAM_BASE (0x40000000), so
 * VBAR_EL1 = vectors - 0x40000000 + 0x4010000000; with vectors at PA
 * 0x40080800 (as linked today), VBAR_EL1 = 0x0000004010080800, and the
 * SVC's vector VA 0x4010080a00 walks L2[512] -> L3a[0x1008] -> page PA
 * 0x40080000, + 0xa00 = PA 0x40080a00 = vec_cur_spx_sync.  (The
 * identity walk of that PA: L2[2] -> L3ram[8].)
 *
 * Outcome (cortex-a53, cortex-a57 and max all have the 64 KiB granule,
 * ID_AA64MMFR0_EL1.TGran64 0): "a64: mmu on", "a64: issuing svc", then
 * the slot handler runs at the alias and prints "a64: took sync at
 * VBAR_EL1+0x200 (cur_spx.sync), ESR_EL1 0x56000000" and erets to
 * svc_insn + 4 (identity): "a64: back from svc".  On a CPU without it
 * (TGran64 0xf) the guest says "a64: no 64 KiB granule
 * (ID_AA64MMFR0_EL1.TGran64 0xf): mmu off, no svc" and idles instead.
 */
#define PT_GRANULE      0x10000
#include "pt.S"

#define ALIAS_BASE      0x0000004010000000
#define TCR_VALUE       (TCR_T0SZ(25) | TCR_WALK0 | TCR_TG0_64K | TCR_T1SZ(25) | TCR_EPD1 | \
                         TCR_TG1_64K | TCR_IPS_40)              /* 0x2c0997519 */
#define L2I(va)         (((va) >> 29) & 0x3ff)
#define L3I(va)         (((va) >> 16) & 0x1fff)
#define PAGES           (PT_WINDOW / PT_GRANULE)                /* 32 */

        .if (RAM_BASE >> 39) | (UART_BASE >> 39) | (ALIAS_BASE >> 39)
        .error "mmu64k: RAM, UART and ALIAS_BASE must be 39-bit VAs"
        .endif
        .if L3I(ALIAS_BASE) + PAGES > 8192 || L3I(RAM_BASE) + PAGES > 8192
        .error "mmu64k: ALIAS_BASE / RAM_BASE do not fit the table layout"
        .endif

        .section .data.pt, "aw", %progbits
        PT_BEGIN pt64_l2
        PT_ENTRY pt64_l2, L2I(UART_BASE), pt64_l3dev + PTE_VALID
        PT_ENTRY pt64_l2, L2I(RAM_BASE), pt64_l3ram + PTE_VALID
        PT_ENTRY pt64_l2, L2I(ALIAS_BASE), pt64_l3a + PTE_VALID
        PT_END   pt64_l2, 1024
        PT_BEGIN pt64_l3dev
        PT_PAGES pt64_l3dev, L3I(UART_BASE), 1, UART_BASE & ~(PT_GRANULE - 1), PTE_DEVICE
        PT_END   pt64_l3dev, 8192
        PT_BEGIN pt64_l3ram
        PT_PAGES pt64_l3ram, L3I(RAM_BASE), PAGES, RAM_BASE, PTE_NORMAL
        PT_END   pt64_l3ram, 8192
        PT_BEGIN pt64_l3a
        PT_PAGES pt64_l3a, L3I(ALIAS_BASE), PAGES, RAM_BASE, PTE_ALIAS
        PT_END   pt64_l3a, 8192

        .macro  variant_setup
        mrs     x0, id_aa64mmfr0_el1
        ubfx    x0, x0, #24, #4         // TGran64: 0xf = not implemented
        cmp     x0, #0xf
        b.ne    1f
        PUTS    "a64: no 64 KiB granule (ID_AA64MMFR0_EL1.TGran64 0xf): mmu off, no svc\n"
        b       idle
1:      PT_MMU_ON TCR_VALUE, pt64_l2
        PUTS    "a64: mmu on\n"
        PT_VBAR_ALIAS ALIAS_BASE
        .endm
