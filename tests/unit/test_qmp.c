/* test_qmp.c - QMP framing, and the QMP client against a scripted fake
 * peer (forked child on a temporary unix socket) that replays replies
 * captured from QEMU 7.2 (tests/fixtures/qmp) or misbehaves on purpose. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "transport/qmp.h"
#include "unit/monitor_test_util.h"

#define FAULT_MS 200

/* ---- framing ------------------------------------------------------------------ */

static void test_framer_lines(void **s)
{
    (void)s;
    qmp_framer f;
    hvp_error e = { 0 };
    char *line;
    qmp_framer_init(&f, 0);
    const char *stream = "{\"QMP\": {}}\r\n\r\n\n{\"a\": 1}\n{\"event\": \"STOP\"}\r\n{\"b\":";
    /* byte at a time */
    const char *want[] = { "{\"QMP\": {}}", "{\"a\": 1}", "{\"event\": \"STOP\"}" };
    size_t k = 0;
    for (const char *p = stream; *p; p++) {
        assert_int_equal(qmp_framer_feed(&f, p, 1, &e), 0);
        int r;
        while ((r = qmp_framer_next(&f, &line, &e)) == 1) {
            assert_true(k < 3);
            assert_string_equal(line, want[k++]);
            free(line);
        }
        assert_int_equal(r, 0);
        assert_null(line);
    }
    assert_int_equal(k, 3);
    assert_int_equal(f.buf.len, 5);            /* the unfinished line */
    assert_int_equal(qmp_framer_feed(&f, " 2}\r\n", 5, &e), 0);
    assert_int_equal(qmp_framer_next(&f, &line, &e), 1);
    assert_string_equal(line, "{\"b\": 2}");
    free(line);
    qmp_framer_free(&f);
    qmp_framer_free(NULL);

    /* all at once */
    qmp_framer_init(&f, 0);
    assert_int_equal(qmp_framer_feed(&f, stream, strlen(stream), &e), 0);
    for (k = 0; k < 3; k++) {
        assert_int_equal(qmp_framer_next(&f, &line, &e), 1);
        assert_string_equal(line, want[k]);
        free(line);
    }
    assert_int_equal(qmp_framer_next(&f, &line, &e), 0);
    qmp_framer_free(&f);
}

static void test_framer_oversized(void **s)
{
    (void)s;
    qmp_framer f;
    hvp_error e = { 0 };
    char *line;
    qmp_framer_init(&f, 16);
    assert_int_equal(qmp_framer_feed(&f, "0123456789abcdef\n", 17, &e), 0);   /* exactly 16 */
    assert_int_equal(qmp_framer_next(&f, &line, &e), 1);
    free(line);
    assert_int_equal(qmp_framer_feed(&f, "0123456789", 10, &e), 0);
    assert_int_equal(qmp_framer_feed(&f, "0123456789", 10, &e), HVP_E_PROTO);
    assert_non_null(strstr(e.msg, "16 bytes"));
    assert_int_equal(f.buf.len, 10);            /* nothing was appended */
    qmp_framer_free(&f);
    /* a long line that arrives complete is refused when taken */
    qmp_framer_init(&f, 16);
    assert_int_equal(qmp_framer_feed(&f, "0123456789abcdefXYZ\r\n", 21, &e), 0);
    assert_int_equal(qmp_framer_next(&f, &line, &e), HVP_E_PROTO);
    assert_null(line);
    qmp_framer_free(&f);
}

static void test_parse_line(void **s)
{
    (void)s;
    json_t *m;
    hvp_error e = { 0 };
    assert_int_equal(qmp_parse_line("this is not json", &m, &e), HVP_E_PROTO);
    assert_null(m);
    assert_non_null(strstr(e.msg, "not JSON"));
    assert_int_equal(qmp_parse_line("[1, 2]", &m, &e), HVP_E_PROTO);
    assert_int_equal(qmp_parse_line("{\"a\": 1} trailing", &m, &e), HVP_E_PROTO);
    char *g = fixture_load("qmp/greeting.jsonl", NULL);
    assert_int_equal(qmp_parse_line(g, &m, &e), 0);
    json_t *v = json_object_get(json_object_get(json_object_get(m, "QMP"), "version"), "qemu");
    assert_int_equal(json_integer_value(json_object_get(v, "major")), 7);
    json_decref(m);
    free(g);
}

/* ---- scripted peer -------------------------------------------------------------- */

enum step_kind {
    S_END,          /* end of script: stall */
    S_REPLY,        /* send text, read the next request */
    S_STALL,        /* send text (maybe half a line), then say nothing */
    S_CLOSE,        /* send text, hang up */
    S_FLOOD_THEN,   /* send n events, then text */
    S_FLOOD_FOREVER,/* send events until the client goes away */
    S_HUGE,         /* send n MiB without a newline, then stall */
    S_SLEEP_THEN,   /* wait n ms, then send text */
    S_REPLAY,       /* answer this and all later requests from fixtures */
};

typedef struct qstep {
    enum step_kind kind;
    const char *text;   /* "%ID%" is replaced by the request's id */
    int n;
} qstep;

typedef struct qscript {
    const char *greeting;   /* NULL: the captured one; "": none */
    qstep steps[8];
} qscript;

static const qstep OK = { S_REPLY, "{\"return\": {}, \"id\": %ID%}\r\n", 0 };

static void send_subst(int fd, const char *text, long long id)
{
    char idbuf[32];
    snprintf(idbuf, sizeof idbuf, "%lld", id);
    for (const char *p = text; *p; ) {
        const char *m = strstr(p, "%ID%");
        size_t n = m ? (size_t)(m - p) : strlen(p);
        peer_send(fd, p, n);
        if (!m)
            break;
        peer_send_str(fd, idbuf);
        p = m + 4;
    }
}

/* Answer from tests/fixtures/qmp/<execute>.jsonl with ids rewritten;
 * memsave/pmemsave are checked and acknowledged. */
static void replay(int fd, json_t *req)
{
    const char *cmd = json_string_value(json_object_get(req, "execute"));
    json_t *id = json_object_get(req, "id"), *args = json_object_get(req, "arguments");
    char rel[PATH_MAX + 64], *out;
    if (!strcmp(cmd, "qmp_capabilities") ||
        ((!strcmp(cmd, "memsave") || !strcmp(cmd, "pmemsave")) &&
         json_integer_value(json_object_get(args, "val")) == 0x60000000 &&
         json_integer_value(json_object_get(args, "size")) == 64 &&
         json_is_string(json_object_get(args, "filename")))) {
        json_t *r = json_pack("{s:{}, s:O}", "return", "id", id);
        out = json_dumps(r, 0);
        peer_send_str(fd, out);
        peer_send_str(fd, "\r\n");
        free(out);
        json_decref(r);
        return;
    }
    snprintf(rel, sizeof rel, "%s/qmp/%s.jsonl", fixture_dir(), cmd);
    FILE *f = fopen(rel, "r");
    if (!f)
        f = fopen(strcat(strcpy(rel, fixture_dir()), "/qmp/no-such-command.jsonl"), "r");
    char line[65536];
    while (f && fgets(line, sizeof line, f)) {
        json_t *m = json_loads(line, 0, NULL);
        if (json_object_get(m, "id"))
            json_object_set(m, "id", id);
        out = json_dumps(m, 0);
        peer_send_str(fd, out);
        peer_send_str(fd, "\r\n");
        free(out);
        json_decref(m);
    }
    if (f)
        fclose(f);
}

static void send_event(int fd, int seq)
{
    char ev[160];
    snprintf(ev, sizeof ev, "{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, "
             "\"event\": \"FLOOD\", \"data\": {\"seq\": %d}}\r\n", seq);
    peer_send_str(fd, ev);
}

static void qmp_peer(int fd, const void *arg)
{
    const qscript *sc = arg;
    char line[65536];
    char *g = fixture_load("qmp/greeting.jsonl", NULL);
    peer_send_str(fd, sc->greeting ? sc->greeting : g);
    free(g);
    int replaying = 0;
    for (size_t i = 0;; i++) {
        const qstep *st = replaying ? NULL : &sc->steps[i < 8 ? i : 7];
        if (st && st->kind == S_END)
            break;
        if (peer_read_line(fd, line, sizeof line))
            return;
        json_t *req = json_loads(line, 0, NULL);
        long long id = (long long)json_integer_value(json_object_get(req, "id"));
        if (st && st->kind == S_REPLAY)
            replaying = 1;
        if (replaying) {
            replay(fd, req);
            json_decref(req);
            continue;
        }
        json_decref(req);
        switch (st->kind) {
        case S_REPLY: send_subst(fd, st->text, id); break;
        case S_STALL: send_subst(fd, st->text, id); peer_stall(fd); return;
        case S_CLOSE: send_subst(fd, st->text, id); return;
        case S_FLOOD_THEN:
            for (int k = 0; k < st->n; k++)
                send_event(fd, k);
            send_subst(fd, st->text, id);
            break;
        case S_FLOOD_FOREVER:
            for (int k = 0;; k++) {
                char ev[160];
                snprintf(ev, sizeof ev, "{\"event\": \"FLOOD\", \"data\": {\"seq\": %d}}\r\n", k);
                if (peer_send_str(fd, ev))
                    return;
            }
        case S_HUGE: {
            char *junk = malloc(1 << 20);
            memset(junk, 'x', 1 << 20);
            peer_send_str(fd, "{\"return\": \"");
            for (int k = 0; k < st->n; k++)
                if (peer_send(fd, junk, 1 << 20))
                    break;
            free(junk);
            peer_stall(fd);
            return;
        }
        case S_SLEEP_THEN:
            usleep((useconds_t)st->n * 1000);
            send_subst(fd, st->text, id);
            break;
        default:
            return;
        }
    }
    peer_stall(fd);
}

static qmp_client *open_script(fake_peer *p, const qscript *sc, int timeout_ms, int want_rc,
                               hvp_error *e)
{
    qmp_client *q = NULL;
    assert_int_equal(fake_peer_start(p, qmp_peer, sc), 0);
    int rc = qmp_open(p->addr, timeout_ms, &q, e);
    if (rc != want_rc)
        fail_msg("qmp_open returned %d (%s), wanted %d", rc, e->msg, want_rc);
    if (rc)
        assert_null(q);
    return q;
}

/* ---- sessions ---------------------------------------------------------------------- */

