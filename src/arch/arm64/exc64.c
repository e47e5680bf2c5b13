/* exc64.c - AArch64 exception routing (see exc64.h for the rules). */
#include "arch/arm64/exc64.h"
#include "arch/arm64/ptwalk64.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const kind_names[A64_NKINDS] = { "sync", "irq", "fiq", "serror" };
static const char *const group_names[A64_NGROUPS] = { "cur_sp0", "cur_spx", "lower_a64", "lower_a32" };

const char *a64_kind_name(a64_kind k)
{
    return (unsigned)k < A64_NKINDS ? kind_names[k] : "?";
}

const char *a64_group_name(a64_group g)
{
    return (unsigned)g < A64_NGROUPS ? group_names[g] : "?";
}

const char *a64_slot_name(int slot)
{
    static const char *const names[A64_NSLOTS] = {
        "cur_sp0.sync", "cur_sp0.irq", "cur_sp0.fiq", "cur_sp0.serror",
        "cur_spx.sync", "cur_spx.irq", "cur_spx.fiq", "cur_spx.serror",
        "lower_a64.sync", "lower_a64.irq", "lower_a64.fiq", "lower_a64.serror",
        "lower_a32.sync", "lower_a32.irq", "lower_a32.fiq", "lower_a32.serror",
    };
    return slot >= 0 && slot < A64_NSLOTS ? names[slot] : "?";
}

int a64_slot_parse(const char *s)
{
    if (!s)
        return -1;
    for (int i = 0; i < A64_NSLOTS; i++)
        if (!strcasecmp(s, a64_slot_name(i)))
            return i;
    char *end;
    unsigned long v = strtoul(s, &end, 0);
    if (end != s && !*end && v < A64_TABLE_SIZE && v % A64_SLOT_SIZE == 0)
        return (int)(v / A64_SLOT_SIZE);
    return -1;
}

const hvp_reg *a64_reg(const hvp_snapshot *s, const char *name)
{
    const hvp_reg *r = hvp_snapshot_reg(s, name);
    if (r)
        return r;
    /* QEMU's gdbstub shares these with AArch32 and keeps the short name. */
    static const char *const alias[][2] = {
        { "VBAR_EL1", "VBAR" }, { "SCTLR_EL1", "SCTLR" }, { "CPACR_EL1", "CPACR" },
    };
    for (size_t i = 0; i < sizeof alias / sizeof alias[0]; i++)
        if (!strcmp(name, alias[i][0]))
            return hvp_snapshot_reg(s, alias[i][1]);
    return NULL;
}

static uint64_t val(const hvp_snapshot *s, const char *name, int *have)
{
    const hvp_reg *r = a64_reg(s, name);
    if (have)
        *have = r != NULL;
    return r ? r->value : 0;
}

/* HCR_EL2 and SCR_EL3 bits used here. */
#define HCR_VM  (1ull << 0)
#define HCR_FMO (1ull << 3)
#define HCR_IMO (1ull << 4)
#define HCR_AMO (1ull << 5)
#define HCR_TGE (1ull << 27)
#define HCR_RW  (1ull << 31)
#define HCR_E2H (1ull << 34)
#define SCR_NS  (1ull << 0)
#define SCR_IRQ (1ull << 1)
#define SCR_FIQ (1ull << 2)
#define SCR_EA  (1ull << 3)
#define SCR_RW  (1ull << 10)
#define SCR_EEL2 (1ull << 18)

void a64_state_from(const hvp_snapshot *s, a64_state *st)
{
    memset(st, 0, sizeof *st);
    st->hcr = val(s, "HCR_EL2", &st->have_el2);
    st->scr = val(s, "SCR_EL3", &st->have_el3);
    st->el2_enabled = st->have_el2 && (!st->have_el3 || (st->scr & (SCR_NS | SCR_EEL2)));
    if (!s->cpu.have_core)
        return;
    uint32_t p = s->cpu.pstate;
    st->have = 1;
    st->daif = (p >> 6) & 0xf;
    st->aarch32 = (p >> 4) & 1;
    if (st->aarch32) {
        unsigned m = p & 0x1f;
        st->el = m == 0x10 ? 0 : m == 0x1a ? 2 : 1;
        st->spsel = 1;
    } else {
        st->el = (p >> 2) & 3;
        st->spsel = p & 1;
    }
    if (st->el == 2 && st->el2_enabled && (st->hcr & HCR_VM) && !(st->hcr & HCR_TGE)) {
        st->guest_view = 1;
        /* the guest's PSTATE, saved by the exception that entered EL2 */
        const hvp_reg *spsr = a64_reg(s, "SPSR_EL2");
        st->guest_aarch32 = !(st->hcr & HCR_RW);
        if (spsr) {
            st->have_guest_pstate = 1;
            st->guest_daif = (uint32_t)(spsr->value >> 6) & 0xf;
            st->guest_aarch32 = (int)((spsr->value >> 4) & 1);
        }
    }
}

