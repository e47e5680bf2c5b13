/*
 * import_orig.c - read the snapshot files of the original capture script
 * (the telnet monitor script hvprobe replaces):
 *
 *   {"timestamp": "...", "hypervisor": "Linux KVM", "system": "...",
 *    "data": {"exception_table": "<x/8wx 0x0 text>",
 *             "exception_instructions": "<x/8i 0x0 text>",
 *             "cpu_registers": "<info registers text>",
 *             "memory_layout": "<info mtree text>"}}
 *
 * The texts may have CRLF line ends, be truncated, or carry lines the
 * user typed in.  What can be derived is derived (words at 0x0, mode and
 * security state from the PSR line, regions from the mtree text), every
 * text is kept in `raw`, and the snapshot is marked imported: analysis
 * treats its conclusions as reduced evidence.
 */
#include "core/import_orig.h"
#include "core/capture_internal.h"
#include "transport/hmp_parse.h"

#include <stdlib.h>
#include <string.h>

/* Copy of `t` with CR removed and only the lines `keep` accepts. */
static char *filter_lines(const char *t, int (*keep)(const char *line, size_t n))
{
    size_t len = strlen(t);
    char *out = malloc(len + 2), *o = out;
    if (!out)
        return NULL;
    const char *p = t;
    while (*p) {
        size_t n = strcspn(p, "\n");
        size_t m = n;
        while (m && p[m - 1] == '\r')
            m--;
        if (!keep || keep(p, m)) {
            memcpy(o, p, m);
            o += m;
            *o++ = '\n';
        }
        p += n;
        if (*p)
            p++;
    }
    *o = '\0';
    return out;
}

/* "00000000: 0x... " or "00000000: Cannot access memory". */
static int is_x_line(const char *l, size_t n)
{
    size_t i = 0;
    while (i < n && strchr("0123456789abcdefABCDEF", l[i]))
        i++;
    return i > 0 && i < n && l[i] == ':';
}

static const char *data_text(json_t *data, const char *key)
{
    json_t *v = json_object_get(data, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

int hvp_import_original(json_t *root, hvp_snapshot **out, hvp_error *err)
{
    *out = NULL;
    json_t *data = json_object_get(root, "data");
    if (!json_is_object(data))
        return hvp_fail(err, HVP_E_INPUT, "original-format snapshot has no 'data' object");
    hvp_snapshot *s = hvp_snapshot_new();
    if (!s)
        return hvp_fail(err, HVP_E_NOMEM, "out of memory");
    json_t *hv = json_object_get(root, "hypervisor"), *ts = json_object_get(root, "timestamp");
    s->label = strdup(json_is_string(hv) ? json_string_value(hv) : "original");
    s->captured_at = strdup(json_is_string(ts) ? json_string_value(ts) : "unknown");
    s->imported_from = strdup("the original capture script's JSON (monitor text over telnet)");
    s->channels = HVP_CH_HMP;
    static const struct { const char *key, *cmd; } texts[] = {
        { "exception_table", "x/8wx 0x0" }, { "exception_instructions", "x/8i 0x0" },
        { "cpu_registers", "info registers" }, { "memory_layout", "info mtree" },
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        const char *t = data_text(data, texts[i].key);
        if (t)
            hvp_snapshot_add_raw(s, "hmp", texts[i].cmd, t);
        else {
            char why[96];
            snprintf(why, sizeof why, "the original file has no data.%s", texts[i].key);
            hvp_snapshot_add_unknown(s, texts[i].cmd, why);
        }
    }
    hvp_snapshot_add_unknown(s, "cp15", "the original script read no CP15 registers (no gdbstub)");

    const char *tab = data_text(data, "exception_table");
    char *xs = tab ? filter_lines(tab, is_x_line) : NULL;
    if (xs && *xs) {
        uint8_t buf[64];
        size_t got = 0;
        char *etext = NULL;
        int rc = hmp_parse_x(xs, 0, buf, sizeof buf, &got, &etext, NULL);
        if (rc == HVP_OK || (rc == HVP_E_TARGET && etext))
            hvp_snapshot_add_mem(s, 0, HVP_SPACE_VIRTUAL, got && !etext ? got : 32, buf, got, etext,
                                 "low-vectors", "hmp");
        else
            hvp_snapshot_add_unknown(s, "memory", "data.exception_table is not readable x/8wx output");
        free(etext);
    }
    free(xs);

    const char *regs = data_text(data, "cpu_registers");
    char *rs = regs ? filter_lines(regs, NULL) : NULL;
    hmp_regs hr;
    if (rs && hmp_parse_registers(rs, &hr, NULL) == HVP_OK) {
        memcpy(s->cpu.r, hr.r, sizeof s->cpu.r);
        s->cpu.cpsr = hr.psr;
        s->cpu.have_core = 1;
        s->cpu.source = strdup("info registers (imported)");
        if (hr.secure >= 0) {
            s->cpu.secure = hr.secure ? HVP_YES : HVP_NO;
            s->cpu.secure_source = strdup("info registers PSR line (imported)");
        }
    } else {
        hvp_snapshot_add_unknown(s, "cpu.registers", "data.cpu_registers is missing or not info registers output");
    }
    free(rs);

    const char *mt = data_text(data, "memory_layout");
    char *ms = mt ? filter_lines(mt, NULL) : NULL;
    if (ms && hvp_snapshot_add_mtree(s, ms, NULL) != HVP_OK)
        hvp_snapshot_add_unknown(s, "memory_map", "data.memory_layout could not be parsed as info mtree output");
    free(ms);
    *out = s;
    return HVP_OK;
}
