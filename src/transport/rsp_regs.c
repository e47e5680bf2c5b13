/* rsp_regs.c - the gdbstub's target description (qXfer:features:read)
 * and reading registers by name (see rsp.h). */
#include "transport/rsp_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XFER_AHEAD 8    /* chunks asked for at once once the step is known */

/* Check one qXfer reply and append its data.  Returns 1 when it was the
 * last chunk ('l'), 0 when more follows ('m'), or a negative code. */
static int xfer_take(const char *name, const char *r, size_t rlen, hvp_buf *acc, hvp_error *err)
{
    if (rlen == 0)
        return hvp_fail(err, HVP_E_UNSUPPORTED, "the gdbstub does not support qXfer:features:read");
    if (rsp_i_is_error_reply(r, rlen) || (r[0] != 'm' && r[0] != 'l')) {
        if (r[0] == 'E')
            return hvp_fail(err, HVP_E_TARGET, "the gdbstub refused to send '%s' (%s)", name, r);
        return hvp_fail(err, HVP_E_PROTO, "the gdbstub answered qXfer for '%s' with \"%.20s\"", name, r);
    }
    if (rlen == 1 && r[0] == 'm')
        return hvp_fail(err, HVP_E_PROTO, "the gdbstub sent an empty non-final chunk of '%s'", name);
    if (acc->len + rlen > RSP_MAX_XML || hvp_buf_append(acc, r + 1, rlen - 1))
        return hvp_fail(err, HVP_E_PROTO, "target description '%s' is larger than %u bytes", name,
                        RSP_MAX_XML);
    return r[0] == 'l';
}

#define XFER_FILES 16    /* includes of target.xml fetched together */

/* One annex being fetched. */
typedef struct xfer_file {
    char name[201];
    hvp_buf acc;
    int done;           /* 1 complete, or failed (rc) */
    int rc;
    hvp_error err;
} xfer_file;

/* Fetch annexes with qXfer:features:read ('m' = more follows, 'l' =
 * last), all files in the same pipelines.  A stub may send less than
 * asked (QEMU 7.2 sends at most 2045 bytes a chunk, whatever the packet
 * size); once a full non-final chunk has shown that step, the next
 * XFER_AHEAD chunks of each file are asked for at their exact offsets.
 * Replies past the end ('l' empty, E00) are dropped; a chunk of another
 * size falls back to one request at a time from where the data ends.  A
 * file the stub refuses gets its own rc; the return value is a transport
 * error only. */
static int xfer_many(rsp_client *c, xfer_file *f, size_t n, hvp_error *err)
{
    size_t ask = c->pktsize > 64 ? c->pktsize - 32 : 32;
    enum { MAXQ = XFER_FILES * XFER_AHEAD };
    char (*req)[260] = malloc(MAXQ * sizeof *req);
    const char **pl = malloc(MAXQ * sizeof *pl);
    char **rep = calloc(MAXQ, sizeof *rep);
    size_t *rlen = calloc(MAXQ, sizeof *rlen), *who = calloc(MAXQ, sizeof *who);
    int rc = !req || !pl || !rep || !rlen || !who ? hvp_fail(err, HVP_E_NOMEM, "out of memory") : HVP_OK;
    for (;;) {
        size_t q = 0, step = c->xfer_step ? c->xfer_step : ask, ahead = c->xfer_step ? XFER_AHEAD : 1;
        for (size_t i = 0; !rc && i < n && i < XFER_FILES; i++)
            for (size_t k = 0; !f[i].done && k < ahead; k++, q++) {
                snprintf(req[q], sizeof req[q], "qXfer:features:read:%s:%zx,%zx", f[i].name,
                         f[i].acc.len + k * step, step);
                pl[q] = req[q];
                who[q] = i;
            }
        if (rc || !q || (rc = rsp_batch_n(c, pl, q, rep, rlen, err)))
            break;
        size_t base = 0;
        for (size_t j = 0; j < q; j++) {
            xfer_file *x = &f[who[j]];
            if (j == 0 || who[j] != who[j - 1])
                base = j;               /* first reply of this file */
            if (x->done || (j > base && x->acc.len != 0 && c->xfer_step == 0))
                continue;               /* ended, or offsets no longer right */
            size_t before = x->acc.len;
            int t = xfer_take(x->name, rep[j], rlen[j], &x->acc, &x->err);
            if (t < 0) {
                x->rc = t;
                x->done = 1;
            } else if (t == 1) {
                x->done = 1;
            } else if (!c->xfer_step) {
                c->xfer_step = rlen[j] - 1;         /* learned: a full chunk's size */
            } else if (rlen[j] - 1 != c->xfer_step || x->acc.len != before + c->xfer_step) {
                c->xfer_step = 0;                   /* odd size: ask one at a time */
            }
        }
        for (size_t j = 0; j < q; j++) {
            free(rep[j]);
            rep[j] = NULL;
        }
    }
    free(req), free(pl), free(rep), free(rlen), free(who);
    return rc;
}

/* tdesc fetch callback.  target.xml is fetched alone; then every file it
 * includes is fetched together (a handful of round trips instead of one
 * or more per file) and served from there. */
typedef struct xfer_ctx {
    rsp_client *c;
    xfer_file files[XFER_FILES];
    size_t nfiles;
} xfer_ctx;

static int usable_name(const char *name, hvp_error *err)
{
    if (strpbrk(name, ":#$}*;\"") || strlen(name) > 200 || !*name)
        return hvp_fail(err, HVP_E_INPUT, "target description names an unusable file '%.60s'", name);
    return HVP_OK;
}

/* Fetch every href="..." that root names, up to XFER_FILES. */
static int prefetch_includes(xfer_ctx *x, const char *root, hvp_error *err)
{
    for (const char *p = root; (p = strstr(p, "href=\"")) && x->nfiles < XFER_FILES;) {
        p += 6;
        size_t k = strcspn(p, "\"");
        xfer_file *f = &x->files[x->nfiles];
        if (p[k] == '"' && k < sizeof f->name) {
            memset(f, 0, sizeof *f);
            memcpy(f->name, p, k);
            f->name[k] = '\0';
            if (usable_name(f->name, NULL) == HVP_OK)
                x->nfiles++;
        }
        p += k;
    }
    return xfer_many(x->c, x->files, x->nfiles, err);
}

static int xfer_fetch(void *ctx, const char *name, char **data, size_t *len, hvp_error *err)
{
    xfer_ctx *x = ctx;
    int rc = usable_name(name, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < x->nfiles; i++)
        if (strcmp(x->files[i].name, name) == 0 && x->files[i].done) {
            xfer_file *f = &x->files[i];
            if (f->rc) {
                if (err)
                    *err = f->err;
                return f->rc;
            }
            *len = f->acc.len;
            *data = hvp_buf_steal(&f->acc);
            f->name[0] = '\0';                /* served; a second include fetches again */
            f->done = 0;
            return *data || !*len ? HVP_OK : hvp_fail(err, HVP_E_NOMEM, "out of memory");
        }
    xfer_file one;
    memset(&one, 0, sizeof one);
    snprintf(one.name, sizeof one.name, "%s", name);
    if ((rc = xfer_many(x->c, &one, 1, err)) || (rc = one.rc)) {
        if (!x->c->broken && err && one.rc)
            *err = one.err;
        hvp_buf_free(&one.acc);
        return rc;
    }
    if (x->nfiles == 0 && strcmp(name, "target.xml") == 0 && hvp_buf_putc(&one.acc, '\0') == HVP_OK) {
        one.acc.len--;                      /* NUL for the scan, not data */
        if ((rc = prefetch_includes(x, one.acc.data, err))) {
            hvp_buf_free(&one.acc);
            return rc;
        }
    }
    *len = one.acc.len;
    *data = hvp_buf_steal(&one.acc);
    return HVP_OK;
}

/* Stable insertion sort of register indices by regnum (n is a few
 * hundred, and descriptions are nearly sorted already). */
static void sort_by_regnum(const rsp_reg *regs, size_t *order, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        size_t v = order[i], j = i;
        while (j > 0 && regs[order[j - 1]].regnum > regs[v].regnum) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = v;
    }
}

