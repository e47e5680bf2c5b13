/*
 * elf_image.h - what an ELF guest image says about itself: path, sha256,
 * entry point, load segments and symbol table (via libelf).
 *
 * Ownership: hvp_elf_load() returns a new hvp_image (hvprobe/snapshot.h)
 * that the caller frees with hvp_image_free().
 */
#ifndef HVP_ELF_IMAGE_H
#define HVP_ELF_IMAGE_H

#include "hvprobe/snapshot.h"

/* What hvp_elf_load() accepts. */
enum { HVP_ELF_ANY = 0, HVP_ELF_ARM32 = 1, HVP_ELF_ARM = 2 /* ARM32 or AArch64 */ };

/* Load `path`.  Errors: HVP_E_INPUT (cannot open it, not an ELF file,
 * truncated, or not an ARM image when `want` asks for one; the message
 * says what it is instead), HVP_E_ARCH (an AArch64 image when `want` is
 * HVP_ELF_ARM32). */
int hvp_elf_load(const char *path, int want, hvp_image **out,
                 hvp_error *err);

/* sha256 of a whole file as 64 lowercase hex digits + NUL. */
int hvp_file_sha256(const char *path, char out[65], hvp_error *err);

/* Symbol containing addr (function or object, or nearest preceding one
 * within 4 KiB when sizes are 0); NULL if none.  *off gets addr - sym. */
const hvp_symbol *hvp_image_symbol_at(const hvp_image *img, uint64_t addr,
                                      uint64_t *off);

#endif
