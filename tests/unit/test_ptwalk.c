/* test_ptwalk.c - short-descriptor, LPAE stage-1 and stage-2 walks over
 * hand-built translation tables in a fake sparse physical memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arch/arm/fault.h"
#include "arch/arm/ptwalk.h"

#define FAKE_PAGES 48
#include "fake_phys.h"

static void w32(uint64_t pa, uint32_t v) { wbytes(pa, v, 4, 0); }
static void w32be(uint64_t pa, uint32_t v) { wbytes(pa, v, 4, 1); }
static void w64(uint64_t pa, uint64_t v) { wbytes(pa, v, 8, 0); }

static const char *describe(const arm_walk_result *r)
{
    static char line[256];
    assert_int_equal(arm_walk_describe(r, line, sizeof line, NULL), HVP_OK);
    return line;
}

/* ---- short-descriptor ---------------------------------------------------- */

#define TTB 0x60004000u   /* 16 KiB aligned */

/* Section: base 31:20, AP[2] 15, AP[1:0] 11:10, domain 8:5, XN 4, type 0b10 */
static uint32_t section(uint32_t pa, unsigned ap, unsigned dom, unsigned xn)
{
    return (pa & 0xFFF00000u) | (((ap >> 2) & 1) << 15) | ((ap & 3) << 10) |
           (dom << 5) | (xn << 4) | 0x2;
}

static void test_short_section(void **state)
{
    (void)state;
    arm_walk_result r;
    w32(TTB + 0x600 * 4, section(0x60000000, 3, 0, 0));
    w32(TTB + 0x601 * 4, section(0x1C000000, 7, 5, 1));   /* AP 0b111, domain 5, XN */
    assert_int_equal(arm_walk_short(TTB, 0, 0, 0x60001234, fake_read, &mem, &r, NULL), HVP_OK);
    assert_int_equal(r.ok, 1);
    assert_int_equal(r.out_addr, 0x60001234);
    assert_null(r.fault);
    assert_int_equal(r.ttbr, 0);
    assert_int_equal(r.nsteps, 1);
    assert_int_equal(r.steps[0].level, 1);
    assert_int_equal(r.steps[0].table_pa, TTB);
    assert_int_equal(r.steps[0].desc_pa, TTB + 0x1800);
    assert_string_equal(r.steps[0].kind, "section");
    assert_int_equal(r.block_size, 0x100000);
    assert_int_equal(r.ap, 3);
    assert_int_equal(r.xn, 0);
    assert_int_equal(r.pxn, 0);
    assert_int_equal(r.domain, 0);
    assert_int_equal(r.af, -1);
    assert_string_equal(describe(&r), "VA 0x60001234 maps to 0x60001234 via TTBR0: section, "
                                      "1 MiB, AP=0b011 XN=0 PXN=0 NS=0 domain 0");

    assert_int_equal(arm_walk_short(TTB | 0x59 /* IRGN/S/RGN bits */, 0, 0, 0x601FFFFF,
                                    fake_read, &mem, &r, NULL), HVP_OK);
    assert_int_equal(r.ok, 1);
    assert_int_equal(r.out_addr, 0x1C0FFFFF);
    assert_int_equal(r.ap, 7);
    assert_int_equal(r.xn, 1);
    assert_int_equal(r.domain, 5);
}

