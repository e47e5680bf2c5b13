/* qmp.c - QMP line framing and client (see qmp.h). */
#include "util/clock.h"
#include "transport/qmp.h"
#include "transport/conn.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- framing ------------------------------------------------------------ */

void qmp_framer_init(qmp_framer *f, size_t max_line)
{
    memset(f, 0, sizeof *f);
    f->max_line = max_line ? max_line : QMP_MAX_LINE_DEFAULT;
}

void qmp_framer_free(qmp_framer *f)
{
    if (!f)
        return;
    hvp_buf_free(&f->buf);
    f->scan = f->tail = 0;
}

/* The pending (newline-less) tail of the buffer is too long. */
static int framer_oversized(const qmp_framer *f, hvp_error *err)
{
    return hvp_fail(err, HVP_E_PROTO,
                    "QMP peer sent a line longer than %zu bytes without a newline",
                    f->max_line);
}

int qmp_framer_feed(qmp_framer *f, const void *p, size_t n, hvp_error *err)
{
    const char *nl = n ? memrchr(p, '\n', n) : NULL;
    size_t tail = nl ? n - (size_t)(nl - (const char *)p) - 1 : f->tail + n;
    /* Refuse to grow an unfinished line past the cap: the peer could
     * otherwise make us hold any amount of memory. */
    if (tail > f->max_line)
        return framer_oversized(f, err);
    if (hvp_buf_append(&f->buf, p, n))
        return hvp_fail(err, HVP_E_NOMEM, "out of memory buffering QMP input");
    f->tail = tail;
    return HVP_OK;
}

int qmp_framer_next(qmp_framer *f, char **line, hvp_error *err)
{
    *line = NULL;
    for (;;) {
        char *nl = f->buf.len > f->scan
                   ? memchr(f->buf.data + f->scan, '\n', f->buf.len - f->scan)
                   : NULL;
        if (!nl) {
            f->scan = f->buf.len;
            if (f->scan > f->max_line)
                return framer_oversized(f, err);
            return 0;
        }
        size_t len = (size_t)(nl - f->buf.data);
        size_t eat = len + 1;
        if (len > 0 && f->buf.data[len - 1] == '\r')
            len--;
        if (len > f->max_line)
            return framer_oversized(f, err);
        if (len == 0) {             /* blank line: skip */
            hvp_buf_consume(&f->buf, eat);
            f->scan = 0;
            continue;
        }
        char *s = malloc(len + 1);
        if (!s)
            return hvp_fail(err, HVP_E_NOMEM, "out of memory reading a QMP line");
        memcpy(s, f->buf.data, len);
        s[len] = '\0';
        hvp_buf_consume(&f->buf, eat);
        f->scan = 0;
        *line = s;
        return 1;
    }
}

int qmp_parse_line(const char *line, json_t **msg, hvp_error *err)
{
    json_error_t je;
    char snip[48];
    *msg = NULL;
    json_t *j = json_loads(line, JSON_REJECT_DUPLICATES, &je);
    if (!j) {
        hvp_snippet(line, strlen(line), snip, sizeof snip);
        return hvp_fail(err, HVP_E_PROTO, "QMP peer sent a line that is not JSON ('%s': %s)",
                        snip, je.text);
    }
    if (!json_is_object(j)) {
        json_decref(j);
        hvp_snippet(line, strlen(line), snip, sizeof snip);
        return hvp_fail(err, HVP_E_PROTO, "QMP peer sent JSON that is not an object ('%s')", snip);
    }
    *msg = j;
    return HVP_OK;
}

/* ---- client ------------------------------------------------------------- */

struct qmp_client {
    hvp_conn *conn;
    int timeout_ms;
    qmp_framer fr;
    json_t *greeting;
    json_t *events[QMP_EVENTS_KEPT];  /* ring, oldest at ev_start */
    size_t ev_start, ev_n, ev_dropped;
    json_int_t next_id;               /* id for the next request */
    json_int_t first_id;              /* id of our first request */
    int broken;                       /* HVP_E_* that made it unusable, or 0 */
};

static void keep_event(qmp_client *q, json_t *ev)
{
    if (q->ev_n == QMP_EVENTS_KEPT) {
        json_decref(q->events[q->ev_start]);
        q->events[q->ev_start] = ev;
        q->ev_start = (q->ev_start + 1) % QMP_EVENTS_KEPT;
        q->ev_dropped++;
        return;
    }
    q->events[(q->ev_start + q->ev_n) % QMP_EVENTS_KEPT] = ev;
    q->ev_n++;
}

