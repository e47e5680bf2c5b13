/* rsp_batch.c - pipelined requests and memory reads (see rsp.h).
 *
 * QEMU's gdbstub reads its socket in chunks and handles every complete
 * packet in a chunk one after the other; in ack mode a new '$' ends its
 * wait for our ack of the previous reply.  So a window of requests sent
 * in one write is answered in order, and costs one round trip instead of
 * one per packet (measured on QEMU 7.2: 60 'p' reads in 0.7 ms instead
 * of 1.9 ms from Python; far more with QEMU busy).  A window is small (at
 * most RSP_BATCH_WINDOW packets, about RSP_BATCH_BYTES of requests), so
 * our write never blocks while the stub waits for us to read. */
#include "transport/rsp_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"

#define RSP_BATCH_WINDOW 64
#define RSP_BATCH_BYTES 2048

/* The next reply of a pipeline, copied.  Retransmission cannot be asked
 * for (the stub only keeps its last reply), so a NAK or a corrupt packet
 * is a protocol error here. */
static int recv_copy(rsp_client *c, char **out, size_t *outlen, hvp_error *err)
{
    long deadline = hvp_now_ms() + c->timeout_ms;
    for (;;) {
        int ev = rsp_i_next_event(c, deadline, err);
        if (ev < 0)
            return ev;
        if (ev == RSP_EV_PACKET) {
            size_t len;
            const char *p = rsp_decoder_payload(&c->dec, &len);
            if (rsp_i_is_stop_reply(p, len)) {
                int rc = rsp_i_take_unsolicited(c, err);
                if (rc)
                    return rc;
                continue;
            }
            char *copy = malloc(len + 1);
            if (!copy)
                return hvp_fail(err, HVP_E_NOMEM, "out of memory");
            memcpy(copy, p, len);
            copy[len] = '\0';
            *out = copy;
            if (outlen)
                *outlen = len;
            return HVP_OK;
        }
        if (ev == RSP_EV_NAK)
            return hvp_fail(err, HVP_E_PROTO, "the gdbstub at %s rejected one of several pipelined packets",
                            hvp_conn_addr(c->conn));
        if (ev == RSP_EV_BAD_CHECKSUM || ev == RSP_EV_BAD_PACKET)
            return hvp_fail(err, HVP_E_PROTO, "the gdbstub at %s sent %s", hvp_conn_addr(c->conn),
                            ev == RSP_EV_BAD_CHECKSUM ? "a bad checksum" : "a malformed packet");
        if (ev == RSP_EV_OVERSIZE)
            return hvp_fail(err, HVP_E_PROTO, "the gdbstub at %s sent a reply larger than %zu bytes",
                            hvp_conn_addr(c->conn), c->dec.max);
        /* acks of our packets, notifications, 0x03: keep reading */
    }
}

int rsp_batch_n(rsp_client *c, const char *const *payloads, size_t n, char **replies,
                size_t *lens, hvp_error *err)
{
    if (n && (!payloads || !replies))
        return hvp_fail(err, HVP_E_INVAL, "rsp_batch: missing array");
    for (size_t i = 0; i < n; i++)
        replies[i] = NULL;
    int rc = rsp_i_check_usable(c, err);
    if (rc)
        return rc;
    if (c->running)
        return hvp_fail(err, HVP_E_INVAL, "the target is running; interrupt it before sending requests");
    char acks[RSP_BATCH_WINDOW];
    memset(acks, '+', sizeof acks);
    for (size_t i = 0; i < n && !rc;) {
        hvp_buf_reset(&c->out);
        size_t j = i;
        while (j < n && j - i < RSP_BATCH_WINDOW && (j == i || c->out.len < RSP_BATCH_BYTES)) {
            if (rsp_encode(&c->out, payloads[j], strlen(payloads[j]), 0)) {
                rc = hvp_fail(err, HVP_E_NOMEM, "out of memory");
                break;
            }
            j++;
        }
        rsp_decoder_clear_junk(&c->dec);
        if (!rc)
            rc = rsp_i_write_raw(c, c->out.data, c->out.len, err);
        for (size_t k = i; k < j && !rc; k++)
            rc = recv_copy(c, &replies[k], lens ? &lens[k] : NULL, err);
        if (!rc && c->ack_mode)
            rc = rsp_i_write_raw(c, acks, j - i, err);
        i = j;
    }
    if (rc) {
        for (size_t i = 0; i < n; i++) {
            free(replies[i]);
            replies[i] = NULL;
        }
        /* Whatever the error, replies of the window may be unread: the
         * next request would take one of them for its answer. */
        if (!c->broken)
            c->broken = rc;
        return rc;
    }
    return HVP_OK;
}

