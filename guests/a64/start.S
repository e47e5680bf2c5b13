/*
 * a64: the smallest AArch64 guest that shows where an EL1 exception goes.
 *
 * QEMU's virt board (-M virt -cpu cortex-a53|cortex-a57|max, RAM at
 * 0x40000000, PL011 data register at 0x09000000) loads this ELF with
 * -kernel at its link address (a64.ld: 0x40080000) and starts it at
 * _start -- in EL1 by default, in EL2 with -M virt,virtualization=on, in
 * EL3 with -M virt,secure=on.  _start drops to EL1h (below), sets SP,
 * prints, executes `svc #0` and prints again if the handler returned.
 *
 * Whether the handler runs depends on what the CPU finds at
 * VBAR_EL1 + 0x200 (cur_spx.sync: a synchronous exception taken from EL1
 * while using SP_EL1).  Each variant (variant-<name>.S, chosen with
 * -DVARIANT_FILE) provides the macro `variant_setup`, run after the boot
 * line and before the SVC, and any tables it needs; see those files for
 * why each one works or fails.  UART ground truth, common to all:
 *
 *   "a64: boot (EL1)"       in EL1 (the digit is read from CurrentEL)
 *   "a64: issuing svc"      the next instruction is svc_insn: svc #0
 *   "a64: took sync at VBAR_EL1+0x200 (cur_spx.sync), ESR_EL1 0x56000000"
 *                           the slot's own handler ran (vectors.S)
 *   "a64: back from svc"    ... and returned with eret
 *
 * then it idles at `idle` (wfi).
 *
 * Where QEMU 7.2 puts the device tree for an ELF -kernel (measured: monitor
 * pmemsave of the flash and of RAM, searched for the magic 0xd00dfeed, on
 * cortex-a53, cortex-a57 and max; also with virtualization=on and
 * secure=on): hw/arm/boot.c puts it at the start of RAM, 0x40000000, if the
 * ELF starts above that and the blob fits below the ELF.  virt's blob is
 * 1 MiB (totalsize 0x100000, unpacked).  So:
 *
 *   linked at 0x40000000 (as the 32-bit tiny guests are): no room in RAM,
 *       the DTB goes into flash0 at 0x0 (0x0 reads 0xedfe0dd0);
 *   linked at 0x40080000 (here; the arm64 Image's 512 KiB text offset):
 *       the 512 KiB gap is too small and QEMU silently loads no DTB at all:
 *       0x0-0x3ffffff (flash0) and 0x40000000-0x4007ffff read as zeros;
 *   linked at 0x40100000 or above: the DTB lands at 0x40000000.
 *
 * The guests need no DTB; 0x40080000 keeps the flash at 0x0 empty, which
 * is what a guest whose VBAR_EL1 is 0 fetches its vectors from
 * (variant-low.S).
 *
 * Build flags: -DUART_BASE=<PL011 data register> -DRAM_BASE=<RAM start,
 * for the unmapped variant's map> -DVARIANT_FILE="<file>"; link with
 * a64.ld (guests/Makefile).
 */
#include "puts.S"
#include VARIANT_FILE

        .section .text.boot, "ax"
        .global _start
_start:
        mrs     x0, CurrentEL
        ubfx    x0, x0, #2, #2
        cmp     x0, #3
        b.eq    from_el3
        cmp     x0, #2
        b.eq    from_el2
        b       el1_entry               // QEMU's default: already in EL1h

/* EL3 (secure=on): EL1 below must be AArch64 (SCR_EL3.RW) and Non-secure
 * (SCR_EL3.NS: the state a normal guest runs in; bits 4 and 5 are RES1).
 * If EL2 exists too (secure=on,virtualization=on), EL1's width is decided
 * by HCR_EL2.RW as well, so set that.  Then an exception return to EL1h
 * with D, A, I and F masked (SPSR M[3:0] = 0b0101, DAIF = 0xf << 6). */
from_el3:
        mrs     x1, id_aa64pfr0_el1
        ubfx    x1, x1, #8, #4          // EL2 field: 0 = not implemented
        cbz     x1, 1f
        mov     x1, #(1 << 31)          // HCR_EL2.RW: EL1 is AArch64
        msr     hcr_el2, x1
1:      mov     x1, #((1 << 10) | (1 << 5) | (1 << 4) | (1 << 0))
        msr     scr_el3, x1             // RW, RES1, RES1, NS
        mov     x1, #0x3c5              // DAIF masked, EL1h
        msr     spsr_el3, x1
        adr     x1, el1_entry
        msr     elr_el3, x1
        isb
        eret

/* EL2 (virtualization=on): HCR_EL2 := RW only -- EL1 is AArch64, no
 * stage 2 (VM=0), nothing routed or trapped to EL2. */
from_el2:
        mov     x1, #(1 << 31)          // HCR_EL2.RW
        msr     hcr_el2, x1
        mov     x1, #0x3c5              // DAIF masked, EL1h
        msr     spsr_el2, x1
        adr     x1, el1_entry
        msr     elr_el2, x1
        isb
        eret

        .text
el1_entry:
        msr     daifset, #0xf
        msr     spsel, #1               // EL1h: SP_EL1
        ldr     x0, =stack_top
        mov     sp, x0
        PUTS    "a64: boot (EL"
        mrs     x0, CurrentEL
        ubfx    x0, x0, #2, #2
        mov     x1, #1
        bl      puthex
        PUTS    ")\n"
        variant_setup
        PUTS    "a64: issuing svc\n"
        .global svc_insn
svc_insn:
        svc     #0
        PUTS    "a64: back from svc\n"
        .global idle
idle:   wfi
        b       idle
        .ltorg

#include "vectors.S"

        .bss
        .balign 16
        .space  4096
stack_top:
