/*
 * outfile.h - write a finished document (snapshot, report) so that no
 * reader ever sees a partial file and a failure leaves nothing behind.
 */
#ifndef HVP_UTIL_OUTFILE_H
#define HVP_UTIL_OUTFILE_H

#include <stddef.h>
#include "hvprobe/error.h"

/* Write text[0..len) to `path`:
 *   "-"                       standard output;
 *   an existing device/FIFO   written into (rename cannot replace it);
 *   anything else             a temporary ".hvprobe-TAG.XXXXXX" next to the
 *                             file (a symbolic link is followed, the link
 *                             kept), fsync, mode 0644, rename.
 * On failure the temporary file is removed and `path` is untouched.
 * Errors: HVP_E_IO (with the OS reason), HVP_E_INVAL, HVP_E_NOMEM. */
int hvp_write_output(const char *path, const char *tag, const char *text, size_t len, hvp_error *err);

#endif
