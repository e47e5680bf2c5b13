/*
 * report_svg.c - the memory-map model of a snapshot (blocks of the flat
 * view, overlapping regions of the tree view with the winner, markers)
 * and its picture as inline SVG.
 *
 * Scale: the 32-bit guest physical space is cut at every region
 * boundary and marker (plus 0x0 and 0x20, the low vector table); each
 * piece is drawn with a height that grows with log2 of its size (mapped
 * pieces more than unmapped gaps) and addresses inside a piece are
 * placed linearly.  Boundaries are therefore exact, order is kept, and
 * a 32-byte vector table and a 2 GiB hole are both visible.
 */
#include "core/report_internal.h"
#include "core/memmap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIMIT 0x100000000ULL
#define MAX_OVERLAPS 16

/* Layout of the picture, in SVG user units. */
enum {
    W = 980, TOP = 44, AXIS_X = 98, MAIN_X = 104, MAIN_W = 250, OV_X = 364, MK_X = 664, LEGEND_H = 84
};

static const char *const kind_names[REP_NKIND] = { "RAM", "ROM/flash", "I/O", "other", "unmapped" };
static const char *const kind_fill[REP_NKIND] = { "#b8e0b0", "#f6d28b", "#b9d4ee", "#dddddd", "url(#hvp-hatch)" };
static const char *const kind_stroke[REP_NKIND] = { "#4a8f3c", "#b7862a", "#4f7fb0", "#999999", "#bbbbbb" };

const char *hvp_report_kind_name(int kind)
{
    return kind >= 0 && kind < REP_NKIND ? kind_names[kind] : "?";
}

static int kind_of(const char *kind, const char *name)
{
    if (kind && strstr(kind, "rom"))
        return REP_ROM;
    if (name && strstr(name, "flash"))
        return REP_ROM;
    if (kind && strstr(kind, "ram"))
        return REP_RAM;
    if (kind && !strcmp(kind, "i/o"))
        return REP_IO;
    return REP_OTHER;
}

/* The address space to draw: "memory" (what the CPU sees) when present,
 * else the first one named. */
static void pick_as(const hvp_snapshot *s, char *as, size_t n)
{
    as[0] = '\0';
    for (size_t i = 0; i < s->nmemory_map; i++)
        if (hvp_region_in_as(&s->memory_map[i], "memory")) {
            snprintf(as, n, "memory");
            return;
        }
    for (size_t i = 0; i < s->nmemory_map; i++)
        if (s->memory_map[i].address_space) {
            snprintf(as, n, "%.*s", (int)strcspn(s->memory_map[i].address_space, ","),
                     s->memory_map[i].address_space);
            return;
        }
}

/* A tree region is a leaf when the region after it (output order) is
 * not nested deeper in the same address space. */
static int tree_leaf(const hvp_snapshot *s, size_t i, const char *as)
{
    const hvp_region *r = &s->memory_map[i];
    if (r->flat || !r->enabled || r->depth < 1 || !hvp_region_in_as(r, as))
        return 0;
    if (i + 1 < s->nmemory_map) {
        const hvp_region *c = &s->memory_map[i + 1];
        if (!c->flat && c->depth > r->depth && hvp_region_in_as(c, as))
            return 0;
    }
    return 1;
}

