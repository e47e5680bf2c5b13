/*
 * boot.S - hyp-fixture's entry, Hyp vector table and guest entry/exit.
 *
 * ARMv7-A with the Virtualization Extensions has three vector bases, and
 * which one an exception uses depends on the mode it is *taken to*:
 *
 *   taken to PL1 (svc/abt/und/irq/fiq)  SCTLR.V ? 0xffff0000 : VBAR
 *   taken to Monitor mode                MVBAR
 *   taken to Hyp mode (PL2)              HVBAR       <- this file's table
 *
 * A guest's own SVC, undefined instruction, stage-1 MMU fault or (with
 * HCR.IMO=0) IRQ is taken to the guest's PL1 mode through the guest's
 * VBAR: the hypervisor never sees it.  Only what HCR/HSTR/HCPTR... route to
 * Hyp, HVC, and *stage-2* faults arrive here, all at HVBAR + 0x14 ("Hyp
 * trap"), with the reason in HSR (EC = HSR[31:26]).  A guest that leaves
 * VBAR at 0 and executes SVC therefore first takes an ordinary SVC exception
 * to its own svc32 mode, at VA 0x8; only the *fetch* from 0x8 faults, in
 * stage 2, because this hypervisor gave the guest nothing at IPA 0x8.
 *
 * QEMU starts this image in hyp32 (virt,virtualization=on and no EL3: the
 * CPU resets into its highest exception level, Hyp).
 */
#include "fixture.h"

        .syntax unified
        .arm
        .arch_extension virt            @ eret, ELR_hyp, banked MRS

        .section .text.boot, "ax"
        .global _start
_start:
        cpsid   aif                     @ no interrupts in the fixture, ever
        mrs     r0, cpsr
        and     r0, r0, #0x1f
        cmp     r0, #0x1a               @ Hyp mode?
        bne     not_hyp
        ldr     sp, =hyp_stack_top      @ SP_hyp
        ldr     r0, =_bss_start         @ zero .bss (stage-2 tables, stack)
        ldr     r1, =_bss_end
        mov     r2, #0
1:      cmp     r0, r1
        strlo   r2, [r0], #4
        blo     1b
        ldr     r0, =hyp_vectors        @ HVBAR := hyp_vectors
        mcr     p15, 4, r0, c12, c0, 0
        isb
        bl      vmm_main                @ builds stage 2, returns the entry
        b       enter_guest

not_hyp:                                @ e.g. virtualization=on forgotten:
        ldr     sp, =hyp_stack_top      @ no HVBAR, no stage 2 to play with
        bl      vmm_not_hyp
        b       park

/*
 * enter_guest(r0 = entry): start the guest like a VMM starts a VCPU.
 * ERET from Hyp mode restores CPSR from SPSR_hyp and jumps to ELR_hyp.
 * SPSR_hyp = GUEST_SPSR (NS svc32, A/I/F masked), every general-purpose
 * register zero.  The guest's banked CP15 state (SCTLR: MMU off; VBAR: 0)
 * is left at its reset values: the guest sets them itself, or does not.
 */
        .global enter_guest
enter_guest:
        msr     ELR_hyp, r0
        ldr     r0, =GUEST_SPSR
        msr     spsr_cxsf, r0           @ in Hyp mode, "spsr" is SPSR_hyp
        mov     r0, #0
        mov     r1, #0
        mov     r2, #0
        mov     r3, #0
        mov     r4, #0
        mov     r5, #0
        mov     r6, #0
        mov     r7, #0
        mov     r8, #0
        mov     r9, #0
        mov     r10, #0
        mov     r11, #0
        mov     r12, #0
        mov     lr, #0                  @ LR_usr (Hyp mode has no LR of its own)
        eret

/*
 * The Hyp vector table (HVBAR, 32-byte aligned).  Offsets 0x00-0x10 and
 * 0x18/0x1c are exceptions taken *from Hyp mode* (a fixture bug, or an
 * HVC executed by the fixture itself); 0x14 is every exception routed to
 * Hyp from the guest (Non-secure PL0/PL1).
 */
        .section .text.vectors, "ax"
        .align  5
        .global hyp_vectors
hyp_vectors:
        b       hyp_bad_00              @ 0x00 reserved (not reset: Hyp has none)
        b       hyp_bad_04              @ 0x04 undefined instruction in Hyp mode
        b       hyp_bad_08              @ 0x08 HVC/SVC executed in Hyp mode
        b       hyp_bad_0c              @ 0x0c prefetch abort in Hyp mode
        b       hyp_bad_10              @ 0x10 data abort in Hyp mode
        b       hyp_trap                @ 0x14 Hyp trap: from the guest
        b       hyp_bad_18              @ 0x18 IRQ routed to Hyp (HCR.IMO=0: none)
        b       hyp_bad_1c              @ 0x1c FIQ routed to Hyp (HCR.FMO=0: none)

/*
 * Hyp trap entry.  The guest's r0-r12 are still live (Hyp mode banks only
 * SP_hyp; its "lr" is LR_usr), so save them with LR_usr in a struct
 * guest_frame on the Hyp stack and hand it to C.  ELR_hyp (the guest PC),
 * SPSR_hyp (the guest CPSR), the guest's banked SP/LR and HSR/HPFAR/HxFAR
 * are read in C.  vmm_trap() does not return: the fixture parks.
 */
hyp_trap:
        cpsid   aif
        push    {r0-r12, lr}            @ struct guest_frame
        mov     r0, sp
        bl      vmm_trap                @ 0 park, 1 resume, 2 VMM thread
        cmp     r0, #1
        beq     resume
        cmp     r0, #2
        bne     park
        bl      vmm_thread_enter        @ HCR.TGE=1, fixture RAM in stage 2
        ldr     sp, =hyp_stack_top
        ldr     r0, =vmm_thread
        msr     ELR_hyp, r0
        mov     r0, #0x1d0              @ User mode, A/I/F masked
        msr     spsr_cxsf, r0
        eret
resume:                                 @ the guest retries / continues
        pop     {r0-r12, lr}
        eret

/*
 * vmm_thread (seL4-like mode): the VMM after its report, a User-mode
 * thread that keeps calling the kernel: each SVC enters the same Hyp trap
 * vector (HSR.EC 0x11) as the guest's traps, and is resumed at once.
 */
        .global vmm_thread
vmm_thread:
1:      svc     #0
        b       1b

/* An exception taken from Hyp mode itself: r0 = vector offset. */
        .irp    off, 00, 04, 08, 0c, 10, 18, 1c
hyp_bad_\off:
        ldr     sp, =hyp_stack_top
        mov     r0, #0x\off
        bl      vmm_hyp_exception
        b       park
        .endr

/*
 * park: stay in Hyp mode, interrupts masked, for a debugger to look at.
 * WFI wakes on a pending interrupt even when masked, hence the loop.
 */
        .global park
park:   cpsid   aif
1:      wfi
        b       1b

/* The Hyp stack (SP_hyp), in .bss: 4 KiB is plenty for vmm.c. */
        .section .bss.stack, "aw", %nobits
        .align  3
        .space  4096
        .global hyp_stack_top
hyp_stack_top:
