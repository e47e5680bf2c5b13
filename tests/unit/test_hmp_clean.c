/* test_hmp_clean.c - hmp_clean() on raw bytes captured from QEMU 7.2's
 * HMP socket, and the HMP client against a fake monitor. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "transport/hmp.h"
#include "unit/monitor_test_util.h"

/* Each raw capture and the command that produced it; the expected clean
 * text is the same command's QMP human-monitor-command output (.txt)
 * with CRLF -> LF and leading blank lines dropped. */
static const struct { const char *base, *cmd; } cases[] = {
    { "vexpress-svc__info-registers", "info registers" },
    { "vexpress-svc__info-mtree", "info mtree" },
    { "vexpress-svc__info-mtree-f", "info mtree -f" },
    { "vexpress-svc__x-8wx-0x0", "x/8wx 0x0" },
    { "vexpress-svc__xp-8wx-0x60000000", "xp/8wx 0x60000000" },
    { "vexpress-svc__x-16bx-0x60000000", "x/16bx 0x60000000" },
    { "vexpress-svc__x-8wx-0x67fffff0", "x/8wx 0x67fffff0" },
    { "vexpress-svc__x-3wx-0xfffffff8", "x/3wx 0xfffffff8" },
    { "vexpress-smp2__info-registers-a", "info registers -a" },
    { "vexpress-smp2__cpu-1", "cpu 1" },
    { "virt-svc__info-mtree", "info mtree" },
    { "virt-hyp__info-registers", "info registers" },
    { "vexpress-mmu__x-4wx-0x0", "x/4wx 0x0" },
};

static char *expected_from_txt(const char *base)
{
    char rel[256];
    snprintf(rel, sizeof rel, "hmp/%s.txt", base);
    char *t = fixture_load(rel, NULL), *o = t, *p = t;
    while (*p == '\r' || *p == '\n')
        p++;
    for (; *p; p++)
        if (!(p[0] == '\r' && p[1] == '\n'))
            *o++ = *p;
    *o = '\0';
    return t;
}

static void test_clean_real_captures(void **s)
{
    (void)s;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char rel[256];
        size_t len;
        snprintf(rel, sizeof rel, "hmp/%s.raw", cases[i].base);
        char *raw = fixture_load(rel, &len);
        char *want = expected_from_txt(cases[i].base);
        char *got = hmp_clean(raw, len, cases[i].cmd);
        assert_non_null(got);
        if (strcmp(got, want))
            fail_msg("%s: clean text differs:\n--- got\n%s--- want\n%s", cases[i].base, got, want);
        assert_null(strchr(got, '\r'));
        assert_null(strchr(got, '\x1b'));
        free(raw);
        free(want);
        free(got);
    }
}

static void test_clean_echo_details(void **s)
{
    (void)s;
    size_t len;
    char *raw = fixture_load("hmp/vexpress-svc__x-8wx-0x0.raw", &len);
    /* the raw bytes really carry readline's redraws */
    assert_non_null(strstr(raw, "x/8\x1b[K\x1b[D\x1b[D\x1b[D"));
    char *got = hmp_clean(raw, len, "x/8wx 0x0");
    assert_string_equal(got, "00000000: 0x00000000 0x00000000 0x00000000 0x00000000\n"
                             "00000010: 0x00000000 0x00000000 0x00000000 0x00000000\n");
    free(got);
    /* without the command line the echo stays (and is rendered cleanly) */
    got = hmp_clean(raw, len, NULL);
    assert_true(strncmp(got, "x/8wx 0x0\n00000000:", 19) == 0);
    free(got);
    /* a different command line does not eat the echo */
    got = hmp_clean(raw, len, "x/8wx 0x4");
    assert_true(strncmp(got, "x/8wx 0x0\n", 10) == 0);
    free(got);
    /* prompt still in front (raw taken from before the prompt) */
    char *withp = malloc(len + 8);
    memcpy(withp, "(qemu) ", 7);
    memcpy(withp + 7, raw, len);
    got = hmp_clean(withp, len + 7, "x/8wx 0x0");
    assert_true(strncmp(got, "00000000: 0x0", 13) == 0);
    free(got);
    free(withp);
    free(raw);

    raw = fixture_load("hmp/banner.raw", &len);
    got = hmp_clean(raw, len, NULL);
    assert_string_equal(got, "QEMU 7.2.22 monitor - type 'help' for more information\n");
    free(got);
    free(raw);
}

