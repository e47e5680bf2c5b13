/*
 * compare_text.c - a comparison for a terminal, the answer first: one
 * line per snapshot (label, backend, the SVC verdict and why in a few
 * words), the most likely root cause, the fix, then the vector table
 * (split into groups of snapshots that fit the width), the expectations.
 * With detail (compare -v): each vector's reason, the evidence chain,
 * every difference and the notes.  Prose wraps at word boundaries with a
 * hanging indent; addresses and symbols are never cut.
 */
#include "core/compare_internal.h"
#include "util/wrap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "vexpress.flash0 (romd)" -> "vexpress.flash0"; "" stays "". */
static void region_name(const char *r, char *out, size_t n)
{
    const char *cut = strstr(r, " (");
    const char *at = strstr(r, " at PA ");
    size_t len = strlen(r);
    if (cut && (size_t)(cut - r) < len)
        len = (size_t)(cut - r);
    if (at && (size_t)(at - r) < len)
        len = (size_t)(at - r);
    snprintf(out, n, "%.*s", (int)len, r);
}

/* The SVC verdict's reason in a few words, from the report's fields. */
static void short_reason(const hvp_vector_report *v, char *b, size_t n)
{
    char reg[96], in[112] = "", at[32] = "";
    region_name(v->region, reg, sizeof reg);
    if (reg[0])
        snprintf(in, sizeof in, " in %s", reg);
    if (v->fetch_known)
        snprintf(at, sizeof at, " at 0x%llx", (unsigned long long)v->fetch);
    const char *ipa = strstr(v->reason, "IPA 0x");
    switch (v->verdict) {
    case HVP_V_VALID:
        if (v->target_sym[0])
            snprintf(b, n, "handler %s", v->target_sym);
        else if (v->have_target)
            snprintf(b, n, "handler at 0x%llx", (unsigned long long)v->target);
        else
            snprintf(b, n, "code%s", at);
        return;
    case HVP_V_STUB:
        snprintf(b, n, "a handler that only loops%s", at);
        return;
    case HVP_V_ZERO_FILLED:
        snprintf(b, n, "zeros%s%s", at, in);
        return;
    case HVP_V_ERASED:
        snprintf(b, n, "erased flash%s%s", at, in);
        return;
    case HVP_V_DATA:
        snprintf(b, n, "%s%s%s", strstr(v->reason, "device tree") ? "device tree" : "data", at, in);
        return;
    case HVP_V_UNMAPPED:
        if (ipa && strstr(v->reason, "stage 2"))
            snprintf(b, n, "stage 2 maps nothing at IPA %.*s", (int)strcspn(ipa + 4, " :;,)"), ipa + 4);
        else if (strstr(v->reason, "translation"))
            snprintf(b, n, "no translation for VA 0x%llx", (unsigned long long)v->fetch);
        else
            snprintf(b, n, "no memory%s", at);
        return;
    case HVP_V_TARGET_UNMAPPED:
        snprintf(b, n, "jumps to 0x%llx, which is not code", (unsigned long long)v->target);
        return;
    case HVP_V_UNDEFINED:
        snprintf(b, n, "0x%08x%s is not an instruction", v->word, at);
        return;
    default:
        snprintf(b, n, "%.*s", (int)strcspn(v->reason, ":;("), v->reason);
        return;
    }
}

static int maxw(int a, const char *s)
{
    int w = hvp_text_width(s);
    return w > a ? w : a;
}

static void summary(const cmp_ctx *c, hvp_buf *b)
{
    int wl = 0, wb = 0;
    char be[160], why[400], line[600];
    for (size_t i = 0; i < c->n; i++) {
        const hvp_backend_facts *f = &c->snaps[i]->backend;
        snprintf(be, sizeof be, "%s %s", f->accelerator ? f->accelerator : "?", f->machine ? f->machine : "?");
        wl = maxw(wl, c->labels[i]);
        wb = maxw(wb, be);
    }
    for (size_t i = 0; i < c->n; i++) {
        const hvp_backend_facts *f = &c->snaps[i]->backend;
        const hvp_vector_report *v = &c->an[i].vec[c->an[i].key];
        snprintf(be, sizeof be, "%s %s", f->accelerator ? f->accelerator : "?", f->machine ? f->machine : "?");
        short_reason(v, why, sizeof why);
        hvp_buf_printf(b, "%-*s  %-*s  ", wl, c->labels[i], wb, be);
        snprintf(line, sizeof line, "%s: %s", hvp_verdict_name(v->verdict), why);
        int col = wl + wb + 4;
        /* Hang under the verdict, unless that leaves too little room. */
        int hang = c->width > 0 && c->width - col < 30 ? 4 : col;
        hvp_buf_wrap_at(b, line, c->width, col, hang);
    }
}

/* "LABEL: text" -> the index of LABEL, or -1. */
static int labelled(const cmp_ctx *c, const char *line, const char **rest)
{
    for (size_t i = 0; i < c->n; i++) {
        size_t l = strlen(c->labels[i]);
        if (!strncmp(line, c->labels[i], l) && line[l] == ':' && line[l + 1] == ' ') {
            *rest = line + l + 2;
            return (int)i;
        }
    }
    return -1;
}

/* A section's lines as wrapped bullets; lines that say the same thing of
 * several snapshots ("a: X", "b: X") become one ("a, b: X"). */