static void test_short_coarse_small_and_large_page(void **state)
{
    (void)state;
    arm_walk_result r;
    /* L1[0x800] -> page table at 0x60010000, domain 1 */
    w32(TTB + 0x800 * 4, 0x60010000u | (1u << 5) | 0x1);
    /* small page: base 31:12, AP[1:0]=3 at 5:4, type 0b1x, XN bit 0 = 0 */
    w32(0x60010000 + 3 * 4, 0x70005000u | (3u << 4) | 0x2);
    /* large page (64 KiB): base 31:16, XN bit 15, AP[2] bit 9, type 0b01 */
    w32(0x60010000 + 0x20 * 4, 0x90000000u | (1u << 15) | (1u << 9) | (1u << 4) | 0x1);

    assert_int_equal(arm_walk_short(TTB, 0, 0, 0x80003ABC, fake_read, &mem, &r, NULL), HVP_OK);
    assert_int_equal(r.ok, 1);
    assert_int_equal(r.out_addr, 0x70005ABC);
    assert_int_equal(r.nsteps, 2);
    assert_string_equal(r.steps[0].kind, "page table");
    assert_int_equal(r.steps[0].desc_pa, TTB + 0x2000);
    assert_int_equal(r.steps[1].level, 2);
    assert_int_equal(r.steps[1].table_pa, 0x60010000);
    assert_int_equal(r.steps[1].desc_pa, 0x6001000C);
    assert_int_equal(r.steps[1].desc, 0x70005032);
    assert_string_equal(r.steps[1].kind, "small page");
    assert_int_equal(r.block_size, 0x1000);
    assert_int_equal(r.domain, 1);
    assert_int_equal(r.ap, 3);
    assert_int_equal(r.xn, 0);

    assert_int_equal(arm_walk_short(TTB, 0, 0, 0x80020123, fake_read, &mem, &r, NULL), HVP_OK);
    assert_int_equal(r.ok, 1);
    assert_int_equal(r.out_addr, 0x90000123);
    assert_string_equal(r.steps[1].kind, "large page");
    assert_int_equal(r.block_size, 0x10000);
    assert_int_equal(r.xn, 1);
    assert_int_equal(r.ap, 5);   /* AP[2]=1, AP[1:0]=01 */

    /* an empty second-level entry: translation fault at level 2 */
    assert_int_equal(arm_walk_short(TTB, 0, 0, 0x80004000, fake_read, &mem, &r, NULL), HVP_OK);
    assert_int_equal(r.ok, 0);
    assert_string_equal(r.fault, "translation fault");
    assert_int_equal(r.fault_level, 2);
    assert_int_equal(r.nsteps, 2);
    assert_string_equal(r.steps[1].kind, "invalid");
}

static void test_short_unmapped_va0(void **state)
{
    (void)state;
    arm_walk_result r;
    touch(TTB);                       /* table exists, all entries zero */
    w32(TTB + 0x600 * 4, section(0x60000000, 3, 0, 0));
    assert_int_equal(arm_walk_short(TTB, 0, 0, 0x8, fake_read, &mem, &r, NULL), HVP_OK);
    assert_int_equal(r.ok, 0);
    assert_string_equal(r.fault, "translation fault");
    assert_int_equal(r.fault_level, 1);
    assert_null(r.why);
    assert_int_equal(r.nsteps, 1);
    assert_int_equal(r.steps[0].level, 1);
    assert_int_equal(r.steps[0].table_pa, TTB);
    assert_int_equal(r.steps[0].desc_pa, TTB);
    assert_int_equal(r.steps[0].desc, 0);
    assert_string_equal(r.steps[0].kind, "invalid");
    assert_string_equal(describe(&r), "VA 0x8: translation fault, level 1 (TTBR0; level-1 "
                                      "descriptor at 0x60004000 = 0x00000000)");
    /* and the fault decoder names what the CPU would put in IFSR */
    arm_fsr_info f;
    assert_int_equal(arm_fsr_decode(0x5, 0, 1, &f), HVP_OK);
    assert_string_equal(f.name, "translation fault, section");
    assert_int_equal(f.level, r.fault_level);
}

static void test_short_ttbcr_n_split(void **state)
{
    (void)state;
    arm_walk_result r;
    const uint32_t ttbr0 = 0x60020000, ttbr1 = 0x60024000;
    /* N=2: TTBR0 covers VA < 1 GiB with a 4 KiB table (bits 31:12) */
    w32(ttbr0 + 0x001 * 4, section(0x00100000, 3, 0, 0));
    w32(ttbr1 + 0xC01 * 4, section(0x12300000, 1, 2, 0));
    assert_int_equal(arm_walk_short(ttbr0, ttbr1, 2, 0xC0100040, fake_read, &mem, &r, NULL), HVP_OK);
    assert_int_equal(r.ok, 1);
    assert_int_equal(r.ttbr, 1);
    assert_int_equal(r.out_addr, 0x12300040);
    assert_int_equal(r.steps[0].table_pa, ttbr1);
    assert_int_equal(r.steps[0].desc_pa, ttbr1 + 0x3004);

    /* with N=2 bit 12 belongs to the base: a different table, unreadable */
    assert_int_equal(arm_walk_short(ttbr0 | 0x1000, ttbr1, 2, 0x00100040, fake_read, &mem, &r,
                                    NULL), HVP_OK);
    assert_int_equal(r.ok, 0);
    assert_string_equal(r.fault, "table unreadable");

    /* ... while bits 11:0 are attributes/SBZ, not base */
    assert_int_equal(arm_walk_short(ttbr0 | 0xFFF, ttbr1, 2, 0x00100040, fake_read, &mem, &r,
                                    NULL), HVP_OK);
    assert_int_equal(r.ok, 1);
    assert_int_equal(r.ttbr, 0);
    assert_int_equal(r.out_addr, 0x00100040);
    assert_int_equal(r.steps[0].desc_pa, ttbr0 + 4);

    /* 0x3FFFFFFF is the last TTBR0 address, 0x40000000 the first TTBR1 one */
    assert_int_equal(arm_walk_short(ttbr0, ttbr1, 2, 0x40000000, fake_read, &mem, &r, NULL), HVP_OK);
    assert_int_equal(r.ttbr, 1);
    assert_int_equal(r.steps[0].desc_pa, ttbr1 + 0x1000);

    /* PD1: TTBR1 walks disabled -> level 1 translation fault, no read */
    int reads = mem.reads;
    assert_int_equal(arm_walk_short(ttbr0, ttbr1, 2 | (1u << 5), 0xC0100040, fake_read, &mem,
                                    &r, NULL), HVP_OK);
    assert_int_equal(r.ok, 0);
    assert_int_equal(r.fault_level, 1);
    assert_int_equal(r.nsteps, 0);
    assert_int_equal(mem.reads, reads);
    assert_non_null(strstr(r.why, "PD1"));
    assert_non_null(strstr(describe(&r), "TTBCR.PD1 is set"));
}

