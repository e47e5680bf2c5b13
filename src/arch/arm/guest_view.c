/* guest_view.c - a guest's view of memory, walked from outside (guest_view.h). */
#include "arch/arm/guest_view.h"
#include "arch/arm/exc_model.h"

#include <stdio.h>
#include <string.h>

int arm_guest_ctx_from(const hvp_snapshot *s, arm_guest_ctx *g, char *why, size_t whyn)
{
    memset(g, 0, sizeof *g);
    char dummy[8];
    if (!why) {
        why = dummy;
        whyn = sizeof dummy;
    }
    why[0] = '\0';
    /* In Hyp mode, or inside the guest (Non-secure PL0/PL1): either way
     * stage 2 (HCR.VM) decides what the guest's addresses reach. */
    if (!s->cpu.have_core || arm_current_regime(s) == ARM_REGIME_PL1_S) {
        snprintf(why, whyn, "the capture was taken in Secure state or without CPU registers");
        return 0;
    }
    const hvp_reg *hcr = arm_reg_any(s, "HCR", "HCR_EL2");
    if (!hcr || !(hcr->value & 1)) { /* HCR.VM, bit 0: stage 2 enabled */
        snprintf(why, whyn, "%s", hcr ? "stage 2 is off (HCR.VM=0)" : "the snapshot lacks HCR");
        return 0;
    }
    /* A hypervisor's own thread: its stage-2 tables are not a guest's. */
    if (arm_hyp_thread(s)) {
        snprintf(why, whyn, "HCR.TGE=1: the CPU runs one of the hypervisor's own threads, not a guest; its stage-2 "
                 "tables and vectors are the hypervisor's, not the guest's");
        return 0;
    }
    const hvp_reg *sctlr = arm_banked_reg(s, "SCTLR", HVP_NO), *vttbr = arm_reg_any(s, "VTTBR", NULL),
                  *vtcr = arm_reg_any(s, "VTCR", NULL);
    if (!sctlr || !vttbr || !vtcr) {
        snprintf(why, whyn, "the snapshot lacks %s", !sctlr ? "the guest's SCTLR" : !vttbr ? "VTTBR" : "VTCR");
        return 0;
    }
    const hvp_reg *t0 = arm_reg_any(s, "TTBR0_EL1", "TTBR0"), *t1 = arm_reg_any(s, "TTBR1_EL1", "TTBR1"),
                  *tc = arm_reg_any(s, "TTBCR", NULL);
    g->sctlr = (uint32_t)sctlr->value;
    g->vttbr = vttbr->value;
    g->vtcr = (uint32_t)vtcr->value;
    g->ttbr0 = t0 ? t0->value : 0;
    g->ttbr1 = t1 ? t1->value : 0;
    g->ttbcr = tc ? (uint32_t)tc->value : 0;
    if ((g->sctlr & 1) && (!t0 || !tc)) {
        snprintf(why, whyn, "the guest's MMU is on but the snapshot lacks TTBR0/TTBCR");
        return 0;
    }
    return 1;
}

int arm_guest_translate(const arm_guest_ctx *g, uint32_t va, arm_phys_read_fn rd, void *ctx,
                        arm_guest_xlate *x, hvp_error *err)
{
    memset(x, 0, sizeof *x);
    arm_s2_reader s2 = { g->vttbr, g->vtcr, rd, ctx, { 0 } };
    arm_walk_result r1;
    int rc = arm_walk_stage1(g->sctlr, g->ttbr0, g->ttbr1, g->ttbcr, va, arm_s2_read, &s2, &r1, err);
    if (rc)
        return rc;
    char line[256];
    if (!r1.ok) {
        x->failed_stage = 1;
        arm_walk_describe(&r1, line, sizeof line, NULL);
        if (r1.fault && !strcmp(r1.fault, "table unreadable") && s2.last.nsteps && !s2.last.ok) {
            char l2[200];
            arm_walk_describe(&s2.last, l2, sizeof l2, NULL);
            snprintf(x->detail, sizeof x->detail, "guest stage 1: %.120s; its table is not mapped by stage 2: %.140s", line, l2);
        } else {
            snprintf(x->detail, sizeof x->detail, "guest stage 1: %s", line);
        }
        return HVP_OK;
    }
    x->ipa = r1.out_addr;
    arm_walk_result r2;
    if ((rc = arm_walk_lpae_s2(g->vttbr, g->vtcr, x->ipa, rd, ctx, &r2, err)))
        return rc;
    if (!r2.ok) {
        x->failed_stage = 2;
        arm_walk_describe(&r2, line, sizeof line, NULL);
        snprintf(x->detail, sizeof x->detail, "stage 2: %s", line);
        return HVP_OK;
    }
    x->ok = 1;
    x->pa = r2.out_addr;
    return HVP_OK;
}

uint32_t arm_hyp_fault_address(const hvp_snapshot *s, const arm_hsr_info *h)
{
    const hvp_reg *hifar = hvp_snapshot_reg(s, "HIFAR"), *hdfar = hvp_snapshot_reg(s, "HDFAR");
    const hvp_reg *far2 = hvp_snapshot_reg(s, "FAR_EL2");
    if (!h->is_abort)
        return 0;
    if (!h->is_data)
        return hifar ? (uint32_t)hifar->value : far2 ? (uint32_t)(far2->value >> 32) : 0;
    return hdfar ? (uint32_t)hdfar->value : far2 ? (uint32_t)far2->value : 0;
}

int arm_guest_fault_ipa(const hvp_snapshot *s, uint64_t *ipa)
{
    const hvp_reg *hsr = arm_reg_any(s, "HSR", "ESR_EL2"), *hp = hvp_snapshot_reg(s, "HPFAR");
    arm_hsr_info h;
    if (!hsr || !hp || arm_hsr_decode((uint32_t)hsr->value, &h) || !h.is_abort || !h.from_lower ||
        !arm_abort_is_stage2(&h))
        return 0;
    *ipa = h.s1ptw ? (uint64_t)(hp->value >> 4) << 12
                   : arm_hpfar_ipa((uint32_t)hp->value, arm_hyp_fault_address(s, &h));
    return 1;
}
