/*
 * arch/arm/ptwalk.c - ARMv7-A translation table walks in software.
 *
 * References (ARM DDI 0406C.c):
 *   B3.5  Short-descriptor translation table format: B3.5.1 descriptor
 *         formats, B3.5.4 selecting TTBR0/TTBR1 (TTBCR.N), B3.5.5
 *         translation table walks.
 *   B3.6  Long-descriptor translation table format: B3.6.1 descriptor
 *         formats, B3.6.4 selecting TTBR0/TTBR1 (T0SZ/T1SZ), B3.6.5/6
 *         stage 1 and stage 2 (VTCR.SL0/T0SZ) walks.
 *   B4.1.153/154 TTBR0/TTBCR, B4.1.159/160 VTCR/VTTBR.
 */
#include "arch/arm/ptwalk.h"
#include "arch/arm/walk_common.h"
#include "util/line.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- register fields ----------------------------------------------------- */

/* TTBCR, short-descriptor form (B4.1.154) */
#define TTBCR_N(v)      ((v) & 7u)          /* bits 2:0 */
#define TTBCR_PD0       (1u << 4)
#define TTBCR_PD1       (1u << 5)
#define TTBCR_EAE       (1u << 31)
/* TTBCR, long-descriptor form */
#define TTBCR_T0SZ(v)   ((v) & 7u)          /* bits 2:0 */
#define TTBCR_EPD0      (1u << 7)
#define TTBCR_T1SZ(v)   (((v) >> 16) & 7u)  /* bits 18:16 */
#define TTBCR_EPD1      (1u << 23)
/* SCTLR (B4.1.130) */
#define SCTLR_M         (1u << 0)
#define SCTLR_EE        (1u << 25)
#define SCTLR_AFE       (1u << 29)
/* VTCR (B4.1.159) */
#define VTCR_T0SZ(v)    ((v) & 0xFu)        /* bits 3:0, signed */
#define VTCR_S          (1u << 4)
#define VTCR_SL0(v)     (((v) >> 6) & 3u)   /* bits 7:6 */

/* Long-descriptor fields (B3.6.1, B3.6.2) */
#define LD_ADDR_MASK    0x000000FFFFFFF000ull   /* bits 39:12 */
#define LD_HIGH_OA      0x0000FF0000000000ull   /* bits 47:40: must be 0 */
#define LD_AF           (1ull << 10)
#define LD_NS           (1ull << 5)
#define LD_PXN          (1ull << 53)
#define LD_XN           (1ull << 54)
#define LD_PXNTABLE     (1ull << 59)
#define LD_XNTABLE      (1ull << 60)
#define LD_NSTABLE      (1ull << 63)

typedef struct walk_opts {
    int big_endian;     /* SCTLR.EE / HSCTLR.EE */
    int afe;            /* SCTLR.AFE (short-descriptor only) */
} walk_opts;

/* ---- helpers ------------------------------------------------------------- */

void arm_walk_result_init(arm_walk_result *r, const char *regime, uint64_t in)
{
    memset(r, 0, sizeof *r);
    r->regime = regime;
    r->in_addr = in;
    r->ttbr = -1;
    r->fault_level = -1;
    r->ap = r->xn = r->pxn = r->ns = r->domain = r->af = -1;
}

arm_walk_step *arm_walk_add_step(arm_walk_result *r, int level, uint64_t table, uint64_t desc_pa)
{
    if (r->nsteps >= ARM_WALK_MAX_STEPS)  /* cannot happen: walks are <= 4 deep */
        return &r->steps[ARM_WALK_MAX_STEPS - 1];
    arm_walk_step *s = &r->steps[r->nsteps++];
    s->level = level;
    s->table_pa = table;
    s->desc_pa = desc_pa;
    s->desc = 0;
    s->kind = "unreadable";
    return s;
}

static int fault(arm_walk_result *r, const char *what, int level, const char *why)
{
    r->ok = 0;
    r->fault = what;
    r->fault_level = level;
    r->why = why;
    return HVP_OK;
}

/* Read a 4- or 8-byte descriptor in the walk's endianness. */
int arm_walk_read_desc(arm_phys_read_fn rd, void *ctx, uint64_t pa, size_t len, int big_endian, uint64_t *out)
{
    uint8_t b[8] = { 0 };
    if (len > sizeof b || rd(ctx, pa, b, len) < 0)
        return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++)
        v = (v << 8) | b[big_endian ? i : len - 1 - i];
    *out = v;
    return 0;
}

