/*
 * capture_guest.c - when the CPU is in Hyp mode with stage 2 on, record
 * what the *guest* sees at its vector base: walk the guest's stage 1 and
 * the hypervisor's stage 2 live (arch/arm/guest_view) over physical reads,
 * keeping every descriptor read in the snapshot, then read the guest's
 * vector table and its handlers' first bytes at their physical addresses.
 * Analysis repeats the same walks from the recorded reads, so the
 * snapshot alone supports the guest-view verdicts.
 */
#include "core/capture_internal.h"
#include "arch/arm/disasm.h"
#include "arch/arm/exc_model.h"
#include "arch/arm/guest_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Physical read for the walker: served from reads already in the
 * snapshot, else read from the target and recorded (purpose "walk"). */
int hvp_capture_rec_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
    hvp_capture_rec *r = ctx;
    for (size_t i = 0; i < r->s->nmemory; i++) {
        const hvp_memread *m = &r->s->memory[i];
        if (m->space == HVP_SPACE_PHYSICAL && pa >= m->addr && pa + len <= m->addr + m->got) {
            memcpy(buf, m->bytes + (pa - m->addr), len);
            return 0;
        }
    }
    if (r->rc)
        return -1;
    uint8_t tmp[16];
    size_t got = 0;
    char *etext = NULL;
    const char *ch = "";
    if (len > sizeof tmp)
        return -1;
    int rc = hvp_target_read_mem(r->t, pa, len, HVP_SPACE_PHYSICAL, tmp, &got, &etext, &ch, r->err);
    if (rc) {
        r->rc = rc;
        free(etext);
        return -1;
    }
    hvp_capture_add_phys(r->s, pa, len, tmp, got, etext, "walk", ch);
    free(etext);
    if (got < len || hvp_snapshot_mem(r->s, pa, HVP_SPACE_PHYSICAL)->error)
        return -1;
    memcpy(buf, tmp, len);
    return 0;
}

/* Read `len` physical bytes at pa (recorded), for vectors and handlers. */
static int read_phys(hvp_capture_rec *r, uint64_t pa, size_t len, const char *purpose)
{
    uint8_t buf[64];
    size_t got = 0;
    char *etext = NULL;
    const char *ch = "";
    int rc = hvp_target_read_mem(r->t, pa, len, HVP_SPACE_PHYSICAL, buf, &got, &etext, &ch, r->err);
    if (rc) {
        free(etext);
        return rc;
    }
    hvp_capture_add_phys(r->s, pa, len, buf, got, etext, purpose, ch);
    free(etext);
    return HVP_OK;
}

int hvp_capture_guest_view(hvp_target *t, hvp_snapshot *s, hvp_error *err)
{
    arm_guest_ctx g;
    char why[160];
    if (!arm_guest_ctx_from(s, &g, why, sizeof why)) {
        if (s->cpu.have_core && (s->cpu.cpsr & 0x1f) == 0x1a)
            hvp_snapshot_add_unknown(s, "guest_view", why);
        return HVP_OK;
    }
    hvp_capture_rec r = { t, s, HVP_OK, err };
    uint64_t cands[3];
    size_t n = 0;
    const hvp_reg *vbar = arm_banked_reg(s, "VBAR", HVP_NO);
    cands[n++] = (g.sctlr >> 13) & 1 ? 0xffff0000u : (vbar ? vbar->value & ~0x1full : 0);
    if (cands[0] != 0)
        cands[n++] = 0;
    arm_disasm *dis = NULL;
    int rc = arm_disasm_new(0, &dis, err);
    for (size_t i = 0; !rc && i < n; i++) {
        arm_guest_xlate x;
        if ((rc = arm_guest_translate(&g, (uint32_t)cands[i], hvp_capture_rec_read, &r, &x, err)) || r.rc)
            break;
        if (!x.ok)
            continue;
        char purpose[64];
        snprintf(purpose, sizeof purpose, "guest-vectors:VA 0x%llx", (unsigned long long)cands[i]);
        if ((rc = read_phys(&r, x.pa, 64, purpose)))
            break;
        const hvp_memread *m = hvp_snapshot_mem(s, x.pa, HVP_SPACE_PHYSICAL);
        for (size_t off = 0; m && off + 4 <= m->got && off < 32 && !rc; off += 4) {
            arm_decoded d;
            arm_decode(dis, m->bytes + off, 4, cands[i] + off, &d);
            uint64_t tgt;
            if (!arm_entry_target(&d, m->bytes, m->got, cands[i], &tgt))
                continue;
            arm_guest_xlate tx;
            if ((rc = arm_guest_translate(&g, (uint32_t)tgt, hvp_capture_rec_read, &r, &tx, err)) || r.rc)
                break;
            if (tx.ok && !hvp_snapshot_mem(s, tx.pa, HVP_SPACE_PHYSICAL)) {
                snprintf(purpose, sizeof purpose, "guest-target:VA 0x%llx", (unsigned long long)tgt);
                rc = read_phys(&r, tx.pa, 16, purpose);
            }
            m = hvp_snapshot_mem(s, x.pa, HVP_SPACE_PHYSICAL); /* the array may have moved */
        }
    }
    arm_disasm_free(dis);
    /* The IPA of the stage-2 fault the syndrome describes: its stage-2
     * descriptors, so analysis can show that walk too. */
    uint64_t ipa;
    if (!rc && !r.rc && arm_guest_fault_ipa(s, &ipa)) {
        arm_walk_result w;
        rc = arm_walk_lpae_s2(g.vttbr, g.vtcr, ipa, hvp_capture_rec_read, &r, &w, err);
    }
    return rc ? rc : r.rc;
}

int hvp_capture_stage1_walk(hvp_target *t, hvp_snapshot *s, hvp_error *err)
{
    arm_stage1_regs g;
    arm_route routes[ARM_EXC_COUNT];
    if (!arm_pl1_stage1(s, &g))
        return HVP_OK;
    arm_route_exceptions(s, routes);
    const arm_route *svc = &routes[ARM_EXC_SVC];
    if (!svc->known || svc->physical)
        return HVP_OK;
    hvp_capture_rec r = { t, s, HVP_OK, err };
    arm_walk_result w;
    int rc = arm_walk_stage1(g.sctlr, g.ttbr0, g.ttbr1, g.ttbcr, (uint32_t)svc->base, hvp_capture_rec_read, &r, &w, err);
    return rc ? rc : r.rc;
}
