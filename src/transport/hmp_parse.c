/* hmp_parse.c - parsers of `info registers` and `x`/`xp` output (see
 * hmp_parse.h; `info mtree` is in hmp_mtree.c). */
#include "transport/hmp_parse.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Step through text line by line: *ls and *ln get the next line without its
 * "\n" or "\r\n"; returns 0 at the end. */
static int next_line(const char **p, const char **ls, size_t *ln)
{
    if (!**p)
        return 0;
    const char *s = *p, *nl = strchr(s, '\n');
    size_t n = nl ? (size_t)(nl - s) : strlen(s);
    *p = nl ? nl + 1 : s + n;
    if (n && s[n - 1] == '\r')
        n--;
    *ls = s;
    *ln = n;
    return 1;
}

/* Parse exactly n hex digits at s into *v (n <= 16). */
static int hex_n(const char *s, size_t n, uint64_t *v)
{
    uint64_t x = 0;
    if (n == 0 || n > 16)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return -1;
        x = x << 4 | (uint64_t)d;
    }
    *v = x;
    return 0;
}

/* Copy a line into a bounded buffer for messages. */
static const char *quote(const char *s, size_t n, char *buf, size_t size)
{
    if (n > size - 4)
        snprintf(buf, size, "%.*s...", (int)(size - 4), s);
    else
        snprintf(buf, size, "%.*s", (int)n, s);
    return buf;
}

/* ---- info registers --------------------------------------------------------- */

/* CPSR.M -> QEMU's mode name (aarch32_mode_name); NULL for reserved. */
static const char *mode_name(uint32_t m)
{
    switch (m & 0xf) {
    case 0x0: return "usr";
    case 0x1: return "fiq";
    case 0x2: return "irq";
    case 0x3: return "svc";
    case 0x6: return "mon";
    case 0x7: return "abt";
    case 0xa: return "hyp";
    case 0xb: return "und";
    case 0xf: return "sys";
    default: return NULL;
    }
}

static int is_cpu_header(const char *s, size_t n, int *num)
{
    if (n < 5 || memcmp(s, "CPU#", 4) != 0 || !isdigit((unsigned char)s[4]))
        return 0;
    *num = atoi(s + 4);
    return 1;
}

/* Parse "PSR=%08x %c%c%c%c %c %s%s%d" into out. */
static int parse_psr(const char *s, size_t n, hmp_regs *out, hvp_error *err)
{
    char line[160], tok[5][24], q[100];
    int nt = 0;
    snprintf(line, sizeof line, "%.*s", (int)n, s);
    for (char *save = NULL, *t = strtok_r(line, " \t", &save); t;
         t = strtok_r(NULL, " \t", &save)) {
        if (nt == 5 || strlen(t) >= sizeof tok[0])
            return hvp_fail(err, HVP_E_INPUT, "unexpected PSR line '%s'", quote(s, n, q, sizeof q));
        strcpy(tok[nt++], t);
    }
    uint64_t v;
    if (nt < 4 || strlen(tok[0]) != 12 || hex_n(tok[0] + 4, 8, &v))
        return hvp_fail(err, HVP_E_INPUT, "unexpected PSR line '%s'", quote(s, n, q, sizeof q));
    uint32_t psr = (uint32_t)v;
    static const char letters[] = "NZCV";
    if (strlen(tok[1]) != 4)
        return hvp_fail(err, HVP_E_INPUT, "PSR flags '%s' are not four NZCV letters", tok[1]);
    for (int i = 0; i < 4; i++) {
        int set = (psr >> (31 - i)) & 1;
        if (tok[1][i] != (set ? letters[i] : '-'))
            return hvp_fail(err, HVP_E_INPUT, "PSR flags '%s' contradict PSR=%08" PRIx32, tok[1], psr);
    }
    if (strcmp(tok[2], "A") && strcmp(tok[2], "T"))
        return hvp_fail(err, HVP_E_INPUT, "PSR line has '%s' where A or T belongs", tok[2]);
    if ((tok[2][0] == 'T') != ((psr >> 5) & 1))
        return hvp_fail(err, HVP_E_INPUT, "PSR state '%s' contradicts PSR=%08" PRIx32, tok[2], psr);
    int secure = -1, mi = 3;
    if (nt == 5) {
        if (!strcmp(tok[3], "S"))
            secure = 1;
        else if (!strcmp(tok[3], "NS"))
            secure = 0;
        else
            return hvp_fail(err, HVP_E_INPUT, "PSR line has '%s' where S or NS belongs", tok[3]);
        mi = 4;
    }
    const char *mn = mode_name(psr);
    char want[16];
    snprintf(want, sizeof want, "%s%d", mn ? mn : "???", (psr & 0x10) ? 32 : 26);
    if (strlen(tok[mi]) >= sizeof out->mode || strcmp(tok[mi], want)) /* reserved: QEMU prints "???" */
        return hvp_fail(err, HVP_E_INPUT, "PSR mode '%s' contradicts PSR=%08" PRIx32 " (%s)",
                        tok[mi], psr, want);
    out->psr = psr;
    strcpy(out->mode, tok[mi]);
    strcpy(out->flags, tok[1]);
    out->thumb = tok[2][0] == 'T';
    out->secure = secure;
    return HVP_OK;
}

