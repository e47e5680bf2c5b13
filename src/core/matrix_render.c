/*
 * matrix_render.c - a whole routing matrix as the terminal table, the JSON
 * document and the HTML page (hvprobe/matrix.h).
 *
 * A cell shows what the guest did, then hvprobe's verdict for the vector:
 *   svc32 valid            the probe's handler ran in svc32; hvprobe: valid
 *   silent zero-filled     no handler ran; hvprobe: the slot is zeros
 *   hyp-trap unmapped      the probe's own Hyp took a stage-2 fault
 *   hv-fault unmapped      the backend's hypervisor reported a fault
 *   not-taken valid        the backend never delivered the exception
 *   n/a                    the probe cannot run there (no Hyp mode)
 * and "!" after a cell whose two answers disagree.
 */
#include "core/report_internal.h"
#include "hvprobe/matrix.h"
#include "hvprobe/snapshot.h"
#include "hvprobe/text.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int done(const hvp_matrix *m, int e, int p, int k)
{
    return m->have[e][p][k] && m->cells[e][p][k].status == HVP_MX_DONE;
}

/* What a backend did with the row, as a comparable key ("" when it did
 * not run it or the probe could not run there). */
static void behaviour(const hvp_matrix_cell *c, char *key, size_t n)
{
    key[0] = '\0';
    if (c->status != HVP_MX_DONE || c->outcome == HVP_MX_NA || c->outcome == HVP_MX_NONE)
        return;
    snprintf(key, n, "%s %s", hvp_matrix_outcome_name(c->outcome), c->outcome == HVP_MX_ENTERED ? c->guest_mode : "");
}

int hvp_matrix_row_diverges(const hvp_matrix *m, int e, int p)
{
    char first[48] = "", key[48];
    for (int k = 0; k < HVP_MX_NCOL; k++) {
        if (!m->col_on[k] || !done(m, e, p, k))
            continue;
        behaviour(&m->cells[e][p][k], key, sizeof key);
        if (!key[0])
            continue;
        if (!first[0])
            snprintf(first, sizeof first, "%s", key);
        else if (strcmp(first, key))
            return 1;
    }
    return 0;
}

void hvp_matrix_count(const hvp_matrix *m, hvp_matrix_counts *out)
{
    memset(out, 0, sizeof *out);
    for (int e = 0; e < HVP_MX_NEXC; e++)
        for (int p = 0; p < HVP_MX_NPLACE; p++) {
            if (!m->exc_on[e] || !m->place_on[p])
                continue;
            out->diverging_rows += hvp_matrix_row_diverges(m, e, p);
            for (int k = 0; k < HVP_MX_NCOL; k++) {
                if (!m->col_on[k])
                    continue;
                out->cells++;
                const hvp_matrix_cell *c = &m->cells[e][p][k];
                if (!m->have[e][p][k]) {
                    out->missing++;
                    continue;
                }
                switch (c->status) {
                case HVP_MX_DONE:
                    out->done++;
                    out->agree += c->agree == HVP_YES;
                    out->disagree += c->agree == HVP_NO;
                    out->unknown += c->agree == HVP_UNKNOWN;
                    break;
                case HVP_MX_SKIPPED: out->skipped++; break;
                case HVP_MX_TIMEOUT: out->timeout++; break;
                default: out->error++; break;
                }
            }
        }
}

/* A paragraph, wrapped to width (0: one line). */
static void prose(rep_out *o, int width, const char *text)
{
    char *t = hvp_text_wrap("", text, width, 2);
    if (!t)
        o->oom = 1;
    else
        hvp_report_puts(o, t);
    free(t);
}

static const char *outcome_short(const hvp_matrix_cell *c)
{
    switch (c->outcome) {
    case HVP_MX_ENTERED: return c->guest_mode;
    case HVP_MX_TRAPPED: return "hyp-trap";
    case HVP_MX_HYPERVISOR: return "hv-fault";
    case HVP_MX_SILENT: return "silent";
    case HVP_MX_NOT_TAKEN: return "not-taken";
    case HVP_MX_NA: return "n/a";
    default: return "?";
    }
}

