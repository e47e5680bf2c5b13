/*
 * matrix.c - the routing matrix's vocabulary (rows, columns, cell ids),
 * reading a probe's serial output, judging guest against verdict, and one
 * cell as a JSON file.  matrix_render.c draws whole matrices.
 */
#include "hvprobe/matrix.h"
#include "hvprobe/snapshot.h"
#include "util/outfile.h"

#include <jansson.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const exc_names[HVP_MX_NEXC] = { "svc", "undef", "pabt", "dabt", "irq", "fiq", "serror" };
static const int exc_vec[HVP_MX_NEXC] = { 2, 1, 3, 4, 6, 7, 4 };
static const char *const place_names[HVP_MX_NPLACE] = { "vbar", "high", "low", "mmu", "s2" };
static const char *const place_texts[HVP_MX_NPLACE] = {
    "VBAR set to the image's table",
    "SCTLR.V=1, the MMU maps a copy of the table at 0xffff0000",
    "VBAR left at 0, MMU off: whatever the board has at 0x0",
    "VBAR 0, MMU on with VA 0 unmapped",
    "VBAR 0, the probe's own Hyp maps nothing at IPA 0 (stage 2)",
};

/* Listening times: a probe's handler prints within a millisecond of the
 * exception under TCG (measured: the whole cell takes 0.4 s), so half a
 * second of silence means no handler ran; kvm-nested timers and consoles
 * run late. */
static const hvp_matrix_column columns[HVP_MX_NCOL] = {
    { "tcg-vexpress", "tcg", "vexpress-a9", "vexpress", 0, 0.5, 20 },
    { "tcg-virt", "tcg", "virt", "virt", 1, 0.5, 20 },
    { "fixture", "fixture", "virt", "virt", 0, 0.5, 20 },
    { "kvm-nested", "kvm-nested", "virt", "virt", 0, 4.0, 180 },
    { "sel4", "sel4", "virt", "virt", 0, 4.0, 120 },
};

const char *hvp_matrix_exc_name(int e) { return e >= 0 && e < HVP_MX_NEXC ? exc_names[e] : "?"; }
const char *hvp_matrix_place_name(int p) { return p >= 0 && p < HVP_MX_NPLACE ? place_names[p] : "?"; }
const char *hvp_matrix_place_text(int p) { return p >= 0 && p < HVP_MX_NPLACE ? place_texts[p] : "?"; }
int hvp_matrix_exc_vector(int e) { return e >= 0 && e < HVP_MX_NEXC ? exc_vec[e] : -1; }

static int find(const char *const *names, int n, const char *s)
{
    for (int i = 0; s && i < n; i++)
        if (!strcmp(names[i], s))
            return i;
    return -1;
}

int hvp_matrix_exc_parse(const char *s) { return find(exc_names, HVP_MX_NEXC, s); }
int hvp_matrix_place_parse(const char *s) { return find(place_names, HVP_MX_NPLACE, s); }

const hvp_matrix_column *hvp_matrix_column_at(int i)
{
    return i >= 0 && i < HVP_MX_NCOL ? &columns[i] : NULL;
}

int hvp_matrix_column_parse(const char *s)
{
    for (int i = 0; s && i < HVP_MX_NCOL; i++)
        if (!strcmp(columns[i].name, s))
            return i;
    return -1;
}

const char *hvp_matrix_outcome_name(hvp_mx_outcome o)
{
    static const char *const n[] = { "none", "entered", "trapped", "hypervisor", "silent", "not-taken", "n/a" };
    return (unsigned)o < sizeof n / sizeof *n ? n[o] : "?";
}

const char *hvp_matrix_status_name(hvp_mx_status s)
{
    static const char *const n[] = { "done", "skipped", "timeout", "error" };
    return (unsigned)s < sizeof n / sizeof *n ? n[s] : "?";
}

void hvp_matrix_cell_id(int exc, int place, int col, char *buf, size_t n)
{
    const hvp_matrix_column *c = hvp_matrix_column_at(col);
    snprintf(buf, n, "%s.%s@%s", hvp_matrix_exc_name(exc), hvp_matrix_place_name(place), c ? c->name : "?");
}

