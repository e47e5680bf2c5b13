/*
 * snapshot_load.c - JSON -> snapshot (schema v1, docs/snapshot.md) with
 * jansson; the writer is snapshot_json.c.  Strict about types, tolerant
 * about absent optional fields, and names the offending field.  Also
 * takes the original scripts' JSON (core/import_orig.c).
 */
#include "hvprobe/snapshot.h"
#include "core/import_orig.h"
#include "core/ram_image.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const core_names[16] = {
    "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10",
    "r11", "r12", "sp", "lr", "pc"
};

/* ---------- reading ---------- */

typedef struct ld {
    hvp_error *err;
    int rc;
} ld;

static int bad(ld *L, const char *field, const char *what)
{
    if (!L->rc)
        L->rc = hvp_fail(L->err, HVP_E_INPUT, "not a valid hvprobe snapshot: field '%s' %s", field, what);
    return L->rc;
}

/* Optional string field -> strdup or NULL (null/absent). */
static char *get_str(ld *L, json_t *o, const char *key, const char *path)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_string(v)) {
        bad(L, path, "must be a string or null");
        return NULL;
    }
    return strdup(json_string_value(v));
}

static int parse_hex(const char *s, uint64_t *out, int *bits)
{
    if (!s || strncmp(s, "0x", 2) != 0 || !s[2])
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s + 2, &end, 16);
    if (errno || *end)
        return -1;
    *out = v;
    if (bits)
        *bits = strlen(s + 2) > 8 ? 64 : 32;
    return 0;
}

static int get_hex(ld *L, json_t *o, const char *key, const char *path, uint64_t *out)
{
    json_t *v = json_object_get(o, key);
    if (!v || !json_is_string(v) || parse_hex(json_string_value(v), out, NULL))
        return bad(L, path, "must be a hex string like \"0x60000000\"");
    return 0;
}

static int get_tri(ld *L, json_t *o, const char *key, const char *path)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v))
        return HVP_UNKNOWN;
    if (!json_is_boolean(v)) {
        bad(L, path, "must be true, false or null");
        return HVP_UNKNOWN;
    }
    return json_is_true(v) ? HVP_YES : HVP_NO;
}

/* context.condition: what made run --when-stuck / --on-exit capture. */
static void load_condition(ld *L, json_t *cj, hvp_condition *c)
{
    if (!json_is_object(cj)) {
        bad(L, "context.condition", "must be an object or null");
        return;
    }
    if (!(c->name = get_str(L, cj, "name", "context.condition.name"))) {
        bad(L, "context.condition.name", "is missing");
        return;
    }
    c->how = get_str(L, cj, "how", "context.condition.how");
    c->exception = get_str(L, cj, "exception", "context.condition.exception");
    json_t *sec = json_object_get(cj, "seconds"), *rate = json_object_get(cj, "rate");
    if (!json_is_number(sec))
        bad(L, "context.condition.seconds", "must be a number");
    else
        c->seconds = json_number_value(sec);
    if (rate && !json_is_null(rate) && !json_is_number(rate))
        bad(L, "context.condition.rate", "must be a number or null");
    else if (rate && json_is_number(rate))
        c->rate = json_number_value(rate);
    json_t *lo = json_object_get(cj, "pc_lo");
    if (!L->rc && lo && !json_is_null(lo)) {
        get_hex(L, cj, "pc_lo", "context.condition.pc_lo", &c->pc_lo);
        if (!L->rc)
            get_hex(L, cj, "pc_hi", "context.condition.pc_hi", &c->pc_hi);
        c->have_window = !L->rc;
    }
    json_t *vec = json_object_get(cj, "vector");
    if (!L->rc && vec && !json_is_null(vec))
        get_hex(L, cj, "vector", "context.condition.vector", &c->vector);
}

