/* elf_image.c - ELF guest images through libelf (see elf_image.h). */
#include "elf/elf_image.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int hvp_file_sha256(const char *path, char out[65], hvp_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return hvp_fail(err, HVP_E_IO, "cannot open '%s': %s", path, strerror(errno));
    /* nettle, not libcrypto: same digest, and a process that loads it
     * starts in a fraction of the time (no provider or config loading). */
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    unsigned char buf[65536];
    size_t r;
    while ((r = fread(buf, 1, sizeof buf, f)) > 0)
        sha256_update(&ctx, r, buf);
    int bad = ferror(f);
    fclose(f);
    unsigned char md[SHA256_DIGEST_SIZE];
    sha256_digest(&ctx, sizeof md, md);
    if (bad)
        return hvp_fail(err, HVP_E_IO, "cannot read '%s'", path);
    for (unsigned i = 0; i < sizeof md; i++)
        sprintf(out + 2 * i, "%02x", md[i]);
    out[64] = '\0';
    return HVP_OK;
}

static const char *machine_name(int m)
{
    switch (m) {
    case EM_ARM: return "ARM";
    case EM_AARCH64: return "AArch64";
    case EM_X86_64: return "x86-64";
    case EM_386: return "i386";
    case EM_RISCV: return "RISC-V";
    default: return NULL;
    }
}

/* ARM mapping symbols ($a, $d, $t and $x.N) mark code/data, not names. */
static int is_mapping_symbol(const char *n)
{
    return n[0] == '$' && strchr("adtx", n[1]) && (n[2] == '\0' || n[2] == '.');
}

static int read_symbols(Elf *e, hvp_image *img, hvp_error *err)
{
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(e, scn))) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB)
            continue;
        Elf_Data *d = elf_getdata(scn, NULL);
        if (!d || sh.sh_entsize == 0)
            return hvp_fail(err, HVP_E_INPUT, "'%s' has a damaged symbol table", img->path);
        size_t n = sh.sh_size / sh.sh_entsize;
        img->symbols = calloc(n ? n : 1, sizeof *img->symbols);
        if (!img->symbols)
            return hvp_fail(err, HVP_E_NOMEM, "out of memory");
        for (size_t i = 0; i < n; i++) {
            GElf_Sym sym;
            if (!gelf_getsym(d, (int)i, &sym))
                return hvp_fail(err, HVP_E_INPUT, "'%s' has a truncated symbol table", img->path);
            int t = GELF_ST_TYPE(sym.st_info);
            /* Absolute symbols (e.g. --defsym RAM_BASE=...) are numbers,
             * not places in the image. */
            if (sym.st_shndx == SHN_UNDEF || sym.st_shndx == SHN_ABS || t == STT_SECTION || t == STT_FILE)
                continue;
            const char *name = elf_strptr(e, sh.sh_link, sym.st_name);
            if (!name || !*name || is_mapping_symbol(name))
                continue;
            hvp_symbol *y = &img->symbols[img->nsymbols];
            if (!(y->name = strdup(name)))
                return hvp_fail(err, HVP_E_NOMEM, "out of memory");
            /* Thumb function addresses carry bit 0; the code starts at addr & ~1. */
            y->addr = t == STT_FUNC ? (sym.st_value & ~1ull) : sym.st_value;
            y->size = sym.st_size;
            y->type = t == STT_FUNC ? 'F' : t == STT_OBJECT ? 'O' : 'N';
            img->nsymbols++;
        }
        break;
    }
    return HVP_OK;
}

