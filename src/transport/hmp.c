/* hmp.c - human monitor client and output cleaning (see hmp.h). */
#include "util/clock.h"
#include "transport/hmp.h"
#include "transport/conn.h"
#include "util/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HMP_MAX_CMDLINE 4000    /* QEMU's readline buffer holds 4095 */

struct hmp_client {
    hvp_conn *conn;
    int timeout_ms;
    char *banner;
    int broken;         /* HVP_E_* that made the client unusable, or 0 */
};

/* ---- cleaning ----------------------------------------------------------- */

/* A line being drawn: bytes plus cursor column. */
typedef struct term_line {
    hvp_buf b;
    size_t col;
} term_line;

static int put_char(term_line *l, char c)
{
    while (l->b.len < l->col)
        if (hvp_buf_putc(&l->b, ' '))
            return -1;
    if (l->col < l->b.len)
        l->b.data[l->col] = c;
    else if (hvp_buf_putc(&l->b, c))
        return -1;
    l->col++;
    return 0;
}

/* Apply a CSI sequence with numeric parameter n (0 = absent) and final
 * byte f to the line.  Only what readline uses matters. */
static void apply_csi(term_line *l, unsigned n, char f)
{
    size_t k = n ? n : 1;
    switch (f) {
    case 'D': l->col = l->col > k ? l->col - k : 0; break;
    /* Cursor right may go at most a terminal width past the text:
     * readline only moves over what it drew, and an unbounded move
     * (ESC[9999C) let a hostile peer turn 9 bytes of input into 10 KB of
     * output (found by fuzzing); now the growth is bounded (~10x). */
    case 'C': l->col = l->col + k < l->b.len + 80 ? l->col + k : l->b.len + 80; break;
    case 'K':               /* erase to end of line (n = 0 only) */
        if (n == 0 && l->col < l->b.len) {
            l->b.len = l->col;
            l->b.data[l->b.len] = '\0';
        }
        break;
    default: break;         /* colours, cursor keys, ... : ignore */
    }
}

/* Render raw terminal bytes into lines joined by '\n' in `out`; the final
 * unterminated line (usually the prompt) is appended without '\n'. */
static int render(const char *raw, size_t len, hvp_buf *out)
{
    term_line l = { { 0 }, 0 };
    int rc = 0;
    for (size_t i = 0; i < len && rc == 0; i++) {
        unsigned char c = (unsigned char)raw[i];
        if (c == 0x1b) {
            if (i + 1 < len && raw[i + 1] == '[') {
                unsigned n = 0;
                size_t j = i + 2;
                while (j < len && (unsigned char)raw[j] >= 0x20 && (unsigned char)raw[j] <= 0x3f) {
                    if (raw[j] >= '0' && raw[j] <= '9' && n < 10000)
                        n = n * 10 + (unsigned)(raw[j] - '0');
                    j++;
                }
                if (j < len)
                    apply_csi(&l, n, raw[j]);
                i = j;
            } else {
                i++;        /* two-byte escape: drop both */
            }
        } else if (c == '\n') {
            rc = hvp_buf_append(out, l.b.data ? l.b.data : "", l.b.len);
            if (!rc)
                rc = hvp_buf_putc(out, '\n');
            hvp_buf_reset(&l.b);
            l.col = 0;
        } else if (c == '\r') {
            l.col = 0;
        } else if (c == '\b') {
            if (l.col)
                l.col--;
        } else if (c == '\t' || c >= 0x20) {
            if (c != 0x7f)
                rc = put_char(&l, (char)c);
        }
    }
    if (!rc && l.b.len)
        rc = hvp_buf_append(out, l.b.data, l.b.len);
    hvp_buf_free(&l.b);
    return rc;
}

/* Length of line [s, s+n) with trailing spaces removed. */
static size_t rtrim_len(const char *s, size_t n)
{
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return n;
}

static int is_prompt_line(const char *s, size_t n)
{
    return rtrim_len(s, n) == 6 && memcmp(s, "(qemu)", 6) == 0;
}

static int is_blank(const char *s, size_t n)
{
    return rtrim_len(s, n) == 0;
}