static void load_cpu(ld *L, json_t *cpu, hvp_snapshot *s)
{
    if (!json_is_object(cpu)) {
        bad(L, "cpu", "must be an object");
        return;
    }
    json_t *regs = json_object_get(cpu, "registers");
    json_t *psr = json_object_get(cpu, "cpsr");
    json_t *pst = json_object_get(cpu, "pstate");
    if (s->arch == HVP_ARCH_AARCH64 && regs && json_is_object(regs) && pst && json_is_object(pst)) {
        for (int i = 0; i < 33 && !L->rc; i++) {
            uint64_t v;
            char name[8], path[32];
            if (i < 31)
                snprintf(name, sizeof name, "x%d", i);
            else
                snprintf(name, sizeof name, "%s", i == 31 ? "sp" : "pc");
            snprintf(path, sizeof path, "cpu.registers.%s", name);
            if (!get_hex(L, regs, name, path, &v))
                *(i < 31 ? &s->cpu.x[i] : i == 31 ? &s->cpu.sp : &s->cpu.pc) = v;
        }
        uint64_t v;
        if (!L->rc && !get_hex(L, pst, "value", "cpu.pstate.value", &v)) {
            if (v >> 32)
                bad(L, "cpu.pstate.value", "must fit in 32 bits (PSTATE in SPSR layout)");
            s->cpu.pstate = (uint32_t)v;
        }
        s->cpu.have_core = !L->rc;
    } else if (s->arch == HVP_ARCH_AARCH64 && ((regs && !json_is_null(regs)) || (pst && !json_is_null(pst)))) {
        bad(L, "cpu.registers", "must be an object of x0..x30, sp and pc (with cpu.pstate) or null in an "
                                "AArch64 snapshot");
    } else if (s->arch == HVP_ARCH_AARCH64) {
        /* no core registers */
    } else if (regs && json_is_object(regs) && psr && json_is_object(psr)) {
        for (int i = 0; i < 16 && !L->rc; i++) {
            uint64_t v;
            char path[32];
            snprintf(path, sizeof path, "cpu.registers.%s", core_names[i]);
            if (!get_hex(L, regs, core_names[i], path, &v))
                s->cpu.r[i] = (uint32_t)v;
        }
        uint64_t v;
        if (!get_hex(L, psr, "value", "cpu.cpsr.value", &v))
            s->cpu.cpsr = (uint32_t)v;
        s->cpu.have_core = !L->rc;
    } else if ((regs && !json_is_null(regs)) || (psr && !json_is_null(psr))) {
        bad(L, "cpu.registers", "must be an object (with cpu.cpsr) or null");
    }
    char *sec = get_str(L, cpu, "security_state", "cpu.security_state");
    if (sec) {
        if (strcmp(sec, "secure") == 0)
            s->cpu.secure = HVP_YES;
        else if (strcmp(sec, "non-secure") == 0)
            s->cpu.secure = HVP_NO;
        else
            bad(L, "cpu.security_state", "must be \"secure\", \"non-secure\" or null");
        free(sec);
    }
    s->cpu.secure_source = get_str(L, cpu, "security_source", "cpu.security_source");
    s->cpu.source = get_str(L, cpu, "source", "cpu.source");
}

static void load_memory(ld *L, json_t *mem, hvp_snapshot *s)
{
    size_t i;
    json_t *e;
    json_array_foreach(mem, i, e) {
        char path[48];
        snprintf(path, sizeof path, "memory[%zu]", i);
        if (!json_is_object(e)) {
            bad(L, path, "must be an object");
            return;
        }
        uint64_t addr;
        if (get_hex(L, e, "addr", path, &addr))
            return;
        json_t *sp = json_object_get(e, "space");
        const char *spv = json_is_string(sp) ? json_string_value(sp) : "";
        hvp_space space;
        if (strcmp(spv, "virtual") == 0)
            space = HVP_SPACE_VIRTUAL;
        else if (strcmp(spv, "physical") == 0)
            space = HVP_SPACE_PHYSICAL;
        else {
            bad(L, path, "has a 'space' that is neither \"virtual\" nor \"physical\"");
            return;
        }
        json_t *lenj = json_object_get(e, "len");
        json_t *bj = json_object_get(e, "bytes");
        if (!json_is_integer(lenj) || json_integer_value(lenj) < 0 ||
            json_integer_value(lenj) > (1 << 30)) {
            bad(L, path, "has no valid 'len'");
            return;
        }
        const char *hexs = json_is_string(bj) ? json_string_value(bj) : NULL;
        size_t hl = hexs ? strlen(hexs) : 0;
        size_t len = (size_t)json_integer_value(lenj);
        if (!hexs || hl % 2 || hl / 2 > len) {
            bad(L, path, "has 'bytes' that are not an even-length hex string of at most 'len' bytes");
            return;
        }
        uint8_t *buf = malloc(hl / 2 + 1);
        if (!buf) {
            L->rc = hvp_fail(L->err, HVP_E_NOMEM, "out of memory");
            return;
        }
        for (size_t k = 0; k < hl / 2; k++) {
            unsigned v;
            if (sscanf(hexs + 2 * k, "%2x", &v) != 1) {
                free(buf);
                bad(L, path, "has non-hex characters in 'bytes'");
                return;
            }
            buf[k] = (uint8_t)v;
        }
        char *error = get_str(L, e, "error", path);
        char *purpose = get_str(L, e, "purpose", path);
        char *channel = get_str(L, e, "channel", path);
        if (!L->rc && !error && hl / 2 != len)
            bad(L, path, "has fewer bytes than 'len' but no 'error'");
        if (!L->rc && hvp_snapshot_add_mem(s, addr, space, len, buf, hl / 2, error, purpose, channel))
            L->rc = hvp_fail(L->err, HVP_E_NOMEM, "out of memory");
        if (!L->rc)
            s->memory[s->nmemory - 1].backed = get_tri(L, e, "backed", path);
        free(buf);
        free(error);
        free(purpose);
        free(channel);
        if (L->rc)
            return;
    }
}