static void cell_text(const hvp_matrix *m, int e, int p, int k, char *buf, size_t n)
{
    const hvp_matrix_cell *c = &m->cells[e][p][k];
    if (!m->have[e][p][k])
        snprintf(buf, n, "-");
    else if (c->status == HVP_MX_SKIPPED)
        snprintf(buf, n, "skipped");
    else if (c->status == HVP_MX_TIMEOUT)
        snprintf(buf, n, "TIMEOUT");
    else if (c->status == HVP_MX_ERROR)
        snprintf(buf, n, "ERROR");
    else if (c->outcome == HVP_MX_NA || !c->have_verdict)
        snprintf(buf, n, "%s", outcome_short(c));
    else
        snprintf(buf, n, "%s %s%s%s", outcome_short(c), hvp_verdict_name(c->verdict),
                 c->masked == HVP_YES ? "(masked)" : "", c->agree == HVP_NO ? " !" : "");
}

/* A column is skipped as a whole: every cell it has is SKIPPED. */
static const char *column_skip(const hvp_matrix *m, int k)
{
    if (m->col_skip[k][0])
        return m->col_skip[k];
    const char *why = NULL;
    for (int e = 0; e < HVP_MX_NEXC; e++)
        for (int p = 0; p < HVP_MX_NPLACE; p++) {
            if (!m->exc_on[e] || !m->place_on[p])
                continue;
            if (!m->have[e][p][k] || m->cells[e][p][k].status != HVP_MX_SKIPPED)
                return NULL;
            why = m->cells[e][p][k].message;
        }
    return why;
}