/* Read the next JSON object before `deadline` (monotonic ms).  `what`
 * names the awaited thing for the timeout message.  PROTO and CLOSED mark
 * the client broken; TIMEOUT does not. */
static int read_message(qmp_client *q, long deadline, const char *what,
                        json_t **msg, hvp_error *err)
{
    char tmp[65536];
    for (;;) {
        char *line;
        int r = qmp_framer_next(&q->fr, &line, err);
        if (r == 1) {
            r = qmp_parse_line(line, msg, err);
            free(line);
            if (r)
                q->broken = r;
            return r;
        }
        if (r < 0) {
            q->broken = r;
            return r;
        }
        long left = deadline - hvp_now_ms();
        size_t got = 0;
        if (left > 0)
            r = hvp_conn_read(q->conn, tmp, sizeof tmp, (int)left, &got, err);
        if (left <= 0 || r == HVP_E_TIMEOUT) {
            if (q->fr.buf.len)
                return hvp_fail(err, HVP_E_TIMEOUT,
                                "QMP peer %s sent %zu bytes of %s and then nothing for %d ms",
                                hvp_conn_addr(q->conn), q->fr.buf.len, what, q->timeout_ms);
            return hvp_fail(err, HVP_E_TIMEOUT, "no %s from QMP peer %s within %d ms",
                            what, hvp_conn_addr(q->conn), q->timeout_ms);
        }
        if (r == HVP_E_CLOSED) {
            q->broken = r;
            return hvp_fail(err, r, "QMP peer %s hung up while we waited for %s%s",
                            hvp_conn_addr(q->conn), what,
                            q->fr.buf.len ? " (in the middle of a line)" : "");
        }
        if (r) {
            q->broken = r;
            return r;
        }
        if ((r = qmp_framer_feed(&q->fr, tmp, got, err))) {
            q->broken = r;
            return r;
        }
    }
}

void qmp_set_timeout(qmp_client *q, int timeout_ms)
{
    if (q && timeout_ms > 0)
        q->timeout_ms = timeout_ms;
}

void qmp_set_max_line(qmp_client *q, size_t max_line)
{
    if (q)
        q->fr.max_line = max_line ? max_line : QMP_MAX_LINE_DEFAULT;
}

/* Handle a reply object `msg` to request `id` of command `cmd`.  Returns
 * 1 when msg is a stale reply to an earlier request (skip it), 0 with
 * *ret set on success, or an error. */
static int take_reply(qmp_client *q, json_t *msg, json_int_t id, const char *cmd,
                      json_t **ret, hvp_error *err)
{
    json_t *jid = json_object_get(msg, "id");
    if (!json_is_integer(jid)) {
        q->broken = HVP_E_PROTO;
        return hvp_fail(err, HVP_E_PROTO, "QMP reply to '%s' carries no usable id (we sent %" JSON_INTEGER_FORMAT ")",
                        cmd, id);
    }
    json_int_t got = json_integer_value(jid);
    if (got != id) {
        if (got >= q->first_id && got < id)
            return 1;           /* late answer to a request that timed out */
        q->broken = HVP_E_PROTO;
        return hvp_fail(err, HVP_E_PROTO,
                        "QMP reply to '%s' has id %" JSON_INTEGER_FORMAT ", expected %" JSON_INTEGER_FORMAT,
                        cmd, got, id);
    }
    json_t *e = json_object_get(msg, "error");
    if (e) {
        const char *cls = json_string_value(json_object_get(e, "class"));
        const char *desc = json_string_value(json_object_get(e, "desc"));
        return hvp_fail(err, HVP_E_TARGET, "QEMU refused '%s': %s (%s)", cmd,
                        desc ? desc : "no description", cls ? cls : "no class");
    }
    json_t *r = json_object_get(msg, "return");
    if (ret)
        *ret = json_incref(r);
    return HVP_OK;
}

