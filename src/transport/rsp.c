/* rsp.c - GDB Remote Serial Protocol client (see rsp.h): byte I/O and
 * acks, sessions, run control.  Registers: rsp_regs.c; pipelined
 * requests and memory: rsp_batch.c. */
#include "transport/rsp_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/clock.h"

int rsp_i_broke(rsp_client *c, int rc)
{
    if (rc == HVP_E_TIMEOUT || rc == HVP_E_CLOSED || rc == HVP_E_PROTO ||
        rc == HVP_E_IO)
        c->broken = rc;
    return rc;
}

int rsp_i_is_stop_reply(const char *p, size_t len)
{
    return len >= 3 && strchr("TSWX", p[0]) && rsp_hex_digit((unsigned char)p[1]) >= 0 &&
           rsp_hex_digit((unsigned char)p[2]) >= 0;
}

int rsp_i_is_error_reply(const char *p, size_t len)
{
    return len == 3 && p[0] == 'E' && rsp_hex_digit((unsigned char)p[1]) >= 0 &&
           rsp_hex_digit((unsigned char)p[2]) >= 0;
}

void rsp_i_set_stop(rsp_client *c, const char *p)
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
int rsp_i_next_event(rsp_client *c, long deadline, hvp_error *err)
{
    for (;;) {
        while (c->rpos < c->rlen) {
            int ev = rsp_decoder_feed(&c->dec, c->rbuf[c->rpos++]);
            if (ev != RSP_EV_NONE)
                return ev;
            const char *head;
            size_t hl;
            char snip[48];
            size_t junk = rsp_decoder_junk(&c->dec, &head, &hl);
            if (junk > RSP_MAX_JUNK) {
                hvp_snippet(head, hl < 20 ? hl : 20, snip, sizeof snip);
                return hvp_fail(err, HVP_E_PROTO,
                                "the peer at %s sent %zu bytes that are not GDB remote protocol (starting \"%s\"); is it really a gdbstub?",
                                hvp_conn_addr(c->conn), junk, snip);
            }
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
        size_t hl;
        char snip[48];
        size_t junk = rsp_decoder_junk(&c->dec, &head, &hl);
        int mid = rsp_decoder_in_packet(&c->dec);
        hvp_snippet(head, hl < 20 ? hl : 20, snip, sizeof snip);
        if (rc == HVP_E_TIMEOUT && junk)
            return hvp_fail(err, HVP_E_PROTO,
                            "the peer at %s sent %zu bytes that are not GDB remote protocol (starting \"%s\") and no packet; is it really a gdbstub?",
                            hvp_conn_addr(c->conn), junk, snip);
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

int rsp_i_write_raw(rsp_client *c, const void *p, size_t n, hvp_error *err)
{
    return hvp_conn_write(c->conn, p, n, err);
}

/* Record an unsolicited packet (a stop reply sent before our ack or
 * while we wait for another reply); acks it in ack mode. */
int rsp_i_take_unsolicited(rsp_client *c, hvp_error *err)
{
    size_t len;
    const char *p = rsp_decoder_payload(&c->dec, &len);
    if (rsp_i_is_stop_reply(p, len)) {
        rsp_i_set_stop(c, p);
        c->running = 0;
    }
    return c->ack_mode ? rsp_i_write_raw(c, "+", 1, err) : HVP_OK;
}

/* Send one packet; in ack mode wait for '+' and resend on '-' (bounded). */
static int send_packet(rsp_client *c, const char *payload, size_t len, hvp_error *err)
{
    hvp_buf_reset(&c->out);
    if (rsp_encode(&c->out, payload, len, 0))
        return hvp_fail(err, HVP_E_NOMEM, "out of memory");
    int rc = rsp_i_write_raw(c, c->out.data, c->out.len, err);
    if (rc || !c->ack_mode)
        return rc;
    long deadline = hvp_now_ms() + c->timeout_ms;
    int naks = 0;
    for (;;) {
        int ev = rsp_i_next_event(c, deadline, err);
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
            if ((rc = rsp_i_write_raw(c, c->out.data, c->out.len, err)))
                return rc;
            break;
        case RSP_EV_PACKET:
            if ((rc = rsp_i_take_unsolicited(c, err)))
                return rc;
            break;
        case RSP_EV_BAD_CHECKSUM:
        case RSP_EV_BAD_PACKET:
            if ((rc = rsp_i_write_raw(c, "-", 1, err)))
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
        int ev = rsp_i_next_event(c, deadline, err);
        if (ev < 0)
            return ev;
        if (ev == RSP_EV_PACKET) {
            size_t len;
            const char *p = rsp_decoder_payload(&c->dec, &len);
            if (skip_stop && rsp_i_is_stop_reply(p, len)) {
                if ((rc = rsp_i_take_unsolicited(c, err)))
                    return rc;
                continue;
            }
            if (c->ack_mode && (rc = rsp_i_write_raw(c, "+", 1, err)))
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
            if ((rc = rsp_i_write_raw(c, "-", 1, err)))
                return rc;
            deadline = hvp_now_ms() + c->timeout_ms;
        } else if (ev == RSP_EV_OVERSIZE) {
            return hvp_fail(err, HVP_E_PROTO, "the gdbstub at %s sent a reply larger than %zu bytes",
                            hvp_conn_addr(c->conn), c->dec.max);
        }
        /* acks, naks, notifications, 0x03: not a reply, keep waiting */
    }
}

int rsp_i_check_usable(rsp_client *c, hvp_error *err)
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
int rsp_i_transact(rsp_client *c, const char *payload, int skip_stop,
                    const char **reply, size_t *rlen, hvp_error *err)
{
    int rc = rsp_i_check_usable(c, err);
    if (rc)
        return rc;
    if (c->running)
        return hvp_fail(err, HVP_E_INVAL, "the target is running; interrupt it before sending '%.20s'",
                        payload);
    rsp_decoder_clear_junk(&c->dec);
    rc = send_packet(c, payload, strlen(payload), err);
    if (!rc)
        rc = recv_packet(c, skip_stop, reply, rlen, err);
    return rsp_i_broke(c, rc);
}

int rsp_request(rsp_client *c, const char *payload, char **reply, hvp_error *err)
{
    const char *r;
    size_t len;
    if (!payload || !reply)
        return hvp_fail(err, HVP_E_INVAL, "rsp_request: no payload or reply pointer");
    *reply = NULL;
    int rc = rsp_i_transact(c, payload, 0, &r, &len, err);
    if (rc)
        return rc;
    if (rsp_i_is_stop_reply(r, len))
        rsp_i_set_stop(c, r);
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
    if ((rc = rsp_i_transact(c, "qSupported", 1, &r, &len, err)))
        goto fail;
    parse_supported(c, r, &noack);
    if (c->pktsize + 1024 > c->dec.max)
        c->dec.max = c->pktsize + 1024;
    if (noack) {
        if ((rc = rsp_i_transact(c, "QStartNoAckMode", 1, &r, &len, err)))
            goto fail;
        if (strcmp(r, "OK") == 0)
            c->ack_mode = 0;
    }
    if ((rc = rsp_i_transact(c, "?", 0, &r, &len, err)))
        goto fail;
    if (!rsp_i_is_stop_reply(r, len)) {
        rc = hvp_fail(err, HVP_E_PROTO, "the gdbstub at %s answered '?' with \"%.40s\", not a stop reply",
                      addr, r);
        goto fail;
    }
    rsp_i_set_stop(c, r);
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

int rsp_set_phys_mode(rsp_client *c, int on, hvp_error *err)
{
    const char *rep;
    size_t len;
    int rc;
    if ((rc = rsp_i_check_usable(c, err)))
        return rc;
    if (!c->phys_checked) {
        if ((rc = rsp_i_transact(c, "qqemu.Supported", 1, &rep, &len, err)))
            return rc;
        c->phys_checked = 1;
        c->phys_ok = strstr(rep, "PhyMemMode") != NULL;
    }
    if (!c->phys_ok)
        return hvp_fail(err, HVP_E_UNSUPPORTED,
                        "the gdbstub at %s cannot read physical memory (no Qqemu.PhyMemMode)",
                        hvp_conn_addr(c->conn));
    if ((rc = rsp_i_transact(c, on ? "Qqemu.PhyMemMode:1" : "Qqemu.PhyMemMode:0", 1, &rep, &len, err)))
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
    int rc = rsp_i_check_usable(c, err);
    if (rc || !c->running)
        return rc;
    rsp_decoder_clear_junk(&c->dec);
    if ((rc = rsp_i_write_raw(c, "\x03", 1, err)))
        return rsp_i_broke(c, rc);
    /* Wait for a stop reply; anything else is not ours to answer. */
    for (;;) {
        const char *rep;
        size_t len;
        if ((rc = recv_packet(c, 0, &rep, &len, err)))
            return rsp_i_broke(c, hvp_wrap(err, rc, "waiting for the target to stop"));
        if (rsp_i_is_stop_reply(rep, len)) {
            rsp_i_set_stop(c, rep);
            c->running = 0;
            return HVP_OK;
        }
    }
}

int rsp_continue(rsp_client *c, hvp_error *err)
{
    int rc = rsp_i_check_usable(c, err);
    if (rc || c->running)
        return rc;
    rsp_decoder_clear_junk(&c->dec);
    if ((rc = send_packet(c, "c", 1, err)))
        return rsp_i_broke(c, rc);
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
    int rc = rsp_i_transact(c, cmd, (size_t)n, &rep, &len, err);
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
    int rc = rsp_i_check_usable(c, err);
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
            return rsp_i_broke(c, rc);
        }
        if (rsp_i_is_stop_reply(rep, len)) {
            rsp_i_set_stop(c, rep);
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
    int rc = rsp_i_check_usable(c, err);
    if (rc)
        return rc;
    c->running = 0;   /* 'D' is accepted while the target runs */
    /* QEMU 7.2 keeps multiprocess mode on once any earlier client (e.g.
     * gdb-multiarch) negotiated it, and then wants "D;PID" (a bare "D"
     * gets E22).  A stop reply with "thread:pPID.TID" shows that mode:
     * send "D;PID" at once; else "D", and "D;PID" if it answers E22. */
    const char *th = strstr(rsp_stop_reply(c), "thread:p");
    unsigned long pid = th ? strtoul(th + 8, NULL, 16) : 1;
    char cmd[32];
    snprintf(cmd, sizeof cmd, "D;%lx", pid ? pid : 1);
    if ((rc = rsp_i_transact(c, th ? cmd : "D", 1, &rep, &len, err)))
        return rc;
    if (!th && strcmp(rep, "E22") == 0 && (rc = rsp_i_transact(c, cmd, 1, &rep, &len, err)))
        return rc;
    if (strcmp(rep, "OK") != 0)
        return hvp_fail(err, HVP_E_TARGET, "the gdbstub at %s refused to detach (%s)",
                        hvp_conn_addr(c->conn), len ? rep : "empty reply");
    c->detached = 1;
    return HVP_OK;
}