char *hvp_matrix_render_text(const hvp_matrix *m, int width, hvp_error *err)
{
    rep_out o = { 0 };
    int cols[HVP_MX_NCOL], ncols = 0, colw[HVP_MX_NCOL];
    char buf[128];
    for (int k = 0; k < HVP_MX_NCOL; k++) {
        if (!m->col_on[k] || column_skip(m, k))
            continue;
        int w = (int)strlen(hvp_matrix_column_at(k)->name);
        for (int e = 0; e < HVP_MX_NEXC; e++)
            for (int p = 0; p < HVP_MX_NPLACE; p++)
                if (m->exc_on[e] && m->place_on[p]) {
                    cell_text(m, e, p, k, buf, sizeof buf);
                    if ((int)strlen(buf) > w)
                        w = (int)strlen(buf);
                }
        colw[ncols] = w;
        cols[ncols++] = k;
    }
    const int roww = 14;    /* "serror s2" and room */
    for (int g0 = 0; g0 < ncols || (g0 == 0 && ncols == 0);) {
        /* As many columns as fit the width (at least one). */
        int g1 = g0, used = roww;
        while (g1 < ncols && (g1 == g0 || !width || used + 2 + colw[g1] <= width - 2))
            used += 2 + colw[g1++];
        hvp_report_printf(&o, "%-*s", roww, "exception");
        for (int i = g0; i < g1; i++)
            hvp_report_printf(&o, "  %-*s", i + 1 < g1 ? colw[i] : 0, hvp_matrix_column_at(cols[i])->name);
        hvp_report_puts(&o, "\n");
        for (int e = 0; e < HVP_MX_NEXC; e++)
            for (int p = 0; p < HVP_MX_NPLACE; p++) {
                if (!m->exc_on[e] || !m->place_on[p])
                    continue;
                snprintf(buf, sizeof buf, "%s %s", hvp_matrix_exc_name(e), hvp_matrix_place_name(p));
                hvp_report_printf(&o, "%-*s", roww, buf);
                for (int i = g0; i < g1; i++) {
                    cell_text(m, e, p, cols[i], buf, sizeof buf);
                    hvp_report_printf(&o, "  %-*s", i + 1 < g1 ? colw[i] : 0, buf);
                }
                hvp_report_puts(&o, hvp_matrix_row_diverges(m, e, p) ? "  *\n" : "\n");
            }
        if (g1 == g0)
            break;
        g0 = g1;
        if (g0 < ncols)
            hvp_report_puts(&o, "\n");
    }
    hvp_report_puts(&o, "\n");
    prose(&o, width, "Each cell: what the probe guest did (the mode its handler ran in; silent: no handler ran; "
                     "hyp-trap: its own Hyp took a stage-2 fault; hv-fault: the hypervisor reported a fault; "
                     "not-taken: the exception never came), then hvprobe's verdict for that vector from a capture "
                     "at the raising instruction. '!': the two disagree; '*': the backends behave differently.");
    char line[1024];
    for (int p = 0; p < HVP_MX_NPLACE; p++)
        if (m->place_on[p]) {
            snprintf(line, sizeof line, "%s: %s", hvp_matrix_place_name(p), hvp_matrix_place_text(p));
            prose(&o, width, line);
        }
    for (int k = 0; k < HVP_MX_NCOL; k++) {
        const char *why = m->col_on[k] ? column_skip(m, k) : NULL;
        if (why) {
            snprintf(line, sizeof line, "Skipped %s: %s", hvp_matrix_column_at(k)->name, why);
            prose(&o, width, line);
        }
    }
    /* Disagreements and failures, each with its reason. */
    for (int e = 0; e < HVP_MX_NEXC; e++)
        for (int p = 0; p < HVP_MX_NPLACE; p++)
            for (int k = 0; k < HVP_MX_NCOL; k++) {
                const hvp_matrix_cell *c = &m->cells[e][p][k];
                if (!m->exc_on[e] || !m->place_on[p] || !m->col_on[k] || !m->have[e][p][k] || column_skip(m, k))
                    continue;
                hvp_matrix_cell_id(e, p, k, buf, sizeof buf);
                if (c->status == HVP_MX_DONE && c->agree == HVP_NO)
                    snprintf(line, sizeof line, "DISAGREE %s: %s (guest: %s)", buf, c->why, c->line);
                else if (c->status == HVP_MX_TIMEOUT || c->status == HVP_MX_ERROR || c->status == HVP_MX_SKIPPED)
                    snprintf(line, sizeof line, "%s %s: %s", c->status == HVP_MX_TIMEOUT ? "TIMEOUT" :
                             c->status == HVP_MX_ERROR ? "ERROR" : "skipped", buf, c->message);
                else
                    continue;
                prose(&o, width, line);
            }
    hvp_matrix_counts n;
    hvp_matrix_count(m, &n);
    char sum[600];
    int k = snprintf(sum, sizeof sum, "%d cells: %d agree, %d disagree, %d without a route to compare (n/a or not "
                     "delivered)", n.cells, n.agree, n.disagree, n.unknown);
#define SUM(...) (k += snprintf(sum + k, sizeof sum - (size_t)k, __VA_ARGS__))
    if (n.skipped)
        SUM(", %d skipped", n.skipped);
    if (n.timeout || n.error)
        SUM(", %d timed out, %d failed", n.timeout, n.error);
    if (n.missing)
        SUM(", %d not run yet", n.missing);
    SUM("; %d row%s where the backends differ", n.diverging_rows, n.diverging_rows == 1 ? "" : "s");
    if (m->wall_s > 0)
        SUM("; %.1f s with %d job%s", m->wall_s, m->jobs, m->jobs == 1 ? "" : "s");
#undef SUM
    snprintf(sum + k, sizeof sum - (size_t)k, ".");
    prose(&o, width, sum);
    if (o.oom) {
        hvp_buf_free(&o.b);
        hvp_fail(err, HVP_E_NOMEM, "out of memory");
        return NULL;
    }
    return hvp_buf_steal(&o.b);
}