int qmp_execute(qmp_client *q, const char *cmd, json_t *args, json_t **ret,
                hvp_error *err)
{
    if (ret)
        *ret = NULL;
    if (!q || !cmd || !*cmd || (args && !json_is_object(args))) {
        json_decref(args);
        return hvp_fail(err, HVP_E_INVAL, "qmp_execute needs a client, a command name and object arguments");
    }
    if (q->broken) {
        json_decref(args);
        return hvp_fail(err, q->broken, "QMP connection to %s is unusable after an earlier error",
                        hvp_conn_addr(q->conn));
    }
    json_int_t id = q->next_id++;
    json_t *req = json_pack("{s:s, s:I}", "execute", cmd, "id", id);
    if (!req || (args && json_object_set_new(req, "arguments", args))) {
        json_decref(req);
        return hvp_fail(err, HVP_E_NOMEM, "out of memory building QMP request");
    }
    char *s = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    if (!s)
        return hvp_fail(err, HVP_E_NOMEM, "out of memory building QMP request");
    size_t n = strlen(s);
    char *line = realloc(s, n + 2);
    if (!line) {
        free(s);
        return hvp_fail(err, HVP_E_NOMEM, "out of memory building QMP request");
    }
    memcpy(line + n, "\n", 2);
    int r = hvp_conn_write(q->conn, line, n + 1, err);
    free(line);
    if (r) {
        if (r == HVP_E_CLOSED)
            q->broken = r;
        return r;
    }

    char what[96];
    snprintf(what, sizeof what, "reply to '%.60s'", cmd);
    long deadline = hvp_now_ms() + q->timeout_ms;
    for (;;) {
        json_t *msg;
        if ((r = read_message(q, deadline, what, &msg, err)))
            return r;
        if (json_is_string(json_object_get(msg, "event"))) {
            keep_event(q, msg);
            continue;
        }
        if (json_object_get(msg, "return") || json_object_get(msg, "error")) {
            r = take_reply(q, msg, id, cmd, ret, err);
            json_decref(msg);
            if (r == 1)
                continue;
            return r;
        }
        json_decref(msg);
        q->broken = HVP_E_PROTO;
        return hvp_fail(err, HVP_E_PROTO,
                        "QMP peer sent an object that is neither a reply nor an event while we waited for %s",
                        what);
    }
}

int qmp_send_many(qmp_client *q, qmp_call *calls, size_t n, hvp_error *err)
{
    if (n && !calls)
        return hvp_fail(err, HVP_E_INVAL, "qmp_execute_many needs calls");
    for (size_t i = 0; i < n; i++) {
        calls[i].ret = NULL;
        calls[i].rc = HVP_E_INVAL;
        calls[i].err.msg[0] = '\0';
    }
    int r = HVP_OK;
    if (!q || (n && !calls))
        r = hvp_fail(err, HVP_E_INVAL, "qmp_execute_many needs a client and calls");
    else if (q->broken)
        r = hvp_fail(err, q->broken, "QMP connection to %s is unusable after an earlier error",
                     hvp_conn_addr(q->conn));
    hvp_buf out = { 0 };
    json_int_t first = q ? q->next_id : 0;
    for (size_t i = 0; i < n; i++) {
        json_t *args = calls[i].args;
        calls[i].args = NULL;
        if (r) {
            json_decref(args);
            continue;
        }
        json_t *req = json_pack("{s:s, s:I}", "execute", calls[i].cmd ? calls[i].cmd : "", "id",
                                first + (json_int_t)i);
        char *line = NULL;
        if (req && (!args || !json_object_set_new(req, "arguments", args)))
            line = json_dumps(req, JSON_COMPACT);
        else if (!req)
            json_decref(args);
        json_decref(req);
        if (!line || hvp_buf_append(&out, line, strlen(line)) || hvp_buf_putc(&out, '\n'))
            r = hvp_fail(err, HVP_E_NOMEM, "out of memory building QMP requests");
        free(line);
    }
    if (r || !n) {
        hvp_buf_free(&out);
        return r;
    }
    q->next_id += (json_int_t)n;
    r = hvp_conn_write(q->conn, out.data, out.len, err);
    hvp_buf_free(&out);
    if (r && r == HVP_E_CLOSED)
        q->broken = r;
    return r;
}