char *hmp_clean(const char *raw, size_t len, const char *cmdline)
{
    hvp_buf r = { 0 };
    if (render(raw ? raw : "", raw ? len : 0, &r)) {
        hvp_buf_free(&r);
        return NULL;
    }
    const char *s = r.data ? r.data : "", *end = s + r.len;
    /* Trailing: the unterminated last line (prompt or nothing), then
     * whole prompt lines. */
    const char *last = end;
    while (last > s && last[-1] != '\n')
        last--;
    if (is_prompt_line(last, (size_t)(end - last)) || is_blank(last, (size_t)(end - last)))
        end = last;
    for (;;) {
        if (end == s)
            break;
        const char *ls = end - 1;
        while (ls > s && ls[-1] != '\n')
            ls--;
        if (!is_prompt_line(ls, (size_t)(end - 1 - ls)))
            break;
        end = ls;
    }
    /* Leading: prompt lines, the echoed command line, blank lines. */
    int echo_done = cmdline == NULL;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        const char *le = nl ? nl : end;
        size_t n = (size_t)(le - s);
        const char *t = s;
        if (n >= 7 && memcmp(t, HMP_PROMPT, 7) == 0) {
            t += 7;
            n -= 7;
        }
        int drop = 0;
        if (is_prompt_line(s, (size_t)(le - s)))
            drop = 1;
        else if (!echo_done && rtrim_len(t, n) == strlen(cmdline) &&
                 memcmp(t, cmdline, rtrim_len(t, n)) == 0)
            drop = echo_done = 1;
        else if (is_blank(s, (size_t)(le - s)))
            drop = 1;
        if (!drop)
            break;
        s = nl ? nl + 1 : end;
    }
    size_t n = (size_t)(end - s);
    char *outp = malloc(n + 2);
    if (outp) {
        memcpy(outp, s, n);
        if (n && outp[n - 1] != '\n')
            outp[n++] = '\n';
        outp[n] = '\0';
    }
    hvp_buf_free(&r);
    return outp;
}

/* ---- client ------------------------------------------------------------- */

static int ends_with(const hvp_buf *b, const char *suffix)
{
    size_t n = strlen(suffix);
    return b->len >= n && memcmp(b->data + b->len - n, suffix, n) == 0;
}

/* Read into `raw` until it ends with `suffix`, within timeout_ms.  `what`
 * names the awaited thing for messages.  Any failure breaks the client. */
static int read_until(hmp_client *h, hvp_buf *raw, const char *suffix,
                      const char *what, hvp_error *err)
{
    char tmp[65536];
    long deadline = hvp_now_ms() + h->timeout_ms;
    while (!ends_with(raw, suffix)) {
        long left = deadline - hvp_now_ms();
        size_t got = 0;
        int r = left > 0 ? hvp_conn_read(h->conn, tmp, sizeof tmp, (int)left, &got, err)
                         : HVP_E_TIMEOUT;
        if (r == HVP_E_TIMEOUT) {
            h->broken = r;
            if (raw->len)
                return hvp_fail(err, r, "monitor %s sent %zu bytes of %s but no prompt within %d ms",
                                hvp_conn_addr(h->conn), raw->len, what, h->timeout_ms);
            return hvp_fail(err, r, "no %s from monitor %s within %d ms", what,
                            hvp_conn_addr(h->conn), h->timeout_ms);
        }
        if (r == HVP_E_CLOSED) {
            h->broken = r;
            return hvp_fail(err, r, "monitor %s hung up while we waited for %s",
                            hvp_conn_addr(h->conn), what);
        }
        if (r) {
            h->broken = r;
            return r;
        }
        if (raw->len + got > HMP_MAX_OUTPUT) {
            h->broken = HVP_E_PROTO;
            return hvp_fail(err, HVP_E_PROTO, "monitor %s sent more than %u bytes of %s",
                            hvp_conn_addr(h->conn), HMP_MAX_OUTPUT, what);
        }
        if (hvp_buf_append(raw, tmp, got)) {
            h->broken = HVP_E_NOMEM;
            return hvp_fail(err, HVP_E_NOMEM, "out of memory reading the monitor");
        }
    }
    return HVP_OK;
}

