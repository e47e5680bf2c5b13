/* test_ptwalk64.c - AArch64 stage-1 (4/16/64 KiB granules, two-range and
 * single-range regimes) and stage-2 walks over hand-built translation
 * tables in a fake sparse physical memory.  Table indices were worked out
 * by hand from the Arm ARM's level/bit ranges and are written out as
 * constants, not recomputed with the walker's formulas. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arch/arm/fault.h"
#include "arch/arm64/ptwalk64.h"

#include "fake_phys.h"

static void w64(uint64_t pa, uint64_t v) { wbytes(pa, v, 8, 0); }
static void w64be(uint64_t pa, uint64_t v) { wbytes(pa, v, 8, 1); }
static void w32(uint64_t pa, uint32_t v) { wbytes(pa, v, 4, 0); }

static const char *describe(const arm_walk_result *r)
{
    static char line[320];
    assert_int_equal(a64_walk_describe(r, line, sizeof line, NULL), HVP_OK);
    return line;
}

/* Walk (expecting HVP_OK) into the test's local `r`, then check it; as
 * macros, so a failure names the test's line. */
#define S1(rg, tcr, t0, t1, va) assert_int_equal( \
    a64_walk_s1((rg), (tcr), (t0), (t1), (va), fake_read, &mem, &r, NULL), HVP_OK)
#define S2(vtcr, vttbr, ipa) assert_int_equal( \
    a64_walk_s2((vtcr), (vttbr), (ipa), fake_read, &mem, &r, NULL), HVP_OK)
#define EXPECT_OK(out, n) do { assert_int_equal(r.ok, 1); assert_null(r.fault); \
    assert_int_equal(r.out_addr, (out)); assert_int_equal(r.nsteps, (n)); } while (0)
#define EXPECT_FAULT(f, lvl, n) do { assert_int_equal(r.ok, 0); \
    assert_string_equal(r.fault, (f)); assert_int_equal(r.fault_level, (lvl)); \
    assert_int_equal(r.nsteps, (n)); } while (0)

/* ---- descriptors and TCR fields ------------------------------------------ */

#define D_TABLE   0x3ull
#define D_BLOCK   0x1ull
#define D_PAGE    0x3ull
#define D_AF      (1ull << 10)
#define D_AP(v)   ((uint64_t)(v) << 6)
#define D_PXN     (1ull << 53)
#define D_UXN     (1ull << 54)
#define D_UXNT    (1ull << 60)
#define D_APT(v)  ((uint64_t)(v) << 61)

#define T0SZ(v)   ((uint64_t)(v))
#define EPD0      (1ull << 7)
#define TG0_4K    (0ull << 14)
#define TG0_64K   (1ull << 14)
#define TG0_16K   (2ull << 14)
#define T1SZ(v)   ((uint64_t)(v) << 16)
#define EPD1      (1ull << 23)
#define TG1_16K   (1ull << 30)
#define TG1_4K    (2ull << 30)
#define IPS(v)    ((uint64_t)(v) << 32)
#define TBI0      (1ull << 37)
#define TBI1      (1ull << 38)
#define HPD1      (1ull << 42)
#define EL10      A64_REGIME_EL10

/* EL1&0, 4 KiB both halves, 48-bit VAs, 48-bit PA, with the
 * cacheability/shareability fields set as Linux sets them. */
#define TCR_48 (T0SZ(16) | T1SZ(16) | TG0_4K | TG1_4K | IPS(5) | (1ull << 8) | \
                (1ull << 10) | (3ull << 12) | (1ull << 24) | (1ull << 26) | \
                (3ull << 28) | (1ull << 36))

#define TTB4K 0x40000000ull

/* 4 KiB granule, 48-bit: L0 0x40000000 -> L1 0x40001000 -> L2 0x40002000
 * -> L3 0x40003000.  VA 0x8040203abc indexes L0[1] L1[1] L2[1] L3[3]. */
static void build_4k(void)
{
    w64(TTB4K + 1 * 8, 0x40001000ull | D_TABLE);                     /* L0[1] */
    w64(TTB4K + 3 * 8, 0x80000000ull | D_AF | D_BLOCK);              /* L0[3]: no L0 blocks */
    w64(0x40001000 + 1 * 8, 0x40002000ull | D_TABLE);                /* L1[1] */
    w64(0x40001000 + 2 * 8, 0x140000000ull | D_AF | D_AP(1) | D_BLOCK); /* L1[2]: 1 GiB */
    w64(0x40001000 + 4 * 8, 0x70000000ull | D_TABLE);                /* L1[4]: not memory */
    w64(0x40001000 + 5 * 8, 0x20000000000ull | D_TABLE);             /* L1[5]: bit 41 */
    w64(0x40002000 + 1 * 8, 0x40003000ull | D_TABLE);                /* L2[1] */
    w64(0x40002000 + 2 * 8, 0x80600000ull | D_AF | D_UXN | D_BLOCK); /* L2[2]: 2 MiB */
    w64(0x40003000 + 3 * 8, 0x87654000ull | D_AF | D_AP(2) | D_UXN | D_PXN | D_PAGE);
    w64(0x40003000 + 5 * 8, 0x87655000ull | D_PAGE);                 /* AF = 0 */
    w64(0x40003000 + 6 * 8, 0x87656000ull | D_AF | 0x1);             /* L3 type 01 */
    w64(0x40003000 + 7 * 8, 0x10000000000ull | D_AF | D_PAGE);       /* OA bit 40 */
}

/* ---- 4 KiB granule ------------------------------------------------------- */

