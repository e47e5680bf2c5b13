/*
 * compare.c - the diagnosis: given per-snapshot analyses, say what
 * differs, what is the same, and the most likely root cause, with the
 * evidence chain that leads there.  Rendering is in compare_render.c.
 *
 * The SVC vector decides the user's question (FreeRTOS starts its
 * scheduler and yields with SVC), so the root cause is argued from it;
 * the other vectors appear in the differences.
 */
#include "core/compare_internal.h"
#include "util/units.h"
#include "arch/arm/exc_model.h"
#include "arch/arm64/exc64.h"
#include "core/placement.h"
#include "elf/elf_image.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int key_of(const cmp_ctx *c, size_t i)
{
    return c->an[i].key;
}

/* The headline exception in words: "SVC" (AArch32), "synchronous"
 * (AArch64, whose SVC, UDF and aborts share one slot); kx: as an object. */
static const char *kv(const cmp_ctx *c)
{
    return c->an[0].arch == HVP_ARCH_AARCH64 ? "synchronous" : "SVC";
}

static const char *kx(const cmp_ctx *c)
{
    return c->an[0].arch == HVP_ARCH_AARCH64 ? "a synchronous exception" : "SVC";
}

void diag_add(diag_lines *d, const char *fmt, ...)
{
    if (d->n >= DIAG_MAX)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->line[d->n++], DIAG_LINE, fmt, ap);
    va_end(ap);
}

int hvp_expect_parse(const char *spec, hvp_expect *out, hvp_error *err)
{
    memset(out, 0, sizeof *out);
    const char *colon = strrchr(spec, ':');
    const char *eq = colon ? strchr(colon, '=') : NULL;
    if (!colon || !eq || colon == spec || eq == colon + 1 || !eq[1])
        return hvp_fail(err, HVP_E_INVAL, "--expect '%s' is not LABEL:VECTOR=VERDICT (e.g. kvm:svc=valid)", spec);
    size_t ll = (size_t)(colon - spec);
    if (ll >= sizeof out->label)
        return hvp_fail(err, HVP_E_INVAL, "--expect '%s': the label is too long", spec);
    memcpy(out->label, spec, ll);
    char vec[32];
    size_t vl = (size_t)(eq - colon - 1);
    if (vl >= sizeof vec)
        return hvp_fail(err, HVP_E_INVAL, "--expect '%s': no such vector", spec);
    memcpy(vec, colon + 1, vl);
    vec[vl] = '\0';
    out->vec = arm_exc_parse(vec);
    if (out->vec < 0 && (out->vec = a64_slot_parse(vec)) >= 0)
        out->a64 = 1;
    if (out->vec < 0)
        return hvp_fail(err, HVP_E_INVAL, "--expect '%s': '%s' is not a vector (AArch32: reset, undef, svc, pabt, "
                        "dabt, hyp, irq, fiq or an offset 0x0..0x1c; AArch64: GROUP.KIND with GROUP cur_sp0, "
                        "cur_spx, lower_a64 or lower_a32 and KIND sync, irq, fiq or serror, e.g. cur_spx.sync, "
                        "or an offset 0x80..0x780)", spec, vec);
    if (hvp_verdict_parse(eq + 1, &out->verdict))
        return hvp_fail(err, HVP_E_INVAL, "--expect '%s': '%s' is not a verdict (valid, stub, zero-filled, erased, "
                        "data, unmapped, target-unmapped, undefined, unknown)", spec, eq + 1);
    return HVP_OK;
}

/* "SVC -> taken to svc32 -> fetch at 0x8 (VBAR = 0x0 ...) -> region X holds
 * 0x00000000 (andeq r0, r0, r0) -> zero-filled". */
