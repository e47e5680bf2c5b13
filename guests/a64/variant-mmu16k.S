/*
 * mmu16k: MMU on with the 16 KiB granule, and VBAR_EL1 := a second VA of
 * the image's `vectors` table, so the vector fetch itself goes through a
 * four-level walk that is not the identity.  Tables: pt.S (static, in the
 * image, each 16 KiB-aligned).
 *
 * TCR_EL1 = 0x24090b510:
 *   T0SZ 16 (48-bit VAs through TTBR0_EL1), TG0 0b10 (16 KiB), walks
 *   IRGN0 = ORGN0 = 0b01 (write-back write-allocate), SH0 0b11 (inner
 *   shareable); EPD1 1 (no TTBR1 walks; T1SZ 16, TG1 0b01 16 KiB only so
 *   the fields are valid); IPS 0b010 (40-bit PAs).
 * TTBR0_EL1 = pt16_l0.  A 16 KiB level resolves 11 VA bits: level 3
 * VA[24:14] (16 KiB pages), level 2 VA[35:25] (32 MiB), level 1 VA[46:36]
 * (64 GiB), and for a 48-bit VA a level 0 of only VA[47]: two entries.
 * Every walk starts at level 0 and takes 4 levels (0, 1, 2, 3).
 *
 *   pt16_l0[0]     -> pt16_l1    identity half (VA[47] = 0)
 *     pt16_l1[0]   -> pt16_l2
 *       pt16_l2[4]  -> pt16_l3dev: [0x400] the UART page 0x09000000, Device
 *       pt16_l2[32] -> pt16_l3ram: [0..127] 0x40000000..0x401fffff, Normal
 *   pt16_l0[1]     -> pt16_l1a   alias half (VA[47] = 1)
 *     pt16_l1a[1]  -> pt16_l2a
 *       pt16_l2a[1] -> pt16_l3a: [0x400..0x47f] the same 2 MiB, read-only
 *
 * Alias: ALIAS_BASE 0x0000_8010_0300_0000 = RAM_BASE (0x40000000), so
 * VBAR_EL1 = vectors - 0x40000000 + 0x801003000000; with vectors at PA
 * 0x40080800 (as linked today), VBAR_EL1 = 0x0000801003080800, and the
 * SVC's vector VA 0x801003080a00 walks L0[1] -> L1a[1] -> L2a[1] ->
 * L3a[0x420] -> page PA 0x40080000, + 0xa00 = PA 0x40080a00 =
 * vec_cur_spx_sync.  (The identity walk of the same PA differs at every
 * level: L0[0] -> L1[0] -> L2[32] -> L3ram[0x20].)
 *
 * Outcome where the CPU has the 16 KiB granule (ID_AA64MMFR0_EL1.TGran16
 * != 0; in QEMU 7.2 only -cpu max, TGran16 2): "a64: mmu on", "a64:
 * issuing svc", then the slot handler runs at the alias and prints "a64:
 * took sync at VBAR_EL1+0x200 (cur_spx.sync), ESR_EL1 0x56000000" (its
 * adr gives the alias VA of the slot, VBAR_EL1 is the alias base: +0x200),
 * and erets to svc_insn + 4 (identity): "a64: back from svc".
 *
 * Cortex-A53 and Cortex-A57 do not implement the 16 KiB granule (TGran16
 * 0: QEMU's ID_AA64MMFR0_EL1 is 0x1122 and 0x1124, as the TRMs give).
 * Programming TG0 = 16 KiB there is not an error the CPU reports: the
 * architecture makes it behave as some implemented granule (an
 * IMPLEMENTATION DEFINED choice; QEMU 7.2 walks it as 4 KiB), which reads
 * these tables wrongly (measured with the check below taken out, on
 * cortex-a53: the fetch right after the MMU goes on is an Instruction
 * Abort, ESR_EL1 0x86000005, level 1 translation fault, then the same at
 * VBAR_EL1 0 + 0x200 for ever).  So the guest checks first and, on such a
 * CPU, prints "a64: no 16 KiB granule (ID_AA64MMFR0_EL1.TGran16 0): mmu
 * off, no svc" and idles at `idle` with the MMU off, VBAR_EL1 and TCR_EL1
 * untouched (0) -- it never reaches svc_insn.
 */
