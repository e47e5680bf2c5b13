/*
 * analysis64.c - hvp_analyse() for an AArch64 snapshot: the 16 slots of
 * the vector table of the level that takes the CPU's synchronous
 * exceptions (arch/arm64/exc64), each judged from what the CPU would
 * fetch there, plus the route of each kind of exception raised in the
 * captured state (whose slot may lie in another level's table).
 *
 * Evidence rules, as for AArch32 (analysis.c):
 *  - The fetch address of a slot is walked through its level's stage 1
 *    (and stage 2 for EL1&0 under a hypervisor) over the snapshot's
 *    recorded physical reads; the bytes are the physical read at the
 *    walk's result.  A virtual read counts only for the regime the CPU
 *    was in, and only when no walk can be done.
 *  - Physical reads QEMU could not back are errors, never zeros.
 *  - A slot is `valid` when its code leaves the slot by an unconditional
 *    branch to readable code that is not a self-loop, or returns (ERET);
 *    0x00000000 is UDF #0 in A64, so a zero-filled slot re-enters the
 *    synchronous slot of the same table for ever.
 */
#include "core/analysis_internal.h"
#include "util/le.h"
#include "arch/arm/disasm.h"
#include "arch/arm64/esr.h"
#include "arch/arm64/exc64.h"
#include "arch/arm64/xlate64.h"
#include "core/memmap.h"
#include "elf/elf_image.h"
#include "elf/elf_scan.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct ctx64 {
    const hvp_snapshot *s;
    a64_state st;
    arm_disasm *dis;
    uint64_t slide;         /* where the image runs minus where it was linked
                               (a kernel that relocated itself: KASLR) */
    int image_current;      /* the --elf file on disk is the one captured
                               (sha256): -1 not checked yet, 0, 1 */
} ctx64;

/* Is the snapshot's image file still the one captured?  Hashed once per
 * analysis (a kernel's vmlinux is hundreds of MiB). */
static int image_current(ctx64 *c)
{
    const hvp_image *im = c->s->image;
    char sha[65];
    if (c->image_current < 0)
        c->image_current = im && im->path && !hvp_file_sha256(im->path, sha, NULL) && !strcmp(sha, im->sha256);
    return c->image_current;
}

/* Bytes of `space` at addr among the snapshot's reads. */
typedef struct look {
    int status;             /* 0 none, 1 ok, 2 failed */
    const hvp_memread *m;
    const uint8_t *p;
    size_t avail;
} look;

static look mem_at(const hvp_snapshot *s, uint64_t addr, hvp_space space)
{
    look r = { 0, NULL, NULL, 0 };
    for (size_t i = 0; i < s->nmemory; i++) {
        const hvp_memread *m = &s->memory[i];
        if (m->space != space || addr < m->addr || addr >= m->addr + m->len)
            continue;
        size_t off = (size_t)(addr - m->addr);
        if (off + 4 <= m->got) {
            r = (look){ 1, m, m->bytes + off, m->got - off };
            return r;
        }
        if (!r.status)
            r = (look){ 2, m, NULL, 0 };
    }
    return r;
}

static int snap_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
    look m = mem_at(ctx, pa, HVP_SPACE_PHYSICAL);
    if (m.status != 1 || m.avail < len)
        return -1;
    memcpy(buf, m.p, len);
    return 0;
}

/* Where the bytes the CPU fetches at `va` in level `el`'s regime are.
 * *pa_out: the physical address when a walk gave one. */
typedef struct fetch64 {
    look l;
    int unmapped;           /* the walk faulted (detail says how) */
    int have_pa;
    uint64_t pa;
    char detail[420];       /* why unmapped / why unknown */
} fetch64;

