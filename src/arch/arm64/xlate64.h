/*
 * arch/arm64/xlate64.h - where an AArch64 fetch at a virtual address of
 * one Exception level's translation regime lands in physical memory: the
 * regime's stage 1 (when its MMU is on) and, for EL1&0 under a hypervisor
 * (HCR_EL2.VM=1), stage 2 -- the stage-1 tables themselves read through
 * stage 2 -- over a caller's physical reader.  Capture uses it live,
 * recording every descriptor read; analysis repeats it from the
 * snapshot's recorded reads, so a verdict rests on the snapshot alone.
 */
#ifndef HVP_ARCH_ARM64_XLATE64_H
#define HVP_ARCH_ARM64_XLATE64_H

#include <stddef.h>
#include <stdint.h>
#include "arch/arm/ptwalk.h"
#include "arch/arm64/exc64.h"

typedef struct a64_xlate {
    int ok;                 /* translated */
    uint64_t ipa, pa;       /* ipa == pa without stage 2 */
    int failed_stage;       /* 1 or 2 when !ok */
    arm_walk_result s1, s2; /* the walks (s1.regime "MMU off" when off) */
    char detail[400];       /* the failing walk in words, or "" */
} a64_xlate;

/* Translate `va` in regime `rg` (a64_regime_of()).  HVP_OK unless the
 * configuration cannot be walked (HVP_E_INVAL, err says why). */
int a64_translate(const a64_regime *rg, uint64_t va, arm_phys_read_fn rd, void *ctx, a64_xlate *x,
                  hvp_error *err);

#endif