int hmp_open(const char *addr, int timeout_ms, hmp_client **out, hvp_error *err)
{
    *out = NULL;
    if (timeout_ms <= 0)
        return hvp_fail(err, HVP_E_INVAL, "monitor timeout must be positive");
    hmp_client *h = calloc(1, sizeof *h);
    if (!h)
        return hvp_fail(err, HVP_E_NOMEM, "out of memory");
    h->timeout_ms = timeout_ms;
    int r = hvp_conn_open(addr, timeout_ms, &h->conn, err);
    if (r) {
        free(h);
        return r;
    }
    hvp_buf raw = { 0 };
    r = read_until(h, &raw, HMP_PROMPT, "banner and prompt", err);
    if (r == HVP_E_TIMEOUT && raw.len) {
        int qmp = raw.data && strstr(raw.data, "\"QMP\"") != NULL;
        r = hvp_fail(err, HVP_E_PROTO, "%s is not a human monitor: %s", addr,
                     qmp ? "it sent a QMP greeting" : "it sent no '(qemu) ' prompt");
    } else if (r == HVP_E_TIMEOUT) {
        r = hvp_fail(err, r, "no banner from monitor %s within %d ms (is another client connected?)",
                     addr, timeout_ms);
    }
    if (!r && !(h->banner = hmp_clean(raw.data, raw.len, NULL)))
        r = hvp_fail(err, HVP_E_NOMEM, "out of memory");
    hvp_buf_free(&raw);
    if (r) {
        hmp_close(h);
        return r;
    }
    *out = h;
    return HVP_OK;
}

int hmp_command_raw(hmp_client *h, const char *cmdline, char **raw, size_t *len,
                    hvp_error *err)
{
    *raw = NULL;
    *len = 0;
    if (!h || !cmdline)
        return hvp_fail(err, HVP_E_INVAL, "hmp_command needs a client and a command line");
    size_t n = strlen(cmdline);
    if (n == 0 || n > HMP_MAX_CMDLINE)
        return hvp_fail(err, HVP_E_INVAL, "monitor command line must have 1 to %d characters",
                        HMP_MAX_CMDLINE);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)cmdline[i] < 0x20 || cmdline[i] == 0x7f)
            return hvp_fail(err, HVP_E_INVAL, "monitor command line contains a control character");
    if (h->broken)
        return hvp_fail(err, h->broken, "monitor connection to %s is unusable after an earlier error",
                        hvp_conn_addr(h->conn));
    hvp_buf line = { 0 };
    if (hvp_buf_append(&line, cmdline, n) || hvp_buf_putc(&line, '\n')) {
        hvp_buf_free(&line);
        return hvp_fail(err, HVP_E_NOMEM, "out of memory");
    }
    int r = hvp_conn_write(h->conn, line.data, line.len, err);
    hvp_buf_free(&line);
    if (r) {
        h->broken = r;
        return r;
    }
    hvp_buf b = { 0 };
    char what[96];
    snprintf(what, sizeof what, "output of '%.60s'", cmdline);
    r = read_until(h, &b, "\n" HMP_PROMPT, what, err);
    if (r) {
        hvp_buf_free(&b);
        return r;
    }
    *len = b.len;
    *raw = hvp_buf_steal(&b);
    if (!*raw)
        return hvp_fail(err, HVP_E_NOMEM, "out of memory");
    return HVP_OK;
}

int hmp_command(hmp_client *h, const char *cmdline, char **text, hvp_error *err)
{
    char *raw;
    size_t len;
    *text = NULL;
    int r = hmp_command_raw(h, cmdline, &raw, &len, err);
    if (r)
        return r;
    *text = hmp_clean(raw, len, cmdline);
    free(raw);
    return *text ? HVP_OK : hvp_fail(err, HVP_E_NOMEM, "out of memory");
}

const char *hmp_banner(const hmp_client *h)
{
    return h ? h->banner : NULL;
}

void hmp_set_timeout(hmp_client *h, int timeout_ms)
{
    if (h && timeout_ms > 0)
        h->timeout_ms = timeout_ms;
}

void hmp_close(hmp_client *h)
{
    if (!h)
        return;
    hvp_conn_close(h->conn);
    free(h->banner);
    free(h);
}
