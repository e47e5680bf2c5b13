/*
 * exc_model.h - ARMv7-A exception routing, computed from a snapshot:
 * for each exception type, which mode takes it and from which address
 * the CPU fetches its first instruction, and which register said so.
 *
 * Rules (ARMv7-A ARM, DDI 0406C, B1.8 "Exception handling"):
 *  - PL1 modes (svc/und/abt/irq/fiq) use SCTLR.V ? 0xFFFF0000 : VBAR of
 *    the current security state (Secure: SCTLR_S/VBAR_S in QEMU's names,
 *    when the CPU has the Security Extensions).
 *  - Exceptions taken to Hyp mode use HVBAR (QEMU: VBAR_EL2) and never
 *    high vectors; taken to Monitor mode, MVBAR.
 *  - In Hyp mode every exception is taken to Hyp mode.
 *  - Non-secure PL0/PL1: HCR.IMO/FMO route IRQ/FIQ to Hyp; the Hyp Trap
 *    entry (offset 0x14) is where stage-2 faults and traps arrive, and
 *    with HCR.TGE=1 a PL0 exception a PL1 would take (SVC, undefined,
 *    aborts) also enters Hyp there.
 *  - Secure: SCR.IRQ/FIQ/EA route IRQ/FIQ/external aborts to Monitor.
 *  - Masks (B1.8.6): CPSR.I/F mask IRQ/FIQ in the mode they are raised
 *    in, except that a physical IRQ/FIQ routed to Hyp by HCR.IMO/FMO from
 *    Non-secure PL1/PL0 is not masked by them: there CPSR.I/F mask the
 *    virtual interrupt (HCR.VI/VF) instead.  Asynchronous aborts, which
 *    enter at the data-abort offset: SCR.EA sends external aborts to
 *    Monitor, HCR.AMO the physical ones to Hyp (a guest's CPSR.A then
 *    masks the virtual abort, HCR.VA), else CPSR.A masks them.
 *  - Reset ignores VBAR: Secure SVC at 0x0 (0xFFFF0000 with VINITHI high),
 *    MMU off.
 * Vector offsets (B1.8.1, table B1-3): reset 0x00, undef 0x04, svc 0x08
 * (HVC/SVC in Hyp, SMC in Monitor), prefetch abort 0x0C, data abort
 * 0x10, hyp trap 0x14, IRQ 0x18, FIQ 0x1C.
 */
#ifndef HVP_ARCH_ARM_EXC_MODEL_H
#define HVP_ARCH_ARM_EXC_MODEL_H

#include <stdint.h>
#include "hvprobe/snapshot.h"

typedef enum arm_exc {
    ARM_EXC_RESET = 0, ARM_EXC_UNDEF, ARM_EXC_SVC, ARM_EXC_PABT,
    ARM_EXC_DABT, ARM_EXC_HYP, ARM_EXC_IRQ, ARM_EXC_FIQ, ARM_EXC_COUNT
} arm_exc;

/* Translation regime a vector fetch goes through. */
typedef enum arm_regime {
    ARM_REGIME_PL1_NS = 0,  /* Non-secure PL1&0 */
    ARM_REGIME_PL1_S,       /* Secure PL1&0 (also Monitor mode) */
    ARM_REGIME_HYP          /* Non-secure PL2 */
} arm_regime;

typedef struct arm_route {
    arm_exc exc;
    uint32_t offset;
    const char *to_mode;    /* "svc32", "und32", "abt32", "hyp32", ... */
    arm_regime regime;
    int known;              /* base and fetch valid */
    uint64_t base;
    uint64_t fetch;         /* base + offset */
    int thumb;              /* SCTLR.TE / HSCTLR.TE: handler entered in Thumb */
    int mmu;                /* HVP_YES/NO/UNKNOWN: MMU of that regime */
    int physical;           /* the fetch address is physical (reset) */
    char source[160];       /* "VBAR_S = 0x60000000 (Secure state, SCTLR_S.V=0)" */
    char missing[160];      /* when !known: a sentence saying why (which
                               snapshot field is lacking, or that the CPU
                               has no such mode) */
    int masked;             /* IRQ/FIQ: HVP_YES when the CPSR of the mode
                               they are raised in masks them now (they stay
                               pending), HVP_NO, HVP_UNKNOWN (no CPSR) */
    char mask_why[96];      /* "CPSR.I=1", or why the mask does not apply */
    char async[200];        /* dabt: where asynchronous aborts go and
                               whether CPSR.A masks them now, or "" */
} arm_route;

const char *arm_exc_name(arm_exc e);          /* "reset", "svc", ... */
/* "svc", "SVC", "swi", "0x8", "8" -> ARM_EXC_SVC; -1 when unknown. */
int arm_exc_parse(const char *s);

/* Regime the CPU was in at capture (from CPSR mode and security state);
 * -1 when the snapshot has no CPSR. */
int arm_current_regime(const hvp_snapshot *s);

/* Fill out[ARM_EXC_COUNT] for exceptions raised in the mode the
 * snapshot's CPU was in. */
void arm_route_exceptions(const hvp_snapshot *s, arm_route out[ARM_EXC_COUNT]);

/* The same for exceptions raised in a given regime: used for the guest's
 * view (ARM_REGIME_PL1_NS) of a capture taken in Hyp mode. */
void arm_route_exceptions_as(const hvp_snapshot *s, int regime, arm_route out[ARM_EXC_COUNT]);

/* The first of two spellings the snapshot has (QEMU names some Hyp
 * registers both ways: HVBAR/VBAR_EL2, HCR/HCR_EL2, HSR/ESR_EL2); b may
 * be NULL.  NULL when neither is there. */
const hvp_reg *arm_reg_any(const hvp_snapshot *s, const char *a, const char *b);

/* 1 when the CPU runs one of a hypervisor's own user threads, not a
 * guest: Non-secure User mode with HCR.TGE=1 (bit 27), which sends the
 * exceptions a PL1 would take to Hyp mode (seL4 runs every user thread,
 * its VMM included, so, with stage 2 on as well); or Hyp mode with
 * TGE=1, serving such a thread (a vCPU's trap has TGE=0). */
int arm_hyp_thread(const hvp_snapshot *s);

/* The register of `base` name in the bank for `secure`: "VBAR" + secure
 * -> "VBAR_S" when the snapshot has it.  NULL when absent. */
const hvp_reg *arm_banked_reg(const hvp_snapshot *s, const char *base, int secure);

/* The stage-1 registers of the PL1 regime the CPU was in (banked by
 * security state): 1 when its MMU is on (SCTLR.M) and the snapshot has
 * SCTLR, TTBR0 and TTBCR; else 0. */
typedef struct arm_stage1_regs {
    uint32_t sctlr, ttbcr;
    uint64_t ttbr0, ttbr1;
} arm_stage1_regs;
int arm_pl1_stage1(const hvp_snapshot *s, arm_stage1_regs *r);

#endif