int arm_walk_check_args(arm_phys_read_fn rd, const arm_walk_result *r, const char *fn, hvp_error *err)
{
    if (!rd || !r)
        return hvp_fail(err, HVP_E_INVAL, "%s: %s is NULL", fn, !rd ? "the memory reader" : "the result");
    return HVP_OK;
}

/* ---- short-descriptor ---------------------------------------------------- */

/* First-level descriptor, bits 1:0 (B3.5.1): 00 fault, 01 page table,
 * 10 section/supersection, 11 section/supersection with PXN (reserved
 * without the PXN extension).  Bit 18 selects supersection.
 *   page table:   base 31:10, domain 8:5, NS 3, PXN 2
 *   section:      base 31:20, NS 19, nG 17, S 16, AP[2] 15, TEX 14:12,
 *                 AP[1:0] 11:10, domain 8:5, XN 4, C 3, B 2, PXN 0
 *   supersection: PA[31:24] 31:24, PA[35:32] 23:20, PA[39:36] 8:5, other
 *                 fields as section, domain 0.
 * Second-level descriptor, bits 1:0: 00 fault, 01 large page (64 KiB:
 * base 31:16, XN 15, TEX 14:12, nG 11, S 10, AP[2] 9, AP[1:0] 5:4),
 * 1x small page (4 KiB: base 31:12, nG 11, S 10, AP[2] 9, TEX 8:6,
 * AP[1:0] 5:4, XN 0). */
static int walk_short(uint32_t ttbr0, uint32_t ttbr1, uint32_t ttbcr, uint32_t va,
                      arm_phys_read_fn rd, void *ctx, const walk_opts *o,
                      arm_walk_result *r)
{
    unsigned n = TTBCR_N(ttbcr);
    uint32_t base, idx;
    int disabled;

    if (n && (va >> (32 - n)) != 0) {
        r->ttbr = 1;
        base = ttbr1 & 0xFFFFC000u;            /* TTBR1 table is always 16 KiB */
        idx = va >> 20;
        disabled = (ttbcr & TTBCR_PD1) != 0;
    } else {
        r->ttbr = 0;
        base = ttbr0 & ~((1u << (14 - n)) - 1); /* bits 31:14-N */
        idx = (va >> 20) & ((1u << (12 - n)) - 1);
        disabled = (ttbcr & TTBCR_PD0) != 0;
    }
    if (disabled)
        return fault(r, "translation fault", 1, r->ttbr ?
                     "TTBCR.PD1 is set: TTBR1 walks disabled" :
                     "TTBCR.PD0 is set: TTBR0 walks disabled");

    uint64_t d;
    uint32_t l1_pa = base | (idx << 2);
    arm_walk_step *s = arm_walk_add_step(r, 1, base, l1_pa);
    if (arm_walk_read_desc(rd, ctx, l1_pa, 4, o->big_endian, &d) < 0)
        return fault(r, "table unreadable", 1, "first-level table could not be read");
    s->desc = d;

    switch (d & 3) {
    case 0:
        s->kind = "invalid";
        return fault(r, "translation fault", 1, NULL);
    case 1: {                                   /* second-level table */
        s->kind = "page table";
        r->domain = (int)((d >> 5) & 0xF);
        r->ns = (int)((d >> 3) & 1);
        r->pxn = (int)((d >> 2) & 1);
        uint32_t l2_base = (uint32_t)d & 0xFFFFFC00u;
        uint32_t l2_pa = l2_base | (((va >> 12) & 0xFF) << 2);
        s = arm_walk_add_step(r, 2, l2_base, l2_pa);
        if (arm_walk_read_desc(rd, ctx, l2_pa, 4, o->big_endian, &d) < 0)
            return fault(r, "table unreadable", 2, "second-level table could not be read");
        s->desc = d;
        if ((d & 3) == 0) {
            s->kind = "invalid";
            return fault(r, "translation fault", 2, NULL);
        }
        if ((d & 3) == 1) {
            s->kind = "large page";
            r->block_size = 0x10000;
            r->out_addr = (d & 0xFFFF0000u) | (va & 0xFFFFu);
            r->xn = (int)((d >> 15) & 1);
        } else {
            s->kind = "small page";
            r->block_size = 0x1000;
            r->out_addr = (d & 0xFFFFF000u) | (va & 0xFFFu);
            r->xn = (int)(d & 1);
        }
        r->ap = (int)((((d >> 9) & 1) << 2) | ((d >> 4) & 3));
        if (o->afe) {
            r->af = (int)((d >> 4) & 1);        /* AP[0] */
            if (!r->af)
                return fault(r, "access flag fault", 2, "AP[0] (access flag) is 0 with SCTLR.AFE=1");
        }
        r->ok = 1;
        return HVP_OK;
    }
    default: {                                  /* section or supersection */
        if (d & (1u << 18)) {
            s->kind = "supersection";
            r->block_size = 0x1000000;
            r->domain = 0;
            r->out_addr = (((d >> 5) & 0xFull) << 36) | (((d >> 20) & 0xFull) << 32) |
                          (d & 0xFF000000u) | (va & 0xFFFFFFu);
        } else {
            s->kind = "section";
            r->block_size = 0x100000;
            r->domain = (int)((d >> 5) & 0xF);
            r->out_addr = (d & 0xFFF00000u) | (va & 0xFFFFFu);
        }
        r->ns = (int)((d >> 19) & 1);
        r->xn = (int)((d >> 4) & 1);
        r->pxn = (int)(d & 1);
        r->ap = (int)((((d >> 15) & 1) << 2) | ((d >> 10) & 3));
        if ((d & 3) == 3)
            r->why = "descriptor type 0b11: section with PXN; reserved (a translation "
                     "fault) on CPUs without the PXN extension, e.g. Cortex-A9";
        if (o->afe) {
            r->af = (int)((d >> 10) & 1);       /* AP[0] */
            if (!r->af)
                return fault(r, "access flag fault", 1, "AP[0] (access flag) is 0 with SCTLR.AFE=1");
        }
        r->ok = 1;
        return HVP_OK;
    }
    }
}

