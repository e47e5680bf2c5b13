/* tdesc.c - target description XML -> register table (see tdesc.h). */
#include "transport/tdesc.h"

#include <errno.h>
#include <expat.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TDESC_MAX_DEPTH 8
#define TDESC_MAX_INCLUDES 64

struct tdesc {
    tdesc_reg *regs;
    size_t n, cap;
    char *arch;
    /* strings are interned in one list so tdesc_free can release them */
    char **strs;
    size_t nstr, capstr;
};

/* Parse state shared across nested includes. */
typedef struct tdesc_ctx {
    tdesc *t;
    tdesc_fetch_fn fetch;
    void *fetch_ctx;
    int next_regnum;
    int includes;
    const char *stack[TDESC_MAX_DEPTH]; /* names being parsed (loop check) */
    int depth;
    int rc;               /* first error */
    hvp_error *err;
} tdesc_ctx;

/* Per-document state. */
typedef struct doc_ctx {
    tdesc_ctx *tc;
    XML_Parser parser;
    const char *name;
    const char *feature;  /* interned, current <feature name> */
    int in_arch;
    char arch[64];
    size_t arch_len;
} doc_ctx;

static const char *intern(tdesc *t, const char *s)
{
    if (t->nstr == t->capstr) {
        size_t cap = t->capstr ? t->capstr * 2 : 64;
        char **p = realloc(t->strs, cap * sizeof *p);
        if (!p)
            return NULL;
        t->strs = p;
        t->capstr = cap;
    }
    char *d = strdup(s ? s : "");
    if (!d)
        return NULL;
    t->strs[t->nstr++] = d;
    return d;
}

static const char *attr(const XML_Char **atts, const char *key)
{
    for (size_t i = 0; atts[i]; i += 2)
        if (strcmp(atts[i], key) == 0)
            return atts[i + 1];
    return NULL;
}

/* Stop the parser with an error (the first error wins). */
static void doc_fail(doc_ctx *dc, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void doc_fail(doc_ctx *dc, int code, const char *fmt, ...)
{
    tdesc_ctx *tc = dc->tc;
    if (tc->rc == HVP_OK) {
        char msg[HVP_ERROR_MSG_MAX];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        tc->rc = hvp_fail(tc->err, code, "%s", msg);
    }
    XML_StopParser(dc->parser, XML_FALSE);
}

#define FAIL(...) do { doc_fail(__VA_ARGS__); return; } while (0)

static int parse_int(const char *s, long min, long max, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 0);
    if (errno || end == s || *end || v < min || v > max)
        return -1;
    *out = (int)v;
    return 0;
}

static int parse_doc(tdesc_ctx *tc, const char *name);

static void add_reg(doc_ctx *dc, const XML_Char **atts)
{
    tdesc_ctx *tc = dc->tc;
    tdesc *t = tc->t;
    const char *name = attr(atts, "name");
    const char *bits = attr(atts, "bitsize");
    const char *num = attr(atts, "regnum");
    tdesc_reg r = { 0 };
    if (!name || !*name)
        FAIL(dc, HVP_E_INPUT, "%s: a <reg> has no name", dc->name);
    if (!bits || parse_int(bits, 1, 4096, &r.bitsize))
        FAIL(dc, HVP_E_INPUT, "%s: register '%s' has a missing or bad bitsize",
                        dc->name, name);
    r.regnum = tc->next_regnum;
    if (num && parse_int(num, 0, INT_MAX - 1, &r.regnum))
        FAIL(dc, HVP_E_INPUT, "%s: register '%s' has a bad regnum",
                        dc->name, name);
    /* Explicit numbers stop at INT_MAX - 1, so that + 1 below cannot
     * overflow; an implicit one must stay within the same range. */
    if (r.regnum > INT_MAX - 1)
        FAIL(dc, HVP_E_INPUT, "%s: register '%s' would be numbered past %d",
                        dc->name, name, INT_MAX - 1);
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 128;
        tdesc_reg *p = realloc(t->regs, cap * sizeof *p);
        if (!p)
            FAIL(dc, HVP_E_NOMEM, "out of memory");
        t->regs = p;
        t->cap = cap;
    }
    r.name = intern(t, name);
    r.type = intern(t, attr(atts, "type"));
    r.group = intern(t, attr(atts, "group"));
    r.feature = dc->feature ? dc->feature : intern(t, "");
    if (!r.name || !r.type || !r.group || !r.feature)
        FAIL(dc, HVP_E_NOMEM, "out of memory");
    t->regs[t->n++] = r;
    tc->next_regnum = r.regnum + 1;
}

static int is_include(const char *el)
{
    const char *colon = strchr(el, ':');
    return strcmp(colon ? colon + 1 : el, "include") == 0;
}

