/* rsp.c - GDB Remote Serial Protocol client (see rsp.h). */
#include "util/clock.h"
#include "transport/rsp.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "transport/conn.h"
#include "transport/rsp_codec.h"
#include "transport/tdesc.h"
#include "util/buf.h"

#define RSP_MAX_RETRIES 3             /* NAKs sent/received per packet */
#define RSP_MAX_JUNK 4096             /* junk bytes tolerated per reply */
#define RSP_MAX_XML (4u * 1024 * 1024) /* per target description file */
#define RSP_DEFAULT_PKTSIZE 4096

struct rsp_client {
    hvp_conn *conn;
    int timeout_ms;
    rsp_decoder dec;
    uint8_t rbuf[4096];
    size_t rpos, rlen;
    hvp_buf out;

    int ack_mode;
    size_t pktsize;
    int has_xfer;
    int running, detached;
    int broken;                 /* HVP_E_* that made the stream unusable */
    int phys_checked, phys_ok;
    char *stop;                 /* last stop reply */

    tdesc *td;
    rsp_reg *regs;
    size_t nregs;
    size_t *order;              /* register indices sorted by regnum */
    size_t *gpos;               /* hex offset in a 'g' reply, by order */
    long g_cover;               /* regs (in order) a 'g' reply covers; -1 unknown */
};

/* Mark the stream unusable (after timeout, hang-up, protocol error). */
static int broke(rsp_client *c, int rc)
{
    if (rc == HVP_E_TIMEOUT || rc == HVP_E_CLOSED || rc == HVP_E_PROTO ||
        rc == HVP_E_IO)
        c->broken = rc;
    return rc;
}

static int is_stop_reply(const char *p, size_t len)
{
    return len >= 3 && strchr("TSWX", p[0]) && rsp_hex_digit((unsigned char)p[1]) >= 0 &&
           rsp_hex_digit((unsigned char)p[2]) >= 0;
}

static int is_error_reply(const char *p, size_t len)
{
    return len == 3 && p[0] == 'E' && rsp_hex_digit((unsigned char)p[1]) >= 0 &&
           rsp_hex_digit((unsigned char)p[2]) >= 0;
}

static void set_stop(rsp_client *c, const char *p)
{
    char *s = strdup(p);
    if (s) {
        free(c->stop);
        c->stop = s;
    }
}

/* Feed buffered/received bytes to the decoder until it reports an event.
 * Waits no later than deadline.  Returns the event (> 0) or a negative
 * code with a sentence that says what the peer did. */
static int next_event(rsp_client *c, long deadline, hvp_error *err)
{
    for (;;) {
        while (c->rpos < c->rlen) {
            int ev = rsp_decoder_feed(&c->dec, c->rbuf[c->rpos++]);
            if (ev != RSP_EV_NONE)
                return ev;
            const char *head;
            size_t junk = rsp_decoder_junk(&c->dec, &head, NULL);
            if (junk > RSP_MAX_JUNK)
                return hvp_fail(err, HVP_E_PROTO,
                                "the peer at %s sent %zu bytes that are not GDB remote protocol (starting \"%.20s\"); is it really a gdbstub?",
                                hvp_conn_addr(c->conn), junk, head);
        }
        long left = deadline - hvp_now_ms();
        size_t got = 0;
        hvp_error e = { 0 };
        int rc = left > 0 ? hvp_conn_read(c->conn, c->rbuf, sizeof c->rbuf, (int)left, &got, &e)
                          : HVP_E_TIMEOUT;
        if (rc == HVP_OK) {
            c->rpos = 0;
            c->rlen = got;
            continue;
        }
        const char *head;
        size_t junk = rsp_decoder_junk(&c->dec, &head, NULL);
        int mid = rsp_decoder_in_packet(&c->dec);
        if (rc == HVP_E_TIMEOUT && junk)
            return hvp_fail(err, HVP_E_PROTO,
                            "the peer at %s sent %zu bytes that are not GDB remote protocol (starting \"%.20s\") and no packet; is it really a gdbstub?",
                            hvp_conn_addr(c->conn), junk, head);
        if (rc == HVP_E_TIMEOUT)
            return hvp_fail(err, HVP_E_TIMEOUT, mid
                            ? "the gdbstub at %s stopped in the middle of a packet and sent nothing more for %d ms"
                            : "the gdbstub at %s did not answer within %d ms",
                            hvp_conn_addr(c->conn), c->timeout_ms);
        if (rc == HVP_E_CLOSED)
            return hvp_fail(err, HVP_E_CLOSED, mid
                            ? "the gdbstub at %s closed the connection in the middle of a packet"
                            : "the gdbstub at %s closed the connection",
                            hvp_conn_addr(c->conn));
        return hvp_fail(err, rc, "reading from the gdbstub at %s failed: %s",
                        hvp_conn_addr(c->conn), e.msg);
    }
}

