/*
 * fuzz/fuzz_targets.h - the fuzz entry points, one per parser, as plain
 * functions over a byte buffer.  Shared by the libFuzzer harnesses
 * (fuzz/fuzz_*.c, one LLVMFuzzerTestOneInput each) and by the regression
 * test (tests/unit/test_fuzz_regressions.c), so a crashing input replays
 * through exactly the same calls in the ordinary build.
 *
 * Every fz_*() returns the library status of its main call (HVP_OK or a
 * negative HVP_E_* code).  Besides "no crash, no leak, no UB" each target
 * checks properties the header documents (a round trip, a bound, an
 * invariant of the result); a violated property calls FZ_FAIL, which
 * aborts by default: libFuzzer reports it as a crash, and the cmocka test
 * may define FZ_FAIL before including this file to fail the test.
 *
 * Input conventions (so that the real fixtures are valid seeds as-is):
 *   rsp_codec      raw bytes from a gdbstub
 *   tdesc          documents "NAME\n<xml...>" separated by NUL bytes; the
 *                  first is the root; an include of a name no document
 *                  has fails like a stub answering E00
 *   qmp            raw bytes from a QMP socket
 *   hmp_clean      "CMDLINE\0RAW" (no NUL: all RAW, no cmdline)
 *   hmp_registers  `info registers` text
 *   hmp_x          x/xp output; the address is the first line's prefix
 *   hmp_mtree      `info mtree [-f]` text
 *   snapshot       a snapshot JSON document (schema v1 or the original
 *                  capture script's format)
 *   trace          a -d int / guest_errors / seL4 serial log
 *   elf            an ELF file
 * Options a parser takes (limits, chunk sizes, which CPU) are derived
 * from the input's length, so every input is replayable as a plain file.
 *
 * Everything is static inline: a harness only pulls in the library
 * objects its own target calls.
 */
#ifndef HVP_FUZZ_TARGETS_H
#define HVP_FUZZ_TARGETS_H

#include <ctype.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <jansson.h>

#include "hvprobe/analysis.h"
#include "hvprobe/compare.h"
#include "hvprobe/error.h"
#include "hvprobe/snapshot.h"
#include "core/trace.h"
#include "elf/elf_image.h"
#include "elf/elf_scan.h"
#include "transport/hmp.h"
#include "transport/hmp_parse.h"
#include "transport/qmp.h"
#include "transport/rsp_codec.h"
#include "transport/tdesc.h"
#include "util/buf.h"

#ifndef FZ_FAIL
#define FZ_FAIL(...)                                              \
    do {                                                          \
        fprintf(stderr, "fuzz property violated (%s:%d): ",       \
                __FILE__, __LINE__);                              \
        fprintf(stderr, __VA_ARGS__);                             \
        fputc('\n', stderr);                                      \
        abort();                                                  \
    } while (0)
#endif

#define FZ_CHECK(cond, ...)                                       \
    do {                                                          \
        if (!(cond))                                              \
            FZ_FAIL(__VA_ARGS__);                                 \
    } while (0)

/* 1 when rc is HVP_OK or one of the library's error codes. */
static inline int fz_sane_rc(int rc)
{
    return rc <= HVP_OK && rc >= HVP_E_INTERNAL;
}

/* A NUL-terminated copy (abort on OOM: inputs are small). */
static inline char *fz_strdup(const uint8_t *d, size_t n)
{
    char *s = malloc(n + 1);
    if (!s)
        abort();
    if (n)
        memcpy(s, d, n);
    s[n] = '\0';
    return s;
}

/* ---- RSP codec -------------------------------------------------------------
 * 1. Every byte through the decoder (with a small or the default payload
 *    limit): a completed packet's payload is within the limit and NUL-
 *    terminated.
 * 2. The input as a payload: rsp_encode, then decode: exactly one packet
 *    event (or notification), at the last byte, with the same payload.
 * 3. Hex: bytes_to_hex/hex_to_bytes round trip; rsp_decode_reg_le on
 *    prefixes agrees with a little-endian reading of the digits. */
