/*
 * report_internal.h - what report.c (data gathering, writer), report_html.c,
 * report_md.c and report_svg.c (memory-map model and picture) share.
 */
#ifndef HVP_CORE_REPORT_INTERNAL_H
#define HVP_CORE_REPORT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include "hvprobe/report.h"
#include "hvprobe/analysis.h"
#include "util/buf.h"

/* A text sink that remembers running out of memory, so renderers can
 * write without checking every call. */
typedef struct rep_out {
    hvp_buf b;
    int oom;
} rep_out;

void hvp_report_printf(rep_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void hvp_report_puts(rep_out *o, const char *s);
/* HTML/XML text and attribute escaping (& < > " '); NULL prints nothing. */
void hvp_report_html(rep_out *o, const char *s);
/* Markdown escaping for text in a line or table cell (see report.c). */
void hvp_report_md(rep_out *o, const char *s);

/* The memory-map model drawn by report_svg.c and tabulated by report_md.c.
 * Addresses are inclusive ranges clipped to the 32-bit space; regions
 * above 4 GiB are only named in `above`. */
enum rep_kind { REP_RAM = 0, REP_ROM, REP_IO, REP_OTHER, REP_GAP, REP_NKIND };

typedef struct rep_block {
    uint64_t start, end;
    int kind;               /* enum rep_kind */
    int count;              /* regions merged into this block (1 = one) */
    int cluster;            /* a run of small I/O regions drawn as one */
    char name[96];          /* region name, or "N I/O regions" */
    char detail[320];       /* kind, alias target, members of a cluster */
} rep_block;

/* One region of the tree view that overlaps another at the same place. */
typedef struct rep_overlap {
    uint64_t start, end;
    char name[96];
    char kind[16];
    char alias[96];         /* alias target or "" */
    int prio;
    int wins;               /* 1 wins (the flat view shows it), 0 hidden,
                               -1 unknown (no flat view) */
    int group;              /* overlap group number (0, 1, ...) */
} rep_overlap;

enum rep_mark { REP_M_VECTORS = 0, REP_M_PC, REP_M_SEGMENT };

typedef struct rep_marker {
    int type;               /* enum rep_mark */
    uint64_t start, end;    /* a point when start == end */
    int guest;              /* a guest address (stage 2 on), not host PA */
    char label[192];
} rep_marker;

#define REP_MAX_MARKS 16

typedef struct rep_map {
    char as[64];            /* address space drawn, e.g. "memory" */
    int have_map;           /* the snapshot has a memory map */
    int from_flat;          /* blocks come from the flat view */
    int s2;                 /* stage 2 was on: the map is host physical */
    int a64;                /* an AArch64 snapshot (16-slot tables) */
    rep_block *blocks;      /* sorted, covering 0..0xffffffff with gaps */
    size_t nblocks;
    rep_overlap *ov;
    size_t nov;
    rep_marker mk[REP_MAX_MARKS];
    size_t nmk;
    char above[400];        /* regions above 4 GiB, ", "-joined, or "" */
} rep_map;

/* Build the model of s (a: its analysis).  HVP_OK or HVP_E_NOMEM;
 * free with hvp_report_map_free() (also after a failure). */
int hvp_report_map_build(const hvp_snapshot *s, const hvp_analysis *a, rep_map *m);
void hvp_report_map_free(rep_map *m);
const char *hvp_report_kind_name(int kind);        /* "RAM", "ROM/flash", ... */

/* Draw m as an inline <svg> element. */
void hvp_report_svg(rep_out *o, const rep_map *m, const char *label);

/* The diagnosis of hvp_compare(), as line arrays. */
typedef struct rep_lines {
    char **line;
    size_t n;
} rep_lines;

enum { REP_D_CHAIN = 0, REP_D_DIFFERS, REP_D_SAME, REP_D_CAUSE, REP_D_WARN, REP_D_FIX, REP_ND };

typedef struct rep_expect {
    char text[128];         /* "label:svc=valid" */
    int found, held;
    char got[24];
} rep_expect;

/* Everything a renderer needs. */
typedef struct rep_ctx {
    const hvp_report_opts *o;
    char title[256];
    size_t n;
    const hvp_snapshot *const *snaps;
    const char **labels;
    hvp_analysis *an;
    rep_map *maps;
    rep_lines diag[REP_ND];
    rep_expect *ex;
    size_t nex;
    size_t failed;
} rep_ctx;

extern const char *const hvp_report_diag_titles[REP_ND];
/* The title of section k for this report's snapshots (AArch64: the
 * evidence chain is the synchronous slot's, not SVC's). */
const char *hvp_report_diag_title(const rep_ctx *c, int k);
/* "PC 0x..., CPSR 0x..." (AArch32) / "PC ..., SP ..., PSTATE ... (EL1h)". */
const char *hvp_report_core(const hvp_snapshot *s, char *buf, size_t n);

/* Snapshot facts shared by both formats (write into buf, return it). */
const char *hvp_report_cpu_at_capture(const hvp_snapshot *s, char *buf, size_t n);
const char *hvp_report_backend(const hvp_snapshot *s, char *buf, size_t n);
const char *hvp_report_channels(const hvp_snapshot *s, char *buf, size_t n);   /* "qmp, gdb" */
const char *hvp_report_vector_base(const hvp_analysis *a, char *buf, size_t n);
const char *hvp_report_target(const hvp_vector_report *v, char *buf, size_t n);

void hvp_report_render_html(rep_out *o, const rep_ctx *c);
void hvp_report_render_md(rep_out *o, const rep_ctx *c);

#endif