static int cmp_block(const void *a, const void *b)
{
    const rep_block *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

static void append_above(rep_map *m, const hvp_region *r)
{
    size_t l = strlen(m->above);
    if (l + 8 >= sizeof m->above)
        return;
    snprintf(m->above + l, sizeof m->above - l, "%s%s 0x%llx-0x%llx", l ? ", " : "", r->name ? r->name : "?",
             (unsigned long long)r->start, (unsigned long long)r->end);
}

static int marker_inside(const rep_map *m, uint64_t lo, uint64_t hi)
{
    for (size_t k = 0; k < m->nmk; k++)
        if ((m->mk[k].start >= lo && m->mk[k].start <= hi) || (m->mk[k].end >= lo && m->mk[k].end <= hi))
            return 1;
    return 0;
}

/* Runs of three or more small I/O blocks close together (device windows
 * of a few KiB) become one block listing its members, so that the
 * picture shows the layout instead of forty slivers.  A run holding a
 * marker is left alone. */
static void cluster_io(rep_map *m)
{
    size_t w = 0;
    for (size_t i = 0; i < m->nblocks;) {
        size_t j = i;
        while (m->blocks[j].kind == REP_IO && m->blocks[j].end - m->blocks[j].start < 0x100000 &&
               j + 1 < m->nblocks && m->blocks[j + 1].kind == REP_IO &&
               m->blocks[j + 1].end - m->blocks[j + 1].start < 0x100000 &&
               m->blocks[j + 1].start - m->blocks[j].end <= 0x1000000)
            j++;
        if (j - i >= 2 && !marker_inside(m, m->blocks[i].start, m->blocks[j].end)) {
            rep_block c = { .start = m->blocks[i].start, .end = m->blocks[j].end, .kind = REP_IO, .cluster = 1 };
            size_t off = 0;
            for (size_t k = i; k <= j; k++) {
                c.count += m->blocks[k].count;
                int dup = 0;
                for (size_t q = i; q < k; q++)
                    dup |= !strcmp(m->blocks[q].name, m->blocks[k].name);
                if (dup || off >= sizeof c.detail - 1)
                    continue;
                int r = m->blocks[k].count > 1
                        ? snprintf(c.detail + off, sizeof c.detail - off, "%s%s x%d", off ? ", " : "",
                                   m->blocks[k].name, m->blocks[k].count)
                        : snprintf(c.detail + off, sizeof c.detail - off, "%s%s", off ? ", " : "", m->blocks[k].name);
                if (r > 0)
                    off += (size_t)r;
            }
            snprintf(c.name, sizeof c.name, "%d I/O regions", c.count);
            m->blocks[w++] = c;
        } else {
            for (size_t k = i; k <= j; k++)
                m->blocks[w++] = m->blocks[k];
        }
        i = j + 1;
    }
    m->nblocks = w;
}

/* Unmapped gaps between blocks, so the blocks tile 0..LIMIT-1. */
static int fill_gaps(rep_map *m)
{
    rep_block *nb = calloc(2 * m->nblocks + 1, sizeof *nb);
    if (!nb)
        return HVP_E_NOMEM;
    size_t w = 0;
    uint64_t at = 0;
    for (size_t i = 0; i < m->nblocks; i++) {
        if (m->blocks[i].start > at)
            nb[w++] = (rep_block){ .start = at, .end = m->blocks[i].start - 1, .kind = REP_GAP, .name = "unmapped" };
        nb[w++] = m->blocks[i];
        at = m->blocks[i].end + 1;
    }
    if (at < LIMIT)
        nb[w++] = (rep_block){ .start = at, .end = LIMIT - 1, .kind = REP_GAP, .name = "unmapped" };
    free(m->blocks);
    m->blocks = nb;
    m->nblocks = w;
    return HVP_OK;
}

static int add_block(rep_map *m, size_t *cap, const hvp_region *r)
{
    if (r->start >= LIMIT) {
        append_above(m, r);
        return HVP_OK;
    }
    if (m->nblocks == *cap) {
        size_t nc = *cap ? 2 * *cap : 32;
        rep_block *nb = realloc(m->blocks, nc * sizeof *nb);
        if (!nb)
            return HVP_E_NOMEM;
        m->blocks = nb;
        *cap = nc;
    }
    rep_block *b = &m->blocks[m->nblocks++];
    memset(b, 0, sizeof *b);
    b->start = r->start;
    b->end = r->end >= LIMIT ? LIMIT - 1 : r->end;
    b->kind = kind_of(r->kind, r->name);
    b->count = 1;
    snprintf(b->name, sizeof b->name, "%s", r->name ? r->name : "?");
    if (r->is_alias && r->alias_target)
        snprintf(b->detail, sizeof b->detail, "%s, alias of %s+0x%llx", r->kind ? r->kind : "?", r->alias_target,
                 (unsigned long long)r->alias_offset);
    else
        snprintf(b->detail, sizeof b->detail, "%s", r->kind ? r->kind : "?");
    if (r->end >= LIMIT)
        append_above(m, r);
    return HVP_OK;
}

/* Blocks of the flat view (or, without one, the tree's leaves, the first
 * of overlapping ones), sorted and merged where a name repeats
 * back-to-back (32 virtio-mmio windows). */
static int build_blocks(const hvp_snapshot *s, rep_map *m)
{
    size_t cap = 0;
    m->from_flat = hvp_map_has_flat(s, m->as);
    for (size_t i = 0; i < s->nmemory_map; i++) {
        const hvp_region *r = &s->memory_map[i];
        int take = m->from_flat ? r->flat && r->enabled && hvp_region_in_as(r, m->as) : tree_leaf(s, i, m->as);
        if (take && add_block(m, &cap, r))
            return HVP_E_NOMEM;
    }
    if (m->nblocks)
        qsort(m->blocks, m->nblocks, sizeof *m->blocks, cmp_block);
    size_t w = 0;
    for (size_t i = 0; i < m->nblocks; i++) {
        rep_block *p = w ? &m->blocks[w - 1] : NULL;
        if (p && m->blocks[i].start <= p->end)
            continue;       /* tree view: a later overlapping leaf */
        if (p && p->end + 1 == m->blocks[i].start && p->kind == m->blocks[i].kind &&
            !strcmp(p->name, m->blocks[i].name)) {
            p->end = m->blocks[i].end;
            p->count++;
            continue;
        }
        m->blocks[w++] = m->blocks[i];
    }
    m->nblocks = w;
    return HVP_OK;
}

/* Tree-view leaves that overlap another leaf, grouped, each with whether
 * the flat view shows it (it wins) or not (hidden). */
static void build_overlaps(const hvp_snapshot *s, rep_map *m)
{
    static rep_overlap none;
    int group = 0;
    for (size_t i = 0; i < s->nmemory_map && m->nov < MAX_OVERLAPS; i++) {
        const hvp_region *r = &s->memory_map[i];
        if (!tree_leaf(s, i, m->as) || r->start >= LIMIT)
            continue;
        int g = -1;
        const hvp_region *other = NULL;
        for (size_t k = 0; k < m->nov; k++)
            if (r->start <= m->ov[k].end && m->ov[k].start <= r->end)
                g = m->ov[k].group;
        for (size_t j = 0; j < s->nmemory_map && !other; j++)
            if (j != i && tree_leaf(s, j, m->as) && r->start <= s->memory_map[j].end &&
                s->memory_map[j].start <= r->end)
                other = &s->memory_map[j];
        if (!other)
            continue;
        rep_overlap *o = &m->ov[m->nov++];
        *o = none;
        o->start = r->start;
        o->end = r->end >= LIMIT ? LIMIT - 1 : r->end;
        snprintf(o->name, sizeof o->name, "%s", r->name ? r->name : "?");
        snprintf(o->kind, sizeof o->kind, "%s", r->kind ? r->kind : "?");
        snprintf(o->alias, sizeof o->alias, "%s", r->is_alias && r->alias_target ? r->alias_target : "");
        o->prio = r->prio;
        o->group = g >= 0 ? g : group++;
        uint64_t at = r->start > other->start ? r->start : other->start;
        const hvp_region *f = m->from_flat ? hvp_map_flat_at(s, m->as, at) : NULL;
        if (!f)
            o->wins = -1;
        else
            o->wins = (f->name && r->name && !strcmp(f->name, r->name)) ||
                      (f->name && o->alias[0] && !strcmp(f->name, o->alias));
    }
}

static void add_marker(rep_map *m, int type, uint64_t start, uint64_t end, int guest, const char *label)
{
    if (m->nmk >= REP_MAX_MARKS || start >= LIMIT)
        return;
    rep_marker *k = &m->mk[m->nmk++];
    k->type = type;
    k->start = start;
    k->end = end >= LIMIT ? LIMIT - 1 : end;
    k->guest = guest;
    snprintf(k->label, sizeof k->label, "%s%s", label, guest ? " (guest)" : "");
}

static void build_markers(const hvp_snapshot *s, const hvp_analysis *a, rep_map *m)
{
    char t[160];
    const hvp_vector_report *svc = &a->vec[a->key];
    int guest = m->s2 || a->guest_view;
    if (svc->fetch_known) {
        char reg[24];
        snprintf(reg, sizeof reg, "%.23s", svc->base_source);
        reg[strcspn(reg, " (")] = '\0';
        uint64_t base = svc->fetch - svc->offset;
        int vguest = guest;
        if (a->arch == HVP_ARCH_AARCH64 && svc->have_pa && svc->pa - svc->offset != base) {
            /* a virtual base (a kernel's): drawn where the walk puts it */
            snprintf(t, sizeof t, "vector base (%s) at PA 0x%08llx", reg, (unsigned long long)(svc->pa - svc->offset));
            base = svc->pa - svc->offset;
            vguest = 0;
        } else {
            snprintf(t, sizeof t, "vector base 0x%08llx (%s)", (unsigned long long)base, reg);
        }
        add_marker(m, REP_M_VECTORS, base, base + (a->arch == HVP_ARCH_AARCH64 ? 0x7ff : 0x1f), vguest, t);
    }
    if (s->cpu.have_core && s->arch == HVP_ARCH_AARCH64) {
        snprintf(t, sizeof t, "PC 0x%08llx (%s)", (unsigned long long)s->cpu.pc, hvp_a64_mode_name(s->cpu.pstate));
        if (s->cpu.pc <= 0xffffffffu)
            add_marker(m, REP_M_PC, s->cpu.pc, s->cpu.pc, m->s2, t);
    } else if (s->cpu.have_core) {
        const char *mode = hvp_arm_mode_name(s->cpu.cpsr);
        snprintf(t, sizeof t, "PC 0x%08x (%s)", s->cpu.r[15], mode);
        add_marker(m, REP_M_PC, s->cpu.r[15], s->cpu.r[15], m->s2 && strcmp(mode, "hyp32"), t);
    }
    for (size_t i = 0; s->image && i < s->image->nsegments; i++) {
        const hvp_segment *g = &s->image->segments[i];
        if (!g->memsz)
            continue;
        snprintf(t, sizeof t, "LOAD %c%c%c 0x%08llx-0x%08llx", g->flags & 4 ? 'r' : '-', g->flags & 2 ? 'w' : '-',
                 g->flags & 1 ? 'x' : '-', (unsigned long long)g->paddr,
                 (unsigned long long)(g->paddr + g->memsz - 1));
        add_marker(m, REP_M_SEGMENT, g->paddr, g->paddr + g->memsz - 1, guest, t);
    }
}

int hvp_report_map_build(const hvp_snapshot *s, const hvp_analysis *a, rep_map *m)
{
    memset(m, 0, sizeof *m);
    const hvp_reg *hcr = hvp_snapshot_reg(s, "HCR");
    if (!hcr)
        hcr = hvp_snapshot_reg(s, "HCR_EL2");
    m->s2 = hcr && (hcr->value & 1);
    m->a64 = s->arch == HVP_ARCH_AARCH64;
    m->have_map = s->nmemory_map > 0;
    m->ov = calloc(MAX_OVERLAPS, sizeof *m->ov);
    if (!m->ov)
        return HVP_E_NOMEM;
    build_markers(s, a, m);
    if (m->have_map) {
        pick_as(s, m->as, sizeof m->as);
        if (build_blocks(s, m))
            return HVP_E_NOMEM;
        build_overlaps(s, m);
        cluster_io(m);
    }
    return fill_gaps(m);
}

void hvp_report_map_free(rep_map *m)
{
    free(m->blocks);
    free(m->ov);
    m->blocks = NULL;
    m->ov = NULL;
}

/* ---- the picture ---- */

typedef struct scale {
    uint64_t *bp;           /* breakpoints, sorted, bp[0] = 0, bp[n-1] = LIMIT */
    double *y;              /* y of each breakpoint */
    size_t n;
} scale;

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int gap_at(const rep_map *m, uint64_t a)
{
    for (size_t i = 0; i < m->nblocks; i++)
        if (a >= m->blocks[i].start && a <= m->blocks[i].end)
            return m->blocks[i].kind == REP_GAP;
    return 1;
}

/* log2 of a non-zero size, without libm (the binary links without -lm):
 * the integer part from the top set bit, the fraction linearly between
 * powers of two, which is all the picture needs. */
static double log2_size(uint64_t v)
{
    int e = 63 - __builtin_clzll(v);
    return e + (double)(v - (1ULL << e)) / (double)(1ULL << e);
}

static int scale_build(const rep_map *m, scale *sc)
{
    size_t cap = 2 * m->nblocks + 2 * m->nmk + 4, n = 0;
    sc->bp = calloc(cap, sizeof *sc->bp);
    sc->y = calloc(cap, sizeof *sc->y);
    if (!sc->bp || !sc->y)
        return HVP_E_NOMEM;
    sc->bp[n++] = 0;
    sc->bp[n++] = 0x20;
    sc->bp[n++] = LIMIT;
    for (size_t i = 0; i < m->nblocks; i++)
        sc->bp[n++] = m->blocks[i].start;
    for (size_t k = 0; k < m->nmk; k++) {
        sc->bp[n++] = m->mk[k].start;
        if (m->mk[k].type != REP_M_PC)
            sc->bp[n++] = m->mk[k].end + 1;
    }
    qsort(sc->bp, n, sizeof *sc->bp, cmp_u64);
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if ((!w || sc->bp[i] != sc->bp[w - 1]) && sc->bp[i] <= LIMIT)
            sc->bp[w++] = sc->bp[i];
    sc->n = w;
    sc->y[0] = TOP;
    for (size_t i = 0; i + 1 < w; i++) {
        double l = log2_size(sc->bp[i + 1] - sc->bp[i]);
        double h = gap_at(m, sc->bp[i]) ? 6 + 1.1 * l : 8 + 1.9 * l;
        sc->y[i + 1] = sc->y[i] + h;
    }
    return HVP_OK;
}

static double ypos(const scale *sc, uint64_t a)
{
    if (a >= LIMIT)
        return sc->y[sc->n - 1];
    size_t lo = 0, hi = sc->n - 1;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (sc->bp[mid] <= a)
            lo = mid;
        else
            hi = mid;
    }
    return sc->y[lo] + (sc->y[hi] - sc->y[lo]) * (double)(a - sc->bp[lo]) / (double)(sc->bp[hi] - sc->bp[lo]);
}

