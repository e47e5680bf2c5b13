/*
 * report_md.c - the report as Markdown (GitHub-flavoured tables): the
 * same content as the HTML without the pictures; the memory map becomes
 * a table of regions, overlaps and markers.  Nothing time-dependent is
 * written, so the output on the same snapshots is byte-for-byte stable.
 */
#include "core/report_internal.h"

#include <stdio.h>
#include <string.h>

/* A code span inside a table cell: backticks cannot nest, pipes must be
 * escaped even inside code. */
static void code(rep_out *o, const char *s)
{
    if (!s || !*s) {
        hvp_report_puts(o, "-");
        return;
    }
    hvp_report_puts(o, "`");
    for (; *s && !o->oom; s++) {
        char c = *s == '`' ? '\'' : (*s == '\n' || *s == '\r' || *s == '\t') ? ' ' : *s;
        if (c == '|')
            hvp_report_puts(o, "\\|");
        else
            hvp_report_printf(o, "%c", c);
    }
    hvp_report_puts(o, "`");
}

static void header_row(rep_out *o, const rep_ctx *c, const char *first)
{
    hvp_report_printf(o, "| %s |", first);
    for (size_t i = 0; i < c->n; i++) {
        hvp_report_puts(o, " ");
        hvp_report_md(o, c->labels[i]);
        hvp_report_puts(o, " |");
    }
    hvp_report_puts(o, "\n|---|");
    for (size_t i = 0; i < c->n; i++)
        hvp_report_puts(o, "---|");
    hvp_report_puts(o, "\n");
}

static void summary(rep_out *o, const rep_ctx *c)
{
    char t[256], b[96];
    hvp_report_puts(o, "## Summary\n\n");
    header_row(o, c, "snapshot");
    static const char *const rows[] = { "backend", "QEMU", "machine", "CPU at capture", "captured at", "vector base" };
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        hvp_report_printf(o, "| %s |", rows[r]);
        for (size_t i = 0; i < c->n; i++) {
            const hvp_snapshot *s = c->snaps[i];
            const char *v = t;
            switch (r) {
            case 0: v = hvp_report_backend(s, b, sizeof b); break;
            case 1: v = s->backend.qemu_version; break;
            case 2:
                snprintf(t, sizeof t, "%s %s", s->backend.machine ? s->backend.machine : "?",
                         s->backend.cpu_model ? s->backend.cpu_model : "");
                break;
            case 3: hvp_report_cpu_at_capture(s, t, sizeof t); break;
            case 4: v = s->captured_at; break;
            default: hvp_report_vector_base(&c->an[i], t, sizeof t); break;
            }
            hvp_report_puts(o, " ");
            hvp_report_md(o, v && *v ? v : "unknown");
            hvp_report_puts(o, " |");
        }
        hvp_report_puts(o, "\n");
    }
    for (int e = 0; e < c->an[0].nvec; e++) {
        hvp_report_printf(o, "| %s 0x%02x |", c->an[0].vec[e].name, c->an[0].vec[e].offset);
        for (size_t i = 0; i < c->n; i++)
            hvp_report_printf(o, " **%s** |", hvp_verdict_name(c->an[i].vec[e].verdict));
        hvp_report_puts(o, "\n");
    }
    hvp_report_puts(o, "\n");
}

static void diagnosis(rep_out *o, const rep_ctx *c)
{
    static const int order[REP_ND] = { REP_D_CAUSE, REP_D_CHAIN, REP_D_DIFFERS, REP_D_SAME, REP_D_WARN, REP_D_FIX };
    hvp_report_puts(o, "## Diagnosis\n");
    for (int q = 0; q < REP_ND; q++) {
        const rep_lines *l = &c->diag[order[q]];
        if (!l->n)
            continue;
        hvp_report_printf(o, "\n### %s\n\n", hvp_report_diag_title(c, order[q]));
        for (size_t j = 0; j < l->n; j++) {
            hvp_report_puts(o, "- ");
            hvp_report_md(o, l->line[j]);
            hvp_report_puts(o, "\n");
        }
    }
    hvp_report_puts(o, "\n## Expectations\n\n");
    if (!c->nex) {
        hvp_report_puts(o, "No hypotheses were given (`--expect LABEL:VECTOR=VERDICT`).\n\n");
        return;
    }
    hvp_report_printf(o, "%zu of %zu held.\n\n| expectation | result | got |\n|---|---|---|\n", c->nex - c->failed, c->nex);
    for (size_t k = 0; k < c->nex; k++) {
        hvp_report_puts(o, "| ");
        code(o, c->ex[k].text);
        hvp_report_printf(o, " | %s | ", c->ex[k].held ? "PASS" : "**FAIL**");
        if (c->ex[k].found)
            hvp_report_md(o, c->ex[k].got);
        else
            hvp_report_puts(o, "no snapshot has this label");
        hvp_report_puts(o, " |\n");
    }
    hvp_report_puts(o, "\n");
}

