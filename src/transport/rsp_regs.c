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

/* tdesc fetch callback: read one annex with qXfer:features:read ('m' =
 * more follows, 'l' = last).  A stub may send less than asked (QEMU 7.2
 * sends at most 2045 bytes a chunk, whatever the packet size); once a
 * full non-final chunk has shown that step, the next XFER_AHEAD chunks
 * are asked for in one pipeline at their exact offsets.  Replies past
 * the end ('l' empty, E00) are dropped; a chunk of another size falls
 * back to one request at a time from where the data ends. */
static int xfer_fetch(void *ctx, const char *name, char **data, size_t *len,
                      hvp_error *err)
{
    rsp_client *c = ctx;
    if (strpbrk(name, ":#$}*;") || strlen(name) > 200)
        return hvp_fail(err, HVP_E_INPUT, "target description names an unusable file '%.60s'", name);
    hvp_buf acc = { 0 };
    size_t ask = c->pktsize > 64 ? c->pktsize - 32 : 32;
    int done = 0, rc = HVP_OK;
    while (!done && rc >= 0) {
        size_t n = c->xfer_step ? XFER_AHEAD : 1, step = c->xfer_step ? c->xfer_step : ask;
        char req[XFER_AHEAD][300];
        const char *pl[XFER_AHEAD];
        char *rep[XFER_AHEAD];
        size_t rlen[XFER_AHEAD], base = acc.len;
        for (size_t k = 0; k < n; k++) {
            snprintf(req[k], sizeof req[k], "qXfer:features:read:%s:%zx,%zx", name, base + k * step, step);
            pl[k] = req[k];
        }
        if ((rc = rsp_batch_n(c, pl, n, rep, rlen, err)))
            break;
        for (size_t k = 0; k < n && !done && rc >= 0; k++) {
            rc = xfer_take(name, rep[k], rlen[k], &acc, err);
            if (rc == 1)
                done = 1;
            else if (rc == 0 && !c->xfer_step)
                c->xfer_step = rlen[k] - 1;        /* learned: a full chunk's size */
            else if (rc == 0 && rlen[k] - 1 != c->xfer_step)
                { c->xfer_step = 0; break; }       /* odd size: later offsets are wrong */
        }
        for (size_t k = 0; k < n; k++)
            free(rep[k]);
        if (rc > 0)
            rc = HVP_OK;
    }
    if (rc < 0) {
        hvp_buf_free(&acc);
        return rc;
    }
    *len = acc.len;
    *data = hvp_buf_steal(&acc);
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
    if ((rc = tdesc_load("target.xml", xfer_fetch, c, &td, err)))
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