static void test_short_supersection_and_pxn(void **state)
{
    (void)state;
    arm_walk_result r;
    /* PA[31:24]=0x45, PA[35:32]=0x2 (bits 23:20), PA[39:36]=0x1 (bits 8:5) */
    w32(TTB + 0xA01 * 4, 0x45000000u | (0x2u << 20) | (1u << 18) | (0x1u << 5) |
                         (1u << 10) | 0x2);
    assert_int_equal(arm_walk_short(TTB, 0, 0, 0xA0123456, fake_read, &mem, &r, NULL), HVP_OK);
    assert_int_equal(r.ok, 1);
    assert_int_equal(r.out_addr, 0x1245123456ull);
    assert_string_equal(r.steps[0].kind, "supersection");
    assert_int_equal(r.block_size, 0x1000000);
    assert_int_equal(r.domain, 0);
    assert_int_equal(r.ap, 1);
    assert_non_null(strstr(describe(&r), "supersection, 16 MiB"));

    /* type 0b11: section with PXN, flagged for CPUs without PXN */
    w32(TTB + 0x100 * 4, section(0x10000000, 3, 0, 0) | 0x1);
    assert_int_equal(arm_walk_short(TTB, 0, 0, 0x10000010, fake_read, &mem, &r, NULL), HVP_OK);
    assert_int_equal(r.ok, 1);
    assert_int_equal(r.pxn, 1);
    assert_non_null(strstr(r.why, "Cortex-A9"));
}

static void test_stage1_dispatch_flat_afe_ee(void **state)
{
    (void)state;
    arm_walk_result r;
    /* MMU off: flat */
    assert_int_equal(arm_walk_stage1(0x00C50078, TTB, 0, 0, 0x8, fake_read, &mem, &r, NULL), HVP_OK);
    assert_int_equal(r.ok, 1);
    assert_int_equal(r.out_addr, 0x8);
    assert_int_equal(r.nsteps, 0);
    assert_string_equal(r.regime, "MMU off");
    assert_string_equal(describe(&r), "VA 0x8 maps to 0x8 (SCTLR.M is 0: addresses are flat)");

    /* short format with SCTLR.AFE: AP[0] is the access flag */
    w32(TTB + 0x600 * 4, section(0x60000000, 2, 0, 0));   /* AP[0] = 0 */
    w32(TTB + 0x601 * 4, section(0x60100000, 3, 0, 0));   /* AP[0] = 1 */
    const uint32_t sctlr = 1u | (1u << 29);
    /* upper TTBR0 bits (64-bit register view) are ignored in short format */
    assert_int_equal(arm_walk_stage1(sctlr, 0xFFFF000000000000ull | TTB, 0, 0, 0x60000000,
                                     fake_read, &mem, &r, NULL), HVP_OK);
    assert_int_equal(r.ok, 0);
    assert_string_equal(r.fault, "access flag fault");
    assert_int_equal(r.fault_level, 1);
    assert_int_equal(r.af, 0);
    assert_int_equal(arm_walk_stage1(sctlr, TTB, 0, 0, 0x60100000, fake_read, &mem, &r, NULL),
                     HVP_OK);
    assert_int_equal(r.ok, 1);
    assert_int_equal(r.af, 1);
    /* without AFE the same descriptor translates */
    assert_int_equal(arm_walk_stage1(1, TTB, 0, 0, 0x60000000, fake_read, &mem, &r, NULL), HVP_OK);
    assert_int_equal(r.ok, 1);
    assert_int_equal(r.af, -1);
    assert_string_equal(r.regime, "short-descriptor");

    /* SCTLR.EE: big-endian descriptors */
    const uint32_t ttb_be = 0x61000000;
    w32be(ttb_be + 0x123 * 4, section(0x45600000, 3, 0, 0));
    assert_int_equal(arm_walk_stage1(1u | (1u << 25), ttb_be, 0, 0, 0x12300010, fake_read, &mem,
                                     &r, NULL), HVP_OK);
    assert_int_equal(r.ok, 1);
    assert_int_equal(r.out_addr, 0x45600010);
    /* read little-endian, the same bytes are garbage (type 0b00 -> fault) */
    assert_int_equal(arm_walk_stage1(1, ttb_be, 0, 0, 0x12300010, fake_read, &mem, &r, NULL),
                     HVP_OK);
    assert_int_equal(r.ok, 0);
}

