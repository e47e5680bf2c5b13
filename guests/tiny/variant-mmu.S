/*
 * mmu: turn on the stage-1 MMU with a flat (identity) short-descriptor
 * section map of RAM (128 MiB from RAM_BASE) and of the 1 MiB holding the
 * UART -- and nothing else (mmu.S).  VA 0x0-0xFFFFF (the first section) is
 * left unmapped (a Fault entry); VBAR stays 0.
 *
 * The SVC is taken to VA 0x8.  Exception vectors are fetched through the
 * MMU like any instruction, so the fetch faults: Prefetch Abort (IFSR 0x5,
 * translation fault, section; IFAR 0x8), vector VBAR+0xC = VA 0xC -- also
 * unmapped: Prefetch Abort again (IFAR 0xC), and again, for ever, in
 * abt32.  Under a hypervisor this shows up as "Page Fault at PC: 0x8".
 * Whatever is in physical memory at 0x0 is irrelevant: the guest has no
 * virtual address for it.
 */
#include "mmu.S"

        .macro  variant_setup
        MMU_TABLE
        MMU_ENABLE
        PUTS    "mmu: on, VA 0x0-0xfffff unmapped\n"
        .endm
