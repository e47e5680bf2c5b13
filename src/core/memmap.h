/*
 * memmap.h - questions about a snapshot's memory map (regions from
 * `info mtree` and `info mtree -f`): which region backs an address, and
 * which regions of the tree overlap there.
 */
#ifndef HVP_CORE_MEMMAP_H
#define HVP_CORE_MEMMAP_H

#include <stddef.h>
#include <stdint.h>
#include "hvprobe/snapshot.h"

/* 1 if `as` is one of r->address_space's ", "-joined names. */
int hvp_region_in_as(const hvp_region *r, const char *as);

/* 1 when the snapshot has a flat view of address space `as`. */
int hvp_map_has_flat(const hvp_snapshot *s, const char *as);

/* The flat-view region (QEMU's winner) at addr in `as`, or NULL. */
const hvp_region *hvp_map_flat_at(const hvp_snapshot *s, const char *as, uint64_t addr);

/* Leaf regions of the tree view of `as` that contain addr (enabled,
 * not containers of other matches), at most max; returns the count. */
size_t hvp_map_tree_at(const hvp_snapshot *s, const char *as, uint64_t addr,
                       const hvp_region **out, size_t max);

#endif
