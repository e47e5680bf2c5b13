/* elf_scan.c - candidate vector tables in an ELF image (elf_scan.h). */
#include "elf/elf_scan.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A32 encodings (ARMv7-A ARM A8.8.18 B, A8.8.64 LDR literal):
 *   B<al> imm24:   cond=1110 101 0 imm24          -> 0xEA000000 mask 0xFF000000
 *   LDR PC, [PC, #+/-imm12]: 1110 0101 U001 1111 1111 imm12
 *                                                  -> 0xE51FF000 mask 0xFF7FF000 */
int hvp_is_vector_entry(uint32_t w, uint64_t addr, uint64_t lo, uint64_t hi)
{
    if ((w & 0xff000000u) == 0xea000000u) {
        int32_t off = (int32_t)(w << 8) >> 6; /* sign-extend imm24, times 4 */
        uint64_t t = (uint32_t)(addr + 8 + (int64_t)off);
        return t >= lo && t < hi;
    }
    if ((w & 0xff7ff000u) == 0xe51ff000u) {
        uint32_t imm = w & 0xfff;
        uint64_t lit = (w & 0x00800000u) ? addr + 8 + imm : addr + 8 - imm;
        return lit >= lo && lit < hi;
    }
    return 0;
}

/* Open `path` as an ELF file: *fd, *e (NULL on failure, with *fd
 * closed), its program header count.  HVP_E_INTERNAL, HVP_E_IO,
 * HVP_E_INPUT. */
static int elf_open(const char *path, int *fd, Elf **e, size_t *nph, hvp_error *err)
{
    *e = NULL;
    *nph = 0;
    if (elf_version(EV_CURRENT) == EV_NONE)
        return hvp_fail(err, HVP_E_INTERNAL, "libelf is unusable");
    if ((*fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return hvp_fail(err, HVP_E_IO, "cannot open image '%s': %s", path, strerror(errno));
    *e = elf_begin(*fd, ELF_C_READ, NULL);
    if (!*e || elf_kind(*e) != ELF_K_ELF || elf_getphdrnum(*e, nph) != 0) {
        if (*e)
            elf_end(*e);
        *e = NULL;
        close(*fd);
        return hvp_fail(err, HVP_E_INPUT, "'%s' is not a readable ELF image", path);
    }
    return HVP_OK;
}

/* AArch32: 8 vector entries at a 32-byte boundary (elf_scan.h). */
static int a32_table_at(const unsigned char *p, uint64_t a, uint64_t lo, uint64_t hi)
{
    for (int k = 0; k < 8; k++) {
        const unsigned char *q = p + 4 * k;
        uint32_t w = (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24;
        /* Slot 0x14 (reserved outside Hyp mode) is often a NOP in RTOS
         * tables (FreeRTOS Zynq/CA9 ports): NOP (0xe320f000) or MOV r0, r0
         * (0xe1a00000) is accepted there. */
        if (!hvp_is_vector_entry(w, a + 4 * (uint64_t)k, lo, hi) && !(k == 5 && (w == 0xe320f000u || w == 0xe1a00000u)))
            return 0;
    }
    return 1;
}

/* Every `align`-aligned run of `size` bytes in the executable segments'
 * file contents that is_table() accepts; targets must land inside the
 * image (the span of its loadable segments). */
static int find_tables(const char *path, uint64_t align, uint64_t size,
                       int (*is_table)(const unsigned char *p, uint64_t a, uint64_t lo, uint64_t hi),
                       uint64_t *out, size_t max, size_t *n, hvp_error *err)
{
    *n = 0;
    int fd;
    Elf *e;
    size_t nph;
    int rc = elf_open(path, &fd, &e, &nph, err);
    if (rc)
        return rc;
    size_t fsize = 0;
    char *raw = elf_rawfile(e, &fsize);
    uint64_t lo = UINT64_MAX, hi = 0;
    for (size_t i = 0; i < nph; i++) {
        GElf_Phdr ph;
        if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_LOAD && ph.p_memsz) {
            if (ph.p_vaddr < lo) lo = ph.p_vaddr;
            if (ph.p_vaddr + ph.p_memsz > hi) hi = ph.p_vaddr + ph.p_memsz;
        }
    }
    for (size_t i = 0; raw && i < nph && *n < max; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD || !(ph.p_flags & PF_X))
            continue;
        if (ph.p_offset > fsize || ph.p_filesz > fsize - ph.p_offset)
            continue; /* truncated file: scan nothing rather than past the end */
        const unsigned char *seg = (const unsigned char *)raw + ph.p_offset;
        /* Walk offsets into the segment, not addresses: p_vaddr + size
         * may wrap around 2^64 in an ELF64 file. */
        uint64_t skip = (align - (ph.p_vaddr & (align - 1))) & (align - 1);
        for (uint64_t o = skip; o + size <= ph.p_filesz && *n < max; o += align)
            if (is_table(seg + o, ph.p_vaddr + o, lo, hi))
                out[(*n)++] = ph.p_vaddr + o;
    }
    elf_end(e);
    close(fd);
    return rc;
}

int hvp_elf_find_vector_tables(const char *path, uint64_t *out, size_t max, size_t *n, hvp_error *err)
{
    return find_tables(path, 32, 32, a32_table_at, out, max, n, err);
}

/* An AArch64 table: 16 slots of 0x80 bytes at a 2 KiB boundary
 * (VBAR_ELn bits 10:0 are RES0), each slot non-zero at its start and
 * holding, within its 32 words, an unconditional B imm26
 * (0b000101 imm26) whose target lies in the image. */
static int a64_table_at(const unsigned char *p, uint64_t a, uint64_t lo, uint64_t hi)
{
    for (int slot = 0; slot < 16; slot++) {
        const unsigned char *q = p + 0x80 * slot;
        uint32_t first = (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24;
        if (first == 0 || first == 0xffffffffu)
            return 0;
        int found = 0;
        for (int k = 0; k < 32 && !found; k++) {
            const unsigned char *r = q + 4 * k;
            uint32_t w = (uint32_t)r[0] | (uint32_t)r[1] << 8 | (uint32_t)r[2] << 16 | (uint32_t)r[3] << 24;
            if ((w & 0xfc000000u) != 0x14000000u)
                continue;
            uint64_t t = a + 0x80u * (uint64_t)slot + 4u * (uint64_t)k + (uint64_t)((int64_t)((int32_t)(w << 6)) >> 4);
            found = t >= lo && t < hi;
        }
        if (!found)
            return 0;
    }
    return 1;
}

int hvp_elf_find_a64_vector_tables(const char *path, uint64_t *out, size_t max, size_t *n, hvp_error *err)
{
    return find_tables(path, 0x800, 0x800, a64_table_at, out, max, n, err);
}

int hvp_elf_bytes_at(const char *path, uint64_t paddr, uint8_t *buf, size_t len, size_t *got, hvp_error *err)
{
    *got = 0;
    int fd;
    Elf *e;
    size_t nph, fsize = 0;
    int rc = elf_open(path, &fd, &e, &nph, err);
    if (rc)
        return rc;
    char *raw = elf_rawfile(e, &fsize);
    if (!raw)
        rc = hvp_fail(err, HVP_E_INPUT, "'%s' is not a readable ELF image", path);
    for (size_t i = 0; raw && i < nph; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD || paddr < ph.p_paddr ||
            paddr - ph.p_paddr >= ph.p_filesz || ph.p_offset > fsize || ph.p_filesz > fsize - ph.p_offset)
            continue;
        uint64_t off = paddr - ph.p_paddr, n = ph.p_filesz - off;
        *got = n < len ? (size_t)n : len;
        memcpy(buf, raw + ph.p_offset + off, *got);
        break;
    }
    elf_end(e);
    close(fd);
    return rc;
}
