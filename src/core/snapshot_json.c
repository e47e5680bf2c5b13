/*
 * snapshot_json.c - snapshot -> JSON (schema v1, docs/snapshot.md) with
 * jansson, and the atomic file writer; the loader is snapshot_load.c.
 *
 * Numbers that are addresses or register values are written as hex
 * strings ("0x60000000") so 64-bit values survive every JSON reader;
 * unknown values are JSON null.  The loader is strict about types and
 * tolerant about absent optional fields, and names the offending field.
 */
#include "hvprobe/snapshot.h"
#include "core/ram_image.h"
#include "util/outfile.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const core_names[16] = {
    "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10",
    "r11", "r12", "sp", "lr", "pc"
};

/* ---------- writing ---------- */

static json_t *hex(uint64_t v, int bits)
{
    char b[24];
    if (bits > 32)
        snprintf(b, sizeof b, "0x%016llx", (unsigned long long)v);
    else
        snprintf(b, sizeof b, "0x%08llx", (unsigned long long)v);
    return json_string(b);
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *tri(int v)
{
    return v == HVP_UNKNOWN ? json_null() : json_boolean(v);
}

static json_t *bytes_hex(const uint8_t *p, size_t n)
{
    char *s = malloc(n * 2 + 1);
    if (!s)
        return NULL;
    for (size_t i = 0; i < n; i++)
        sprintf(s + 2 * i, "%02x", p[i]);
    s[n * 2] = '\0';
    json_t *j = json_string(s);
    free(s);
    return j;
}

/* AArch64: x0..x30, sp, pc and PSTATE decoded. */
static void cpu64_json(const hvp_cpu_state *c, json_t *o)
{
    json_t *regs = json_object();
    for (int i = 0; i < 31; i++) {
        char n[8];
        snprintf(n, sizeof n, "x%d", i);
        json_object_set_new(regs, n, hex(c->x[i], 64));
    }
    json_object_set_new(regs, "sp", hex(c->sp, 64));
    json_object_set_new(regs, "pc", hex(c->pc, 64));
    json_object_set_new(o, "registers", regs);
    json_t *ps = json_object();
    uint32_t p = c->pstate;
    json_object_set_new(ps, "value", hex(p, 32));
    json_object_set_new(ps, "mode", json_string(hvp_a64_mode_name(p)));
    json_object_set_new(ps, "aarch32", json_boolean((p >> 4) & 1));
    if (!((p >> 4) & 1)) {
        json_object_set_new(ps, "el", json_integer((p >> 2) & 3));
        json_object_set_new(ps, "spsel", json_integer(p & 1));
    }
    char flags[5] = { (p >> 31) & 1 ? 'N' : 'n', (p >> 30) & 1 ? 'Z' : 'z', (p >> 29) & 1 ? 'C' : 'c',
                      (p >> 28) & 1 ? 'V' : 'v', 0 };
    json_object_set_new(ps, "flags", json_string(flags));
    char daif[5] = { (p >> 9) & 1 ? 'D' : 'd', (p >> 8) & 1 ? 'A' : 'a', (p >> 7) & 1 ? 'I' : 'i',
                     (p >> 6) & 1 ? 'F' : 'f', 0 };
    json_object_set_new(ps, "daif", json_string(daif));
    json_object_set_new(o, "pstate", ps);
    json_object_set_new(o, "cpsr", json_null());
}

static json_t *cpu_json(const hvp_snapshot *s)
{
    const hvp_cpu_state *c = &s->cpu;
    json_t *o = json_object();
    if (c->have_core && s->arch == HVP_ARCH_AARCH64) {
        cpu64_json(c, o);
    } else if (c->have_core) {
        json_t *regs = json_object();
        for (int i = 0; i < 16; i++)
            json_object_set_new(regs, core_names[i], hex(c->r[i], 32));
        json_object_set_new(o, "registers", regs);
        json_t *psr = json_object();
        json_object_set_new(psr, "value", hex(c->cpsr, 32));
        json_object_set_new(psr, "mode", json_string(hvp_arm_mode_name(c->cpsr)));
        char flags[5] = {
            (c->cpsr >> 31) & 1 ? 'N' : 'n', (c->cpsr >> 30) & 1 ? 'Z' : 'z',
            (c->cpsr >> 29) & 1 ? 'C' : 'c', (c->cpsr >> 28) & 1 ? 'V' : 'v', 0
        };
        json_object_set_new(psr, "flags", json_string(flags));
        json_object_set_new(psr, "thumb", json_boolean((c->cpsr >> 5) & 1));
        json_object_set_new(psr, "irq_masked", json_boolean((c->cpsr >> 7) & 1));
        json_object_set_new(psr, "fiq_masked", json_boolean((c->cpsr >> 6) & 1));
        json_object_set_new(psr, "abort_masked", json_boolean((c->cpsr >> 8) & 1));
        json_object_set_new(psr, "big_endian", json_boolean((c->cpsr >> 9) & 1));
        json_object_set_new(o, "cpsr", psr);
    } else {
        json_object_set_new(o, "registers", json_null());
        json_object_set_new(o, "cpsr", json_null());
    }
    json_object_set_new(o, "security_state",
                        c->secure == HVP_UNKNOWN ? json_null()
                        : json_string(c->secure ? "secure" : "non-secure"));
    json_object_set_new(o, "security_source", str_or_null(c->secure_source));
    json_object_set_new(o, "source", str_or_null(c->source));
    return o;
}

static json_t *region_json(const hvp_region *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "address_space", str_or_null(r->address_space));
    if (r->section)
        json_object_set_new(o, "section", json_string(r->section));
    json_object_set_new(o, "start", hex(r->start, 64));
    json_object_set_new(o, "end", hex(r->end, 64));
    json_object_set_new(o, "priority", json_integer(r->prio));
    json_object_set_new(o, "kind", str_or_null(r->kind));
    json_object_set_new(o, "name", str_or_null(r->name));
    if (r->is_alias) {
        json_object_set_new(o, "alias_target", str_or_null(r->alias_target));
        json_object_set_new(o, "alias_offset", hex(r->alias_offset, 64));
    }
    json_object_set_new(o, "depth", json_integer(r->depth));
    json_object_set_new(o, "parent", str_or_null(r->parent));
    json_object_set_new(o, "enabled", json_boolean(r->enabled));
    json_object_set_new(o, "view", json_string(r->flat ? "flat" : "tree"));
    return o;
}