int hvp_matrix_cell_id_parse(const char *id, int *exc, int *place, int *col, hvp_error *err)
{
    char e[32], p[32], c[32];
    const char *dot = id ? strchr(id, '.') : NULL, *at = dot ? strchr(dot, '@') : NULL;
    if (!dot || !at || (size_t)(dot - id) >= sizeof e || (size_t)(at - dot - 1) >= sizeof p ||
        strlen(at + 1) >= sizeof c)
        return hvp_fail(err, HVP_E_INVAL, "'%s' is not a cell (EXCEPTION.PLACEMENT@BACKEND, e.g. svc.vbar@tcg-virt)",
                        id ? id : "");
    snprintf(e, sizeof e, "%.*s", (int)(dot - id), id);
    snprintf(p, sizeof p, "%.*s", (int)(at - dot - 1), dot + 1);
    snprintf(c, sizeof c, "%s", at + 1);
    *exc = hvp_matrix_exc_parse(e);
    *place = hvp_matrix_place_parse(p);
    *col = hvp_matrix_column_parse(c);
    if (*exc < 0)
        return hvp_fail(err, HVP_E_INVAL, "unknown exception '%s' in cell '%s' (svc, undef, pabt, dabt, irq, fiq, "
                        "serror)", e, id);
    if (*place < 0)
        return hvp_fail(err, HVP_E_INVAL, "unknown placement '%s' in cell '%s' (vbar, high, low, mmu, s2)", p, id);
    if (*col < 0)
        return hvp_fail(err, HVP_E_INVAL, "unknown backend '%s' in cell '%s' (tcg-vexpress, tcg-virt, fixture, "
                        "kvm-nested, sel4)", c, id);
    return HVP_OK;
}

void hvp_matrix_probe_name(int exc, int place, int col, char *buf, size_t n)
{
    const hvp_matrix_column *c = hvp_matrix_column_at(col);
    snprintf(buf, n, "probe-%s-%s-%s.elf", hvp_matrix_exc_name(exc), hvp_matrix_place_name(place),
             c ? c->board : "?");
}

/* ---- the guest's word ---------------------------------------------- */

/* Copy the line at p (up to its newline) into out, without terminal
 * escapes (the seL4 VMM colours its fault report: ESC [ 3 1 ; 1 m). */
static void take_line(const char *p, char *out, size_t n)
{
    size_t len = strcspn(p, "\r\n"), k = 0;
    for (size_t i = 0; i < len && k + 1 < n; i++) {
        if (p[i] == 0x1b && i + 1 < len && p[i + 1] == '[') {
            for (i += 2; i < len && !(p[i] >= 0x40 && p[i] <= 0x7e); i++)
                ;
            continue;
        }
        if ((unsigned char)p[i] >= 0x20)     /* bytes past ASCII: '?' (JSON strings must be UTF-8) */
            out[k++] = (unsigned char)p[i] < 0x7f ? p[i] : '?';
    }
    out[k] = '\0';
}

/* The first line of s that starts with `prefix`, or NULL. */
static const char *line_with(const char *s, const char *prefix)
{
    size_t k = strlen(prefix);
    for (const char *p = s; p && *p;) {
        if (!strncmp(p, prefix, k))
            return p;
        p = strchr(p, '\n');
        p = p ? p + 1 : NULL;
    }
    return NULL;
}