/* ---- LPAE stage 1 -------------------------------------------------------- */

#define LD_AF    (1ull << 10)
#define LD_XN    (1ull << 54)
#define LD_BLOCK 0x1ull
#define LD_TABLE 0x3ull
#define LD_PAGE  0x3ull
#define EAE      (1u << 31)

static void build_lpae_s1(void)
{
    /* TTBR0 = 0x80000000, T0SZ=0: level 1 table of 4 entries */
    w64(0x80000000, 0x40000000ull | LD_AF | (1ull << 6) | LD_BLOCK);       /* 0-1G: 1 GiB block */
    w64(0x80000008, 0x80001000ull | (1ull << 59) | LD_TABLE);             /* 1-2G: table, PXNTable */
    w64(0x80001008, 0x80002000ull | LD_TABLE);                            /* L2[1] -> L3 */
    w64(0x80002018, 0x9ABCD000ull | LD_AF | LD_XN | (2ull << 6) | LD_PAGE); /* L3[3] page */
    w64(0x80002020, 0x9ABCE000ull | LD_PAGE);                             /* AF = 0 */
    w64(0x80002028, 0x10000000000ull | LD_AF | LD_PAGE);                  /* OA bit 40 */
    w64(0x80002030, 0x9ABCF000ull | LD_AF | 0x1);                         /* L3 type 01: reserved */
    w64(0x80001010, 0x55400000ull | LD_AF | LD_BLOCK);                    /* L2[2]: 2 MiB block */
}

static void test_lpae_s1_block_and_page(void **state)
{
    (void)state;
    arm_walk_result r;
    build_lpae_s1();
    assert_int_equal(arm_walk_lpae_s1(0x80000000, 0, EAE, 0x00012345, fake_read, &mem, &r, NULL),
                     HVP_OK);
    assert_int_equal(r.ok, 1);
    assert_int_equal(r.out_addr, 0x40012345);
    assert_int_equal(r.nsteps, 1);
    assert_string_equal(r.steps[0].kind, "block");
    assert_int_equal(r.steps[0].level, 1);
    assert_int_equal(r.block_size, 1ull << 30);
    assert_int_equal(r.ap, 1);
    assert_int_equal(r.af, 1);
    assert_non_null(strstr(describe(&r), "block, 1 GiB"));

    assert_int_equal(arm_walk_lpae_s1(0x0123000080000000ull /* ASID */, 0, EAE, 0x40203ABC,
                                      fake_read, &mem, &r, NULL), HVP_OK);
    assert_int_equal(r.ok, 1);
    assert_int_equal(r.out_addr, 0x9ABCDABC);
    assert_int_equal(r.nsteps, 3);
    assert_string_equal(r.steps[0].kind, "table");
    assert_string_equal(r.steps[1].kind, "table");
    assert_string_equal(r.steps[2].kind, "page");
    assert_int_equal(r.steps[2].level, 3);
    assert_int_equal(r.steps[1].desc_pa, 0x80001008);
    assert_int_equal(r.steps[2].desc_pa, 0x80002018);
    assert_int_equal(r.steps[2].table_pa, 0x80002000);
    assert_int_equal(r.block_size, 0x1000);
    assert_int_equal(r.xn, 1);
    assert_int_equal(r.pxn, 1);        /* from PXNTable on level 1 */
    assert_int_equal(r.ap, 2);
    assert_int_equal(r.ttbr, 0);

    assert_int_equal(arm_walk_lpae_s1(0x80000000, 0, EAE, 0x40412345, fake_read, &mem, &r, NULL),
                     HVP_OK);
    assert_int_equal(r.ok, 1);
    assert_int_equal(r.out_addr, 0x55412345);
    assert_int_equal(r.block_size, 2ull << 20);
    assert_non_null(strstr(describe(&r), "block, 2 MiB"));
}