static void vector_table(rep_out *o, const hvp_analysis *a)
{
    char t[160];
    hvp_report_puts(o, "| vector | taken to | fetch | word | disassembly | target | verdict | reason |\n"
                "|---|---|---|---|---|---|---|---|\n");
    for (int e = 0; e < a->nvec; e++) {
        const hvp_vector_report *v = &a->vec[e];
        hvp_report_printf(o, "| %s +0x%02x | ", v->name, v->offset);
        hvp_report_md(o, v->taken_to[0] ? v->taken_to : "-");
        hvp_report_puts(o, " | ");
        if (v->fetch_known)
            snprintf(t, sizeof t, "0x%08llx", (unsigned long long)v->fetch);
        else
            t[0] = '\0';
        code(o, t);
        hvp_report_puts(o, " | ");
        if (v->have_word)
            snprintf(t, sizeof t, "0x%08x", v->word);
        else
            t[0] = '\0';
        code(o, t);
        hvp_report_puts(o, " | ");
        code(o, v->have_word ? v->insn : "");
        hvp_report_puts(o, " | ");
        code(o, hvp_report_target(v, t, sizeof t));
        hvp_report_printf(o, " | **%s** | ", hvp_verdict_name(v->verdict));
        hvp_report_md(o, v->reason);
        hvp_report_puts(o, " |\n");
    }
    hvp_report_puts(o, "\n");
}

static void range(char *t, size_t n, uint64_t a, uint64_t b)
{
    snprintf(t, n, "0x%08llx-0x%08llx", (unsigned long long)a, (unsigned long long)b);
}

static void memory_map(rep_out *o, const rep_map *m)
{
    char t[64];
    if (!m->have_map) {
        hvp_report_puts(o, "No memory map in this snapshot (a monitor channel, `--hmp` or `--qmp`, provides it).\n\n");
    } else {
        hvp_report_puts(o, "Memory map (");
        hvp_report_md(o, m->as);
        hvp_report_puts(o, m->from_flat ? ", flat view: what the CPU reaches):\n\n" : ", tree view: no flat view):\n\n");
        hvp_report_puts(o, "| range | kind | region | detail |\n|---|---|---|---|\n");
        for (size_t i = 0; i < m->nblocks; i++) {
            const rep_block *b = &m->blocks[i];
            if (b->kind == REP_GAP)
                continue;
            range(t, sizeof t, b->start, b->end);
            hvp_report_puts(o, "| ");
            code(o, t);
            hvp_report_printf(o, " | %s | ", hvp_report_kind_name(b->kind));
            hvp_report_md(o, b->name);
            if (b->count > 1 && !b->cluster)
                hvp_report_printf(o, " x%d", b->count);
            hvp_report_puts(o, " | ");
            hvp_report_md(o, b->detail);
            hvp_report_puts(o, " |\n");
        }
        hvp_report_puts(o, "\n");
        if (m->above[0]) {
            hvp_report_puts(o, "Above 4 GiB: ");
            hvp_report_md(o, m->above);
            hvp_report_puts(o, ".\n\n");
        }
        if (m->s2)
            hvp_report_puts(o, "Stage 2 was on: this is QEMU's host physical memory, not the guest's IPA space.\n\n");
    }
    if (m->nov) {
        hvp_report_puts(o, "Overlapping regions (tree view):\n\n");
        for (size_t k = 0; k < m->nov; k++) {
            const rep_overlap *v = &m->ov[k];
            range(t, sizeof t, v->start, v->end);
            hvp_report_puts(o, "- ");
            code(o, t);
            hvp_report_puts(o, " ");
            hvp_report_md(o, v->name);
            if (v->alias[0]) {
                hvp_report_puts(o, " (alias of ");
                hvp_report_md(o, v->alias);
                hvp_report_puts(o, ")");
            }
            hvp_report_printf(o, ", %s, priority %d: %s\n", v->kind, v->prio,
                       v->wins > 0 ? "**wins** (QEMU's flat view shows it)"
                       : v->wins == 0 ? "hidden" : "winner unknown (no flat view)");
        }
        hvp_report_puts(o, "\n");
    }
    if (m->nmk) {
        hvp_report_puts(o, "Markers:\n\n");
        for (size_t k = 0; k < m->nmk; k++) {
            hvp_report_puts(o, "- ");
            hvp_report_md(o, m->mk[k].label);
            hvp_report_puts(o, "\n");
        }
        hvp_report_puts(o, "\n");
    }
}