int hvp_elf_load(const char *path, int want, hvp_image **out, hvp_error *err)
{
    *out = NULL;
    if (elf_version(EV_CURRENT) == EV_NONE)
        return hvp_fail(err, HVP_E_INTERNAL, "libelf is unusable: %s", elf_errmsg(-1));
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return hvp_fail(err, HVP_E_INPUT, "cannot open image '%s': %s", path, strerror(errno));
    hvp_image *img = calloc(1, sizeof *img);
    Elf *e = NULL;
    int rc = HVP_OK;
    /* The absolute path: a snapshot is read later, from anywhere, and
     * analysis re-reads the image (its tables, a relocated kernel's). */
    if (img)
        img->path = realpath(path, NULL);
    if (img && !img->path)
        img->path = strdup(path);
    if (!img || !img->path) {
        rc = hvp_fail(err, HVP_E_NOMEM, "out of memory");
        goto out;
    }
    if ((rc = hvp_file_sha256(path, img->sha256, err)))
        goto out;
    e = elf_begin(fd, ELF_C_READ, NULL);
    if (!e || elf_kind(e) != ELF_K_ELF) {
        rc = hvp_fail(err, HVP_E_INPUT, "'%s' is not an ELF file (a raw binary has no symbols or load address)", path);
        goto out;
    }
    GElf_Ehdr eh;
    if (!gelf_getehdr(e, &eh)) {
        rc = hvp_fail(err, HVP_E_INPUT, "'%s' is a truncated or damaged ELF file: %s", path, elf_errmsg(-1));
        goto out;
    }
    img->elfclass = gelf_getclass(e) == ELFCLASS64 ? 64 : 32;
    const char *mn = machine_name(eh.e_machine);
    char mbuf[32];
    if (!mn) {
        snprintf(mbuf, sizeof mbuf, "machine %u", (unsigned)eh.e_machine);
        mn = mbuf;
    }
    img->machine = strdup(mn);
    int arm32 = eh.e_machine == EM_ARM && img->elfclass == 32;
    int a64 = eh.e_machine == EM_AARCH64 && img->elfclass == 64;
    if (want == HVP_ELF_ARM32 && a64) {
        rc = hvp_fail(err, HVP_E_ARCH, "'%s' is a 64-bit AArch64 ELF, not a 32-bit ARM image", path);
        goto out;
    }
    if (want && !arm32 && !a64) {
        rc = hvp_fail(err, HVP_E_INPUT, "'%s' is a %d-bit %s ELF, not an ARM image (32-bit ARM%s)", path,
                      img->elfclass, mn, want == HVP_ELF_ARM ? " or AArch64" : "");
        goto out;
    }
    img->entry = eh.e_entry;
    size_t fsize = 0;
    elf_rawfile(e, &fsize);
    if (eh.e_phoff + (uint64_t)eh.e_phnum * eh.e_phentsize > fsize) {
        rc = hvp_fail(err, HVP_E_INPUT, "'%s' is truncated: its program headers end past the end of the file", path);
        goto out;
    }
    size_t nph = 0;
    if (elf_getphdrnum(e, &nph) != 0) {
        rc = hvp_fail(err, HVP_E_INPUT, "'%s' has a damaged program header table", path);
        goto out;
    }
    img->segments = calloc(nph ? nph : 1, sizeof *img->segments);
    if (!img->segments) {
        rc = hvp_fail(err, HVP_E_NOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < nph; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(e, (int)i, &ph)) {
            rc = hvp_fail(err, HVP_E_INPUT, "'%s' has a truncated program header", path);
            goto out;
        }
        if (ph.p_type != PT_LOAD)
            continue;
        if (ph.p_offset + ph.p_filesz > fsize) {
            rc = hvp_fail(err, HVP_E_INPUT, "'%s' is truncated: a load segment ends at byte %llu of a %zu-byte file",
                          path, (unsigned long long)(ph.p_offset + ph.p_filesz), fsize);
            goto out;
        }
        hvp_segment *g = &img->segments[img->nsegments++];
        g->vaddr = ph.p_vaddr;
        g->paddr = ph.p_paddr;
        g->filesz = ph.p_filesz;
        g->memsz = ph.p_memsz;
        g->flags = ((ph.p_flags & PF_R) ? 4u : 0) | ((ph.p_flags & PF_W) ? 2u : 0) |
                   ((ph.p_flags & PF_X) ? 1u : 0);
    }
    rc = read_symbols(e, img, err);
out:
    if (e)
        elf_end(e);
    close(fd);
    if (rc) {
        hvp_image_free(img);
        return rc;
    }
    *out = img;
    return HVP_OK;
}

const hvp_symbol *hvp_image_symbol_at(const hvp_image *img, uint64_t addr, uint64_t *off)
{
    const hvp_symbol *best = NULL;
    for (size_t i = 0; img && i < img->nsymbols; i++) {
        const hvp_symbol *y = &img->symbols[i];
        if (y->addr > addr)
            continue;
        if (y->size && addr < y->addr + y->size) {
            if (!best || !best->size || y->addr > best->addr ||
                (y->addr == best->addr && y->type == 'F'))
                best = y;
        } else if (!y->size && addr - y->addr < 4096 && (!best || (!best->size && y->addr > best->addr))) {
            best = y;
        }
    }
    if (best && off)
        *off = addr - best->addr;
    return best;
}
