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
    int arch_mismatch;      /* it names an AArch64 slot for an AArch32
                               snapshot, or the other way round */
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
    int brief;              /* markdown: without each vector's reason */
    int detail;             /* text: with each vector's reason, the chain,
                               every difference and the notes */
    int width;              /* text: columns to fit, 0 = no limit */
} cmp_ctx;

void diag_add(diag_lines *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

int cmp_render_text(const cmp_ctx *c, hvp_buf *b);        /* compare_text.c */
int cmp_render_markdown(const cmp_ctx *c, hvp_buf *b);
void cmp_expect_line(hvp_buf *b, const expect_result *r, int markdown);

/* The comparison table: cmp_nrows() rows named cmp_row_name(r), one cell
 * per snapshot ("-" when empty). */
int cmp_nrows(const cmp_ctx *c);
const char *cmp_row_name(const cmp_ctx *c, int r);
const char *cmp_cell(const cmp_ctx *c, int r, size_t i, char *buf, size_t n);
int cmp_render_json(const cmp_ctx *c, hvp_buf *b);

#endif