static void test_clean_synthetic(void **s)
{
    (void)s;
    char *got;
    /* colours, a two-byte escape, backspace, tab, LF-only, CR overwrite,
     * a prompt line in the middle kept, trailing prompts dropped */
    const char raw[] = "ab\x1b[K\x1b[D\x1b[Dab\r\n\x1b[1mbold\x1b[0m \x1b" "7x\bY\tz\n"
                       "12345\rAB\n(qemu) \n(qemu) \r\n(qemu) ";
    got = hmp_clean(raw, sizeof raw - 1, "ab");
    assert_string_equal(got, "bold Y\tz\nAB345\n");
    free(got);
    got = hmp_clean("", 0, "x");
    assert_string_equal(got, "");
    free(got);
    got = hmp_clean(NULL, 0, NULL);
    assert_string_equal(got, "");
    free(got);
    /* truncated escape at the end, cursor moved right past the end */
    got = hmp_clean("a\x1b[3Cb\n\x1b[", 9, NULL);
    assert_string_equal(got, "a   b\n");
    free(got);
    /* output without final newline gets one */
    got = hmp_clean("cmd\r\nhello", 10, "cmd");
    assert_string_equal(got, "hello\n");
    free(got);
}

/* ---- fake monitor ------------------------------------------------------------ */

enum hmp_peer_mode { HP_NORMAL, HP_SILENT, HP_STALL_MID, HP_HANGUP_MID, HP_QMP, HP_HUGE,
                     HP_NO_PROMPT };

/* Replays the captured banner, then answers each command line with the
 * captured raw bytes of "x/8wx 0x0", or misbehaves per mode. */
static void hmp_peer(int fd, const void *arg)
{
    enum hmp_peer_mode mode = *(const enum hmp_peer_mode *)arg;
    char line[4096];
    size_t blen, xlen;
    char *banner = fixture_load("hmp/banner.raw", &blen);
    char *x = fixture_load("hmp/vexpress-svc__x-8wx-0x0.raw", &xlen);
    if (mode == HP_SILENT) {
        peer_stall(fd);
        return;
    }
    if (mode == HP_QMP) {
        peer_send_str(fd, "{\"QMP\": {\"version\": {}, \"capabilities\": []}}\r\n");
        peer_stall(fd);
        return;
    }
    if (mode == HP_NO_PROMPT) {
        peer_send_str(fd, "hello there\r\n");
        peer_stall(fd);
        return;
    }
    peer_send(fd, banner, blen);
    while (peer_read_line(fd, line, sizeof line) == 0) {
        if (mode == HP_STALL_MID) {
            peer_send(fd, x, xlen / 2);
            peer_stall(fd);
            return;
        }
        if (mode == HP_HANGUP_MID) {
            peer_send(fd, x, xlen / 2);
            return;
        }
        if (mode == HP_HUGE) {
            char *junk = malloc(1 << 20);
            memset(junk, 'x', 1 << 20);
            for (int i = 0; i < 17; i++)
                if (peer_send(fd, junk, 1 << 20))
                    break;
            free(junk);
            peer_stall(fd);
            return;
        }
        peer_send(fd, x, xlen);
    }
}

static hmp_client *open_peer(fake_peer *p, enum hmp_peer_mode *mode, int timeout_ms,
                             int want_rc, hvp_error *e)
{
    hmp_client *h = NULL;
    assert_int_equal(fake_peer_start(p, hmp_peer, mode), 0);
    int rc = hmp_open(p->addr, timeout_ms, &h, e);
    if (rc != want_rc)
        fail_msg("hmp_open returned %d (%s), wanted %d", rc, e->msg, want_rc);
    return h;
}

