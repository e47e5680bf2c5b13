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
 * Thread-safety: captures of distinct QEMUs may run in parallel threads;
 * a QEMU's gdbstub serves one client at a time.
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

    /* RAM images (see docs/snapshot.md, "ram_images").  With save_ram set,
     * every RAM block of the guest's memory map (kind "ram", each backing
     * block once, aliases recorded) is saved while the guest is halted,
     * in the same halt as the registers, to a file beside ram_path named
     * STEM.ram-0xADDR.bin (STEM: ram_path's file name without ".json").
     * The files stay temporary until hvp_snapshot_save(s, ram_path) commits
     * them together with the snapshot; hvp_snapshot_free() of an unsaved
     * snapshot removes them. */
    int save_ram;
    const char *ram_path;   /* the snapshot path the files go beside */
    /* NULL = every RAM block; else a comma-separated list of block or
     * alias names ("vexpress.highmem"), base addresses ("0x60000000") or
     * explicit physical ranges ("0x60000000+16M", the only form that
     * works without a memory map, i.e. without --qmp/--hmp). */
    const char *ram_select;
    uint64_t ram_limit;     /* refuse when the total is larger; 0 = no limit */
    int ram_method;         /* hvp_dump_method: 0 auto (QMP pmemsave when
                               there is a QMP channel, else gdbstub reads),
                               1 QMP, 2 gdbstub */
} hvp_capture_opts;

/* Errors: HVP_E_INVAL (no channel; bad RAM options; a RAM selection
 * that matches nothing: the message lists the RAM blocks; RAM larger than
 * ram_limit: nothing written, the guest resumed), HVP_E_IO/TIMEOUT/
 * CLOSED/PROTO (a channel failed; the message names it), HVP_E_OUTPUT (a
 * RAM image could not be written, e.g. a full disk: nothing left),
 * HVP_E_INPUT (bad --elf). */
int hvp_capture(const hvp_capture_opts *o, hvp_snapshot **out, hvp_error *err);

/* The CP15 / system register names a capture asks the gdbstub for, in
 * both spellings QEMU uses (e.g. HVBAR and VBAR_EL2) and with the Secure
 * banks (_S).  NULL-terminated. */
extern const char *const hvp_capture_sysreg_names[];

#ifdef __cplusplus
}
#endif
#endif