/* Parse the register block starting at `p` (up to the next CPU# line). */
static int parse_block(const char *p, int cpu, hmp_regs *out, hvp_error *err)
{
    const char *ls;
    size_t ln;
    unsigned have = 0;
    int have_psr = 0, num;
    memset(out, 0, sizeof *out);
    out->cpu = cpu;
    while (next_line(&p, &ls, &ln)) {
        if (is_cpu_header(ls, ln, &num))
            break;
        if (ln >= 4 && memcmp(ls, "PSR=", 4) == 0) {
            if (have_psr)
                return hvp_fail(err, HVP_E_INPUT, "two PSR lines for one CPU");
            int r = parse_psr(ls, ln, out, err);
            if (r)
                return r;
            have_psr = 1;
            continue;
        }
        /* "R00=600000fa R01=10009000 ..." */
        for (size_t i = 0; i + 12 <= ln; ) {
            if (ls[i] == 'R' && isdigit((unsigned char)ls[i + 1]) &&
                isdigit((unsigned char)ls[i + 2]) && ls[i + 3] == '=' &&
                (i == 0 || ls[i - 1] == ' ')) {
                int idx = (ls[i + 1] - '0') * 10 + (ls[i + 2] - '0');
                uint64_t v;
                if (idx > 15 || hex_n(ls + i + 4, 8, &v) ||
                    (i + 12 < ln && ls[i + 12] != ' '))
                    return hvp_fail(err, HVP_E_INPUT, "bad register field '%.12s'", ls + i);
                if (have & (1u << idx))
                    return hvp_fail(err, HVP_E_INPUT, "R%02d appears twice for one CPU", idx);
                have |= 1u << idx;
                out->r[idx] = (uint32_t)v;
                i += 12;
            } else {
                i++;
            }
        }
    }
    if (have != 0xffff) {
        int missing = 0;
        while (have & (1u << missing))
            missing++;
        return hvp_fail(err, HVP_E_INPUT,
                        "not ARM32 'info registers' output: R%02d is missing", missing);
    }
    if (!have_psr)
        return hvp_fail(err, HVP_E_INPUT, "not ARM32 'info registers' output: no PSR line");
    return HVP_OK;
}

/* Find the block for `cpu` (-1 = the first block, or the whole text). */
static int find_block(const char *text, int cpu, const char **start, int *num,
                      hvp_error *err)
{
    const char *p = text, *ls;
    size_t ln;
    int n;
    if (strstr(text, "X00=") && strstr(text, "PC="))
        return hvp_fail(err, HVP_E_UNSUPPORTED,
                        "this is an AArch64 register dump; only AArch32 is supported");
    while (next_line(&p, &ls, &ln)) {
        if (is_cpu_header(ls, ln, &n) && (cpu < 0 || n == cpu)) {
            *start = p;
            *num = n;
            return HVP_OK;
        }
    }
    if (cpu < 0 && hmp_count_cpus(text) == 0) {
        *start = text;
        *num = -1;
        return HVP_OK;
    }
    return hvp_fail(err, HVP_E_INPUT, "register output has no CPU#%d", cpu);
}

int hmp_parse_registers_cpu(const char *text, int cpu, hmp_regs *out, hvp_error *err)
{
    const char *start = NULL;
    int num = -1, r;
    if (!text || !out)
        return hvp_fail(err, HVP_E_INVAL, "no register text to parse");
    if ((r = find_block(text, cpu, &start, &num, err)))
        return r;
    return parse_block(start, num, out, err);
}

