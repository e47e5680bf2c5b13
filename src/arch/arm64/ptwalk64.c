/*
 * arch/arm64/ptwalk64.c - AArch64 (VMSAv8-64) translation table walks in
 * software.  The rules, and what is left out, are listed in ptwalk64.h.
 *
 * References (Arm DDI 0487, Arm Architecture Reference Manual for
 * A-profile architecture):
 *   D8.1/D8.2  translation process, VA ranges, TBI, TxSZ limits, start
 *              level (pseudocode AArch64.S1StartLevel, AArch64.S2StartLevel,
 *              AArch64.S2InconsistentSL, AArch64.S2InvalidSL);
 *   D8.3       VMSAv8-64 descriptor formats (table, block, page; the
 *              hierarchical attributes of table descriptors);
 *   D8.4/D8.5  TTBR alignment, concatenated stage-2 start tables;
 *   the register descriptions of TCR_EL1, TCR_EL2, TCR_EL3, VTCR_EL2,
 *   TTBRn_ELx and VTTBR_EL2 ("AArch64 System Register Descriptions").
 * Chapter numbers move between issues of the manual; the Armv8.0 issues
 * have this in D4.2 "The VMSAv8-64 address translation system" and D4.3
 * "VMSAv8-64 translation table format descriptors".
 */
#include "arch/arm64/ptwalk64.h"
#include "arch/arm/walk_common.h"
#include "util/line.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- register fields ----------------------------------------------------- */

/* TCR_EL1, and TCR_EL2 when HCR_EL2.E2H=1 */
#define TCR_T0SZ(v)     ((unsigned)((v) & 0x3F))          /* 5:0 */
#define TCR_EPD0        (1ull << 7)
#define TCR_TG0(v)      ((unsigned)(((v) >> 14) & 3))     /* 15:14 */
#define TCR_T1SZ(v)     ((unsigned)(((v) >> 16) & 0x3F))  /* 21:16 */
#define TCR_EPD1        (1ull << 23)
#define TCR_TG1(v)      ((unsigned)(((v) >> 30) & 3))     /* 31:30 */
#define TCR_IPS(v)      ((unsigned)(((v) >> 32) & 7))     /* 34:32 */
#define TCR_TBI0        (1ull << 37)
#define TCR_TBI1        (1ull << 38)
#define TCR_HPD0        (1ull << 41)
#define TCR_HPD1        (1ull << 42)
#define TCR_DS          (1ull << 59)
/* TCR_EL2 when E2H=0, TCR_EL3 */
#define TCR2_PS(v)      ((unsigned)(((v) >> 16) & 7))     /* 18:16 */
#define TCR2_TBI        (1ull << 20)
#define TCR2_HPD        (1ull << 24)
#define TCR2_DS         (1ull << 32)
/* VTCR_EL2 */
#define VTCR_T0SZ(v)    ((unsigned)((v) & 0x3F))          /* 5:0 */
#define VTCR_SL0(v)     ((unsigned)(((v) >> 6) & 3))      /* 7:6 */
#define VTCR_TG0(v)     ((unsigned)(((v) >> 14) & 3))     /* 15:14 */
#define VTCR_PS(v)      ((unsigned)(((v) >> 16) & 7))     /* 18:16 */
#define VTCR_DS         (1ull << 32)
/* SCTLR_ELx */
#define SCTLR_M         (1ull << 0)
#define SCTLR_EE        (1ull << 25)

/* TTBRn_ELx / VTTBR_EL2: BADDR 47:1 (ASID/VMID 63:48, CnP 0 excluded);
 * with a 52-bit PA, BADDR[51:48] sits in bits 5:2. */
#define TTBR_BADDR      0x0000FFFFFFFFFFFEull
#define TTBR_BADDR52    0x0000FFFFFFFFFFC0ull