static inline int fz_rsp_codec(const uint8_t *d, size_t n)
{
    rsp_decoder dec;
    size_t max = (n & 1) ? 1 + n % 64 : 0;
    rsp_decoder_init(&dec, max);
    size_t limit = max ? max : RSP_DEFAULT_MAX_PAYLOAD;
    for (size_t i = 0; i < n; i++) {
        int ev = rsp_decoder_feed(&dec, d[i]);
        FZ_CHECK(ev >= RSP_EV_NONE && ev <= RSP_EV_OVERSIZE, "bad event %d", ev);
        if (ev == RSP_EV_PACKET || ev == RSP_EV_NOTIFY) {
            size_t len = 0;
            const char *p = rsp_decoder_payload(&dec, &len);
            FZ_CHECK(len <= limit, "payload %zu over the limit %zu", len, limit);
            FZ_CHECK(p[len] == '\0', "payload not NUL-terminated");
            FZ_CHECK(!rsp_decoder_in_packet(&dec), "still in a packet after one completed");
        }
    }
    const char *head = NULL;
    size_t head_len = 0, junk = rsp_decoder_junk(&dec, &head, &head_len);
    FZ_CHECK(head_len <= junk && head_len < 32 && head[head_len] == '\0', "junk head");
    rsp_decoder_free(&dec);

    /* Encode/decode round trip. */
    int notify = (int)(n % 3 == 0);
    hvp_buf enc = { 0 };
    int rc = rsp_encode(&enc, d, n, notify);
    if (rc == HVP_OK) {
        rsp_decoder_init(&dec, 0);
        int last = RSP_EV_NONE, events = 0;
        for (size_t i = 0; i < enc.len; i++) {
            last = rsp_decoder_feed(&dec, (uint8_t)enc.data[i]);
            if (last != RSP_EV_NONE)
                events++;
        }
        if (n <= RSP_DEFAULT_MAX_PAYLOAD) {
            FZ_CHECK(events == 1 && last == (notify ? RSP_EV_NOTIFY : RSP_EV_PACKET),
                     "encoded packet decodes to %d events, last %d", events, last);
            size_t len = 0;
            const char *p = rsp_decoder_payload(&dec, &len);
            FZ_CHECK(len == n && (n == 0 || memcmp(p, d, n) == 0), "round trip changed the payload");
        }
        rsp_decoder_free(&dec);
    }
    hvp_buf_free(&enc);

    /* Hex round trip. */
    hvp_buf hex = { 0 };
    if (rsp_bytes_to_hex(&hex, d, n) == HVP_OK) {
        FZ_CHECK(hex.len == 2 * n, "hex length");
        uint8_t *back = malloc(n + 1);
        if (!back)
            abort();
        FZ_CHECK(rsp_hex_to_bytes(hex.data ? hex.data : "", hex.len, back, n) == HVP_OK,
                 "own hex does not decode");
        FZ_CHECK(n == 0 || memcmp(back, d, n) == 0, "hex round trip");
        free(back);
    }
    hvp_buf_free(&hex);

    /* Register decoding on the raw input, every even prefix up to 16. */
    for (size_t l = 0; l <= n && l <= 18; l++) {
        uint64_t v = 0;
        int r = rsp_decode_reg_le((const char *)d, l, &v);
        FZ_CHECK(r == HVP_OK || r == HVP_E_INPUT || r == HVP_E_UNSUPPORTED, "reg rc %d", r);
        if (r == HVP_OK) {
            FZ_CHECK(l && l % 2 == 0 && l <= 16, "accepted %zu digits", l);
            uint64_t ref = 0;
            for (size_t k = l / 2; k-- > 0;)
                ref = (ref << 8) | (uint64_t)(rsp_hex_digit(d[2 * k]) * 16 + rsp_hex_digit(d[2 * k + 1]));
            FZ_CHECK(ref == v, "register value 0x%" PRIx64 " != 0x%" PRIx64, v, ref);
        }
    }
    return rc;
}

/* ---- target description XML ---------------------------------------------- */

typedef struct fz_tdesc_docs {
    const uint8_t *d;
    size_t n;
    size_t fetches;
} fz_tdesc_docs;