static json_t *image_json(const hvp_image *img)
{
    json_t *o = json_object();
    json_object_set_new(o, "path", str_or_null(img->path));
    json_object_set_new(o, "sha256", json_string(img->sha256));
    json_object_set_new(o, "entry", hex(img->entry, 32));
    json_object_set_new(o, "machine", str_or_null(img->machine));
    json_object_set_new(o, "class", json_integer(img->elfclass));
    json_t *segs = json_array();
    for (size_t i = 0; i < img->nsegments; i++) {
        const hvp_segment *g = &img->segments[i];
        char fl[4] = { g->flags & 4 ? 'r' : '-', g->flags & 2 ? 'w' : '-',
                       g->flags & 1 ? 'x' : '-', 0 };
        json_array_append_new(segs, json_pack("{s:o,s:o,s:o,s:o,s:s}",
            "vaddr", hex(g->vaddr, 32), "paddr", hex(g->paddr, 32),
            "filesz", hex(g->filesz, 32), "memsz", hex(g->memsz, 32),
            "flags", fl));
    }
    json_object_set_new(o, "segments", segs);
    json_t *syms = json_array();
    for (size_t i = 0; i < img->nsymbols; i++) {
        const hvp_symbol *y = &img->symbols[i];
        char t[2] = { y->type, 0 };
        json_array_append_new(syms, json_pack("{s:s,s:o,s:I,s:s}",
            "name", y->name, "addr", hex(y->addr, 32),
            "size", (json_int_t)y->size, "type", t));
    }
    json_object_set_new(o, "symbols", syms);
    return o;
}

static json_t *ram_images_json(const hvp_snapshot *s)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < s->nram_images; i++) {
        const hvp_ram_image *m = &s->ram_images[i];
        json_t *e = json_object();
        json_object_set_new(e, "file", str_or_null(m->file));
        json_object_set_new(e, "region", str_or_null(m->region));
        json_object_set_new(e, "addr", hex(m->addr, m->addr > 0xffffffffu ? 64 : 32));
        json_object_set_new(e, "len", json_integer((json_int_t)m->len));
        json_object_set_new(e, "sha256", json_string(m->sha256));
        json_object_set_new(e, "method", str_or_null(m->method));
        json_t *al = json_array();
        for (size_t k = 0; k < m->naliases; k++) {
            const hvp_ram_alias *a = &m->aliases[k];
            json_array_append_new(al, json_pack("{s:o,s:o,s:I,s:o,s:o}", "name", str_or_null(a->name),
                                                "addr", hex(a->addr, a->addr > 0xffffffffu ? 64 : 32),
                                                "len", (json_int_t)a->len, "offset", hex(a->offset, 32),
                                                "visible", tri(a->visible)));
        }
        json_object_set_new(e, "aliases", al);
        json_array_append_new(arr, e);
    }
    return arr;
}

