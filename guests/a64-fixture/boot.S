/*
 * boot.S - a64-fixture's entry, EL2 vector table, guest entry and exit.
 *
 * An AArch64 exception is taken through the vector base of the EL it is
 * taken *to*: VBAR_EL1 for EL1, VBAR_EL2 (this file's table) for EL2.  A
 * guest's own SVC, undefined instruction or stage-1 MMU fault goes to its
 * EL1, through its VBAR_EL1: the hypervisor never sees it.  What arrives
 * here is what HCR_EL2 routes to EL2 -- stage-2 aborts (EC 0x20/0x24),
 * HVC (EC 0x16), and with IMO/FMO/AMO physical IRQ, FIQ and SError --
 * through the lower_a64 group of slots (VBAR_EL2 + 0x400..0x580).  A guest
 * that leaves VBAR_EL1 at 0 and executes SVC therefore first takes an
 * ordinary SVC exception to its own EL1, at VBAR_EL1 + 0x200 = 0x200; only
 * the *fetch* from 0x200 traps, in stage 2, because this hypervisor gave
 * the guest nothing at IPA 0x200.
 *
 * QEMU starts this image in EL2h (virt,virtualization=on without
 * secure=on: the CPU resets into its highest exception level, which is
 * EL2; README.md).  Anything else is refused (vmm_not_el2).
 */
#include "fixture.h"

        .section .text.boot, "ax"
        .global _start
_start:
        msr     daifset, #0xf           // no interrupts in the fixture, ever
        mrs     x0, CurrentEL
        ubfx    x0, x0, #2, #2
        adrp    x1, el2_stack_top       // SP_ELx of whatever EL this is
        add     x1, x1, :lo12:el2_stack_top
        mov     sp, x1
        cmp     x0, #2
        b.ne    not_el2
        /* SCTLR_EL2 := its RES1 bits (4, 5, 11, 16, 18, 22, 23, 28, 29):
         * MMU, caches and alignment checks off, little-endian, whatever the
         * reset value was.  With the EL2 MMU off every data access is
         * Device-nGnRnE, which is also why vmm.c is built with -mstrict-align
         * (an unaligned access to Device memory faults). */
        ldr     x1, =0x30c50830
        msr     sctlr_el2, x1
        isb
        adrp    x1, _bss_start          // zero .bss: stage-2 tables, stack
        add     x1, x1, :lo12:_bss_start
        adrp    x2, _bss_end
        add     x2, x2, :lo12:_bss_end
1:      cmp     x1, x2
        b.hs    2f
        stp     xzr, xzr, [x1], #16
        b       1b
2:      adrp    x1, el2_vectors         // VBAR_EL2 := el2_vectors
        add     x1, x1, :lo12:el2_vectors
        msr     vbar_el2, x1
        isb
        bl      vmm_main                // builds stage 2, returns the entry
        b       enter_guest

not_el2:                                // x0 = CurrentEL.EL (1 or 3)
        bl      vmm_not_el2
        b       vmm_halt

/*
 * enter_guest(x0 = entry): start the guest like a VMM starts a VCPU.
 * ERET at EL2 restores PSTATE from SPSR_EL2 and jumps to ELR_EL2:
 * SPSR_EL2 = GUEST_SPSR (EL1h, D/A/I/F masked), every general-purpose
 * register zero (x0 is where Linux's boot protocol wants a DTB; there is
 * none).  vmm_main() set the guest's EL1 system registers.
 */
        .global enter_guest
enter_guest:
        msr     elr_el2, x0
        mov     x0, #GUEST_SPSR
        msr     spsr_el2, x0
        .irp    n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30
        mov     x\n, xzr
        .endr
        eret