void hvp_matrix_read_serial(hvp_matrix_cell *c, const char *serial, int raised)
{
    const char *p;
    c->outcome = HVP_MX_NONE;
    c->line[0] = c->guest_slot[0] = c->guest_mode[0] = '\0';
    c->have_guest_addr = 0;
    if (!serial)
        serial = "";
    if ((p = line_with(serial, "probe: n/a: "))) {
        c->outcome = HVP_MX_NA;
        take_line(p + 12, c->line, sizeof c->line);
        return;
    }
    const char *after = line_with(serial, "probe: raise ");
    if (!after || !raised)
        return;
    after = strchr(after, '\n');
    after = after ? after + 1 : "";
    if ((p = line_with(after, "probe: took "))) {
        unsigned long long base = 0;
        unsigned off = 0;
        char slot[8] = "", mode[8] = "";
        take_line(p, c->line, sizeof c->line);
        if (sscanf(p, "probe: took %7s in %7s at 0x%llx+0x%x", slot, mode, &base, &off) == 4) {
            c->outcome = HVP_MX_ENTERED;
            snprintf(c->guest_slot, sizeof c->guest_slot, "%s", slot);
            snprintf(c->guest_mode, sizeof c->guest_mode, "%s", mode);
            c->have_guest_addr = 1;
            c->guest_addr = base + off;
        }
        return;
    }
    if ((p = line_with(after, "probe: trapped to "))) {
        c->outcome = HVP_MX_TRAPPED;
        take_line(p, c->line, sizeof c->line);
        sscanf(p, "probe: trapped to %7s", c->guest_mode);
        return;
    }
    if ((p = line_with(after, "probe: not taken: "))) {
        c->outcome = HVP_MX_NOT_TAKEN;
        take_line(p, c->line, sizeof c->line);
        return;
    }
    /* Anything else after the raise comes from the hypervisor (the
     * fixture's and the seL4 VMM's fault reports): its first line with
     * words in it. */
    for (p = after; *p;) {
        size_t len = strcspn(p, "\r\n");
        int words = 0;
        for (size_t i = 0; i < len; i++)
            words += (p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= 'a' && p[i] <= 'z');
        if (words >= 3) {
            c->outcome = HVP_MX_HYPERVISOR;
            take_line(p, c->line, sizeof c->line);
            return;
        }
        p += len;
        p += strspn(p, "\r\n");
    }
    c->outcome = HVP_MX_SILENT;
}

/* ---- judging --------------------------------------------------------- */

void hvp_matrix_take_verdict(hvp_matrix_cell *c, const hvp_analysis *a)
{
    const hvp_vector_report *v = &a->vec[hvp_matrix_exc_vector(c->exc)];
    c->have_verdict = 1;
    c->verdict = v->verdict;
    snprintf(c->taken_to, sizeof c->taken_to, "%s", v->taken_to);
    c->have_fetch = v->fetch_known;
    c->fetch = v->fetch;
    c->masked = (c->exc == HVP_MX_IRQ || c->exc == HVP_MX_FIQ) ? v->masked : HVP_NO;
    snprintf(c->reason, sizeof c->reason, "%s", v->reason);
    hvp_matrix_judge(c);
}

void hvp_matrix_judge(hvp_matrix_cell *c)
{
    c->agree = HVP_UNKNOWN;
    c->why[0] = '\0';
    if (c->status != HVP_MX_DONE || !c->have_verdict)
        return;
    const char *vn = hvp_verdict_name(c->verdict);
    int predicts_entry = c->verdict == HVP_V_VALID && c->masked != HVP_YES;
    switch (c->outcome) {
    case HVP_MX_ENTERED: {
        const char *want = hvp_matrix_exc_name(c->exc);
        if (c->exc == HVP_MX_SERROR)
            want = "dabt";  /* the asynchronous abort enters at the data-abort slot */
        if (!predicts_entry)
            snprintf(c->why, sizeof c->why, "the guest's %s handler ran, but hvprobe says %s%s", c->guest_slot, vn,
                     c->masked == HVP_YES ? " (masked)" : "");
        else if (strcmp(c->guest_slot, want))
            snprintf(c->why, sizeof c->why, "the guest took %s, not %s", c->guest_slot, want);
        else if (c->taken_to[0] && strcmp(c->taken_to, c->guest_mode))
            snprintf(c->why, sizeof c->why, "the guest's handler ran in %s, hvprobe's route says %s", c->guest_mode,
                     c->taken_to);
        else if (c->have_fetch && c->have_guest_addr && c->fetch != c->guest_addr)
            snprintf(c->why, sizeof c->why, "the guest's handler ran from 0x%" PRIx64 ", hvprobe's route fetches "
                     "0x%" PRIx64, c->guest_addr, c->fetch);
        else {
            c->agree = HVP_YES;
            snprintf(c->why, sizeof c->why, "both: %s at 0x%" PRIx64 ", valid", c->guest_mode, c->guest_addr);
            return;
        }
        c->agree = HVP_NO;
        return;
    }
    case HVP_MX_TRAPPED:
    case HVP_MX_HYPERVISOR:
    case HVP_MX_SILENT: {
        const char *said = c->outcome == HVP_MX_TRAPPED      ? "the probe's own Hyp took a trap"
                           : c->outcome == HVP_MX_HYPERVISOR ? "the hypervisor reported a fault"
                                                             : "no handler of the guest ran";
        c->agree = predicts_entry ? HVP_NO : HVP_YES;
        snprintf(c->why, sizeof c->why, "%s; hvprobe says %s%s", said, vn,
                 c->masked == HVP_YES ? " (masked)" : "");
        return;
    }
    case HVP_MX_NOT_TAKEN:
        if (c->masked == HVP_YES) {
            c->agree = HVP_YES;
            snprintf(c->why, sizeof c->why, "the interrupt stayed pending; hvprobe says it is masked");
        } else
            snprintf(c->why, sizeof c->why, "the backend never delivered the exception, so its route was not "
                     "tested (hvprobe says %s)", vn);
        return;
    default:
        return;
    }
}