static void svg_blocks(rep_out *o, const rep_map *m, const scale *sc)
{
    for (size_t i = 0; i < m->nblocks; i++) {
        const rep_block *b = &m->blocks[i];
        double y0 = ypos(sc, b->start), y1 = ypos(sc, b->end + 1), h = y1 - y0;
        int k = m->have_map ? b->kind : REP_OTHER;
        hvp_report_printf(o, "<g><title>");
        hvp_report_html(o, b->name);
        hvp_report_printf(o, " 0x%08llx-0x%08llx", (unsigned long long)b->start, (unsigned long long)b->end);
        if (b->detail[0]) {
            hvp_report_puts(o, ": ");
            hvp_report_html(o, b->detail);
        }
        hvp_report_printf(o, "</title><rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\" stroke=\"%s\" "
                   "stroke-width=\"0.8\"/>", MAIN_X, y0, MAIN_W, h, kind_fill[k], kind_stroke[k]);
        if (h >= 10.5) {
            hvp_report_printf(o, "<text x=\"%d\" y=\"%.1f\" class=\"%s\">", MAIN_X + 6, y0 + h / 2 + 3.5,
                       b->kind == REP_GAP ? "gap" : "rn");
            if (!m->have_map)
                hvp_report_puts(o, "no memory map in this snapshot (a monitor channel provides it)");
            else
                hvp_report_html(o, b->name);
            if (b->count > 1 && !b->cluster)
                hvp_report_printf(o, " x%d", b->count);
            hvp_report_puts(o, "</text>");
            if (b->kind != REP_GAP && m->have_map) {
                hvp_report_printf(o, "<text x=\"%d\" y=\"%.1f\" class=\"rk\">", MAIN_X + MAIN_W - 5, y0 + h / 2 + 3.5);
                hvp_report_html(o, b->cluster ? "i/o" : b->detail);
                hvp_report_puts(o, "</text>");
            }
        }
        hvp_report_puts(o, "</g>\n");
    }
}