static void test_4k_48bit_levels_0_to_3(void **state)
{
    (void)state;
    arm_walk_result r;
    build_4k();
    /* ASID in 63:48 and CnP (bit 0) are not part of the base */
    const uint64_t ttbr0 = (0x42ull << 48) | TTB4K | 1;
    S1(EL10, TCR_48, ttbr0, 0, 0x8040203ABCull);
    EXPECT_OK(0x87654ABCull, 4);
    assert_string_equal(r.regime, "AArch64 stage 1 (4 KiB granule)");
    assert_int_equal(r.ttbr, 0);
    const uint64_t table[4] = { 0x40000000, 0x40001000, 0x40002000, 0x40003000 };
    const uint64_t dpa[4] = { 0x40000008, 0x40001008, 0x40002008, 0x40003018 };
    for (int i = 0; i < 4; i++) {
        assert_int_equal(r.steps[i].level, i);
        assert_int_equal(r.steps[i].table_pa, table[i]);
        assert_int_equal(r.steps[i].desc_pa, dpa[i]);
        assert_string_equal(r.steps[i].kind, i < 3 ? "table" : "page");
    }
    assert_int_equal(r.steps[3].desc, 0x87654000ull | D_AF | D_AP(2) | D_UXN | D_PXN | D_PAGE);
    assert_int_equal(r.block_size, 0x1000);
    assert_int_equal(r.ap, 2);
    assert_int_equal(r.ap_table, 0);
    assert_int_equal(r.xn, 1);
    assert_int_equal(r.pxn, 1);
    assert_int_equal(r.ns, 0);
    assert_int_equal(r.af, 1);
    assert_int_equal(r.domain, -1);
    assert_string_equal(describe(&r), "VA 0x8040203abc maps to 0x87654abc via TTBR0: page, "
                                      "4 KiB, AP[2:1]=0b10 UXN=1 PXN=1 NS=0");
    /* 1 GiB block at level 1 */
    S1(EL10, TCR_48, ttbr0, 0, 0x8080123456ull);
    EXPECT_OK(0x140123456ull, 2);
    assert_string_equal(r.steps[1].kind, "block");
    assert_int_equal(r.block_size, 1ull << 30);
    assert_int_equal(r.ap, 1);
    assert_int_equal(r.xn, 0);
    assert_non_null(strstr(describe(&r), "block, 1 GiB, AP[2:1]=0b01 UXN=0 PXN=0"));
    /* 2 MiB block at level 2 */
    S1(EL10, TCR_48, ttbr0, 0, 0x8040401234ull);
    EXPECT_OK(0x80601234ull, 3);
    assert_int_equal(r.steps[2].desc_pa, 0x40002010);
    assert_int_equal(r.block_size, 2ull << 20);
    assert_int_equal(r.xn, 1);
    assert_non_null(strstr(describe(&r), "block, 2 MiB"));
    /* TBI0: the tag byte of a user pointer is no part of the address */
    S1(EL10, TCR_48 | TBI0, ttbr0, 0, 0x0A00008040203ABCull);
    EXPECT_OK(0x87654ABCull, 4);
    assert_int_equal(r.in_addr, 0x0A00008040203ABCull);
    S1(EL10, TCR_48, ttbr0, 0, 0x0A00008040203ABCull);
    EXPECT_FAULT("translation fault", 0, 0);
}

static void test_4k_faults_at_each_level(void **state)
{
    (void)state;
    arm_walk_result r;
    build_4k();
    struct { uint64_t va; const char *fault; int level; const char *kind; } c[] = {
        { 0x10000000000ull, "translation fault", 0, "invalid" },   /* L0[2] */
        { 0x18000000000ull, "translation fault", 0, "reserved" },  /* L0[3] block */
        { 0x80C0000000ull, "translation fault", 1, "invalid" },    /* L1[3] */
        { 0x8040600000ull, "translation fault", 2, "invalid" },    /* L2[3] */
        { 0x8040204000ull, "translation fault", 3, "invalid" },    /* L3[4] */
        { 0x8040205000ull, "access flag fault", 3, "page" },       /* L3[5] */
        { 0x8040206000ull, "translation fault", 3, "reserved" },   /* L3[6] */
        { 0x8100000000ull, "table unreadable", 2, "unreadable" },  /* L1[4] -> hole */
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        S1(EL10, TCR_48, TTB4K, 0, c[i].va);
        EXPECT_FAULT(c[i].fault, c[i].level, c[i].level + 1);
        assert_string_equal(r.steps[r.nsteps - 1].kind, c[i].kind);
        /* the status code the CPU would report names the same level */
        if (strcmp(c[i].fault, "table unreadable")) {
            arm_fsr_info f;
            unsigned base = !strcmp(c[i].fault, "access flag fault") ? 0x08 : 0x04;
            arm_lfsc_decode(base | (unsigned)r.fault_level, 0, &f);
            assert_int_equal(f.level, r.fault_level);
        }
    }
    /* the L0 block and the L3 0b01 say why they are invalid */
    S1(EL10, TCR_48, TTB4K, 0, 0x18000000000ull);
    assert_non_null(strstr(r.why, "block descriptor is not allowed"));
    S1(EL10, TCR_48, TTB4K, 0, 0x8040206000ull);
    assert_non_null(strstr(r.why, "0b01 is reserved"));
    /* the one-line forms */
    S1(EL10, TCR_48, TTB4K, 0, 0x8040204000ull);
    assert_null(r.why);
    assert_string_equal(describe(&r), "VA 0x8040204000: translation fault, level 3 (TTBR0; "
                                      "level-3 descriptor at 0x40003020 = 0x0000000000000000)");
    S1(EL10, TCR_48, TTB4K, 0, 0x8040205000ull);
    assert_int_equal(r.af, 0);
    assert_non_null(strstr(r.why, "AF"));
    S1(EL10, TCR_48, TTB4K, 0, 0x8100000000ull);
    assert_int_equal(r.steps[2].desc_pa, 0x70000000);
    assert_string_equal(describe(&r), "VA 0x8100000000: table unreadable, level 2 (TTBR0; "
                                      "level-2 descriptor at 0x70000000 unreadable; "
                                      "translation table could not be read)");
    /* the TTBR0 table itself unreadable: level 0 */
    S1(EL10, TCR_48, 0x7FFFF000, 0, 0x8040203ABCull);
    EXPECT_FAULT("table unreadable", 0, 1);
}

