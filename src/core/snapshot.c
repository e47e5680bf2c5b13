/* snapshot.c - the in-memory snapshot model: construction, lookups and
 * freeing (JSON lives in snapshot_json.c).  See hvprobe/snapshot.h. */
#include "hvprobe/snapshot.h"
#include "core/ram_image.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* Grow *arr (of elements of size `sz`, count *n) by one zeroed element;
 * returns a pointer to it or NULL. */
static void *grow(void **arr, size_t *n, size_t sz)
{
    void *p = realloc(*arr, (*n + 1) * sz);
    if (!p)
        return NULL;
    *arr = p;
    void *e = (char *)p + *n * sz;
    memset(e, 0, sz);
    (*n)++;
    return e;
}

hvp_snapshot *hvp_snapshot_new(void)
{
    hvp_snapshot *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->schema_version = HVP_SNAPSHOT_SCHEMA_VERSION;
    s->backend.kvm_enabled = HVP_UNKNOWN;
    s->backend.kvm_present = HVP_UNKNOWN;
    s->backend.was_running = HVP_UNKNOWN;
    s->backend.resumed = HVP_NO;
    s->backend.halted_ms = -1;
    s->cpu.secure = HVP_UNKNOWN;
    return s;
}

void hvp_image_free(hvp_image *img)
{
    if (!img)
        return;
    free(img->path);
    free(img->machine);
    free(img->segments);
    for (size_t i = 0; i < img->nsymbols; i++)
        free(img->symbols[i].name);
    free(img->symbols);
    free(img);
}

static void free_region(hvp_region *r)
{
    free(r->address_space);
    free(r->section);
    free(r->kind);
    free(r->name);
    free(r->alias_target);
    free(r->parent);
}

void hvp_snapshot_free(hvp_snapshot *s)
{
    if (!s)
        return;
    free(s->hvprobe_version);
    free(s->captured_at);
    free(s->label);
    hvp_backend_facts *b = &s->backend;
    free(b->qemu_version);
    free(b->target);
    free(b->machine);
    free(b->accelerator);
    free(b->cpu_model);
    free(b->run_state);
    free(s->cpu.secure_source);
    free(s->cpu.source);
    for (size_t i = 0; i < s->ncp15; i++)
        free(s->cp15[i].name);
    free(s->cp15);
    for (size_t i = 0; i < s->nmemory; i++) {
        hvp_memread *m = &s->memory[i];
        free(m->bytes);
        free(m->error);
        free(m->purpose);
        free(m->channel);
    }
    free(s->memory);
    for (size_t i = 0; i < s->nmemory_map; i++)
        free_region(&s->memory_map[i]);
    free(s->memory_map);
    hvp_image_free(s->image);
    for (size_t i = 0; i < s->nraw; i++) {
        free(s->raw[i].channel);
        free(s->raw[i].command);
        free(s->raw[i].text);
    }
    free(s->raw);
    for (size_t i = 0; i < s->nunknown; i++) {
        free(s->unknown[i].field);
        free(s->unknown[i].reason);
    }
    free(s->unknown);
    free(s->imported_from);
    free(s->context.kind);
    free(s->context.how);
    free(s->context.trap);
    free(s->context.report);
    free(s->context.policy);
    free(s->context.condition.name);
    free(s->context.condition.how);
    free(s->context.condition.exception);
    for (size_t i = 0; i < s->context.nearlier; i++) {
        free(s->context.earlier[i].trap);
        free(s->context.earlier[i].resolved_by);
    }
    free(s->context.earlier);
    for (size_t i = 0; i < s->nram_images; i++)
        hvp_ram_image_clear(&s->ram_images[i]);
    free(s->ram_images);
    free(s);
}

void hvp_ram_image_clear(hvp_ram_image *m)
{
    if (m->tmp_path)
        unlink(m->tmp_path); /* never committed: nothing of it may remain */
    free(m->tmp_path);
    free(m->file);
    free(m->region);
    free(m->method);
    for (size_t k = 0; k < m->naliases; k++)
        free(m->aliases[k].name);
    free(m->aliases);
    memset(m, 0, sizeof *m);
}

int hvp_snapshot_add_reg(hvp_snapshot *s, const char *name, uint64_t value, int bits)
{
    hvp_reg *r = grow((void **)&s->cp15, &s->ncp15, sizeof *r);
    if (!r || !(r->name = strdup(name))) {
        if (r)
            s->ncp15--;
        return HVP_E_NOMEM;
    }
    r->value = value;
    r->bits = bits > 32 ? 64 : 32;
    return HVP_OK;
}

int hvp_snapshot_add_mem(hvp_snapshot *s, uint64_t addr, hvp_space space,
                         size_t len, const uint8_t *bytes, size_t got,
                         const char *error, const char *purpose,
                         const char *channel)
{
    if (got > len)
        got = len;
    hvp_memread *m = grow((void **)&s->memory, &s->nmemory, sizeof *m);
    if (!m)
        return HVP_E_NOMEM;
    m->addr = addr;
    m->space = space;
    m->backed = HVP_UNKNOWN;
    m->len = len;
    m->got = got;
    m->bytes = malloc(got ? got : 1);
    m->error = dup_or_null(error);
    m->purpose = dup_or_null(purpose);
    m->channel = dup_or_null(channel);
    if (!m->bytes || (error && !m->error) || (purpose && !m->purpose) ||
        (channel && !m->channel))
        return HVP_E_NOMEM; /* freed with the snapshot */
    if (got)
        memcpy(m->bytes, bytes, got);
    return HVP_OK;
}

int hvp_snapshot_add_raw(hvp_snapshot *s, const char *channel,
                         const char *command, const char *text)
{
    hvp_raw *r = grow((void **)&s->raw, &s->nraw, sizeof *r);
    if (!r)
        return HVP_E_NOMEM;
    r->channel = dup_or_null(channel);
    r->command = dup_or_null(command);
    r->text = dup_or_null(text ? text : "");
    return (r->channel && r->command && r->text) ? HVP_OK : HVP_E_NOMEM;
}

int hvp_snapshot_add_unknown(hvp_snapshot *s, const char *field, const char *reason)
{
    hvp_unknown *u = grow((void **)&s->unknown, &s->nunknown, sizeof *u);
    if (!u)
        return HVP_E_NOMEM;
    u->field = dup_or_null(field);
    u->reason = dup_or_null(reason);
    return (u->field && u->reason) ? HVP_OK : HVP_E_NOMEM;
}

int hvp_snapshot_add_regions(hvp_snapshot *s, hvp_region *regions, size_t n)
{
    if (!n) {
        free(regions);
        return HVP_OK;
    }
    hvp_region *p = realloc(s->memory_map, (s->nmemory_map + n) * sizeof *p);
    if (!p) {
        for (size_t i = 0; i < n; i++)
            free_region(&regions[i]);
        free(regions);
        return HVP_E_NOMEM;
    }
    memcpy(p + s->nmemory_map, regions, n * sizeof *p);
    s->memory_map = p;
    s->nmemory_map += n;
    free(regions);
    return HVP_OK;
}

const hvp_reg *hvp_snapshot_reg(const hvp_snapshot *s, const char *name)
{
    for (size_t i = 0; s && name && i < s->ncp15; i++)
        if (strcmp(s->cp15[i].name, name) == 0)
            return &s->cp15[i];
    return NULL;
}

const hvp_memread *hvp_snapshot_mem(const hvp_snapshot *s, uint64_t addr, hvp_space space)
{
    for (size_t i = 0; i < s->nmemory; i++)
        if (s->memory[i].addr == addr && s->memory[i].space == space)
            return &s->memory[i];
    return NULL;
}

/* CPSR.M[4:0] encodings, ARMv7-A ARM B1.3.1. */
const char *hvp_arm_mode_name(uint32_t cpsr)
{
    switch (cpsr & 0x1f) {
    case 0x10: return "usr32";
    case 0x11: return "fiq32";
    case 0x12: return "irq32";
    case 0x13: return "svc32";
    case 0x16: return "mon32";
    case 0x17: return "abt32";
    case 0x1a: return "hyp32";
    case 0x1b: return "und32";
    case 0x1f: return "sys32";
    default: return "???";
    }
}

const char *hvp_arch_name(int arch)
{
    return arch == HVP_ARCH_AARCH64 ? "aarch64" : "aarch32";
}

/* SPSR_ELx.M[4:0] for AArch64 state (Arm ARM D1.7, "Process state"):
 * M[3:2] the Exception level, M[0] 0 = SP_EL0 ("t"), 1 = SP_ELx ("h"). */
const char *hvp_a64_mode_name(uint32_t pstate)
{
    if (pstate & 0x10)
        return hvp_arm_mode_name(pstate);
    switch (pstate & 0xf) {
    case 0x0: return "EL0t";
    case 0x4: return "EL1t";
    case 0x5: return "EL1h";
    case 0x8: return "EL2t";
    case 0x9: return "EL2h";
    case 0xc: return "EL3t";
    case 0xd: return "EL3h";
    default: return "???";
    }
}

const char *hvp_snapshot_mode(const hvp_snapshot *s)
{
    if (!s->cpu.have_core)
        return NULL;
    return s->arch == HVP_ARCH_AARCH64 ? hvp_a64_mode_name(s->cpu.pstate) : hvp_arm_mode_name(s->cpu.cpsr);
}