static void test_lpae_s1_faults(void **state)
{
    (void)state;
    arm_walk_result r;
    build_lpae_s1();
    /* access flag */
    assert_int_equal(arm_walk_lpae_s1(0x80000000, 0, EAE, 0x40204000, fake_read, &mem, &r, NULL),
                     HVP_OK);
    assert_int_equal(r.ok, 0);
    assert_string_equal(r.fault, "access flag fault");
    assert_int_equal(r.fault_level, 3);
    /* address size */
    assert_int_equal(arm_walk_lpae_s1(0x80000000, 0, EAE, 0x40205000, fake_read, &mem, &r, NULL),
                     HVP_OK);
    assert_string_equal(r.fault, "address size fault");
    assert_int_equal(r.fault_level, 3);
    /* reserved level-3 type */
    assert_int_equal(arm_walk_lpae_s1(0x80000000, 0, EAE, 0x40206000, fake_read, &mem, &r, NULL),
                     HVP_OK);
    assert_string_equal(r.fault, "translation fault");
    assert_string_equal(r.steps[2].kind, "reserved");
    /* invalid level-1 entry (2-3G) */
    assert_int_equal(arm_walk_lpae_s1(0x80000000, 0, EAE, 0x80000000, fake_read, &mem, &r, NULL),
                     HVP_OK);
    assert_string_equal(r.fault, "translation fault");
    assert_int_equal(r.fault_level, 1);
    assert_string_equal(describe(&r), "VA 0x80000000: translation fault, level 1 (TTBR0; "
                                      "level-1 descriptor at 0x80000010 = 0x0000000000000000)");
    /* EPD0 */
    assert_int_equal(arm_walk_lpae_s1(0x80000000, 0, EAE | (1u << 7), 0x0, fake_read, &mem, &r,
                                      NULL), HVP_OK);
    assert_int_equal(r.ok, 0);
    assert_int_equal(r.nsteps, 0);
    assert_non_null(strstr(r.why, "EPD0"));
}

static void test_lpae_s1_split(void **state)
{
    (void)state;
    arm_walk_result r;
    /* T0SZ=2, T1SZ=2: TTBR0 [0,1G), TTBR1 [3G,4G), level-2 start */
    const uint32_t ttbcr = EAE | 2u | (2u << 16);
    w64(0x81000000 + 8 * 0, 0x20000000ull | LD_AF | LD_BLOCK);          /* TTBR0 L2[0] */
    w64(0x81100000 + 8 * 511, 0x30000000ull | LD_AF | LD_BLOCK);        /* TTBR1 L2[511] */
    assert_int_equal(arm_walk_lpae_s1(0x81000000, 0x81100000, ttbcr, 0x00100000, fake_read, &mem,
                                      &r, NULL), HVP_OK);
    assert_int_equal(r.ok, 1);
    assert_int_equal(r.ttbr, 0);
    assert_int_equal(r.steps[0].level, 2);
    assert_int_equal(r.out_addr, 0x20100000);
    assert_int_equal(arm_walk_lpae_s1(0x81000000, 0x81100000, ttbcr, 0xFFF00000, fake_read, &mem,
                                      &r, NULL), HVP_OK);
    assert_int_equal(r.ok, 1);
    assert_int_equal(r.ttbr, 1);
    assert_int_equal(r.out_addr, 0x30100000);
    assert_int_equal(r.steps[0].desc_pa, 0x81100000 + 8 * 511);
    /* the hole between them */
    assert_int_equal(arm_walk_lpae_s1(0x81000000, 0x81100000, ttbcr, 0x80000000, fake_read, &mem,
                                      &r, NULL), HVP_OK);
    assert_int_equal(r.ok, 0);
    assert_string_equal(r.fault, "translation fault");
    assert_int_equal(r.fault_level, 1);
    assert_int_equal(r.nsteps, 0);
    /* T0SZ=1, T1SZ=0: TTBR1 takes everything from 2G up, 4-entry level 1 */
    w64(0x81200000 + 8 * 3, 0x00000000ull | LD_AF | LD_BLOCK);
    assert_int_equal(arm_walk_lpae_s1(0x81000000, 0x81200000, EAE | 1u, 0xC0000004, fake_read,
                                      &mem, &r, NULL), HVP_OK);
    assert_int_equal(r.ok, 1);
    assert_int_equal(r.ttbr, 1);
    assert_int_equal(r.out_addr, 0x4);
    assert_int_equal(r.steps[0].level, 1);
}