int arm_walk_short(uint32_t ttbr0, uint32_t ttbr1, uint32_t ttbcr, uint32_t va,
                   arm_phys_read_fn rd, void *ctx, arm_walk_result *r,
                   hvp_error *err)
{
    int rc = arm_walk_check_args(rd, r, "arm_walk_short", err);
    if (rc)
        return rc;
    if (ttbcr & TTBCR_EAE)
        return hvp_fail(err, HVP_E_INVAL,
                        "arm_walk_short: TTBCR.EAE is set (long-descriptor format); "
                        "use arm_walk_lpae_s1");
    walk_opts o = { 0, 0 };
    arm_walk_result_init(r, "short-descriptor", va);
    return walk_short(ttbr0, ttbr1, ttbcr, va, rd, ctx, &o, r);
}

/* ---- long-descriptor ----------------------------------------------------- */

/* Walk from `start` (1 or 2) to level 3 with a 4 KiB granule.  Level L
 * resolves address bits [39 - 9(L-1) : 30 - 9(L-1)] i.e. level 1 bits
 * 38:30 (wider for concatenated stage-2 tables), level 2 bits 29:21,
 * level 3 bits 20:12; the first lookup resolves everything above its
 * shift up to `inputsize`.  Descriptor bits 1:0 (B3.6.1): x0 invalid;
 * levels 1-2: 01 block, 11 table; level 3: 11 page, 01 reserved.
 * Stage-1 table descriptors carry NSTable 63, APTable 62:61, XNTable 60,
 * PXNTable 59, which restrict everything below; stage 2 ignores them. */