/* Addresses on the left at every breakpoint that has room. */
static void svg_axis(rep_out *o, const scale *sc)
{
    double last = -100;
    for (size_t i = 0; i < sc->n; i++) {
        double y = sc->y[i];
        hvp_report_printf(o, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"tick\"/>", AXIS_X, y, MAIN_X, y);
        if (y - last >= 10 || i + 1 == sc->n) {
            if (sc->bp[i] >= LIMIT)
                hvp_report_printf(o, "<text x=\"%d\" y=\"%.1f\" class=\"ax\">0x100000000</text>\n", AXIS_X - 2, y + 3);
            else
                hvp_report_printf(o, "<text x=\"%d\" y=\"%.1f\" class=\"ax\">0x%08llx</text>\n", AXIS_X - 2, y + 3,
                           (unsigned long long)sc->bp[i]);
            last = y;
        }
    }
}

static void svg_overlaps(rep_out *o, const rep_map *m, const scale *sc)
{
    if (!m->nov) {
        hvp_report_printf(o, "<text x=\"%d\" y=\"%d\" class=\"gap\">%s</text>\n", OV_X, TOP + 12,
                   m->have_map ? "no overlapping regions" : "");
        return;
    }
    for (size_t k = 0; k < m->nov; k++) {
        const rep_overlap *v = &m->ov[k];
        size_t idx = 0;
        for (size_t q = 0; q < k; q++)
            idx += m->ov[q].group == v->group;
        double y0 = ypos(sc, v->start), y1 = ypos(sc, v->end + 1);
        int kind = kind_of(v->kind, v->alias[0] ? v->alias : v->name);
        int x = OV_X + (int)idx * 16;
        hvp_report_printf(o, "<g><title>");
        hvp_report_html(o, v->name);
        hvp_report_printf(o, " 0x%08llx-0x%08llx priority %d: %s</title>", (unsigned long long)v->start,
                   (unsigned long long)v->end, v->prio,
                   v->wins > 0 ? "wins (QEMU's flat view shows it)"
                   : v->wins == 0 ? "hidden by an overlapping region" : "winner unknown (no flat view)");
        hvp_report_printf(o, "<rect x=\"%d\" y=\"%.1f\" width=\"12\" height=\"%.1f\" fill=\"%s\" stroke=\"%s\" "
                   "stroke-width=\"%s\"%s/>", x, y0, y1 - y0, v->wins > 0 ? kind_fill[kind] : "url(#hvp-hatch)",
                   kind_stroke[kind], v->wins > 0 ? "2" : "1", v->wins > 0 ? "" : " stroke-dasharray=\"3 2\"");
        double ty = y0 + 10 + 26.0 * (double)idx;
        hvp_report_printf(o, "<text x=\"%d\" y=\"%.1f\" class=\"%s\">%s", OV_X + 36, ty, v->wins > 0 ? "win" : "lose",
                   v->wins > 0 ? "\xe2\x98\x85 " : "");
        hvp_report_html(o, v->name);
        hvp_report_printf(o, " %s</text>", v->wins > 0 ? "wins" : v->wins == 0 ? "hidden" : "(winner unknown)");
        hvp_report_printf(o, "<text x=\"%d\" y=\"%.1f\" class=\"ovd\">", OV_X + 36, ty + 11);
        if (v->alias[0]) {
            hvp_report_puts(o, "alias of ");
            hvp_report_html(o, v->alias);
            hvp_report_puts(o, ", ");
        }
        hvp_report_html(o, v->kind);
        hvp_report_printf(o, ", priority %d</text>", v->prio);
        hvp_report_printf(o, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"lead\"/></g>\n", x + 12,
                   ty - 3.5, OV_X + 34, ty - 3.5);
    }
}