int a64_table_el(const a64_state *st)
{
    if (!st->have)
        return 0;
    if (st->guest_view)
        return 1;
    if (st->el == 0)
        return st->el2_enabled && (st->hcr & HCR_TGE) ? 2 : 1;
    return st->el;
}

uint64_t a64_vbar(const hvp_snapshot *s, int el, int *ok)
{
    char n[12];
    snprintf(n, sizeof n, "VBAR_EL%d", el);
    return val(s, n, ok) & ~(uint64_t)0x7ff;
}

/* Is the level just below `target` in AArch32 state?  from_el: where the
 * exception is raised (its own width is PSTATE.nRW). */
static int lower_is_a32(const a64_state *st, int from_el, int target, const char **how)
{
    /* (AArch64.TakeException: the state of the level just below the
     * target, except that under a VHE host (E2H and TGE) EL0 counts.) */
    if (target == 3) {
        *how = "SCR_EL3.RW";
        return !(st->scr & SCR_RW);
    }
    if (target == 2 && from_el == 0 && (st->hcr & HCR_E2H) && (st->hcr & HCR_TGE)) {
        *how = "EL0's own state under a VHE host";
        return st->aarch32;
    }
    if (target == 2) {
        *how = "HCR_EL2.RW";
        return !(st->hcr & HCR_RW);
    }
    *how = "PSTATE.nRW";
    return st->guest_view ? st->guest_aarch32 : st->aarch32;
}