static int write_raw(rsp_client *c, const void *p, size_t n, hvp_error *err)
{
    return hvp_conn_write(c->conn, p, n, err);
}

/* Record an unsolicited packet (a stop reply sent before our ack or
 * while we wait for another reply); acks it in ack mode. */
static int take_unsolicited(rsp_client *c, hvp_error *err)
{
    size_t len;
    const char *p = rsp_decoder_payload(&c->dec, &len);
    if (is_stop_reply(p, len)) {
        set_stop(c, p);
        c->running = 0;
    }
    return c->ack_mode ? write_raw(c, "+", 1, err) : HVP_OK;
}

/* Send one packet; in ack mode wait for '+' and resend on '-' (bounded). */
static int send_packet(rsp_client *c, const char *payload, size_t len, hvp_error *err)
{
    hvp_buf_reset(&c->out);
    if (rsp_encode(&c->out, payload, len, 0))
        return hvp_fail(err, HVP_E_NOMEM, "out of memory");
    int rc = write_raw(c, c->out.data, c->out.len, err);
    if (rc || !c->ack_mode)
        return rc;
    long deadline = hvp_now_ms() + c->timeout_ms;
    int naks = 0;
    for (;;) {
        int ev = next_event(c, deadline, err);
        if (ev < 0)
            return ev;
        switch (ev) {
        case RSP_EV_ACK:
            return HVP_OK;
        case RSP_EV_NAK:
            if (++naks > RSP_MAX_RETRIES)
                return hvp_fail(err, HVP_E_PROTO,
                                "the gdbstub at %s rejected our packet %d times",
                                hvp_conn_addr(c->conn), naks);
            if ((rc = write_raw(c, c->out.data, c->out.len, err)))
                return rc;
            break;
        case RSP_EV_PACKET:
            if ((rc = take_unsolicited(c, err)))
                return rc;
            break;
        case RSP_EV_BAD_CHECKSUM:
        case RSP_EV_BAD_PACKET:
            if ((rc = write_raw(c, "-", 1, err)))
                return rc;
            break;
        case RSP_EV_OVERSIZE:
            return hvp_fail(err, HVP_E_PROTO, "the gdbstub at %s sent a packet larger than %zu bytes",
                            hvp_conn_addr(c->conn), c->dec.max);
        default:    /* notifications, stray 0x03 */
            break;
        }
    }
}

/* Wait for the reply packet.  skip_stop: stop replies are recorded and
 * skipped (for requests whose reply can never look like one).  *reply
 * points into the decoder, valid until the next read. */