/* Descriptor fields (D8.3) */
#define D_ADDR          0x0000FFFFFFFFF000ull  /* 47:12, granule-aligned */
#define D_NS            (1ull << 5)
#define D_AF            (1ull << 10)
#define D_PXN           (1ull << 53)           /* stage 2: XN[0] */
#define D_UXN           (1ull << 54)           /* XN in one-range regimes */
#define D_PXNTABLE      (1ull << 59)
#define D_UXNTABLE      (1ull << 60)
#define D_NSTABLE       (1ull << 63)

#define MASK(bits)      ((bits) >= 64 ? ~0ull : (1ull << (bits)) - 1)

/* Regime names, by granule: index (granule bits - 12) / 2. */
static const char *const s1_names[3] = {
    "AArch64 stage 1 (4 KiB granule)",
    "AArch64 stage 1 (16 KiB granule)",
    "AArch64 stage 1 (64 KiB granule)",
};
static const char *const s2_names[3] = {
    "AArch64 stage 2 (4 KiB granule)",
    "AArch64 stage 2 (16 KiB granule)",
    "AArch64 stage 2 (64 KiB granule)",
};

/* Everything a walk needs once the registers are decoded. */
typedef struct walk_cfg {
    unsigned gbits;      /* granule: 12, 14 or 16 */
    unsigned inputsize;  /* 64 - TxSZ */
    int start;           /* start level, 0..3 */
    unsigned pa_bits;    /* output address size */
    int stage;           /* 1 or 2 */
    int hpd;             /* stage 1: hierarchical attributes disabled */
    int two_range;       /* stage 1: PXN/PXNTable exist */
    int big_endian;
} walk_cfg;

/* ---- helpers ------------------------------------------------------------- */

/* A fault keeps an earlier note in `why` (e.g. a reserved TGn) unless it
 * has a reason of its own. */
static int fault(arm_walk_result *r, const char *what, int level, const char *why)
{
    r->ok = 0;
    r->fault = what;
    r->fault_level = level;
    if (why)
        r->why = why;
    return HVP_OK;
}

/* {I}PS / VTCR_EL2.PS -> bits.  0b110 (52) needs FEAT_LPA and counts only
 * with a 64 KiB granule (4/16 KiB need TCR.DS, not supported), else 48;
 * 0b111 is reserved: taken as the largest. */
static unsigned pa_size(unsigned ps, unsigned gbits)
{
    static const unsigned bits[8] = { 32, 36, 40, 42, 44, 48, 52, 52 };
    unsigned b = bits[ps & 7];
    return b == 52 && gbits != 16 ? 48 : b;
}

/* TG0 encodings: 0 4K, 1 64K, 2 16K; TG1: 1 16K, 2 4K, 3 64K.  0 means
 * reserved. */
static unsigned tg0_bits(unsigned tg) { return tg == 0 ? 12 : tg == 1 ? 16 : tg == 2 ? 14 : 0; }
static unsigned tg1_bits(unsigned tg) { return tg == 1 ? 14 : tg == 2 ? 12 : tg == 3 ? 16 : 0; }

/* Output address of a descriptor: bits 47:12; with a 52-bit PA (64 KiB
 * granule only) OA[51:48] comes from bits 15:12. */
static uint64_t desc_oa(uint64_t d, const walk_cfg *c)
{
    if (c->pa_bits == 52)
        return (d & D_ADDR & ~0xF000ull) | (((d >> 12) & 0xF) << 48);
    return d & D_ADDR;
}

/* Base of the start-level table (or concatenated tables) of `bits` index
 * bits from a TTBR/VTTBR: the low bits up to the table's size are RES0
 * and ignored.  Returns -1 when the base is above the output size. */
static int table_base(uint64_t reg, const walk_cfg *c, unsigned bits, uint64_t *base)
{
    uint64_t align = MASK(bits + 3);
    if (c->pa_bits == 52) {
        *base = (reg & TTBR_BADDR52 & ~align) | (((reg >> 2) & 0xF) << 48);
        return 0;
    }
    *base = reg & TTBR_BADDR & ~align;
    return (reg & TTBR_BADDR) >> c->pa_bits ? -1 : 0;
}

