/* compare_render.c - render a comparison as text, Markdown or JSON. */
#include "core/compare_internal.h"
#include "arch/arm/exc_model.h"
#include "arch/arm64/exc64.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static const char *mode_sec(const hvp_analysis *a, char *buf, size_t n)
{
    snprintf(buf, n, "%s%s%s", a->mode[0] ? a->mode : "?", a->secure == HVP_UNKNOWN ? "" : " ",
             a->secure == HVP_YES ? "Secure" : a->secure == HVP_NO ? "Non-secure" : "");
    return buf;
}

static const char *backend_of(const hvp_snapshot *s, char *buf, size_t n)
{
    snprintf(buf, n, "QEMU %s %s", s->backend.qemu_version ? s->backend.qemu_version : "?",
             s->backend.accelerator ? s->backend.accelerator : "?");
    return buf;
}

typedef const char *(*cell_fn)(const cmp_ctx *c, size_t i, int arg, char *buf, size_t n);

static const char *c_label(const cmp_ctx *c, size_t i, int arg, char *b, size_t n)
{
    (void)arg;
    snprintf(b, n, "%s", c->labels[i]);
    return b;
}
static const char *c_backend(const cmp_ctx *c, size_t i, int arg, char *b, size_t n)
{
    (void)arg;
    return backend_of(c->snaps[i], b, n);
}
static const char *c_machine(const cmp_ctx *c, size_t i, int arg, char *b, size_t n)
{
    (void)arg;
    const hvp_backend_facts *f = &c->snaps[i]->backend;
    snprintf(b, n, "%s %s", f->machine ? f->machine : "?", f->cpu_model ? f->cpu_model : "");
    return b;
}
static const char *c_mode(const cmp_ctx *c, size_t i, int arg, char *b, size_t n)
{
    (void)arg;
    return mode_sec(&c->an[i], b, n);
}
static const char *c_base(const cmp_ctx *c, size_t i, int arg, char *b, size_t n)
{
    (void)arg;
    const hvp_vector_report *v = &c->an[i].vec[c->an[i].key];
    if (!v->fetch_known)
        snprintf(b, n, "unknown");
    else {
        char reg[24];
        snprintf(reg, sizeof reg, "%.23s", v->base_source);
        reg[strcspn(reg, " (")] = '\0';
        snprintf(b, n, "0x%08llx %s", (unsigned long long)(v->fetch - v->offset), reg);
    }
    return b;
}
static const char *c_region(const cmp_ctx *c, size_t i, int arg, char *b, size_t n)
{
    (void)arg;
    /* "mach-virt.ram (ram) at PA 0x47ff0008" (a virtual base, walked) ->
     * the region's name; the evidence chain has the rest. */
    const char *r = c->an[i].vec[c->an[i].key].region, *at = strstr(r, " at PA ");
    snprintf(b, n, "%.*s", at ? (int)(strcspn(r, " ")) : (int)strlen(r), r);
    return b;
}
static const char *c_handler(const cmp_ctx *c, size_t i, int arg, char *b, size_t n)
{
    (void)arg;
    const hvp_vector_report *v = &c->an[i].vec[c->an[i].key];
    if (v->target_sym[0])
        snprintf(b, n, "%s", v->target_sym);
    else if (v->have_target)
        snprintf(b, n, "0x%08llx", (unsigned long long)v->target);
    else
        b[0] = '\0';
    return b;
}

static const char *c_vec(const cmp_ctx *c, size_t i, int arg, char *b, size_t n)
{
    const hvp_vector_report *v = &c->an[i].vec[arg], *svc = &c->an[i].vec[2];
    /* Reset, fetched at the reset address rather than this table's base. */
    if (arg == 0 && v->fetch_known && svc->fetch_known && v->fetch != svc->fetch - svc->offset)
        snprintf(b, n, "%s (at 0x%llx)", hvp_verdict_name(v->verdict), (unsigned long long)v->fetch);
    else {
        /* interrupts: the mode when not the usual one (Monitor, Hyp), and
         * whether the CPSR masks them now */
        int other = v->fetch_known && (arg == 6 || arg == 7) && strcmp(v->taken_to, arg == 6 ? "irq32" : "fiq32");
        int masked = v->masked == HVP_YES;
        snprintf(b, n, "%s%s%s%s%s%s", hvp_verdict_name(v->verdict), other || masked ? " (" : "",
                 other ? v->taken_to : "", other && masked ? ", " : "", masked ? "masked" : "",
                 other || masked ? ")" : "");
    }
    return b;
}

/* AArch64: the slot's verdict, and which kinds of exception raised at
 * capture enter it (masked ones marked). */
static const char *c_vec64(const cmp_ctx *c, size_t i, int arg, char *b, size_t n)
{
    const hvp_analysis *a = &c->an[i];
    const hvp_vector_report *v = &a->vec[arg];
    char here[48] = "";
    size_t o = 0;
    for (int k = 0; k < 4; k++)
        if (v->raised_here & (1u << k)) {
            static const char *const kn[] = { "sync", "irq", "fiq", "serror" };
            int w = snprintf(here + o, sizeof here - o, "%s%s", o ? "," : "", kn[k]);
            if (w > 0 && (size_t)w < sizeof here - o)
                o += (size_t)w;
        }
    snprintf(b, n, "%s%s%s%s%s", hvp_verdict_name(v->verdict), o ? " <- " : "", here,
             v->masked == HVP_YES ? " (masked)" : "", "");
    return b;
}

/* The comparison table's rows, shared by the Markdown table here and the
 * terminal's (compare_text.c): AArch32 and AArch64 have their own. */
typedef struct row_def {
    const char *name;
    cell_fn f;
    int arg;
} row_def;

static const row_def rows32[] = {
    { "snapshot", c_label, 0 },     { "backend", c_backend, 0 },      { "machine", c_machine, 0 },
    { "CPU at capture", c_mode, 0 }, { "vector base", c_base, 0 },    { "region at base", c_region, 0 },
    { "reset 0x00", c_vec, 0 },     { "undef 0x04", c_vec, 1 },       { "svc   0x08", c_vec, 2 },
    { "pabt  0x0c", c_vec, 3 },     { "dabt  0x10", c_vec, 4 },       { "hyp   0x14", c_vec, 5 },
    { "irq   0x18", c_vec, 6 },     { "fiq   0x1c", c_vec, 7 },       { "SVC handler", c_handler, 0 },
};

static const row_def rows64[] = {
    { "snapshot", c_label, 0 },     { "backend", c_backend, 0 },      { "machine", c_machine, 0 },
    { "CPU at capture", c_mode, 0 }, { "vector base", c_base, 0 },    { "region at base", c_region, 0 },
    { "cur_sp0.sync     0x000", c_vec64, 0 },  { "cur_sp0.irq      0x080", c_vec64, 1 },
    { "cur_sp0.fiq      0x100", c_vec64, 2 },  { "cur_sp0.serror   0x180", c_vec64, 3 },
    { "cur_spx.sync     0x200", c_vec64, 4 },  { "cur_spx.irq      0x280", c_vec64, 5 },
    { "cur_spx.fiq      0x300", c_vec64, 6 },  { "cur_spx.serror   0x380", c_vec64, 7 },
    { "lower_a64.sync   0x400", c_vec64, 8 },  { "lower_a64.irq    0x480", c_vec64, 9 },
    { "lower_a64.fiq    0x500", c_vec64, 10 }, { "lower_a64.serror 0x580", c_vec64, 11 },
    { "lower_a32.sync   0x600", c_vec64, 12 }, { "lower_a32.irq    0x680", c_vec64, 13 },
    { "lower_a32.fiq    0x700", c_vec64, 14 }, { "lower_a32.serror 0x780", c_vec64, 15 },
    { "sync handler", c_handler, 0 },
};

static const row_def *rows_of(const cmp_ctx *c, int *n)
{
    if (c->an[0].arch == HVP_ARCH_AARCH64) {
        *n = (int)(sizeof rows64 / sizeof rows64[0]);
        return rows64;
    }
    *n = (int)(sizeof rows32 / sizeof rows32[0]);
    return rows32;
}

int cmp_nrows(const cmp_ctx *c)
{
    int n;
    rows_of(c, &n);
    return n;
}

const char *cmp_row_name(const cmp_ctx *c, int r)
{
    int n;
    return rows_of(c, &n)[r].name;
}

const char *cmp_cell(const cmp_ctx *c, int r, size_t i, char *buf, size_t n)
{
    int nr;
    const row_def *rows = rows_of(c, &nr);
    const char *t = rows[r].f(c, i, rows[r].arg, buf, n);
    return t[0] ? t : "-";
}

static void section(hvp_buf *b, const char *title, const diag_lines *d)
{
    if (!d->n)
        return;
    hvp_buf_printf(b, "\n### %s\n\n", title);
    for (int k = 0; k < d->n; k++)
        hvp_buf_printf(b, "- %s\n", d->line[k]);
}