static void chain_for(cmp_ctx *c, size_t i, int e)
{
    const hvp_vector_report *v = &c->an[i].vec[e];
    char word[128] = "";
    if (v->have_word)
        snprintf(word, sizeof word, " holds 0x%08x (%s)", v->word, v->insn);
    if (!v->fetch_known) {
        diag_add(&c->chain, "%s: %s -> %s: %s", c->labels[i], v->name, hvp_verdict_name(v->verdict), v->reason);
        return;
    }
    diag_add(&c->chain, "%s: %s -> taken to %s -> fetch at 0x%08llx (%s)%s%s%s -> %s: %s", c->labels[i], v->name,
             v->taken_to, (unsigned long long)v->fetch, v->base_source, v->region[0] ? " -> " : "", v->region,
             word, hvp_verdict_name(v->verdict), v->reason);
}

/* Every snapshot routes vector e to a handler: the same one everywhere
 * (by symbol when both have one, else by address), or the guest
 * installed different code under different hypervisors. */
static void handlers_differ(cmp_ctx *c, int e)
{
    int differ = 0;
    for (size_t i = 1; i < c->n; i++) {
        const hvp_vector_report *a = &c->an[0].vec[e], *b = &c->an[i].vec[e];
        if (a->target_sym[0] && b->target_sym[0])
            differ |= strcmp(a->target_sym, b->target_sym) != 0;
        else
            differ |= a->have_target != b->have_target || a->target != b->target;
    }
    if (!differ) {
        diag_add(&c->cause, "every snapshot routes %s to a handler: the exception vectors are not what differs%s", kx(c),
                 c->differs.n ? " (see the differences in the other vectors)" : "");
        return;
    }
    char who[DIAG_LINE] = "", on[DIAG_LINE] = "";
    size_t o = 0, p = 0;
    for (size_t i = 0; i < c->n; i++) {
        const hvp_vector_report *v = &c->an[i].vec[e];
        const hvp_backend_facts *f = &c->snaps[i]->backend;
        char h[128];
        if (v->target_sym[0])
            snprintf(h, sizeof h, "%s (0x%llx)", v->target_sym, (unsigned long long)v->target);
        else
            snprintf(h, sizeof h, "0x%llx", (unsigned long long)v->target);
        int k = snprintf(who + o, sizeof who - o, "%s%s to %s", i ? ", " : "", c->labels[i], h);
        if (k > 0 && (size_t)k < sizeof who - o)
            o += (size_t)k;
        k = snprintf(on + p, sizeof on - p, "%s%s on %s %s", i ? ", " : "", c->labels[i],
                     f->machine ? f->machine : "?", f->cpu_model ? f->cpu_model : "?");
        if (k > 0 && (size_t)k < sizeof on - p)
            p += (size_t)k;
    }
    diag_add(&c->cause, "every snapshot routes %s to a handler, but not to the same one: %s. The vectors work "
             "everywhere; the guest installed a different handler under each, so look at what it decides at boot "
             "from the machine and CPU it finds (%s)", kx(c), who, on);
    diag_add(&c->differs, "%s handler: %s", kv(c), who);
}

/* " in SYM" for an address the snapshot's ELF names, else "". */
static void sym_in(const hvp_snapshot *s, uint64_t addr, char *buf, size_t n)
{
    uint64_t off = 0;
    const hvp_symbol *y = s->image ? hvp_image_symbol_at(s->image, addr, &off) : NULL;
    if (y && y->name)
        snprintf(buf, n, " in %s", y->name);
    else
        buf[0] = '\0';
}

/* A capture run --when-stuck / --on-exit took: name the condition, and
 * for a storm the vector it keeps re-entering, with that vector's verdict. */
