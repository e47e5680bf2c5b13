/* hmp_mtree.c - parser of `info mtree` and `info mtree -f` (see
 * hmp_parse.h). */
#include "transport/hmp_parse.h"
#include "util/buf.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MTREE_MAX_DEPTH 64

enum section { SEC_NONE, SEC_AS, SEC_MR, SEC_FLAT };

typedef struct mtree_state {
    hmp_region *r;
    size_t n, cap;
    enum section sec;
    int names_open;         /* last line was an "address-space:" header */
    hvp_buf names;          /* ", "-joined address-space names */
    char *mr_section;       /* current "memory-region:" name */
    char *flat_root;        /* current FlatView root region */
    size_t stack[MTREE_MAX_DEPTH];  /* index of the open region per depth */
    int top;                /* deepest valid stack entry, -1 if none */
    int sections;           /* sections seen */
} mtree_state;

static int next_line(const char **p, const char **ls, size_t *ln)
{
    if (!**p)
        return 0;
    const char *s = *p, *nl = strchr(s, '\n');
    size_t n = nl ? (size_t)(nl - s) : strlen(s);
    *p = nl ? nl + 1 : s + n;
    while (n && (s[n - 1] == '\r' || s[n - 1] == ' '))
        n--;
    *ls = s;
    *ln = n;
    return 1;
}

static int starts(const char *s, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    return n >= k && memcmp(s, prefix, k) == 0;
}

/* Parse "HEX-HEX" exactly filling [s, s+n). */
static int parse_range(const char *s, size_t n, uint64_t *a, uint64_t *b)
{
    const char *dash = memchr(s, '-', n);
    if (!dash || dash == s || dash == s + n - 1)
        return -1;
    char tmp[40];
    size_t l1 = (size_t)(dash - s), l2 = n - l1 - 1;
    if (l1 > 16 || l2 > 16)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (s + i != dash && !isxdigit((unsigned char)s[i]))
            return -1;
    memcpy(tmp, s, l1);
    tmp[l1] = '\0';
    *a = strtoull(tmp, NULL, 16);
    memcpy(tmp, dash + 1, l2);
    tmp[l2] = '\0';
    *b = strtoull(tmp, NULL, 16);
    return 0;
}

static char *dup_n(const char *s, size_t n)
{
    return strndup(s, n);
}

static void region_free_strings(hmp_region *r)
{
    free(r->address_space);
    free(r->mr_section);
    free(r->kind);
    free(r->name);
    free(r->alias_target);
    free(r->parent);
    free(r->tags);
}

void hmp_regions_free(hmp_region *r, size_t n)
{
    if (!r)
        return;
    for (size_t i = 0; i < n; i++)
        region_free_strings(&r[i]);
    free(r);
}

/* Peel a trailing " [TEXT]" off [s, s+*n); returns TEXT's bounds or 0. */
static int peel_bracket(const char *s, size_t *n, const char **t, size_t *tn)
{
    if (*n < 4 || s[*n - 1] != ']')
        return 0;
    size_t i = *n - 1;
    while (i > 0 && s[i] != '[')
        i--;
    if (s[i] != '[' || i == 0 || s[i - 1] != ' ')
        return 0;
    *t = s + i + 1;
    *tn = *n - i - 2;
    *n = i - 1;
    return 1;
}

/* Fill the name part of a tree line: "NAME" or "alias NAME @TARGET A-B",
 * with an optional " [disabled]" already peeled by the caller. */
static int tree_name(hmp_region *g, const char *s, size_t n)
{
    if (starts(s, n, "alias ")) {
        const char *sp = s + n;
        while (sp > s && sp[-1] != ' ')
            sp--;
        uint64_t a, b;
        const char *at = NULL;
        for (const char *q = sp - 1; q > s + 6; q--)
            if (q[0] == '@' && q[-1] == ' ') {
                at = q;
                break;
            }
        if (sp > s + 6 && at && parse_range(sp, (size_t)(s + n - sp), &a, &b) == 0 &&
            sp - 1 > at + 1) {
            g->is_alias = 1;
            g->alias_offset = a;
            g->name = dup_n(s + 6, (size_t)(at - 1 - (s + 6)));
            g->alias_target = dup_n(at + 1, (size_t)(sp - 1 - (at + 1)));
            return g->name && g->alias_target ? 0 : HVP_E_NOMEM;
        }
    }
    g->name = dup_n(s, n);
    return g->name ? 0 : HVP_E_NOMEM;
}