/* Document i: [*name, *name+name_len) and [*xml, *xml+xml_len). */
static inline int fz_tdesc_doc(const fz_tdesc_docs *docs, size_t i, const uint8_t **name,
                               size_t *name_len, const uint8_t **xml, size_t *xml_len)
{
    const uint8_t *p = docs->d, *end = docs->d + docs->n;
    for (size_t k = 0; p <= end; k++) {
        const uint8_t *z = memchr(p, '\0', (size_t)(end - p));
        const uint8_t *de = z ? z : end;
        if (k == i) {
            const uint8_t *nl = memchr(p, '\n', (size_t)(de - p));
            *name = p;
            *name_len = nl ? (size_t)(nl - p) : (size_t)(de - p);
            *xml = nl ? nl + 1 : de;
            *xml_len = (size_t)(de - *xml);
            return 1;
        }
        if (!z)
            break;
        p = z + 1;
    }
    return 0;
}

static inline int fz_tdesc_fetch(void *ctx, const char *name, char **data, size_t *len,
                                 hvp_error *err)
{
    fz_tdesc_docs *docs = ctx;
    docs->fetches++;
    const uint8_t *nm, *xml;
    size_t nl, xl;
    for (size_t i = 0; fz_tdesc_doc(docs, i, &nm, &nl, &xml, &xl); i++) {
        if (nl == strlen(name) && memcmp(nm, name, nl) == 0) {
            *data = fz_strdup(xml, xl);
            *len = xl;
            return HVP_OK;
        }
    }
    return hvp_fail(err, HVP_E_TARGET, "stub has no '%s' (E00)", name);
}

/* tdesc_load from the first document; on success every register has a
 * name, a bitsize in 1..4096 and a non-negative regnum, tdesc_find(name)
 * returns a register of that name no later in order, tdesc_at is NULL
 * past the end.  A failed load reports a sane code and a message. */
static inline int fz_tdesc(const uint8_t *d, size_t n)
{
    fz_tdesc_docs docs = { d, n, 0 };
    const uint8_t *nm, *xml;
    size_t nl, xl;
    if (!fz_tdesc_doc(&docs, 0, &nm, &nl, &xml, &xl))
        return HVP_OK;
    char *root = fz_strdup(nm, nl);
    tdesc *t = NULL;
    hvp_error err = { 0 };
    int rc = tdesc_load(root, fz_tdesc_fetch, &docs, &t, &err);
    FZ_CHECK(fz_sane_rc(rc), "tdesc_load rc %d", rc);
    if (rc == HVP_OK) {
        FZ_CHECK(t != NULL, "no tdesc on success");
        size_t count = tdesc_count(t);
        for (size_t i = 0; i < count; i++) {
            const tdesc_reg *r = tdesc_at(t, i);
            FZ_CHECK(r && r->name && *r->name && r->type && r->group && r->feature, "reg %zu strings", i);
            FZ_CHECK(r->bitsize >= 1 && r->bitsize <= 4096 && r->regnum >= 0, "reg %zu numbers", i);
            const tdesc_reg *f = tdesc_find(t, r->name);
            FZ_CHECK(f && f <= r && strcmp(f->name, r->name) == 0, "tdesc_find(%s)", r->name);
        }
        FZ_CHECK(tdesc_at(t, count) == NULL, "tdesc_at past the end");
        FZ_CHECK(tdesc_arch(t) != NULL, "no arch string");
    } else {
        FZ_CHECK(t == NULL, "tdesc on failure");
        FZ_CHECK(err.code == rc && err.msg[0], "failure without a message");
    }
    tdesc_free(t);
    free(root);
    return rc;
}

/* ---- QMP framing -------------------------------------------------------------
 * The input is fed in chunks (size from the length) to a framer whose
 * line cap is small or the default; every line it returns is non-empty,
 * within the cap, and equal to the reference split of the input (lines
 * at '\n', one '\r' before it dropped, empty lines skipped, C-string
 * view); each line goes through qmp_parse_line. */