/* Where the architecture allows block descriptors without FEAT_LPA2:
 * 4 KiB levels 1 and 2, 16 KiB and 64 KiB level 2 (a 64 KiB level-1
 * block needs a 52-bit PA; treated as reserved here). */
static int block_ok(unsigned gbits, int level)
{
    return level == 2 || (gbits == 12 && level == 1);
}

/* ---- the walk ------------------------------------------------------------ */

/* Level L indexes address bits [shift + n - 1 : shift], shift = gbits +
 * stride * (3 - L), n = stride except at the start level, which takes
 * everything up to inputsize (more than stride bits: concatenated stage-2
 * tables).  Table descriptors carry, for stage 1, NSTable 63, APTable
 * 62:61, UXNTable/XNTable 60, PXNTable 59, which restrict everything
 * below; stage 2 table descriptors have no attributes. */
static int walk(uint64_t base, uint64_t addr, const walk_cfg *c,
                arm_phys_read_fn rd, void *ctx, arm_walk_result *r)
{
    const unsigned stride = c->gbits - 3;
    const char *size_why = c->stage == 2 ?
        "output address has bits set above VTCR_EL2.PS" :
        "output address has bits set above TCR.{I}PS";
    const char *table_why = c->stage == 2 ?
        "next-level table address has bits set above VTCR_EL2.PS" :
        "next-level table address has bits set above TCR.{I}PS";
    uint64_t table = base;
    int xn_t = 0, pxn_t = 0, ns_t = 0, ap_t = 0;

    for (int level = c->start; level <= 3; level++) {
        unsigned shift = c->gbits + stride * (unsigned)(3 - level);
        unsigned bits = level == c->start ? c->inputsize - shift : stride;
        uint64_t desc_pa = table + ((addr >> shift) & MASK(bits)) * 8;
        uint64_t d;

        arm_walk_step *s = arm_walk_add_step(r, level, table, desc_pa);
        if (arm_walk_read_desc(rd, ctx, desc_pa, 8, c->big_endian, &d) < 0)
            return fault(r, "table unreadable", level, "translation table could not be read");
        s->desc = d;

        if (!(d & 1)) {
            s->kind = "invalid";
            return fault(r, "translation fault", level, NULL);
        }
        if (level < 3 && (d & 3) == 3) {
            s->kind = "table";
            uint64_t next = desc_oa(d, c) & ~MASK(c->gbits);
            if (next >> c->pa_bits)
                return fault(r, "address size fault", level, table_why);
            if (c->stage == 1) {
                ns_t |= (d & D_NSTABLE) != 0;
                if (!c->hpd) {
                    xn_t |= (d & D_UXNTABLE) != 0;
                    pxn_t |= (d & D_PXNTABLE) != 0;
                    ap_t |= (int)((d >> 61) & 3);
                }
            }
            table = next;
            continue;
        }
        if ((d & 3) == 1 && (level == 3 || !block_ok(c->gbits, level))) {
            s->kind = "reserved";
            return fault(r, "translation fault", level, level == 3 ?
                         "level-3 descriptor type 0b01 is reserved" :
                         "a block descriptor is not allowed at this level with this "
                         "granule (treated as invalid)");
        }
        s->kind = level == 3 ? "page" : "block";
        r->block_size = 1ull << shift;
        r->ap = (int)((d >> 6) & 3);
        r->af = (d & D_AF) != 0;
        if (c->stage == 1) {
            r->xn = ((d & D_UXN) != 0) | xn_t;
            r->pxn = c->two_range ? (((d & D_PXN) != 0) | pxn_t) : -1;
            r->ns = ((d & D_NS) != 0) | ns_t;
            r->ap_table = ap_t;
        } else {
            r->xn = ((d >> 53) & 3) != 0;     /* XN[1:0] (FEAT_XNX) */
        }
        uint64_t oa = desc_oa(d, c) & ~(r->block_size - 1);
        if (oa >> c->pa_bits)
            return fault(r, "address size fault", level, size_why);
        if (!r->af)
            return fault(r, "access flag fault", level, "AF (bit 10) is 0");
        r->out_addr = oa | (addr & (r->block_size - 1));
        r->ok = 1;
        return HVP_OK;
    }
    return HVP_E_INTERNAL;  /* unreachable: level 3 always ends the loop */
}