static const char *const mark_colour[3] = { "#c62828", "#6a1b9a", "#00796b" };

/* Markers: the vector table as a band, the PC as a line, load segments
 * as brackets; labels on the right, pushed down so they never collide. */
static void svg_markers(rep_out *o, const rep_map *m, const scale *sc)
{
    size_t order[REP_MAX_MARKS];
    for (size_t k = 0; k < m->nmk; k++)
        order[k] = k;
    for (size_t a = 1; a < m->nmk; a++)
        for (size_t b = a; b > 0 && m->mk[order[b]].start < m->mk[order[b - 1]].start; b--) {
            size_t t = order[b];
            order[b] = order[b - 1];
            order[b - 1] = t;
        }
    double last = 0;
    for (size_t q = 0; q < m->nmk; q++) {
        const rep_marker *k = &m->mk[order[q]];
        const char *c = mark_colour[k->type];
        const char *dash = k->guest ? " stroke-dasharray=\"4 2\"" : "";
        double y0 = ypos(sc, k->start), y1 = k->type == REP_M_PC ? y0 : ypos(sc, k->end + 1);
        hvp_report_printf(o, "<g><title>");
        hvp_report_html(o, k->label);
        hvp_report_puts(o, "</title>");
        if (k->type == REP_M_VECTORS)
            hvp_report_printf(o, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\" fill-opacity=\"0.3\" "
                       "stroke=\"%s\" stroke-width=\"1.5\"%s/>", MAIN_X, y0, MAIN_W, y1 - y0, c, c, dash);
        else if (k->type == REP_M_PC)
            hvp_report_printf(o, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"%s/>"
                       "<path d=\"M%d %.1f l8 -5 v10 z\" fill=\"%s\"/>", MAIN_X, y0, MK_X, y0, c, dash,
                       MAIN_X + MAIN_W, y0, c);
        else
            hvp_report_printf(o, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"none\" stroke=\"%s\" "
                       "stroke-width=\"1.5\" stroke-dasharray=\"5 3\"/>", MAIN_X + 3, y0, MAIN_W - 6, y1 - y0, c);
        if (k->type != REP_M_PC)
            hvp_report_printf(o, "<path d=\"M%d %.1f h6 V%.1f h-6\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s/>",
                       MK_X, y0, y1, c, dash);
        double ly = y0 + 4 > last + 12 ? y0 + 4 : last + 12;
        last = ly;
        hvp_report_printf(o, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"0.8\"/>",
                   MK_X + 6, y0, MK_X + 14, ly - 3.5, c);
        hvp_report_printf(o, "<text x=\"%d\" y=\"%.1f\" class=\"mk\" fill=\"%s\">", MK_X + 16, ly, c);
        hvp_report_html(o, k->label);
        hvp_report_puts(o, "</text></g>\n");
    }
}