static inline int fz_qmp(const uint8_t *d, size_t n)
{
    size_t max_line = (n % 4 == 0) ? 0 : 1 + n % 200;
    size_t cap = max_line ? max_line : QMP_MAX_LINE_DEFAULT;
    size_t chunk = 1 + n % 13;
    qmp_framer f;
    qmp_framer_init(&f, max_line);
    hvp_error err = { 0 };
    const uint8_t *ref = d, *end = d + n;   /* reference splitter position */
    int rc = HVP_OK;
    for (size_t off = 0; off < n && rc == HVP_OK; off += chunk) {
        size_t k = n - off < chunk ? n - off : chunk;
        rc = qmp_framer_feed(&f, d + off, k, &err);
        FZ_CHECK(rc == HVP_OK || rc == HVP_E_PROTO, "feed rc %d", rc);
        for (;;) {
            char *line = NULL;
            int r = qmp_framer_next(&f, &line, &err);
            FZ_CHECK(r == 0 || r == 1 || r == HVP_E_PROTO, "next rc %d", r);
            if (r < 0)
                rc = r;
            if (r != 1)
                break;
            size_t len = strlen(line);
            FZ_CHECK(len <= cap, "line of %zu bytes over the cap %zu", len, cap);
            /* Reference: the next non-empty line. */
            const uint8_t *nl;
            size_t rl;
            for (;;) {
                nl = memchr(ref, '\n', (size_t)(end - ref));
                FZ_CHECK(nl != NULL, "framer returned a line the input does not end");
                rl = (size_t)(nl - ref);
                if (rl && ref[rl - 1] == '\r')
                    rl--;
                if (rl)
                    break;
                ref = nl + 1;
            }
            const uint8_t *z = memchr(ref, '\0', rl);
            size_t cl = z ? (size_t)(z - ref) : rl;
            FZ_CHECK(cl == len && memcmp(ref, line, len) == 0, "framer line differs from the input");
            ref = nl + 1;
            json_t *msg = NULL;
            int pr = qmp_parse_line(line, &msg, &err);
            FZ_CHECK(pr == HVP_OK || pr == HVP_E_PROTO, "parse rc %d", pr);
            FZ_CHECK((pr == HVP_OK) == (msg != NULL) && (!msg || json_is_object(msg)),
                     "parse result");
            json_decref(msg);
            free(line);
        }
    }
    qmp_framer_free(&f);
    return rc;
}

/* ---- HMP cleaning ------------------------------------------------------------
 * "CMDLINE\0RAW" or just RAW.  The result: no control bytes but '\n' and
 * '\t', empty or ending in '\n', no leading blank line, no trailing
 * prompt line. */
static inline int fz_hmp_clean(const uint8_t *d, size_t n)
{
    const uint8_t *z = memchr(d, '\0', n);
    char *cmd = z ? fz_strdup(d, (size_t)(z - d)) : NULL;
    const uint8_t *raw = z ? z + 1 : d;
    size_t rn = z ? n - (size_t)(z - d) - 1 : n;
    char *rawc = fz_strdup(raw, rn);    /* exact-size heap copy for ASan */
    char *out = hmp_clean(rawc, rn, cmd);
    FZ_CHECK(out != NULL, "hmp_clean returned NULL");
    size_t len = strlen(out);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)out[i];
        FZ_CHECK(c >= 0x20 ? c != 0x7f : (c == '\n' || c == '\t'),
                 "control byte 0x%02x in the output", c);
    }
    FZ_CHECK(len == 0 || out[len - 1] == '\n', "output does not end in a newline");
    if (len) {
        size_t first = strcspn(out, "\n");
        size_t k = 0;
        while (k < first && (out[k] == ' ' || out[k] == '\t'))
            k++;
        FZ_CHECK(k < first, "output starts with a blank line");
        size_t ls = len - 1;
        while (ls > 0 && out[ls - 1] != '\n')
            ls--;
        size_t ll = len - 1 - ls;
        while (ll && (out[ls + ll - 1] == ' ' || out[ls + ll - 1] == '\t'))
            ll--;
        FZ_CHECK(!(ll == 6 && memcmp(out + ls, "(qemu)", 6) == 0), "output ends with a prompt line");
    }
    free(out);
    /* The same without a command line must work too. */
    if (cmd) {
        out = hmp_clean(rawc, rn, NULL);
        FZ_CHECK(out != NULL, "hmp_clean(NULL cmdline) returned NULL");
        free(out);
    }
    free(rawc);
    free(cmd);
    return HVP_OK;
}

/* ---- info registers ----------------------------------------------------------
 * hmp_parse_registers and hmp_parse_registers_cpu (CPU from the length);
 * on success the mode name is one of the nine and NUL-terminated, the
 * flags are 4 characters of NZCV-or-'-', secure and thumb in range, and
 * the PSR's T bit agrees with thumb. */
