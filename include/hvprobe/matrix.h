/*
 * hvprobe/matrix.h - the exception-routing matrix: every exception x
 * every vector placement x every backend (`hvprobe matrix`).
 *
 * A row is an exception and a placement ("svc.vbar"), a column a backend
 * configuration ("tcg-virt"); a cell runs that row's probe guest
 * (guests/probe: probe-EXC-PLACE-BOARD.elf) under that column, captures it
 * at the instruction that raises the exception (symbol probe_raise), lets
 * it go on, and records two answers side by side:
 *   the guest's own word   which of its handlers ran, in which mode, at
 *                          which vector address (or that its own Hyp
 *                          trapped, or that the hypervisor reported a
 *                          fault, or nothing at all);
 *   hvprobe's verdict      for that exception's vector, from the capture.
 * and whether they agree.  A disagreement is a bug in hvprobe's model (or
 * an exception the backend never delivered, which is said as such).
 *
 * Cells are files: one JSON document per cell (hvp_matrix_cell_save),
 * so a matrix can run in parallel, in several processes, on several
 * machines, and be resumed and merged.
 *
 * Ownership: cells are plain values; strings returned by the render
 * functions are the caller's to free().  Thread-safety: none needed
 * beyond distinct cells in distinct threads.
 */
#ifndef HVPROBE_MATRIX_H
#define HVPROBE_MATRIX_H

#include <stddef.h>
#include "hvprobe/analysis.h"
#include "hvprobe/error.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { HVP_MX_NEXC = 7, HVP_MX_NPLACE = 5, HVP_MX_NCOL = 5 };
/* Row indices, in the order of the names below. */
enum { HVP_MX_SVC, HVP_MX_UNDEF, HVP_MX_PABT, HVP_MX_DABT, HVP_MX_IRQ, HVP_MX_FIQ, HVP_MX_SERROR };
enum { HVP_MX_VBAR, HVP_MX_HIGH, HVP_MX_LOW, HVP_MX_MMU, HVP_MX_S2 };

/* Rows: exceptions "svc" "undef" "pabt" "dabt" "irq" "fiq" "serror";
 * placements "vbar" "high" "low" "mmu" "s2". */
const char *hvp_matrix_exc_name(int exc);
const char *hvp_matrix_place_name(int place);
const char *hvp_matrix_place_text(int place);   /* one line: what the placement is */
int hvp_matrix_exc_parse(const char *s);        /* index, -1 when unknown */
int hvp_matrix_place_parse(const char *s);
int hvp_matrix_exc_vector(int exc);             /* vector index (svc 2, serror 4 ...) */

/* An interrupt probe waits 2 s (guests/probe/probe.h, PROBE_WAIT_S) before
 * it says "not taken": its cell listens at least this long. */
#define HVP_MX_ASYNC_WAIT_S 3.0

/* Columns: how a backend runs the probes. */
typedef struct hvp_matrix_column {
    const char *name;       /* "tcg-vexpress", "tcg-virt", "fixture", "kvm-nested", "sel4" */
    const char *backend;    /* hvprobe backend */
    const char *machine;    /* QEMU machine */
    const char *board;      /* which probe build: "vexpress", "virt" */
    int hyp;                /* 1: probes that need Hyp mode (placement s2,
                               exception serror) get virtualization=on;
                               0: the guest starts at PL1, those cells are
                               n/a without running */
    double wait_s;          /* how long to listen after the raise for the guest's word
                               (interrupts and serror: at least HVP_MX_ASYNC_WAIT_S) */
    int start_timeout_s;    /* from launch to probe_raise */
} hvp_matrix_column;

const hvp_matrix_column *hvp_matrix_column_at(int i);  /* NULL past the end */
int hvp_matrix_column_parse(const char *s);             /* index, -1 when unknown */

/* What the guest said after the raise. */
typedef enum hvp_mx_outcome {
    HVP_MX_NONE,        /* no run (error, timeout, skipped) */
    HVP_MX_ENTERED,     /* one of its PL1 handlers ran */
    HVP_MX_TRAPPED,     /* its own Hyp took a trap (stage-2 fault) */
    HVP_MX_HYPERVISOR,  /* the backend's hypervisor reported a fault */
    HVP_MX_SILENT,      /* nothing: no handler of the probe ran */
    HVP_MX_NOT_TAKEN,   /* the exception never came (interrupt not delivered) */
    HVP_MX_NA           /* the probe cannot run here (it said why) */
} hvp_mx_outcome;
const char *hvp_matrix_outcome_name(hvp_mx_outcome o);

typedef enum hvp_mx_status {
    HVP_MX_DONE, HVP_MX_SKIPPED, HVP_MX_TIMEOUT, HVP_MX_ERROR
} hvp_mx_status;
const char *hvp_matrix_status_name(hvp_mx_status s);

typedef struct hvp_matrix_cell {
    int exc, place, col;
    hvp_mx_status status;
    char message[512];      /* SKIPPED / TIMEOUT / ERROR: why, one sentence */
    double seconds;         /* the cell's wall time */
    /* The guest's word. */
    hvp_mx_outcome outcome;
    char line[400];         /* the line that says it ("" when silent) */
    char guest_slot[8];     /* ENTERED: "svc", "dabt" ... */
    char guest_mode[8];     /* ENTERED: "svc32" ...; TRAPPED: "hyp32" */
    int have_guest_addr;
    uint64_t guest_addr;    /* ENTERED: base + offset of the slot that ran */
    /* hvprobe's verdict for the exception's vector, from the capture. */
    int have_verdict;
    hvp_verdict verdict;
    char taken_to[8];
    int have_fetch;
    uint64_t fetch;
    int masked;             /* HVP_YES / HVP_NO / HVP_UNKNOWN */
    char reason[320];
    /* Agreement: HVP_YES, HVP_NO, HVP_UNKNOWN (nothing to compare). */
    int agree;
    char why[400];          /* what agrees or differs, one sentence */
    char snapshot[256];     /* file names beside the cell's JSON, or "" */
    char serial[256];
} hvp_matrix_cell;