static void test_session_replayed(void **s)
{
    (void)s;
    fake_peer p;
    hvp_error e = { 0 };
    qscript sc = { NULL, { { S_REPLAY, NULL, 0 } } };
    qmp_client *q = open_script(&p, &sc, 2000, 0, &e);

    const json_t *g = qmp_greeting(q);
    assert_non_null(json_object_get(g, "QMP"));
    char buf[64];
    assert_int_equal(qmp_query_version(q, buf, sizeof buf, &e), 0);
    assert_string_equal(buf, "7.2.22");
    qmp_status st;
    assert_int_equal(qmp_query_status(q, &st, &e), 0);
    assert_int_equal(st.running, 1);
    assert_string_equal(st.status, "running");
    int en = -1, pr = -1;
    assert_int_equal(qmp_query_kvm(q, &en, &pr, &e), 0);
    assert_int_equal(en, 0);
    assert_int_equal(pr, 0);
    assert_int_equal(qmp_query_target(q, buf, sizeof buf, &e), 0);
    assert_string_equal(buf, "arm");
    qmp_cpus c;
    assert_int_equal(qmp_query_cpus(q, &c, &e), 0);
    assert_int_equal(c.count, 1);
    assert_string_equal(c.target, "arm");
    assert_string_equal(c.qom_path, "/machine/unattached/device[0]");
    assert_string_equal(c.qom_type, "cortex-a9-arm-cpu");

    assert_int_equal(qmp_event_count(q), 0);
    assert_int_equal(qmp_stop(q, &e), 0);       /* STOP event precedes the reply */
    assert_int_equal(qmp_event_count(q), 1);
    assert_string_equal(json_string_value(json_object_get(qmp_event_at(q, 0), "event")), "STOP");
    assert_int_equal(qmp_cont(q, &e), 0);
    assert_int_equal(qmp_event_count(q), 2);
    assert_string_equal(json_string_value(json_object_get(qmp_event_at(q, 1), "event")), "RESUME");
    assert_null(qmp_event_at(q, 2));
    qmp_events_clear(q);
    assert_int_equal(qmp_event_count(q), 0);

    char *text;
    assert_int_equal(qmp_hmp(q, "x/2wx 0x60000000", &text, &e), 0);
    assert_string_equal(text, "60000000: 0xea000006 0xea000017\n");
    free(text);

    json_t *ret = (json_t *)1;
    assert_int_equal(qmp_execute(q, "no-such-command", NULL, &ret, &e), HVP_E_TARGET);
    assert_null(ret);
    assert_non_null(strstr(e.msg, "has not been found"));
    assert_non_null(strstr(e.msg, "CommandNotFound"));

    assert_int_equal(qmp_pmemsave(q, 0x60000000, 64, "/tmp/x.bin", &e), 0);
    assert_int_equal(qmp_memsave(q, 0x60000000, 64, 0, "/tmp/x.bin", &e), 0);
    assert_int_equal(qmp_pmemsave(q, 0x60000000, 64, "", &e), HVP_E_INVAL);
    assert_int_equal(qmp_pmemsave(q, UINT64_MAX, 64, "/tmp/x", &e), HVP_E_INVAL);
    assert_int_equal(qmp_execute(q, "x", json_array(), NULL, &e), HVP_E_INVAL);  /* stolen */
    assert_int_equal(qmp_execute(q, "", NULL, NULL, &e), HVP_E_INVAL);
    /* still usable after refused commands */
    assert_int_equal(qmp_query_status(q, &st, &e), 0);
    qmp_close(q);
    qmp_close(NULL);
    fake_peer_stop(&p);
}

static void expect_exec(const qscript *sc, int want_rc, const char *want_msg)
{
    fake_peer p;
    hvp_error e = { 0 };
    qmp_client *q = open_script(&p, sc, FAULT_MS, 0, &e);
    long t0 = test_now_ms();
    json_t *ret = NULL;
    int rc = qmp_execute(q, "query-status", NULL, &ret, &e);
    if (rc != want_rc)
        fail_msg("qmp_execute returned %d (%s), wanted %d", rc, e.msg, want_rc);
    assert_null(ret);
    assert_true(test_now_ms() - t0 < 1500);
    if (want_msg && !strstr(e.msg, want_msg))
        fail_msg("message '%s' lacks '%s'", e.msg, want_msg);
    if (rc == HVP_E_PROTO || rc == HVP_E_CLOSED) {
        assert_int_equal(qmp_execute(q, "query-status", NULL, NULL, &e), rc);
        assert_non_null(strstr(e.msg, "unusable"));
    }
    qmp_close(q);
    fake_peer_stop(&p);
}