static void test_unreadable_and_inval(void **state)
{
    (void)state;
    arm_walk_result r;
    hvp_error err = { 0, "" };
    /* TTBR0 points at memory that cannot be read */
    assert_int_equal(arm_walk_lpae_s1(0xDEAD0000, 0, EAE, 0x1000, fake_read, &mem, &r, &err),
                     HVP_OK);
    assert_int_equal(r.ok, 0);
    assert_string_equal(r.fault, "table unreadable");
    assert_int_equal(r.fault_level, 1);
    assert_int_equal(r.nsteps, 1);
    assert_string_equal(r.steps[0].kind, "unreadable");
    assert_int_equal(r.steps[0].desc_pa, 0xDEAD0000);
    assert_string_equal(describe(&r), "VA 0x1000: table unreadable, level 1 (TTBR0; level-1 "
                                      "descriptor at 0xdead0000 unreadable; translation table "
                                      "could not be read)");
    assert_int_equal(arm_walk_short(0xDEAD0000, 0, 0, 0x1000, fake_read, &mem, &r, &err), HVP_OK);
    assert_string_equal(r.fault, "table unreadable");
    /* second-level table unreadable */
    w32(TTB, 0xBEEF0000u | 0x1);
    assert_int_equal(arm_walk_short(TTB, 0, 0, 0x1000, fake_read, &mem, &r, &err), HVP_OK);
    assert_int_equal(r.fault_level, 2);
    assert_int_equal(r.steps[1].desc_pa, 0xBEEF0004);

    /* nonsense inputs */
    assert_int_equal(arm_walk_short(TTB, 0, 0, 0, NULL, &mem, &r, &err), HVP_E_INVAL);
    assert_int_equal(err.code, HVP_E_INVAL);
    assert_int_equal(arm_walk_short(TTB, 0, 0, 0, fake_read, &mem, NULL, NULL), HVP_E_INVAL);
    assert_int_equal(arm_walk_short(TTB, 0, EAE, 0, fake_read, &mem, &r, &err), HVP_E_INVAL);
    assert_int_equal(arm_walk_lpae_s1(TTB, 0, 0, 0, fake_read, &mem, &r, &err), HVP_E_INVAL);
    assert_non_null(strstr(err.msg, "EAE"));
    assert_int_equal(arm_walk_stage1(1, 0, 0, 0, 0, NULL, NULL, &r, NULL), HVP_E_INVAL);
    assert_int_equal(arm_walk_describe(NULL, (char[8]){0}, 8, NULL), HVP_E_INVAL);
    char small[10];
    r.ok = 0;
    assert_int_equal(arm_walk_describe(&r, small, sizeof small, &err), HVP_E_INVAL);
    assert_int_equal(strlen(small), sizeof small - 1);
}

/* ---- LPAE stage 2 -------------------------------------------------------- */

#define VTTBR 0x88000000ull

