/*
 * report_html.c - the report as one self-contained HTML file: inline CSS,
 * inline SVG, no scripts, no external references; readable on screen
 * and on paper.  Every string from a snapshot goes through hvp_report_html().
 */
#include "core/report_internal.h"

#include <stdio.h>
#include <string.h>

/* Verdict colours, indexed by hvp_verdict. */
static const char *const verdict_css =
    ".v{display:inline-block;padding:1px 7px;border-radius:9px;font-weight:600;font-size:12px;"
    "white-space:nowrap;border:1px solid rgba(0,0,0,.15)}\n"
    ".v-valid{background:#2e7d32;color:#fff}.v-stub{background:#fbc02d;color:#222}"
    ".v-zero-filled{background:#ef6c00;color:#fff}.v-erased{background:#8d6e63;color:#fff}"
    ".v-data{background:#6a1b9a;color:#fff}.v-unmapped{background:#c62828;color:#fff}"
    ".v-target-unmapped{background:#ad1457;color:#fff}.v-undefined{background:#4e342e;color:#fff}"
    ".v-unknown{background:#bdbdbd;color:#222}.v-pass{background:#2e7d32;color:#fff}"
    ".v-fail{background:#c62828;color:#fff}\n";

static const char *const page_css =
    "*{box-sizing:border-box}\n"
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;color:#1d1d1f;"
    "margin:0 auto;max-width:1400px;padding:20px 28px;line-height:1.4;font-size:14px;background:#fff}\n"
    "h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;border-bottom:2px solid #ddd;padding-bottom:3px;"
    "margin-top:30px}h3{font-size:15px;margin:16px 0 6px}\n"
    "p.lead{color:#555;margin:0 0 10px}nav{font-size:13px;color:#555}nav a{margin-right:10px}\n"
    "a{color:#1565c0;text-decoration:none}\n"
    "code,.mono{font-family:'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:12px}\n"
    "table{border-collapse:collapse;margin:6px 0 12px}th,td{border:1px solid #d6d6d6;padding:4px 7px;"
    "vertical-align:top;text-align:left}th{background:#f3f3f3}\n"
    "table.vt{width:100%;table-layout:fixed}table.vt th.vn{width:84px}table.vt.a64 th.vn{width:132px}\n"
    "th.vn{white-space:nowrap}\n"
    "td.cell .fa{font-weight:600}td.cell .rs{color:#444;font-size:12px;margin-top:3px}\n"
    "td.cell .w{color:#333}td.cell .tg{color:#1b5e20}\n"
    "ul.diag li{margin:3px 0}div.cause{background:#fff8e1;border-left:4px solid #f9a825;padding:6px 12px}\n"
    "div.fix{background:#e8f5e9;border-left:4px solid #43a047;padding:6px 12px}\n"
    "div.warn{background:#fbe9e7;border-left:4px solid #e64a19;padding:6px 12px}\n"
    "section.snap{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start;border-top:1px solid #eee;"
    "padding-top:6px}section.snap>div.facts{flex:1 1 330px;min-width:320px}section.snap>figure{flex:0 1 980px}\n"
    "dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0}"
    "dl.facts dt{color:#666}dl.facts dd{margin:0;word-break:break-word}\n"
    "figure{margin:0}figcaption{font-size:12px;color:#555;max-width:980px}\n"
    "svg.map{max-width:100%;height:auto;font-family:'DejaVu Sans',sans-serif}\n"
    "svg .rn{font-size:11px;fill:#1d1d1f}svg .rk{font-size:10px;fill:#555;text-anchor:end}"
    "svg .gap{font-size:10px;fill:#888;font-style:italic}svg .ax{font-size:9.5px;fill:#444;text-anchor:end;"
    "font-family:'DejaVu Sans Mono',monospace}svg .tick{stroke:#999;stroke-width:.6}"
    "svg .hd{font-size:13px;font-weight:600;fill:#222}svg .sub{font-size:11px;fill:#666}"
    "svg .win{font-size:10.5px;font-weight:700;fill:#1d1d1f}svg .lose{font-size:10.5px;fill:#666}"
    "svg .ovd{font-size:9.5px;fill:#666}svg .win,svg .lose,svg .ovd,svg .mk{paint-order:stroke;stroke:#fff;"
    "stroke-width:3px;stroke-linejoin:round}"
    "svg .lead{stroke:#999;stroke-width:.7}svg .mk{font-size:10.5px;font-weight:600}"
    "svg .lg{font-size:10.5px;fill:#333}svg .note{font-size:10px;fill:#555}\n"
    "footer{margin-top:30px;color:#777;font-size:12px;border-top:1px solid #eee;padding-top:6px}\n"
    "@media print{body{max-width:none;padding:0;font-size:10pt}nav{display:none}"
    "section.snap,table,figure{break-inside:avoid}h2{break-after:avoid}"
    ".v{-webkit-print-color-adjust:exact;print-color-adjust:exact}}\n";