int rsp_batch(rsp_client *c, const char *const *payloads, size_t n, char **replies, hvp_error *err)
{
    return rsp_batch_n(c, payloads, n, replies, NULL, err);
}

/* Largest 'm' length whose hex reply fits the stub's packet size. */
static size_t mem_chunk(const rsp_client *c)
{
    return (c && c->pktsize > 64 ? c->pktsize - 32 : 32) / 2;
}

int rsp_read_mems(rsp_client *c, rsp_memreq *reqs, size_t n, hvp_error *err)
{
    if (n && !reqs)
        return hvp_fail(err, HVP_E_INVAL, "rsp_read_mems: no requests");
    int rc = rsp_i_check_usable(c, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++) {
        if (reqs[i].len && !reqs[i].buf)
            return hvp_fail(err, HVP_E_INVAL, "rsp_read_mems: no buffer");
        reqs[i].got = 0;
        reqs[i].refused[0] = '\0';
    }
    size_t chunk = mem_chunk(c);
    /* Rounds: each asks for every chunk still missing.  A stub that
     * returns fewer bytes than asked is asked again from there. */
    for (;;) {
        size_t np = 0, before = 0;
        for (size_t i = 0; i < n; i++)
            before += reqs[i].got + (reqs[i].refused[0] != 0);
        for (size_t i = 0; i < n; i++)
            if (!reqs[i].refused[0] && reqs[i].got < reqs[i].len)
                np += (reqs[i].len - reqs[i].got + chunk - 1) / chunk;
        if (!np)
            return HVP_OK;
        if (np > 4096)
            np = 4096;   /* bounded memory per round; later rounds do the rest */
        char **pl = calloc(np, sizeof *pl), **rep = calloc(np, sizeof *rep);
        size_t *who = calloc(np, sizeof *who), *len = calloc(np, sizeof *len);
        uint64_t *off = calloc(np, sizeof *off);
        char (*txt)[40] = calloc(np, sizeof *txt);
        if (!pl || !rep || !who || !len || !off || !txt) {
            free(pl), free(rep), free(who), free(len), free(off), free(txt);
            return hvp_fail(err, HVP_E_NOMEM, "out of memory");
        }
        size_t k = 0;
        for (size_t i = 0; i < n && k < np; i++) {
            if (reqs[i].refused[0])
                continue;
            for (uint64_t o = reqs[i].got; o < reqs[i].len && k < np; o += chunk, k++) {
                size_t want = reqs[i].len - o < chunk ? (size_t)(reqs[i].len - o) : chunk;
                snprintf(txt[k], sizeof txt[k], "m%" PRIx64 ",%zx", reqs[i].addr + o, want);
                pl[k] = txt[k];
                who[k] = i;
                off[k] = o;
            }
        }
        rc = rsp_batch_n(c, (const char *const *)pl, k, rep, len, err);
        for (size_t q = 0; q < k && !rc; q++) {
            rsp_memreq *r = &reqs[who[q]];
            if (r->refused[0] || off[q] != r->got)
                continue;   /* after a refusal or a short reply: next round */
            size_t want = r->len - off[q] < chunk ? (size_t)(r->len - off[q]) : chunk;
            if (len[q] == 0)
                rc = hvp_fail(err, HVP_E_UNSUPPORTED, "the gdbstub does not support reading memory ('m')");
            else if (rsp_i_is_error_reply(rep[q], len[q]))
                snprintf(r->refused, sizeof r->refused, "%s", rep[q]);
            else if (len[q] % 2 || len[q] / 2 > want ||
                     rsp_hex_to_bytes(rep[q], len[q], r->buf + off[q], len[q] / 2))
                rc = rsp_i_broke(c, hvp_fail(err, HVP_E_PROTO,
                                             "the gdbstub answered a memory read at 0x%" PRIx64 " with \"%.20s\"",
                                             r->addr + off[q], rep[q]));
            else
                r->got += len[q] / 2;
        }
        for (size_t q = 0; q < k; q++)
            free(rep[q]);
        free(pl), free(rep), free(who), free(len), free(off), free(txt);
        if (rc)
            return rc;
        size_t after = 0;
        for (size_t i = 0; i < n; i++)
            after += reqs[i].got + (reqs[i].refused[0] != 0);
        if (after == before)
            return rsp_i_broke(c, hvp_fail(err, HVP_E_PROTO, "the gdbstub returned no bytes for a memory read"));
    }
}