static fetch64 fetch_at(const ctx64 *c, int el, uint64_t va)
{
    fetch64 f;
    memset(&f, 0, sizeof f);
    a64_regime rg;
    char why[200];
    int cur = c->st.el < 1 ? 1 : c->st.el;
    int current = el == cur && !c->st.guest_view;
    if (a64_regime_of(c->s, el, &rg, why, sizeof why)) {
        a64_xlate x;
        hvp_error e = { 0 };
        if (a64_translate(&rg, va, snap_read, (void *)c->s, &x, &e)) {
            say(f.detail, sizeof f.detail, "the EL%d translation cannot be walked: %.200s", el, e.msg);
        } else if (x.ok) {
            f.have_pa = 1;
            f.pa = x.pa;
            f.l = mem_at(c->s, x.pa, HVP_SPACE_PHYSICAL);
            if (f.l.status)
                return f;
            say(f.detail, sizeof f.detail, "VA 0x%llx is PA 0x%llx, which the snapshot did not read",
                (unsigned long long)va, (unsigned long long)x.pa);
        } else if (x.s1.fault && !strcmp(x.s1.fault, "table unreadable") && !rg.stage2) {
            say(f.detail, sizeof f.detail, "the snapshot lacks the EL%d table descriptors to walk VA 0x%llx", el,
                (unsigned long long)va);
        } else {
            f.unmapped = 1;
            say(f.detail, sizeof f.detail, "%s", x.detail);
            return f;
        }
    } else {
        say(f.detail, sizeof f.detail, "%s", why);
    }
    if (current) {
        look v = mem_at(c->s, va, HVP_SPACE_VIRTUAL);
        if (v.status) {
            f.l = v;
            f.detail[0] = '\0';
        }
    }
    return f;
}

static void symbolise(const ctx64 *c, uint64_t addr, char *buf, size_t n)
{
    const hvp_snapshot *s = c->s;
    uint64_t off = 0;
    const hvp_symbol *y = s->image ? hvp_image_symbol_at(s->image, addr - c->slide, &off) : NULL;
    if (y && off)
        say(buf, n, "%s+0x%llx", y->name, (unsigned long long)off);
    else if (y)
        say(buf, n, "%s", y->name);
    else
        buf[0] = '\0';
}

static void judge_target(const ctx64 *c, int el, hvp_vector_report *v, const char *how)
{
    char sym[100];
    symbolise(c, v->target, v->target_sym, sizeof v->target_sym);
    say(sym, sizeof sym, "%s%s%s", v->target_sym[0] ? " (" : "", v->target_sym, v->target_sym[0] ? ")" : "");
    fetch64 f = fetch_at(c, el, v->target);
    if (f.unmapped) {
        v->verdict = HVP_V_TARGET_UNMAPPED;
        say(v->reason, sizeof v->reason, "%s 0x%llx%s, which cannot be fetched: %s", how,
            (unsigned long long)v->target, sym, f.detail);
        return;
    }
    if (f.l.status == 2) {
        v->verdict = HVP_V_TARGET_UNMAPPED;
        say(v->reason, sizeof v->reason, "%s 0x%llx%s, which cannot be read (%s)", how, (unsigned long long)v->target,
            sym, f.l.m->error ? f.l.m->error : "read failed");
        return;
    }
    if (f.l.status != 1) {
        v->verdict = HVP_V_UNKNOWN;
        say(v->reason, sizeof v->reason, "%s 0x%llx%s, but %s", how, (unsigned long long)v->target, sym,
            f.detail[0] ? f.detail : "the snapshot has no bytes there");
        return;
    }
    arm_decoded d;
    uint32_t w = hvp_le32(f.l.p);
    arm_decode(c->dis, f.l.p, 4, v->target, &d);
    if (d.flow == ARM_FLOW_BRANCH && !d.conditional && d.target == v->target) {
        v->verdict = HVP_V_STUB;
        say(v->reason, sizeof v->reason, "%s 0x%llx%s, a handler that only loops (%s)", how,
            (unsigned long long)v->target, sym, d.text);
    } else if (d.flow == ARM_FLOW_UNDEFINED || w == 0 || w == 0xffffffffu) {
        v->verdict = HVP_V_TARGET_UNMAPPED;
        say(v->reason, sizeof v->reason, "%s 0x%llx%s, which does not hold code (0x%08x)", how,
            (unsigned long long)v->target, sym, w);
    } else {
        v->verdict = HVP_V_VALID;
        say(v->reason, sizeof v->reason, "%s 0x%llx%s, readable code (%s)", how, (unsigned long long)v->target, sym,
            d.text);
    }
}

