/* exc_model.c - ARMv7-A exception routing from a snapshot (exc_model.h). */
#include "arch/arm/exc_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const exc_names[ARM_EXC_COUNT] = {
    "reset", "undef", "svc", "pabt", "dabt", "hyp", "irq", "fiq"
};

/* PL1 mode that takes each exception (B1.8, table B1-3). */
static const char *const pl1_mode[ARM_EXC_COUNT] = {
    "svc32", "und32", "svc32", "abt32", "abt32", "hyp32", "irq32", "fiq32"
};

const char *arm_exc_name(arm_exc e)
{
    return (unsigned)e < ARM_EXC_COUNT ? exc_names[e] : "?";
}

int arm_exc_parse(const char *s)
{
    static const struct { const char *alias; arm_exc e; } aliases[] = {
        { "swi", ARM_EXC_SVC }, { "prefetch", ARM_EXC_PABT }, { "prefetch-abort", ARM_EXC_PABT },
        { "data", ARM_EXC_DABT }, { "data-abort", ARM_EXC_DABT }, { "undefined", ARM_EXC_UNDEF },
        { "und", ARM_EXC_UNDEF }, { "hvc", ARM_EXC_HYP }, { "trap", ARM_EXC_HYP },
    };
    for (int i = 0; i < ARM_EXC_COUNT; i++)
        if (!strcasecmp(s, exc_names[i]))
            return i;
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (!strcasecmp(s, aliases[i].alias))
            return aliases[i].e;
    char *end;
    unsigned long off = strtoul(s, &end, 0);
    if (*s && !*end && off < 0x20 && off % 4 == 0)
        return (int)(off / 4);
    return -1;
}

const hvp_reg *arm_banked_reg(const hvp_snapshot *s, const char *base, int secure)
{
    char name[32];
    if (secure == HVP_YES) {
        snprintf(name, sizeof name, "%s_S", base);
        const hvp_reg *r = hvp_snapshot_reg(s, name);
        if (r)
            return r;
    }
    return hvp_snapshot_reg(s, base);
}

const hvp_reg *arm_reg_any(const hvp_snapshot *s, const char *a, const char *b)
{
    const hvp_reg *r = hvp_snapshot_reg(s, a);
    return r || !b ? r : hvp_snapshot_reg(s, b);
}

int arm_current_regime(const hvp_snapshot *s)
{
    if (!s->cpu.have_core)
        return -1;
    unsigned m = s->cpu.cpsr & 0x1f;
    if (m == 0x1a)
        return ARM_REGIME_HYP;
    if (m == 0x16 || s->cpu.secure == HVP_YES)
        return ARM_REGIME_PL1_S;
    return ARM_REGIME_PL1_NS;
}

static void set_missing(arm_route *r, const char *fmt, const char *a)
{
    r->known = 0;
    snprintf(r->missing, sizeof r->missing, fmt, a);
}

/* Hyp-mode vectors: HVBAR, no high vectors, Thumb per HSCTLR.TE. */
static void route_hyp(const hvp_snapshot *s, arm_route *r)
{
    r->to_mode = "hyp32";
    r->regime = ARM_REGIME_HYP;
    const hvp_reg *hv = arm_reg_any(s, "HVBAR", "VBAR_EL2");
    const hvp_reg *hs = arm_reg_any(s, "HSCTLR", "SCTLR_EL2");
    if (!hv) {
        if (s->ncp15)
            set_missing(r, "%s", "this CPU has no Hyp mode: the gdbstub offers no HVBAR (VBAR_EL2)");
        else
            set_missing(r, "%s", "the snapshot lacks cp15.HVBAR (QEMU: VBAR_EL2; capture with --gdb)");
        return;
    }
    r->known = 1;
    r->base = hv->value & ~0x1full;
    r->thumb = hs ? (int)((hs->value >> 30) & 1) : 0;
    r->mmu = hs ? (int)(hs->value & 1) : HVP_UNKNOWN;
    snprintf(r->source, sizeof r->source, "%s = 0x%08llx (exception taken to Hyp mode)", hv->name,
             (unsigned long long)hv->value);
}

