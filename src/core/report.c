/*
 * report.c - hvp_report_render(): gather what the report shows (each
 * snapshot's analysis and memory-map model, the diagnosis and the
 * expectation results of hvp_compare()) and hand it to the HTML or
 * Markdown renderer; hvp_report_save() writes the result atomically.
 *
 * The diagnosis is not recomputed here: hvp_compare() renders it as JSON
 * and this file reads that JSON back, so the report always says exactly
 * what `hvprobe compare` says.
 */
#include "util/outfile.h"
#include "core/report_internal.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <jansson.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const hvp_report_diag_titles[REP_ND] = {
    "Evidence chain (SVC)", "What differs", "What is the same", "Most likely root cause",
    "Evidence notes and warnings", "Suggested fix"
};

const char *hvp_report_diag_title(const rep_ctx *c, int k)
{
    if (k == 0 && c->n && c->an[0].arch == HVP_ARCH_AARCH64)
        return "Evidence chain (synchronous)";
    return hvp_report_diag_titles[k];
}

void hvp_report_printf(rep_out *o, const char *fmt, ...)
{
    if (o->oom)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        o->oom = 1;
        return;
    }
    char small[256];
    char *p = (size_t)n < sizeof small ? small : malloc((size_t)n + 1);
    if (!p) {
        o->oom = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    if (hvp_buf_append(&o->b, p, (size_t)n))
        o->oom = 1;
    if (p != small)
        free(p);
}

void hvp_report_puts(rep_out *o, const char *s)
{
    if (!o->oom && s && hvp_buf_append(&o->b, s, strlen(s)))
        o->oom = 1;
}

void hvp_report_html(rep_out *o, const char *s)
{
    for (; s && *s && !o->oom; s++) {
        const char *e = NULL;
        switch (*s) {
        case '&': e = "&amp;"; break;
        case '<': e = "&lt;"; break;
        case '>': e = "&gt;"; break;
        case '"': e = "&quot;"; break;
        case '\'': e = "&#39;"; break;
        default: break;
        }
        /* Control characters other than tab/newline are not valid in
         * XML (the SVG) and never meaningful here. */
        if (!e && (unsigned char)*s < 0x20 && *s != '\t' && *s != '\n')
            e = " ";
        if (e)
            hvp_report_puts(o, e);
        else if (hvp_buf_putc(&o->b, *s))
            o->oom = 1;
    }
}

/* Escapes only what Markdown would interpret inside a line: table pipes,
 * backslashes, code and emphasis marks, HTML tags, link brackets.  An
 * underscore inside a word (svc_handler) is literal in CommonMark and
 * stays unescaped, so the raw text stays readable. */
void hvp_report_md(rep_out *o, const char *s)
{
    const char *start = s;
    for (; s && *s && !o->oom; s++) {
        char c = *s;
        int inword = s > start && isalnum((unsigned char)s[-1]) && isalnum((unsigned char)s[1]);
        if (c == '\n' || c == '\r' || c == '\t') {
            c = ' ';
        } else if (strchr("|\\`*<[", c) || (c == '_' && !inword)) {
            if (hvp_buf_putc(&o->b, '\\'))
                o->oom = 1;
        }
        if (hvp_buf_putc(&o->b, c))
            o->oom = 1;
    }
}

const char *hvp_report_cpu_at_capture(const hvp_snapshot *s, char *buf, size_t n)
{
    const char *sec = s->cpu.secure == HVP_YES ? "Secure" : s->cpu.secure == HVP_NO ? "Non-secure"
                                                                                      : "security state unknown";
    if (s->cpu.have_core)
        snprintf(buf, n, "%s, %s", hvp_snapshot_mode(s), sec);
    else
        snprintf(buf, n, "unknown (no CPSR), %s", sec);
    return buf;
}

const char *hvp_report_core(const hvp_snapshot *s, char *buf, size_t n)
{
    if (s->arch == HVP_ARCH_AARCH64)
        snprintf(buf, n, "PC 0x%llx, SP 0x%llx, PSTATE 0x%08x (%s)", (unsigned long long)s->cpu.pc,
                 (unsigned long long)s->cpu.sp, s->cpu.pstate, hvp_a64_mode_name(s->cpu.pstate));
    else
        snprintf(buf, n, "PC 0x%08x, CPSR 0x%08x", s->cpu.r[15], s->cpu.cpsr);
    return buf;
}

const char *hvp_report_backend(const hvp_snapshot *s, char *buf, size_t n)
{
    const hvp_backend_facts *f = &s->backend;
    snprintf(buf, n, "%s%s", f->accelerator ? f->accelerator : "accelerator unknown",
             f->kvm_enabled == HVP_YES ? " (KVM enabled)" : f->kvm_enabled == HVP_NO ? " (KVM disabled)" : "");
    return buf;
}

const char *hvp_report_channels(const hvp_snapshot *s, char *buf, size_t n)
{
    static const struct { unsigned bit; const char *name; } ch[] = {
        { HVP_CH_QMP, "qmp" }, { HVP_CH_HMP, "hmp" }, { HVP_CH_GDB, "gdb" }
    };
    size_t off = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof ch / sizeof ch[0]; i++)
        if ((s->channels & ch[i].bit) && off < n) {
            int k = snprintf(buf + off, n - off, "%s%s", off ? ", " : "", ch[i].name);
            if (k > 0)
                off += (size_t)k;
        }
    return buf;
}

const char *hvp_report_vector_base(const hvp_analysis *a, char *buf, size_t n)
{
    const hvp_vector_report *v = &a->vec[a->key];
    if (!v->fetch_known)
        snprintf(buf, n, "unknown");
    else
        snprintf(buf, n, "0x%08llx (%s)", (unsigned long long)(v->fetch - v->offset), v->base_source);
    return buf;
}

const char *hvp_report_target(const hvp_vector_report *v, char *buf, size_t n)
{
    if (!v->have_target)
        snprintf(buf, n, "%s", "");
    else if (v->target_sym[0])
        snprintf(buf, n, "0x%08llx %s", (unsigned long long)v->target, v->target_sym);
    else
        snprintf(buf, n, "0x%08llx", (unsigned long long)v->target);
    return buf;
}

static int lines_from_json(rep_lines *l, json_t *arr)
{
    size_t k;
    json_t *v;
    if (!json_is_array(arr))
        return HVP_OK;
    l->line = calloc(json_array_size(arr) + 1, sizeof *l->line);
    if (!l->line)
        return HVP_E_NOMEM;
    json_array_foreach(arr, k, v) {
        if (!json_is_string(v))
            continue;
        if (!(l->line[l->n] = strdup(json_string_value(v))))
            return HVP_E_NOMEM;
        l->n++;
    }
    return HVP_OK;
}

static const char *jstr(json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    return v ? v : "?";
}

/* Run hvp_compare() with JSON output and read back the diagnosis and the
 * expectation results. */