static void route_one(const hvp_snapshot *s, const a64_state *st, a64_kind k, a64_route *r)
{
    memset(r, 0, sizeof *r);
    r->kind = k;
    r->masked = HVP_UNKNOWN;
    if (!st->have) {
        snprintf(r->why, sizeof r->why, "the snapshot has no PSTATE (no core registers): the current Exception "
                 "level, and so the route, is not known");
        return;
    }
    int from = st->guest_view ? 1 : st->el;
    int spsel = st->guest_view ? 1 : st->spsel;
    int target = from < 1 ? 1 : from;
    char how[160] = "";
    if (k == A64_SYNC) {
        if (from == 0 && st->el2_enabled && (st->hcr & HCR_TGE)) {
            target = 2;
            snprintf(how, sizeof how, "HCR_EL2.TGE=1 sends EL0's exceptions to EL2");
        } else {
            snprintf(how, sizeof how, from == 0 ? "EL0's synchronous exceptions go to EL1"
                                                : "a synchronous exception is taken to the current level");
        }
    } else {
        static const uint64_t scr_bit[] = { 0, SCR_IRQ, SCR_FIQ, SCR_EA };
        static const uint64_t hcr_bit[] = { 0, HCR_IMO, HCR_FMO, HCR_AMO };
        static const char *const scr_name[] = { "", "SCR_EL3.IRQ", "SCR_EL3.FIQ", "SCR_EL3.EA" };
        static const char *const hcr_name[] = { "", "HCR_EL2.IMO", "HCR_EL2.FMO", "HCR_EL2.AMO" };
        int natural;    /* the level it targets */
        if (st->have_el3 && (st->scr & scr_bit[k])) {
            natural = 3;
            snprintf(how, sizeof how, "%s=1 routes it to EL3", scr_name[k]);
        } else if (st->el2_enabled && (st->hcr & (hcr_bit[k] | HCR_TGE))) {
            natural = 2;
            snprintf(how, sizeof how, "%s routes it to EL2",
                     (st->hcr & hcr_bit[k]) ? hcr_name[k] : "HCR_EL2.TGE=1");
        } else {
            natural = 1;
            if (st->el2_enabled)
                snprintf(how, sizeof how, "%s=0, HCR_EL2.TGE=0: it targets EL1", hcr_name[k]);
            else if (st->have_el3)
                snprintf(how, sizeof how, "%s=0: it targets EL1", scr_name[k]);
            else
                snprintf(how, sizeof how, "no EL2 or EL3 routes it elsewhere: it targets EL1");
        }
        if (natural < from) {
            snprintf(r->why, sizeof r->why, "not taken at EL%d: %s, a lower level, and an exception is never "
                     "taken to a lower level; it stays pending until the CPU returns to EL%d", from, how, natural);
            r->target_el = natural;
            return;
        }
        target = natural;
    }
    r->taken = 1;
    r->target_el = target;
    a64_group g;
    const char *lhow = "";
    if (target == from)
        g = spsel ? A64_CUR_SPX : A64_CUR_SP0;
    else
        g = lower_is_a32(st, from, target, &lhow) ? A64_LOWER_A32 : A64_LOWER_A64;
    r->slot = (int)g * 4 + (int)k;
    snprintf(r->vbar, sizeof r->vbar, "VBAR_EL%d", target & 3);
    int ok;
    r->base = a64_vbar(s, target, &ok);
    if (target == from)
        snprintf(r->why, sizeof r->why, "taken to EL%d, the current level, %s (%s): %s", target,
                 spsel ? "with SP_ELx (PSTATE.SP=1)" : "with SP_EL0 (PSTATE.SP=0)", how, a64_slot_name(r->slot));
    else
        snprintf(r->why, sizeof r->why, "taken from EL%d to EL%d (%s), a lower level in %s (%s): %s", from, target,
                 how, g == A64_LOWER_A32 ? "AArch32" : "AArch64", lhow, a64_slot_name(r->slot));
    if (!ok) {
        snprintf(r->source, sizeof r->source, "no %s in the snapshot", r->vbar);
        return;
    }
    r->known = 1;
    r->fetch = r->base + (uint64_t)r->slot * A64_SLOT_SIZE;
    snprintf(r->source, sizeof r->source, "%s = 0x%llx", r->vbar, (unsigned long long)r->base);
    if (k == A64_SYNC) {
        r->masked = HVP_NO;
    } else if (target > from && target != 1 &&
               !(target == 2 && from == 0 && (st->hcr & HCR_E2H) && (st->hcr & HCR_TGE))) {
        /* (QEMU's arm_excp_unmasked, the Arm ARM's masking tables: to a
         * higher level other than EL1, and not to a VHE host's EL2) */
        r->masked = HVP_NO;
        snprintf(r->mask_why, sizeof r->mask_why, "taken to a higher level: PSTATE.%c does not mask it",
                 "?IFA"[k]);
    } else {
        static const unsigned bit[] = { 0, 2, 1, 4 }; /* DAIF bits: D=8 A=4 I=2 F=1 */
        if (st->guest_view && !st->have_guest_pstate) {
            r->masked = HVP_UNKNOWN;
            snprintf(r->mask_why, sizeof r->mask_why, "the guest's PSTATE (SPSR_EL2) is not in the snapshot");
        } else {
            unsigned daif = st->guest_view ? st->guest_daif : st->daif;
            r->masked = (daif & bit[k]) ? HVP_YES : HVP_NO;
            snprintf(r->mask_why, sizeof r->mask_why, "%s.%c=%d", st->guest_view ? "the guest's PSTATE (SPSR_EL2)"
                     : "PSTATE", "?IFA"[k], (daif & bit[k]) ? 1 : 0);
        }
    }
}

void a64_route_exceptions(const hvp_snapshot *s, const a64_state *st, a64_route out[A64_NKINDS])
{
    for (int k = 0; k < A64_NKINDS; k++)
        route_one(s, st, (a64_kind)k, &out[k]);
}

/* A granule TCR asks for that the CPU does not implement
 * (ID_AA64MMFR0_EL1: TGran4 bits 31:28 = 0xF, TGran64 27:24 = 0xF,
 * TGran16 23:20 = 0) is, by the architecture, treated as an implemented
 * size of the implementation's choosing; QEMU (7.2, measured with a 16
 * KiB TG0 on cortex-a53) walks 4 KiB.  Rewrite TG0 (and TG1 for the
 * two-range regimes) to 4 KiB and say so. */