char *hvp_matrix_render_json(const hvp_matrix *m, hvp_error *err)
{
    json_t *root = json_object(), *cols = json_array(), *cells = json_array(), *sum = json_object();
    for (int k = 0; k < HVP_MX_NCOL; k++) {
        if (!m->col_on[k])
            continue;
        const hvp_matrix_column *c = hvp_matrix_column_at(k);
        const char *why = column_skip(m, k);
        json_array_append_new(cols, json_pack("{s:s,s:s,s:s,s:s,s:s?}", "name", c->name, "backend", c->backend,
                                              "machine", c->machine, "status", why ? "skipped" : "ran", "reason",
                                              why));
    }
    for (int e = 0; e < HVP_MX_NEXC; e++)
        for (int p = 0; p < HVP_MX_NPLACE; p++)
            for (int k = 0; k < HVP_MX_NCOL; k++) {
                if (!m->exc_on[e] || !m->place_on[p] || !m->col_on[k] || !m->have[e][p][k])
                    continue;
                char *t = hvp_matrix_cell_to_json(&m->cells[e][p][k], err);
                json_t *c = t ? json_loads(t, 0, NULL) : NULL;
                free(t);
                if (c) {
                    json_object_del(c, "format");
                    json_object_del(c, "version");
                    json_array_append_new(cells, c);
                }
            }
    hvp_matrix_counts n;
    hvp_matrix_count(m, &n);
    json_t *rows = json_array();
    for (int e = 0; e < HVP_MX_NEXC; e++)
        for (int p = 0; p < HVP_MX_NPLACE; p++)
            if (m->exc_on[e] && m->place_on[p] && hvp_matrix_row_diverges(m, e, p)) {
                char r[32];
                snprintf(r, sizeof r, "%s.%s", hvp_matrix_exc_name(e), hvp_matrix_place_name(p));
                json_array_append_new(rows, json_string(r));
            }
    json_object_set_new(sum, "cells", json_integer(n.cells));
    json_object_set_new(sum, "agree", json_integer(n.agree));
    json_object_set_new(sum, "disagree", json_integer(n.disagree));
    json_object_set_new(sum, "no_route_to_compare", json_integer(n.unknown));
    json_object_set_new(sum, "skipped", json_integer(n.skipped));
    json_object_set_new(sum, "timeout", json_integer(n.timeout));
    json_object_set_new(sum, "error", json_integer(n.error));
    json_object_set_new(sum, "missing", json_integer(n.missing));
    json_object_set_new(sum, "diverging_rows", rows);
    if (m->wall_s > 0) {
        json_object_set_new(sum, "seconds", json_real(m->wall_s));
        json_object_set_new(sum, "jobs", json_integer(m->jobs));
    }
    json_object_set_new(root, "format", json_string("hvprobe-matrix"));
    json_object_set_new(root, "version", json_integer(1));
    json_object_set_new(root, "hvprobe", json_string(HVP_VERSION));
    json_object_set_new(root, "backends", cols);
    json_object_set_new(root, "summary", sum);
    json_object_set_new(root, "cells", cells);
    char *t = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (!t)
        hvp_fail(err, HVP_E_NOMEM, "out of memory");
    return t;
}

static const char *page_css =
    "body{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;font-size:14px;color:#1d1d1f;max-width:1400px;"
    "margin:0 auto;padding:16px 24px}h1{font-size:22px;margin:4px 0}p.lead{color:#555}\n"
    "table{border-collapse:collapse;margin:10px 0}th,td{border:1px solid #d6d6d6;padding:4px 7px;text-align:left;"
    "vertical-align:top}th{background:#f3f3f3}td.ok{background:#e8f5e9}td.bad{background:#ffcdd2;font-weight:600}"
    "td.na{background:#f5f5f5;color:#777}td.fail{background:#fff3e0}tr.div th{background:#fff8e1}"
    "tr.div th:first-child::after{content:' *';color:#e65100}small{color:#555}\n"
    "ul li{margin:3px 0}footer{margin-top:24px;color:#777;font-size:12px;border-top:1px solid #eee}\n";