static void region_of(const ctx64 *c, const fetch64 *f, hvp_vector_report *v)
{
    if (!f->have_pa || c->st.guest_view)
        return;
    const hvp_region *r = hvp_map_flat_at(c->s, "memory", f->pa);
    if (r)
        say(v->region, sizeof v->region, "%s (%s) at PA 0x%llx", r->name ? r->name : "?", r->kind ? r->kind : "?",
            (unsigned long long)f->pa);
    else if (hvp_map_has_flat(c->s, "memory"))
        say(v->region, sizeof v->region, "no region at PA 0x%llx", (unsigned long long)f->pa);
}

/* A flattened device tree at the table's base (QEMU's virt puts its DTB
 * at the start of RAM, or in flash at 0x0): every slot lies inside it. */
static int dtb_at(const ctx64 *c, int el, uint64_t base)
{
    fetch64 f = fetch_at(c, el, base);
    return f.l.status == 1 && f.l.avail >= 4 && f.l.p[0] == 0xd0 && f.l.p[1] == 0x0d && f.l.p[2] == 0xfe &&
           f.l.p[3] == 0xed;
}

/* Judge the slot at va (index `slot` of level `el`'s table at `base`;
 * dtb: a device tree starts at base). */
static void classify(const ctx64 *c, int el, uint64_t base, int slot, int dtb, hvp_vector_report *v)
{
    uint64_t va = base + (uint64_t)slot * A64_SLOT_SIZE;
    v->verdict = HVP_V_UNKNOWN;
    fetch64 f = fetch_at(c, el, va);
    region_of(c, &f, v);
    v->have_pa = f.have_pa;
    v->pa = f.pa;
    if (f.unmapped) {
        v->verdict = HVP_V_UNMAPPED;
        say(v->reason, sizeof v->reason, "VA 0x%llx has no translation: %s", (unsigned long long)va, f.detail);
        return;
    }
    if (f.l.status == 2) {
        v->verdict = HVP_V_UNMAPPED;
        say(v->reason, sizeof v->reason, "no memory backs %s 0x%llx: %s; the fetch aborts",
            f.l.m->space == HVP_SPACE_PHYSICAL ? "physical address" : "virtual address",
            (unsigned long long)f.l.m->addr + (f.have_pa ? f.pa - f.l.m->addr : 0),
            f.l.m->error ? f.l.m->error : "read failed");
        return;
    }
    if (f.l.status != 1) {
        say(v->reason, sizeof v->reason, "%s", f.detail[0] ? f.detail : "the snapshot has no bytes there");
        return;
    }
    const uint8_t *p = f.l.p;
    size_t avail = f.l.avail < A64_SLOT_SIZE ? f.l.avail : A64_SLOT_SIZE;
    v->have_word = 1;
    v->word = hvp_le32(p);
    arm_decoded d;
    arm_decode(c->dis, p, 4, va, &d);
    snprintf(v->insn, sizeof v->insn, "%s", d.text);
    char in_region[140] = "";
    if (v->region[0])
        say(in_region, sizeof in_region, " in %s", v->region);
    if (dtb) {
        v->verdict = HVP_V_DATA;
        say(v->reason, sizeof v->reason, "inside a flattened device tree (magic 0xd00dfeed at the vector base "
            "0x%llx)%s: data, not a handler", (unsigned long long)base, in_region);
        return;
    }
    if (v->word == 0) {
        v->verdict = HVP_V_ZERO_FILLED;
        say(v->reason, sizeof v->reason, "0x00000000%s is UDF #0 in A64: an undefined instruction, taken as a "
            "synchronous exception to this level's cur_spx.sync slot (VBAR+0x200)%s; no handler ever runs",
            in_region, slot == 4 ? ", this slot again: the CPU loops here" : ", which is zero too if the table is");
        return;
    }
    if (v->word == 0xffffffffu) {
        v->verdict = HVP_V_ERASED;
        say(v->reason, sizeof v->reason, "0xffffffff%s: erased flash, not an instruction", in_region);
        return;
    }
    /* Follow the slot's code: unconditional branches inside the slot are
     * followed, conditional ones fall through; the first way out decides. */
    uint64_t pc = va;
    uint32_t seen = 0;      /* words of the slot already run: a loop */
    for (int steps = 0; steps < 64; steps++) {
        if (pc < va || pc + 4 > va + avail)
            break;
        unsigned w = (unsigned)((pc - va) / 4);
        if (seen & (1u << w)) {
            v->verdict = HVP_V_STUB;
            say(v->reason, sizeof v->reason, "the slot's code loops (back to +0x%x) without a way out: the "
                "exception hangs here", w * 4);
            return;
        }
        seen |= 1u << w;
        arm_decode(c->dis, p + (pc - va), 4, pc, &d);
        if (d.flow == ARM_FLOW_UNDEFINED) {
            v->verdict = HVP_V_UNDEFINED;
            if (pc == va)
                say(v->reason, sizeof v->reason, "0x%08x%s is not a valid A64 instruction", v->word, in_region);
            else
                say(v->reason, sizeof v->reason, "the slot's code reaches 0x%08x at +0x%llx, not a valid A64 "
                    "instruction", hvp_le32(p + (pc - va)), (unsigned long long)(pc - va));
            return;
        }
        if (d.flow == ARM_FLOW_BRANCH && !d.conditional) {
            v->have_target = 1;
            v->target = d.target;
            if (d.target == pc) {
                v->verdict = HVP_V_STUB;
                say(v->reason, sizeof v->reason, "%s%s: branches to itself, the exception hangs here",
                    pc == va ? "b ." : "the slot's code ends in b .", in_region);
                return;
            }
            if (d.target >= va && d.target < va + A64_SLOT_SIZE) {
                pc = d.target;
                continue;
            }
            char how[96];
            if (pc == va)
                say(how, sizeof how, "branches to");
            else
                say(how, sizeof how, "code (%s ...) that branches to", v->insn);
            judge_target(c, el, v, how);
            return;
        }
        if (d.flow == ARM_FLOW_RETURN) {
            v->verdict = HVP_V_VALID;
            say(v->reason, sizeof v->reason, "%s%s: the handler returns at once, the exception is ignored",
                pc == va ? "" : "code ending in ", d.text);
            return;
        }
        if (d.flow == ARM_FLOW_MOV_PC) {
            say(v->reason, sizeof v->reason, "code ending in %s: the handler is only known at exception time "
                "(a register)", d.text);
            return;
        }
        pc += 4;
    }
    say(v->reason, sizeof v->reason, "code (%s ...) that runs past the end of its 0x80-byte slot without a branch",
        v->insn);
}