int cmp_render_markdown(const cmp_ctx *c, hvp_buf *b)
{
    char cell[256];
    hvp_buf_printf(b, "## hvprobe compare: %zu snapshot%s\n\n", c->n, c->n == 1 ? "" : "s");
    for (int r = 0; r < cmp_nrows(c); r++) {
        hvp_buf_printf(b, "| %s |", cmp_row_name(c, r));
        for (size_t i = 0; i < c->n; i++)
            hvp_buf_printf(b, " %s |", cmp_cell(c, r, i, cell, sizeof cell));
        hvp_buf_putc(b, '\n');
        if (r == 0) {
            hvp_buf_printf(b, "|---|");
            for (size_t i = 0; i < c->n; i++)
                hvp_buf_printf(b, "---|");
            hvp_buf_putc(b, '\n');
        }
    }
    if (!c->brief)
        hvp_buf_printf(b, "\n### Vectors, with reasons\n\n");
    for (size_t i = 0; !c->brief && i < c->n; i++)
        for (int e = 0; e < c->an[i].nvec; e++) {
            const hvp_vector_report *v = &c->an[i].vec[e];
            char word[24] = "";
            if (v->have_word)
                snprintf(word, sizeof word, "0x%08x ", v->word);
            hvp_buf_printf(b, "- **%s** `%s` %s: **%s** — %s\n", c->labels[i], v->name, word,
                           hvp_verdict_name(v->verdict), v->reason);
        }
    hvp_buf_printf(b, "\n## Diagnosis\n");
    section(b, "Evidence chain (SVC)", &c->chain);
    section(b, "What differs", &c->differs);
    section(b, "What is the same", &c->same);
    section(b, "Most likely root cause", &c->cause);
    section(b, "Evidence notes and warnings", &c->warnings);
    section(b, "Suggested fix", &c->suggestions);
    if (c->nex) {
        hvp_buf_printf(b, "\n### Expectations\n\n");
        for (size_t k = 0; k < c->nex; k++)
            cmp_expect_line(b, &c->er[k], 1);
    }
    return b->data ? HVP_OK : HVP_E_NOMEM;
}

static const char *expect_vec_name(const hvp_expect *e)
{
    return e->a64 ? a64_slot_name(e->vec) : arm_exc_name((arm_exc)e->vec);
}

void cmp_expect_line(hvp_buf *b, const expect_result *r, int md)
{
    const char *q = md ? "`" : "";
    if (!r->found)
        hvp_buf_printf(b, "%sFAIL %s%s:%s=%s%s: no snapshot is labelled '%s'\n", md ? "- " : "  ", q, r->ex.label,
                       expect_vec_name(&r->ex), hvp_verdict_name(r->ex.verdict), q, r->ex.label);
    else if (r->arch_mismatch)
        hvp_buf_printf(b, "%sFAIL %s%s:%s=%s%s: %s names an %s vector, but '%s' is an %s snapshot\n",
                       md ? "- " : "  ", q, r->ex.label, expect_vec_name(&r->ex), hvp_verdict_name(r->ex.verdict), q,
                       expect_vec_name(&r->ex), r->ex.a64 ? "AArch64" : "AArch32", r->ex.label,
                       r->ex.a64 ? "AArch32" : "AArch64");
    else
        hvp_buf_printf(b, "%s%s %s%s:%s=%s%s%s%s%s\n", md ? "- " : "  ", r->held ? "PASS" : "FAIL", q, r->ex.label,
                       expect_vec_name(&r->ex), hvp_verdict_name(r->ex.verdict), q,
                       r->held ? "" : " (got ", r->held ? "" : hvp_verdict_name(r->got), r->held ? "" : ")");
}

static json_t *lines_json(const diag_lines *d)
{
    json_t *a = json_array();
    for (int k = 0; k < d->n; k++)
        json_array_append_new(a, json_string(d->line[k]));
    return a;
}

static json_t *hexj(uint64_t v)
{
    char t[24];
    snprintf(t, sizeof t, "0x%08llx", (unsigned long long)v);
    return json_string(t);
}

