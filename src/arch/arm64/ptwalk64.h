/*
 * arch/arm64/ptwalk64.h - a software AArch64 (VMSAv8-64) translation table
 * walker over a caller-supplied physical-memory reader: the AArch64
 * counterpart of arch/arm/ptwalk.h, whose result types it shares.  Every
 * descriptor read is kept as evidence in the result (at most 4 levels,
 * ARM_WALK_MAX_STEPS is 8).
 *
 * Rules implemented (Arm DDI 0487, "Arm Architecture Reference Manual for
 * A-profile architecture": D8.1-D8.4 "The AArch64 Virtual Memory System
 * Architecture" / translation process, D8.3 descriptor formats, and the
 * register descriptions of TCR_EL1, TCR_EL2, TCR_EL3, VTCR_EL2, TTBRn_ELx,
 * VTTBR_EL2; in the Armv8.0 issues the same text is D4.2-D4.3):
 *
 *   - Granules 4 KiB / 16 KiB / 64 KiB: a level resolves 9 / 11 / 13 bits
 *     (granule bits - 3); level L resolves the bits from
 *     granule_bits + stride * (3 - L) upwards.  Stage 1 starts at level
 *     3 - (inputsize - 1 - granule_bits) / stride, inputsize = 64 - TxSZ
 *     (4 KiB: 48-bit -> level 0, 39-bit -> level 1; 64 KiB: 42-bit ->
 *     level 2).  Level -1 (FEAT_LPA2, TCR.DS=1) is not supported: DS=1
 *     with a 4/16 KiB granule fails with HVP_E_UNSUPPORTED.
 *   - TxSZ must be 16..48 (4/16 KiB) or 12..47 (64 KiB, 12..15 only with
 *     FEAT_LVA); above 39 needs FEAT_TTST.  Out of range is a level 0
 *     translation fault, which is what QEMU does; the architecture also
 *     lets a CPU use the nearest valid value instead.
 *   - VA range (two-range regimes EL1&0 and EL2&0): VA[55] picks TTBR1
 *     (1) or TTBR0 (0) and VA[63:inputsize] must then be all ones / all
 *     zeros; with TBI for that half (TCR_EL1/EL2 E2H=1 bits 38 / 37) only
 *     VA[55:inputsize] is checked, i.e. the tag byte is ignored as for a
 *     data access (TBID, which excludes instruction fetches, is not
 *     looked at).  Single-range regimes (EL2 with E2H=0, EL3): VA must be
 *     below 2^inputsize (TBI: TCR bit 20).  Otherwise, and when
 *     TCR.EPDn is set, a level 0 translation fault with no step.
 *   - Descriptor bits 1:0: x0 invalid; 11 table (levels 0-2) or page
 *     (level 3); 01 block where the granule allows one (4 KiB: levels 1,
 *     2; 16 KiB: level 2; 64 KiB: level 2; a 64 KiB level-1 block needs a
 *     52-bit PA and is taken as reserved here), otherwise "reserved", a
 *     translation fault, as is 01 at level 3.
 *   - Address size faults: a TTBR/VTTBR base above the output size is a
 *     level 0 fault with no step; a next-level table address or final
 *     output address above it faults at the level of that descriptor.
 *     The output size is TCR.IPS (EL1&0, EL2&0), TCR.PS (EL2 E2H=0, EL3)
 *     or VTCR_EL2.PS: 32/36/40/42/44/48/52 bits; 52 counts only with a
 *     64 KiB granule (FEAT_LPA: OA[51:48] in descriptor bits 15:12, TTBR
 *     bits 5:2), else 48.  Hardware also caps it at the CPU's PARange,
 *     which a walk from register values cannot know.
 *   - Access flag (bit 10) 0 is an access flag fault (as without
 *     FEAT_HAFDBS hardware updates), checked after the address size.
 *   - Stage 1 attributes: AP[2:1] bits 7:6; APTable 62:61 ORed into
 *     ap_table; xn = UXN/XN bit 54 | UXNTable/XNTable 60; pxn = PXN 53 |
 *     PXNTable 59 (two-range regimes only, -1 for EL2 E2H=0 and EL3, where
 *     those bits are RES0); ns = NS 5 | NSTable 63.  TCR.HPDn
 *     (FEAT_HPDS) turns the hierarchical APTable/XNTable/PXNTable off.
 *   - Stage 2 (VTCR_EL2: T0SZ 5:0, SL0 7:6, TG0 15:14, PS 18:16): the
 *     start level comes from SL0 (4 KiB: 0 -> 2, 1 -> 1, 2 -> 0, 3 -> 3
 *     with FEAT_TTST; 16 KiB and 64 KiB: 0 -> 3, 1 -> 2, 2 -> 1), and the
 *     start level may index up to 16 concatenated tables: it resolves
 *     between 1 and stride + 4 bits.  Any other SL0/T0SZ pairing is what
 *     the architecture calls inconsistent (hardware faults every access at
 *     level 0): HVP_E_INVAL.  An IPA at or above 2^(64-T0SZ) is a level 0
 *     translation fault with no step (Arm's AArch64 walk reports level 0
 *     where AArch32 reports level 1).  Attributes: ap = S2AP bits 7:6,
 *     xn = XN bits 54:53 != 0, pxn = ns = -1, table descriptors carry none.
 *     VTTBR_EL2: BADDR bits 47:1, VMID 63:48 and CnP bit 0 are ignored.
 *
 * Not decided, as in ptwalk.h: permission faults (they depend on the
 * access, PAN, WXN, ...), which the final descriptor's attributes let the
 * caller work out.  Not modelled: TLBs, HCR_EL2.{DC,TGE,VM} (the caller
 * chooses which walks to make), TCR.E0PDn, hardware AF/dirty updates,
 * PARange/PAMax, the contiguous bit.  Descriptors are read little-endian
 * unless a function says otherwise.  Errors: HVP_E_INVAL for NULL
 * pointers, an unknown regime and impossible configurations; a walk that
 * ends in a fault is a successful call (r->ok = 0).
 */