static void condition_cause(cmp_ctx *c, size_t i)
{
    const hvp_snapshot *s = c->snaps[i];
    const hvp_condition *cd = &s->context.condition;
    char in[128] = "";
    if (cd->have_window)
        sym_in(s, cd->pc_lo, in, sizeof in);
    if (!strcmp(cd->name, "storm")) {
        static const struct { const char *qemu, *what; int vec; } map[] = {
            { "Undefined Instruction", "undefined-instruction", 1 },
            { "Prefetch Abort", "prefetch-abort", 3 },
            { "Data Abort", "data-abort", 4 },
        };
        for (size_t k = 0; cd->exception && k < sizeof map / sizeof map[0]; k++)
            if (!strcmp(cd->exception, map[k].qemu)) {
                const hvp_vector_report *v = &c->an[i].vec[map[k].vec];
                if (c->an[i].arch == HVP_ARCH_AARCH64) {
                    /* AArch64: one synchronous slot takes them all; the
                     * one the log shows the CPU entering */
                    v = &c->an[i].vec[key_of(c, i)];
                    for (int e = 0; e < c->an[i].nvec; e++)
                        if (c->an[i].vec[e].fetch_known && c->an[i].vec[e].fetch == cd->vector)
                            v = &c->an[i].vec[e];
                }
                char rate[48];
                hvp_count_text(cd->rate, rate, sizeof rate);
                if (c->an[i].arch == HVP_ARCH_AARCH64)
                    diag_add(&c->cause, "%s: stuck: re-entering the %s slot on %s exceptions %s times a second "
                             "(run --when-stuck, from QEMU's -d int log), with no serial output; that slot is %s: "
                             "%s", c->labels[i], v->name, map[k].what, rate, hvp_verdict_name(v->verdict), v->reason);
                else
                    diag_add(&c->cause, "%s: stuck: re-entering the %s vector %s times a second (run --when-stuck, "
                             "from QEMU's -d int log), with no serial output; that vector is %s: %s", c->labels[i],
                             map[k].what, rate, hvp_verdict_name(v->verdict), v->reason);
                return;
            }
    }
    if (!strcmp(cd->name, "spin") && cd->have_window)
        diag_add(&c->cause, "%s: stuck: spinning%s at 0x%llx-0x%llx for %.1f s with no serial output (run "
                 "--when-stuck)", c->labels[i], in, (unsigned long long)cd->pc_lo, (unsigned long long)cd->pc_hi,
                 cd->seconds);
    else if (!strcmp(cd->name, "wfi") && cd->have_window)
        diag_add(&c->cause, "%s: stuck: waiting in WFI%s at 0x%llx with IRQs masked for %.1f s (run --when-stuck): "
                 "no interrupt wakes it, or none is taken", c->labels[i], in, (unsigned long long)cd->pc_hi,
                 cd->seconds);
    else
        diag_add(&c->cause, "%s: %s%s (run --%s)", c->labels[i],
                 strcmp(cd->name, "poweroff") && strcmp(cd->name, "reset") && strcmp(cd->name, "panic") ? "stuck: "
                                                                                                            : "",
                 cd->how ? cd->how : cd->name,
                 !strcmp(cd->name, "poweroff") || !strcmp(cd->name, "reset") || !strcmp(cd->name, "panic")
                     ? "on-exit" : "when-stuck");
}

/* Which factor differs between a working snapshot w and a failing f? */
static void explain_split(cmp_ctx *c, size_t w, size_t f, int e)
{
    const hvp_vector_report *vw = &c->an[w].vec[e], *vf = &c->an[f].vec[e];
    if (vw->fetch_known && vf->fetch_known && vw->fetch != vf->fetch) {
        diag_add(&c->cause, "the vector base differs: under %s the CPU fetches %s at 0x%08llx (%s), under %s at "
                 "0x%08llx (%s). The guest's own vector-base setup (%s) or the CPU mode it runs in is "
                 "what differs, not the memory the hypervisor provides.", c->labels[w], vw->name,
                 (unsigned long long)vw->fetch, vw->base_source, c->labels[f], (unsigned long long)vf->fetch,
                 vf->base_source, c->an[w].arch == HVP_ARCH_AARCH64 ? "VBAR_ELn" : "VBAR/SCTLR.V");
        return;
    }
    if (vw->fetch_known && vf->fetch_known) {
        diag_add(&c->cause, "both fetch %s at 0x%08llx, but what is there differs: %s finds a handler, %s finds %s. "
                 "The guest relies on memory the hypervisor places at its vector base; a portable guest installs "
                 "its own table and points VBAR at it.", vw->name, (unsigned long long)vw->fetch, c->labels[w],
                 c->labels[f], hvp_verdict_name(vf->verdict));
        return;
    }
    diag_add(&c->cause, "%s routes %s to a handler and %s does not (%s), but the snapshots lack the evidence to say "
             "why.", c->labels[w], vw->name, c->labels[f], vf->reason);
}

