/* compare_internal.h - the diagnosis structure shared by compare.c (which
 * reasons) and compare_render.c (which formats). */
#ifndef HVP_CORE_COMPARE_INTERNAL_H
#define HVP_CORE_COMPARE_INTERNAL_H

#include "hvprobe/compare.h"
#include "util/buf.h"

#define DIAG_MAX 24
#define DIAG_LINE 480

typedef struct diag_lines {
    char line[DIAG_MAX][DIAG_LINE];
    int n;
} diag_lines;

typedef struct expect_result {
    hvp_expect ex;
    int found;              /* a snapshot has this label */
    hvp_verdict got;
    int held;
} expect_result;

typedef struct cmp_ctx {
    size_t n;
    const hvp_snapshot *const *snaps;
    const char **labels;    /* label or file name per snapshot */
    hvp_analysis *an;
    diag_lines differs, same, chain, warnings, cause, suggestions;
    expect_result *er;
    size_t nex;
    int brief;
} cmp_ctx;

void diag_add(diag_lines *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

int cmp_render_text(const cmp_ctx *c, hvp_buf *b, int markdown);
int cmp_render_json(const cmp_ctx *c, hvp_buf *b);

#endif
