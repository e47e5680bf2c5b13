/*
 * arch/arm/walk_common.h - pieces every translation table walker here
 * shares (ptwalk.c for ARMv7, arch/arm64/ptwalk64.c for AArch64): the
 * result's initial state, the evidence chain's steps, descriptor reads
 * in either byte order, and the argument check.  Internal to arch/.
 */
#ifndef HVP_ARCH_ARM_WALK_COMMON_H
#define HVP_ARCH_ARM_WALK_COMMON_H

#include "arch/arm/ptwalk.h"

/* Zero r, then: regime, input address, no TTBR, no fault level, every
 * attribute -1 ("not meaningful" until a descriptor says). */
void arm_walk_result_init(arm_walk_result *r, const char *regime, uint64_t in);

/* Append a step (kind "unreadable" until the read succeeds). */
arm_walk_step *arm_walk_add_step(arm_walk_result *r, int level, uint64_t table, uint64_t desc_pa);

/* Read a len-byte (4 or 8) descriptor at pa: 0, or -1 when rd fails. */
int arm_walk_read_desc(arm_phys_read_fn rd, void *ctx, uint64_t pa, size_t len, int big_endian, uint64_t *out);

/* A stage-2 walk of one IPA with the walker's own configuration (cfg). */
typedef int (*arm_s2_walk_fn)(const void *cfg, uint64_t ipa, arm_phys_read_fn rd, void *ctx, arm_walk_result *r);

/* Read len bytes at IPA ipa: each 4 KiB-aligned piece (every granule is a
 * multiple of 4 KiB, so it lies in one stage-2 page or block) translated
 * with walk(cfg, ...) and read with rd.  0, or -1 when a piece does not
 * translate or cannot be read; *last keeps the walk of the last piece. */
int arm_walk_read_through_s2(arm_s2_walk_fn walk, const void *cfg, arm_phys_read_fn rd, void *ctx,
                             arm_walk_result *last, uint64_t ipa, void *buf, size_t len);

/* HVP_E_INVAL naming `fn` when rd or r is NULL. */
int arm_walk_check_args(arm_phys_read_fn rd, const arm_walk_result *r, const char *fn, hvp_error *err);

#endif