static void test_4k_address_size(void **state)
{
    (void)state;
    arm_walk_result r;
    build_4k();
    const uint64_t tcr40 = (TCR_48 & ~IPS(7)) | IPS(2);   /* 40-bit PA */
    /* page at PA bit 40: fine with a 48-bit PA, a level-3 fault with 40 */
    S1(EL10, TCR_48, TTB4K, 0, 0x8040207010ull);
    EXPECT_OK(0x10000000010ull, 4);
    S1(EL10, tcr40, TTB4K, 0, 0x8040207010ull);
    EXPECT_FAULT("address size fault", 3, 4);
    assert_non_null(strstr(r.why, "output address has bits set above TCR.{I}PS"));
    /* a next-level table address beyond it: fault at the table's level */
    S1(EL10, tcr40, TTB4K, 0, 0x8140000000ull);
    EXPECT_FAULT("address size fault", 1, 2);
    assert_string_equal(r.steps[1].kind, "table");
    assert_non_null(strstr(r.why, "next-level table address"));
    /* the TTBR itself: level 0, nothing read */
    int reads = mem.reads;
    S1(EL10, tcr40, 0x10000000000ull | TTB4K, 0, 0x8040203ABCull);
    EXPECT_FAULT("address size fault", 0, 0);
    assert_int_equal(mem.reads, reads);
    assert_non_null(strstr(r.why, "TTBR0 base"));
}

static void test_4k_39bit_start_level1_and_ranges(void **state)
{
    (void)state;
    arm_walk_result r;
    const uint64_t tcr = T0SZ(25) | T1SZ(25) | TG0_4K | TG1_4K | IPS(5);
    const uint64_t ttb = 0x40010000;
    w64(ttb + 0x1FF * 8, 0x40000000ull | D_AF | D_BLOCK);   /* L1[511]: 1 GiB */
    S1(EL10, tcr, ttb, 0, 0x7FC0001000ull);
    EXPECT_OK(0x40001000, 1);
    assert_int_equal(r.steps[0].level, 1);
    assert_int_equal(r.steps[0].desc_pa, 0x40010FF8);
    /* bits below the 4 KiB table are RES0 and ignored */
    S1(EL10, tcr, ttb | 0xFFE, 0, 0x7FC0001000ull);
    EXPECT_OK(0x40001000, 1);
    /* VA bit 39 with 39-bit ranges: in neither half, nothing read */
    int reads = mem.reads;
    S1(EL10, tcr, ttb, 0, 0x8000000000ull);
    EXPECT_FAULT("translation fault", 0, 0);
    assert_int_equal(r.ttbr, -1);
    assert_int_equal(mem.reads, reads);
    assert_string_equal(describe(&r), "VA 0x8000000000: translation fault, level 0 (no TTBR; "
                                      "VA is in neither the TTBR0 nor the TTBR1 range "
                                      "(TCR.T0SZ/T1SZ))");
    /* ... and a kernel address just below the TTBR1 range */
    S1(EL10, tcr, ttb, 0, 0xFFFFFF7FFFFFFFFFull);
    EXPECT_FAULT("translation fault", 0, 0);
    assert_int_equal(r.ttbr, -1);
}

/* ---- 16 KiB and 64 KiB granules ------------------------------------------ */

static void test_16k_granule(void **state)
{
    (void)state;
    arm_walk_result r;
    /* 48-bit: L0 resolves VA[47] (2 entries), L1 46:36, L2 35:25, L3 24:14 */
    const uint64_t tcr = T0SZ(16) | TG0_16K | T1SZ(16) | TG1_16K | IPS(5);
    const uint64_t ttb = 0x40100000;
    w64(ttb + 1 * 8, 0x40104000ull | D_TABLE);                      /* L0[1] */
    /* table address bits 13:12 are RES0 with 16 KiB and ignored */
    w64(0x40104000 + 1 * 8, 0x40108000ull | 0x3000 | D_TABLE);      /* L1[1] */
    w64(0x40104000 + 2 * 8, 0x80000000ull | D_AF | D_BLOCK);        /* L1[2]: no L1 blocks */
    w64(0x40108000 + 2 * 8, 0x4010C000ull | D_TABLE);               /* L2[2] */
    w64(0x40108000 + 3 * 8, 0x42000000ull | D_AF | D_BLOCK);        /* L2[3]: 32 MiB */
    w64(0x4010C000 + 0x20 * 8, 0x90004000ull | D_AF | D_PAGE);      /* L3[0x20]: 16 KiB */

    S1(EL10, tcr, ttb, 0, 0x801004081234ull);
    EXPECT_OK(0x90005234ull, 4);
    assert_string_equal(r.regime, "AArch64 stage 1 (16 KiB granule)");
    assert_int_equal(r.steps[0].desc_pa, ttb + 8);
    assert_int_equal(r.steps[2].table_pa, 0x40108000);
    assert_int_equal(r.steps[3].desc_pa, 0x4010C100);
    assert_int_equal(r.block_size, 16 * 1024);
    assert_non_null(strstr(describe(&r), "page, 16 KiB"));
    S1(EL10, tcr, ttb, 0, 0x801006123456ull);
    EXPECT_OK(0x42123456ull, 3);
    assert_int_equal(r.block_size, 32ull << 20);
    assert_non_null(strstr(describe(&r), "block, 32 MiB"));
    S1(EL10, tcr, ttb, 0, 0x802000000000ull);
    EXPECT_FAULT("translation fault", 1, 2);
    assert_string_equal(r.steps[1].kind, "reserved");
    /* 47-bit VA: start at level 1, 2048 entries */
    S1(EL10, (tcr & ~T0SZ(0x3F)) | T0SZ(17), 0x40104000, 0, 0x1004081234ull);
    EXPECT_OK(0x90005234ull, 3);
    assert_int_equal(r.steps[0].level, 1);
}

