/*
 * cpio.h - write a Linux initramfs archive (the "newc" cpio format the
 * kernel unpacks: ASCII headers "070701", 4-byte alignment, a
 * "TRAILER!!!" entry), and find a file in one.  Archives may be concatenated; the kernel unpacks
 * each in turn, later entries overriding earlier ones.
 *
 * Ownership: the writer does not own the FILE; hvp_cpio_end() writes the
 * trailer but does not close it.  Errors: HVP_E_IO with the path.
 */
#ifndef HVP_UTIL_CPIO_H
#define HVP_UTIL_CPIO_H

#include <stdio.h>
#include <stddef.h>
#include "hvprobe/error.h"

typedef struct hvp_cpio {
    FILE *f;
    unsigned long ino;
} hvp_cpio;

int hvp_cpio_dir(hvp_cpio *c, const char *name, hvp_error *err);
/* A regular file with `mode` (e.g. 0755) from memory. */
int hvp_cpio_data(hvp_cpio *c, const char *name, unsigned mode, const void *data, size_t len, hvp_error *err);
/* A regular file copied from `src` on disk (symlinks followed). */
int hvp_cpio_file(hvp_cpio *c, const char *name, unsigned mode, const char *src, hvp_error *err);
int hvp_cpio_end(hvp_cpio *c, hvp_error *err);

/* Find the file `name` in the newc archives anywhere inside buf (e.g. an
 * archive linked into a boot loader's ELF): *data points into buf.
 * 1 when found, 0 when not (no header named so is well-formed). */
int hvp_cpio_find(const unsigned char *buf, size_t n, const char *name, const unsigned char **data, size_t *len);

#endif