static inline void fz_check_regs(const hmp_regs *r)
{
    /* QEMU prints aarch32_mode_name(psr) + (psr & 0x10 ? "32" : "26");
     * reserved mode numbers print "???" and the parser accepts any name
     * for them, so only defined modes are checked. */
    static const char *const modes[16] = { "usr", "fiq", "irq", "svc", NULL, NULL, "mon", "abt",
                                           NULL, NULL, "hyp", "und", NULL, NULL, NULL, "sys" };
    FZ_CHECK(memchr(r->mode, '\0', sizeof r->mode) && memchr(r->flags, '\0', sizeof r->flags),
             "unterminated mode/flags");
    const char *m = modes[r->psr & 0xf];
    if (m) {
        char want[8];
        snprintf(want, sizeof want, "%s%d", m, (r->psr & 0x10) ? 32 : 26);
        FZ_CHECK(strcmp(r->mode, want) == 0, "mode '%s' vs PSR 0x%08x", r->mode, r->psr);
    }
    FZ_CHECK(strlen(r->flags) == 4, "flags '%s'", r->flags);
    for (int i = 0; i < 4; i++)
        FZ_CHECK(r->flags[i] == ((r->psr >> (31 - i)) & 1 ? "NZCV"[i] : '-'),
                 "flags '%s' vs PSR 0x%08x", r->flags, r->psr);
    FZ_CHECK(r->secure >= -1 && r->secure <= 1 && (r->thumb == 0 || r->thumb == 1),
             "secure %d thumb %d", r->secure, r->thumb);
    FZ_CHECK(r->thumb == (int)((r->psr >> 5) & 1), "thumb %d vs PSR 0x%08x", r->thumb, r->psr);
}

static inline int fz_hmp_registers(const uint8_t *d, size_t n)
{
    char *text = fz_strdup(d, n);
    hmp_regs r;
    hvp_error err = { 0 };
    int rc = hmp_parse_registers(text, &r, &err);
    FZ_CHECK(rc == HVP_OK || rc == HVP_E_INPUT || rc == HVP_E_UNSUPPORTED, "rc %d", rc);
    if (rc == HVP_OK)
        fz_check_regs(&r);
    else
        FZ_CHECK(err.msg[0], "failure without a message");
    size_t cpus = hmp_count_cpus(text);
    int cpu = (int)(n % 4);
    int rc2 = hmp_parse_registers_cpu(text, cpu, &r, &err);
    FZ_CHECK(rc2 == HVP_OK || rc2 == HVP_E_INPUT || rc2 == HVP_E_UNSUPPORTED, "rc %d", rc2);
    if (rc2 == HVP_OK) {
        fz_check_regs(&r);
        FZ_CHECK(r.cpu == cpu && cpus > 0, "CPU#%d block parsed as %d (%zu CPUs)", cpu, r.cpu, cpus);
    }
    free(text);
    return rc;
}

/* ---- x / xp -------------------------------------------------------------------
 * Address: the hex prefix of the first line (so fixtures are seeds),
 * shifted by 4 for one length in five (mismatch path); capacity: 4096 or
 * a small length-derived one, in an exact-size heap buffer.  Result:
 * *got <= cap, error_text set exactly on HVP_E_TARGET. */
static inline int fz_hmp_x(const uint8_t *d, size_t n)
{
    char *text = fz_strdup(d, n);
    uint64_t addr = 0;
    const char *p = text;
    while (*p == '\n' || *p == '\r' || *p == ' ')
        p++;
    for (int i = 0; i < 16 && isxdigit((unsigned char)*p); i++, p++)
        addr = addr << 4 | (uint64_t)(isdigit((unsigned char)*p) ? *p - '0' : (tolower((unsigned char)*p) - 'a' + 10));
    if (n % 5 == 4)
        addr += 4;
    size_t cap = (n % 3 == 0) ? n % 40 : 4096;
    uint8_t *buf = malloc(cap ? cap : 1);
    if (!buf)
        abort();
    size_t got = 12345;
    char *etext = (char *)1;
    hvp_error err = { 0 };
    int rc = hmp_parse_x(text, addr, buf, cap, &got, &etext, &err);
    FZ_CHECK(rc == HVP_OK || rc == HVP_E_INPUT || rc == HVP_E_TARGET || rc == HVP_E_NOMEM,
             "rc %d", rc);
    FZ_CHECK(got <= cap, "got %zu > cap %zu", got, cap);
    FZ_CHECK((rc == HVP_E_TARGET) == (etext != NULL), "error_text %p with rc %d", (void *)etext, rc);
    free(etext);
    /* Without an error_text pointer. */
    int rc2 = hmp_parse_x(text, addr, buf, cap, &got, NULL, &err);
    FZ_CHECK(rc2 == rc, "rc %d without error_text, %d with", rc2, rc);
    free(buf);
    free(text);
    return rc;
}