static void route_mon(const hvp_snapshot *s, arm_route *r)
{
    r->to_mode = "mon32";
    r->regime = ARM_REGIME_PL1_S;
    const hvp_reg *mv = arm_reg_any(s, "MVBAR", "MVBAR_S");
    const hvp_reg *sc = arm_banked_reg(s, "SCTLR", HVP_YES);
    if (!mv) {
        set_missing(r, "%s", s->ncp15 ? "this CPU has no Monitor mode: the gdbstub offers no MVBAR"
                                       : "the snapshot lacks cp15.MVBAR (capture with --gdb)");
        return;
    }
    r->known = 1;
    r->base = mv->value & ~0x1full;
    r->thumb = sc ? (int)((sc->value >> 30) & 1) : 0;
    r->mmu = sc ? (int)(sc->value & 1) : HVP_UNKNOWN;
    snprintf(r->source, sizeof r->source, "%s = 0x%08llx (exception taken to Monitor mode)", mv->name,
             (unsigned long long)mv->value);
}

static void route_pl1(const hvp_snapshot *s, arm_route *r, int secure)
{
    r->regime = secure == HVP_YES ? ARM_REGIME_PL1_S : ARM_REGIME_PL1_NS;
    const hvp_reg *sc = arm_banked_reg(s, "SCTLR", secure);
    const hvp_reg *vb = arm_banked_reg(s, "VBAR", secure);
    const char *state = secure == HVP_YES ? "Secure" : secure == HVP_NO ? "Non-secure" : "unknown security";
    if (!sc) {
        set_missing(r, "%s", "the snapshot lacks cp15.SCTLR (capture with --gdb)");
        return;
    }
    r->thumb = (int)((sc->value >> 30) & 1);
    r->mmu = (int)(sc->value & 1);
    if ((sc->value >> 13) & 1) {
        r->known = 1;
        r->base = 0xffff0000u;
        snprintf(r->source, sizeof r->source, "high vectors: %s.V=1 (%s state)", sc->name, state);
        return;
    }
    if (!vb) {
        set_missing(r, "%s", secure == HVP_YES ? "the snapshot lacks cp15.VBAR_S (capture with --gdb)"
                                               : "the snapshot lacks cp15.VBAR (capture with --gdb)");
        return;
    }
    r->known = 1;
    r->base = vb->value & ~0x1full;
    snprintf(r->source, sizeof r->source, "%s = 0x%08llx (%s state, %s.V=0)", vb->name,
             (unsigned long long)vb->value, state, sc->name);
}

void arm_route_exceptions(const hvp_snapshot *s, arm_route out[ARM_EXC_COUNT])
{
    arm_route_exceptions_as(s, arm_current_regime(s), out);
}

/* Reset is not routed through VBAR: it enters Secure SVC (or the only
 * state, without the Security Extensions) with the MMU off, at 0x0 or, when
 * the VINITHI pin is high, 0xFFFF0000 (B1.8.2).  The pin is not visible;
 * 0x0 is what QEMU's boards use. */
static void route_reset(const hvp_snapshot *s, arm_route *r)
{
    int has_s = hvp_snapshot_reg(s, "SCTLR_S") != NULL;
    r->to_mode = "svc32";
    r->regime = has_s ? ARM_REGIME_PL1_S : ARM_REGIME_PL1_NS;
    r->physical = 1;
    r->mmu = HVP_NO;
    r->known = 1;
    r->base = 0;
    snprintf(r->source, sizeof r->source, "reset: %sSVC mode at 0x0 with the MMU off (not VBAR; 0xffff0000 only "
             "if the VINITHI pin is high)", has_s ? "Secure " : "");
}

/* Whether IRQ and FIQ are masked now (B1.8.6), from the CPSR of the mode
 * they would be raised in: the capture's, or for the guest's view of a Hyp
 * capture, the guest's own (SPSR_hyp, as the hypervisor saved it). */