static void bullets(const cmp_ctx *c, hvp_buf *b, const char *title, const diag_lines *d, int merge)
{
    if (!d->n)
        return;
    hvp_buf_printf(b, "\n%s:\n", title);
    int done[DIAG_MAX] = { 0 };
    for (int k = 0; k < d->n; k++) {
        if (done[k])
            continue;
        const char *rest, *r2;
        if (!merge || labelled(c, d->line[k], &rest) < 0) {
            hvp_buf_wrap(b, d->line[k], c->width, 2, 4);
            continue;
        }
        hvp_buf who = { 0 };
        hvp_buf_append(&who, d->line[k], (size_t)(rest - 2 - d->line[k]));
        for (int j = k + 1; j < d->n; j++)
            if (!done[j] && labelled(c, d->line[j], &r2) >= 0 && !strcmp(rest, r2)) {
                hvp_buf_printf(&who, ", %.*s", (int)(r2 - 2 - d->line[j]), d->line[j]);
                done[j] = 1;
            }
        hvp_buf_printf(&who, ": %s", rest);
        if (who.data)
            hvp_buf_wrap(b, who.data, c->width, 2, 4);
        hvp_buf_free(&who);
    }
}

/* The table, rows = what is compared, columns = snapshots, split into
 * groups of columns that fit the width (all in one group when width is 0). */
static void table(const cmp_ctx *c, hvp_buf *b)
{
    int nr = cmp_nrows(c), wn = 0;
    int *w = calloc(c->n, sizeof *w);
    char cell[256];
    if (!w)
        return;
    for (int r = 0; r < nr; r++)
        wn = maxw(wn, cmp_row_name(c, r));
    for (size_t i = 0; i < c->n; i++)
        for (int r = 0; r < nr; r++)
            w[i] = maxw(w[i], cmp_cell(c, r, i, cell, sizeof cell));
    for (size_t g = 0; g < c->n;) {
        size_t end = g + 1;
        int used = wn + 2 + w[g];
        while (end < c->n && (c->width <= 0 || used + 2 + w[end] <= c->width))
            used += 2 + w[end++];
        hvp_buf_putc(b, '\n');
        for (int r = 0; r < nr; r++) {
            hvp_buf_printf(b, "%-*s", wn, cmp_row_name(c, r));
            for (size_t i = g; i < end; i++) {
                const char *t = cmp_cell(c, r, i, cell, sizeof cell);
                /* no trailing blanks: the last column is not padded */
                hvp_buf_printf(b, "  %-*s", i + 1 < end ? w[i] : 0, t);
            }
            hvp_buf_putc(b, '\n');
        }
        g = end;
    }
    free(w);
}

static void vectors(const cmp_ctx *c, hvp_buf *b)
{
    hvp_buf_printf(b, "\nvectors:\n");
    for (size_t i = 0; i < c->n; i++)
        for (int e = 0; e < c->an[i].nvec; e++) {
            const hvp_vector_report *v = &c->an[i].vec[e];
            char *line = NULL, word[24] = "";
            if (v->have_word)
                snprintf(word, sizeof word, " 0x%08x", v->word);
            if (asprintf(&line, "%s %s%s: %s: %s", c->labels[i], v->name, word, hvp_verdict_name(v->verdict),
                         v->reason) >= 0)
                hvp_buf_wrap(b, line, c->width, 2, 6);
            free(line);
        }
}

/* AArch64: where each kind of exception raised at capture goes. */
static void routes64(const cmp_ctx *c, hvp_buf *b)
{
    hvp_buf_printf(b, "\nroutes (exceptions raised at capture):\n");
    for (size_t i = 0; i < c->n; i++)
        for (int k = 0; k < c->an[i].nroutes; k++) {
            const hvp_route_report *r = &c->an[i].routes[k];
            char *line = NULL;
            if (asprintf(&line, "%s %s: %s%s%s", c->labels[i], r->kind, r->taken ? hvp_verdict_name(r->verdict) : "",
                         r->taken ? ": " : "", r->why) >= 0)
                hvp_buf_wrap(b, line, c->width, 2, 6);
            free(line);
        }
}

int cmp_render_text(const cmp_ctx *c, hvp_buf *b)
{
    int a64 = c->an[0].arch == HVP_ARCH_AARCH64;
    const char *chain = a64 ? "Evidence chain (synchronous)" : "Evidence chain (SVC)";
    hvp_buf_printf(b, "hvprobe compare: %zu snapshot%s, the %s of %s:\n\n", c->n, c->n == 1 ? "" : "s",
                   a64 ? "AArch64 synchronous slot" : "SVC vector",
                   c->n == 1 ? "it" : "each");
    summary(c, b);
    bullets(c, b, "Most likely root cause", &c->cause, 1);
    bullets(c, b, "Suggested fix", &c->suggestions, 1);
    table(c, b);
    if (c->detail) {
        vectors(c, b);
        if (a64)
            routes64(c, b);
        bullets(c, b, chain, &c->chain, 0);
        bullets(c, b, "What differs", &c->differs, 0);
        bullets(c, b, "What is the same", &c->same, 0);
        bullets(c, b, "Evidence notes and warnings", &c->warnings, 0);
    }
    if (c->nex) {
        hvp_buf_printf(b, "\nexpectations:\n");
        for (size_t k = 0; k < c->nex; k++)
            cmp_expect_line(b, &c->er[k], 0);
    }
    if (!c->detail) {
        char more[200];
        if (c->warnings.n)
            snprintf(more, sizeof more, "(-v adds each vector's reason, %sthe evidence chain (%s), what differs "
                     "and %d note%s on the evidence)", a64 ? "the routes, " : "", a64 ? "synchronous" : "SVC",
                     c->warnings.n, c->warnings.n == 1 ? "" : "s");
        else
            snprintf(more, sizeof more, "(-v adds each vector's reason, %sthe evidence chain (%s) and what differs)",
                     a64 ? "the routes, " : "", a64 ? "synchronous" : "SVC");
        hvp_buf_putc(b, '\n');
        hvp_buf_wrap(b, more, c->width, 0, 1);
    }
    return b->data ? HVP_OK : HVP_E_NOMEM;
}