static void badge(rep_out *o, const char *verdict)
{
    hvp_report_puts(o, "<span class=\"v v-");
    hvp_report_html(o, verdict);
    hvp_report_puts(o, "\">");
    hvp_report_html(o, verdict);
    hvp_report_puts(o, "</span>");
}

static void dd(rep_out *o, const char *term, const char *value)
{
    hvp_report_printf(o, "<dt>%s</dt><dd>", term);
    hvp_report_html(o, value && *value ? value : "unknown");
    hvp_report_puts(o, "</dd>\n");
}

static void summary(rep_out *o, const rep_ctx *c)
{
    char t[256];
    hvp_report_printf(o, "<section id=\"summary\"><h2>Summary</h2>\n<table class=\"vt%s\"><tr><th class=\"vn\"></th>",
                      c->an[0].arch == HVP_ARCH_AARCH64 ? " a64" : "");
    for (size_t i = 0; i < c->n; i++) {
        hvp_report_printf(o, "<th><a href=\"#snap-%zu\">", i);
        hvp_report_html(o, c->labels[i]);
        hvp_report_puts(o, "</a></th>");
    }
    hvp_report_puts(o, "</tr>\n");
    static const char *const rows[] = { "backend", "machine", "CPU at capture", "vector base" };
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        hvp_report_printf(o, "<tr><th class=\"vn\">%s</th>", rows[r]);
        for (size_t i = 0; i < c->n; i++) {
            const hvp_snapshot *s = c->snaps[i];
            if (r == 0) {
                char b[96];
                snprintf(t, sizeof t, "QEMU %s, %s", s->backend.qemu_version ? s->backend.qemu_version : "?",
                         hvp_report_backend(s, b, sizeof b));
            } else if (r == 1) {
                snprintf(t, sizeof t, "%s %s", s->backend.machine ? s->backend.machine : "?",
                         s->backend.cpu_model ? s->backend.cpu_model : "");
            } else if (r == 2) {
                hvp_report_cpu_at_capture(s, t, sizeof t);
            } else {
                hvp_report_vector_base(&c->an[i], t, sizeof t);
            }
            hvp_report_puts(o, r == 3 ? "<td class=\"mono\">" : "<td>");
            hvp_report_html(o, t);
            hvp_report_puts(o, "</td>");
        }
        hvp_report_puts(o, "</tr>\n");
    }
    for (int e = 0; e < c->an[0].nvec; e++) {
        hvp_report_printf(o, "<tr><th class=\"vn\">%s <span class=\"mono\">0x%02x</span></th>", c->an[0].vec[e].name,
                   c->an[0].vec[e].offset);
        for (size_t i = 0; i < c->n; i++) {
            hvp_report_puts(o, "<td>");
            badge(o, hvp_verdict_name(c->an[i].vec[e].verdict));
            hvp_report_puts(o, "</td>");
        }
        hvp_report_puts(o, "</tr>\n");
    }
    hvp_report_puts(o, "</table></section>\n");
}

static void diag_list(rep_out *o, const rep_ctx *c, int k, const char *box)
{
    const rep_lines *l = &c->diag[k];
    if (!l->n)
        return;
    hvp_report_printf(o, "<h3>%s</h3>\n%s<ul class=\"diag\">\n", hvp_report_diag_title(c, k), box ? box : "");
    for (size_t j = 0; j < l->n; j++) {
        hvp_report_puts(o, "<li>");
        hvp_report_html(o, l->line[j]);
        hvp_report_puts(o, "</li>\n");
    }
    hvp_report_printf(o, "</ul>%s\n", box ? "</div>" : "");
}

