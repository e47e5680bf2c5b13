/*
 * hvprobe/dump.h - save a range of guest memory to a file, fast and with
 * flat memory use: QEMU writes it itself through QMP (pmemsave/memsave)
 * when a QMP channel exists, else the gdbstub's `m` reads are streamed to
 * the file in packet-sized pieces.  The guest is halted while it is read
 * (and resumed only if it was running).  The file appears atomically: a
 * temporary file in the same directory, renamed when complete; on any
 * failure nothing is left behind.
 *
 * Ownership: options and result are caller-owned values; nothing to free.
 * Thread-safety: dumps of distinct QEMUs may run in parallel threads.
 */
#ifndef HVPROBE_DUMP_H
#define HVPROBE_DUMP_H

#include <stdint.h>
#include "hvprobe/snapshot.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hvp_dump_method { HVP_DUMP_AUTO = 0, HVP_DUMP_QMP, HVP_DUMP_RSP } hvp_dump_method;

typedef struct hvp_dump_opts {
    const char *qmp, *hmp, *gdb;    /* channel addresses (see capture.h) */
    uint64_t addr, len;
    hvp_space space;
    const char *path;               /* output file */
    hvp_dump_method method;
    int keep_running;               /* do not halt the guest while reading */
    int timeout_ms;                 /* per channel read; 0 = 5000 (QMP saves
                                       get len/1 MiB extra seconds) */
} hvp_dump_opts;

typedef struct hvp_dump_result {
    hvp_dump_method method;         /* what was used */
    uint64_t bytes;
    char sha256[65];
    int file_failed;                /* on HVP_E_IO: 1 when writing the file
                                       failed, 0 when a channel did */
} hvp_dump_result;

/* Errors: HVP_E_INVAL (no channel / zero length), HVP_E_TARGET (the
 * range cannot be read; the message gives the first address), channel
 * errors (HVP_E_TIMEOUT, ...), HVP_E_IO (a channel could not be opened, or
 * the file could not be written: r->file_failed says which). */
int hvp_dump(const hvp_dump_opts *o, hvp_dump_result *r, hvp_error *err);

#ifdef __cplusplus
}
#endif
#endif
