/*
 * elf_scan.h - find candidate ARM vector tables inside an ELF image:
 * 8 consecutive words at a 32-byte aligned address (VBAR ignores bits
 * 4:0) that are each an unconditional `B` into the image or an
 * `LDR PC, [PC, #imm]` whose literal lies in the image (the reserved
 * slot 0x14 may also be a NOP, as in FreeRTOS's tables).
 */
#ifndef HVP_ELF_SCAN_H
#define HVP_ELF_SCAN_H

#include <stddef.h>
#include <stdint.h>
#include "hvprobe/error.h"

/* Scan the loadable segments of `path`; store up to max table addresses
 * in out[], return the count in *n.  Errors: HVP_E_IO, HVP_E_INPUT. */
int hvp_elf_find_vector_tables(const char *path, uint64_t *out, size_t max,
                               size_t *n, hvp_error *err);

/* The same for AArch64 tables: 2 KiB-aligned, 16 slots of 0x80 bytes,
 * each starting with a non-zero word and holding an unconditional B
 * into the image (a handler, or `b .` for a stub). */
int hvp_elf_find_a64_vector_tables(const char *path, uint64_t *out, size_t max, size_t *n, hvp_error *err);

/* Is `w` (fetched at addr) one of the two vector-entry forms above, with
 * its target inside [lo, hi)?  Pure; exposed for tests. */
int hvp_is_vector_entry(uint32_t w, uint64_t addr, uint64_t lo, uint64_t hi);

/* The file bytes that load at physical address `paddr` (inside one
 * PT_LOAD segment's file part): up to len bytes into buf, *got how many.
 * *got = 0 when no segment's file part holds paddr.  Errors: HVP_E_IO,
 * HVP_E_INPUT. */
int hvp_elf_bytes_at(const char *path, uint64_t paddr, uint8_t *buf, size_t len, size_t *got, hvp_error *err);

#endif