/* Saved RAM images (capture --save-ram) of the same physical range,
 * compared by their recorded sha256: identical or different.  Ranges that
 * only one snapshot saved say nothing and are left out. */
static void compare_ram(cmp_ctx *c)
{
    for (size_t i = 0; i < c->n; i++)
        for (size_t k = 0; k < c->snaps[i]->nram_images; k++) {
            const hvp_ram_image *m = &c->snaps[i]->ram_images[k];
            int seen = 0; /* already reported from an earlier snapshot */
            for (size_t j = 0; j < i && !seen; j++)
                for (size_t q = 0; q < c->snaps[j]->nram_images && !seen; q++)
                    seen = c->snaps[j]->ram_images[q].addr == m->addr && c->snaps[j]->ram_images[q].len == m->len;
            if (seen)
                continue;
            const hvp_ram_image *in[64] = { 0 };
            size_t have = 0, differ = 0;
            for (size_t j = i; j < c->n && j < 64; j++)
                for (size_t q = 0; q < c->snaps[j]->nram_images && !in[j]; q++) {
                    const hvp_ram_image *o = &c->snaps[j]->ram_images[q];
                    if (o->addr == m->addr && o->len == m->len) {
                        in[j] = o;
                        have++;
                        differ += strcmp(o->sha256, m->sha256) != 0;
                    }
                }
            if (have < 2)
                continue;
            char sz[32], list[DIAG_LINE] = "", missing[DIAG_LINE] = "";
            size_t off = 0, moff = 0;
            for (size_t j = 0; j < c->n && j < 64; j++) {
                int w = in[j] ? snprintf(list + off, sizeof list - off, "%s%s=%.12s", off ? ", " : "", c->labels[j],
                                         in[j]->sha256)
                              : snprintf(missing + moff, sizeof missing - moff, "%s%s", moff ? ", " : "", c->labels[j]);
                if (w > 0 && in[j])
                    off = off + (size_t)w < sizeof list ? off + (size_t)w : sizeof list - 1;
                else if (w > 0)
                    moff = moff + (size_t)w < sizeof missing ? moff + (size_t)w : sizeof missing - 1;
            }
            hvp_size_text(m->len, sz, sizeof sz);
            if (differ)
                diag_add(&c->differs, "RAM 0x%08llx+%s%s%s%s: differs (sha256 %s)%s%s%s", (unsigned long long)m->addr,
                         sz, m->region ? " (" : "", m->region ? m->region : "", m->region ? ")" : "", list,
                         moff ? "; not saved by " : "", missing, "");
            else
                diag_add(&c->same, "RAM 0x%08llx+%s%s%s%s: identical (sha256 %.12s) in %s%s%s",
                         (unsigned long long)m->addr, sz, m->region ? " (" : "", m->region ? m->region : "",
                         m->region ? ")" : "", m->sha256, moff ? "the snapshots that saved it" : "every snapshot",
                         moff ? "; not saved by " : "", missing);
        }
}