/* ---- stage 1 ------------------------------------------------------------- */

static int walk_s1(int regime, uint64_t tcr, uint64_t ttbr0, uint64_t ttbr1,
                   uint64_t va, arm_phys_read_fn rd, void *ctx, int big_endian,
                   arm_walk_result *r, const char *fn, hvp_error *err)
{
    if (regime < A64_REGIME_EL10 || regime > A64_REGIME_EL3)
        return hvp_fail(err, HVP_E_INVAL, "%s: unknown translation regime %d", fn, regime);
    const int two = regime == A64_REGIME_EL10 || regime == A64_REGIME_EL20;
    /* Two ranges: VA[55] selects the TTBR, and with it TxSZ, TGx, TBIx,
     * EPDx, HPDx (D8.2, "VA ranges"). */
    const int sel = two ? (int)((va >> 55) & 1) : 0;
    unsigned tsz, gbits, ps;
    int tbi, epd, hpd, ds;

    if (two) {
        tsz = sel ? TCR_T1SZ(tcr) : TCR_T0SZ(tcr);
        gbits = sel ? tg1_bits(TCR_TG1(tcr)) : tg0_bits(TCR_TG0(tcr));
        tbi = (tcr & (sel ? TCR_TBI1 : TCR_TBI0)) != 0;
        epd = (tcr & (sel ? TCR_EPD1 : TCR_EPD0)) != 0;
        hpd = (tcr & (sel ? TCR_HPD1 : TCR_HPD0)) != 0;
        ds = (tcr & TCR_DS) != 0;
        ps = TCR_IPS(tcr);
    } else {
        tsz = TCR_T0SZ(tcr);
        gbits = tg0_bits(TCR_TG0(tcr));
        tbi = (tcr & TCR2_TBI) != 0;
        epd = 0;                       /* no EPD0: bit 7 is RES0, 23 RES1 */
        hpd = (tcr & TCR2_HPD) != 0;
        ds = (tcr & TCR2_DS) != 0;
        ps = TCR2_PS(tcr);
    }
    const int reserved_tg = gbits == 0;
    if (reserved_tg)
        gbits = 12;
    if (ds && gbits != 16)
        return hvp_fail(err, HVP_E_UNSUPPORTED,
                        "%s: TCR.DS=1 (FEAT_LPA2: 52-bit addresses with a %u KiB granule) "
                        "is not supported", fn, 1u << (gbits - 10));

    arm_walk_result_init(r, s1_names[(gbits - 12) / 2], va);
    if (reserved_tg)
        r->why = sel ? "TCR.TG1 holds a reserved value: walked as 4 KiB (the CPU uses an "
                       "IMPLEMENTATION DEFINED granule)" :
                       "TCR.TG0 holds a reserved value: walked as 4 KiB (the CPU uses an "
                       "IMPLEMENTATION DEFINED granule)";

    /* TxSZ limits: 16 (12 for 64 KiB with FEAT_LVA) to 48 (47 for 64 KiB,
     * FEAT_TTST; 39 without it). */
    unsigned min_tsz = gbits == 16 ? 12 : 16, max_tsz = gbits == 16 ? 47 : 48;
    if (tsz < min_tsz || tsz > max_tsz) {
        r->ttbr = sel;
        return fault(r, "translation fault", 0, tsz < min_tsz ?
                     "TCR.TxSZ is below its minimum (too many VA bits for the granule): "
                     "QEMU faults, a CPU may also use the minimum" :
                     "TCR.TxSZ is above its maximum (48, or 47 with 64 KiB): "
                     "QEMU faults, a CPU may also use the maximum");
    }

    /* VA[top-1:inputsize] must be all zeros (TTBR0) or all ones (TTBR1);
     * top is 56 when TBI makes the tag byte part of no address. */
    const unsigned inputsize = 64 - tsz, top = tbi ? 56 : 64;
    uint64_t upper = (va >> inputsize) & MASK(top - inputsize);
    if (upper != (sel ? MASK(top - inputsize) : 0))
        return fault(r, "translation fault", 0, two ?
                     "VA is in neither the TTBR0 nor the TTBR1 range (TCR.T0SZ/T1SZ)" :
                     "VA is beyond the TTBR0 range (TCR.T0SZ)");
    r->ttbr = sel;
    if (epd)
        return fault(r, "translation fault", 0, sel ?
                     "TCR.EPD1 is set: TTBR1 walks disabled" :
                     "TCR.EPD0 is set: TTBR0 walks disabled");

    walk_cfg c = { .gbits = gbits, .inputsize = inputsize, .stage = 1, .hpd = hpd,
                   .two_range = two, .big_endian = big_endian };
    const unsigned stride = gbits - 3;
    c.start = 3 - (int)((inputsize - 1 - gbits) / stride);   /* AArch64.S1StartLevel */
    c.pa_bits = pa_size(ps, gbits);
    unsigned bits = inputsize - (gbits + stride * (unsigned)(3 - c.start));
    uint64_t base;
    if (table_base(sel ? ttbr1 : ttbr0, &c, bits, &base) < 0)
        return fault(r, "address size fault", 0, sel ?
                     "TTBR1 base address has bits set above TCR.{I}PS" :
                     "TTBR0 base address has bits set above TCR.{I}PS");
    return walk(base, va, &c, rd, ctx, r);
}