static void test_64k_granule(void **state)
{
    (void)state;
    arm_walk_result r;
    /* 42-bit: start at level 2 (VA 41:29, 8192 entries), level 3 28:16 */
    const uint64_t tcr = T0SZ(22) | TG0_64K | T1SZ(22) | (3ull << 30) | IPS(5);
    const uint64_t ttb = 0x41000000;
    w64(ttb + 0x1000 * 8, 0x60000000ull | D_AF | D_BLOCK);          /* L2[0x1000]: 512 MiB */
    w64(ttb + 0x11A2 * 8, 0x41010000ull | D_TABLE);                 /* L2[0x11a2] */
    w64(0x41010000 + 0x1678 * 8, 0x87650000ull | 0x1000 | D_AF | D_PAGE); /* + OA[51:48]=1 */

    S1(EL10, tcr, ttb, 0, 0x20012345678ull);
    EXPECT_OK(0x72345678ull, 1);
    assert_string_equal(r.regime, "AArch64 stage 1 (64 KiB granule)");
    assert_int_equal(r.steps[0].level, 2);
    assert_int_equal(r.steps[0].desc_pa, 0x41008000);
    assert_int_equal(r.block_size, 512ull << 20);
    assert_non_null(strstr(describe(&r), "block, 512 MiB"));
    /* 64 KiB page; bits 15:12 are OA[51:48] only with a 52-bit PA */
    S1(EL10, tcr, ttb, 0, 0x23456789ABCull);
    EXPECT_OK(0x87659ABCull, 2);
    assert_int_equal(r.steps[0].desc_pa, 0x41008D10);
    assert_int_equal(r.steps[1].desc_pa, 0x4101B3C0);
    assert_int_equal(r.block_size, 64 * 1024);
    assert_non_null(strstr(describe(&r), "page, 64 KiB"));
    S1(EL10, (tcr & ~IPS(7)) | IPS(6), ttb, 0, 0x23456789ABCull);
    EXPECT_OK(0x0001000087659ABCull, 2);
    /* 48-bit VA with 64 KiB: start at level 1 (VA 47:42); an L1 block
     * needs a 52-bit PA and is taken as reserved */
    w64(0x41100000 + 1 * 8, 0x40000000000ull | D_AF | D_BLOCK);
    S1(EL10, T0SZ(16) | TG0_64K | IPS(5), 0x41100000, 0, 0x40000000000ull);
    EXPECT_FAULT("translation fault", 1, 1);
    assert_string_equal(r.steps[0].kind, "reserved");
}

/* ---- TTBR1, other regimes ------------------------------------------------ */

/* Kernel VA 0xffff800008010800, T1SZ=16: L0[0x100] L1[0] L2[0x40] L3[0x10] */
static const uint64_t KVA = 0xFFFF800008010800ull;
#define TTB1 0x41200000ull

static void test_ttbr1_kernel_address(void **state)
{
    (void)state;
    arm_walk_result r;
    w64(TTB1 + 0x100 * 8, 0x41201000ull | D_TABLE);
    w64(0x41201000, 0x41202000ull | D_APT(1) | D_TABLE);
    w64(0x41202000 + 0x40 * 8, 0x41203000ull | D_UXNT | D_TABLE);
    w64(0x41203000 + 0x10 * 8, 0x40210000ull | D_AF | (3ull << 8) | D_PAGE);
    const uint64_t ttbr1 = (5ull << 48) | TTB1;
    S1(EL10, TCR_48, TTB4K, ttbr1, KVA);
    EXPECT_OK(0x40210800ull, 4);
    assert_int_equal(r.ttbr, 1);
    assert_int_equal(r.steps[0].desc_pa, TTB1 + 0x800);
    assert_int_equal(r.steps[2].desc_pa, 0x41202200);
    assert_int_equal(r.steps[3].desc_pa, 0x41203080);
    assert_int_equal(r.xn, 1);         /* from UXNTable */
    assert_int_equal(r.pxn, 0);
    assert_int_equal(r.ap_table, 1);
    assert_string_equal(describe(&r), "VA 0xffff800008010800 maps to 0x40210800 via TTBR1: "
                                      "page, 4 KiB, AP[2:1]=0b00 UXN=1 PXN=0 NS=0 "
                                      "APTable=0b01");
    /* TCR.HPD1: the hierarchical attributes are off */
    S1(EL10, TCR_48 | HPD1, TTB4K, ttbr1, KVA);
    EXPECT_OK(0x40210800ull, 4);
    assert_int_equal(r.xn, 0);
    assert_int_equal(r.ap_table, 0);
    /* EPD1: no walk, level 0 */
    int reads = mem.reads;
    S1(EL10, TCR_48 | EPD1, TTB4K, ttbr1, KVA);
    EXPECT_FAULT("translation fault", 0, 0);
    assert_int_equal(r.ttbr, 1);
    assert_int_equal(mem.reads, reads);
    assert_non_null(strstr(describe(&r), "(TTBR1; TCR.EPD1 is set: TTBR1 walks disabled)"));
    /* EPD0 does not affect TTBR1 walks */
    S1(EL10, TCR_48 | EPD0, TTB4K, ttbr1, KVA);
    EXPECT_OK(0x40210800ull, 4);
    /* a tagged kernel pointer: only with TBI1 */
    const uint64_t tagged = 0xF4FF800008010800ull;
    S1(EL10, TCR_48, TTB4K, ttbr1, tagged);
    EXPECT_FAULT("translation fault", 0, 0);
    assert_int_equal(r.ttbr, -1);
    S1(EL10, TCR_48 | TBI1, TTB4K, ttbr1, tagged);
    EXPECT_OK(0x40210800ull, 4);
    /* neither range: bit 55 clear but VA[63:48] not zero */
    S1(EL10, TCR_48, TTB4K, ttbr1, 0x0001000000000000ull);
    EXPECT_FAULT("translation fault", 0, 0);
    assert_non_null(strstr(r.why, "neither"));
    /* EL2&0 (VHE) has the same two ranges */
    S1(A64_REGIME_EL20, TCR_48, TTB4K, ttbr1, KVA);
    EXPECT_OK(0x40210800ull, 4);
    assert_int_equal(r.ttbr, 1);
    assert_int_equal(r.pxn, 0);
}