static void fault_notes64(const ctx64 *c, hvp_analysis *a)
{
    for (int el = 1; el <= 3; el++) {
        char en[12], fn[12];
        snprintf(en, sizeof en, "ESR_EL%d", el);
        snprintf(fn, sizeof fn, "FAR_EL%d", el);
        const hvp_reg *esr = a64_reg(c->s, en), *far = a64_reg(c->s, fn);
        if (!esr || !esr->value)
            continue;
        char text[300], elname[8];
        snprintf(elname, sizeof elname, "EL%d", el);
        if (a64_esr_describe(esr->value, far != NULL, far ? far->value : 0, elname, text, sizeof text, NULL))
            continue;
        note(a, "last exception taken to EL%d: %s", el, text);
    }
}

/* The name of a table at addr: a symbol there, preferring one that says
 * "vector" (a table's first slot often has its own label too). */
static void table_symbol(const hvp_snapshot *s, uint64_t addr, char *buf, size_t n)
{
    for (size_t i = 0; s->image && i < s->image->nsymbols; i++) {
        const hvp_symbol *y = &s->image->symbols[i];
        if (y->addr != addr)
            continue;
        if (!buf[0] || (strcasestr(y->name, "vector") && !strcasestr(buf, "vector")))
            snprintf(buf, n, "%s", y->name);
    }
}