static int walk_lpae(uint64_t base, uint64_t addr, unsigned inputsize, int start,
                     int stage, arm_phys_read_fn rd, void *ctx, const walk_opts *o,
                     arm_walk_result *r)
{
    uint64_t table = base;
    int xn_t = 0, pxn_t = 0, ns_t = 0, ap_t = 0;

    for (int level = start; level <= 3; level++) {
        unsigned shift = 39 - 9 * (unsigned)level;
        unsigned bits = level == start ? inputsize - shift : 9;
        uint64_t idx = (addr >> shift) & ((1ull << bits) - 1);
        uint64_t desc_pa = table + idx * 8;
        uint64_t d;

        arm_walk_step *s = arm_walk_add_step(r, level, table, desc_pa);
        if (arm_walk_read_desc(rd, ctx, desc_pa, 8, o->big_endian, &d) < 0)
            return fault(r, "table unreadable", level, "translation table could not be read");
        s->desc = d;

        if (!(d & 1)) {
            s->kind = "invalid";
            return fault(r, "translation fault", level, NULL);
        }
        if (level < 3 && (d & 3) == 3) {
            s->kind = "table";
            if (d & LD_HIGH_OA)
                return fault(r, "address size fault", level,
                             "next-level table address has bits 47:40 set");
            if (stage == 1) {
                xn_t |= (d & LD_XNTABLE) != 0;
                pxn_t |= (d & LD_PXNTABLE) != 0;
                ns_t |= (d & LD_NSTABLE) != 0;
                ap_t |= (int)((d >> 61) & 3);
            }
            table = d & LD_ADDR_MASK;
            continue;
        }
        if (level == 3 && (d & 3) == 1) {
            s->kind = "reserved";
            return fault(r, "translation fault", 3,
                         "level-3 descriptor type 0b01 is reserved");
        }
        s->kind = level == 3 ? "page" : "block";
        r->block_size = 1ull << shift;
        r->ap = (int)((d >> 6) & 3);
        r->xn = ((d & LD_XN) != 0) | xn_t;
        r->af = (d & LD_AF) != 0;
        if (stage == 1) {
            r->pxn = ((d & LD_PXN) != 0) | pxn_t;
            r->ns = ((d & LD_NS) != 0) | ns_t;
            r->ap_table = ap_t;
        }
        if (d & LD_HIGH_OA)
            return fault(r, "address size fault", level,
                         "output address has bits 47:40 set");
        if (!r->af)
            return fault(r, "access flag fault", level, "AF (bit 10) is 0");
        r->out_addr = (d & LD_ADDR_MASK & ~(r->block_size - 1)) |
                      (addr & (r->block_size - 1));
        r->ok = 1;
        return HVP_OK;
    }
    return HVP_E_INTERNAL;  /* unreachable: level 3 always ends the loop */
}

/* TTBR0/TTBR1 choice with TTBCR.EAE=1 (B3.6.4): with T1SZ=0 TTBR1 takes
 * everything above the TTBR0 region, with T0SZ=0 TTBR0 takes everything
 * below the TTBR1 region; with both non-zero there can be a hole between
 * them, which faults at level 1.  The first lookup is at level 1 when
 * TxSZ is 0 or 1, else at level 2; BADDR is bits 39:x with x = 5 - TxSZ
 * (level 1 start) or 14 - TxSZ (level 2 start). */
static int walk_lpae_s1(uint64_t ttbr0, uint64_t ttbr1, uint32_t ttbcr, uint32_t va,
                        arm_phys_read_fn rd, void *ctx, const walk_opts *o,
                        arm_walk_result *r)
{
    unsigned t0sz = TTBCR_T0SZ(ttbcr), t1sz = TTBCR_T1SZ(ttbcr);
    int in0 = t0sz == 0 || (va >> (32 - t0sz)) == 0;
    int in1 = t1sz != 0 && (va >> (32 - t1sz)) == (0xFFFFFFFFu >> (32 - t1sz));
    int sel;

    if (in1)
        sel = 1;
    else if (in0)
        sel = 0;
    else if (t1sz == 0)
        sel = 1;                     /* everything above the TTBR0 region */
    else
        return fault(r, "translation fault", 1,
                     "VA lies between the TTBR0 and TTBR1 regions (TTBCR.T0SZ/T1SZ)");
    r->ttbr = sel;

    unsigned tsz = sel ? t1sz : t0sz;
    if (ttbcr & (sel ? TTBCR_EPD1 : TTBCR_EPD0))
        return fault(r, "translation fault", 1, sel ?
                     "TTBCR.EPD1 is set: TTBR1 walks disabled" :
                     "TTBCR.EPD0 is set: TTBR0 walks disabled");
    int start = tsz <= 1 ? 1 : 2;
    unsigned x = start == 1 ? 5 - tsz : 14 - tsz;
    uint64_t base = (sel ? ttbr1 : ttbr0) & 0xFFFFFFFFFFull & ~((1ull << x) - 1);
    return walk_lpae(base, va, 32 - tsz, start, 1, rd, ctx, o, r);
}

int arm_walk_lpae_s1(uint64_t ttbr0, uint64_t ttbr1, uint32_t ttbcr, uint32_t va,
                     arm_phys_read_fn rd, void *ctx, arm_walk_result *r,
                     hvp_error *err)
{
    int rc = arm_walk_check_args(rd, r, "arm_walk_lpae_s1", err);
    if (rc)
        return rc;
    if (!(ttbcr & TTBCR_EAE))
        return hvp_fail(err, HVP_E_INVAL,
                        "arm_walk_lpae_s1: TTBCR.EAE is 0 (short-descriptor format); "
                        "use arm_walk_short");
    walk_opts o = { 0, 0 };
    arm_walk_result_init(r, "long-descriptor stage 1", va);
    return walk_lpae_s1(ttbr0, ttbr1, ttbcr, va, rd, ctx, &o, r);
}