static void test_el2_el3_single_range(void **state)
{
    (void)state;
    arm_walk_result r;
    hvp_error err = { 0, "" };
    build_4k();
    /* TCR_EL2 (E2H=0): RES1 bits 31 and 23 (bit 23 is not EPD1 here),
     * PS=5 in 18:16, T0SZ=16, 4 KiB */
    const uint64_t tcr_el2 = (1ull << 31) | (1ull << 23) | (5ull << 16) | (3ull << 12) | 16;
    S1(A64_REGIME_EL2, tcr_el2, TTB4K, 0xDEAD000, 0x8040203ABCull);
    EXPECT_OK(0x87654ABCull, 4);
    assert_int_equal(r.ttbr, 0);
    assert_int_equal(r.xn, 1);
    assert_int_equal(r.pxn, -1);          /* no PXN in a single-range regime */
    assert_string_equal(describe(&r), "VA 0x8040203abc maps to 0x87654abc via TTBR0: page, "
                                      "4 KiB, AP[2:1]=0b10 XN=1 NS=0");
    /* no upper range */
    S1(A64_REGIME_EL2, tcr_el2, TTB4K, 0, KVA);
    EXPECT_FAULT("translation fault", 0, 0);
    assert_int_equal(r.ttbr, -1);
    assert_non_null(strstr(r.why, "beyond the TTBR0 range"));
    /* PS is bits 18:16 here: 40-bit, the page at bit 40 faults */
    S1(A64_REGIME_EL2, (tcr_el2 & ~(7ull << 16)) | (2ull << 16), TTB4K, 0, 0x8040207000ull);
    EXPECT_FAULT("address size fault", 3, 4);
    /* EL3 with TBI (bit 20) */
    const uint64_t tcr_el3 = (1ull << 31) | (1ull << 23) | (1ull << 20) | (5ull << 16) | 16;
    S1(A64_REGIME_EL3, tcr_el3, TTB4K, 0, 0xAB00008040203ABCull);
    EXPECT_OK(0x87654ABCull, 4);
    S1(A64_REGIME_EL3, tcr_el3 & ~(1ull << 20), TTB4K, 0, 0xAB00008040203ABCull);
    EXPECT_FAULT("translation fault", 0, 0);
    /* bad arguments */
    assert_int_equal(a64_walk_s1(7, tcr_el3, TTB4K, 0, 0, fake_read, &mem, &r, &err),
                     HVP_E_INVAL);
    assert_non_null(strstr(err.msg, "regime 7"));
    assert_int_equal(a64_walk_s1(EL10, TCR_48, TTB4K, 0, 0, NULL, &mem, &r, &err), HVP_E_INVAL);
    assert_int_equal(a64_walk_s1(EL10, TCR_48, TTB4K, 0, 0, fake_read, &mem, NULL, &err),
                     HVP_E_INVAL);
}