static void load_map(ld *L, json_t *map, hvp_snapshot *s)
{
    size_t n = json_array_size(map), i;
    if (!n)
        return;
    hvp_region *r = calloc(n, sizeof *r);
    if (!r) {
        L->rc = hvp_fail(L->err, HVP_E_NOMEM, "out of memory");
        return;
    }
    json_t *e;
    json_array_foreach(map, i, e) {
        char path[48];
        snprintf(path, sizeof path, "memory_map[%zu]", i);
        if (!json_is_object(e)) {
            bad(L, path, "must be an object");
            break;
        }
        hvp_region *g = &r[i];
        if (get_hex(L, e, "start", path, &g->start) || get_hex(L, e, "end", path, &g->end))
            break;
        json_t *p = json_object_get(e, "priority");
        g->prio = json_is_integer(p) ? (int)json_integer_value(p) : 0;
        g->address_space = get_str(L, e, "address_space", path);
        g->section = get_str(L, e, "section", path);
        g->kind = get_str(L, e, "kind", path);
        g->name = get_str(L, e, "name", path);
        g->alias_target = get_str(L, e, "alias_target", path);
        g->is_alias = g->alias_target != NULL;
        if (g->is_alias && json_object_get(e, "alias_offset"))
            get_hex(L, e, "alias_offset", path, &g->alias_offset);
        json_t *d = json_object_get(e, "depth");
        g->depth = json_is_integer(d) ? (int)json_integer_value(d) : 0;
        g->parent = get_str(L, e, "parent", path);
        json_t *en = json_object_get(e, "enabled");
        g->enabled = en ? json_is_true(en) : 1;
        json_t *v = json_object_get(e, "view");
        g->flat = json_is_string(v) && strcmp(json_string_value(v), "flat") == 0;
        if (L->rc)
            break;
    }
    /* Regions are handed over whole; on error the snapshot frees them. */
    if (hvp_snapshot_add_regions(s, r, n) && !L->rc)
        L->rc = hvp_fail(L->err, HVP_E_NOMEM, "out of memory");
}

