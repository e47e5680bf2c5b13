/*
 * unmapped: turn on the stage-1 MMU with an identity map of the image's
 * 2 MiB of RAM and the UART page (mmu.S) -- and with one page of RAM,
 * unmapped_page (4 KiB-aligned, in .bss), deliberately left out.  Then
 * VBAR_EL1 := unmapped_page.  The page exists in physical memory (zeros),
 * but the guest has no virtual address for it.
 *
 * The SVC is taken to VA unmapped_page + 0x200.  Vectors are fetched
 * through the MMU like any instruction, so the fetch faults: Instruction
 * Abort taken from EL1 (ESR_EL1 0x86000007: EC 0x21, IL 1, IFSC 0b000111
 * translation fault at level 3; FAR_EL1 = ELR_EL1 = unmapped_page + 0x200),
 * to VBAR_EL1 + 0x200 -- the same unmapped VA: it aborts again, for ever.
 * No handler line.  (What the physical page holds does not matter: with
 * the MMU on, the CPU never gets there.)
 *
 * "a64: mmu on" is printed through the new mapping, so it also proves the
 * UART page and the code are mapped.
 */
#include "mmu.S"

        .macro  variant_setup
        MMU_TABLES
        MMU_ENABLE
        PUTS    "a64: mmu on\n"
        adrp    x0, unmapped_page
        msr     vbar_el1, x0
        isb
        .endm