static void test_hmp_client_normal(void **s)
{
    (void)s;
    fake_peer p;
    enum hmp_peer_mode m = HP_NORMAL;
    hvp_error e = { 0 };
    hmp_client *h = open_peer(&p, &m, 2000, 0, &e);
    assert_string_equal(hmp_banner(h), "QEMU 7.2.22 monitor - type 'help' for more information\n");
    char *t;
    for (int i = 0; i < 2; i++) {
        assert_int_equal(hmp_command(h, "x/8wx 0x0", &t, &e), 0);
        assert_true(strncmp(t, "00000000: 0x00000000", 20) == 0);
        free(t);
    }
    assert_int_equal(hmp_command(h, "x\n/8wx", &t, &e), HVP_E_INVAL);
    assert_null(t);
    assert_int_equal(hmp_command(h, "", &t, &e), HVP_E_INVAL);
    hmp_close(h);
    hmp_close(NULL);
    fake_peer_stop(&p);
}

static void test_hmp_client_faults(void **s)
{
    (void)s;
    fake_peer p;
    hvp_error e = { 0 };
    char *t;
    enum hmp_peer_mode m;
    long t0;

    m = HP_SILENT;      /* no banner at all */
    t0 = test_now_ms();
    open_peer(&p, &m, 200, HVP_E_TIMEOUT, &e);
    assert_true(test_now_ms() - t0 < 1500);
    assert_non_null(strstr(e.msg, "another client"));
    fake_peer_stop(&p);

    m = HP_QMP;         /* pointed at the QMP socket */
    open_peer(&p, &m, 200, HVP_E_PROTO, &e);
    assert_non_null(strstr(e.msg, "QMP"));
    fake_peer_stop(&p);

    m = HP_NO_PROMPT;
    open_peer(&p, &m, 200, HVP_E_PROTO, &e);
    fake_peer_stop(&p);

    m = HP_STALL_MID;   /* half the output, then silence */
    hmp_client *h = open_peer(&p, &m, 200, 0, &e);
    t0 = test_now_ms();
    assert_int_equal(hmp_command(h, "x/8wx 0x0", &t, &e), HVP_E_TIMEOUT);
    assert_true(test_now_ms() - t0 < 1500);
    assert_non_null(strstr(e.msg, "bytes"));
    assert_null(t);
    assert_int_equal(hmp_command(h, "x/8wx 0x0", &t, &e), HVP_E_TIMEOUT);
    assert_non_null(strstr(e.msg, "unusable"));
    hmp_close(h);
    fake_peer_stop(&p);

    m = HP_HANGUP_MID;
    h = open_peer(&p, &m, 2000, 0, &e);
    assert_int_equal(hmp_command(h, "x/8wx 0x0", &t, &e), HVP_E_CLOSED);
    assert_non_null(strstr(e.msg, "hung up"));
    hmp_close(h);
    fake_peer_stop(&p);

    m = HP_HUGE;        /* 17 MiB without a prompt */
    h = open_peer(&p, &m, 5000, 0, &e);
    assert_int_equal(hmp_command(h, "info mtree", &t, &e), HVP_E_PROTO);
    assert_non_null(strstr(e.msg, "more than"));
    hmp_close(h);
    fake_peer_stop(&p);

    /* nobody listening */
    h = NULL;
    assert_int_equal(hmp_open("unix:/nonexistent/hvp.sock", 200, &h, &e), HVP_E_IO);
    assert_null(h);
}

/* A hostile peer cannot make the cleaner's output explode: cursor-right
 * moves are bounded (found by fuzzing: ESC[9999C per line was 1000x). */
static void test_clean_bounded_growth(void **s)
{
    (void)s;
    const char unit[] = "x\x1b[9999Cy\n";
    size_t n = 20000, ul = sizeof unit - 1;
    char *raw = malloc(n * ul + 1);
    assert_non_null(raw);
    for (size_t i = 0; i < n; i++)
        memcpy(raw + i * ul, unit, ul);
    raw[n * ul] = '\0';
    char *out = hmp_clean(raw, n * ul, NULL);
    assert_non_null(out);
    assert_true(strlen(out) <= 12 * n * ul);
    free(out);
    free(raw);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clean_real_captures),
        cmocka_unit_test(test_clean_echo_details),
        cmocka_unit_test(test_clean_synthetic),
        cmocka_unit_test(test_hmp_client_normal),
        cmocka_unit_test(test_hmp_client_faults),
        cmocka_unit_test(test_clean_bounded_growth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