static void XMLCALL on_start(void *ud, const XML_Char *el, const XML_Char **atts)
{
    doc_ctx *dc = ud;
    tdesc_ctx *tc = dc->tc;
    if (strcmp(el, "reg") == 0) {
        add_reg(dc, atts);
    } else if (strcmp(el, "feature") == 0) {
        dc->feature = intern(tc->t, attr(atts, "name"));
        if (!dc->feature)
            doc_fail(dc, HVP_E_NOMEM, "out of memory");
    } else if (strcmp(el, "architecture") == 0) {
        dc->in_arch = 1;
        dc->arch_len = 0;
    } else if (is_include(el)) {
        const char *href = attr(atts, "href");
        if (!href || !*href)
            FAIL(dc, HVP_E_INPUT, "%s: an include has no href", dc->name);
        /* Parse the included document right here: numbering continues in
         * document order. */
        if (parse_doc(tc, href))
            XML_StopParser(dc->parser, XML_FALSE);
    }
}

static void XMLCALL on_end(void *ud, const XML_Char *el)
{
    doc_ctx *dc = ud;
    if (strcmp(el, "architecture") == 0 && dc->in_arch) {
        dc->in_arch = 0;
        dc->arch[dc->arch_len] = '\0';
        tdesc *t = dc->tc->t;
        if (!t->arch || !*t->arch) {
            const char *a = intern(t, dc->arch);
            if (!a)
                FAIL(dc, HVP_E_NOMEM, "out of memory");
            t->arch = (char *)a;
        }
    } else if (strcmp(el, "feature") == 0) {
        dc->feature = NULL;
    }
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
    doc_ctx *dc = ud;
    if (!dc->in_arch)
        return;
    for (int i = 0; i < len; i++) {
        char c = s[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
            continue;
        if (dc->arch_len < sizeof dc->arch - 1)
            dc->arch[dc->arch_len++] = c;
    }
}

/* Fetch and parse one document (recursively through includes). */
static int parse_doc(tdesc_ctx *tc, const char *name)
{
    if (tc->depth >= TDESC_MAX_DEPTH || ++tc->includes > TDESC_MAX_INCLUDES)
        return tc->rc = hvp_fail(tc->err, HVP_E_INPUT,
                                 "target description includes nest too deeply or are too many (at '%s')",
                                 name);
    for (int i = 0; i < tc->depth; i++)
        if (strcmp(tc->stack[i], name) == 0)
            return tc->rc = hvp_fail(tc->err, HVP_E_INPUT,
                                     "target description '%s' includes itself", name);
    char *data = NULL;
    size_t len = 0;
    int rc = tc->fetch(tc->fetch_ctx, name, &data, &len, tc->err);
    if (rc) {
        free(data);
        return tc->rc = rc;
    }
    if (len > INT_MAX) {
        free(data);
        return tc->rc = hvp_fail(tc->err, HVP_E_INPUT, "target description '%s' is too large", name);
    }
    XML_Parser p = XML_ParserCreate(NULL);
    if (!p) {
        free(data);
        return tc->rc = hvp_fail(tc->err, HVP_E_NOMEM, "out of memory");
    }
    doc_ctx dc = { .tc = tc, .parser = p, .name = name };
    XML_SetUserData(p, &dc);
    XML_SetElementHandler(p, on_start, on_end);
    XML_SetCharacterDataHandler(p, on_text);
    tc->stack[tc->depth++] = name;
    enum XML_Status st = XML_Parse(p, data ? data : "", (int)len, XML_TRUE);
    tc->depth--;
    if (st == XML_STATUS_ERROR && tc->rc == HVP_OK)
        tc->rc = hvp_fail(tc->err, HVP_E_INPUT,
                          "target description '%s' is not well-formed XML: %s at line %lu",
                          name, XML_ErrorString(XML_GetErrorCode(p)),
                          (unsigned long)XML_GetCurrentLineNumber(p));
    XML_ParserFree(p);
    free(data);
    return tc->rc;
}

int tdesc_load(const char *root, tdesc_fetch_fn fetch, void *ctx,
               tdesc **out, hvp_error *err)
{
    if (!out)
        return hvp_fail(err, HVP_E_INVAL, "tdesc_load: no output pointer");
    *out = NULL;
    if (!root || !fetch)
        return hvp_fail(err, HVP_E_INVAL, "tdesc_load: no document name or fetch callback");
    tdesc *t = calloc(1, sizeof *t);
    if (!t)
        return hvp_fail(err, HVP_E_NOMEM, "out of memory");
    tdesc_ctx tc = { .t = t, .fetch = fetch, .fetch_ctx = ctx, .err = err };
    int rc = parse_doc(&tc, root);
    if (rc) {
        tdesc_free(t);
        return rc;
    }
    *out = t;
    return HVP_OK;
}

size_t tdesc_count(const tdesc *t)
{
    return t ? t->n : 0;
}

const tdesc_reg *tdesc_at(const tdesc *t, size_t i)
{
    return t && i < t->n ? &t->regs[i] : NULL;
}

const tdesc_reg *tdesc_find(const tdesc *t, const char *name)
{
    if (!t || !name)
        return NULL;
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->regs[i].name, name) == 0)
            return &t->regs[i];
    return NULL;
}

const char *tdesc_arch(const tdesc *t)
{
    return t && t->arch ? t->arch : "";
}

void tdesc_free(tdesc *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nstr; i++)
        free(t->strs[i]);
    free(t->strs);
    free(t->regs);
    free(t);
}