static void test_lpae_s2_sl0_level1(void **state)
{
    (void)state;
    arm_walk_result r;
    const uint32_t vtcr = 1u << 6;          /* T0SZ=0 (32-bit IPA), SL0=1: start at level 1 */
    touch(VTTBR);                            /* L1[0] (IPA 0-1G) invalid */
    w64(VTTBR + 8, 0x80000000ull | LD_AF | (3ull << 6) | LD_BLOCK);
    assert_int_equal(arm_walk_lpae_s2(VTTBR | (5ull << 48) /* VMID */, vtcr, 0x40000000,
                                      fake_read, &mem, &r, NULL), HVP_OK);
    assert_int_equal(r.ok, 1);
    assert_int_equal(r.out_addr, 0x80000000);
    assert_string_equal(r.regime, "long-descriptor stage 2");
    assert_int_equal(r.ap, 3);
    assert_int_equal(r.pxn, -1);
    assert_int_equal(r.ns, -1);
    assert_int_equal(r.block_size, 1ull << 30);
    assert_string_equal(describe(&r), "IPA 0x40000000 maps to 0x80000000 via VTTBR: block, "
                                      "1 GiB, HAP=0b11 XN=0");
    assert_int_equal(arm_walk_lpae_s2(VTTBR, vtcr, 0x7FFFFFFF, fake_read, &mem, &r, NULL), HVP_OK);
    assert_int_equal(r.out_addr, 0xBFFFFFFF);

    /* IPA 0x8: no stage-2 mapping -> translation fault at level 1 */
    assert_int_equal(arm_walk_lpae_s2(VTTBR, vtcr, 0x8, fake_read, &mem, &r, NULL), HVP_OK);
    assert_int_equal(r.ok, 0);
    assert_string_equal(r.fault, "translation fault");
    assert_int_equal(r.fault_level, 1);
    assert_int_equal(r.nsteps, 1);
    assert_int_equal(r.steps[0].level, 1);
    assert_int_equal(r.steps[0].desc_pa, VTTBR);
    assert_string_equal(r.steps[0].kind, "invalid");
    assert_string_equal(describe(&r), "IPA 0x8: translation fault, level 1 (VTTBR; level-1 "
                                      "descriptor at 0x88000000 = 0x0000000000000000)");

    /* a level-1 table whose level-2 entry is empty: level 2, which is what
     * HSR IFSC 0x06 ("FSR: 0x6") reports */
    w64(VTTBR, 0x88001000ull | LD_TABLE);
    touch(0x88001000);
    assert_int_equal(arm_walk_lpae_s2(VTTBR, vtcr, 0x8, fake_read, &mem, &r, NULL), HVP_OK);
    assert_int_equal(r.ok, 0);
    assert_int_equal(r.fault_level, 2);
    assert_int_equal(r.nsteps, 2);
    arm_fsr_info f;
    arm_lfsc_decode(0x04u | (unsigned)r.fault_level, 1, &f);
    assert_string_equal(f.name, "translation fault, level 2");

    /* beyond the 32-bit IPA space: fault at the start level, nothing read */
    assert_int_equal(arm_walk_lpae_s2(VTTBR, vtcr, 0x100000000ull, fake_read, &mem, &r, NULL),
                     HVP_OK);
    assert_int_equal(r.ok, 0);
    assert_int_equal(r.fault_level, 1);
    assert_int_equal(r.nsteps, 0);
    assert_non_null(strstr(r.why, "T0SZ"));
}

static void test_lpae_s2_concatenated_level2(void **state)
{
    (void)state;
    arm_walk_result r;
    /* T0SZ=-2 (34-bit IPA), S=1, SL0=0: 16 concatenated level-2 tables,
     * VTTBR aligned to 64 KiB (x = 14 - T0SZ = 16) */
    const uint32_t vtcr = 0xEu | (1u << 4);
    const uint64_t base = 0x88100000;
    const uint64_t ipa = 0x3C0005000ull;     /* level-2 index IPA[33:21] = 0x1E00 */
    w64(base + 0x1E00 * 8, 0x40200000ull | LD_AF | LD_BLOCK);
    assert_int_equal(arm_walk_lpae_s2(base, vtcr, ipa, fake_read, &mem, &r, NULL), HVP_OK);
    assert_int_equal(r.ok, 1);
    assert_int_equal(r.steps[0].level, 2);
    assert_int_equal(r.steps[0].desc_pa, base + 0xF000);
    assert_int_equal(r.out_addr, 0x40205000);
    /* low VTTBR bits below x are ignored */
    assert_int_equal(arm_walk_lpae_s2(base | 0xFFC0, vtcr, ipa, fake_read, &mem, &r, NULL), HVP_OK);
    assert_int_equal(r.ok, 1);
}

static void test_lpae_s2_inval(void **state)
{
    (void)state;
    arm_walk_result r;
    hvp_error err = { 0, "" };
    /* T0SZ=-8 but S=0 */
    assert_int_equal(arm_walk_lpae_s2(VTTBR, 0x8u | (1u << 6), 0, fake_read, &mem, &r, &err),
                     HVP_E_INVAL);
    assert_non_null(strstr(err.msg, "S (bit 4)"));
    /* SL0 = 2, 3 reserved */
    assert_int_equal(arm_walk_lpae_s2(VTTBR, 2u << 6, 0, fake_read, &mem, &r, &err), HVP_E_INVAL);
    assert_int_equal(arm_walk_lpae_s2(VTTBR, 3u << 6, 0, fake_read, &mem, &r, &err), HVP_E_INVAL);
    /* 40-bit IPA cannot start at level 2 */
    assert_int_equal(arm_walk_lpae_s2(VTTBR, 0x18u, 0, fake_read, &mem, &r, &err), HVP_E_INVAL);
    assert_non_null(strstr(err.msg, "T0SZ=-8"));
    /* 28-bit IPA cannot start at level 1 */
    assert_int_equal(arm_walk_lpae_s2(VTTBR, 0x4u | (1u << 6), 0, fake_read, &mem, &r, &err),
                     HVP_E_INVAL);
    assert_int_equal(arm_walk_lpae_s2(VTTBR, 1u << 6, 0, NULL, &mem, &r, &err), HVP_E_INVAL);
    /* the limits that are fine: T0SZ=-8 at level 1 (2 concatenated
     * tables), T0SZ=7 at level 2 */
    touch(VTTBR);
    assert_int_equal(arm_walk_lpae_s2(VTTBR, 0x18u | (1u << 6), 0xFFFFFFFFFFull, fake_read, &mem,
                                      &r, &err), HVP_OK);
    assert_int_equal(r.nsteps, 1);
    assert_int_equal(r.steps[0].desc_pa, VTTBR + 1023 * 8);
    assert_int_equal(arm_walk_lpae_s2(VTTBR, 0x7u, 0x1FFFFFF, fake_read, &mem, &r, &err), HVP_OK);
    assert_int_equal(r.steps[0].desc_pa, VTTBR + 15 * 8);
}

