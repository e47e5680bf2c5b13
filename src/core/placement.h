/*
 * placement.h - is the image running where it was linked?  From a
 * capture with --elf: the first bytes of each loadable segment as guest
 * memory holds them (read at its load address and 0x10000 above, where
 * QEMU's -kernel puts a raw binary it takes for a Linux zImage), against
 * the ELF file's bytes, and the PC against the segments.  Needs the ELF
 * on disk to be the one captured (sha256); otherwise says nothing.
 */
#ifndef HVP_CORE_PLACEMENT_H
#define HVP_CORE_PLACEMENT_H

#include <stddef.h>
#include <stdint.h>
#include "hvprobe/snapshot.h"

/* Where QEMU's -kernel puts a raw binary it takes for a Linux zImage:
 * RAM base + 0x10000, i.e. this far above a bare-metal link address. */
#define HVP_ZIMAGE_SHIFT 0x10000u

typedef struct hvp_placement {
    size_t checked;         /* segments compared */
    size_t intact, shifted, zeroed, other;
    uint64_t shift;         /* the shift found (0x10000) */
    int pc_outside;         /* the PC lies in no segment */
    char finding[480];      /* one paragraph when something is wrong, else "" */
    char fix[320];
} hvp_placement;

/* 1 when the image is not where it was linked (finding and fix filled),
 * 0 when every checked segment is intact or nothing could be checked. */
int hvp_image_placement(const hvp_snapshot *s, hvp_placement *p);

#endif