static void svg_legend(rep_out *o, const rep_map *m, double y)
{
    int x = MAIN_X;
    for (int k = 0; k < REP_NKIND; k++) {
        hvp_report_printf(o, "<rect x=\"%d\" y=\"%.1f\" width=\"14\" height=\"10\" fill=\"%s\" stroke=\"%s\"/>"
                   "<text x=\"%d\" y=\"%.1f\" class=\"lg\">%s</text>", x, y, kind_fill[k], kind_stroke[k], x + 18,
                   y + 9, kind_names[k]);
        x += 96;
    }
    x = MAIN_X;
    static const char *const names[3] = { "vector table (VBAR + 0x00..0x1f)", "PC at capture", "image load segment" };
    static const char *const names64[3] = { "vector table (VBAR_ELn + 0x000..0x7ff)", "PC at capture",
                                             "image load segment" };
    for (int k = 0; k < 3; k++) {
        hvp_report_printf(o, "<rect x=\"%d\" y=\"%.1f\" width=\"14\" height=\"10\" fill=\"%s\" fill-opacity=\"0.5\"/>"
                   "<text x=\"%d\" y=\"%.1f\" class=\"lg\">%s</text>", x, y + 16, mark_colour[k], x + 18, y + 25,
                   m->a64 ? names64[k] : names[k]);
        x += k ? 170 : m->a64 ? 260 : 230;
    }
    hvp_report_printf(o, "<text x=\"%d\" y=\"%.1f\" class=\"note\">Piecewise scale: each span between region boundaries "
               "or markers is drawn with a height growing with log2 of its size; boundaries are exact.</text>",
               MAIN_X, y + 42);
    const char *note = !m->have_map ? "No memory map: the picture shows only the markers."
                       : m->s2 ? "Stage 2 was on: the map is QEMU's host physical memory; markers marked (guest), dashed, "
                                 "are guest addresses, placed for orientation only."
                       : !m->from_flat ? "No flat view: regions are the tree's leaves; the winner of an overlap is "
                                         "unknown." : "";
    if (*note)
        hvp_report_printf(o, "<text x=\"%d\" y=\"%.1f\" class=\"note\">%s</text>", MAIN_X, y + 55, note);
    if (m->above[0]) {
        hvp_report_printf(o, "<text x=\"%d\" y=\"%.1f\" class=\"note\">Above 4 GiB (not drawn): ", MAIN_X, y + 68);
        hvp_report_html(o, m->above);
        hvp_report_puts(o, "</text>");
    }
}