int cmp_render_json(const cmp_ctx *c, hvp_buf *b)
{
    json_t *root = json_object(), *snaps = json_array();
    for (size_t i = 0; i < c->n; i++) {
        const hvp_analysis *a = &c->an[i];
        const hvp_snapshot *s = c->snaps[i];
        json_t *o = json_object(), *vecs = json_array(), *notes = json_array();
        json_object_set_new(o, "label", json_string(c->labels[i]));
        json_object_set_new(o, "machine", s->backend.machine ? json_string(s->backend.machine) : json_null());
        json_object_set_new(o, "accelerator", s->backend.accelerator ? json_string(s->backend.accelerator) : json_null());
        json_object_set_new(o, "mode", a->mode[0] ? json_string(a->mode) : json_null());
        json_object_set_new(o, "security_state", a->secure == HVP_UNKNOWN ? json_null()
                            : json_string(a->secure == HVP_YES ? "secure" : "non-secure"));
        json_object_set_new(o, "reduced_evidence", json_boolean(a->reduced));
        json_object_set_new(o, "arch", json_string(hvp_arch_name(a->arch)));
        for (int e = 0; e < a->nvec; e++) {
            const hvp_vector_report *v = &a->vec[e];
            json_t *j = json_object();
            json_object_set_new(j, "name", json_string(v->name));
            json_object_set_new(j, "offset", hexj(v->offset));
            json_object_set_new(j, "taken_to", json_string(v->taken_to));
            json_object_set_new(j, "fetch", v->fetch_known ? hexj(v->fetch) : json_null());
            json_object_set_new(j, "base_source", v->fetch_known ? json_string(v->base_source) : json_null());
            json_object_set_new(j, "word", v->have_word ? hexj(v->word) : json_null());
            json_object_set_new(j, "instruction", v->have_word ? json_string(v->insn) : json_null());
            json_object_set_new(j, "target", v->have_target ? hexj(v->target) : json_null());
            json_object_set_new(j, "target_symbol", v->target_sym[0] ? json_string(v->target_sym) : json_null());
            json_object_set_new(j, "region", v->region[0] ? json_string(v->region) : json_null());
            json_object_set_new(j, "verdict", json_string(hvp_verdict_name(v->verdict)));
            json_object_set_new(j, "reason", json_string(v->reason));
            if (a->arch == HVP_ARCH_AARCH64) {
                json_t *rh = json_array();
                static const char *const kn[] = { "sync", "irq", "fiq", "serror" };
                for (int k = 0; k < 4; k++)
                    if (v->raised_here & (1u << k))
                        json_array_append_new(rh, json_string(kn[k]));
                json_object_set_new(j, "raised_here", rh);
            }
            if (e == 6 || e == 7 || a->arch == HVP_ARCH_AARCH64)
                json_object_set_new(j, "masked", v->masked == HVP_UNKNOWN ? json_null() : json_boolean(v->masked == HVP_YES));
            json_array_append_new(vecs, j);
        }
        for (int k = 0; k < a->nnotes; k++)
            json_array_append_new(notes, json_string(a->notes[k]));
        json_object_set_new(o, "vectors", vecs);
        if (a->arch == HVP_ARCH_AARCH64) {
            json_t *rt = json_array();
            for (int k = 0; k < a->nroutes; k++) {
                const hvp_route_report *r = &a->routes[k];
                json_array_append_new(rt, json_pack("{s:s,s:b,s:o,s:o,s:o,s:s,s:s,s:o}", "kind", r->kind,
                                                    "taken", r->taken, "el", r->el ? json_integer(r->el) : json_null(),
                                                    "slot", r->slot[0] ? json_string(r->slot) : json_null(),
                                                    "fetch", r->fetch_known ? hexj(r->fetch) : json_null(),
                                                    "verdict", hvp_verdict_name(r->verdict), "why", r->why,
                                                    "masked", r->masked == HVP_UNKNOWN ? json_null()
                                                    : json_boolean(r->masked == HVP_YES)));
            }
            json_object_set_new(o, "routes", rt);
            json_object_set_new(o, "table", json_string(a->table_base));
        }
        json_object_set_new(o, "notes", notes);
        json_object_set_new(o, "suggestion", a->suggestion[0] ? json_string(a->suggestion) : json_null());
        json_array_append_new(snaps, o);
    }
    json_object_set_new(root, "snapshots", snaps);
    json_t *d = json_object();
    json_object_set_new(d, "chain", lines_json(&c->chain));
    json_object_set_new(d, "differs", lines_json(&c->differs));
    json_object_set_new(d, "same", lines_json(&c->same));
    json_object_set_new(d, "root_cause", lines_json(&c->cause));
    json_object_set_new(d, "warnings", lines_json(&c->warnings));
    json_object_set_new(d, "suggestions", lines_json(&c->suggestions));
    json_object_set_new(root, "diagnosis", d);
    json_t *ex = json_array();
    size_t failed = 0;
    for (size_t k = 0; k < c->nex; k++) {
        const expect_result *r = &c->er[k];
        json_array_append_new(ex, json_pack("{s:s,s:s,s:s,s:o,s:b}", "label", r->ex.label, "vector", expect_vec_name(&r->ex),
                                            "expected", hvp_verdict_name(r->ex.verdict),
                                            "got", r->found ? json_string(hvp_verdict_name(r->got)) : json_null(),
                                            "held", r->held));
        failed += !r->held;
    }
    json_object_set_new(root, "expectations", ex);
    json_object_set_new(root, "expectations_failed", json_integer((json_int_t)failed));
    char *t = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (!t)
        return HVP_E_NOMEM;
    int rc = hvp_buf_append(b, t, strlen(t));
    if (!rc)
        rc = hvp_buf_putc(b, '\n');
    free(t);
    return rc;
}