/* ---- info mtree ----------------------------------------------------------------
 * On success every region has kind and name, flat regions have an
 * address space or section, and hmp_flat_lookup at each region's start
 * and end (in its own address spaces and "memory") returns a flat region
 * covering the address. */
static inline int fz_hmp_mtree(const uint8_t *d, size_t n)
{
    char *text = fz_strdup(d, n);
    hmp_region *r = NULL;
    size_t cnt = 0;
    hvp_error err = { 0 };
    int rc = hmp_parse_mtree(text, &r, &cnt, &err);
    FZ_CHECK(rc == HVP_OK || rc == HVP_E_INPUT || rc == HVP_E_NOMEM, "rc %d", rc);
    if (rc == HVP_OK) {
        for (size_t i = 0; i < cnt; i++) {
            FZ_CHECK(r[i].kind && r[i].name, "region %zu without kind/name", i);
            FZ_CHECK(!r[i].is_alias || r[i].alias_target, "alias %zu without a target", i);
            FZ_CHECK(r[i].depth >= 0, "depth %d", r[i].depth);
            uint64_t probe[2] = { r[i].start, r[i].end };
            const char *as[2] = { "memory", r[i].address_space ? r[i].address_space : "" };
            for (int a = 0; a < 2; a++)
                for (int k = 0; k < 2; k++) {
                    const hmp_region *f = hmp_flat_lookup(r, cnt, as[a], probe[k]);
                    FZ_CHECK(!f || (f->flat && f->start <= probe[k] && probe[k] <= f->end),
                             "flat lookup of 0x%" PRIx64 " returned a region not covering it", probe[k]);
                }
            (void)hmp_region_in_as(&r[i], "cpu-memory-0");
        }
    } else {
        FZ_CHECK(r == NULL || cnt == 0, "regions on failure");
    }
    hmp_regions_free(r, cnt);
    free(text);
    return rc;
}

/* ---- snapshots -----------------------------------------------------------------
 * hvp_snapshot_from_json; if it loads: hvp_analyse, hvp_compare of the
 * snapshot with itself in the format picked by the length (with an
 * expectation on it), and a serialise/reload round trip that must
 * succeed and serialise identically. */