static void snapshot_section(rep_out *o, const rep_ctx *c, size_t i)
{
    const hvp_snapshot *s = c->snaps[i];
    const hvp_analysis *a = &c->an[i];
    char t[512], b[96];
    hvp_report_puts(o, "### ");
    hvp_report_md(o, c->labels[i]);
    hvp_report_puts(o, "\n\n| field | value |\n|---|---|\n");
    struct { const char *k; const char *v; } f[12];
    size_t nf = 0;
    char mach[160], cpu[96], core[64], base[224], ch[32], img[96];
    snprintf(mach, sizeof mach, "%s%s%s", s->backend.machine ? s->backend.machine : "",
             s->backend.cpu_model ? ", " : "", s->backend.cpu_model ? s->backend.cpu_model : "");
    hvp_report_channels(s, ch, sizeof ch);
    f[nf].k = "backend"; f[nf++].v = hvp_report_backend(s, b, sizeof b);
    f[nf].k = "QEMU version"; f[nf++].v = s->backend.qemu_version;
    f[nf].k = "machine"; f[nf++].v = mach;
    f[nf].k = "CPU at capture"; f[nf++].v = hvp_report_cpu_at_capture(s, cpu, sizeof cpu);
    f[nf].k = "security state from"; f[nf++].v = s->cpu.secure_source;
    if (s->cpu.have_core) {
        f[nf].k = "core"; f[nf++].v = hvp_report_core(s, core, sizeof core);
    }
    f[nf].k = "vector base"; f[nf++].v = hvp_report_vector_base(a, base, sizeof base);
    f[nf].k = "captured at"; f[nf++].v = s->captured_at;
    f[nf].k = "channels"; f[nf++].v = ch;
    if (s->image) {
        snprintf(img, sizeof img, "0x%08llx, sha256 %.16s...", (unsigned long long)s->image->entry, s->image->sha256);
        f[nf].k = "image"; f[nf++].v = s->image->path;
        f[nf].k = "entry"; f[nf++].v = img;
    }
    if (s->imported_from) {
        f[nf].k = "imported from"; f[nf++].v = s->imported_from;
    }
    for (size_t k = 0; k < nf; k++) {
        hvp_report_printf(o, "| %s | ", f[k].k);
        hvp_report_md(o, f[k].v && *f[k].v ? f[k].v : "unknown");
        hvp_report_puts(o, " |\n");
    }
    hvp_report_puts(o, "\n");
    if (a->guest_view)
        hvp_report_puts(o, "Vectors are the guest's view (Non-secure PL1), walked through its stage 1 and the "
                    "hypervisor's stage 2.\n\n");
    vector_table(o, a);
    memory_map(o, &c->maps[i]);
    if (a->nnotes) {
        hvp_report_puts(o, "Evidence notes:\n\n");
        for (int k = 0; k < a->nnotes; k++) {
            hvp_report_puts(o, "- ");
            hvp_report_md(o, a->notes[k]);
            hvp_report_puts(o, "\n");
        }
        hvp_report_puts(o, "\n");
    }
    if (a->suggestion[0]) {
        hvp_report_puts(o, "Suggested fix: ");
        hvp_report_md(o, a->suggestion);
        hvp_report_puts(o, "\n\n");
    }
    for (size_t k = 0; k < s->nunknown; k++) {
        snprintf(t, sizeof t, "%s", s->unknown[k].field ? s->unknown[k].field : "?");
        hvp_report_puts(o, k ? "- " : "Not captured:\n\n- ");
        code(o, t);
        hvp_report_puts(o, ": ");
        hvp_report_md(o, s->unknown[k].reason);
        hvp_report_puts(o, k + 1 == s->nunknown ? "\n\n" : "\n");
    }
}

void hvp_report_render_md(rep_out *o, const rep_ctx *c)
{
    hvp_report_puts(o, "# ");
    hvp_report_md(o, c->title);
    hvp_report_printf(o, "\n\n%zu snapshot%s analysed by hvprobe: where each exception vector is fetched, what is there, "
               "and why the snapshots differ. Everything below is computed from the snapshots alone.\n\n", c->n,
               c->n == 1 ? "" : "s");
    summary(o, c);
    diagnosis(o, c);
    hvp_report_puts(o, "## Snapshots\n\n");
    for (size_t i = 0; i < c->n; i++)
        snapshot_section(o, c, i);
}