static void load_image(ld *L, json_t *im, hvp_snapshot *s)
{
    if (!json_is_object(im)) {
        bad(L, "image", "must be an object or null");
        return;
    }
    hvp_image *img = calloc(1, sizeof *img);
    if (!img) {
        L->rc = hvp_fail(L->err, HVP_E_NOMEM, "out of memory");
        return;
    }
    s->image = img;
    img->path = get_str(L, im, "path", "image.path");
    char *sha = get_str(L, im, "sha256", "image.sha256");
    if (sha && strlen(sha) == 64)
        memcpy(img->sha256, sha, 65);
    free(sha);
    get_hex(L, im, "entry", "image.entry", &img->entry);
    img->machine = get_str(L, im, "machine", "image.machine");
    json_t *cl = json_object_get(im, "class");
    img->elfclass = json_is_integer(cl) ? (int)json_integer_value(cl) : 32;
    json_t *segs = json_object_get(im, "segments");
    size_t n = json_array_size(segs), i;
    json_t *e;
    if (n && !(img->segments = calloc(n, sizeof *img->segments))) {
        L->rc = hvp_fail(L->err, HVP_E_NOMEM, "out of memory");
        return;
    }
    json_array_foreach(segs, i, e) {
        hvp_segment *g = &img->segments[i];
        if (get_hex(L, e, "vaddr", "image.segments[].vaddr", &g->vaddr) ||
            get_hex(L, e, "paddr", "image.segments[].paddr", &g->paddr) ||
            get_hex(L, e, "filesz", "image.segments[].filesz", &g->filesz) ||
            get_hex(L, e, "memsz", "image.segments[].memsz", &g->memsz))
            return;
        json_t *f = json_object_get(e, "flags");
        const char *fs = json_is_string(f) ? json_string_value(f) : "";
        g->flags = (strchr(fs, 'r') ? 4u : 0) | (strchr(fs, 'w') ? 2u : 0) | (strchr(fs, 'x') ? 1u : 0);
        img->nsegments++;
    }
    json_t *syms = json_object_get(im, "symbols");
    n = json_array_size(syms);
    if (n && !(img->symbols = calloc(n, sizeof *img->symbols))) {
        L->rc = hvp_fail(L->err, HVP_E_NOMEM, "out of memory");
        return;
    }
    json_array_foreach(syms, i, e) {
        hvp_symbol *y = &img->symbols[i];
        y->name = get_str(L, e, "name", "image.symbols[].name");
        img->nsymbols++;
        if (!y->name)
            bad(L, "image.symbols[].name", "is missing");
        if (L->rc || get_hex(L, e, "addr", "image.symbols[].addr", &y->addr))
            return;
        json_t *sz = json_object_get(e, "size");
        y->size = json_is_integer(sz) ? (uint64_t)json_integer_value(sz) : 0;
        json_t *t = json_object_get(e, "type");
        y->type = json_is_string(t) && json_string_length(t) == 1 ? json_string_value(t)[0] : 'N';
    }
}

/* Optional "ram_images" (absent in older snapshots). */
static void load_ram_images(ld *L, json_t *arr, hvp_snapshot *s)
{
    if (!json_is_array(arr)) {
        bad(L, "ram_images", "must be an array");
        return;
    }
    size_t n = json_array_size(arr), i;
    if (!n)
        return;
    if (!(s->ram_images = calloc(n, sizeof *s->ram_images))) {
        L->rc = hvp_fail(L->err, HVP_E_NOMEM, "out of memory");
        return;
    }
    json_t *e;
    json_array_foreach(arr, i, e) {
        char path[48];
        snprintf(path, sizeof path, "ram_images[%zu]", i);
        if (!json_is_object(e)) {
            bad(L, path, "must be an object");
            return;
        }
        hvp_ram_image *m = &s->ram_images[s->nram_images++];
        m->file = get_str(L, e, "file", path);
        m->region = get_str(L, e, "region", path);
        m->method = get_str(L, e, "method", path);
        char *sha = get_str(L, e, "sha256", path);
        json_t *lj = json_object_get(e, "len");
        if (!L->rc && (!m->file || !m->file[0] || strchr(m->file, '/') || !strcmp(m->file, "..")))
            bad(L, path, "needs a 'file' name beside the snapshot (no directory part)");
        if (!L->rc && (!sha || strlen(sha) != 64 || strspn(sha, "0123456789abcdef") != 64))
            bad(L, path, "needs a 'sha256' of 64 hex digits");
        if (!L->rc && (!json_is_integer(lj) || json_integer_value(lj) <= 0))
            bad(L, path, "needs a positive integer 'len'");
        if (!L->rc)
            memcpy(m->sha256, sha, 65);
        free(sha);
        if (L->rc || get_hex(L, e, "addr", path, &m->addr))
            return;
        m->len = (uint64_t)json_integer_value(lj);
        json_t *al = json_object_get(e, "aliases"), *a;
        size_t k;
        if (al && !json_is_array(al)) {
            bad(L, path, "has 'aliases' that is not an array");
            return;
        }
        if (json_array_size(al) && !(m->aliases = calloc(json_array_size(al), sizeof *m->aliases))) {
            L->rc = hvp_fail(L->err, HVP_E_NOMEM, "out of memory");
            return;
        }
        json_array_foreach(al, k, a) {
            hvp_ram_alias *x = &m->aliases[m->naliases++];
            json_t *alen = json_object_get(a, "len");
            x->name = get_str(L, a, "name", path);
            x->visible = get_tri(L, a, "visible", path);
            if (L->rc || get_hex(L, a, "addr", path, &x->addr) || get_hex(L, a, "offset", path, &x->offset))
                return;
            if (!json_is_integer(alen) || json_integer_value(alen) <= 0) {
                bad(L, path, "has an alias without a positive integer 'len'");
                return;
            }
            x->len = (uint64_t)json_integer_value(alen);
        }
    }
}