int a64_walk_s1(int regime, uint64_t tcr, uint64_t ttbr0, uint64_t ttbr1, uint64_t va,
                arm_phys_read_fn rd, void *ctx, arm_walk_result *r, hvp_error *err)
{
    int rc = arm_walk_check_args(rd, r, "a64_walk_s1", err);
    if (rc)
        return rc;
    return walk_s1(regime, tcr, ttbr0, ttbr1, va, rd, ctx, 0, r, "a64_walk_s1", err);
}

int a64_walk_stage1(int regime, uint64_t sctlr, uint64_t tcr, uint64_t ttbr0,
                    uint64_t ttbr1, uint64_t va, arm_phys_read_fn rd, void *ctx,
                    arm_walk_result *r, hvp_error *err)
{
    int rc = arm_walk_check_args(rd, r, "a64_walk_stage1", err);
    if (rc)
        return rc;
    if (regime < A64_REGIME_EL10 || regime > A64_REGIME_EL3)
        return hvp_fail(err, HVP_E_INVAL, "a64_walk_stage1: unknown translation regime %d",
                        regime);
    if (!(sctlr & SCTLR_M)) {
        arm_walk_result_init(r, "MMU off", va);
        r->ok = 1;
        r->out_addr = va;
        r->why = "SCTLR.M is 0: addresses are flat";
        return HVP_OK;
    }
    return walk_s1(regime, tcr, ttbr0, ttbr1, va, rd, ctx, (sctlr & SCTLR_EE) != 0, r,
                   "a64_walk_stage1", err);
}

/* ---- stage 2 ------------------------------------------------------------- */