static void diagnose(cmp_ctx *c)
{
    /* The headline vector: SVC (AArch32), or the slot a synchronous
     * exception raised at capture enters (AArch64); index per snapshot. */
    size_t nvalid = 0, nfail = 0, nunknown = 0, first_valid = 0, first_fail = 0;
    for (size_t i = 0; i < c->n; i++) {
        hvp_verdict v = c->an[i].hyp_thread ? HVP_V_UNKNOWN : c->an[i].vec[key_of(c, i)].verdict;
        if (v == HVP_V_VALID) {
            if (!nvalid++)
                first_valid = i;
        } else if (v == HVP_V_UNKNOWN) {
            nunknown++;
        } else if (!nfail++) {
            first_fail = i;
        }
        chain_for(c, i, key_of(c, i));
    }
    /* Differences and sameness, vector by vector. */
    for (int e = 0; e < c->an[0].nvec; e++) {
        int same_v = 1, same_f = 1;
        for (size_t i = 1; i < c->n; i++) {
            same_v &= c->an[i].vec[e].verdict == c->an[0].vec[e].verdict;
            same_f &= c->an[i].vec[e].fetch_known == c->an[0].vec[e].fetch_known &&
                      c->an[i].vec[e].fetch == c->an[0].vec[e].fetch;
        }
        char list[DIAG_LINE] = "";
        size_t off = 0;
        for (size_t i = 0; i < c->n && off < sizeof list - 1; i++) {
            int k = snprintf(list + off, sizeof list - off, "%s%s=%s", i ? ", " : "", c->labels[i],
                             hvp_verdict_name(c->an[i].vec[e].verdict));
            if (k > 0)
                off += (size_t)k;
        }
        if (c->n < 2)
            continue;
        if (!same_v)
            diag_add(&c->differs, "%s vector: %s", c->an[0].vec[e].name, list);
        else if (e == key_of(c, 0))
            diag_add(&c->same, "%s vector: %s in every snapshot%s", c->an[0].vec[e].name,
                     hvp_verdict_name(c->an[0].vec[e].verdict),
                     same_f && c->an[0].vec[e].fetch_known ? " (fetched at the same address)" : "");
        if (!same_f && e == key_of(c, 0)) {
            char fl[DIAG_LINE] = "";
            size_t o = 0;
            for (size_t i = 0; i < c->n && o < sizeof fl - 1; i++) {
                int k = c->an[i].vec[e].fetch_known
                        ? snprintf(fl + o, sizeof fl - o, "%s%s=0x%llx", i ? ", " : "", c->labels[i],
                                   (unsigned long long)c->an[i].vec[e].fetch)
                        : snprintf(fl + o, sizeof fl - o, "%s%s=unknown", i ? ", " : "", c->labels[i]);
                if (k > 0)
                    o += (size_t)k;
            }
            diag_add(&c->differs, "%s fetch address: %s", c->an[0].arch == HVP_ARCH_AARCH64 ? c->an[0].vec[e].name : "SVC", fl);
        }
    }
    /* An image that is not where it was linked comes first: every vector
     * verdict below describes memory the guest did not mean to use. */
    for (size_t i = 0; i < c->n; i++) {
        hvp_placement pl;
        if (hvp_image_placement(c->snaps[i], &pl)) {
            diag_add(&c->cause, "%s: %s", c->labels[i], pl.finding);
            diag_add(&c->suggestions, "%s: %s", c->labels[i], pl.fix);
        }
    }
    /* What the guest was doing when it was captured for being stuck or
     * ending: said before the vectors' story. */
    for (size_t i = 0; i < c->n; i++)
        if (c->snaps[i]->context.condition.name)
            condition_cause(c, i);
    /* Root cause, argued from SVC. */
    if (nfail && !nvalid && !nunknown) {
        int all_same_fetch = 1, no_table = 1;
        for (size_t i = 0; i < c->n; i++) {
            hvp_verdict v = c->an[i].vec[key_of(c, i)].verdict;
            all_same_fetch &= c->an[i].vec[key_of(c, i)].fetch == c->an[0].vec[key_of(c, 0)].fetch;
            /* "no table there" only when the CPU finds no code at all at
             * the vector; a stub or a bad target is a table that exists. */
            no_table &= v == HVP_V_ZERO_FILLED || v == HVP_V_ERASED || v == HVP_V_DATA || v == HVP_V_UNMAPPED;
        }
        if (no_table)
            diag_add(&c->cause, "no snapshot has a usable %s vector%s. The guest never installed a vector table "
                     "where the CPU looks for it%s; the difference between %s is only how that failure shows "
                     "(memory to slide through, or a fault).", kv(c),
                     c->n > 1 && all_same_fetch ? ": the same root cause in all of them" : "",
                     all_same_fetch ? " (the same vector base everywhere)" : "",
                     c->n > 1 ? "the hypervisors" : "setups");
        for (size_t i = 0; no_table && i < c->n; i++) {
            const hvp_vector_report *v = &c->an[i].vec[key_of(c, i)];
            const char *pol = c->snaps[i]->context.policy;
            char at[32] = "";
            if (v->fetch_known)
                snprintf(at, sizeof at, " at 0x%llx", (unsigned long long)v->fetch);
            diag_add(&c->cause, "%s: the %s vector's fetch%s finds %s: %s%s%s", c->labels[i], kv(c), at,
                     hvp_verdict_name(v->verdict), v->reason, pol ? "; " : "", pol ? pol : "");
        }
        if (!no_table)
            for (size_t i = 0; i < c->n; i++)
                diag_add(&c->cause, "%s: a vector table is there, but its %s entry is %s: %s", c->labels[i], kv(c),
                         hvp_verdict_name(c->an[i].vec[key_of(c, i)].verdict), c->an[i].vec[key_of(c, i)].reason);
    } else if (nfail && nvalid) {
        explain_split(c, first_valid, first_fail, key_of(c, first_valid));
    } else if (nvalid && !nfail && !nunknown) {
        handlers_differ(c, key_of(c, 0));
    }
    /* A guest whose vectors are sound but which its hypervisor stopped:
     * the reported fault itself is the cause. */
    for (size_t i = 0; i < c->n; i++) {
        const hvp_context *cx = &c->snaps[i]->context;
        if (c->an[i].vec[key_of(c, i)].verdict != HVP_V_VALID || !cx->report || !cx->have_regs)
            continue;
        diag_add(&c->cause, "%s: the vectors are not what stopped the guest: its %s at pc 0x%llx (IPA 0x%llx) is the "
                 "fault the hypervisor reported%s%s", c->labels[i], cx->trap ? cx->trap : "trap",
                 (unsigned long long)cx->regs[15], (unsigned long long)cx->ipa, cx->policy ? "; " : "",
                 cx->policy ? cx->policy : "");
    }
    for (size_t i = 0; nunknown && i < c->n; i++) {
        if (c->an[i].hyp_thread)
            diag_add(&c->cause, "cannot conclude for %s: it was captured in one of the hypervisor's own threads "
                     "(HCR.TGE=1), not in the guest; capture the guest at its trap instead (run --backend "
                     "sel4|fixture --capture FILE)", c->labels[i]);
        else if (c->an[i].vec[key_of(c, i)].verdict == HVP_V_UNKNOWN)
            diag_add(&c->cause, "cannot conclude for %s: %s", c->labels[i], c->an[i].vec[key_of(c, i)].reason);
    }
    for (size_t i = 0; i < c->n; i++) {
        for (int k = 0; k < c->an[i].nnotes; k++)
            diag_add(&c->warnings, "%s: %s", c->labels[i], c->an[i].notes[k]);
        if (c->an[i].reduced)
            diag_add(&c->warnings, "%s: imported from %s: reduced evidence (no CP15 registers, no physical reads); "
                     "every conclusion about it assumes what that file shows", c->labels[i],
                     c->snaps[i]->imported_from);
        if (c->an[i].suggestion[0])
            diag_add(&c->suggestions, "%s: %s", c->labels[i], c->an[i].suggestion);
    }
    if (c->n > 1)
        compare_ram(c);
}