/* Stage 2 (B3.6.6): IPA size 32 - T0SZ; SL0=0 starts at level 2 (T0SZ 7
 * down to -2: up to 16 concatenated level-2 tables), SL0=1 at level 1
 * (T0SZ 1 down to -8: up to 2 concatenated level-1 tables).  BADDR is
 * VTTBR bits 39:x, x = 14 - T0SZ (level 2) or 5 - T0SZ (level 1). */
int arm_walk_lpae_s2(uint64_t vttbr, uint32_t vtcr, uint64_t ipa,
                     arm_phys_read_fn rd, void *ctx, arm_walk_result *r,
                     hvp_error *err)
{
    int rc = arm_walk_check_args(rd, r, "arm_walk_lpae_s2", err);
    if (rc)
        return rc;
    unsigned raw = VTCR_T0SZ(vtcr);
    int t0sz = (raw & 8) ? (int)raw - 16 : (int)raw;
    unsigned sl0 = VTCR_SL0(vtcr);
    if (((vtcr & VTCR_S) != 0) != ((raw & 8) != 0))
        return hvp_fail(err, HVP_E_INVAL,
                        "VTCR 0x%08x: S (bit 4) must equal T0SZ[3]", (unsigned)vtcr);
    if (sl0 > 1)
        return hvp_fail(err, HVP_E_INVAL,
                        "VTCR 0x%08x: SL0=%u is reserved", (unsigned)vtcr, sl0);
    int start = sl0 == 1 ? 1 : 2;
    if ((start == 2 && t0sz < -2) || (start == 1 && t0sz > 1))
        return hvp_fail(err, HVP_E_INVAL,
                        "VTCR 0x%08x: T0SZ=%d (%d-bit IPA) cannot start at level %d "
                        "(SL0=%u); hardware would fault every access",
                        (unsigned)vtcr, t0sz, 32 - t0sz, start, sl0);

    walk_opts o = { 0, 0 };
    arm_walk_result_init(r, "long-descriptor stage 2", ipa);
    unsigned inputsize = (unsigned)(32 - t0sz);
    if (ipa >> inputsize)
        return fault(r, "translation fault", start,
                     "IPA is beyond the input size set by VTCR.T0SZ");
    unsigned x = start == 1 ? (unsigned)(5 - t0sz) : (unsigned)(14 - t0sz);
    uint64_t base = vttbr & 0xFFFFFFFFFFull & ~((1ull << x) - 1);
    return walk_lpae(base, ipa, inputsize, start, 2, rd, ctx, &o, r);
}

int arm_walk_stage1(uint32_t sctlr, uint64_t ttbr0, uint64_t ttbr1, uint32_t ttbcr,
                    uint32_t va, arm_phys_read_fn rd, void *ctx,
                    arm_walk_result *r, hvp_error *err)
{
    int rc = arm_walk_check_args(rd, r, "arm_walk_stage1", err);
    if (rc)
        return rc;
    walk_opts o = { (sctlr & SCTLR_EE) != 0, (sctlr & SCTLR_AFE) != 0 };
    if (!(sctlr & SCTLR_M)) {
        arm_walk_result_init(r, "MMU off", va);
        r->ok = 1;
        r->out_addr = va;
        r->why = "SCTLR.M is 0: addresses are flat";
        return HVP_OK;
    }
    if (ttbcr & TTBCR_EAE) {
        arm_walk_result_init(r, "long-descriptor stage 1", va);
        o.afe = 0;   /* the long format always has an access flag */
        return walk_lpae_s1(ttbr0, ttbr1, ttbcr, va, rd, ctx, &o, r);
    }
    arm_walk_result_init(r, "short-descriptor", va);
    return walk_short((uint32_t)ttbr0, (uint32_t)ttbr1, ttbcr, va, rd, ctx, &o, r);
}

/* ---- stage-2 composed reader --------------------------------------------- */

/* Translate each 4 KiB-page piece of the IPA range through stage 2 and
 * read it.  Fails (-1) when any piece does not translate or cannot be
 * read; `last` keeps the stage-2 walk of the piece that failed. */