/* Fill the name part of a flat line: "NAME[ @OFFSET][ [TAG]...]". */
static int flat_name(hmp_region *g, const char *s, size_t n)
{
    const char *t;
    size_t tn;
    hvp_buf tags = { 0 };
    while (peel_bracket(s, &n, &t, &tn)) {
        if (tn == 8 && memcmp(t, "disabled", 8) == 0)
            g->enabled = 0;
        else if ((tags.len && hvp_buf_append(&tags, ",", 1)) || hvp_buf_append(&tags, t, tn)) {
            hvp_buf_free(&tags);
            return HVP_E_NOMEM;
        }
    }
    if (tags.len)
        g->tags = hvp_buf_steal(&tags);
    else
        hvp_buf_free(&tags);    /* an empty tag "[]" may have allocated */
    const char *sp = s + n;
    while (sp > s && sp[-1] != ' ')
        sp--;
    if (sp > s + 1 && sp[0] == '@' && s + n - sp > 1) {
        char tmp[20];
        size_t k = (size_t)(s + n - sp - 1);
        int ok = k <= 16;
        for (size_t i = 0; ok && i < k; i++)
            ok = isxdigit((unsigned char)sp[1 + i]);
        if (ok) {
            memcpy(tmp, sp + 1, k);
            tmp[k] = '\0';
            g->alias_offset = strtoull(tmp, NULL, 16);
            n = (size_t)(sp - 1 - s);
        }
    }
    g->name = dup_n(s, n);
    return g->name ? 0 : HVP_E_NOMEM;
}

/* Parse one region line (indent already measured) into a new entry. */
static int region_line(mtree_state *st, const char *ls, size_t ln, size_t indent,
                       hvp_error *err)
{
    char q[120];
    const char *s = ls + indent, *e = ls + ln;
    const char *sp = memchr(s, ' ', (size_t)(e - s));
    const char *close = sp ? memchr(sp, ')', (size_t)(e - sp)) : NULL;
    hmp_region g = { 0 };
    g.enabled = 1;
    g.flat = st->sec == SEC_FLAT;
    if (!sp || !close || parse_range(s, (size_t)(sp - s), &g.start, &g.end) ||
        !starts(sp, (size_t)(e - sp), " (prio ") || close + 3 > e || close[1] != ':' ||
        close[2] != ' ')
        goto bad;
    char *pe;
    errno = 0;
    long prio = strtol(sp + 7, &pe, 10);
    if (errno || pe == sp + 7 || pe[0] != ',' || pe[1] != ' ' || pe + 2 >= close)
        goto bad;
    g.prio = (int)prio;
    const char *rest = close + 3;
    size_t rn = (size_t)(e - rest);
    int r;
    if (!(g.kind = dup_n(pe + 2, (size_t)(close - pe - 2))))
        goto nomem;
    if (g.flat) {
        r = flat_name(&g, rest, rn);
        g.parent = st->flat_root ? strdup(st->flat_root) : NULL;
        if (st->flat_root && !g.parent)
            goto nomem;
    } else {
        if (rn >= 11 && memcmp(rest + rn - 11, " [disabled]", 11) == 0) {
            g.enabled = 0;
            rn -= 11;
        }
        /* MTREE_INDENT is two spaces; the root sits at one indent. */
        if (indent < 2 || (indent - 2) / 2 >= MTREE_MAX_DEPTH ||
            (int)(indent - 2) / 2 > st->top + 1)
            goto bad;
        int d = (int)(indent - 2) / 2;
        r = tree_name(&g, rest, rn);
        g.depth = d;
        if (d > 0 && !(g.parent = strdup(st->r[st->stack[d - 1]].name)))
            goto nomem;
        st->stack[d] = st->n;
        st->top = d;
    }
    if (r)
        goto nomem;
    if (st->names.len && !(g.address_space = strdup(st->names.data)))
        goto nomem;
    if (st->sec == SEC_MR && !(g.mr_section = strdup(st->mr_section)))
        goto nomem;
    if (st->n == st->cap) {
        size_t nc = st->cap ? st->cap * 2 : 64;
        hmp_region *nr = realloc(st->r, nc * sizeof *nr);
        if (!nr)
            goto nomem;
        st->r = nr;
        st->cap = nc;
    }
    st->r[st->n++] = g;
    return HVP_OK;
bad:
    region_free_strings(&g);
    snprintf(q, sizeof q, "%.*s", (int)(ln > 100 ? 100 : ln), ls);
    return hvp_fail(err, HVP_E_INPUT, "malformed mtree region line '%s'", q);
nomem:
    region_free_strings(&g);
    return hvp_fail(err, HVP_E_NOMEM, "out of memory parsing mtree");
}

/* Enter a section; no region is open in it yet. */
static void new_section(mtree_state *st, enum section sec)
{
    st->sec = sec;
    st->top = -1;
    st->sections++;
}