int rsp_read_mem(rsp_client *c, uint64_t addr, size_t len, uint8_t *buf, hvp_error *err)
{
    if (len && !buf)
        return hvp_fail(err, HVP_E_INVAL, "rsp_read_mem: no buffer");
    rsp_memreq r = { .addr = addr, .len = len, .buf = buf };
    int rc = rsp_read_mems(c, &r, 1, err);
    if (rc)
        return rc;
    if (r.refused[0])
        return hvp_fail(err, HVP_E_TARGET, "cannot read memory at 0x%" PRIx64 " (the gdbstub answered %s)",
                        addr + r.got, r.refused);
    return HVP_OK;
}

/* "O" + hex digits: a console output packet (qRcmd output), not "OK". */
static int is_output(const char *p, size_t len)
{
    if (len < 3 || p[0] != 'O' || (len - 1) % 2)
        return 0;
    for (size_t i = 1; i < len; i++)
        if (rsp_hex_digit((unsigned char)p[i]) < 0)
            return 0;
    return 1;
}

int rsp_monitor_many(rsp_client *c, const char *const *cmds, size_t n, char **texts, hvp_error *err)
{
    for (size_t i = 0; i < n; i++)
        texts[i] = NULL;
    int rc = rsp_i_check_usable(c, err);
    if (rc)
        return rc;
    if (c->running)
        return hvp_fail(err, HVP_E_INVAL, "the target is running; interrupt it before sending requests");
    hvp_buf req = { 0 }, out = { 0 };
    int refused = HVP_OK;           /* first refusal; the stream stays in step */
    hvp_error rerr = { 0 };
    for (size_t i = 0; i < n && !rc; i += RSP_BATCH_WINDOW) {
        size_t j = i + RSP_BATCH_WINDOW < n ? i + RSP_BATCH_WINDOW : n;
        hvp_buf_reset(&c->out);
        for (size_t k = i; k < j && !rc; k++) {
            hvp_buf_reset(&req);
            if (hvp_buf_append(&req, "qRcmd,", 6) ||
                rsp_bytes_to_hex(&req, (const uint8_t *)cmds[k], strlen(cmds[k])) ||
                rsp_encode(&c->out, req.data, req.len, 0))
                rc = hvp_fail(err, HVP_E_NOMEM, "out of memory");
        }
        rsp_decoder_clear_junk(&c->dec);
        if (!rc)
            rc = rsp_i_write_raw(c, c->out.data, c->out.len, err);
        /* Each command's reply: "O<hex>" output packets, then OK / Exx / "". */
        for (size_t k = i; k < j && !rc;) {
            char *p = NULL;
            size_t len = 0;
            if ((rc = recv_copy(c, &p, &len, err)))
                break;
            if (c->ack_mode && (rc = rsp_i_write_raw(c, "+", 1, err))) {
                free(p);
                break;
            }
            if (is_output(p, len)) {
                size_t at = out.len;
                if (hvp_buf_append(&out, p + 1, (len - 1) / 2) ||
                    rsp_hex_to_bytes(p + 1, len - 1, (uint8_t *)out.data + at, (len - 1) / 2))
                    rc = hvp_fail(err, HVP_E_NOMEM, "out of memory");
                free(p);
                continue;
            }
            if (strcmp(p, "OK") == 0) {
                /* "\r\n" -> "\n", as the monitor channels give it */
                size_t w = 0;
                for (size_t r = 0; r < out.len; r++)
                    if (!(out.data[r] == '\r' && r + 1 < out.len && out.data[r + 1] == '\n'))
                        out.data[w++] = out.data[r];
                out.len = w;
                if (hvp_buf_putc(&out, '\0'))
                    rc = hvp_fail(err, HVP_E_NOMEM, "out of memory");
                else
                    texts[k] = hvp_buf_steal(&out);
            } else if (!refused && len == 0) {
                refused = hvp_fail(&rerr, HVP_E_UNSUPPORTED, "the gdbstub at %s does not run monitor commands (qRcmd)",
                                   hvp_conn_addr(c->conn));
            } else if (!refused) {
                refused = hvp_fail(&rerr, HVP_E_TARGET, "the gdbstub at %s refused monitor command '%s' (%.20s)",
                                   hvp_conn_addr(c->conn), cmds[k], p);
            }
            hvp_buf_reset(&out);
            free(p);
            k++;
        }
    }
    hvp_buf_free(&req);
    hvp_buf_free(&out);
    if (!rc && refused) {
        rc = refused;
        if (err)
            *err = rerr;
    } else if (rc && !c->broken) {
        c->broken = rc;     /* replies of the window may be unread */
    }
    if (rc)
        for (size_t i = 0; i < n; i++) {
            free(texts[i]);
            texts[i] = NULL;
        }
    return rc;
}