char *hvp_matrix_render_html(const hvp_matrix *m, hvp_error *err)
{
    rep_out o = { 0 };
    hvp_matrix_counts n;
    hvp_matrix_count(m, &n);
    hvp_report_printf(&o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>hvprobe "
                      "exception-routing matrix</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>Exception-routing "
                      "matrix</h1>\n<p class=\"lead\">Each row is a probe guest that takes one exception under one "
                      "vector placement; each column a backend. A cell shows what the guest itself reported (the "
                      "mode its handler ran in, or that none ran) and hvprobe's verdict for that vector, computed "
                      "from a capture at the raising instruction. <b>Red</b>: the two disagree (a bug in hvprobe's "
                      "model, or the backend's). <b>*</b> rows: the backends behave differently.</p>\n",
                      page_css);
    hvp_report_printf(&o, "<p>%d cells: %d agree, %d disagree, %d without a route to compare, %d skipped, %d timed "
                      "out, %d failed, %d not run; %d rows where the backends differ.</p>\n",
                      n.cells, n.agree, n.disagree, n.unknown, n.skipped, n.timeout, n.error, n.missing,
                      n.diverging_rows);
    hvp_report_puts(&o, "<table>\n<tr><th>exception</th><th>placement</th>");
    for (int k = 0; k < HVP_MX_NCOL; k++)
        if (m->col_on[k] && !column_skip(m, k))
            hvp_report_printf(&o, "<th>%s</th>", hvp_matrix_column_at(k)->name);
    hvp_report_puts(&o, "</tr>\n");
    char buf[128];
    for (int e = 0; e < HVP_MX_NEXC; e++)
        for (int p = 0; p < HVP_MX_NPLACE; p++) {
            if (!m->exc_on[e] || !m->place_on[p])
                continue;
            hvp_report_printf(&o, "<tr%s><th>%s</th><th title=\"", hvp_matrix_row_diverges(m, e, p) ? " class=\"div\"" : "",
                              hvp_matrix_exc_name(e));
            hvp_report_html(&o, hvp_matrix_place_text(p));
            hvp_report_printf(&o, "\">%s</th>", hvp_matrix_place_name(p));
            for (int k = 0; k < HVP_MX_NCOL; k++) {
                if (!m->col_on[k] || column_skip(m, k))
                    continue;
                const hvp_matrix_cell *c = &m->cells[e][p][k];
                const char *cls = !m->have[e][p][k] || c->status != HVP_MX_DONE ? "fail"
                                  : c->agree == HVP_YES ? "ok" : c->agree == HVP_NO ? "bad" : "na";
                cell_text(m, e, p, k, buf, sizeof buf);
                hvp_report_printf(&o, "<td class=\"%s\" title=\"", cls);
                hvp_report_html(&o, c->status == HVP_MX_DONE ? c->why : c->message);
                hvp_report_puts(&o, "\">");
                if (c->snapshot[0]) {
                    hvp_report_puts(&o, "<a href=\"cells/");
                    hvp_report_html(&o, c->snapshot);
                    hvp_report_puts(&o, "\">");
                }
                hvp_report_html(&o, buf);
                hvp_report_puts(&o, c->snapshot[0] ? "</a>" : "");
                if (c->status == HVP_MX_DONE && c->line[0]) {
                    hvp_report_puts(&o, "<br><small>");
                    hvp_report_html(&o, c->line);
                    hvp_report_puts(&o, "</small>");
                }
                hvp_report_puts(&o, "</td>");
            }
            hvp_report_puts(&o, "</tr>\n");
        }
    hvp_report_puts(&o, "</table>\n<ul>\n");
    for (int p = 0; p < HVP_MX_NPLACE; p++)
        if (m->place_on[p]) {
            hvp_report_printf(&o, "<li><b>%s</b>: ", hvp_matrix_place_name(p));
            hvp_report_html(&o, hvp_matrix_place_text(p));
            hvp_report_puts(&o, "</li>\n");
        }
    for (int k = 0; k < HVP_MX_NCOL; k++) {
        const char *why = m->col_on[k] ? column_skip(m, k) : NULL;
        if (why) {
            hvp_report_printf(&o, "<li>Skipped <b>%s</b>: ", hvp_matrix_column_at(k)->name);
            hvp_report_html(&o, why);
            hvp_report_puts(&o, "</li>\n");
        }
    }
    hvp_report_printf(&o, "</ul>\n<footer>Generated by hvprobe %s (hvprobe matrix).</footer>\n</body>\n</html>\n",
                      HVP_VERSION);
    if (o.oom) {
        hvp_buf_free(&o.b);
        hvp_fail(err, HVP_E_NOMEM, "out of memory");
        return NULL;
    }
    return hvp_buf_steal(&o.b);
}