/*
 * The EL2 vector table (VBAR_EL2, 2 KiB aligned: VBAR_EL2[10:0] are RES0):
 * 16 slots of 0x80 bytes, chosen by where the exception comes from and by
 * its type (+0x000 sync, +0x080 irq, +0x100 fiq, +0x180 serror):
 *
 *   0x000 cur_sp0    from EL2 using SP_EL0     -- the fixture never does
 *   0x200 cur_spx    from EL2 using SP_EL2     -- a bug in the fixture
 *   0x400 lower_a64  from EL1/EL0 in AArch64   -- the guest: every trap
 *   0x600 lower_a32  from EL0 in AArch32       -- (HCR_EL2.RW=1 makes EL1
 *                                                 AArch64; EL0 could be 32)
 *
 * A guest slot saves the guest's x0-x30 in a frame on the EL2 stack (the
 * exception selected SP_EL2: the guest's SP_EL1/SP_EL0 are untouched) and
 * calls vmm_trap(vector offset, frame), which records and reports it.
 * The fixture never resumes the guest: after vmm_trap() it halts.
 */
        .section .text.vectors, "ax"

        .macro  GUEST_SLOT off
        .balign 128
        sub     sp, sp, #256            // struct guest_frame: x0-x30, pad
        stp     x0, x1, [sp, #0]
        mov     x0, #\off
        b       guest_trap
        .endm

        .macro  EL2_SLOT off
        .balign 128
        mov     x0, #\off
        b       el2_exception
        .endm

        .balign 2048
        .global el2_vectors
el2_vectors:
        EL2_SLOT   0x000                // cur_sp0.sync
        EL2_SLOT   0x080                // cur_sp0.irq
        EL2_SLOT   0x100                // cur_sp0.fiq
        EL2_SLOT   0x180                // cur_sp0.serror
        EL2_SLOT   0x200                // cur_spx.sync
        EL2_SLOT   0x280                // cur_spx.irq
        EL2_SLOT   0x300                // cur_spx.fiq
        EL2_SLOT   0x380                // cur_spx.serror
        GUEST_SLOT 0x400                // lower_a64.sync  <- stage-2 aborts, HVC
        GUEST_SLOT 0x480                // lower_a64.irq   (HCR_EL2.IMO)
        GUEST_SLOT 0x500                // lower_a64.fiq   (HCR_EL2.FMO)
        GUEST_SLOT 0x580                // lower_a64.serror (HCR_EL2.AMO)
        GUEST_SLOT 0x600                // lower_a32.sync
        GUEST_SLOT 0x680                // lower_a32.irq
        GUEST_SLOT 0x700                // lower_a32.fiq
        GUEST_SLOT 0x780                // lower_a32.serror
        .balign 128
        .global el2_vectors_end
el2_vectors_end:

        .text
/* x0 = the slot's offset; the guest's x0 and x1 are at [sp], the rest still
 * in their registers. */
guest_trap:
        stp     x2, x3, [sp, #16]
        stp     x4, x5, [sp, #32]
        stp     x6, x7, [sp, #48]
        stp     x8, x9, [sp, #64]
        stp     x10, x11, [sp, #80]
        stp     x12, x13, [sp, #96]
        stp     x14, x15, [sp, #112]
        stp     x16, x17, [sp, #128]
        stp     x18, x19, [sp, #144]
        stp     x20, x21, [sp, #160]
        stp     x22, x23, [sp, #176]
        stp     x24, x25, [sp, #192]
        stp     x26, x27, [sp, #208]
        stp     x28, x29, [sp, #224]
        str     x30, [sp, #240]
        mov     x1, sp
        bl      vmm_trap                // record, vmm_trap_recorded, report
        b       vmm_halt

/* An exception taken from EL2 itself: a fixture bug.  A fresh stack, in
 * case the old one is what went wrong.  x0 = the slot's offset. */
el2_exception:
        adrp    x1, el2_stack_top
        add     x1, x1, :lo12:el2_stack_top
        mov     sp, x1
        bl      vmm_el2_exception
        b       vmm_halt

/*
 * vmm_halt: stay in EL2 (or wherever the fixture found itself), interrupts
 * masked, for a debugger to look at.  WFI also wakes on an interrupt that
 * is pending but masked, hence the loop.
 */
        .global vmm_halt
vmm_halt:
        msr     daifset, #0xf
1:      wfi
        b       1b
        .ltorg

/* The EL2 stack (SP_EL2), in .bss: 4 KiB is plenty for vmm.c. */
        .section .bss.stack, "aw", %nobits
        .balign 16
        .space  4096
        .global el2_stack_top
el2_stack_top:
