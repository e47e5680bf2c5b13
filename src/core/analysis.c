/*
 * analysis.c - hvp_analyse(): for each exception vector, the address the
 * CPU fetches (arch/arm/exc_model), whether it can (memory reads and the
 * memory map), what it finds (arch/arm/disasm) and a verdict from the
 * closed vocabulary with a one-line reason.
 *
 * Evidence rules, so a verdict is right for the reason it gives:
 *  - A virtual read is evidence only for the translation regime the CPU
 *    was in at capture; for another regime (e.g. Hyp vectors seen from a
 *    PL1 capture) only a physical read with that regime's MMU off counts.
 *  - Physical reads QEMU could not back are errors, never zeros (capture
 *    checks them against the flat memory map).
 *  - A branch is `valid` only when its target is readable and is not a
 *    self-loop; without the target's bytes, the memory map must show RAM
 *    or ROM there (MMU off), else the verdict is `unknown`.
 */
#include "core/analysis_internal.h"
#include "util/le.h"
#include "arch/arm/disasm.h"
#include "arch/arm/exc_model.h"
#include "arch/arm/fault.h"
#include "arch/arm/guest_view.h"
#include "core/memmap.h"
#include "elf/elf_image.h"
#include "elf/elf_scan.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const verdict_names[HVP_V_COUNT] = {
    "valid", "stub", "zero-filled", "erased", "data", "unmapped",
    "target-unmapped", "undefined", "unknown"
};

const char *hvp_verdict_name(hvp_verdict v)
{
    return (unsigned)v < HVP_V_COUNT ? verdict_names[v] : "?";
}

int hvp_verdict_parse(const char *s, hvp_verdict *out)
{
    for (int i = 0; i < HVP_V_COUNT; i++)
        if (!strcasecmp(s, verdict_names[i])) {
            *out = (hvp_verdict)i;
            return HVP_OK;
        }
    return HVP_E_INVAL;
}

/* Result of looking for bytes at an address in the snapshot's reads. */
enum { MEM_NONE, MEM_OK, MEM_FAILED };

typedef struct memlook {
    int status;
    const hvp_memread *m;
    const uint8_t *p;       /* MEM_OK: bytes at addr */
    size_t avail;           /* MEM_OK: bytes available from p */
    char detail[320];       /* MEM_FAILED in a guest view: the failing walk */
} memlook;

/* Whose view the vectors are judged in: the CPU's at capture, or (a Hyp
 * mode capture with stage 2 on) the guest's, walked from outside. */
typedef struct view {
    const hvp_snapshot *s;
    int guest;
    arm_guest_ctx g;
    int s2;         /* captured inside a guest with stage 2 on (HCR.VM):
                       its "physical" addresses are IPAs, so QEMU's
                       physical reads and memory map do not apply */
} view;

static memlook mem_at(const hvp_snapshot *s, uint64_t addr, hvp_space space)
{
    memlook r = { MEM_NONE, NULL, NULL, 0, "" };
    for (size_t i = 0; i < s->nmemory; i++) {
        const hvp_memread *m = &s->memory[i];
        if (m->space != space || addr < m->addr || addr >= m->addr + m->len)
            continue;
        size_t off = (size_t)(addr - m->addr);
        if (off + 2 <= m->got) {
            r.status = MEM_OK;
            r.m = m;
            r.p = m->bytes + off;
            r.avail = m->got - off;
            return r;
        }
        if (r.status == MEM_NONE) {
            r.status = MEM_FAILED;
            r.m = m;
        }
    }
    return r;
}

static const char *regime_name(int r)
{
    return r == ARM_REGIME_HYP ? "Hyp (PL2)" : r == ARM_REGIME_PL1_S ? "Secure PL1&0" : "Non-secure PL1&0";
}

static void region_desc(const hvp_snapshot *s, uint64_t pa, char *buf, size_t n)
{
    const hvp_region *r = hvp_map_flat_at(s, "memory", pa);
    if (r)
        say(buf, n, "%s (%s)", r->name ? r->name : "?", r->kind ? r->kind : "?");
    else if (hvp_map_has_flat(s, "memory"))
        say(buf, n, "no region");
    else
        buf[0] = '\0';
}

/* Physical reader over the snapshot's recorded reads, for re-walking
 * the guest's tables. */
static int snap_phys_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
    const hvp_snapshot *s = ctx;
    memlook m = mem_at(s, pa, HVP_SPACE_PHYSICAL);
    if (m.status != MEM_OK || m.avail < len)
        return -1;
    memcpy(buf, m.p, len);
    return 0;
}

/* Where can we get the bytes the CPU would fetch at `va` in `route`'s
 * regime?  Returns the lookup and says which space was used. */
static memlook fetch_bytes(const view *vw, const arm_route *route, uint64_t va,
                           int *used_phys, char *why, size_t whyn)
{
    const hvp_snapshot *s = vw->s;
    int cur = arm_current_regime(s);
    *used_phys = 0;
    why[0] = '\0';
    if (route->physical) {
        *used_phys = 1;
        return mem_at(s, va, HVP_SPACE_PHYSICAL);
    }
    if (vw->guest && route->regime == ARM_REGIME_PL1_NS) {
        arm_guest_xlate x;
        memlook r = { MEM_NONE, NULL, NULL, 0, "" };
        hvp_error e = { 0 };
        *used_phys = 1;
        if (arm_guest_translate(&vw->g, (uint32_t)va, snap_phys_read, (void *)s, &x, &e) != HVP_OK) {
            r.status = MEM_FAILED;
            snprintf(r.detail, sizeof r.detail, "the hypervisor's stage-2 configuration cannot be walked: %.200s", e.msg);
            return r;
        }
        if (!x.ok) {
            r.status = MEM_FAILED;
            snprintf(r.detail, sizeof r.detail, "%s", x.detail);
            return r;
        }
        if (x.ok) {
            r = mem_at(s, x.pa, HVP_SPACE_PHYSICAL);
            if (r.status == MEM_NONE)
                say(why, whyn, "the guest's VA 0x%llx is IPA 0x%llx, PA 0x%llx, which the snapshot did not read",
                    (unsigned long long)va, (unsigned long long)x.ipa, (unsigned long long)x.pa);
        }
        return r;
    }
    /* cur < 0: no CPSR (an imported file): its virtual reads are all
     * there is, and the snapshot is marked as reduced evidence. */
    if ((int)route->regime == cur || cur < 0) {
        memlook v = mem_at(s, va, HVP_SPACE_VIRTUAL);
        if (v.status != MEM_NONE)
            return v;
    }
    if (route->mmu == HVP_NO && !vw->s2) {
        *used_phys = 1;
        return mem_at(s, va, HVP_SPACE_PHYSICAL);
    }
    memlook none = { MEM_NONE, NULL, NULL, 0, "" };
    if ((int)route->regime != cur && cur >= 0)
        say(why, whyn, "the fetch goes through the %s translation regime with its MMU %s, but the "
            "capture was taken in %s; its virtual reads do not apply", regime_name(route->regime),
            route->mmu == HVP_YES ? "on" : "state unknown", regime_name(cur));
    else
        say(why, whyn, "the snapshot has no read of 0x%llx", (unsigned long long)va);
    return none;
}

static void symbolise(const hvp_snapshot *s, uint64_t addr, char *buf, size_t n)
{
    uint64_t off = 0;
    const hvp_symbol *y = s->image ? hvp_image_symbol_at(s->image, addr, &off) : NULL;
    if (y)
        say(buf, n, "%s+0x%llx", y->name, (unsigned long long)off);
    else
        buf[0] = '\0';
}

/* Judge a branch target: readable code that is not a self-loop. */
static void judge_target(const view *vw, const arm_route *route, arm_disasm *dis,
                         hvp_vector_report *v, const char *how)
{
    const hvp_snapshot *s = vw->s;
    char sym[96], why[320], where[128];
    symbolise(s, v->target, v->target_sym, sizeof v->target_sym);
    say(sym, sizeof sym, "%s%s%s", v->target_sym[0] ? " (" : "", v->target_sym, v->target_sym[0] ? ")" : "");
    int phys;
    memlook t = fetch_bytes(vw, route, v->target, &phys, why, sizeof why);
    if (t.status == MEM_OK && t.avail >= 4) {
        arm_decoded d;
        arm_decode(dis, t.p, t.avail < 4 ? t.avail : 4, v->target, &d);
        if (d.flow == ARM_FLOW_BRANCH && d.target == v->target && !d.conditional) {
            v->verdict = HVP_V_STUB;
            say(v->reason, sizeof v->reason, "%s 0x%llx%s, a handler that only loops (%s)", how,
                (unsigned long long)v->target, sym, d.text);
        } else if (d.flow == ARM_FLOW_UNDEFINED || hvp_le32(t.p) == 0 || hvp_le32(t.p) == 0xffffffffu) {
            v->verdict = HVP_V_TARGET_UNMAPPED;
            say(v->reason, sizeof v->reason, "%s 0x%llx%s, which does not hold code (0x%08x)", how,
                (unsigned long long)v->target, sym, hvp_le32(t.p));
        } else {
            v->verdict = HVP_V_VALID;
            say(v->reason, sizeof v->reason, "%s 0x%llx%s, readable code (%s)", how,
                (unsigned long long)v->target, sym, d.text);
        }
        return;
    }
    if (t.status == MEM_FAILED) {
        v->verdict = HVP_V_TARGET_UNMAPPED;
        say(v->reason, sizeof v->reason, "%s 0x%llx%s, which cannot be read (%s)", how,
            (unsigned long long)v->target, sym, t.detail[0] ? t.detail : t.m->error ? t.m->error : "read failed");
        return;
    }
    /* No bytes of the target: the map decides when addresses are physical. */
    if (route->mmu == HVP_NO && !vw->guest && !vw->s2 && hvp_map_has_flat(s, "memory")) {
        const hvp_region *r = hvp_map_flat_at(s, "memory", v->target);
        if (!r || (r->kind && !strcmp(r->kind, "i/o"))) {
            v->verdict = HVP_V_TARGET_UNMAPPED;
            say(v->reason, sizeof v->reason, "%s 0x%llx%s, where %s", how, (unsigned long long)v->target, sym,
                r ? "only I/O registers live" : "no memory region exists");
        } else {
            v->verdict = HVP_V_VALID;
            region_desc(s, v->target, where, sizeof where);
            say(v->reason, sizeof v->reason, "%s 0x%llx%s in %s (handler bytes not captured)", how,
                (unsigned long long)v->target, sym, where);
        }
        return;
    }
    v->verdict = HVP_V_UNKNOWN;
    say(v->reason, sizeof v->reason, "%s 0x%llx%s, but %s", how, (unsigned long long)v->target, sym,
        why[0] ? why : "the snapshot has no bytes there");
}

static int is_dtb_at(const view *vw, const arm_route *route, uint64_t base)
{
    int phys;
    char why[8];
    memlook m = fetch_bytes(vw, route, base, &phys, why, sizeof why);
    /* FDT header magic 0xd00dfeed, stored big-endian (devicetree spec 5.2). */
    return m.status == MEM_OK && m.avail >= 4 && m.p[0] == 0xd0 && m.p[1] == 0x0d && m.p[2] == 0xfe &&
           m.p[3] == 0xed;
}

static void classify(const view *vw, const arm_route *route, arm_disasm *dis,
                     hvp_vector_report *v)
{
    const hvp_snapshot *s = vw->s;
    v->verdict = HVP_V_UNKNOWN;
    if (!route->known) {
        say(v->reason, sizeof v->reason, "%s", route->missing);
        return;
    }
    uint64_t fa = v->fetch;
    arm_stage1_regs s1;
    arm_walk_result w;
    if (route->mmu == HVP_NO && !vw->guest && !vw->s2)
        region_desc(s, fa, v->region, sizeof v->region);
    else if (route->mmu == HVP_YES && !vw->guest && !vw->s2 && (int)route->regime == arm_current_regime(s) &&
             arm_pl1_stage1(s, &s1) &&
             !arm_walk_stage1(s1.sctlr, s1.ttbr0, s1.ttbr1, s1.ttbcr, (uint32_t)fa, snap_phys_read, (void *)s, &w,
                              NULL) && w.ok) {
        /* A virtual vector base: the region its stage-1 walk lands in. */
        char where[96];
        region_desc(s, w.out_addr, where, sizeof where);
        if (where[0])
            say(v->region, sizeof v->region, "%s at PA 0x%llx", where, (unsigned long long)w.out_addr);
    }
    int phys;
    char why[320];
    memlook m = fetch_bytes(vw, route, fa, &phys, why, sizeof why);
    if (m.status == MEM_NONE) {
        say(v->reason, sizeof v->reason, "%s", why);
        return;
    }
    if (m.status == MEM_FAILED && m.detail[0]) {
        v->verdict = HVP_V_UNMAPPED;
        say(v->reason, sizeof v->reason, "the guest cannot fetch VA 0x%llx: %s", (unsigned long long)fa, m.detail);
        return;
    }
    if (m.status == MEM_FAILED) {
        v->verdict = HVP_V_UNMAPPED;
        if ((phys || route->mmu == HVP_NO) && !vw->s2)
            say(v->reason, sizeof v->reason, "no memory backs address 0x%llx (MMU off, so it is physical): %s%s",
                (unsigned long long)fa, m.m->error ? m.m->error : "read failed",
                s->backend.machine && !strncmp(s->backend.machine, "vexpress", 8)
                ? "; QEMU's vexpress boards ignore failed fetches, so the CPU reads zeros there and slides on"
                : "; the fetch aborts");
        else {
            char extra[160] = "";
            memlook p = mem_at(s, fa, HVP_SPACE_PHYSICAL);
            if (route->mmu == HVP_YES && p.status == MEM_OK) {
                char where[96];
                region_desc(s, fa, where, sizeof where);
                say(extra, sizeof extra, "; physical 0x%llx is %s, so the MMU's tables are what leave it out",
                    (unsigned long long)fa, where[0] ? where : "readable");
            }
            say(v->reason, sizeof v->reason, "virtual address 0x%llx has no valid translation in the %s "
                "regime (%s)%s", (unsigned long long)fa, regime_name(route->regime),
                m.m->error ? m.m->error : "read failed", extra);
        }
        return;
    }
    if (m.avail < 4) {
        say(v->reason, sizeof v->reason, "the read at 0x%llx ends inside this vector", (unsigned long long)fa);
        return;
    }
    v->have_word = 1;
    v->word = hvp_le32(m.p);
    arm_decoded d;
    arm_decode(dis, m.p, 4, fa, &d);
    snprintf(v->insn, sizeof v->insn, "%s", d.text);
    char in_region[128] = "";
    if (v->region[0])
        say(in_region, sizeof in_region, " in %s", v->region);
    if (is_dtb_at(vw, route, route->base)) {
        v->verdict = HVP_V_DATA;
        if (v->offset == 0)
            say(v->reason, sizeof v->reason, "a flattened device tree header (magic 0xd00dfeed) sits at the %s%s",
                route->exc == ARM_EXC_RESET ? "reset address" : "vector base", in_region);
        else
            say(v->reason, sizeof v->reason, "inside the device tree blob that starts at the vector base 0x%llx%s",
                (unsigned long long)route->base, in_region);
        return;
    }
    if (v->word == 0) {
        v->verdict = HVP_V_ZERO_FILLED;
        say(v->reason, sizeof v->reason, "0x00000000%s decodes as %s: a no-op, the CPU slides on "
            "to the next word instead of reaching a handler", in_region, d.text);
        return;
    }
    if (v->word == 0xffffffffu) {
        v->verdict = HVP_V_ERASED;
        say(v->reason, sizeof v->reason, "0xffffffff%s: erased flash, not an instruction", in_region);
        return;
    }
    switch (d.flow) {
    case ARM_FLOW_UNDEFINED:
        v->verdict = HVP_V_UNDEFINED;
        say(v->reason, sizeof v->reason, "0x%08x%s is not a valid %s instruction", v->word, in_region,
            route->thumb ? "Thumb" : "ARM");
        return;
    case ARM_FLOW_BRANCH:
        v->have_target = 1;
        v->target = d.target;
        if (d.conditional) {
            say(v->reason, sizeof v->reason, "a conditional branch (%s): it may fall through", d.text);
            return;
        }
        if (d.target == fa) {
            v->verdict = HVP_V_STUB;
            say(v->reason, sizeof v->reason, "b . : branches to itself, the exception hangs here");
            return;
        }
        judge_target(vw, route, dis, v, "branches to");
        return;
    case ARM_FLOW_LOAD_PC: {
        if (d.conditional) {
            say(v->reason, sizeof v->reason, "a conditional load of PC (%s): it may fall through", d.text);
            return;
        }
        int ph;
        char w2[64];
        memlook lit = fetch_bytes(vw, route, d.literal, &ph, w2, sizeof w2);
        if (lit.status != MEM_OK || lit.avail < 4) {
            say(v->reason, sizeof v->reason, "loads PC from the literal at 0x%llx, which the snapshot %s",
                (unsigned long long)d.literal, lit.status == MEM_FAILED ? "could not read" : "does not hold");
            if (lit.status == MEM_FAILED)
                v->verdict = HVP_V_TARGET_UNMAPPED;
            return;
        }
        v->have_target = 1;
        v->target = hvp_le32(lit.p) & ~1u;
        char how[96];
        say(how, sizeof how, "loads PC from the literal at 0x%llx: jumps to", (unsigned long long)d.literal);
        if (v->target == fa) {
            v->verdict = HVP_V_STUB;
            say(v->reason, sizeof v->reason, "%s itself, the exception hangs here", how);
            return;
        }
        judge_target(vw, route, dis, v, how);
        return;
    }
    case ARM_FLOW_RETURN:
        v->verdict = HVP_V_VALID;
        say(v->reason, sizeof v->reason, "%s returns at once: the exception is ignored", d.text);
        return;
    case ARM_FLOW_MOV_PC:
        say(v->reason, sizeof v->reason, "%s: the target is only known at exception time (a register or memory)", d.text);
        return;
    case ARM_FLOW_OTHER:
        if (v->offset == 0x1c) {
            v->verdict = HVP_V_VALID;
            say(v->reason, sizeof v->reason, "FIQ handler code starts inline at the end of the table (%s)", d.text);
        } else {
            say(v->reason, sizeof v->reason, "%s is not a branch: execution falls through into the next entry",
                d.text);
        }
        return;
    }
}

/* The fault registers of the current state, decoded into words: what the
 * last abort was (the snapshot keeps them whatever the mode). */
static void fault_notes(const hvp_snapshot *s, hvp_analysis *a)
{
    int sec = s->cpu.secure == HVP_YES ? HVP_YES : HVP_NO;
    const hvp_reg *ttbcr = arm_banked_reg(s, "TTBCR", sec);
    int lpae = ttbcr ? (int)((ttbcr->value >> 31) & 1) : 0; /* TTBCR.EAE */
    static const struct { const char *fsr, *far; int ifsr; } pairs[] = {
        { "IFSR", "IFAR", 1 }, { "DFSR", "DFAR", 0 }
    };
    for (int i = 0; i < 2; i++) {
        const hvp_reg *fsr = arm_banked_reg(s, pairs[i].fsr, sec);
        const hvp_reg *far = arm_banked_reg(s, pairs[i].far, sec);
        arm_fsr_info fi;
        if (!fsr || !fsr->value || arm_fsr_decode((uint32_t)fsr->value, lpae, pairs[i].ifsr, &fi))
            continue;
        note(a, "last %s abort recorded: %s = 0x%08llx (%s)%s%s%s%s", pairs[i].ifsr ? "prefetch" : "data",
             fsr->name, (unsigned long long)fsr->value, fi.name, far ? " at " : "", far ? far->name : "",
             far ? " = " : "", "");
        if (far) {
            size_t l = strlen(a->notes[a->nnotes - 1]);
            snprintf(a->notes[a->nnotes - 1] + l, sizeof a->notes[0] - l, "0x%08llx", (unsigned long long)far->value);
        }
    }
    const hvp_reg *hsr = arm_reg_any(s, "HSR", "ESR_EL2");
    if (hsr && hsr->value) {
        arm_hsr_info h;
        arm_hsr_decode((uint32_t)hsr->value, &h);
        const hvp_reg *hp = hvp_snapshot_reg(s, "HPFAR");
        uint32_t far = arm_hyp_fault_address(s, &h);
        uint32_t hpfar = hp ? (uint32_t)hp->value : 0;
        char text[240];
        arm_describe_abort((uint32_t)hsr->value, far, hp ? &hpfar : NULL, text, sizeof text, NULL);
        note(a, "last exception taken to Hyp mode: %s = 0x%08llx: %s", hsr->name, (unsigned long long)hsr->value, text);
    }
}

/* A capture at a guest's trap: the faulting IPA's stage-2 walk (from the
 * descriptors capture recorded), what the hypervisor does with such a
 * fault, and the traps it resolved before this one. */
static void trap_notes(const view *vw, hvp_analysis *a)
{
    const hvp_snapshot *s = vw->s;
    const hvp_context *cx = &s->context;
    uint64_t ipa;
    if (vw->guest && arm_current_regime(s) == ARM_REGIME_HYP && arm_guest_fault_ipa(s, &ipa)) {
        arm_walk_result w;
        char line[256];
        if (!arm_walk_lpae_s2(vw->g.vttbr, vw->g.vtcr, ipa, snap_phys_read, (void *)s, &w, NULL) &&
            !arm_walk_describe(&w, line, sizeof line, NULL) && w.nsteps &&
            !(w.fault && !strcmp(w.fault, "table unreadable")))
            note(a, "the faulting IPA in the hypervisor's stage 2 at the trap: %s", line);
    }
    if (cx->policy)
        note(a, "what the hypervisor does with it: %s", cx->policy);
    if (cx->nearlier) {
        char list[300] = "";
        size_t off = 0;
        for (size_t i = 0; i < cx->nearlier && off < sizeof list - 1; i++) {
            const hvp_trap_seen *t = &cx->earlier[i];
            /* "OnDemandInstall: Created ..." -> "Created ..." */
            const char *by = t->resolved_by, *colon = by ? strstr(by, ": ") : NULL;
            if (colon && colon - by < 24 && !memchr(by, ' ', (size_t)(colon - by)))
                by = colon + 2;
            int k = snprintf(list + off, sizeof list - off, "%sIPA 0x%llx (%s, pc 0x%llx)%s%.64s", i ? "; " : "",
                             (unsigned long long)t->ipa, t->trap ? t->trap : "trap", (unsigned long long)t->pc,
                             by ? ": " : "", by ? by : "");
            if (k > 0)
                off += (size_t)k;
        }
        note(a, "resolved by the hypervisor before this trap (%zu): %s", cx->nearlier, list);
    }
}

/* Regions of QEMU's memory tree that overlap at the vector base, and
 * which one its flat view says wins (vexpress-a9 at 0x0: the flash alias
 * and the RAM alias, equal priority, flash wins). */
static void overlap_note(const hvp_snapshot *s, hvp_analysis *a)
{
    const hvp_vector_report *v = &a->vec[ARM_EXC_SVC];
    if (!v->fetch_known || !v->region[0] || a->guest_view)
        return;
    uint64_t base = v->fetch - v->offset;
    const hvp_region *r[4];
    size_t n = hvp_map_tree_at(s, "memory", base, r, 4);
    if (n < 2)
        return;
    char list[240] = "";
    size_t off = 0;
    for (size_t i = 0; i < n && off < sizeof list; i++) {
        int k = snprintf(list + off, sizeof list - off, "%s%s (%s, prio %d)", i ? " and " : "",
                         r[i]->name ? r[i]->name : "?", r[i]->kind ? r[i]->kind : "?", r[i]->prio);
        if (k > 0)
            off += (size_t)k;
    }
    const hvp_region *w = hvp_map_flat_at(s, "memory", base);
    note(a, "at the vector base 0x%llx, %s overlap in QEMU's memory tree; its flat view shows %s wins",
         (unsigned long long)base, list, w && w->name ? w->name : "none of them");
}

static void evidence_notes(const hvp_snapshot *s, hvp_analysis *a)
{
    const hvp_cpu_state *c = &s->cpu;
    if (c->have_core) {
        unsigned m = c->cpsr & 0x1f;
        if (m == 0x1a && !a->guest_view)
            note(a, "captured in Hyp mode (hyp32): virtual reads went through the hypervisor's translation "
                    "regime, not the guest's; they do not show what the guest sees");
        if (m == 0x17 || m == 0x1b) {
            memlook pc = mem_at(s, c->r[15], HVP_SPACE_VIRTUAL);
            int zero_pc = pc.status == MEM_OK && pc.avail >= 4 && hvp_le32(pc.p) == 0;
            int in_vectors = c->r[15] < 0x20 || (c->r[15] >= 0xffff0000u && c->r[15] < 0xffff0020u);
            if (in_vectors || zero_pc || pc.status == MEM_FAILED)
                note(a, "the CPU was already in %s with PC 0x%08x%s when captured: the guest had crashed "
                        "before capture, so registers describe the crash, not the guest's setup",
                     hvp_arm_mode_name(c->cpsr), c->r[15],
                     zero_pc ? " (zero-filled memory)" : pc.status == MEM_FAILED ? " (unreadable memory)"
                     : " (an exception vector)");
        }
    }
    const char *l = s->label ? s->label : "";
    int says_kvm = 0;
    for (const char *p = l; *p; p++)
        if (!strncasecmp(p, "kvm", 3))
            says_kvm = 1;
    if (says_kvm && s->backend.kvm_enabled == HVP_NO)
        note(a, "labelled '%s' but QEMU reports KVM disabled (accelerator %s): this guest ran under TCG", l,
             s->backend.accelerator ? s->backend.accelerator : "tcg");
    if (!s->nmemory_map)
        note(a, "no memory map in the snapshot: regions behind the vectors are not known");
    fault_notes(s, a);
    overlap_note(s, a);
}

/* The image's own vector tables, for a suggestion when the live base
 * has none.  Only when the ELF on disk is the one captured (sha256). */
static void image_suggestion(const hvp_snapshot *s, hvp_analysis *a, const arm_route *svc)
{
    hvp_verdict v = a->vec[ARM_EXC_SVC].verdict;
    /* Nothing the guest installed is at its vector base, and no image to
     * find a table in: the generic fix. */
    if ((!s->image || !s->image->path) && !a->hyp_thread && svc->known && !strstr(svc->source, "high vectors") &&
        (v == HVP_V_ZERO_FILLED || v == HVP_V_ERASED || v == HVP_V_DATA || v == HVP_V_UNMAPPED))
        say(a->suggestion, sizeof a->suggestion, "the vector base is 0x%08llx (%s) and nothing there is the guest's: "
            "put an 8-entry vector table (b reset; b undef; b svc; b pabt; b dabt; b .; b irq; b fiq) in the guest's "
            "own RAM and write its address to %s before enabling interrupts or issuing SVC (with the guest's ELF, "
            "--elf, hvprobe names a table the image already has)", (unsigned long long)svc->base,
            svc->source[0] ? svc->source : "unknown source",
            svc->regime == ARM_REGIME_HYP ? "HVBAR (mcr p15, 4, rX, c12, c0, 0)" : "VBAR (mcr p15, 0, rX, c12, c0, 0)");
    if (!s->image || !s->image->path || v == HVP_V_VALID)
        return;
    char sha[65];
    if (hvp_file_sha256(s->image->path, sha, NULL) || strcmp(sha, s->image->sha256))
        return;
    uint64_t t[4];
    size_t n = 0;
    if (hvp_elf_find_vector_tables(s->image->path, t, 4, &n, NULL) || !n) {
        for (size_t i = 0; i < s->image->nsymbols; i++) {
            const char *nm = s->image->symbols[i].name;
            if (strstr(nm, "SWI_Handler") || strstr(nm, "SVC_Handler") || strstr(nm, "svc_handler")) {
                say(a->suggestion, sizeof a->suggestion, "the image has no vector table, but has a handler "
                    "(%s at 0x%llx) that no table routes to: add an 8-entry table (b reset; b undef; b %s; "
                    "b pabt; b dabt; b .; b irq; b fiq) and write its address to VBAR", nm,
                    (unsigned long long)s->image->symbols[i].addr, nm);
                return;
            }
        }
        return;
    }
    for (size_t k = 0; k < n; k++)
        if (t[k] == svc->base)
            return; /* the base is the image's table, yet memory there is not it: the image is not loaded as
                       linked (compare's placement check says how), and VBAR is not what to change */
    char sym[96];
    symbolise(s, t[0], sym, sizeof sym);
    const char *reg = svc->regime == ARM_REGIME_HYP ? "HVBAR (mcr p15, 4, rX, c12, c0, 0)"
                                                    : "VBAR (mcr p15, 0, rX, c12, c0, 0)";
    if (strstr(svc->source, "high vectors"))
        say(a->suggestion, sizeof a->suggestion, "SCTLR.V=1 sends exceptions to 0xffff0000, where the image has no "
            "table; clear SCTLR.V (bit 13) and write the image's table at 0x%08llx%s%s%s to %s",
            (unsigned long long)t[0], sym[0] ? " (" : "", sym, sym[0] ? ")" : "", reg);
    else
    say(a->suggestion, sizeof a->suggestion, "the vector base is 0x%08llx (%s), but the image has a vector table at "
        "0x%08llx%s%s%s: write it to %s before enabling interrupts or issuing SVC", (unsigned long long)svc->base,
        svc->source[0] ? svc->source : "unknown source", (unsigned long long)t[0], sym[0] ? " (" : "", sym,
        sym[0] ? ")" : "", reg);
}

int hvp_analyse(const hvp_snapshot *s, hvp_analysis *a, hvp_error *err)
{
    memset(a, 0, sizeof *a);
    snprintf(a->label, sizeof a->label, "%s", s->label ? s->label : "");
    a->secure = s->cpu.secure;
    a->reduced = s->imported_from != NULL;
    if (s->arch == HVP_ARCH_AARCH64)
        return hvp_analyse_a64(s, a, err);
    a->arch = HVP_ARCH_AARCH32;
    a->nvec = HVP_NVEC_A32;
    a->key = ARM_EXC_SVC;
    if (s->cpu.have_core)
        snprintf(a->mode, sizeof a->mode, "%s", hvp_arm_mode_name(s->cpu.cpsr));
    a->secure = s->cpu.secure;
    a->reduced = s->imported_from != NULL;
    arm_route routes[ARM_EXC_COUNT];
    view vw = { s, 0, { 0 }, 0 };
    vw.guest = arm_guest_ctx_from(s, &vw.g, NULL, 0);
    const hvp_reg *hcr = arm_reg_any(s, "HCR", "HCR_EL2");
    vw.s2 = hcr && (hcr->value & 1) && arm_current_regime(s) == ARM_REGIME_PL1_NS;
    const hvp_context *cx = &s->context;
    if (cx->kind && !strcmp(cx->kind, "guest-trap") && cx->have_regs)
        note(a, "captured at the guest's %s to its hypervisor: guest PC 0x%08llx, %s mode (CPSR 0x%08llx), "
             "IPA 0x%llx%s%s", cx->trap ? cx->trap : "trap", (unsigned long long)cx->regs[15],
             hvp_arm_mode_name((uint32_t)cx->cpsr), (unsigned long long)cx->cpsr, (unsigned long long)cx->ipa,
             cx->report ? "; the hypervisor reported: " : "", cx->report ? cx->report : "");
    a->hyp_thread = arm_hyp_thread(s);
    if (a->hyp_thread)
        note(a, "HCR.TGE=1: the CPU runs one of the hypervisor's own threads, not a guest (seL4 runs its user "
                "threads, the VMM included, this way): these registers, vectors and stage-2 tables are the "
                "hypervisor's; nothing here tells where the guest's exceptions go. Capture at the guest's trap "
                "instead (run --backend sel4 --capture FILE, i.e. --at-guest-trap)");
    else if (vw.s2 && vw.guest)
        note(a, "captured inside a guest with stage 2 on (HCR.VM=1): vectors are judged by walking the guest's "
                "stage 1 and the hypervisor's stage 2 (VTTBR); QEMU's memory map describes host physical memory, "
                "so regions are not shown");
    else if (vw.s2)
        note(a, "captured inside a guest with stage 2 on (HCR.VM=1): reads are the guest's view; QEMU's memory "
                "map describes host physical memory, so regions are not shown");
    if (vw.guest && arm_current_regime(s) == ARM_REGIME_HYP) {
        arm_route_exceptions_as(s, ARM_REGIME_PL1_NS, routes);
        note(a, "the CPU was in Hyp mode with stage 2 on: the vectors below are the guest's (Non-secure PL1), "
                "reconstructed by walking its stage-1 tables and the hypervisor's stage 2 (VTTBR) from the "
                "snapshot's physical reads");
        snprintf(a->mode, sizeof a->mode, "svc32");
        a->guest_view = 1;
    } else {
        arm_route_exceptions(s, routes);
    }
    arm_disasm *dis[2] = { NULL, NULL };
    int rc = arm_disasm_new(0, &dis[0], err);
    if (!rc)
        rc = arm_disasm_new(1, &dis[1], err);
    if (rc) {
        arm_disasm_free(dis[0]);
        return rc;
    }
    /* An imported file has no CP15: analyse what it shows, the words at
     * 0x0, as the vector base its author assumed, and say so. */
    for (int e = 0; a->reduced && e < HVP_NVEC_A32; e++) {
        arm_route *r = &routes[e];
        if (r->known || arm_current_regime(s) == ARM_REGIME_HYP || e == ARM_EXC_HYP)
            continue;
        r->known = 1;
        r->base = 0;
        r->fetch = r->offset;
        r->regime = (arm_regime)(arm_current_regime(s) < 0 ? ARM_REGIME_PL1_NS : arm_current_regime(s));
        snprintf(r->source, sizeof r->source, "assumed 0x0 as the imported file does (it has no CP15 registers)");
    }
    if (vw.guest || vw.s2) {
        routes[ARM_EXC_RESET].known = 0;
        snprintf(routes[ARM_EXC_RESET].missing, sizeof routes[0].missing, "%s",
                 "a guest's reset belongs to its hypervisor, which enters it at the image's entry point");
    }
    for (int e = 0; e < HVP_NVEC_A32; e++) {
        hvp_vector_report *v = &a->vec[e];
        const arm_route *r = &routes[e];
        snprintf(v->name, sizeof v->name, "%s", arm_exc_name((arm_exc)e));
        v->offset = r->offset;
        snprintf(v->taken_to, sizeof v->taken_to, "%s", r->to_mode ? r->to_mode : "");
        v->fetch_known = r->known;
        v->fetch = r->fetch;
        snprintf(v->base_source, sizeof v->base_source, "%s", r->known ? r->source : "");
        classify(&vw, r, dis[r->thumb ? 1 : 0], v);
        v->masked = e == ARM_EXC_IRQ || e == ARM_EXC_FIQ ? r->masked : HVP_NO;
        if (r->async[0]) {
            size_t l = strlen(v->reason);
            snprintf(v->reason + l, sizeof v->reason - l, " [%s]", r->async);
        }
        if (v->masked == HVP_YES) {
            size_t l = strlen(v->reason);
            snprintf(v->reason + l, sizeof v->reason - l, " [masked now (%s): a pending %s waits until it is "
                     "unmasked, then goes here]", r->mask_why, e == ARM_EXC_IRQ ? "IRQ" : "FIQ");
        }
    }
    /* The reset slot lies where the reset address is, not where VBAR or
     * SCTLR.V put the others: say so when the two differ, so a bad reset
     * word beside a healthy table is not read as the table's. */
    const arm_route *rr = &routes[ARM_EXC_RESET], *rs = &routes[ARM_EXC_SVC];
    if (rr->known && rs->known && rr->base != rs->base) {
        hvp_vector_report *v = &a->vec[ARM_EXC_RESET];
        size_t l = strlen(v->reason);
        snprintf(v->reason + l, sizeof v->reason - l, " [reset is fetched at the reset address 0x%llx, not at this "
                 "table's base 0x%llx (VBAR / SCTLR.V place the other exceptions only), and only at power-on or "
                 "reset]", (unsigned long long)rr->base, (unsigned long long)rs->base);
    }
    arm_disasm_free(dis[0]);
    arm_disasm_free(dis[1]);
    evidence_notes(s, a);
    trap_notes(&vw, a);
    image_suggestion(s, a, &routes[ARM_EXC_SVC]);
    return HVP_OK;
}