static int handle_line(mtree_state *st, const char *ls, size_t ln, hvp_error *err)
{
    int was_names = st->names_open;
    st->names_open = 0;
    if (ln == 0) {
        st->top = -1;       /* a blank line ends a tree */
        return HVP_OK;
    }
    if (starts(ls, ln, "address-space: ")) {
        if (!was_names)
            hvp_buf_reset(&st->names);
        if ((st->names.len && hvp_buf_append(&st->names, ", ", 2)) ||
            hvp_buf_append(&st->names, ls + 15, ln - 15))
            return hvp_fail(err, HVP_E_NOMEM, "out of memory parsing mtree");
        new_section(st, SEC_AS);
        st->names_open = 1;
        return HVP_OK;
    }
    if (starts(ls, ln, "memory-region: ")) {
        free(st->mr_section);
        hvp_buf_reset(&st->names);
        if (!(st->mr_section = dup_n(ls + 15, ln - 15)))
            return hvp_fail(err, HVP_E_NOMEM, "out of memory parsing mtree");
        new_section(st, SEC_MR);
        return HVP_OK;
    }
    if (starts(ls, ln, "FlatView #")) {
        hvp_buf_reset(&st->names);
        free(st->flat_root);
        st->flat_root = NULL;
        new_section(st, SEC_FLAT);
        return HVP_OK;
    }
    size_t indent = 0;
    while (indent < ln && ls[indent] == ' ')
        indent++;
    if (indent == 0) {
        char q[120];
        snprintf(q, sizeof q, "%.*s", (int)(ln > 100 ? 100 : ln), ls);
        return hvp_fail(err, HVP_E_INPUT, "not 'info mtree' output: unexpected line '%s'", q);
    }
    if (st->sec == SEC_NONE)
        return hvp_fail(err, HVP_E_INPUT, "not 'info mtree' output: region line before any section");
    const char *s = ls + indent;
    size_t n = ln - indent;
    if (st->sec == SEC_FLAT && starts(s, n, "AS \"")) {
        const char *qe = memchr(s + 4, '"', n - 4);
        if (!qe)
            return hvp_fail(err, HVP_E_INPUT, "malformed FlatView AS line");
        if ((st->names.len && hvp_buf_append(&st->names, ", ", 2)) ||
            hvp_buf_append(&st->names, s + 4, (size_t)(qe - s - 4)))
            return hvp_fail(err, HVP_E_NOMEM, "out of memory parsing mtree");
        return HVP_OK;
    }
    if (st->sec == SEC_FLAT && starts(s, n, "Root memory region: ")) {
        free(st->flat_root);
        st->flat_root = NULL;
        if (strncmp(s + 20, "(none)", n - 20) != 0 &&
            !(st->flat_root = dup_n(s + 20, n - 20)))
            return hvp_fail(err, HVP_E_NOMEM, "out of memory parsing mtree");
        return HVP_OK;
    }
    if (isxdigit((unsigned char)s[0]) && memchr(s, '-', n) && memchr(s, '(', n))
        return region_line(st, ls, ln, indent, err);
    return HVP_OK;      /* "No rendered FlatView", dispatch dumps, ... */
}

int hmp_parse_mtree(const char *text, hmp_region **out, size_t *n, hvp_error *err)
{
    *out = NULL;
    *n = 0;
    if (!text)
        return hvp_fail(err, HVP_E_INVAL, "no mtree text to parse");
    mtree_state st = { 0 };
    st.top = -1;
    const char *p = text, *ls;
    size_t ln;
    int r = HVP_OK;
    while (r == HVP_OK && next_line(&p, &ls, &ln))
        r = handle_line(&st, ls, ln, err);
    if (r == HVP_OK && st.sections == 0)
        r = hvp_fail(err, HVP_E_INPUT,
                     "not 'info mtree' output: no address-space, memory-region or FlatView section");
    hvp_buf_free(&st.names);
    free(st.mr_section);
    free(st.flat_root);
    if (r) {
        hmp_regions_free(st.r, st.n);
        return r;
    }
    *out = st.r;
    *n = st.n;
    return HVP_OK;
}

int hmp_region_in_as(const hmp_region *r, const char *as)
{
    if (!r || !as || !r->address_space)
        return 0;
    size_t k = strlen(as);
    for (const char *s = r->address_space; s; ) {
        const char *c = strstr(s, ", ");
        size_t len = c ? (size_t)(c - s) : strlen(s);
        if (len == k && memcmp(s, as, k) == 0)
            return 1;
        s = c ? c + 2 : NULL;
    }
    return 0;
}

const hmp_region *hmp_flat_lookup(const hmp_region *r, size_t n, const char *as,
                                  uint64_t addr)
{
    for (size_t i = 0; r && i < n; i++)
        if (r[i].flat && r[i].start <= addr && addr <= r[i].end && hmp_region_in_as(&r[i], as))
            return &r[i];
    return NULL;
}