static int recv_packet(rsp_client *c, int skip_stop, const char **reply,
                       size_t *rlen, hvp_error *err)
{
    long deadline = hvp_now_ms() + c->timeout_ms;
    int bad = 0, rc;
    for (;;) {
        int ev = next_event(c, deadline, err);
        if (ev < 0)
            return ev;
        if (ev == RSP_EV_PACKET) {
            size_t len;
            const char *p = rsp_decoder_payload(&c->dec, &len);
            if (skip_stop && is_stop_reply(p, len)) {
                if ((rc = take_unsolicited(c, err)))
                    return rc;
                continue;
            }
            if (c->ack_mode && (rc = write_raw(c, "+", 1, err)))
                return rc;
            *reply = p;
            *rlen = len;
            return HVP_OK;
        }
        if (ev == RSP_EV_BAD_CHECKSUM || ev == RSP_EV_BAD_PACKET) {
            const char *what = ev == RSP_EV_BAD_CHECKSUM ? "a bad checksum" : "a malformed packet";
            if (!c->ack_mode)
                return hvp_fail(err, HVP_E_PROTO, "the gdbstub at %s sent %s",
                                hvp_conn_addr(c->conn), what);
            if (++bad > RSP_MAX_RETRIES)
                return hvp_fail(err, HVP_E_PROTO, "the gdbstub at %s sent %s %d times in a row",
                                hvp_conn_addr(c->conn), what, bad);
            if ((rc = write_raw(c, "-", 1, err)))
                return rc;
            deadline = hvp_now_ms() + c->timeout_ms;
        } else if (ev == RSP_EV_OVERSIZE) {
            return hvp_fail(err, HVP_E_PROTO, "the gdbstub at %s sent a reply larger than %zu bytes",
                            hvp_conn_addr(c->conn), c->dec.max);
        }
        /* acks, naks, notifications, 0x03: not a reply, keep waiting */
    }
}

static int check_usable(rsp_client *c, hvp_error *err)
{
    if (!c)
        return hvp_fail(err, HVP_E_INVAL, "no gdbstub connection");
    if (c->broken)
        return hvp_fail(err, c->broken,
                        "the connection to the gdbstub at %s is unusable after an earlier %s",
                        hvp_conn_addr(c->conn), hvp_status_name(c->broken));
    if (c->detached)
        return hvp_fail(err, HVP_E_INVAL, "already detached from the gdbstub at %s",
                        hvp_conn_addr(c->conn));
    return HVP_OK;
}

/* One request/reply exchange.  Marks the client broken on transport
 * errors. */
static int transact(rsp_client *c, const char *payload, int skip_stop,
                    const char **reply, size_t *rlen, hvp_error *err)
{
    int rc = check_usable(c, err);
    if (rc)
        return rc;
    if (c->running)
        return hvp_fail(err, HVP_E_INVAL, "the target is running; interrupt it before sending '%.20s'",
                        payload);
    rsp_decoder_clear_junk(&c->dec);
    rc = send_packet(c, payload, strlen(payload), err);
    if (!rc)
        rc = recv_packet(c, skip_stop, reply, rlen, err);
    return broke(c, rc);
}

int rsp_request(rsp_client *c, const char *payload, char **reply, hvp_error *err)
{
    const char *r;
    size_t len;
    if (!payload || !reply)
        return hvp_fail(err, HVP_E_INVAL, "rsp_request: no payload or reply pointer");
    *reply = NULL;
    int rc = transact(c, payload, 0, &r, &len, err);
    if (rc)
        return rc;
    if (is_stop_reply(r, len))
        set_stop(c, r);
    if (!(*reply = strdup(r)))
        return hvp_fail(err, HVP_E_NOMEM, "out of memory");
    return HVP_OK;
}

/* Parse the qSupported reply: "PacketSize=1000;qXfer:features:read+;..." */
static void parse_supported(rsp_client *c, const char *r, int *noack)
{
    char *copy = strdup(r), *save = NULL;
    if (!copy)
        return;
    for (char *f = strtok_r(copy, ";", &save); f; f = strtok_r(NULL, ";", &save)) {
        if (strncmp(f, "PacketSize=", 11) == 0) {
            unsigned long v = strtoul(f + 11, NULL, 16);
            if (v >= 64 && v <= 1024 * 1024)
                c->pktsize = v;
        } else if (strcmp(f, "qXfer:features:read+") == 0) {
            c->has_xfer = 1;
        } else if (strcmp(f, "QStartNoAckMode+") == 0) {
            *noack = 1;
        }
    }
    free(copy);
}