int rsp_load_registers(rsp_client *c, hvp_error *err)
{
    int rc = rsp_i_check_usable(c, err);
    if (rc || c->td)
        return rc;
    if (!c->has_xfer)
        return hvp_fail(err, HVP_E_UNSUPPORTED,
                        "the gdbstub at %s does not offer qXfer:features:read, so its register names are unknown",
                        hvp_conn_addr(c->conn));
    tdesc *td;
    xfer_ctx x = { .c = c };
    rc = tdesc_load("target.xml", xfer_fetch, &x, &td, err);
    for (size_t i = 0; i < x.nfiles; i++)
        hvp_buf_free(&x.files[i].acc);
    if (rc)
        return rc;
    size_t n = tdesc_count(td);
    c->regs = calloc(n ? n : 1, sizeof *c->regs);
    c->order = calloc(n ? n : 1, sizeof *c->order);
    c->gpos = calloc(n + 1, sizeof *c->gpos);
    if (!c->regs || !c->order || !c->gpos) {
        tdesc_free(td);
        free(c->regs), free(c->order), free(c->gpos);
        c->regs = NULL, c->order = NULL, c->gpos = NULL;
        return hvp_fail(err, HVP_E_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        const tdesc_reg *t = tdesc_at(td, i);
        c->regs[i] = (rsp_reg){ t->name, t->regnum, t->bitsize, t->feature, t->group };
        c->order[i] = i;
    }
    /* 'g' layout: registers in regnum order, each bitsize/4 hex digits;
     * numbers missing from the description take no space (QEMU's 16-24). */
    sort_by_regnum(c->regs, c->order, n);
    for (size_t k = 0; k < n; k++)
        c->gpos[k + 1] = c->gpos[k] + (size_t)(c->regs[c->order[k]].bitsize + 3) / 4;
    c->td = td;
    c->nregs = n;
    return HVP_OK;
}

size_t rsp_reg_count(const rsp_client *c)
{
    return c ? c->nregs : 0;
}

const rsp_reg *rsp_reg_at(const rsp_client *c, size_t i)
{
    return c && i < c->nregs ? &c->regs[i] : NULL;
}

const rsp_reg *rsp_reg_find(const rsp_client *c, const char *name)
{
    if (!c || !name)
        return NULL;
    for (size_t i = 0; i < c->nregs; i++)
        if (strcmp(c->regs[i].name, name) == 0)
            return &c->regs[i];
    return NULL;
}

/* Look a register up, loading the table on first use. */
static int lookup(rsp_client *c, const char *name, const rsp_reg **r, hvp_error *err)
{
    int rc = rsp_load_registers(c, err);
    if (rc)
        return rc;
    if (!name || !(*r = rsp_reg_find(c, name)))
        return hvp_fail(err, HVP_E_UNSUPPORTED, "the target has no register named '%s'",
                        name ? name : "(null)");
    if ((*r)->bitsize > 64 || (*r)->bitsize % 8)
        return hvp_fail(err, HVP_E_UNSUPPORTED, "register '%s' is %d bits wide; only whole bytes up to 64 bits can be read as a number",
                        name, (*r)->bitsize);
    return HVP_OK;
}

/* Decode a register value text and explain failures. */
static int decode_value(const rsp_reg *r, const char *hex, size_t len, uint64_t *val,
                        hvp_error *err)
{
    if (len != (size_t)r->bitsize / 4)
        return hvp_fail(err, HVP_E_PROTO, "the gdbstub sent %zu bits for register '%s', which has %d",
                        len * 4, r->name, r->bitsize);
    int rc = rsp_decode_reg_le(hex, len, val);
    if (rc == HVP_E_UNSUPPORTED)
        return hvp_fail(err, HVP_E_UNSUPPORTED, "the gdbstub says register '%s' is unavailable", r->name);
    if (rc)
        return hvp_fail(err, HVP_E_PROTO, "the gdbstub sent a malformed value for register '%s'", r->name);
    return HVP_OK;
}

static int read_one(rsp_client *c, const rsp_reg *r, uint64_t *val, hvp_error *err)
{
    char req[32];
    const char *rep;
    size_t len;
    snprintf(req, sizeof req, "p%x", (unsigned)r->regnum);
    int rc = rsp_i_transact(c, req, 1, &rep, &len, err);
    if (rc)
        return rc;
    if (len == 0)
        return hvp_fail(err, HVP_E_UNSUPPORTED, "the gdbstub does not support reading single registers ('p')");
    if (rsp_i_is_error_reply(rep, len))
        return hvp_fail(err, HVP_E_TARGET, "the gdbstub could not read register '%s' (%s)", r->name, rep);
    return decode_value(r, rep, len, val, err);
}

int rsp_read_reg(rsp_client *c, const char *name, uint64_t *val, hvp_error *err)
{
    const rsp_reg *r = NULL;
    int rc = lookup(c, name, &r, err);
    if (rc)
        return rc;
    if (!val)
        return hvp_fail(err, HVP_E_INVAL, "rsp_read_reg: no value pointer");
    return read_one(c, r, val, err);
}

/* Position of register r in the 'g' order, or -1. */
static long order_pos(const rsp_client *c, const rsp_reg *r)
{
    size_t idx = (size_t)(r - c->regs);
    for (size_t k = 0; k < c->nregs; k++)
        if (c->order[k] == idx)
            return (long)k;
    return -1;
}

/* Send 'g' and fill the requested registers it covers.  Learns how many
 * registers (in regnum order) a 'g' reply holds; a reply that does not end
 * on a register boundary disables 'g' (g_cover = 0). */
static int read_g(rsp_client *c, const rsp_reg **rr, size_t n, uint64_t *vals,
                  int *ok, hvp_error *err)
{
    const char *rep;
    size_t len;
    int rc = rsp_i_transact(c, "g", 1, &rep, &len, err);
    if (rc)
        return rc;
    c->g_cover = 0;
    if (len == 0 || rsp_i_is_error_reply(rep, len))
        return HVP_OK;
    for (size_t k = 0; k <= c->nregs && c->gpos[k] <= len; k++)
        if (c->gpos[k] == len)
            c->g_cover = (long)k;
    for (size_t i = 0; i < n; i++) {
        long k = rr[i] ? order_pos(c, rr[i]) : -1;
        if (k < 0 || k >= c->g_cover)
            continue;
        ok[i] = decode_value(rr[i], rep + c->gpos[k], c->gpos[k + 1] - c->gpos[k],
                             &vals[i], NULL) == HVP_OK;
    }
    return HVP_OK;
}

int rsp_read_regs(rsp_client *c, const char *const *names, size_t n,
                  uint64_t *vals, int *ok, hvp_error *err)
{
    if (n && (!names || !vals || !ok))
        return hvp_fail(err, HVP_E_INVAL, "rsp_read_regs: missing array");
    int rc = rsp_load_registers(c, err);
    if (rc)
        return rc;
    const rsp_reg **rr = calloc(n ? n : 1, sizeof *rr);
    if (!rr)
        return hvp_fail(err, HVP_E_NOMEM, "out of memory");
    size_t in_g = 0, usable = 0;
    for (size_t i = 0; i < n; i++) {
        vals[i] = 0;
        ok[i] = 0;
        if (lookup(c, names[i], &rr[i], NULL) != HVP_OK) {
            rr[i] = NULL;
            continue;
        }
        usable++;
        long k = order_pos(c, rr[i]);
        if (c->g_cover > 0 && k < c->g_cover)
            in_g++;
    }
    /* 'g' pays off when it replaces at least two 'p'; the first time we
     * do not yet know what it covers, so try it once. */
    if (usable >= 2 && (c->g_cover < 0 || in_g >= 2))
        rc = read_g(c, rr, n, vals, ok, err);
    /* The rest with 'p', pipelined. */
    size_t np = 0;
    for (size_t i = 0; i < n; i++)
        np += rr[i] && !ok[i];
    if (rc == HVP_OK && np) {
        char (*txt)[16] = calloc(np, sizeof *txt);
        const char **pl = calloc(np, sizeof *pl);
        char **rep = calloc(np, sizeof *rep);
        size_t *idx = calloc(np, sizeof *idx);
        if (!txt || !pl || !rep || !idx)
            rc = hvp_fail(err, HVP_E_NOMEM, "out of memory");
        for (size_t i = 0, k = 0; rc == HVP_OK && i < n; i++)
            if (rr[i] && !ok[i]) {
                snprintf(txt[k], sizeof txt[k], "p%x", (unsigned)rr[i]->regnum);
                pl[k] = txt[k];
                idx[k++] = i;
            }
        if (rc == HVP_OK)
            rc = rsp_batch(c, pl, np, rep, err);
        for (size_t k = 0; rc == HVP_OK && k < np; k++) {
            size_t i = idx[k], len = strlen(rep[k]);
            ok[i] = len && !rsp_i_is_error_reply(rep[k], len) &&
                    decode_value(rr[i], rep[k], len, &vals[i], NULL) == HVP_OK;
        }
        for (size_t k = 0; rep && k < np; k++)
            free(rep[k]);
        free(txt), free(pl), free(rep), free(idx);
    }
    free(rr);
    return rc;
}

