/*
 * hvprobe/capture.h - take a snapshot of a live QEMU through any
 * non-empty subset of its QMP, HMP and gdbstub channels.
 *
 * The capture halts the guest if it is running, reads everything (see
 * docs/snapshot.md), and resumes it unless keep_halted is set; it never
 * resumes a guest that was already stopped.  With the gdbstub as the only
 * channel the prior run state cannot be known (QEMU halts the guest when
 * gdb attaches): the guest is then resumed by detaching, as gdb does,
 * unless keep_halted is set, and a note says so.
 *
 * Ownership: *out is a new snapshot the caller frees with
 * hvp_snapshot_free().  On error *out is NULL and nothing was written.
 */
#ifndef HVPROBE_CAPTURE_H
#define HVPROBE_CAPTURE_H

#include "hvprobe/snapshot.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hvp_capture_opts {
    const char *qmp;        /* "unix:PATH" or "tcp:HOST:PORT", or NULL */
    const char *hmp;
    const char *gdb;
    const char *elf;        /* guest ELF image, or NULL */
    const char *label;      /* free text, e.g. "tcg-vexpress" */
    int keep_halted;        /* leave the guest halted afterwards */
    int timeout_ms;         /* per channel read; 0 = 5000 */
    /* Called with one-line notes worth telling a user (may be NULL). */
    void (*note)(void *ctx, const char *msg);
    void *note_ctx;
} hvp_capture_opts;

/* Errors: HVP_E_INVAL (no channel), HVP_E_IO/TIMEOUT/CLOSED/PROTO (a
 * channel failed; the message names it), HVP_E_INPUT (bad --elf). */
int hvp_capture(const hvp_capture_opts *o, hvp_snapshot **out, hvp_error *err);

/* The CP15 / system register names a capture asks the gdbstub for, in
 * both spellings QEMU uses (e.g. HVBAR and VBAR_EL2) and with the Secure
 * banks (_S).  NULL-terminated. */
extern const char *const hvp_capture_sysreg_names[];

#ifdef __cplusplus
}
#endif
#endif