static void mask_interrupts(const hvp_snapshot *s, int regime, const hvp_reg *hcr, const hvp_reg *scr,
                            arm_route out[ARM_EXC_COUNT])
{
    int have = s->cpu.have_core;
    uint64_t cpsr = s->cpu.cpsr;
    if (regime == ARM_REGIME_PL1_NS && arm_current_regime(s) == ARM_REGIME_HYP) {
        have = s->context.have_regs;
        cpsr = s->context.cpsr;
    }
    for (int k = 0; k < 2; k++) {
        arm_route *r = &out[k ? ARM_EXC_FIQ : ARM_EXC_IRQ];
        unsigned bit = k ? 6 : 7;
        const char *b = k ? "F" : "I", *vmo = k ? "FMO" : "IMO";
        int routed_to_hyp = regime == ARM_REGIME_PL1_NS && hcr && ((hcr->value >> (k ? 3 : 4)) & 1);
        if (!have) {
            r->masked = HVP_UNKNOWN;
            continue;
        }
        r->masked = (cpsr >> bit) & 1 ? HVP_YES : HVP_NO;
        if (routed_to_hyp && !arm_hyp_thread(s))
            snprintf(r->mask_why, sizeof r->mask_why, "CPSR.%s=%u masks the virtual %s; a physical one goes to "
                     "Hyp unmasked (HCR.%s=1)", b, (unsigned)((cpsr >> bit) & 1), k ? "FIQ" : "IRQ", vmo);
        else
            snprintf(r->mask_why, sizeof r->mask_why, "CPSR.%s=%u", b, (unsigned)((cpsr >> bit) & 1));
    }
    arm_route *d = &out[ARM_EXC_DABT];
    unsigned a = (unsigned)((cpsr >> 8) & 1);
    const char *now = !have ? "" : a ? ", masked now (CPSR.A=1)" : ", unmasked (CPSR.A=0)";
    if (scr && ((scr->value >> 3) & 1))
        snprintf(d->async, sizeof d->async, "external aborts go to Monitor mode, MVBAR+0x10 (SCR.EA=1)%s", now);
    else if (regime == ARM_REGIME_PL1_NS && hcr && ((hcr->value >> 5) & 1) && !arm_hyp_thread(s))
        snprintf(d->async, sizeof d->async, "asynchronous aborts: physical ones go to Hyp (HCR.AMO=1), whatever "
                 "CPSR.A; a virtual one (HCR.VA) is taken here%s", now);
    else if (d->known)
        snprintf(d->async, sizeof d->async, "asynchronous aborts are taken here too%s", now);
}