static inline int fz_snapshot(const uint8_t *d, size_t n)
{
    hvp_snapshot *s = NULL;
    hvp_error err = { 0 };
    int rc = hvp_snapshot_from_json((const char *)d, n, &s, &err);
    FZ_CHECK(rc == HVP_OK || rc == HVP_E_INPUT || rc == HVP_E_NOMEM, "rc %d", rc);
    FZ_CHECK((rc == HVP_OK) == (s != NULL), "snapshot %p with rc %d", (void *)s, rc);
    if (rc != HVP_OK) {
        FZ_CHECK(err.msg[0], "failure without a message");
        return rc;
    }
    hvp_analysis a;
    int ar = hvp_analyse(s, &a, &err);
    FZ_CHECK(ar == HVP_OK, "hvp_analyse rc %d: %s", ar, err.msg);
    for (int v = 0; v < HVP_NVEC; v++) {
        FZ_CHECK(a.vec[v].verdict >= 0 && a.vec[v].verdict < HVP_V_COUNT, "verdict");
        FZ_CHECK(memchr(a.vec[v].reason, '\0', sizeof a.vec[v].reason), "reason unterminated");
    }
    FZ_CHECK(a.nnotes >= 0 && a.nnotes <= HVP_NNOTES, "nnotes %d", a.nnotes);

    const hvp_snapshot *snaps[2] = { s, s };
    const char *names[2] = { "a.json", "b.json" };
    hvp_expect ex = { .vec = (int)(n % HVP_NVEC), .verdict = (hvp_verdict)(n % HVP_V_COUNT) };
    snprintf(ex.label, sizeof ex.label, "%s", s->label ? s->label : "a.json");
    hvp_compare_opts o = { .format = (hvp_format)(n % 3), .brief = (int)(n / 3 % 2),
                           .expect = &ex, .nexpect = 1, .detail = (int)(n / 6 % 2),
                           .width = (int)(n / 12 % 3) * 40 };
    char *out = NULL;
    size_t failed = 0;
    int cr = hvp_compare(snaps, names, 1 + n % 2, &o, &out, &failed, &err);
    FZ_CHECK(cr == HVP_OK, "hvp_compare rc %d: %s", cr, err.msg);
    FZ_CHECK(out != NULL && failed <= 1, "compare output");
    if (o.format == HVP_FMT_JSON) {
        json_error_t je;
        json_t *j = json_loads(out, 0, &je);
        FZ_CHECK(j != NULL, "compare --format json is not JSON: %s", je.text);
        json_decref(j);
    }
    free(out);

    char *js = hvp_snapshot_to_json(s, &err);
    FZ_CHECK(js != NULL, "hvp_snapshot_to_json failed: %s", err.msg);
    hvp_snapshot *s2 = NULL;
    int rr = hvp_snapshot_from_json(js, strlen(js), &s2, &err);
    FZ_CHECK(rr == HVP_OK, "a loaded snapshot does not reload from its own JSON: %s", err.msg);
    char *js2 = hvp_snapshot_to_json(s2, &err);
    FZ_CHECK(js2 != NULL && strcmp(js, js2) == 0, "serialise/reload/serialise is not stable");
    free(js2);
    free(js);
    hvp_snapshot_free(s2);
    hvp_snapshot_free(s);
    return rc;
}

/* ---- exception traces ------------------------------------------------------------
 * Options and chunking from the length (short timeline, low loop
 * threshold, the minimum line buffer so long lines are cut); the input
 * fed in chunks, or line by line for odd lengths; then finish, summary
 * bounds, and both renderers (the JSON one must parse). */
static inline int fz_trace_stop_cb(const hvp_trace_event *e, void *arg)
{
    size_t *left = arg;
    FZ_CHECK(e->kind >= 0 && e->kind < HVP_TRACE_KIND_COUNT, "event kind %d", (int)e->kind);
    if (*left == 0)
        return 0;
    return --*left == 0 ? 7 : 0;
}

static inline int fz_trace(const uint8_t *d, size_t n)
{
    size_t stop_after = (n % 11 == 10) ? 1 + n % 5 : 0;
    hvp_trace_opts o = { .first_n = 1 + n % 7, .loop_threshold = n % 3,
                         .max_line = 128 + (n % 2) * 3968 };
    if (stop_after) {
        o.on_event = fz_trace_stop_cb;
        o.arg = &stop_after;
    }
    hvp_trace *t = NULL;
    hvp_error err = { 0 };
    int rc = hvp_trace_new(&o, &t, &err);
    FZ_CHECK(rc == HVP_OK && t, "hvp_trace_new rc %d", rc);
    if (n % 2) {
        const uint8_t *p = d, *end = d + n;
        while (p < end && rc == HVP_OK) {
            const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
            size_t len = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
            rc = hvp_trace_line(t, (const char *)p, len, &err);
            p += len;
        }
    } else {
        size_t chunk = 1 + n % 97;
        for (size_t off = 0; off < n && rc == HVP_OK; off += chunk)
            rc = hvp_trace_feed(t, d + off, n - off < chunk ? n - off : chunk, &err);
    }
    FZ_CHECK(rc == HVP_OK || rc == 7, "feed rc %d", rc);
    int fr = hvp_trace_finish(t, &err);
    FZ_CHECK(fr == HVP_OK || fr == 7, "finish rc %d", fr);
    const hvp_trace_summary *s = hvp_trace_summary_get(t);
    FZ_CHECK(s && s->timeline_len <= o.first_n && s->nloops <= HVP_TRACE_MAX_LOOPS,
             "summary bounds");
    FZ_CHECK(s->recognised <= s->lines && s->bytes <= n + 1, /* +1: hvp_trace_line counts an absent final newline */
             "counts: %" PRIu64 " recognised of %" PRIu64 " lines, %" PRIu64 " bytes of %zu",
             s->recognised, s->lines, s->bytes, n);
    for (size_t i = 0; i < s->nloops; i++)
        FZ_CHECK(s->loops[i].period >= 1 && s->loops[i].period <= HVP_TRACE_MAX_PERIOD,
                 "loop period %u", s->loops[i].period);
    hvp_buf out = { 0 };
    int r1 = hvp_trace_render_text(t, "fuzz.log", &out, &err);
    FZ_CHECK(r1 == HVP_OK, "render text rc %d", r1);
    hvp_buf_reset(&out);
    int r2 = hvp_trace_render_json(t, "fuzz.log", &out, &err);
    FZ_CHECK(r2 == HVP_OK, "render json rc %d", r2);
    json_error_t je;
    json_t *j = json_loadb(out.data ? out.data : "", out.len, 0, &je);
    FZ_CHECK(j != NULL, "trace JSON does not parse: %s", je.text);
    json_decref(j);
    hvp_buf_free(&out);
    hvp_trace_free(t);
    return rc == 7 ? HVP_OK : rc;
}