int a64_walk_s2(uint64_t vtcr, uint64_t vttbr, uint64_t ipa,
                arm_phys_read_fn rd, void *ctx, arm_walk_result *r, hvp_error *err)
{
    int rc = arm_walk_check_args(rd, r, "a64_walk_s2", err);
    if (rc)
        return rc;
    unsigned gbits = tg0_bits(VTCR_TG0(vtcr));
    const int reserved_tg = gbits == 0;
    if (reserved_tg)
        gbits = 12;
    const unsigned stride = gbits - 3, t0sz = VTCR_T0SZ(vtcr), sl0 = VTCR_SL0(vtcr);
    const unsigned kib = 1u << (gbits - 10);
    if ((vtcr & VTCR_DS) && gbits != 16)
        return hvp_fail(err, HVP_E_UNSUPPORTED,
                        "a64_walk_s2: VTCR_EL2.DS=1 (FEAT_LPA2: 52-bit addresses with a "
                        "%u KiB granule) is not supported", kib);
    /* An IPA is at most 52 bits (48 without a 64 KiB granule), at least
     * 16 (17 with 64 KiB): AArch64.S2InvalidTxSZ, PAMax aside. */
    unsigned min_tsz = gbits == 16 ? 12 : 16, max_tsz = gbits == 16 ? 47 : 48;
    if (t0sz < min_tsz || t0sz > max_tsz)
        return hvp_fail(err, HVP_E_INVAL,
                        "VTCR_EL2 0x%llx: T0SZ=%u is outside %u..%u for a %u KiB granule; "
                        "hardware would fault every access", (unsigned long long)vtcr,
                        t0sz, min_tsz, max_tsz, kib);

    /* AArch64.S2StartLevel / S2InvalidSL */
    int start;
    if (gbits == 12)
        start = sl0 == 3 ? 3 : 2 - (int)sl0;      /* SL0=3: level 3, FEAT_TTST */
    else if (sl0 == 3)
        return hvp_fail(err, HVP_E_INVAL,
                        "VTCR_EL2 0x%llx: SL0=3 is reserved with a %u KiB granule%s",
                        (unsigned long long)vtcr, kib,
                        gbits == 14 ? " unless VTCR_EL2.DS=1 (FEAT_LPA2)" : "");
    else
        start = 3 - (int)sl0;

    /* AArch64.S2InconsistentSL: the start level must resolve at least one
     * bit and at most stride + 4 (16 concatenated tables). */
    const unsigned inputsize = 64 - t0sz;
    const unsigned shift = gbits + stride * (unsigned)(3 - start);
    if (inputsize <= shift || inputsize - shift > stride + 4)
        return hvp_fail(err, HVP_E_INVAL,
                        "VTCR_EL2 0x%llx: T0SZ=%u (%u-bit IPA) is inconsistent with SL0=%u "
                        "(start at level %d) for a %u KiB granule: that level would resolve "
                        "%d bits, it can resolve 1 to %u (up to 16 concatenated tables); "
                        "hardware would fault every access", (unsigned long long)vtcr, t0sz,
                        inputsize, sl0, start, kib, (int)inputsize - (int)shift, stride + 4);

    arm_walk_result_init(r, s2_names[(gbits - 12) / 2], ipa);
    if (reserved_tg)
        r->why = "VTCR_EL2.TG0 holds a reserved value: walked as 4 KiB (the CPU uses an "
                 "IMPLEMENTATION DEFINED granule)";
    if (ipa >> inputsize)
        return fault(r, "translation fault", 0,
                     "IPA is beyond the input size set by VTCR_EL2.T0SZ");

    walk_cfg c = { .gbits = gbits, .inputsize = inputsize, .start = start,
                   .pa_bits = pa_size(VTCR_PS(vtcr), gbits), .stage = 2 };
    uint64_t base;
    if (table_base(vttbr, &c, inputsize - shift, &base) < 0)
        return fault(r, "address size fault", 0,
                     "VTTBR_EL2 base address has bits set above VTCR_EL2.PS");
    return walk(base, ipa, &c, rd, ctx, r);
}