static void check_expectations(cmp_ctx *c, const hvp_expect *ex, size_t nex, size_t *failed)
{
    *failed = 0;
    for (size_t k = 0; k < nex; k++) {
        expect_result *r = &c->er[k];
        r->ex = ex[k];
        for (size_t i = 0; i < c->n; i++)
            if (!strcmp(c->labels[i], ex[k].label)) {
                r->found = 1;
                r->arch_mismatch = ex[k].a64 != (c->an[i].arch == HVP_ARCH_AARCH64);
                r->got = r->arch_mismatch ? HVP_V_UNKNOWN : c->an[i].vec[ex[k].vec].verdict;
                r->held = !r->arch_mismatch && r->got == ex[k].verdict;
                break;
            }
        if (!r->held)
            (*failed)++;
    }
}

int hvp_compare(const hvp_snapshot *const *snaps, const char *const *names, size_t n,
                const hvp_compare_opts *o, char **out, size_t *failed, hvp_error *err)
{
    const hvp_expect *ex = o->expect;
    size_t nex = o->nexpect;
    hvp_format fmt = o->format;
    *out = NULL;
    *failed = 0;
    if (!n)
        return hvp_fail(err, HVP_E_INVAL, "nothing to compare");
    for (size_t i = 1; i < n; i++)
        if (snaps[i]->arch != snaps[0]->arch) {
            size_t k = snaps[0]->arch == HVP_ARCH_AARCH64 ? 0 : i, j = k ? 0 : i;
            const char *lk = snaps[k]->label && *snaps[k]->label ? snaps[k]->label : names[k];
            const char *lj = snaps[j]->label && *snaps[j]->label ? snaps[j]->label : names[j];
            return hvp_fail(err, HVP_E_ARCH, "cannot compare AArch32 and AArch64 snapshots as one set: %s is "
                            "AArch64 (16 slots of 0x80 bytes at VBAR_ELn, one per exception kind and origin) and %s "
                            "is AArch32 (8 one-word vectors, one per exception), so their vectors are not the same "
                            "exceptions; compare each architecture's snapshots apart", lk, lj);
        }
    cmp_ctx *c = calloc(1, sizeof *c);
    if (!c)
        return hvp_fail(err, HVP_E_NOMEM, "out of memory");
    c->n = n;
    c->snaps = snaps;
    c->labels = calloc(n, sizeof *c->labels);
    c->an = calloc(n, sizeof *c->an);
    c->er = calloc(nex ? nex : 1, sizeof *c->er);
    c->nex = nex;
    c->brief = o->brief;
    c->detail = o->detail;
    c->width = o->width;
    int rc = HVP_OK;
    if (!c->labels || !c->an || !c->er)
        rc = hvp_fail(err, HVP_E_NOMEM, "out of memory");
    for (size_t i = 0; !rc && i < n; i++) {
        c->labels[i] = snaps[i]->label && *snaps[i]->label ? snaps[i]->label : names[i];
        rc = hvp_analyse(snaps[i], &c->an[i], err);
    }
    hvp_buf b = { 0 };
    if (!rc) {
        diagnose(c);
        check_expectations(c, ex, nex, failed);
        rc = fmt == HVP_FMT_JSON ? cmp_render_json(c, &b) : fmt == HVP_FMT_MARKDOWN ? cmp_render_markdown(c, &b)
             : cmp_render_text(c, &b);
        if (rc)
            hvp_fail(err, rc, "out of memory while rendering the comparison");
    }
    if (!rc)
        *out = hvp_buf_steal(&b);
    hvp_buf_free(&b);
    free(c->labels);
    free(c->an);
    free(c->er);
    free(c);
    return rc;
}