static int diagnose(rep_ctx *c, const char *const *names, hvp_error *err)
{
    hvp_compare_opts co = { .format = HVP_FMT_JSON, .expect = c->o->expect, .nexpect = c->o->nexpect };
    char *text = NULL;
    int rc = hvp_compare(c->snaps, names, c->n, &co, &text, &c->failed, err);
    if (rc)
        return rc;
    json_error_t je;
    json_t *root = json_loads(text, 0, &je);
    free(text);
    if (!root)
        return hvp_fail(err, HVP_E_INTERNAL, "cannot read the comparison back: %s", je.text);
    static const char *const keys[REP_ND] = { "chain", "differs", "same", "root_cause", "warnings", "suggestions" };
    json_t *d = json_object_get(root, "diagnosis");
    for (int k = 0; !rc && k < REP_ND; k++)
        rc = lines_from_json(&c->diag[k], json_object_get(d, keys[k]));
    json_t *ex = json_object_get(root, "expectations");
    size_t nex = json_is_array(ex) ? json_array_size(ex) : 0;
    if (!rc && nex && !(c->ex = calloc(nex, sizeof *c->ex)))
        rc = HVP_E_NOMEM;
    for (size_t k = 0; !rc && k < nex; k++) {
        json_t *e = json_array_get(ex, k);
        const char *got = json_string_value(json_object_get(e, "got"));
        snprintf(c->ex[k].text, sizeof c->ex[k].text, "%s:%s=%s", jstr(e, "label"), jstr(e, "vector"),
                 jstr(e, "expected"));
        c->ex[k].found = got != NULL;
        c->ex[k].held = json_is_true(json_object_get(e, "held"));
        snprintf(c->ex[k].got, sizeof c->ex[k].got, "%s", got ? got : "");
        c->nex++;
    }
    json_decref(root);
    if (rc)
        return hvp_fail(err, rc, "out of memory while reading the diagnosis");
    return HVP_OK;
}

static void ctx_free(rep_ctx *c)
{
    for (size_t i = 0; c->maps && i < c->n; i++)
        hvp_report_map_free(&c->maps[i]);
    for (int k = 0; k < REP_ND; k++) {
        for (size_t j = 0; j < c->diag[k].n; j++)
            free(c->diag[k].line[j]);
        free(c->diag[k].line);
    }
    free(c->maps);
    free(c->labels);
    free(c->an);
    free(c->ex);
}

int hvp_report_render(const hvp_snapshot *const *snaps, const char *const *names, size_t n,
                      const hvp_report_opts *o, char **out, size_t *failed, hvp_error *err)
{
    *out = NULL;
    *failed = 0;
    if (!n)
        return hvp_fail(err, HVP_E_INVAL, "nothing to report: give at least one snapshot");
    rep_ctx c = { 0 };
    c.o = o;
    c.n = n;
    c.snaps = snaps;
    if (o->title && *o->title)
        snprintf(c.title, sizeof c.title, "%s", o->title);
    else
        snprintf(c.title, sizeof c.title, "hvprobe report: %zu snapshot%s", n, n == 1 ? "" : "s");
    c.labels = calloc(n, sizeof *c.labels);
    c.an = calloc(n, sizeof *c.an);
    c.maps = calloc(n, sizeof *c.maps);
    int rc = HVP_OK;
    if (!c.labels || !c.an || !c.maps)
        rc = hvp_fail(err, HVP_E_NOMEM, "out of memory");
    for (size_t i = 0; !rc && i < n; i++) {
        c.labels[i] = snaps[i]->label && *snaps[i]->label ? snaps[i]->label : names[i];
        rc = hvp_analyse(snaps[i], &c.an[i], err);
        if (!rc && hvp_report_map_build(snaps[i], &c.an[i], &c.maps[i]))
            rc = hvp_fail(err, HVP_E_NOMEM, "out of memory while drawing the memory map");
    }
    if (!rc)
        rc = diagnose(&c, names, err);
    if (!rc) {
        rep_out w = { { 0 }, 0 };
        if (o->format == HVP_REPORT_MARKDOWN)
            hvp_report_render_md(&w, &c);
        else
            hvp_report_render_html(&w, &c);
        if (w.oom || !w.b.data) {
            rc = hvp_fail(err, HVP_E_NOMEM, "out of memory while rendering the report");
            hvp_buf_free(&w.b);
        } else {
            *out = hvp_buf_steal(&w.b);
            *failed = c.failed;
        }
    }
    ctx_free(&c);
    return rc;
}

/* Write all of text to fd; HVP_OK or HVP_E_IO with the reason. */
int hvp_report_save(const char *path, const char *text, hvp_error *err)
{
    return hvp_write_output(path, "report", text, strlen(text), err);
}

int hvp_document_save(const char *path, const char *text, hvp_error *err)
{
    return hvp_write_output(path, "output", text, strlen(text), err);
}