static void load_all(ld *L, json_t *root, hvp_snapshot *s)
{
    if (!json_is_object(root)) {
        bad(L, "(top level)", "must be a JSON object");
        return;
    }
    json_t *ver = json_object_get(root, "schema_version");
    if (!json_is_integer(ver)) {
        bad(L, "schema_version", "is missing (is this an hvprobe snapshot?)");
        return;
    }
    json_int_t v = json_integer_value(ver);
    if (v < 1 || v > HVP_SNAPSHOT_SCHEMA_VERSION) {
        L->rc = hvp_fail(L->err, HVP_E_INPUT,
                         "snapshot schema version %lld is not supported by this hvprobe (it reads 1 to %d)",
                         (long long)v, HVP_SNAPSHOT_SCHEMA_VERSION);
        return;
    }
    s->schema_version = (int)v;
    json_t *arch = json_object_get(root, "arch");
    const char *an = json_is_string(arch) ? json_string_value(arch) : NULL;
    if (v >= 2 && !an) {
        bad(L, "arch", "is missing (schema 2 snapshots name their architecture: \"aarch32\" or \"aarch64\")");
        return;
    }
    if (arch && !an) {
        bad(L, "arch", "must be \"aarch32\" or \"aarch64\"");
        return;
    }
    if (an && strcmp(an, "aarch32") && strcmp(an, "aarch64")) {
        bad(L, "arch", "must be \"aarch32\" or \"aarch64\"");
        return;
    }
    if (an && !strcmp(an, "aarch64") && v < 2) {
        bad(L, "arch", "is aarch64 in a schema 1 snapshot (AArch64 snapshots are schema 2)");
        return;
    }
    s->arch = an && !strcmp(an, "aarch64") ? HVP_ARCH_AARCH64 : HVP_ARCH_AARCH32;
    s->hvprobe_version = get_str(L, root, "hvprobe_version", "hvprobe_version");
    s->captured_at = get_str(L, root, "captured_at", "captured_at");
    s->label = get_str(L, root, "label", "label");
    s->imported_from = get_str(L, root, "imported_from", "imported_from");
    json_t *co = json_object_get(root, "context");
    if (co && !json_is_null(co)) {
        hvp_context *c = &s->context;
        if (!json_is_object(co))
            bad(L, "context", "must be an object or null");
        else if (!(c->kind = get_str(L, co, "kind", "context.kind")))
            bad(L, "context.kind", "is missing");
        else {
            static const char *const rn[16] = { "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9",
                                                "r10", "r11", "r12", "sp", "lr", "pc" };
            c->how = get_str(L, co, "how", "context.how");
            c->trap = get_str(L, co, "trap", "context.trap");
            c->report = get_str(L, co, "report", "context.report");
            static const char *const rn64[16] = { "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9",
                                                  "x10", "x11", "x12", "sp", "x30", "pc" };
            int a64 = s->arch == HVP_ARCH_AARCH64;
            json_t *gr = json_object_get(co, "guest_registers");
            if (gr && !json_is_null(gr)) {
                for (int k = 0; k < 16 && !L->rc; k++)
                    get_hex(L, gr, a64 ? rn64[k] : rn[k], "context.guest_registers", &c->regs[k]);
                if (!L->rc)
                    get_hex(L, gr, a64 ? "pstate" : "cpsr",
                            a64 ? "context.guest_registers.pstate" : "context.guest_registers.cpsr", &c->cpsr);
                c->have_regs = !L->rc;
            }
            if (json_object_get(co, "syndrome")) {
                get_hex(L, co, "syndrome", "context.syndrome", &c->syndrome);
                if (!L->rc)
                    get_hex(L, co, "fault_address", "context.fault_address", &c->fault_addr);
                if (!L->rc)
                    get_hex(L, co, "ipa", "context.ipa", &c->ipa);
                c->have_syndrome = !L->rc;
            }
            if (!L->rc)
                c->policy = get_str(L, co, "policy", "context.policy");
            json_t *ea = json_object_get(co, "earlier_traps");
            if (!L->rc && ea && !json_is_array(ea))
                bad(L, "context.earlier_traps", "must be an array");
            else if (!L->rc && ea && json_array_size(ea)) {
                c->earlier = calloc(json_array_size(ea), sizeof *c->earlier);
                if (!c->earlier)
                    bad(L, "context.earlier_traps", "does not fit in memory");
                for (size_t k = 0; c->earlier && k < json_array_size(ea) && !L->rc; k++) {
                    json_t *to = json_array_get(ea, k);
                    hvp_trap_seen *t = &c->earlier[c->nearlier++];
                    if (!json_is_object(to)) {
                        bad(L, "context.earlier_traps[]", "must be an object");
                        break;
                    }
                    t->trap = get_str(L, to, "trap", "context.earlier_traps[].trap");
                    t->resolved_by = get_str(L, to, "resolved_by", "context.earlier_traps[].resolved_by");
                    if (!L->rc)
                        get_hex(L, to, "pc", "context.earlier_traps[].pc", &t->pc);
                    if (!L->rc)
                        get_hex(L, to, "ipa", "context.earlier_traps[].ipa", &t->ipa);
                    if (!L->rc)
                        get_hex(L, to, "syndrome", "context.earlier_traps[].syndrome", &t->syndrome);
                }
            }
            json_t *cj = json_object_get(co, "condition");
            if (!L->rc && cj && !json_is_null(cj))
                load_condition(L, cj, &c->condition);
        }
    }
    if (!L->rc && !s->captured_at)
        bad(L, "captured_at", "is missing");
    json_t *ch = json_object_get(root, "channels");
    size_t i;
    json_t *e;
    if (!json_is_array(ch)) {
        bad(L, "channels", "must be an array of \"qmp\", \"hmp\", \"gdb\"");
        return;
    }
    json_array_foreach(ch, i, e) {
        const char *c = json_is_string(e) ? json_string_value(e) : "";
        if (strcmp(c, "qmp") == 0) s->channels |= HVP_CH_QMP;
        else if (strcmp(c, "hmp") == 0) s->channels |= HVP_CH_HMP;
        else if (strcmp(c, "gdb") == 0) s->channels |= HVP_CH_GDB;
        else {
            bad(L, "channels", "contains an unknown channel name");
            return;
        }
    }
    json_t *be = json_object_get(root, "backend");
    if (!json_is_object(be)) {
        bad(L, "backend", "must be an object");
        return;
    }
    hvp_backend_facts *b = &s->backend;
    b->qemu_version = get_str(L, be, "qemu_version", "backend.qemu_version");
    b->target = get_str(L, be, "target", "backend.target");
    b->machine = get_str(L, be, "machine", "backend.machine");
    b->accelerator = get_str(L, be, "accelerator", "backend.accelerator");
    json_t *kvm = json_object_get(be, "kvm");
    if (json_is_object(kvm)) {
        b->kvm_enabled = get_tri(L, kvm, "enabled", "backend.kvm.enabled");
        b->kvm_present = get_tri(L, kvm, "present", "backend.kvm.present");
    }
    b->cpu_model = get_str(L, be, "cpu_model", "backend.cpu_model");
    b->run_state = get_str(L, be, "run_state", "backend.run_state");
    b->was_running = get_tri(L, be, "was_running", "backend.was_running");
    b->resumed = get_tri(L, be, "resumed", "backend.resumed") == HVP_YES ? HVP_YES : HVP_NO;
    json_t *hm = json_object_get(be, "halted_ms");
    if (hm && !json_is_null(hm) && !json_is_integer(hm))
        bad(L, "backend.halted_ms", "must be an integer or null");
    b->halted_ms = json_is_integer(hm) ? (long)json_integer_value(hm) : -1;
    if (L->rc)
        return;
    json_t *cpu = json_object_get(root, "cpu");
    if (cpu && !json_is_null(cpu))
        load_cpu(L, cpu, s);
    if (L->rc)
        return;
    json_t *cp = json_object_get(root, "cp15");
    if (cp && !json_is_object(cp)) {
        bad(L, "cp15", "must be an object of NAME: \"0x...\"");
        return;
    }
    const char *key;
    json_object_foreach(cp, key, e) {
        uint64_t val;
        int bits;
        if (!json_is_string(e) || parse_hex(json_string_value(e), &val, &bits)) {
            char path[96];
            snprintf(path, sizeof path, "cp15.%.80s", key);
            bad(L, path, "must be a hex string like \"0x00c50078\"");
            return;
        }
        if (hvp_snapshot_add_reg(s, key, val, bits)) {
            L->rc = hvp_fail(L->err, HVP_E_NOMEM, "out of memory");
            return;
        }
    }
    json_t *mem = json_object_get(root, "memory");
    if (mem && !json_is_array(mem)) {
        bad(L, "memory", "must be an array");
        return;
    }
    load_memory(L, mem, s);
    if (L->rc)
        return;
    json_t *map = json_object_get(root, "memory_map");
    if (map && !json_is_array(map)) {
        bad(L, "memory_map", "must be an array");
        return;
    }
    load_map(L, map, s);
    if (L->rc)
        return;
    json_t *im = json_object_get(root, "image");
    if (im && !json_is_null(im))
        load_image(L, im, s);
    if (L->rc)
        return;
    json_array_foreach(json_object_get(root, "raw"), i, e) {
        char *c = get_str(L, e, "channel", "raw[].channel");
        char *m = get_str(L, e, "command", "raw[].command");
        char *t = get_str(L, e, "text", "raw[].text");
        if (!L->rc && (!c || !m))
            bad(L, "raw[]", "needs 'channel' and 'command'");
        if (!L->rc && hvp_snapshot_add_raw(s, c, m, t))
            L->rc = hvp_fail(L->err, HVP_E_NOMEM, "out of memory");
        free(c);
        free(m);
        free(t);
        if (L->rc)
            return;
    }
    json_t *ri = json_object_get(root, "ram_images");
    if (ri)
        load_ram_images(L, ri, s);
    if (L->rc)
        return;
    json_array_foreach(json_object_get(root, "unknown"), i, e) {
        char *f = get_str(L, e, "field", "unknown[].field");
        char *r = get_str(L, e, "reason", "unknown[].reason");
        if (!L->rc && f && r && hvp_snapshot_add_unknown(s, f, r))
            L->rc = hvp_fail(L->err, HVP_E_NOMEM, "out of memory");
        free(f);
        free(r);
        if (L->rc)
            return;
    }
}