/* Stage 1 of a guest whose tables live in IPA space, read through stage 2 */
static void test_stage1_through_stage2(void **state)
{
    (void)state;
    arm_walk_result r;
    const uint32_t vtcr = 1u << 6;
    /* stage 2: IPA 0x40000000-0x7FFFFFFF -> PA 0x80000000-0xBFFFFFFF */
    touch(VTTBR);
    w64(VTTBR + 8, 0x80000000ull | LD_AF | (3ull << 6) | LD_BLOCK);
    /* guest short-descriptor table at IPA 0x40004000 = PA 0x80004000 */
    w32(0x80004000 + 0x400 * 4, section(0x40000000, 3, 0, 0));
    arm_s2_reader s2 = { .vttbr = VTTBR, .vtcr = vtcr, .rd = fake_read, .ctx = &mem };
    assert_int_equal(arm_walk_stage1(1, 0x40004000, 0, 0, 0x40000100, arm_s2_read, &s2, &r, NULL),
                     HVP_OK);
    assert_int_equal(r.ok, 1);
    assert_int_equal(r.out_addr, 0x40000100);      /* an IPA */
    /* the VA 0 half of the guest table is not mapped at stage 2 */
    assert_int_equal(arm_walk_stage1(1, 0x00004000, 0, 0, 0x8, arm_s2_read, &s2, &r, NULL),
                     HVP_OK);
    assert_int_equal(r.ok, 0);
    assert_string_equal(r.fault, "table unreadable");
    assert_int_equal(s2.last.ok, 0);
    assert_int_equal(s2.last.fault_level, 1);
    assert_int_equal(s2.last.in_addr, 0x4000);
    /* reads across a stage-2 page boundary */
    uint8_t buf[8];
    w32(0x80000FFC, 0x11223344);
    w32(0x80001000, 0x55667788);
    assert_int_equal(arm_s2_read(&s2, 0x40000FFC, buf, 8), 0);
    assert_int_equal(buf[0], 0x44);
    assert_int_equal(buf[7], 0x55);
    assert_int_equal(arm_s2_read(NULL, 0, buf, 1), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_short_section, reset, reset),
        cmocka_unit_test_setup_teardown(test_short_coarse_small_and_large_page, reset, reset),
        cmocka_unit_test_setup_teardown(test_short_unmapped_va0, reset, reset),
        cmocka_unit_test_setup_teardown(test_short_ttbcr_n_split, reset, reset),
        cmocka_unit_test_setup_teardown(test_short_supersection_and_pxn, reset, reset),
        cmocka_unit_test_setup_teardown(test_stage1_dispatch_flat_afe_ee, reset, reset),
        cmocka_unit_test_setup_teardown(test_lpae_s1_block_and_page, reset, reset),
        cmocka_unit_test_setup_teardown(test_lpae_s1_faults, reset, reset),
        cmocka_unit_test_setup_teardown(test_lpae_s1_split, reset, reset),
        cmocka_unit_test_setup_teardown(test_unreadable_and_inval, reset, reset),
        cmocka_unit_test_setup_teardown(test_lpae_s2_sl0_level1, reset, reset),
        cmocka_unit_test_setup_teardown(test_lpae_s2_concatenated_level2, reset, reset),
        cmocka_unit_test_setup_teardown(test_lpae_s2_inval, reset, reset),
        cmocka_unit_test_setup_teardown(test_stage1_through_stage2, reset, reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