static void diagnosis(rep_out *o, const rep_ctx *c)
{
    hvp_report_puts(o, "<section id=\"diagnosis\"><h2>Diagnosis</h2>\n");
    diag_list(o, c, REP_D_CAUSE, "<div class=\"cause\">");
    diag_list(o, c, REP_D_CHAIN, NULL);
    diag_list(o, c, REP_D_DIFFERS, NULL);
    diag_list(o, c, REP_D_SAME, NULL);
    diag_list(o, c, REP_D_WARN, "<div class=\"warn\">");
    diag_list(o, c, REP_D_FIX, "<div class=\"fix\">");
    hvp_report_puts(o, "</section>\n<section id=\"expectations\"><h2>Expectations</h2>\n");
    if (!c->nex)
        hvp_report_puts(o, "<p>No hypotheses were given (<code>--expect LABEL:VECTOR=VERDICT</code>).</p>\n");
    else {
        hvp_report_printf(o, "<p>%zu of %zu held.</p>\n<table><tr><th>expectation</th><th>result</th><th>got</th></tr>\n",
                   c->nex - c->failed, c->nex);
        for (size_t k = 0; k < c->nex; k++) {
            const rep_expect *x = &c->ex[k];
            hvp_report_puts(o, "<tr><td><code>");
            hvp_report_html(o, x->text);
            hvp_report_printf(o, "</code></td><td><span class=\"v v-%s\">%s</span></td><td>", x->held ? "pass" : "fail",
                       x->held ? "PASS" : "FAIL");
            if (x->found)
                badge(o, x->got);
            else
                hvp_report_puts(o, "no snapshot has this label");
            hvp_report_puts(o, "</td></tr>\n");
        }
        hvp_report_puts(o, "</table>\n");
    }
    hvp_report_puts(o, "</section>\n");
}

/* One vector of one snapshot, as a table cell. */
static void vector_cell(rep_out *o, const hvp_vector_report *v)
{
    char t[160];
    hvp_report_puts(o, "<td class=\"cell\">");
    badge(o, hvp_verdict_name(v->verdict));
    if (v->fetch_known)
        hvp_report_printf(o, " <span class=\"mono fa\">@ 0x%08llx</span>", (unsigned long long)v->fetch);
    if (v->taken_to[0]) {
        hvp_report_puts(o, " <span class=\"rs\">\xe2\x86\x92 ");
        hvp_report_html(o, v->taken_to);
        hvp_report_puts(o, "</span>");
    }
    if (v->have_word) {
        hvp_report_printf(o, "<div class=\"mono w\">0x%08x <b>", v->word);
        hvp_report_html(o, v->insn);
        hvp_report_puts(o, "</b></div>");
    }
    if (v->have_target) {
        hvp_report_puts(o, "<div class=\"mono tg\">\xe2\x86\x92 ");
        hvp_report_html(o, hvp_report_target(v, t, sizeof t));
        hvp_report_puts(o, "</div>");
    }
    hvp_report_puts(o, "<div class=\"rs\">");
    hvp_report_html(o, v->reason);
    hvp_report_puts(o, "</div></td>");
}

static void vector_tables(rep_out *o, const rep_ctx *c)
{
    hvp_report_printf(o, "<section id=\"vectors\"><h2>Vector tables, side by side</h2>\n<p class=\"lead\">For each "
                "vector: verdict, the address the CPU fetches it from, the word there and its disassembly, the "
                "branch target with its symbol, and the reason for the verdict.</p>\n<table class=\"vt%s\"><tr>"
                "<th class=\"vn\">vector</th>", c->an[0].arch == HVP_ARCH_AARCH64 ? " a64" : "");
    for (size_t i = 0; i < c->n; i++) {
        hvp_report_puts(o, "<th>");
        hvp_report_html(o, c->labels[i]);
        hvp_report_puts(o, "</th>");
    }
    hvp_report_puts(o, "</tr>\n");
    for (int e = 0; e < c->an[0].nvec; e++) {
        hvp_report_printf(o, "<tr><th class=\"vn\">%s<br><span class=\"mono\">+0x%02x</span></th>", c->an[0].vec[e].name,
                   c->an[0].vec[e].offset);
        for (size_t i = 0; i < c->n; i++)
            vector_cell(o, &c->an[i].vec[e]);
        hvp_report_puts(o, "</tr>\n");
    }
    hvp_report_puts(o, "</table></section>\n");
}