/* ---- ELF -------------------------------------------------------------------------
 * The input as a file (a memfd, reached through /proc/self/fd): load it
 * with and without the ARM32 requirement, symbol lookups at the entry and
 * every symbol, the vector-table scan, the sha256. */
static inline int fz_elf(const uint8_t *d, size_t n)
{
    static int fd = -1;
    static char path[64];
    if (fd < 0) {
        fd = memfd_create("fuzz-elf", MFD_CLOEXEC);
        if (fd < 0) {
            perror("memfd_create");
            abort();
        }
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    if (ftruncate(fd, 0) || (n && pwrite(fd, d, n, 0) != (ssize_t)n)) {
        perror("memfd write");
        abort();
    }
    hvp_error err = { 0 };
    int rc = HVP_OK;
    for (int arm = 0; arm < 2; arm++) {
        hvp_image *img = NULL;
        int r = hvp_elf_load(path, arm, &img, &err);
        FZ_CHECK(r == HVP_OK || r == HVP_E_INPUT || r == HVP_E_IO || r == HVP_E_NOMEM,
                 "hvp_elf_load rc %d", r);
        FZ_CHECK((r == HVP_OK) == (img != NULL), "image %p with rc %d", (void *)img, r);
        if (arm)
            rc = r;
        if (!img)
            continue;
        FZ_CHECK(img->nsegments == 0 || img->segments, "segments");
        FZ_CHECK(img->nsymbols == 0 || img->symbols, "symbols");
        uint64_t off;
        (void)hvp_image_symbol_at(img, img->entry, &off);
        for (size_t i = 0; i < img->nsymbols; i++) {
            FZ_CHECK(img->symbols[i].name, "symbol %zu has no name", i);
            const hvp_symbol *s = hvp_image_symbol_at(img, img->symbols[i].addr + 1, &off);
            FZ_CHECK(!s || s->addr + off == img->symbols[i].addr + 1, "symbol offset");
        }
        hvp_image_free(img);
    }
    uint64_t tables[8];
    size_t nt = 99;
    int r = hvp_elf_find_vector_tables(path, tables, 8, &nt, &err);
    FZ_CHECK(r == HVP_OK || r == HVP_E_INPUT || r == HVP_E_IO || r == HVP_E_NOMEM,
             "scan rc %d", r);
    if (r == HVP_OK) {
        FZ_CHECK(nt <= 8, "%zu tables", nt);
        for (size_t i = 0; i < nt; i++)
            FZ_CHECK(tables[i] % 32 == 0, "table at 0x%" PRIx64 " not 32-byte aligned", tables[i]);
    }
    char sha[65];
    FZ_CHECK(hvp_file_sha256(path, sha, &err) == HVP_OK && strlen(sha) == 64, "sha256");
    return rc;
}

#endif
