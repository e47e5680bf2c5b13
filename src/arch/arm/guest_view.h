/*
 * guest_view.h - what a guest under a hypervisor sees, reconstructed
 * from outside.  When the CPU was in Hyp mode at capture (QEMU running a
 * hypervisor), the monitor's and gdbstub's virtual reads went through
 * the hypervisor's own translation regime.  The guest's view is: its
 * Non-secure PL1 registers (SCTLR, TTBR0/1, TTBCR, VBAR), its stage-1
 * tables (at guest-physical addresses), and the hypervisor's stage-2
 * tables (VTTBR/VTCR) that turn guest-physical (IPA) into physical
 * addresses.  This module walks both stages over a physical reader.
 */
#ifndef HVP_ARCH_ARM_GUEST_VIEW_H
#define HVP_ARCH_ARM_GUEST_VIEW_H

#include <stddef.h>
#include <stdint.h>
#include "arch/arm/fault.h"
#include "arch/arm/ptwalk.h"
#include "hvprobe/snapshot.h"

typedef struct arm_guest_ctx {
    uint32_t sctlr, ttbcr;      /* the guest's (Non-secure PL1) */
    uint64_t ttbr0, ttbr1;
    uint64_t vttbr;             /* the hypervisor's stage 2 */
    uint32_t vtcr;
} arm_guest_ctx;

/* 1 and *g filled when the snapshot was taken in Hyp mode or inside a
 * Non-secure guest, with stage 2 enabled (HCR.VM), and has the registers
 * a walk needs; else 0 and `why` says which is missing (may be NULL). */
int arm_guest_ctx_from(const hvp_snapshot *s, arm_guest_ctx *g, char *why, size_t whyn);

typedef struct arm_guest_xlate {
    int ok;                     /* translated to a PA */
    uint64_t ipa, pa;
    int failed_stage;           /* 1 or 2 when !ok */
    char detail[320];           /* the failing walk in words, or "" */
} arm_guest_xlate;

/* Translate guest VA `va`: stage 1 (walking the guest's tables through
 * stage 2) then stage 2.  Fills *x; returns HVP_OK unless the inputs are
 * impossible (HVP_E_INVAL). */
int arm_guest_translate(const arm_guest_ctx *g, uint32_t va, arm_phys_read_fn rd, void *ctx,
                        arm_guest_xlate *x, hvp_error *err);

/* The IPA of the stage-2 abort the snapshot's syndrome registers
 * describe (HSR EC 0x20/0x24 from the guest, HPFAR and HIFAR/HDFAR or
 * FAR_EL2): 1 and *ipa, or 0 when they describe none. */
int arm_guest_fault_ipa(const hvp_snapshot *s, uint64_t *ipa);

/* The fault address of the abort `h` (decoded from the snapshot's HSR)
 * describes: HIFAR or HDFAR, else the matching half of FAR_EL2; 0 for
 * other classes or when the snapshot has neither. */
uint32_t arm_hyp_fault_address(const hvp_snapshot *s, const arm_hsr_info *h);

#endif