/* "svc.vbar@tcg-virt" <-> indices.  Parse: HVP_E_INVAL with a sentence. */
void hvp_matrix_cell_id(int exc, int place, int col, char *buf, size_t n);
int hvp_matrix_cell_id_parse(const char *id, int *exc, int *place, int *col, hvp_error *err);

/* The probe image's file name: "probe-svc-vbar-virt.elf". */
void hvp_matrix_probe_name(int exc, int place, int col, char *buf, size_t n);

/* Read the guest's serial output (the whole of it) into the cell's
 * guest fields.  `raised`: the capture at probe_raise happened. */
void hvp_matrix_read_serial(hvp_matrix_cell *c, const char *serial, int raised);

/* Fill the verdict fields from an analysis of the capture, then judge. */
void hvp_matrix_take_verdict(hvp_matrix_cell *c, const hvp_analysis *a);
void hvp_matrix_judge(hvp_matrix_cell *c);

/* One cell as a JSON document, and back.  Errors: HVP_E_NOMEM,
 * HVP_E_OUTPUT/HVP_E_IO (save), HVP_E_INPUT (not a matrix cell). */
char *hvp_matrix_cell_to_json(const hvp_matrix_cell *c, hvp_error *err);
int hvp_matrix_cell_save(const hvp_matrix_cell *c, const char *path, hvp_error *err);
int hvp_matrix_cell_load(const char *path, hvp_matrix_cell *c, hvp_error *err);

/* A whole matrix: the cells in row order; which rows and columns. */
typedef struct hvp_matrix {
    int exc_on[HVP_MX_NEXC], place_on[HVP_MX_NPLACE], col_on[HVP_MX_NCOL];
    char col_skip[HVP_MX_NCOL][400];    /* non-empty: the column was skipped, why */
    hvp_matrix_cell cells[HVP_MX_NEXC][HVP_MX_NPLACE][HVP_MX_NCOL];
    int have[HVP_MX_NEXC][HVP_MX_NPLACE][HVP_MX_NCOL];
    double wall_s;          /* the whole run, when known (0: merged) */
    int jobs;
} hvp_matrix;

typedef struct hvp_matrix_counts {
    int cells, done, agree, disagree, unknown, timeout, error, skipped, missing, diverging_rows;
} hvp_matrix_counts;
void hvp_matrix_count(const hvp_matrix *m, hvp_matrix_counts *out);

/* 1 when the row's backends (those that ran it) do not all say the same. */
int hvp_matrix_row_diverges(const hvp_matrix *m, int exc, int place);

/* The terminal table (width 0: no limit), the JSON document, the HTML page.
 * Caller frees; NULL with *err on failure. */
char *hvp_matrix_render_text(const hvp_matrix *m, int width, hvp_error *err);
char *hvp_matrix_render_json(const hvp_matrix *m, hvp_error *err);
char *hvp_matrix_render_html(const hvp_matrix *m, hvp_error *err);

/* ---- running one cell (session layer) ------------------------------ */

typedef struct hvp_matrix_cell_opts {
    int exc, place, col;
    const char *guests;     /* directory holding the probe images */
    const char *fixture_elf;/* the fixture column's hypervisor (hyp-fixture.elf) */
    const struct hvp_host *host;    /* a probed host (hvprobe/host.h) to plan
                                       against; NULL: each plan probes it */
    const char *sel4_images;/* the sel4 column: a directory of seL4 system images,
                               one per probe, probe-EXC-PLACE-virt.img (each built
                               with that probe as its guest), and the kernel's
                               kernel.elf; NULL: the column is skipped */
    const char *outdir;     /* where ID.snapshot.json and ID.serial.txt go;
                               NULL: the runtime directory (not kept) */
    double wait_s;          /* listening after the raise; 0: the column's */
    int start_timeout_s;    /* launch to probe_raise; 0: the column's */
    void (*progress)(void *ctx, const char *msg);   /* may be NULL */
    int (*cancelled)(void *ctx);                    /* may be NULL */
    void *ctx;
} hvp_matrix_cell_opts;

/* Run one cell: launch the probe under the column's backend halted,
 * break at probe_raise, capture, let the guest go, listen for its word,
 * judge.  *c is always filled: status DONE (HVP_OK), SKIPPED (HVP_OK: a
 * column that cannot run probes, c->message says why), TIMEOUT (the probe
 * never reached probe_raise: HVP_E_NOTRIGGER) or ERROR (the error code,
 * the sentence in *err and c->message).  HVP_E_CANCELLED when cancelled().
 * No QEMU is left running on any path. */
int hvp_matrix_run_cell(const hvp_matrix_cell_opts *o, hvp_matrix_cell *c, hvp_error *err);

/* How long the cell listens after the raise: o->wait_s, else the
 * column's, and at least HVP_MX_ASYNC_WAIT_S for interrupts and serror.
 * A cell takes at most the column's start_timeout_s plus this (plus
 * QEMU's stop). */
double hvp_matrix_cell_wait(const hvp_matrix_cell_opts *o);

/* Can this host run the column's cells?  1, or 0 with the reason in why
 * (the backend's own sentence: no KVM host prepared, no seL4 image ...).
 * Plans one probe (nothing runs). */
int hvp_matrix_column_usable(const hvp_matrix_cell_opts *o, char *why, size_t n);

#ifdef __cplusplus
}
#endif
#endif