/* ---- stage-2 composed reader --------------------------------------------- */

static int s2_walk(const void *cfg, uint64_t ipa, arm_phys_read_fn rd, void *ctx, arm_walk_result *r)
{
    const a64_s2_reader *s = cfg;
    return a64_walk_s2(s->vtcr, s->vttbr, ipa, rd, ctx, r, NULL);
}

int a64_s2_read(void *ctx, uint64_t ipa, void *buf, size_t len)
{
    a64_s2_reader *s = ctx;
    return s ? arm_walk_read_through_s2(s2_walk, s, s->rd, s->ctx, &s->last, ipa, buf, len) : -1;
}

/* ---- one line ------------------------------------------------------------ */

int a64_walk_describe(const arm_walk_result *r, char *buf, size_t n, hvp_error *err)
{
    if (!r || !buf || n == 0)
        return hvp_fail(err, HVP_E_INVAL, "a64_walk_describe: NULL argument");
    buf[0] = '\0';
    hvp_line t = { buf, n, 0, 0 };
    const int s2 = r->regime && !strncmp(r->regime, "AArch64 stage 2", 15);
    const char *in = s2 ? "IPA" : "VA";
    const char *reg = s2 ? "VTTBR" : r->ttbr == 1 ? "TTBR1" : r->ttbr == 0 ? "TTBR0" : NULL;
    const arm_walk_step *last = r->nsteps ? &r->steps[r->nsteps - 1] : NULL;

    if (r->ok) {
        hvp_line_put(&t, "%s 0x%llx maps to 0x%llx", in, (unsigned long long)r->in_addr,
            (unsigned long long)r->out_addr);
        if (!last) {
            hvp_line_put(&t, " (%s)", r->why ? r->why : r->regime ? r->regime : "flat");
        } else {
            hvp_line_put(&t, " via %s: %s, ", reg ? reg : "?", last->kind ? last->kind : "?");
            hvp_line_put_size(&t, r->block_size);
            hvp_line_put(&t, ", %s=0b%d%d", s2 ? "S2AP" : "AP[2:1]", (r->ap >> 1) & 1, r->ap & 1);
            if (s2 || r->pxn < 0)
                hvp_line_put(&t, " XN=%d", r->xn);
            else
                hvp_line_put(&t, " UXN=%d PXN=%d", r->xn, r->pxn);
            if (r->ns >= 0)
                hvp_line_put(&t, " NS=%d", r->ns);
            if (r->ap_table)
                hvp_line_put(&t, " APTable=0b%d%d", (r->ap_table >> 1) & 1, r->ap_table & 1);
            if (r->why)
                hvp_line_put(&t, " [%s]", r->why);
        }
    } else {
        hvp_line_put(&t, "%s 0x%llx: %s", in, (unsigned long long)r->in_addr,
            r->fault ? r->fault : "not translated");
        if (r->fault_level >= 0)
            hvp_line_put(&t, ", level %d", r->fault_level);
        hvp_line_put(&t, " (%s", reg ? reg : "no TTBR");
        if (last) {
            if (last->kind && !strcmp(last->kind, "unreadable"))
                hvp_line_put(&t, "; level-%d descriptor at 0x%llx unreadable", last->level,
                    (unsigned long long)last->desc_pa);
            else
                hvp_line_put(&t, "; level-%d descriptor at 0x%llx = 0x%016llx", last->level,
                    (unsigned long long)last->desc_pa, (unsigned long long)last->desc);
        }
        if (r->why)
            hvp_line_put(&t, "; %s", r->why);
        hvp_line_put(&t, ")");
    }
    if (t.overflow)
        return hvp_fail(err, HVP_E_INVAL,
                        "a64_walk_describe: buffer of %zu bytes too small (need %zu)",
                        n, t.len + 1);
    return HVP_OK;
}