static void test_open_faults(void **s)
{
    (void)s;
    fake_peer p;
    hvp_error e = { 0 };
    long t0 = test_now_ms();
    qscript silent = { "", { { S_END, NULL, 0 } } };
    open_script(&p, &silent, FAULT_MS, HVP_E_TIMEOUT, &e);
    assert_true(test_now_ms() - t0 < 1500);
    assert_non_null(strstr(e.msg, "greeting"));
    fake_peer_stop(&p);

    qscript deaf = { NULL, { { S_STALL, "", 0 } } };   /* greets, never answers */
    open_script(&p, &deaf, FAULT_MS, HVP_E_TIMEOUT, &e);
    assert_non_null(strstr(e.msg, "qmp_capabilities"));
    fake_peer_stop(&p);

    qscript hmp = { "QEMU 7.2.22 monitor - type 'help' for more information\r\n(qemu) ",
                    { { S_END, NULL, 0 } } };
    open_script(&p, &hmp, FAULT_MS, HVP_E_PROTO, &e);
    assert_non_null(strstr(e.msg, "does not look like a QMP server"));
    fake_peer_stop(&p);

    qscript notgreeting = { "{\"return\": {}}\r\n", { { S_END, NULL, 0 } } };
    open_script(&p, &notgreeting, FAULT_MS, HVP_E_PROTO, &e);
    fake_peer_stop(&p);

    qscript refuse = { NULL, { { S_REPLY, "{\"id\": %ID%, \"error\": {\"class\": "
                                 "\"CommandNotFound\", \"desc\": \"nope\"}}\r\n", 0 } } };
    open_script(&p, &refuse, FAULT_MS, HVP_E_TARGET, &e);
    assert_non_null(strstr(e.msg, "nope"));
    fake_peer_stop(&p);

    qmp_client *q = (qmp_client *)1;
    assert_int_equal(qmp_open("unix:/nonexistent/hvp.sock", FAULT_MS, &q, &e), HVP_E_IO);
    assert_null(q);
    assert_int_equal(qmp_open("nonsense", FAULT_MS, &q, &e), HVP_E_INVAL);
}

static void test_no_answer_times_out(void **s)
{
    (void)s;
    qscript sc = { NULL, { OK, { S_STALL, "", 0 } } };
    expect_exec(&sc, HVP_E_TIMEOUT, "no reply to 'query-status'");
}

static void test_half_line_times_out(void **s)
{
    (void)s;
    qscript sc = { NULL, { OK, { S_STALL, "{\"return\": {}, \"i", 0 } } };
    expect_exec(&sc, HVP_E_TIMEOUT, "17 bytes");
}

static void test_garbage_is_protocol_error(void **s)
{
    (void)s;
    qscript sc = { NULL, { OK, { S_REPLY, "this is not json\r\n", 0 } } };
    expect_exec(&sc, HVP_E_PROTO, "not JSON");
    qscript sc2 = { NULL, { OK, { S_REPLY, "[\"array\"]\r\n", 0 } } };
    expect_exec(&sc2, HVP_E_PROTO, "not an object");
    qscript sc3 = { NULL, { OK, { S_REPLY, "{\"surprise\": 1}\r\n", 0 } } };
    expect_exec(&sc3, HVP_E_PROTO, "neither a reply nor an event");
    qscript sc4 = { NULL, { OK, { S_REPLY, "{\"QMP\": {}}\r\n", 0 } } };
    expect_exec(&sc4, HVP_E_PROTO, NULL);
}

static void test_hangup_mid_reply(void **s)
{
    (void)s;
    qscript sc = { NULL, { OK, { S_CLOSE, "{\"return\": {\"status\": \"runn", 0 } } };
    expect_exec(&sc, HVP_E_CLOSED, "middle of a line");
    qscript sc2 = { NULL, { OK, { S_CLOSE, "", 0 } } };
    expect_exec(&sc2, HVP_E_CLOSED, "hung up");
}

static void test_wrong_or_missing_id(void **s)
{
    (void)s;
    qscript sc = { NULL, { OK, { S_REPLY, "{\"return\": {}, \"id\": 999}\r\n", 0 } } };
    expect_exec(&sc, HVP_E_PROTO, "999");
    qscript sc2 = { NULL, { OK, { S_REPLY, "{\"return\": {}}\r\n", 0 } } };
    expect_exec(&sc2, HVP_E_PROTO, "no usable id");
    qscript sc3 = { NULL, { OK, { S_REPLY, "{\"return\": {}, \"id\": \"%ID%\"}\r\n", 0 } } };
    expect_exec(&sc3, HVP_E_PROTO, "no usable id");
}