int hmp_parse_registers(const char *text, hmp_regs *out, hvp_error *err)
{
    return hmp_parse_registers_cpu(text, -1, out, err);
}

size_t hmp_count_cpus(const char *text)
{
    const char *p = text ? text : "", *ls;
    size_t ln, count = 0;
    int n;
    while (next_line(&p, &ls, &ln))
        count += (size_t)is_cpu_header(ls, ln, &n);
    return count;
}

/* ---- x / xp ------------------------------------------------------------------- */

/* Handle a line that is not values: an error message from the monitor.
 * msg/mn is the text to report, at = its address if known. */
static int x_error(const char *msg, size_t mn, uint64_t at, char **error_text,
                   hvp_error *err)
{
    char q[120];
    while (mn && msg[mn - 1] == ' ')
        mn--;
    if (error_text && !(*error_text = strndup(msg, mn)))
        return hvp_fail(err, HVP_E_NOMEM, "out of memory");
    return hvp_fail(err, HVP_E_TARGET, "monitor could not read memory at 0x%" PRIx64 ": %s",
                    at, quote(msg, mn, q, sizeof q));
}

int hmp_parse_x(const char *text, uint64_t addr, uint8_t *buf, size_t cap,
                size_t *got, char **error_text, hvp_error *err)
{
    const char *p = text ? text : "", *ls;
    size_t ln, width = 0;
    char q[100];
    *got = 0;
    if (error_text)
        *error_text = NULL;
    while (next_line(&p, &ls, &ln)) {
        while (ln && isspace((unsigned char)ls[ln - 1]))
            ln--;
        if (ln == 0)
            continue;
        uint64_t expect = addr + *got;
        if (ln > 2 && ls[0] == '0' && ls[1] == 'x')
            return hvp_fail(err, HVP_E_INPUT, "'%s' is not x/xp hex output (/i or /c format?)",
                            quote(ls, ln, q, sizeof q));
        size_t h = 0;
        while (h < ln && isxdigit((unsigned char)ls[h]))
            h++;
        uint64_t la;
        if (h == 0 || h >= ln || ls[h] != ':' || hex_n(ls, h, &la))
            return x_error(ls, ln, expect, error_text, err);   /* e.g. "unknown command" */
        if (la != expect)
            return hvp_fail(err, HVP_E_INPUT,
                            "x output line at 0x%" PRIx64 " where 0x%" PRIx64 " was expected",
                            la, expect);
        const char *v = ls + h + 1, *e = ls + ln;
        while (v < e && *v == ' ')
            v++;
        if (v == e)
            return hvp_fail(err, HVP_E_INPUT, "x output line '%s' holds no values",
                            quote(ls, ln, q, sizeof q));
        if (!(e - v > 2 && v[0] == '0' && v[1] == 'x')) {
            if (isdigit((unsigned char)*v) || *v == '-' || *v == '\'')
                return hvp_fail(err, HVP_E_INPUT, "x output '%s' is not in hex (/x) format",
                                quote(ls, ln, q, sizeof q));
            return x_error(v, (size_t)(e - v), la, error_text, err);
        }
        while (v < e) {
            if (e - v < 3 || v[0] != '0' || v[1] != 'x')
                return hvp_fail(err, HVP_E_INPUT, "bad value in x output line '%s'",
                                quote(ls, ln, q, sizeof q));
            const char *d = v + 2, *de = d;
            while (de < e && *de != ' ')
                de++;
            size_t nd = (size_t)(de - d), w = nd / 2;
            uint64_t val;
            if ((nd != 2 && nd != 4 && nd != 8 && nd != 16) || hex_n(d, nd, &val))
                return hvp_fail(err, HVP_E_INPUT, "bad value '%.*s' in x output",
                                (int)(de - v) > 24 ? 24 : (int)(de - v), v);
            if (width && w != width)
                return hvp_fail(err, HVP_E_INPUT, "x output mixes %zu- and %zu-byte values",
                                width, w);
            width = w;
            if (cap - *got < w)
                return hvp_fail(err, HVP_E_INPUT, "x output holds more than the %zu bytes expected",
                                cap);
            for (size_t i = 0; i < w; i++)
                buf[(*got)++] = (uint8_t)(val >> (8 * i));
            v = de;
            while (v < e && *v == ' ')
                v++;
        }
    }
    return HVP_OK;
}