void arm_route_exceptions_as(const hvp_snapshot *s, int regime, arm_route out[ARM_EXC_COUNT])
{
    const hvp_reg *hcr = arm_reg_any(s, "HCR", "HCR_EL2");
    const hvp_reg *scr = arm_reg_any(s, "SCR", "SCR_S");
    for (int e = 0; e < ARM_EXC_COUNT; e++) {
        arm_route *r = &out[e];
        memset(r, 0, sizeof *r);
        r->exc = (arm_exc)e;
        r->offset = 4u * (unsigned)e;
        r->to_mode = pl1_mode[e];
        r->mmu = HVP_UNKNOWN;
        if (regime < 0) {
            set_missing(r, "%s", "the snapshot lacks cpu.cpsr (the mode decides where exceptions go)");
            continue;
        }
        if (e == ARM_EXC_RESET) {
            route_reset(s, r);
            continue;
        }
        /* SCR.IRQ/FIQ send interrupts to Monitor mode from any mode, ahead
         * of HCR.IMO/FMO (B1.8.3). */
        int to_mon = (scr && e == ARM_EXC_IRQ && ((scr->value >> 1) & 1)) ||   /* SCR.IRQ */
                     (scr && e == ARM_EXC_FIQ && ((scr->value >> 2) & 1));     /* SCR.FIQ */
        if (to_mon) {
            route_mon(s, r);
            continue;
        }
        if (regime == ARM_REGIME_HYP) {
            route_hyp(s, r);
            continue;
        }
        if (regime == ARM_REGIME_PL1_NS) {
            /* HCR.TGE in Non-secure User mode: the exceptions a PL1 would
             * take go to Hyp mode (B1.14.1); interrupts keep IMO/FMO. */
            int tge = arm_hyp_thread(s) && e != ARM_EXC_IRQ && e != ARM_EXC_FIQ;
            int imo = hcr && ((e == ARM_EXC_IRQ && ((hcr->value >> 4) & 1)) ||    /* HCR.IMO */
                              (e == ARM_EXC_FIQ && ((hcr->value >> 3) & 1)));     /* HCR.FMO */
            if (tge || e == ARM_EXC_HYP || (imo && arm_hyp_thread(s))) {
                route_hyp(s, r);
                /* Taken to Hyp from a lower mode, every synchronous
                 * exception enters at the Hyp Trap entry, HVBAR+0x14
                 * (B1.14.1; HSR says which): a User-mode SVC under TGE
                 * too.  IRQ and FIQ keep their own entries. */
                if (tge && r->known) {
                    r->offset = 0x14;
                    size_t l = strlen(r->source);
                    snprintf(r->source + l, sizeof r->source - l, "; a Hyp Trap (HCR.TGE=1), at +0x14");
                }
                continue;
            }
            if (imo) {
                /* A guest's interrupts with IMO/FMO set: a physical one is
                 * taken to Hyp mode (HVBAR + offset), and what reaches the
                 * guest is the virtual one its hypervisor injects, taken at
                 * the guest's own vector (B1.8.3, B1.8.4): that is the
                 * guest's handler's way in, judged here. */
                route_pl1(s, r, HVP_NO);
                size_t l = strlen(r->source);
                snprintf(r->source + l, sizeof r->source - l, "; virtual %s: physical ones go to Hyp (HCR.%s=1)",
                         e == ARM_EXC_IRQ ? "IRQ" : "FIQ", e == ARM_EXC_IRQ ? "IMO" : "FMO");
                continue;
            }
        } else if (e == ARM_EXC_HYP) {
            r->to_mode = "none";
            set_missing(r, "%s", "there is no Hyp Trap exception in Secure state");
            continue;
        }
        route_pl1(s, r, regime == ARM_REGIME_PL1_S ? HVP_YES : s->cpu.secure);
    }
    for (int e = 0; e < ARM_EXC_COUNT; e++)
        if (out[e].known)
            out[e].fetch = out[e].base + out[e].offset;
    mask_interrupts(s, regime, hcr, scr, out);
}

int arm_hyp_thread(const hvp_snapshot *s)
{
    const hvp_reg *hcr = arm_reg_any(s, "HCR", "HCR_EL2");
    if (!hcr || !((hcr->value >> 27) & 1) || !s->cpu.have_core)
        return 0;
    int regime = arm_current_regime(s);
    return (regime == ARM_REGIME_PL1_NS && (s->cpu.cpsr & 0x1f) == 0x10) || regime == ARM_REGIME_HYP;
}

int arm_pl1_stage1(const hvp_snapshot *s, arm_stage1_regs *r)
{
    int regime = arm_current_regime(s);
    if (regime != ARM_REGIME_PL1_S && regime != ARM_REGIME_PL1_NS)
        return 0;
    int sec = regime == ARM_REGIME_PL1_S ? HVP_YES : HVP_NO;
    const hvp_reg *sctlr = arm_banked_reg(s, "SCTLR", sec), *tc = arm_banked_reg(s, "TTBCR", sec);
    const hvp_reg *t0 = arm_banked_reg(s, "TTBR0_EL1", sec), *t1 = arm_banked_reg(s, "TTBR1_EL1", sec);
    if (!t0)
        t0 = arm_banked_reg(s, "TTBR0", sec);
    if (!t1)
        t1 = arm_banked_reg(s, "TTBR1", sec);
    if (!sctlr || !(sctlr->value & 1) || !tc || !t0)
        return 0;
    r->sctlr = (uint32_t)sctlr->value;
    r->ttbcr = (uint32_t)tc->value;
    r->ttbr0 = t0->value;
    r->ttbr1 = t1 ? t1->value : 0;
    return 1;
}