static json_t *snapshot_json(const hvp_snapshot *s)
{
    json_t *o = json_object();
    /* AArch64 snapshots are schema 2 (an older hvprobe refuses them);
     * AArch32 ones stay schema 1, readable by every hvprobe. */
    json_object_set_new(o, "schema_version", json_integer(s->arch == HVP_ARCH_AARCH64 ? 2 : 1));
    if (s->arch == HVP_ARCH_AARCH64)
        json_object_set_new(o, "arch", json_string(hvp_arch_name(s->arch)));
    json_object_set_new(o, "hvprobe_version", str_or_null(s->hvprobe_version));
    json_object_set_new(o, "captured_at", str_or_null(s->captured_at));
    json_object_set_new(o, "label", str_or_null(s->label));
    if (s->imported_from)
        json_object_set_new(o, "imported_from", json_string(s->imported_from));
    json_t *ch = json_array();
    if (s->channels & HVP_CH_QMP) json_array_append_new(ch, json_string("qmp"));
    if (s->channels & HVP_CH_HMP) json_array_append_new(ch, json_string("hmp"));
    if (s->channels & HVP_CH_GDB) json_array_append_new(ch, json_string("gdb"));
    json_object_set_new(o, "channels", ch);

    const hvp_backend_facts *b = &s->backend;
    json_t *be = json_object();
    json_object_set_new(be, "qemu_version", str_or_null(b->qemu_version));
    json_object_set_new(be, "target", str_or_null(b->target));
    json_object_set_new(be, "machine", str_or_null(b->machine));
    json_object_set_new(be, "accelerator", str_or_null(b->accelerator));
    json_object_set_new(be, "kvm", json_pack("{s:o,s:o}", "enabled", tri(b->kvm_enabled),
                                             "present", tri(b->kvm_present)));
    json_object_set_new(be, "cpu_model", str_or_null(b->cpu_model));
    json_object_set_new(be, "run_state", str_or_null(b->run_state));
    json_object_set_new(be, "was_running", tri(b->was_running));
    json_object_set_new(be, "resumed", json_boolean(b->resumed == HVP_YES));
    json_object_set_new(be, "halted_ms", b->halted_ms >= 0 ? json_integer(b->halted_ms) : json_null());
    json_object_set_new(o, "backend", be);

    json_object_set_new(o, "cpu", cpu_json(s));

    json_t *cp = json_object();
    for (size_t i = 0; i < s->ncp15; i++)
        json_object_set_new(cp, s->cp15[i].name, hex(s->cp15[i].value, s->cp15[i].bits));
    json_object_set_new(o, "cp15", cp);

    json_t *mem = json_array();
    for (size_t i = 0; i < s->nmemory; i++) {
        const hvp_memread *m = &s->memory[i];
        json_t *e = json_object();
        json_object_set_new(e, "addr", hex(m->addr, m->addr > 0xffffffffu ? 64 : 32));
        json_object_set_new(e, "space", json_string(m->space == HVP_SPACE_PHYSICAL ? "physical" : "virtual"));
        json_object_set_new(e, "len", json_integer((json_int_t)m->len));
        json_object_set_new(e, "bytes", bytes_hex(m->bytes, m->got));
        json_object_set_new(e, "error", str_or_null(m->error));
        json_object_set_new(e, "purpose", str_or_null(m->purpose));
        json_object_set_new(e, "channel", str_or_null(m->channel));
        if (m->space == HVP_SPACE_PHYSICAL)
            json_object_set_new(e, "backed", tri(m->backed));
        json_array_append_new(mem, e);
    }
    json_object_set_new(o, "memory", mem);

    json_t *map = json_array();
    for (size_t i = 0; i < s->nmemory_map; i++)
        json_array_append_new(map, region_json(&s->memory_map[i]));
    json_object_set_new(o, "memory_map", map);

    json_object_set_new(o, "image", s->image ? image_json(s->image) : json_null());

    json_t *raw = json_array();
    for (size_t i = 0; i < s->nraw; i++)
        json_array_append_new(raw, json_pack("{s:s,s:s,s:s}", "channel", s->raw[i].channel,
                                             "command", s->raw[i].command, "text", s->raw[i].text));
    json_object_set_new(o, "raw", raw);

    json_t *unk = json_array();
    for (size_t i = 0; i < s->nunknown; i++)
        json_array_append_new(unk, json_pack("{s:s,s:s}", "field", s->unknown[i].field,
                                             "reason", s->unknown[i].reason));
    json_object_set_new(o, "unknown", unk);
    const hvp_context *c = &s->context;
    if (c->kind) {
        json_t *co = json_object();
        json_object_set_new(co, "kind", json_string(c->kind));
        json_object_set_new(co, "how", str_or_null(c->how));
        json_object_set_new(co, "trap", str_or_null(c->trap));
        json_object_set_new(co, "report", str_or_null(c->report));
        if (c->have_regs) {
            static const char *const rn[16] = { "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9",
                                                "r10", "r11", "r12", "sp", "lr", "pc" };
            /* AArch64: x0-x12, the guest's SP, x30 (its link register),
             * ELR_EL2 as pc, SPSR_EL2 as pstate */
            static const char *const rn64[16] = { "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9",
                                                  "x10", "x11", "x12", "sp", "x30", "pc" };
            int a64 = s->arch == HVP_ARCH_AARCH64;
            json_t *gr = json_object();
            for (int i = 0; i < 16; i++)
                json_object_set_new(gr, a64 ? rn64[i] : rn[i], hex(c->regs[i], a64 ? 64 : 32));
            json_object_set_new(gr, a64 ? "pstate" : "cpsr", hex(c->cpsr, 32));
            json_object_set_new(co, "guest_registers", gr);
        }
        if (c->have_syndrome) {
            json_object_set_new(co, "syndrome", hex(c->syndrome, 32));
            json_object_set_new(co, "fault_address", hex(c->fault_addr, 32));
            json_object_set_new(co, "ipa", hex(c->ipa, 64));
        }
        if (c->policy)
            json_object_set_new(co, "policy", json_string(c->policy));
        if (c->nearlier) {
            json_t *ea = json_array();
            for (size_t i = 0; i < c->nearlier; i++) {
                const hvp_trap_seen *t = &c->earlier[i];
                json_t *to = json_object();
                json_object_set_new(to, "trap", str_or_null(t->trap));
                json_object_set_new(to, "pc", hex(t->pc, 32));
                json_object_set_new(to, "ipa", hex(t->ipa, 64));
                json_object_set_new(to, "syndrome", hex(t->syndrome, 32));
                json_object_set_new(to, "resolved_by", str_or_null(t->resolved_by));
                json_array_append_new(ea, to);
            }
            json_object_set_new(co, "earlier_traps", ea);
        }
        const hvp_condition *cd = &c->condition;
        if (cd->name) {
            json_t *cj = json_object();
            json_object_set_new(cj, "name", json_string(cd->name));
            json_object_set_new(cj, "how", str_or_null(cd->how));
            json_object_set_new(cj, "seconds", json_real(cd->seconds));
            json_object_set_new(cj, "pc_lo", cd->have_window ? hex(cd->pc_lo, 32) : json_null());
            json_object_set_new(cj, "pc_hi", cd->have_window ? hex(cd->pc_hi, 32) : json_null());
            json_object_set_new(cj, "rate", cd->exception ? json_real(cd->rate) : json_null());
            json_object_set_new(cj, "exception", str_or_null(cd->exception));
            json_object_set_new(cj, "vector", cd->exception ? hex(cd->vector, 32) : json_null());
            json_object_set_new(co, "condition", cj);
        }
        json_object_set_new(o, "context", co);
    }
    if (s->nram_images)
        json_object_set_new(o, "ram_images", ram_images_json(s));
    return o;
}

char *hvp_snapshot_to_json(const hvp_snapshot *s, hvp_error *err)
{
    json_t *o = snapshot_json(s);
    char *text = o ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    if (!text)
        hvp_fail(err, HVP_E_NOMEM, "out of memory while serialising the snapshot");
    return text;
}

int hvp_snapshot_save(const hvp_snapshot *s, const char *path, hvp_error *err)
{
    char *text = hvp_snapshot_to_json(s, err);
    if (!text)
        return HVP_E_NOMEM;
    size_t len = strlen(text);
    char *nl = realloc(text, len + 2);
    if (!nl) {
        free(text);
        return hvp_fail(err, HVP_E_NOMEM, "out of memory");
    }
    nl[len] = '\n';
    nl[len + 1] = '\0';
    int rc = hvp_ram_commit_and_save(s, path, nl, len + 1, err);
    free(nl);
    return rc;
}