static void test_stage1_dispatch_and_tcr_limits(void **state)
{
    (void)state;
    arm_walk_result r;
    hvp_error err = { 0, "" };
    /* MMU off: flat */
    assert_int_equal(a64_walk_stage1(EL10, 0x30D00800, TCR_48, TTB4K, 0, 0x8, fake_read, &mem,
                                     &r, NULL), HVP_OK);
    EXPECT_OK(0x8, 0);
    assert_string_equal(r.regime, "MMU off");
    assert_string_equal(describe(&r), "VA 0x8 maps to 0x8 (SCTLR.M is 0: addresses are flat)");
    assert_int_equal(a64_walk_stage1(9, 0, 0, 0, 0, 0, fake_read, &mem, &r, &err), HVP_E_INVAL);

    /* SCTLR.EE: big-endian descriptors (39-bit, one L1 block) */
    const uint64_t tcr = T0SZ(25) | TG0_4K | T1SZ(25) | TG1_4K | IPS(5);
    w64be(0x42000000 + 1 * 8, 0x40000000ull | D_AF | D_BLOCK);
    assert_int_equal(a64_walk_stage1(EL10, 1 | (1u << 25), tcr, 0x42000000, 0, 0x40000010,
                                     fake_read, &mem, &r, NULL), HVP_OK);
    EXPECT_OK(0x40000010, 1);
    assert_string_equal(r.regime, "AArch64 stage 1 (4 KiB granule)");
    /* read little-endian the same bytes are an invalid descriptor */
    assert_int_equal(a64_walk_stage1(EL10, 1, tcr, 0x42000000, 0, 0x40000010, fake_read, &mem,
                                     &r, NULL), HVP_OK);
    EXPECT_FAULT("translation fault", 1, 1);
    assert_string_equal(r.steps[0].kind, "invalid");

    /* TG0 = 3 is reserved: walked as 4 KiB, and said so */
    w64(0x42001000 + 1 * 8, 0x40000000ull | D_AF | D_BLOCK);
    S1(EL10, tcr | (3ull << 14), 0x42001000, 0, 0x40000010);
    EXPECT_OK(0x40000010, 1);
    assert_non_null(strstr(r.why, "TG0 holds a reserved value"));
    assert_non_null(strstr(describe(&r), "[TCR.TG0 holds a reserved value"));
    /* TxSZ out of range: level 0 translation fault */
    S1(EL10, (tcr & ~0x3Full) | 10, 0x42001000, 0, 0x10);
    EXPECT_FAULT("translation fault", 0, 0);
    assert_non_null(strstr(r.why, "below its minimum"));
    S1(EL10, (tcr & ~0x3Full) | 50, 0x42001000, 0, 0x10);
    EXPECT_FAULT("translation fault", 0, 0);
    assert_non_null(strstr(r.why, "above its maximum"));
    /* T0SZ=48 (FEAT_TTST): a 16-bit VA space, start at level 3 */
    w64(0x42002000 + 0xF * 8, 0x50000000ull | D_AF | D_PAGE);
    S1(EL10, (tcr & ~0x3Full) | 48, 0x42002000, 0, 0xF123);
    EXPECT_OK(0x50000123, 1);
    assert_int_equal(r.steps[0].level, 3);
    /* TCR_EL1.DS (FEAT_LPA2) with 4 KiB is not supported */
    assert_int_equal(a64_walk_s1(EL10, tcr | (1ull << 59), 0x42001000, 0, 0x10, fake_read, &mem,
                                 &r, &err), HVP_E_UNSUPPORTED);
    assert_non_null(strstr(err.msg, "FEAT_LPA2"));
}

/* ---- stage 2 ------------------------------------------------------------- */

#define VT_SL0(v)  ((uint64_t)(v) << 6)
#define VT_PS(v)   ((uint64_t)(v) << 16)
#define VT_RES1    (1ull << 31)
#define VTTBR      0x50000000ull

static void test_s2_4k_level1_two_concatenated(void **state)
{
    (void)state;
    arm_walk_result r;
    /* KVM's 40-bit IPA: T0SZ=24, SL0=1 (level 1).  Level 1 resolves
     * IPA[39:30], 10 bits: two concatenated 4 KiB tables, 8 KiB aligned */
    const uint64_t vtcr = VT_RES1 | VT_PS(2) | VT_SL0(1) | 24;
    const uint64_t vttbr = (0x7ull << 48) | VTTBR | 1;     /* VMID, CnP */
    w64(VTTBR + 1 * 8, 0x50010000ull | D_TABLE);              /* L1[1] */
    w64(VTTBR + 0x201 * 8, 0xC0000000ull | D_AF | D_AP(3) | D_BLOCK); /* 2nd table */
    w64(0x50010000, 0x50011000ull | D_TABLE);                 /* L2[0] */
    w64(0x50011000 + 1 * 8, 0x90001000ull | D_AF | D_AP(1) | (1ull << 53) | D_PAGE);

    S2(vtcr, vttbr, 0x8040001234ull);
    EXPECT_OK(0xC0001234ull, 1);
    assert_string_equal(r.regime, "AArch64 stage 2 (4 KiB granule)");
    assert_int_equal(r.ttbr, -1);
    assert_int_equal(r.steps[0].level, 1);
    assert_int_equal(r.steps[0].table_pa, VTTBR);
    assert_int_equal(r.steps[0].desc_pa, VTTBR + 0x1008);
    assert_int_equal(r.ap, 3);
    assert_int_equal(r.xn, 0);
    assert_int_equal(r.pxn, -1);
    assert_int_equal(r.ns, -1);
    assert_string_equal(describe(&r), "IPA 0x8040001234 maps to 0xc0001234 via VTTBR: block, "
                                      "1 GiB, S2AP=0b11 XN=0");
    S2(vtcr, vttbr, 0x40001234);
    EXPECT_OK(0x90001234ull, 3);
    assert_int_equal(r.steps[2].desc_pa, 0x50011008);
    assert_int_equal(r.xn, 1);            /* XN[1:0] = 0b01 */
    assert_string_equal(describe(&r), "IPA 0x40001234 maps to 0x90001234 via VTTBR: page, "
                                      "4 KiB, S2AP=0b01 XN=1");
    /* 39-bit IPA at level 1: a single table, same first entry */
    S2(VT_RES1 | VT_PS(2) | VT_SL0(1) | 25, vttbr, 0x40001234);
    EXPECT_OK(0x90001234ull, 3);
    assert_int_equal(r.steps[0].desc_pa, VTTBR + 8);
    /* beyond 40 bits: level 0 translation fault, nothing read */
    int reads = mem.reads;
    S2(vtcr, vttbr, 0x10000000000ull);
    EXPECT_FAULT("translation fault", 0, 0);
    assert_int_equal(mem.reads, reads);
    assert_string_equal(describe(&r), "IPA 0x10000000000: translation fault, level 0 (VTTBR; "
                                      "IPA is beyond the input size set by VTCR_EL2.T0SZ)");
    /* VTTBR beyond VTCR_EL2.PS (40-bit): address size fault, level 0 */
    S2(vtcr, 0x10000000000ull | VTTBR, 0x40001234);
    EXPECT_FAULT("address size fault", 0, 0);
}