int rsp_open(const char *addr, int timeout_ms, rsp_client **out, hvp_error *err)
{
    if (!out)
        return hvp_fail(err, HVP_E_INVAL, "rsp_open: no output pointer");
    *out = NULL;
    if (timeout_ms <= 0)
        return hvp_fail(err, HVP_E_INVAL, "rsp_open: timeout must be positive");
    rsp_client *c = calloc(1, sizeof *c);
    if (!c)
        return hvp_fail(err, HVP_E_NOMEM, "out of memory");
    c->timeout_ms = timeout_ms;
    c->ack_mode = 1;
    c->pktsize = RSP_DEFAULT_PKTSIZE;
    c->g_cover = -1;
    rsp_decoder_init(&c->dec, RSP_DEFAULT_MAX_PAYLOAD);
    int rc = hvp_conn_open(addr, timeout_ms, &c->conn, err);
    if (rc) {
        rsp_close(c);
        return rc;
    }
    const char *r;
    size_t len;
    int noack = 0;
    if ((rc = transact(c, "qSupported", 1, &r, &len, err)))
        goto fail;
    parse_supported(c, r, &noack);
    if (c->pktsize + 1024 > c->dec.max)
        c->dec.max = c->pktsize + 1024;
    if (noack) {
        if ((rc = transact(c, "QStartNoAckMode", 1, &r, &len, err)))
            goto fail;
        if (strcmp(r, "OK") == 0)
            c->ack_mode = 0;
    }
    if ((rc = transact(c, "?", 0, &r, &len, err)))
        goto fail;
    if (!is_stop_reply(r, len)) {
        rc = hvp_fail(err, HVP_E_PROTO, "the gdbstub at %s answered '?' with \"%.40s\", not a stop reply",
                      addr, r);
        goto fail;
    }
    set_stop(c, r);
    *out = c;
    return HVP_OK;
fail:
    rsp_close(c);
    return rc;
}

void rsp_close(rsp_client *c)
{
    if (!c)
        return;
    hvp_conn_close(c->conn);
    rsp_decoder_free(&c->dec);
    hvp_buf_free(&c->out);
    free(c->stop);
    tdesc_free(c->td);
    free(c->regs);
    free(c->order);
    free(c->gpos);
    free(c);
}

const char *rsp_stop_reply(const rsp_client *c)
{
    return c && c->stop ? c->stop : "";
}

size_t rsp_packet_size(const rsp_client *c)
{
    return c ? c->pktsize : 0;
}

/* tdesc fetch callback: read one annex with qXfer:features:read, in
 * chunks that fit the packet size ('m' = more follows, 'l' = last). */
