/* xlate64.c - AArch64 stage 1 + stage 2 translation (see xlate64.h). */
#include "arch/arm64/xlate64.h"
#include "arch/arm64/ptwalk64.h"

#include <stdio.h>
#include <string.h>

int a64_translate(const a64_regime *rg, uint64_t va, arm_phys_read_fn rd, void *ctx, a64_xlate *x,
                  hvp_error *err)
{
    memset(x, 0, sizeof *x);
    a64_s2_reader s2r = { .vttbr = rg->vttbr, .vtcr = rg->vtcr, .rd = rd, .ctx = ctx };
    arm_phys_read_fn s1rd = rg->stage2 ? a64_s2_read : rd;
    void *s1ctx = rg->stage2 ? (void *)&s2r : ctx;
    int rc = a64_walk_stage1(rg->walk_regime, rg->sctlr, rg->tcr, rg->ttbr0, rg->ttbr1, va, s1rd, s1ctx, &x->s1,
                             err);
    if (rc)
        return rc;
    char line[200];
    if (!x->s1.ok) {
        x->failed_stage = 1;
        a64_walk_describe(&x->s1, line, sizeof line, NULL);
        if (rg->stage2 && x->s1.fault && !strcmp(x->s1.fault, "table unreadable") && s2r.last.nsteps) {
            char l2[120];
            a64_walk_describe(&s2r.last, l2, sizeof l2, NULL);
            snprintf(x->detail, sizeof x->detail, "stage 1: %s; its table is not reachable through stage 2: %s",
                     line, l2);
        } else {
            snprintf(x->detail, sizeof x->detail, "stage 1 (EL%d): %s", rg->el, line);
        }
        return HVP_OK;
    }
    x->ipa = x->s1.out_addr;
    x->pa = x->ipa;
    if (!rg->stage2) {
        x->ok = 1;
        return HVP_OK;
    }
    if ((rc = a64_walk_s2(rg->vtcr, rg->vttbr, x->ipa, rd, ctx, &x->s2, err)))
        return rc;
    if (!x->s2.ok) {
        x->failed_stage = 2;
        a64_walk_describe(&x->s2, line, sizeof line, NULL);
        snprintf(x->detail, sizeof x->detail, "VA 0x%llx is IPA 0x%llx, and stage 2 (VTTBR_EL2): %s",
                 (unsigned long long)va, (unsigned long long)x->ipa, line);
        return HVP_OK;
    }
    x->pa = x->s2.out_addr;
    x->ok = 1;
    return HVP_OK;
}