static void test_s2_4k_level2_sixteen_concatenated(void **state)
{
    (void)state;
    arm_walk_result r;
    /* T0SZ=30 (34-bit IPA), SL0=0 (level 2): IPA[33:21], 13 bits, 16
     * tables, 64 KiB aligned */
    const uint64_t vtcr = VT_RES1 | VT_PS(2) | VT_SL0(0) | 30;
    const uint64_t base = 0x88100000;
    w64(base + 0x1E00 * 8, 0x40200000ull | D_AF | D_BLOCK);
    S2(vtcr, base, 0x3C0005000ull);
    EXPECT_OK(0x40205000ull, 1);
    assert_int_equal(r.steps[0].level, 2);
    assert_int_equal(r.steps[0].desc_pa, base + 0xF000);
    /* VTTBR bits below 64 KiB are ignored, bit 16 is not */
    S2(vtcr, base | 0xFFC0, 0x3C0005000ull);
    EXPECT_OK(0x40205000ull, 1);
    S2(vtcr, base | 0x10000, 0x3C0005000ull);
    EXPECT_FAULT("table unreadable", 2, 1);
    /* 33-bit: 8 tables, index IPA[32:21] */
    w64(base + 0xE00 * 8, 0x40400000ull | D_AF | D_BLOCK);
    S2(VT_RES1 | VT_PS(2) | VT_SL0(0) | 31, base, 0x1C0005000ull);
    EXPECT_OK(0x40405000ull, 1);
    assert_int_equal(r.steps[0].desc_pa, base + 0x7000);
    /* 48-bit at level 0 (SL0=2): IPA[47:39] */
    touch(0x50020000);
    S2(VT_RES1 | VT_PS(5) | VT_SL0(2) | 16, 0x50020000, 0x800000000000ull);
    EXPECT_FAULT("translation fault", 0, 1);
    assert_int_equal(r.steps[0].desc_pa, 0x50020800);
}

static void test_s2_64k_and_16k(void **state)
{
    (void)state;
    arm_walk_result r;
    /* 64 KiB, T0SZ=24 (40-bit), SL0=1: level 2 resolves IPA[39:29] (11
     * bits, one 16 KiB table), level 3 28:16 */
    const uint64_t vtcr = VT_RES1 | VT_PS(2) | (1ull << 14) | VT_SL0(1) | 24;
    const uint64_t base = 0x60000000;
    w64(base + 1 * 8, 0xA0000000ull | D_AF | D_AP(3) | D_BLOCK);    /* 512 MiB */
    w64(base + 2 * 8, 0x60010000ull | D_TABLE);
    w64(0x60010000 + 1 * 8, 0xB0000000ull | D_AF | D_AP(3) | D_PAGE);
    S2(vtcr, base, 0x20001234);
    EXPECT_OK(0xA0001234ull, 1);
    assert_string_equal(r.regime, "AArch64 stage 2 (64 KiB granule)");
    assert_int_equal(r.steps[0].level, 2);
    assert_int_equal(r.block_size, 512ull << 20);
    S2(vtcr, base, 0x40012345);
    EXPECT_OK(0xB0002345ull, 2);
    assert_int_equal(r.steps[1].desc_pa, 0x60010008);
    assert_int_equal(r.block_size, 64 * 1024);
    /* 16 KiB, T0SZ=28 (36-bit), SL0=1 (level 2: IPA[35:25], one table) */
    w64(0x60100000 + 0x100 * 8, 0x20000000ull | D_AF | D_BLOCK);    /* 32 MiB */
    S2(VT_RES1 | VT_PS(2) | (2ull << 14) | VT_SL0(1) | 28, 0x60100000, 0x200000123ull);
    EXPECT_OK(0x20000123ull, 1);
    assert_string_equal(r.regime, "AArch64 stage 2 (16 KiB granule)");
    assert_int_equal(r.steps[0].desc_pa, 0x60100800);
}

static void test_s2_inconsistent(void **state)
{
    (void)state;
    arm_walk_result r;
    hvp_error err = { 0, "" };
#define S2ERR(vtcr) a64_walk_s2((vtcr), VTTBR, 0, fake_read, &mem, &r, &err)
    /* 35-bit IPA at level 2 would need 32 concatenated tables */
    assert_int_equal(S2ERR(VT_SL0(0) | 29), HVP_E_INVAL);
    assert_non_null(strstr(err.msg, "inconsistent"));
    assert_non_null(strstr(err.msg, "14 bits"));
    assert_int_equal(S2ERR(VT_SL0(0) | 24), HVP_E_INVAL);
    /* 30-bit IPA cannot start at level 1: nothing left to resolve there */
    assert_int_equal(S2ERR(VT_SL0(1) | 34), HVP_E_INVAL);
    assert_non_null(strstr(err.msg, "0 bits"));
    /* 44-bit at level 1 would need 32 tables */
    assert_int_equal(S2ERR(VT_SL0(1) | 20), HVP_E_INVAL);
    /* 64 KiB: 48-bit at level 2 needs 64 tables; SL0=3 reserved */
    assert_int_equal(S2ERR((1ull << 14) | VT_SL0(1) | 16), HVP_E_INVAL);
    assert_int_equal(S2ERR((1ull << 14) | VT_SL0(3) | 24), HVP_E_INVAL);
    assert_non_null(strstr(err.msg, "SL0=3 is reserved"));
    /* T0SZ beyond the architectural limits */
    assert_int_equal(S2ERR(VT_SL0(2) | 8), HVP_E_INVAL);
    assert_non_null(strstr(err.msg, "T0SZ=8"));
    assert_int_equal(S2ERR(VT_SL0(1) | 24 | (1ull << 32)), HVP_E_UNSUPPORTED);
    assert_int_equal(a64_walk_s2(VT_SL0(1) | 24, VTTBR, 0, NULL, &mem, &r, &err), HVP_E_INVAL);
#undef S2ERR
    /* the limits that are fine: 16 tables at level 1 (13 bits: 43-bit
     * IPA), 1 bit at level 1 (31-bit) */
    touch(VTTBR);
    S2(VT_SL0(1) | 21, VTTBR, 0x7FFFFFFFFFFull);
    assert_int_equal(r.nsteps, 1);
    assert_int_equal(r.steps[0].desc_pa, VTTBR + 0x1FFF * 8);
    S2(VT_SL0(1) | 33, VTTBR, 0x7FFFFFFF);
    assert_int_equal(r.steps[0].desc_pa, VTTBR + 8);
}