static int xfer_fetch(void *ctx, const char *name, char **data, size_t *len,
                      hvp_error *err)
{
    rsp_client *c = ctx;
    if (strpbrk(name, ":#$}*;") || strlen(name) > 200)
        return hvp_fail(err, HVP_E_INPUT, "target description names an unusable file '%.60s'", name);
    hvp_buf acc = { 0 };
    size_t chunk = c->pktsize > 64 ? c->pktsize - 32 : 32;
    for (;;) {
        char req[300];
        const char *r;
        size_t rlen;
        snprintf(req, sizeof req, "qXfer:features:read:%s:%zx,%zx", name, acc.len, chunk);
        int rc = transact(c, req, 1, &r, &rlen, err);
        if (rc) {
            hvp_buf_free(&acc);
            return rc;
        }
        if (rlen == 0 || is_error_reply(r, rlen) || (r[0] != 'm' && r[0] != 'l')) {
            hvp_buf_free(&acc);
            if (rlen == 0)
                return hvp_fail(err, HVP_E_UNSUPPORTED, "the gdbstub does not support qXfer:features:read");
            if (r[0] == 'E')
                return hvp_fail(err, HVP_E_TARGET, "the gdbstub refused to send '%s' (%s)", name, r);
            return hvp_fail(err, HVP_E_PROTO, "the gdbstub answered qXfer for '%s' with \"%.20s\"", name, r);
        }
        if (rlen == 1 && r[0] == 'm') {
            hvp_buf_free(&acc);
            return hvp_fail(err, HVP_E_PROTO, "the gdbstub sent an empty non-final chunk of '%s'", name);
        }
        if (acc.len + rlen > RSP_MAX_XML || hvp_buf_append(&acc, r + 1, rlen - 1)) {
            hvp_buf_free(&acc);
            return hvp_fail(err, HVP_E_PROTO, "target description '%s' is larger than %u bytes", name,
                            RSP_MAX_XML);
        }
        if (r[0] == 'l')
            break;
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
    int rc = check_usable(c, err);
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
    int rc = transact(c, req, 1, &rep, &len, err);
    if (rc)
        return rc;
    if (len == 0)
        return hvp_fail(err, HVP_E_UNSUPPORTED, "the gdbstub does not support reading single registers ('p')");
    if (is_error_reply(rep, len))
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
    int rc = transact(c, "g", 1, &rep, &len, err);
    if (rc)
        return rc;
    c->g_cover = 0;
    if (len == 0 || is_error_reply(rep, len))
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
    for (size_t i = 0; i < n && rc == HVP_OK; i++) {
        if (!rr[i] || ok[i])
            continue;
        hvp_error e1 = { 0 };
        int r1 = read_one(c, rr[i], &vals[i], &e1);
        if (r1 == HVP_OK)
            ok[i] = 1;
        else if (c->broken)
            rc = hvp_fail(err, r1, "%s", e1.msg);
    }
    free(rr);
    return rc;
}

int rsp_read_mem(rsp_client *c, uint64_t addr, size_t len, uint8_t *buf, hvp_error *err)
{
    if (len && !buf)
        return hvp_fail(err, HVP_E_INVAL, "rsp_read_mem: no buffer");
    size_t chunk = (c && c->pktsize > 64 ? c->pktsize - 32 : 32) / 2;
    size_t done = 0;
    while (done < len) {
        uint64_t at = addr + done;
        size_t want = len - done < chunk ? len - done : chunk;
        char req[64];
        const char *rep;
        size_t rlen;
        snprintf(req, sizeof req, "m%" PRIx64 ",%zx", at, want);
        int rc = transact(c, req, 1, &rep, &rlen, err);
        if (rc)
            return rc;
        if (rlen == 0)
            return hvp_fail(err, HVP_E_UNSUPPORTED, "the gdbstub does not support reading memory ('m')");
        if (is_error_reply(rep, rlen))
            return hvp_fail(err, HVP_E_TARGET, "cannot read memory at 0x%" PRIx64 " (the gdbstub answered %s)",
                            at, rep);
        if (rlen % 2 || rlen / 2 > want ||
            rsp_hex_to_bytes(rep, rlen, buf + done, rlen / 2))
            return broke(c, hvp_fail(err, HVP_E_PROTO,
                                     "the gdbstub answered a memory read at 0x%" PRIx64 " with \"%.20s\"",
                                     at, rep));
        done += rlen / 2;   /* a stub may return fewer bytes; ask again */
    }
    return HVP_OK;
}

int rsp_set_phys_mode(rsp_client *c, int on, hvp_error *err)
{
    const char *rep;
    size_t len;
    int rc;
    if ((rc = check_usable(c, err)))
        return rc;
    if (!c->phys_checked) {
        if ((rc = transact(c, "qqemu.Supported", 1, &rep, &len, err)))
            return rc;
        c->phys_checked = 1;
        c->phys_ok = strstr(rep, "PhyMemMode") != NULL;
    }
    if (!c->phys_ok)
        return hvp_fail(err, HVP_E_UNSUPPORTED,
                        "the gdbstub at %s cannot read physical memory (no Qqemu.PhyMemMode)",
                        hvp_conn_addr(c->conn));
    if ((rc = transact(c, on ? "Qqemu.PhyMemMode:1" : "Qqemu.PhyMemMode:0", 1, &rep, &len, err)))
        return rc;
    if (strcmp(rep, "OK") == 0)
        return HVP_OK;
    if (len == 0)
        return hvp_fail(err, HVP_E_UNSUPPORTED, "the gdbstub at %s does not understand Qqemu.PhyMemMode",
                        hvp_conn_addr(c->conn));
    return hvp_fail(err, HVP_E_TARGET, "the gdbstub at %s refused Qqemu.PhyMemMode:%d (%s)",
                    hvp_conn_addr(c->conn), on ? 1 : 0, rep);
}

int rsp_interrupt(rsp_client *c, hvp_error *err)
{
    int rc = check_usable(c, err);
    if (rc || !c->running)
        return rc;
    rsp_decoder_clear_junk(&c->dec);
    if ((rc = write_raw(c, "\x03", 1, err)))
        return broke(c, rc);
    /* Wait for a stop reply; anything else is not ours to answer. */
    for (;;) {
        const char *rep;
        size_t len;
        if ((rc = recv_packet(c, 0, &rep, &len, err)))
            return broke(c, hvp_wrap(err, rc, "waiting for the target to stop"));
        if (is_stop_reply(rep, len)) {
            set_stop(c, rep);
            c->running = 0;
            return HVP_OK;
        }
    }
}

int rsp_continue(rsp_client *c, hvp_error *err)
{
    int rc = check_usable(c, err);
    if (rc || c->running)
        return rc;
    rsp_decoder_clear_junk(&c->dec);
    if ((rc = send_packet(c, "c", 1, err)))
        return broke(c, rc);
    c->running = 1;
    return HVP_OK;
}

int rsp_breakpoint(rsp_client *c, int insert, uint64_t addr, hvp_error *err)
{
    char cmd[48];
    const char *rep;
    size_t len;
    /* Z0/z0: software breakpoint, kind 4 = a 32-bit ARM instruction. */
    int n = snprintf(cmd, sizeof cmd, "%c0,%llx,4", insert ? 'Z' : 'z', (unsigned long long)addr);
    int rc = transact(c, cmd, (size_t)n, &rep, &len, err);
    if (rc)
        return rc;
    if (len == 0)
        return hvp_fail(err, HVP_E_UNSUPPORTED, "the gdbstub at %s does not support breakpoints",
                        hvp_conn_addr(c->conn));
    if (strcmp(rep, "OK") != 0)
        return hvp_fail(err, HVP_E_TARGET, "the gdbstub at %s refused a breakpoint at 0x%llx (%s)",
                        hvp_conn_addr(c->conn), (unsigned long long)addr, rep);
    return HVP_OK;
}

int rsp_wait_stop(rsp_client *c, int wait_ms, hvp_error *err)
{
    int rc = check_usable(c, err);
    if (rc || !c->running)
        return rc;
    int saved = c->timeout_ms;
    c->timeout_ms = wait_ms > 0 ? wait_ms : 1;
    for (;;) {
        const char *rep;
        size_t len;
        rc = recv_packet(c, 0, &rep, &len, err);
        if (rc == HVP_E_TIMEOUT && !rsp_decoder_in_packet(&c->dec))
            break; /* still running: not an error of the connection */
        if (rc) {
            c->timeout_ms = saved;
            return broke(c, rc);
        }
        if (is_stop_reply(rep, len)) {
            set_stop(c, rep);
            c->running = 0;
            break;
        }
    }
    c->timeout_ms = saved;
    return rc;
}

int rsp_detach(rsp_client *c, hvp_error *err)
{
    const char *rep;
    size_t len;
    int rc = check_usable(c, err);
    if (rc)
        return rc;
    c->running = 0;   /* 'D' is accepted while the target runs */
    if ((rc = transact(c, "D", 1, &rep, &len, err)))
        return rc;
    if (strcmp(rep, "E22") == 0) {
        /* QEMU 7.2 keeps multiprocess mode on once any earlier client
         * (e.g. gdb-multiarch) negotiated it, and then wants "D;PID".
         * The pid is in the stop reply's "thread:pPID.TID", else 1. */
        unsigned long pid = 1;
        const char *t = strstr(rsp_stop_reply(c), "thread:p");
        if (t)
            pid = strtoul(t + 8, NULL, 16);
        char cmd[32];
        int n = snprintf(cmd, sizeof cmd, "D;%lx", pid ? pid : 1);
        if ((rc = transact(c, cmd, (size_t)n, &rep, &len, err)))
            return rc;
    }
    if (strcmp(rep, "OK") != 0)
        return hvp_fail(err, HVP_E_TARGET, "the gdbstub at %s refused to detach (%s)",
                        hvp_conn_addr(c->conn), len ? rep : "empty reply");
    c->detached = 1;
    return HVP_OK;
}