#ifndef HVP_ARCH_ARM64_PTWALK64_H
#define HVP_ARCH_ARM64_PTWALK64_H

#include <stddef.h>
#include <stdint.h>
#include "arch/arm/ptwalk.h"
#include "hvprobe/error.h"

/* Translation regimes of a stage-1 walk; they differ in the TCR layout
 * and in the number of VA ranges. */
enum {
    A64_REGIME_EL10 = 0,  /* EL1&0: TTBR0_EL1/TTBR1_EL1, TCR_EL1 */
    A64_REGIME_EL20,      /* EL2&0, HCR_EL2.E2H=1: two ranges like EL1,
                             TCR_EL2 in the TCR_EL1 layout */
    A64_REGIME_EL2,       /* EL2, E2H=0: TTBR0_EL2 only, TCR_EL2 layout */
    A64_REGIME_EL3        /* EL3: TTBR0_EL3 only, TCR_EL3 (EL2 layout) */
};

/* Stage-1 walk of `va` in `regime`, given that regime's TCR and TTBRs
 * (ttbr1 is ignored by the single-range regimes).  TCR fields used:
 *   EL1&0, EL2&0: T0SZ 5:0, EPD0 7, TG0 15:14 (0 4K, 1 64K, 2 16K),
 *     T1SZ 21:16, EPD1 23, TG1 31:30 (1 16K, 2 4K, 3 64K), IPS 34:32,
 *     TBI0 37, TBI1 38, HPD0 41, HPD1 42, DS 59;
 *   EL2 (E2H=0), EL3: T0SZ 5:0, TG0 15:14, PS 18:16, TBI 20, HPD 24,
 *     DS 32 (bits 23 and 31 are RES1 there and mean nothing).
 * A reserved TGn value is walked as 4 KiB, and `why` says so.  The
 * regime string names the granule, e.g. "AArch64 stage 1 (4 KiB
 * granule)"; r->ttbr is 0 or 1 (-1 when the VA is in neither range). */
int a64_walk_s1(int regime, uint64_t tcr, uint64_t ttbr0, uint64_t ttbr1, uint64_t va,
                arm_phys_read_fn rd, void *ctx, arm_walk_result *r, hvp_error *err);

/* Stage-2 walk of an IPA with VTCR_EL2/VTTBR_EL2 (rules above); regime
 * "AArch64 stage 2 (N KiB granule)", r->ttbr -1.  VTCR_EL2.DS (bit 32)
 * with a 4/16 KiB granule fails with HVP_E_UNSUPPORTED. */
int a64_walk_s2(uint64_t vtcr, uint64_t vttbr, uint64_t ipa,
                arm_phys_read_fn rd, void *ctx, arm_walk_result *r, hvp_error *err);

/* The stage-1 walk the CPU would do for the regime: SCTLR_ELx.M (bit 0)
 * clear -> flat (the VA is the output, regime "MMU off", no steps); else
 * a64_walk_s1() with descriptors read big-endian when SCTLR_ELx.EE
 * (bit 25) is set. */
int a64_walk_stage1(int regime, uint64_t sctlr, uint64_t tcr, uint64_t ttbr0,
                    uint64_t ttbr1, uint64_t va, arm_phys_read_fn rd, void *ctx,
                    arm_walk_result *r, hvp_error *err);

/* A reader of guest-physical (IPA) memory for a stage-1 walk of a guest
 * under an AArch64 hypervisor: each read is translated through stage 2
 * (a64_walk_s2) and then read with `rd`.  Use a64_s2_read as the
 * arm_phys_read_fn and a pointer to this struct as its ctx.  `last` holds
 * the stage-2 walk of the most recent piece read, so a caller can show
 * why a stage-1 table was unreadable. */
typedef struct a64_s2_reader {
    uint64_t vttbr, vtcr;
    arm_phys_read_fn rd;
    void *ctx;
    arm_walk_result last;
} a64_s2_reader;

int a64_s2_read(void *ctx, uint64_t ipa, void *buf, size_t len);

/* One line for a report of a result of the functions above.
 * arm_walk_describe() is not used for them: it calls every input a VA
 * unless the regime is "long-descriptor stage 2", names no base register
 * for an AArch64 stage 2 and labels S2AP as AP[2:1].  Examples:
 *   "VA 0xffff800008010800 maps to 0x40210800 via TTBR1: page, 4 KiB,
 *    AP[2:1]=0b00 UXN=1 PXN=0 NS=0"
 *   "IPA 0x80001234 maps to 0x1234 via VTTBR: block, 2 MiB, S2AP=0b11 XN=0"
 *   "VA 0x8: translation fault, level 3 (TTBR0; level-3 descriptor at
 *    0x40003000 = 0x0000000000000000)"
 * (single-range regimes print XN= and no PXN).  HVP_E_INVAL for NULL
 * arguments or when the line did not fit (buf then holds it truncated). */
int a64_walk_describe(const arm_walk_result *r, char *buf, size_t n, hvp_error *err);

#endif