#define PT_GRANULE      0x4000
#include "pt.S"

#define ALIAS_BASE      0x0000801003000000
#define TCR_VALUE       (TCR_T0SZ(16) | TCR_WALK0 | TCR_TG0_16K | TCR_T1SZ(16) | TCR_EPD1 | \
                         TCR_TG1_16K | TCR_IPS_40)              /* 0x24090b510 */
#define L0I(va)         (((va) >> 47) & 1)
#define L1I(va)         (((va) >> 36) & 0x7ff)
#define L2I(va)         (((va) >> 25) & 0x7ff)
#define L3I(va)         (((va) >> 14) & 0x7ff)
#define PAGES           (PT_WINDOW / PT_GRANULE)                /* 128 */

        .if L0I(RAM_BASE) | L0I(UART_BASE) | L1I(RAM_BASE) | L1I(UART_BASE)
        .error "mmu16k: the identity tables assume RAM and UART below 64 GiB"
        .endif
        .if L0I(ALIAS_BASE) != 1 || L3I(ALIAS_BASE) + PAGES > 2048 || L3I(RAM_BASE) + PAGES > 2048
        .error "mmu16k: ALIAS_BASE / RAM_BASE do not fit the table layout"
        .endif

        .section .data.pt, "aw", %progbits
        PT_BEGIN pt16_l0
        PT_ENTRY pt16_l0, 0, pt16_l1 + PTE_VALID
        PT_ENTRY pt16_l0, 1, pt16_l1a + PTE_VALID
        PT_END   pt16_l0, 2
        PT_BEGIN pt16_l1
        PT_ENTRY pt16_l1, 0, pt16_l2 + PTE_VALID
        PT_END   pt16_l1, 2048
        PT_BEGIN pt16_l2
        PT_ENTRY pt16_l2, L2I(UART_BASE), pt16_l3dev + PTE_VALID
        PT_ENTRY pt16_l2, L2I(RAM_BASE), pt16_l3ram + PTE_VALID
        PT_END   pt16_l2, 2048
        PT_BEGIN pt16_l3dev
        PT_PAGES pt16_l3dev, L3I(UART_BASE), 1, UART_BASE & ~(PT_GRANULE - 1), PTE_DEVICE
        PT_END   pt16_l3dev, 2048
        PT_BEGIN pt16_l3ram
        PT_PAGES pt16_l3ram, L3I(RAM_BASE), PAGES, RAM_BASE, PTE_NORMAL
        PT_END   pt16_l3ram, 2048
        PT_BEGIN pt16_l1a
        PT_ENTRY pt16_l1a, L1I(ALIAS_BASE), pt16_l2a + PTE_VALID
        PT_END   pt16_l1a, 2048
        PT_BEGIN pt16_l2a
        PT_ENTRY pt16_l2a, L2I(ALIAS_BASE), pt16_l3a + PTE_VALID
        PT_END   pt16_l2a, 2048
        PT_BEGIN pt16_l3a
        PT_PAGES pt16_l3a, L3I(ALIAS_BASE), PAGES, RAM_BASE, PTE_ALIAS
        PT_END   pt16_l3a, 2048

        .macro  variant_setup
        mrs     x0, id_aa64mmfr0_el1
        ubfx    x0, x0, #20, #4         // TGran16: 0 = not implemented
        cbnz    x0, 1f
        PUTS    "a64: no 16 KiB granule (ID_AA64MMFR0_EL1.TGran16 0): mmu off, no svc\n"
        b       idle
1:      PT_MMU_ON TCR_VALUE, pt16_l0
        PUTS    "a64: mmu on\n"
        PT_VBAR_ALIAS ALIAS_BASE
        .endm