static void fix_granules(const hvp_snapshot *s, a64_regime *r)
{
    const hvp_reg *mm = a64_reg(s, "ID_AA64MMFR0_EL1");
    if (!mm)
        return;
    unsigned t4 = (unsigned)(mm->value >> 28) & 0xf, t64 = (unsigned)(mm->value >> 24) & 0xf,
             t16 = (unsigned)(mm->value >> 20) & 0xf;
    /* TG0 (15:14): 0 4K, 1 64K, 2 16K; TG1 (31:30): 1 16K, 2 4K, 3 64K */
    unsigned tg0 = (unsigned)(r->tcr >> 14) & 3, tg1 = (unsigned)(r->tcr >> 30) & 3;
    int bad0 = (tg0 == 1 && t64 == 0xf) || (tg0 == 2 && t16 == 0) || (tg0 == 0 && t4 == 0xf);
    int two = r->walk_regime == A64_REGIME_EL10 || r->walk_regime == A64_REGIME_EL20;
    int bad1 = two && ((tg1 == 3 && t64 == 0xf) || (tg1 == 1 && t16 == 0) || (tg1 == 2 && t4 == 0xf));
    if (bad0 && t4 != 0xf)
        r->tcr &= ~(3ull << 14);                        /* TG0 = 4 KiB */
    if (bad1 && t4 != 0xf)
        r->tcr = (r->tcr & ~(3ull << 30)) | (2ull << 30); /* TG1 = 4 KiB */
    const char *g = bad0 ? (tg0 == 2 ? "16 KiB" : tg0 == 1 ? "64 KiB" : "4 KiB")
                         : (tg1 == 1 ? "16 KiB" : tg1 == 3 ? "64 KiB" : "4 KiB");
    if (bad0 || bad1)
        snprintf(r->granule_note, sizeof r->granule_note, "TCR_EL%d asks for a %s granule this CPU does not "
                 "implement (ID_AA64MMFR0_EL1 0x%llx): walked with 4 KiB pages, as QEMU does", r->el, g,
                 (unsigned long long)mm->value);
}

int a64_regime_of(const hvp_snapshot *s, int el, a64_regime *r, char *why, size_t whyn)
{
    memset(r, 0, sizeof *r);
    r->el = el;
    char n[16];
    int have;
    snprintf(n, sizeof n, "SCTLR_EL%d", el);
    r->sctlr = val(s, n, &have);
    if (!have) {
        snprintf(why, whyn, "the snapshot has no %s: whether the EL%d MMU is on is not known", n, el);
        return 0;
    }
    r->mmu = (int)(r->sctlr & 1);
    a64_state st;
    a64_state_from(s, &st);
    if (el == 1) {
        r->walk_regime = A64_REGIME_EL10;
        r->stage2 = st.el2_enabled && (st.hcr & HCR_VM) && !(st.hcr & HCR_TGE);
    } else if (el == 2) {
        r->walk_regime = (st.hcr & HCR_E2H) ? A64_REGIME_EL20 : A64_REGIME_EL2;
    } else {
        r->walk_regime = A64_REGIME_EL3;
    }
    if (r->stage2) {
        int h1, h2;
        r->vtcr = val(s, "VTCR_EL2", &h1);
        r->vttbr = val(s, "VTTBR_EL2", &h2);
        if (!h1 || !h2) {
            snprintf(why, whyn, "HCR_EL2.VM=1 but the snapshot lacks %s: stage 2 cannot be walked",
                     h1 ? "VTTBR_EL2" : "VTCR_EL2");
            return 0;
        }
    }
    if (!r->mmu)
        return 1;
    int h1, h2, h3 = 1;
    snprintf(n, sizeof n, "TCR_EL%d", el);
    r->tcr = val(s, n, &h1);
    snprintf(n, sizeof n, "TTBR0_EL%d", el);
    r->ttbr0 = val(s, n, &h2);
    if (r->walk_regime == A64_REGIME_EL10 || r->walk_regime == A64_REGIME_EL20) {
        snprintf(n, sizeof n, "TTBR1_EL%d", el);
        r->ttbr1 = val(s, n, &h3);
    }
    if (!h1 || !h2 || !h3) {
        snprintf(why, whyn, "the EL%d MMU is on but the snapshot lacks TCR_EL%d or its TTBRs: the walk cannot be "
                 "done", el, el);
        return 0;
    }
    fix_granules(s, r);
    return 1;
}