int arm_walk_read_through_s2(arm_s2_walk_fn walk, const void *cfg, arm_phys_read_fn rd, void *ctx,
                             arm_walk_result *last, uint64_t ipa, void *buf, size_t len)
{
    uint8_t *out = buf;
    if (!rd || (!buf && len))
        return -1;
    while (len) {
        size_t chunk = 0x1000 - (size_t)(ipa & 0xFFF);
        if (chunk > len)
            chunk = len;
        if (walk(cfg, ipa, rd, ctx, last) < 0 || !last->ok)
            return -1;
        if (rd(ctx, last->out_addr, out, chunk) < 0)
            return -1;
        out += chunk;
        ipa += chunk;
        len -= chunk;
    }
    return 0;
}

static int lpae_s2_walk(const void *cfg, uint64_t ipa, arm_phys_read_fn rd, void *ctx, arm_walk_result *r)
{
    const arm_s2_reader *s = cfg;
    return arm_walk_lpae_s2(s->vttbr, s->vtcr, ipa, rd, ctx, r, NULL);
}

int arm_s2_read(void *ctx, uint64_t ipa, void *buf, size_t len)
{
    arm_s2_reader *s = ctx;
    return s ? arm_walk_read_through_s2(lpae_s2_walk, s, s->rd, s->ctx, &s->last, ipa, buf, len) : -1;
}

/* ---- one line ------------------------------------------------------------ */

static int regime_is(const arm_walk_result *r, const char *name)
{
    return r->regime && !strcmp(r->regime, name);
}

static const char *reg_name(const arm_walk_result *r)
{
    if (regime_is(r, "long-descriptor stage 2"))
        return "VTTBR";
    return r->ttbr == 1 ? "TTBR1" : r->ttbr == 0 ? "TTBR0" : NULL;
}

int arm_walk_describe(const arm_walk_result *r, char *buf, size_t n, hvp_error *err)
{
    if (!r || !buf || n == 0)
        return hvp_fail(err, HVP_E_INVAL, "arm_walk_describe: NULL argument");
    buf[0] = '\0';
    hvp_line t = { buf, n, 0, 0 };
    int s2 = regime_is(r, "long-descriptor stage 2");
    int sd = regime_is(r, "short-descriptor");
    const char *in = s2 ? "IPA" : "VA";
    const char *reg = reg_name(r);
    const arm_walk_step *last = r->nsteps ? &r->steps[r->nsteps - 1] : NULL;

    if (r->ok) {
        hvp_line_put(&t, "%s 0x%llx maps to 0x%llx", in, (unsigned long long)r->in_addr,
            (unsigned long long)r->out_addr);
        if (!last) {
            hvp_line_put(&t, " (%s)", r->why ? r->why : r->regime ? r->regime : "flat");
        } else {
            hvp_line_put(&t, " via %s: %s, ", reg ? reg : "?", last->kind ? last->kind : "?");
            hvp_line_put_size(&t, r->block_size);
            if (sd)
                hvp_line_put(&t, ", AP=0b%d%d%d", (r->ap >> 2) & 1, (r->ap >> 1) & 1, r->ap & 1);
            else
                hvp_line_put(&t, ", %s=0b%d%d", s2 ? "HAP" : "AP[2:1]", (r->ap >> 1) & 1, r->ap & 1);
            hvp_line_put(&t, " XN=%d", r->xn);
            if (r->pxn >= 0)
                hvp_line_put(&t, " PXN=%d", r->pxn);
            if (r->ns >= 0)
                hvp_line_put(&t, " NS=%d", r->ns);
            if (r->domain >= 0)
                hvp_line_put(&t, " domain %d", r->domain);
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
        hvp_line_put(&t, " (%s", reg ? reg : r->regime ? r->regime : "?");
        if (last) {
            if (last->kind && !strcmp(last->kind, "unreadable"))
                hvp_line_put(&t, "; level-%d descriptor at 0x%llx unreadable", last->level,
                    (unsigned long long)last->desc_pa);
            else if (sd)
                hvp_line_put(&t, "; level-%d descriptor at 0x%llx = 0x%08llx", last->level,
                    (unsigned long long)last->desc_pa, (unsigned long long)last->desc);
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
                        "arm_walk_describe: buffer of %zu bytes too small (need %zu)",
                        n, t.len + 1);
    return HVP_OK;
}
