/*
 * hvprobe/report.h - `hvprobe report`: one document a person can read in a
 * minute and paste into a paper.  For each snapshot, where and how it
 * was taken and a picture of the guest physical address space (regions
 * by kind, overlaps with the winner marked, the vector base, the PC and
 * the image's load segments); every vector table side by side with its
 * verdicts and reasons (hvp_analyse()); the diagnosis and hypothesis
 * checks of hvp_compare().
 *
 * HTML is self-contained (inline CSS and SVG, no scripts, no external
 * references); Markdown carries the same content as tables, without
 * the pictures.  Every string taken from a snapshot is escaped for the
 * output format.
 *
 * Ownership: hvp_report_render() returns the document in *out (caller
 * frees).  Nothing here prints or exits.  Thread-safe: no shared state
 * (snapshots are only read).
 */
#ifndef HVPROBE_REPORT_H
#define HVPROBE_REPORT_H

#include <stddef.h>
#include "hvprobe/compare.h"
#include "hvprobe/snapshot.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hvp_report_format { HVP_REPORT_HTML = 0, HVP_REPORT_MARKDOWN } hvp_report_format;

typedef struct hvp_report_opts {
    hvp_report_format format;
    const char *title;          /* NULL: "hvprobe report: N snapshots" */
    const hvp_expect *expect;   /* hypotheses, as for hvp_compare() */
    size_t nexpect;
} hvp_report_opts;

/* Render the report on snaps[0..n) (names[i]: shown when a snapshot has
 * no label, as in hvp_compare()).  *failed = expectations that did not
 * hold.  Errors: HVP_E_INVAL (no snapshot), HVP_E_NOMEM, HVP_E_INTERNAL
 * (capstone unusable). */
int hvp_report_render(const hvp_snapshot *const *snaps, const char *const *names, size_t n,
                      const hvp_report_opts *o, char **out, size_t *failed, hvp_error *err);

/* Write `text` to `path` atomically (temporary file in the same
 * directory, fsync, rename; on failure nothing is left behind and an
 * existing `path` is untouched; a symbolic link is kept and its target
 * replaced).  "-" writes to standard output; an existing non-regular
 * file (a device, a FIFO) is written into, without the atomicity.
 * Errors: HVP_E_IO, HVP_E_INVAL (path too long). */
int hvp_report_save(const char *path, const char *text, hvp_error *err);

/* The same for any finished text document (a comparison, a trace
 * summary): atomic replacement of a regular file, written into a device
 * or FIFO, "-" for standard output; an existing device is never removed
 * or replaced. */
int hvp_document_save(const char *path, const char *text, hvp_error *err);

#ifdef __cplusplus
}
#endif
#endif