int qmp_collect_many(qmp_client *q, qmp_call *calls, size_t n, hvp_error *err)
{
    if (!n)
        return HVP_OK;
    if (q->broken)
        return hvp_fail(err, q->broken, "QMP connection to %s is unusable after an earlier error",
                        hvp_conn_addr(q->conn));
    json_int_t first = q->next_id - (json_int_t)n;
    int r;
    char what[96];
    if (n == 1)
        snprintf(what, sizeof what, "reply to '%.60s'", calls[0].cmd ? calls[0].cmd : "");
    else
        snprintf(what, sizeof what, "replies to %zu pipelined commands", n);
    long deadline = hvp_now_ms() + q->timeout_ms;
    for (size_t left = n; left;) {
        json_t *msg;
        if ((r = read_message(q, deadline, what, &msg, err)))
            return r;
        if (json_is_string(json_object_get(msg, "event"))) {
            keep_event(q, msg);
            continue;
        }
        json_t *jid = json_object_get(msg, "id");
        json_int_t id = json_is_integer(jid) ? json_integer_value(jid) : -1;
        if ((json_object_get(msg, "return") || json_object_get(msg, "error")) && id >= q->first_id &&
            id < first) {
            json_decref(msg);   /* late answer to a request that timed out */
            continue;
        }
        if (!(json_object_get(msg, "return") || json_object_get(msg, "error")) || id < first ||
            id >= first + (json_int_t)n || calls[id - first].rc != HVP_E_INVAL) {
            json_decref(msg);
            q->broken = HVP_E_PROTO;
            return hvp_fail(err, HVP_E_PROTO,
                            "QMP peer %s sent a reply that matches none of our %zu pipelined commands",
                            hvp_conn_addr(q->conn), n);
        }
        qmp_call *c = &calls[id - first];
        c->rc = take_reply(q, msg, id, c->cmd, &c->ret, &c->err);
        json_decref(msg);
        left--;
    }
    return HVP_OK;
}

int qmp_execute_many(qmp_client *q, qmp_call *calls, size_t n, hvp_error *err)
{
    int r = qmp_send_many(q, calls, n, err);
    return r ? r : qmp_collect_many(q, calls, n, err);
}

int qmp_open(const char *addr, int timeout_ms, qmp_client **out, hvp_error *err)
{
    return qmp_open_with(addr, timeout_ms, NULL, 0, out, err);
}

int qmp_open_with(const char *addr, int timeout_ms, qmp_call *extra, size_t nextra, qmp_client **out,
                  hvp_error *err)
{
    *out = NULL;
    if (timeout_ms <= 0)
        return hvp_fail(err, HVP_E_INVAL, "QMP timeout must be positive");
    qmp_client *q = calloc(1, sizeof *q);
    if (!q)
        return hvp_fail(err, HVP_E_NOMEM, "out of memory");
    q->timeout_ms = timeout_ms;
    q->next_id = q->first_id = 1;
    qmp_framer_init(&q->fr, 0);
    int r = hvp_conn_open(addr, timeout_ms, &q->conn, err);
    if (r) {
        qmp_close(q);
        return r;
    }
    /* qmp_capabilities goes out at once, not after the greeting: QEMU
     * reads it once the greeting is sent, and the handshake costs one
     * round trip instead of two. */
    if (nextra > 8) {
        qmp_close(q);
        return hvp_fail(err, HVP_E_INVAL, "qmp_open_with: at most 8 extra commands");
    }
    qmp_call calls[9] = { { .cmd = "qmp_capabilities" } };
    for (size_t i = 0; i < nextra; i++)
        calls[1 + i] = extra[i];
    json_t *g = NULL;
    r = qmp_send_many(q, calls, 1 + nextra, err);
    if (!r)
        r = read_message(q, hvp_now_ms() + timeout_ms, "greeting", &g, err);
    if (r == HVP_E_PROTO)
        hvp_wrap(err, r, "%s does not look like a QMP server", addr);
    if (!r && !json_is_object(json_object_get(g, "QMP"))) {
        json_decref(g);
        r = hvp_fail(err, HVP_E_PROTO, "%s sent a first message that is not a QMP greeting", addr);
    }
    if (r) {
        qmp_close(q);
        return r;
    }
    q->greeting = g;
    if (!(r = qmp_collect_many(q, calls, 1 + nextra, err)) && calls[0].rc) {
        r = calls[0].rc;
        if (err)
            *err = calls[0].err;
    }
    json_decref(calls[0].ret);
    for (size_t i = 0; i < nextra; i++)
        extra[i] = calls[1 + i];
    if (r) {
        for (size_t i = 0; i < nextra; i++) {
            json_decref(extra[i].ret);
            extra[i].ret = NULL;
        }
        qmp_close(q);
        return r;
    }
    *out = q;
    return HVP_OK;
}

const json_t *qmp_greeting(const qmp_client *q)
{
    return q ? q->greeting : NULL;
}

size_t qmp_event_count(const qmp_client *q)
{
    return q ? q->ev_n : 0;
}

const json_t *qmp_event_at(const qmp_client *q, size_t i)
{
    if (!q || i >= q->ev_n)
        return NULL;
    return q->events[(q->ev_start + i) % QMP_EVENTS_KEPT];
}