/* ---- one cell as JSON ------------------------------------------------ */

char *hvp_matrix_cell_to_json(const hvp_matrix_cell *c, hvp_error *err)
{
    char id[96], a[24];
    hvp_matrix_cell_id(c->exc, c->place, c->col, id, sizeof id);
    json_t *o = json_object(), *g = json_object(), *h = json_object();
    if (!o || !g || !h) {
        json_decref(o);
        json_decref(g);
        json_decref(h);
        hvp_fail(err, HVP_E_NOMEM, "out of memory");
        return NULL;
    }
    json_object_set_new(o, "format", json_string("hvprobe-matrix-cell"));
    json_object_set_new(o, "version", json_integer(1));
    json_object_set_new(o, "id", json_string(id));
    json_object_set_new(o, "exception", json_string(hvp_matrix_exc_name(c->exc)));
    json_object_set_new(o, "placement", json_string(hvp_matrix_place_name(c->place)));
    json_object_set_new(o, "backend", json_string(hvp_matrix_column_at(c->col)->name));
    json_object_set_new(o, "status", json_string(hvp_matrix_status_name(c->status)));
    if (c->message[0])
        json_object_set_new(o, "message", json_string(c->message));
    json_object_set_new(o, "seconds", json_real(c->seconds));
    json_object_set_new(g, "outcome", json_string(hvp_matrix_outcome_name(c->outcome)));
    json_object_set_new(g, "line", json_string(c->line));
    if (c->guest_slot[0])
        json_object_set_new(g, "slot", json_string(c->guest_slot));
    if (c->guest_mode[0])
        json_object_set_new(g, "mode", json_string(c->guest_mode));
    if (c->have_guest_addr) {
        snprintf(a, sizeof a, "0x%" PRIx64, c->guest_addr);
        json_object_set_new(g, "address", json_string(a));
    }
    json_object_set_new(o, "guest", g);
    if (c->have_verdict) {
        json_object_set_new(h, "verdict", json_string(hvp_verdict_name(c->verdict)));
        json_object_set_new(h, "taken_to", json_string(c->taken_to));
        if (c->have_fetch) {
            snprintf(a, sizeof a, "0x%" PRIx64, c->fetch);
            json_object_set_new(h, "fetch", json_string(a));
        }
        json_object_set_new(h, "masked", c->masked == HVP_UNKNOWN ? json_null() : json_boolean(c->masked == HVP_YES));
        json_object_set_new(h, "reason", json_string(c->reason));
        json_object_set_new(o, "hvprobe", h);
    } else
        json_decref(h);
    json_object_set_new(o, "agree", c->agree == HVP_UNKNOWN ? json_null() : json_boolean(c->agree == HVP_YES));
    json_object_set_new(o, "why", json_string(c->why));
    if (c->snapshot[0])
        json_object_set_new(o, "snapshot", json_string(c->snapshot));
    if (c->serial[0])
        json_object_set_new(o, "serial", json_string(c->serial));
    char *t = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (!t)
        hvp_fail(err, HVP_E_NOMEM, "out of memory");
    return t;
}

