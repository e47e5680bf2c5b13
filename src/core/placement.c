/* placement.c - the image against guest memory (placement.h). */
#include "core/placement.h"
#include "elf/elf_image.h"
#include "elf/elf_scan.h"

#include <stdio.h>
#include <string.h>

/* The recorded physical read at addr, when it holds len bytes. */
static const hvp_memread *read_at(const hvp_snapshot *s, uint64_t addr, size_t len)
{
    const hvp_memread *m = hvp_snapshot_mem(s, addr, HVP_SPACE_PHYSICAL);
    return m && !m->error && m->got >= len ? m : NULL;
}

static int all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

int hvp_image_placement(const hvp_snapshot *s, hvp_placement *p)
{
    memset(p, 0, sizeof *p);
    const hvp_image *im = s->image;
    char sha[65];
    if (!im || !im->path || hvp_file_sha256(im->path, sha, NULL) || strcmp(sha, im->sha256))
        return 0;
    char shifted_list[160] = "", zeroed_list[160] = "";
    uint64_t first_shifted = 0, pc = s->arch == HVP_ARCH_AARCH64 ? s->cpu.pc : s->cpu.r[15];
    int pc_inside = 0, pc_in_bad = 0;  /* the PC is in a segment / one whose bytes are not the image's */
    for (size_t i = 0; i < im->nsegments; i++) {
        const hvp_segment *g = &im->segments[i];
        int has_pc = s->cpu.have_core && pc >= g->vaddr && pc < g->vaddr + g->memsz;
        pc_inside |= has_pc;
        uint8_t want[32];
        size_t n = 0;
        if (g->filesz < 4 || hvp_elf_bytes_at(im->path, g->paddr, want, sizeof want, &n, NULL) || n < 4)
            continue;
        const hvp_memread *here = read_at(s, g->paddr, n), *above = read_at(s, g->paddr + HVP_ZIMAGE_SHIFT, n);
        if (!here)
            continue;
        p->checked++;
        if (!memcmp(here->bytes, want, n)) {
            p->intact++;
            continue;
        }
        pc_in_bad |= has_pc;
        char one[24];
        snprintf(one, sizeof one, "0x%llx", (unsigned long long)g->paddr);
        if (above && !memcmp(above->bytes, want, n)) {
            if (!p->shifted++)
                first_shifted = g->paddr;
            p->shift = HVP_ZIMAGE_SHIFT;
            size_t l = strlen(shifted_list);
            snprintf(shifted_list + l, sizeof shifted_list - l, "%s%s", l ? ", " : "", one);
        } else if (all_zero(here->bytes, n)) {
            p->zeroed++;
            size_t l = strlen(zeroed_list);
            snprintf(zeroed_list + l, sizeof zeroed_list - l, "%s%s", l ? ", " : "", one);
        } else {
            p->other++;
        }
    }
    p->pc_outside = s->cpu.have_core && p->checked && !pc_inside;
    if (!p->checked || p->intact == p->checked)
        return 0;
    char pcs[120] = "";
    if (p->pc_outside)
        snprintf(pcs, sizeof pcs, "; the PC, 0x%08llx, lies in none of its segments", (unsigned long long)pc);
    else if (pc_in_bad)
        snprintf(pcs, sizeof pcs, "; the PC, 0x%08llx, is in the image's linked range, but what runs there is not "
                 "the image", (unsigned long long)pc);
    if (p->shifted)
        snprintf(p->finding, sizeof p->finding, "the image is not running where it was linked: the segment%s "
                 "linked at %s %s in guest memory 0x%llx higher (QEMU's -kernel places a raw binary at RAM base + "
                 "0x10000, as it would a Linux zImage)%s%s%s", p->shifted > 1 ? "s" : "", shifted_list,
                 p->shifted > 1 ? "are" : "is", (unsigned long long)p->shift,
                 p->zeroed ? "; zeroed at its link address: " : "", zeroed_list, pcs);
    else
        snprintf(p->finding, sizeof p->finding, "the image is not in guest memory as linked: %zu of %zu loadable "
                 "segments differ from the ELF file%s%s%s", p->checked - p->intact, p->checked,
                 p->zeroed ? " (zeroed at " : "", zeroed_list, p->zeroed ? ")" : "");
    if (p->shifted)
        snprintf(p->fix, sizeof p->fix, "load the image where it was linked: give QEMU the ELF (-kernel %s), "
                 "or load the binary at its link address (hvprobe run IMAGE.bin --load-addr 0x%llx), or link it "
                 "at 0x%llx", im->path, (unsigned long long)first_shifted,
                 (unsigned long long)(first_shifted + p->shift));
    else
        snprintf(p->fix, sizeof p->fix, "check how the image is loaded: the ELF's segments are not in guest memory "
                 "as linked (give QEMU the ELF itself, or the binary with the loader at its link address)");
    return 1;
}
