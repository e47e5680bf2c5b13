/* dump_internal.h - the dump machinery, shared by hvp_dump() and the
 * capture's RAM images (capture_ram.c). */
#ifndef HVP_CORE_DUMP_INTERNAL_H
#define HVP_CORE_DUMP_INTERNAL_H

#include <stdint.h>
#include "target/target.h"

/* Fill the file `tmp` (created by the caller, e.g. with mkstemp; fd is
 * open on it and is closed here in every case) with the len bytes at
 * addr in `space`: QEMU writes them itself (pmemsave / memsave) when
 * use_qmp, else the gdbstub's reads are streamed into fd in 64 KiB
 * pieces (flat memory).  The size is checked; no fsync, no rename.
 * `name` names the file in messages.  The guest should be halted.
 * Errors: HVP_E_OUTPUT (the file could not be written: one sentence with
 * the OS reason, e.g. "No space left on device"), HVP_E_TARGET (the
 * range cannot be read; the message gives the first address), channel
 * errors. */
int hvp_dump_fill(hvp_target *t, uint64_t addr, uint64_t len, hvp_space space, int use_qmp,
                  int fd, const char *tmp, const char *name, hvp_error *err);

/* Flush a finished file to disk (fsync) and compute its sha256 (64 hex
 * digits).  HVP_E_OUTPUT when it cannot be read back or synced. */
int hvp_dump_sync_sha256(const char *path, const char *name, char sha256[65], hvp_error *err);

#endif