static const char *lower(const char *in, char *out)
{
    size_t i = 0;
    for (; in[i] && i < 15; i++)
        out[i] = (char)(in[i] >= 'A' && in[i] <= 'Z' ? in[i] + 32 : in[i]);
    out[i] = '\0';
    return out;
}

/* A fix to try when the synchronous route's slot holds nothing of the
 * guest's: the image's own table, when it has one. */
static void suggestion64(ctx64 *c, hvp_analysis *a, const a64_route *sync)
{
    if (!sync->taken || !sync->known)
        return;
    hvp_verdict v = a->routes[0].verdict;
    if (v != HVP_V_ZERO_FILLED && v != HVP_V_ERASED && v != HVP_V_DATA && v != HVP_V_UNMAPPED &&
        v != HVP_V_UNDEFINED)
        return;
    const hvp_snapshot *s = c->s;
    uint64_t t[4];
    size_t n = 0;
    char lv[16];
    if (image_current(c))
        hvp_elf_find_a64_vector_tables(s->image->path, t, 4, &n, NULL);
    for (size_t k = 0; k < n; k++)
        if (t[k] + c->slide == sync->base)
            return;     /* the image's table is the base: placement, not VBAR, is wrong */
    if (n) {
        /* the image's table: the one a symbol calls a vector table, else
         * the first (the scan also finds stub tables of `b .`) */
        char sym[100] = "";
        size_t best = 0;
        for (size_t k = 0; k < n; k++) {
            char y[100] = "";
            table_symbol(s, t[k], y, sizeof y);
            if (strcasestr(y, "vector")) {
                best = k;
                break;
            }
        }
        t[0] = t[best];
        table_symbol(s, t[0], sym, sizeof sym);
        say(a->suggestion, sizeof a->suggestion, "the vector base is 0x%llx (%s), but the image has an AArch64 "
            "vector table at 0x%llx%s%s%s: write it to %s (adr x0, %s; msr %s, x0; isb) before enabling "
            "interrupts or issuing SVC", (unsigned long long)sync->base, sync->source, (unsigned long long)t[0],
            sym[0] ? " (" : "", sym, sym[0] ? ")" : "", sync->vbar, sym[0] ? sym : "<table>", lower(sync->vbar, lv));
    } else {
        say(a->suggestion, sizeof a->suggestion, "the vector base is 0x%llx (%s) and nothing there is the guest's: "
            "put a 2 KiB-aligned table of 16 0x80-byte slots (.balign 2048; each slot .balign 128 with a branch "
            "to its handler) in the guest's own memory and write its address to %s (msr %s, x0; isb) before "
            "enabling interrupts or issuing SVC (with the guest's ELF, --elf, hvprobe names a table the image "
            "already has)", (unsigned long long)sync->base, sync->source, sync->vbar, lower(sync->vbar, lv));
    }
}

/* The image's table that the live table at `base` is, when the image
 * runs away from its link address (a kernel that relocated itself, as
 * Linux does with KASLR, or a table reached through an alias): at least
 * 480 of its 512 words match (position-independent code moved as a
 * whole; boot-time patching may change a few).  A copy of the table moved
 * without its handlers does not match: its PC-relative branches differ.
 * Sets c->slide and notes it. */