static void snapshot_section(rep_out *o, const rep_ctx *c, size_t i)
{
    const hvp_snapshot *s = c->snaps[i];
    const hvp_analysis *a = &c->an[i];
    char t[512], b[96];
    hvp_report_printf(o, "<h2 id=\"snap-%zu\">", i);
    hvp_report_html(o, c->labels[i]);
    hvp_report_puts(o, "</h2>\n<section class=\"snap\"><div class=\"facts\"><dl class=\"facts\">\n");
    dd(o, "label", c->labels[i]);
    dd(o, "backend", hvp_report_backend(s, b, sizeof b));
    dd(o, "QEMU version", s->backend.qemu_version);
    snprintf(t, sizeof t, "%s%s%s", s->backend.machine ? s->backend.machine : "", s->backend.cpu_model ? ", " : "",
             s->backend.cpu_model ? s->backend.cpu_model : "");
    dd(o, "machine", t);
    dd(o, "CPU at capture", hvp_report_cpu_at_capture(s, t, sizeof t));
    if (s->cpu.secure_source)
        dd(o, "security state from", s->cpu.secure_source);
    if (s->cpu.have_core) {
        dd(o, "core", hvp_report_core(s, t, sizeof t));
    }
    dd(o, "vector base", hvp_report_vector_base(a, t, sizeof t));
    dd(o, "captured at", s->captured_at);
    dd(o, "channels", hvp_report_channels(s, t, sizeof t));
    if (s->image) {
        dd(o, "image", s->image->path);
        snprintf(t, sizeof t, "0x%08llx, sha256 %.16s\xe2\x80\xa6", (unsigned long long)s->image->entry,
                 s->image->sha256);
        dd(o, "entry", t);
    }
    if (s->imported_from)
        dd(o, "imported from", s->imported_from);
    if (s->hvprobe_version)
        dd(o, "captured by", s->hvprobe_version);
    hvp_report_puts(o, "</dl>\n");
    if (a->guest_view)
        hvp_report_puts(o, "<p>Vectors are the guest's view (Non-secure PL1), walked through its stage 1 and the "
                    "hypervisor's stage 2.</p>\n");
    if (a->nnotes) {
        hvp_report_puts(o, "<h3>Evidence notes</h3><div class=\"warn\"><ul class=\"diag\">\n");
        for (int k = 0; k < a->nnotes; k++) {
            hvp_report_puts(o, "<li>");
            hvp_report_html(o, a->notes[k]);
            hvp_report_puts(o, "</li>\n");
        }
        hvp_report_puts(o, "</ul></div>\n");
    }
    if (a->suggestion[0]) {
        hvp_report_puts(o, "<h3>Suggested fix</h3><div class=\"fix\">");
        hvp_report_html(o, a->suggestion);
        hvp_report_puts(o, "</div>\n");
    }
    if (s->nunknown) {
        hvp_report_puts(o, "<h3>Not captured</h3><ul class=\"diag\">\n");
        for (size_t k = 0; k < s->nunknown; k++) {
            hvp_report_puts(o, "<li><code>");
            hvp_report_html(o, s->unknown[k].field);
            hvp_report_puts(o, "</code>: ");
            hvp_report_html(o, s->unknown[k].reason);
            hvp_report_puts(o, "</li>\n");
        }
        hvp_report_puts(o, "</ul>\n");
    }
    hvp_report_puts(o, "</div>\n<figure>");
    hvp_report_svg(o, &c->maps[i], c->labels[i]);
    hvp_report_puts(o, "<figcaption>Memory map of ");
    hvp_report_html(o, c->labels[i]);
    hvp_report_puts(o, ": regions coloured by kind; where regions of the tree view overlap, the one QEMU's flat view "
                "resolves to is marked \xe2\x98\x85 and the others are hatched. Hover a region for its range.</figcaption>"
                "</figure></section>\n");
}

void hvp_report_render_html(rep_out *o, const rep_ctx *c)
{
    hvp_report_puts(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
    hvp_report_html(o, c->title);
    hvp_report_puts(o, "</title>\n<style>\n");
    hvp_report_puts(o, page_css);
    hvp_report_puts(o, verdict_css);
    hvp_report_puts(o, "</style>\n</head>\n<body>\n<header><h1>");
    hvp_report_html(o, c->title);
    hvp_report_printf(o, "</h1>\n<p class=\"lead\">%zu snapshot%s analysed by hvprobe: where each exception vector is "
               "fetched, what is there, and why the snapshots differ. Everything below is computed from the "
               "snapshots alone.</p>\n", c->n, c->n == 1 ? "" : "s");
    hvp_report_puts(o, "<nav><a href=\"#summary\">Summary</a><a href=\"#diagnosis\">Diagnosis</a>"
                "<a href=\"#expectations\">Expectations</a><a href=\"#vectors\">Vector tables</a>");
    for (size_t i = 0; i < c->n; i++) {
        hvp_report_printf(o, "<a href=\"#snap-%zu\">", i);
        hvp_report_html(o, c->labels[i]);
        hvp_report_puts(o, "</a>");
    }
    hvp_report_puts(o, "</nav>\n</header>\n<main>\n");
    summary(o, c);
    diagnosis(o, c);
    vector_tables(o, c);
    hvp_report_puts(o, "<section id=\"snapshots\"><h2>Snapshots</h2></section>\n");
    for (size_t i = 0; i < c->n; i++)
        snapshot_section(o, c, i);
    hvp_report_printf(o, "</main>\n<footer>Generated by hvprobe %s. Verdicts: valid, stub, zero-filled, erased, data, "
               "unmapped, target-unmapped, undefined, unknown (see <code>hvprobe compare --help</code>).</footer>\n"
               "</body>\n</html>\n", HVP_VERSION);
}