size_t qmp_events_dropped(const qmp_client *q)
{
    return q ? q->ev_dropped : 0;
}

void qmp_events_clear(qmp_client *q)
{
    if (!q)
        return;
    for (size_t i = 0; i < q->ev_n; i++)
        json_decref(q->events[(q->ev_start + i) % QMP_EVENTS_KEPT]);
    q->ev_start = q->ev_n = 0;
}

void qmp_close(qmp_client *q)
{
    if (!q)
        return;
    qmp_events_clear(q);
    json_decref(q->greeting);
    qmp_framer_free(&q->fr);
    hvp_conn_close(q->conn);
    free(q);
}

/* ---- helpers -------------------------------------------------------------- */

int qmp_hmp_text(const json_t *ret, const char *cmdline, char **text, hvp_error *err)
{
    *text = NULL;
    if (!json_is_string(ret))
        return hvp_fail(err, HVP_E_PROTO, "human-monitor-command '%s' returned no text", cmdline);
    const char *s = json_string_value(ret);
    size_t n = json_string_length(ret);
    char *out = malloc(n + 1), *o = out;
    if (!out)
        return hvp_fail(err, HVP_E_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')
            continue;
        *o++ = s[i];
    }
    *o = '\0';
    *text = out;
    return HVP_OK;
}

int qmp_hmp(qmp_client *q, const char *cmdline, char **text, hvp_error *err)
{
    *text = NULL;
    if (!cmdline)
        return hvp_fail(err, HVP_E_INVAL, "no HMP command line");
    json_t *ret = NULL;
    int r = qmp_execute(q, "human-monitor-command",
                        json_pack("{s:s}", "command-line", cmdline), &ret, err);
    if (!r)
        r = qmp_hmp_text(ret, cmdline, text, err);
    json_decref(ret);
    return r;
}

/* Run cmd without arguments and return its "return" value if it is an
 * object (new reference), else HVP_E_PROTO. */
static int exec_object(qmp_client *q, const char *cmd, json_t **obj, hvp_error *err)
{
    int r = qmp_execute(q, cmd, NULL, obj, err);
    if (r)
        return r;
    if (!json_is_object(*obj)) {
        json_decref(*obj);
        *obj = NULL;
        return hvp_fail(err, HVP_E_PROTO, "QMP '%s' did not return an object", cmd);
    }
    return HVP_OK;
}

static void copy_str(char *dst, size_t size, const char *src)
{
    if (size)
        snprintf(dst, size, "%s", src ? src : "");
}

int qmp_query_status(qmp_client *q, qmp_status *out, hvp_error *err)
{
    json_t *o;
    int r = exec_object(q, "query-status", &o, err);
    if (r)
        return r;
    json_t *run = json_object_get(o, "running");
    const char *st = json_string_value(json_object_get(o, "status"));
    if (!json_is_boolean(run) || !st) {
        json_decref(o);
        return hvp_fail(err, HVP_E_PROTO, "QMP query-status lacks 'running' or 'status'");
    }
    out->running = json_is_true(run);
    copy_str(out->status, sizeof out->status, st);
    json_decref(o);
    return HVP_OK;
}

int qmp_query_kvm(qmp_client *q, int *enabled, int *present, hvp_error *err)
{
    json_t *o;
    int r = exec_object(q, "query-kvm", &o, err);
    if (r)
        return r;
    json_t *en = json_object_get(o, "enabled"), *pr = json_object_get(o, "present");
    if (!json_is_boolean(en) || !json_is_boolean(pr)) {
        json_decref(o);
        return hvp_fail(err, HVP_E_PROTO, "QMP query-kvm lacks 'enabled' or 'present'");
    }
    if (enabled)
        *enabled = json_is_true(en);
    if (present)
        *present = json_is_true(pr);
    json_decref(o);
    return HVP_OK;
}

int qmp_query_version(qmp_client *q, char *buf, size_t size, hvp_error *err)
{
    json_t *o;
    int r = exec_object(q, "query-version", &o, err);
    if (r)
        return r;
    json_t *v = json_object_get(o, "qemu");
    json_t *ma = json_object_get(v, "major"), *mi = json_object_get(v, "minor"),
           *mc = json_object_get(v, "micro");
    if (!json_is_integer(ma) || !json_is_integer(mi) || !json_is_integer(mc)) {
        json_decref(o);
        return hvp_fail(err, HVP_E_PROTO, "QMP query-version lacks qemu.major/minor/micro");
    }
    snprintf(buf, size, "%" JSON_INTEGER_FORMAT ".%" JSON_INTEGER_FORMAT ".%" JSON_INTEGER_FORMAT,
             json_integer_value(ma), json_integer_value(mi), json_integer_value(mc));
    json_decref(o);
    return HVP_OK;
}