static void find_slide(ctx64 *c, hvp_analysis *a, int el, uint64_t base)
{
    const hvp_snapshot *s = c->s;
    uint64_t off = 0;
    if (!s->image || (hvp_image_symbol_at(s->image, base, &off) && off < 0x800) || !image_current(c))
        return;
    fetch64 f = fetch_at(c, el, base);
    if (f.l.status != 1 || f.l.avail < A64_TABLE_SIZE)
        return;
    uint64_t t[8];
    size_t n = 0;
    if (hvp_elf_find_a64_vector_tables(s->image->path, t, 8, &n, NULL))
        return;
    for (size_t k = 0; k < n; k++) {
        uint8_t img[A64_TABLE_SIZE];
        size_t got = 0;
        uint64_t pa = t[k];     /* the scan gives link (virtual) addresses; the file is read by paddr */
        for (size_t g = 0; g < s->image->nsegments; g++) {
            const hvp_segment *sg = &s->image->segments[g];
            if (t[k] >= sg->vaddr && t[k] - sg->vaddr < sg->filesz)
                pa = sg->paddr + (t[k] - sg->vaddr);
        }
        if (hvp_elf_bytes_at(s->image->path, pa, img, sizeof img, &got, NULL) || got < sizeof img)
            continue;
        int same = 0;
        for (unsigned o = 0; o < A64_TABLE_SIZE; o += 4)
            same += hvp_le32(img + o) == hvp_le32(f.l.p + o);
        if (same < 480 || t[k] == base)
            continue;
        c->slide = base - t[k];
        char sym[100] = "";
        table_symbol(s, t[k], sym, sizeof sym);
        if (f.have_pa && f.pa == t[k])
            /* linked at its physical address, reached through another VA */
            note(a, "VBAR_EL%d 0x%llx is an alias: the MMU maps it to PA 0x%llx, where the image's vector table%s%s%s "
                 "was linked (%d of its 512 words the same); symbols are shown through the alias",
                 el, (unsigned long long)base, (unsigned long long)f.pa, sym[0] ? " (" : "", sym, sym[0] ? ")" : "",
                 same);
        else
            note(a, "VBAR_EL%d 0x%llx holds the image's vector table%s%s%s linked at 0x%llx (%d of its 512 words "
                 "the same): the image runs 0x%llx bytes away from its link address (a kernel "
                 "that relocated itself: KASLR, or an image loaded elsewhere; boot with nokaslr to compare "
                 "addresses directly); symbols are shown relocated", el, (unsigned long long)base,
                 sym[0] ? " (" : "", sym, sym[0] ? ")" : "", (unsigned long long)t[k], same,
                 (unsigned long long)c->slide);
        return;
    }
}