static void test_oversized_line(void **s)
{
    (void)s;
    fake_peer p;
    hvp_error e = { 0 };
    qscript sc = { NULL, { OK, { S_HUGE, NULL, 17 } } };
    qmp_client *q = open_script(&p, &sc, 5000, 0, &e);
    assert_int_equal(qmp_execute(q, "query-status", NULL, NULL, &e), HVP_E_PROTO);
    assert_non_null(strstr(e.msg, "longer than 16777216 bytes"));
    qmp_close(q);
    fake_peer_stop(&p);
}

static void test_event_flood_then_reply(void **s)
{
    (void)s;
    fake_peer p;
    hvp_error e = { 0 };
    qscript sc = { NULL, { OK, { S_FLOOD_THEN, "{\"return\": {\"running\": false, "
                                 "\"status\": \"paused\"}, \"id\": %ID%}\r\n", 5000 } } };
    qmp_client *q = open_script(&p, &sc, 5000, 0, &e);
    qmp_status st;
    assert_int_equal(qmp_query_status(q, &st, &e), 0);
    assert_string_equal(st.status, "paused");
    assert_int_equal(qmp_event_count(q), QMP_EVENTS_KEPT);
    assert_int_equal(qmp_events_dropped(q), 5000 - QMP_EVENTS_KEPT);
    const json_t *first = qmp_event_at(q, 0), *last = qmp_event_at(q, QMP_EVENTS_KEPT - 1);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(first, "data"), "seq")),
                     5000 - QMP_EVENTS_KEPT);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(last, "data"), "seq")),
                     4999);
    qmp_close(q);
    fake_peer_stop(&p);
}

static void test_event_flood_forever(void **s)
{
    (void)s;
    fake_peer p;
    hvp_error e = { 0 };
    qscript sc = { NULL, { OK, { S_FLOOD_FOREVER, NULL, 0 } } };
    qmp_client *q = open_script(&p, &sc, FAULT_MS, 0, &e);
    long t0 = test_now_ms();
    assert_int_equal(qmp_execute(q, "query-status", NULL, NULL, &e), HVP_E_TIMEOUT);
    assert_true(test_now_ms() - t0 < 1500);
    assert_int_equal(qmp_event_count(q), QMP_EVENTS_KEPT);
    assert_true(qmp_events_dropped(q) > 0);
    qmp_close(q);
    fake_peer_stop(&p);
}

static void test_late_reply_is_skipped(void **s)
{
    (void)s;
    fake_peer p;
    hvp_error e = { 0 };
    qscript sc = { NULL, { OK,
        { S_SLEEP_THEN, "{\"return\": {\"running\": true, \"status\": \"late\"}, \"id\": %ID%}\r\n", 400 },
        { S_REPLY, "{\"return\": {\"running\": true, \"status\": \"fresh\"}, \"id\": %ID%}\r\n", 0 } } };
    qmp_client *q = open_script(&p, &sc, FAULT_MS, 0, &e);
    qmp_status st;
    assert_int_equal(qmp_query_status(q, &st, &e), HVP_E_TIMEOUT);
    qmp_set_timeout(q, 3000);
    assert_int_equal(qmp_query_status(q, &st, &e), 0);
    assert_string_equal(st.status, "fresh");
    qmp_close(q);
    fake_peer_stop(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_framer_lines),
        cmocka_unit_test(test_framer_oversized),
        cmocka_unit_test(test_parse_line),
        cmocka_unit_test(test_session_replayed),
        cmocka_unit_test(test_open_faults),
        cmocka_unit_test(test_no_answer_times_out),
        cmocka_unit_test(test_half_line_times_out),
        cmocka_unit_test(test_garbage_is_protocol_error),
        cmocka_unit_test(test_hangup_mid_reply),
        cmocka_unit_test(test_wrong_or_missing_id),
        cmocka_unit_test(test_oversized_line),
        cmocka_unit_test(test_event_flood_then_reply),
        cmocka_unit_test(test_event_flood_forever),
        cmocka_unit_test(test_late_reply_is_skipped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