/* A guest's stage-1 tables in IPA space, read through stage 2 */
static void test_stage1_through_stage2(void **state)
{
    (void)state;
    arm_walk_result r;
    const uint64_t vtcr = VT_RES1 | VT_PS(2) | VT_SL0(1) | 24;
    /* stage 2: IPA 0x40000000-0x7fffffff -> PA 0x80000000-0xbfffffff */
    touch(VTTBR);
    w64(VTTBR + 1 * 8, 0x80000000ull | D_AF | D_AP(3) | D_BLOCK);
    /* guest: 39-bit VA, TTBR0 at IPA 0x40004000 = PA 0x80004000, L1[1]
     * a 1 GiB block at IPA 0x40000000 */
    const uint64_t tcr = T0SZ(25) | TG0_4K | T1SZ(25) | TG1_4K | IPS(2);
    w64(0x80004000 + 1 * 8, 0x40000000ull | D_AF | D_BLOCK);
    a64_s2_reader s2 = { .vttbr = VTTBR, .vtcr = vtcr, .rd = fake_read, .ctx = &mem };
    assert_int_equal(a64_walk_s1(EL10, tcr, 0x40004000, 0, 0x40000100, a64_s2_read, &s2, &r,
                                 NULL), HVP_OK);
    EXPECT_OK(0x40000100, 1);                          /* an IPA */
    assert_int_equal(r.steps[0].desc_pa, 0x40004008);  /* IPA of the descriptor */
    assert_int_equal(s2.last.ok, 1);
    assert_int_equal(s2.last.out_addr, 0x80004008);
    /* guest table at IPA 0x4000: not mapped at stage 2 */
    assert_int_equal(a64_walk_s1(EL10, tcr, 0x4000, 0, 0x8, a64_s2_read, &s2, &r, NULL), HVP_OK);
    EXPECT_FAULT("table unreadable", 1, 1);
    assert_int_equal(s2.last.ok, 0);
    assert_string_equal(s2.last.fault, "translation fault");
    assert_int_equal(s2.last.fault_level, 1);
    assert_int_equal(s2.last.in_addr, 0x4000);
    /* reads across a 4 KiB boundary, each piece through stage 2 */
    uint8_t buf[8];
    w32(0x80000FFC, 0x11223344);
    w32(0x80001000, 0x55667788);
    assert_int_equal(a64_s2_read(&s2, 0x40000FFC, buf, 8), 0);
    assert_int_equal(buf[0], 0x44);
    assert_int_equal(buf[7], 0x55);
    assert_int_equal(a64_s2_read(NULL, 0, buf, 1), -1);
    assert_int_equal(a64_s2_read(&s2, 0x1000, buf, 1), -1);
    /* a64_walk_describe: NULL and a too-small buffer */
    char small[8];
    hvp_error err = { 0, "" };
    assert_int_equal(a64_walk_describe(NULL, small, sizeof small, &err), HVP_E_INVAL);
    assert_int_equal(a64_walk_describe(&r, small, sizeof small, &err), HVP_E_INVAL);
    assert_non_null(strstr(err.msg, "too small"));
    assert_int_equal(strlen(small), sizeof small - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_4k_48bit_levels_0_to_3, reset, reset),
        cmocka_unit_test_setup_teardown(test_4k_faults_at_each_level, reset, reset),
        cmocka_unit_test_setup_teardown(test_4k_address_size, reset, reset),
        cmocka_unit_test_setup_teardown(test_4k_39bit_start_level1_and_ranges, reset, reset),
        cmocka_unit_test_setup_teardown(test_16k_granule, reset, reset),
        cmocka_unit_test_setup_teardown(test_64k_granule, reset, reset),
        cmocka_unit_test_setup_teardown(test_ttbr1_kernel_address, reset, reset),
        cmocka_unit_test_setup_teardown(test_el2_el3_single_range, reset, reset),
        cmocka_unit_test_setup_teardown(test_stage1_dispatch_and_tcr_limits, reset, reset),
        cmocka_unit_test_setup_teardown(test_s2_4k_level1_two_concatenated, reset, reset),
        cmocka_unit_test_setup_teardown(test_s2_4k_level2_sixteen_concatenated, reset, reset),
        cmocka_unit_test_setup_teardown(test_s2_64k_and_16k, reset, reset),
        cmocka_unit_test_setup_teardown(test_s2_inconsistent, reset, reset),
        cmocka_unit_test_setup_teardown(test_stage1_through_stage2, reset, reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