int hvp_snapshot_from_json(const char *text, size_t len, hvp_snapshot **out, hvp_error *err)
{
    *out = NULL;
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return hvp_fail(err, HVP_E_INPUT, "malformed JSON at line %d, column %d: %s",
                        je.line, je.column, je.text);
    /* The original capture script's format: imported, reduced evidence. */
    if (json_is_object(root) && !json_object_get(root, "schema_version") &&
        json_object_get(root, "hypervisor") && json_object_get(root, "data")) {
        int rc = hvp_import_original(root, out, err);
        json_decref(root);
        return rc;
    }
    hvp_snapshot *s = hvp_snapshot_new();
    if (!s) {
        json_decref(root);
        return hvp_fail(err, HVP_E_NOMEM, "out of memory");
    }
    ld L = { err, 0 };
    load_all(&L, root, s);
    json_decref(root);
    if (L.rc) {
        hvp_snapshot_free(s);
        return L.rc;
    }
    *out = s;
    return HVP_OK;
}

int hvp_snapshot_load(const char *path, hvp_snapshot **out, hvp_error *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return hvp_fail(err, HVP_E_IO, "cannot open snapshot '%s': %s", path, strerror(errno));
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 65536 > cap) {
            cap = cap ? cap * 2 : 131072;
            if (cap > (size_t)1 << 30) {
                free(buf);
                fclose(f);
                return hvp_fail(err, HVP_E_INPUT, "snapshot '%s' is larger than 1 GiB", path);
            }
            char *p = realloc(buf, cap);
            if (!p) {
                free(buf);
                fclose(f);
                return hvp_fail(err, HVP_E_NOMEM, "out of memory reading '%s'", path);
            }
            buf = p;
        }
        size_t r = fread(buf + len, 1, cap - len, f);
        len += r;
        if (r == 0)
            break;
    }
    int ioerr = ferror(f);
    fclose(f);
    if (ioerr) {
        free(buf);
        return hvp_fail(err, HVP_E_IO, "cannot read snapshot '%s'", path);
    }
    int rc = hvp_snapshot_from_json(buf, len, out, err);
    free(buf);
    if (rc)
        hvp_wrap(err, rc, "%s", path);
    return rc;
}