int qmp_query_target(qmp_client *q, char *arch, size_t size, hvp_error *err)
{
    json_t *o;
    int r = exec_object(q, "query-target", &o, err);
    if (r)
        return r;
    const char *a = json_string_value(json_object_get(o, "arch"));
    if (!a) {
        json_decref(o);
        return hvp_fail(err, HVP_E_PROTO, "QMP query-target lacks 'arch'");
    }
    copy_str(arch, size, a);
    json_decref(o);
    return HVP_OK;
}

int qmp_query_cpus(qmp_client *q, qmp_cpus *out, hvp_error *err)
{
    memset(out, 0, sizeof *out);
    json_t *a = NULL;
    int r = qmp_execute(q, "query-cpus-fast", NULL, &a, err);
    if (r)
        return r;
    if (!json_is_array(a)) {
        json_decref(a);
        return hvp_fail(err, HVP_E_PROTO, "QMP query-cpus-fast did not return an array");
    }
    out->count = json_array_size(a);
    json_t *c0 = json_array_get(a, 0);
    copy_str(out->target, sizeof out->target, json_string_value(json_object_get(c0, "target")));
    copy_str(out->qom_path, sizeof out->qom_path, json_string_value(json_object_get(c0, "qom-path")));
    copy_str(out->qom_type, sizeof out->qom_type, json_string_value(json_object_get(c0, "qom-type")));
    json_decref(a);
    if (!out->qom_type[0] && out->qom_path[0]) {
        /* QEMU 7.2 reports no type here; ask QOM.  Failure is not fatal
         * unless the connection itself broke. */
        json_t *t = NULL;
        hvp_error e2 = { 0 };
        r = qmp_execute(q, "qom-get",
                        json_pack("{s:s, s:s}", "path", out->qom_path, "property", "type"),
                        &t, &e2);
        if (r && r != HVP_E_TARGET) {
            if (err)
                *err = e2;
            return r;
        }
        copy_str(out->qom_type, sizeof out->qom_type, json_string_value(t));
        json_decref(t);
    }
    return HVP_OK;
}

int qmp_stop(qmp_client *q, hvp_error *err)
{
    return qmp_execute(q, "stop", NULL, NULL, err);
}

int qmp_cont(qmp_client *q, hvp_error *err)
{
    return qmp_execute(q, "cont", NULL, NULL, err);
}

/* memsave/pmemsave arguments; QAPI 'int' is int64. */
static json_t *save_args(uint64_t addr, uint64_t size, const char *path, hvp_error *err)
{
    if (!path || !*path) {
        hvp_fail(err, HVP_E_INVAL, "no file name for the memory dump");
        return NULL;
    }
    if (addr > INT64_MAX || size > INT64_MAX || size == 0) {
        hvp_fail(err, HVP_E_INVAL, "memory dump of %" PRIu64 " bytes at 0x%" PRIx64 " is out of range",
                 size, addr);
        return NULL;
    }
    json_t *a = json_pack("{s:I, s:I, s:s}", "val", (json_int_t)addr, "size", (json_int_t)size,
                          "filename", path);
    if (!a)
        hvp_fail(err, HVP_E_NOMEM, "out of memory");
    return a;
}

int qmp_memsave(qmp_client *q, uint64_t addr, uint64_t size, int cpu_index,
                const char *path, hvp_error *err)
{
    json_t *a = save_args(addr, size, path, err);
    if (!a)
        return err ? err->code : HVP_E_INVAL;
    if (cpu_index >= 0 && json_object_set_new(a, "cpu-index", json_integer(cpu_index))) {
        json_decref(a);
        return hvp_fail(err, HVP_E_NOMEM, "out of memory");
    }
    return qmp_execute(q, "memsave", a, NULL, err);
}

int qmp_pmemsave(qmp_client *q, uint64_t addr, uint64_t size,
                 const char *path, hvp_error *err)
{
    json_t *a = save_args(addr, size, path, err);
    if (!a)
        return err ? err->code : HVP_E_INVAL;
    return qmp_execute(q, "pmemsave", a, NULL, err);
}