int hvp_analyse_a64(const hvp_snapshot *s, hvp_analysis *a, hvp_error *err)
{
    ctx64 c = { .s = s, .image_current = -1 };
    a64_state_from(s, &c.st);
    a->arch = HVP_ARCH_AARCH64;
    a->nvec = HVP_NVEC_A64;
    a->key = 4;
    if (s->cpu.have_core)
        snprintf(a->mode, sizeof a->mode, "%s", hvp_a64_mode_name(s->cpu.pstate));
    int rc = arm_disasm_new_a64(&c.dis, err);
    if (rc)
        return rc;
    int tel = a64_table_el(&c.st);
    a->table_el = tel;
    a64_route routes[A64_NKINDS];
    a64_route_exceptions(s, &c.st, routes);
    int have_base = 0;
    uint64_t base = tel ? a64_vbar(s, tel, &have_base) : 0;
    if (have_base)
        say(a->table_base, sizeof a->table_base, "VBAR_EL%d = 0x%llx", tel, (unsigned long long)base);
    else if (tel)
        say(a->table_base, sizeof a->table_base, "no VBAR_EL%d in the snapshot", tel);
    else
        say(a->table_base, sizeof a->table_base, "no PSTATE: the level is not known");
    a64_regime rg;
    char rwhy[200];
    if (tel && a64_regime_of(s, tel, &rg, rwhy, sizeof rwhy) && rg.granule_note[0])
        note(a, "%s", rg.granule_note);
    if (have_base) {
        find_slide(&c, a, tel, base);
        char sym[100] = "";
        table_symbol(s, base - c.slide, sym, sizeof sym);
        if (sym[0]) {
            size_t l = strlen(a->table_base);
            snprintf(a->table_base + l, sizeof a->table_base - l, " (%s)", sym);
        }
    }
    const hvp_context *cx = &s->context;
    if (cx->kind && !strcmp(cx->kind, "guest-trap") && cx->have_regs)
        note(a, "captured at the guest's %s to its hypervisor: guest PC 0x%llx, %s (SPSR_EL2 0x%08llx), IPA "
             "0x%llx%s%s", cx->trap ? cx->trap : "trap", (unsigned long long)cx->regs[15],
             hvp_a64_mode_name((uint32_t)cx->cpsr), (unsigned long long)cx->cpsr, (unsigned long long)cx->ipa,
             cx->report ? "; the hypervisor reported: " : "", cx->report ? cx->report : "");
    if (cx->policy)
        note(a, "what the hypervisor does with it: %s", cx->policy);
    if (c.st.guest_view) {
        a->guest_view = 1;
        snprintf(a->mode, sizeof a->mode, "EL1h");
        note(a, "the CPU was at EL2 with stage 2 on (HCR_EL2.VM=1, TGE=0): the slots below are the guest's "
                "(EL1, VBAR_EL1), reconstructed by walking its stage-1 tables and the hypervisor's stage 2 "
                "(VTTBR_EL2) from the snapshot's physical reads");
    }
    if (c.st.have && c.st.aarch32)
        note(a, "the CPU executes in AArch32 state (PSTATE.nRW=1) under an AArch64 level: its own exceptions "
                "enter the lower_a32 slots of the level above");
    int dtb = have_base && dtb_at(&c, tel, base);
    for (int slot = 0; slot < A64_NSLOTS; slot++) {
        hvp_vector_report *v = &a->vec[slot];
        snprintf(v->name, sizeof v->name, "%s", a64_slot_name(slot));
        v->offset = (uint32_t)slot * A64_SLOT_SIZE;
        v->masked = HVP_NO;
        if (tel)
            snprintf(v->taken_to, sizeof v->taken_to, "EL%dh", tel);
        if (!have_base) {
            v->verdict = HVP_V_UNKNOWN;
            say(v->reason, sizeof v->reason, "%s: the table's address is not known", a->table_base);
            continue;
        }
        v->fetch_known = 1;
        v->fetch = base + v->offset;
        say(v->base_source, sizeof v->base_source, "%s", a->table_base);
        classify(&c, tel, base, slot, dtb, v);
    }
    for (int k = 0; k < A64_NKINDS; k++) {
        const a64_route *r = &routes[k];
        hvp_route_report *o = &a->routes[k];
        snprintf(o->kind, sizeof o->kind, "%s", a64_kind_name((a64_kind)k));
        o->taken = r->taken;
        o->el = r->target_el;
        o->masked = r->masked;
        o->verdict = HVP_V_UNKNOWN;
        say(o->why, sizeof o->why, "%s", r->why);
        if (!r->taken)
            continue;
        snprintf(o->slot, sizeof o->slot, "%s", a64_slot_name(r->slot));
        o->fetch_known = r->known;
        o->fetch = r->fetch;
        if (r->target_el == tel && r->known && have_base && r->base == base) {
            o->verdict = a->vec[r->slot].verdict;
            a->vec[r->slot].raised_here |= 1u << k;
            if (r->masked == HVP_YES)
                a->vec[r->slot].masked = HVP_YES;
            if (k == A64_SYNC)
                a->key = r->slot;
        } else if (r->known) {
            hvp_vector_report tmp;
            memset(&tmp, 0, sizeof tmp);
            classify(&c, r->target_el, r->base, r->slot, dtb_at(&c, r->target_el, r->base), &tmp);
            o->verdict = tmp.verdict;
            size_t l = strlen(o->why);
            snprintf(o->why + l, sizeof o->why - l, " at %s+0x%x: %s", r->vbar, (unsigned)r->slot * A64_SLOT_SIZE,
                     tmp.reason);
        }
        if (r->masked == HVP_YES) {
            size_t l = strlen(o->why);
            snprintf(o->why + l, sizeof o->why - l, " [masked now (%s): it stays pending]", r->mask_why);
        }
    }
    a->nroutes = A64_NKINDS;
    arm_disasm_free(c.dis);
    if (!s->nmemory_map)
        note(a, "no memory map in the snapshot: regions behind the vectors are not known");
    fault_notes64(&c, a);
    suggestion64(&c, a, &routes[A64_SYNC]);
    return HVP_OK;
}