int hvp_matrix_cell_save(const hvp_matrix_cell *c, const char *path, hvp_error *err)
{
    char *t = hvp_matrix_cell_to_json(c, err);
    if (!t)
        return HVP_E_NOMEM;
    size_t n = strlen(t);
    char *nl = realloc(t, n + 2);
    if (!nl) {
        free(t);
        return hvp_fail(err, HVP_E_NOMEM, "out of memory");
    }
    nl[n] = '\n';
    nl[n + 1] = '\0';
    int rc = hvp_write_output(path, "cell", nl, n + 1, err);
    free(nl);
    return rc;
}

static void get_str(json_t *o, const char *k, char *out, size_t n)
{
    const char *s = json_string_value(json_object_get(o, k));
    snprintf(out, n, "%s", s ? s : "");
}

static int get_addr(json_t *o, const char *k, uint64_t *v)
{
    const char *s = json_string_value(json_object_get(o, k));
    if (!s)
        return 0;
    *v = strtoull(s, NULL, 16);
    return 1;
}

static int tri(json_t *v)
{
    return json_is_boolean(v) ? (json_is_true(v) ? HVP_YES : HVP_NO) : HVP_UNKNOWN;
}

int hvp_matrix_cell_load(const char *path, hvp_matrix_cell *c, hvp_error *err)
{
    json_error_t je;
    memset(c, 0, sizeof *c);
    c->masked = c->agree = HVP_UNKNOWN;
    json_t *o = json_load_file(path, 0, &je);
    if (!o)
        return hvp_fail(err, HVP_E_INPUT, "cannot read matrix cell '%s': %s (line %d)", path, je.text, je.line);
    int rc = HVP_OK;
    const char *fmt = json_string_value(json_object_get(o, "format"));
    const char *id = json_string_value(json_object_get(o, "id"));
    if (!fmt || strcmp(fmt, "hvprobe-matrix-cell") || json_integer_value(json_object_get(o, "version")) != 1 || !id) {
        rc = hvp_fail(err, HVP_E_INPUT, "'%s' is not an hvprobe matrix cell (version 1)", path);
        goto out;
    }
    if ((rc = hvp_matrix_cell_id_parse(id, &c->exc, &c->place, &c->col, err))) {
        rc = hvp_wrap(err, HVP_E_INPUT, "'%s'", path);
        goto out;
    }
    char s[32];
    get_str(o, "status", s, sizeof s);
    c->status = !strcmp(s, "done") ? HVP_MX_DONE : !strcmp(s, "skipped") ? HVP_MX_SKIPPED
              : !strcmp(s, "timeout") ? HVP_MX_TIMEOUT : HVP_MX_ERROR;
    get_str(o, "message", c->message, sizeof c->message);
    c->seconds = json_number_value(json_object_get(o, "seconds"));
    json_t *g = json_object_get(o, "guest"), *h = json_object_get(o, "hvprobe");
    get_str(g, "outcome", s, sizeof s);
    for (int k = 0; k <= HVP_MX_NA; k++)
        if (!strcmp(s, hvp_matrix_outcome_name((hvp_mx_outcome)k)))
            c->outcome = (hvp_mx_outcome)k;
    get_str(g, "line", c->line, sizeof c->line);
    get_str(g, "slot", c->guest_slot, sizeof c->guest_slot);
    get_str(g, "mode", c->guest_mode, sizeof c->guest_mode);
    c->have_guest_addr = get_addr(g, "address", &c->guest_addr);
    if (json_is_object(h)) {
        get_str(h, "verdict", s, sizeof s);
        c->have_verdict = hvp_verdict_parse(s, &c->verdict) == HVP_OK;
        get_str(h, "taken_to", c->taken_to, sizeof c->taken_to);
        c->have_fetch = get_addr(h, "fetch", &c->fetch);
        c->masked = tri(json_object_get(h, "masked"));
        get_str(h, "reason", c->reason, sizeof c->reason);
    }
    c->agree = tri(json_object_get(o, "agree"));
    get_str(o, "why", c->why, sizeof c->why);
    get_str(o, "snapshot", c->snapshot, sizeof c->snapshot);
    get_str(o, "serial", c->serial, sizeof c->serial);
out:
    json_decref(o);
    return rc;
}