void hvp_report_svg(rep_out *o, const rep_map *m, const char *label)
{
    scale sc = { 0 };
    if (scale_build(m, &sc)) {
        o->oom = 1;
        free(sc.bp);
        free(sc.y);
        return;
    }
    double bottom = sc.y[sc.n - 1];
    int h = (int)bottom + 1 + LEGEND_H + 8;
    hvp_report_printf(o, "<svg class=\"map\" viewBox=\"0 0 %d %d\" width=\"%d\" "
               "height=\"%d\" role=\"img\" aria-label=\"memory map of ", W, h, W, h);
    hvp_report_html(o, label);
    hvp_report_puts(o, "\">\n<defs><pattern id=\"hvp-hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
                "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#f4f4f4\"/>"
                "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#cfcfcf\" stroke-width=\"2\"/></pattern></defs>\n");
    hvp_report_printf(o, "<text x=\"%d\" y=\"16\" class=\"hd\">guest physical address space", MAIN_X);
    if (m->have_map) {
        hvp_report_puts(o, " (");
        hvp_report_html(o, m->as);
        hvp_report_puts(o, m->from_flat ? ", flat view: what wins)" : ", tree view)");
    }
    hvp_report_printf(o, "</text><text x=\"%d\" y=\"34\" class=\"sub\">region</text><text x=\"%d\" y=\"34\" "
               "class=\"sub\">overlapping regions (tree view)</text><text x=\"%d\" y=\"34\" class=\"sub\">"
               "markers</text>\n", MAIN_X, OV_X, MK_X);
    svg_blocks(o, m, &sc);
    svg_axis(o, &sc);
    svg_overlaps(o, m, &sc);
    svg_markers(o, m, &sc);
    svg_legend(o, m, bottom + 14);
    hvp_report_puts(o, "</svg>\n");
    free(sc.bp);
    free(sc.y);
}
