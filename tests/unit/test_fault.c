/* test_fault.c - DFSR/IFSR (short and long format), HSR and the one-line
 * abort description. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arch/arm/fault.h"

typedef struct expect {
    uint32_t fsr;
    const char *name;
    arm_fault_kind kind;
    int level;
} expect;

/* Short-descriptor DFSR: every encoding we name (FS[4] lives in bit 10). */
static const expect short_dfsr[] = {
    { 0x001, "alignment fault", ARM_FAULT_ALIGNMENT, -1 },
    { 0x004, "fault on instruction cache maintenance", ARM_FAULT_ICACHE_MAINT, -1 },
    { 0x00C, "synchronous external abort on table walk, level 1", ARM_FAULT_SYNC_EXTERNAL_WALK, 1 },
    { 0x00E, "synchronous external abort on table walk, level 2", ARM_FAULT_SYNC_EXTERNAL_WALK, 2 },
    { 0x40C, "synchronous parity error on table walk, level 1", ARM_FAULT_SYNC_PARITY_WALK, 1 },
    { 0x40E, "synchronous parity error on table walk, level 2", ARM_FAULT_SYNC_PARITY_WALK, 2 },
    { 0x005, "translation fault, section", ARM_FAULT_TRANSLATION, 1 },
    { 0x007, "translation fault, page", ARM_FAULT_TRANSLATION, 2 },
    { 0x003, "access flag fault, section", ARM_FAULT_ACCESS_FLAG, 1 },
    { 0x006, "access flag fault, page", ARM_FAULT_ACCESS_FLAG, 2 },
    { 0x009, "domain fault, section", ARM_FAULT_DOMAIN, 1 },
    { 0x00B, "domain fault, page", ARM_FAULT_DOMAIN, 2 },
    { 0x00D, "permission fault, section", ARM_FAULT_PERMISSION, 1 },
    { 0x00F, "permission fault, page", ARM_FAULT_PERMISSION, 2 },
    { 0x002, "debug event", ARM_FAULT_DEBUG, -1 },
    { 0x008, "synchronous external abort", ARM_FAULT_SYNC_EXTERNAL, -1 },
    { 0x409, "synchronous parity error on memory access", ARM_FAULT_SYNC_PARITY, -1 },
    { 0x406, "asynchronous external abort", ARM_FAULT_ASYNC_EXTERNAL, -1 },
    { 0x408, "asynchronous parity error on memory access", ARM_FAULT_ASYNC_PARITY, -1 },
    { 0x400, "TLB conflict abort", ARM_FAULT_TLB_CONFLICT, -1 },
    { 0x404, "lockdown abort (IMPLEMENTATION DEFINED)", ARM_FAULT_LOCKDOWN, -1 },
    { 0x40A, "coprocessor abort (IMPLEMENTATION DEFINED)", ARM_FAULT_COPROC, -1 },
};

/* Long-descriptor STATUS codes (bit 9 LPAE=1 set by the test). */
static const expect long_dfsr[] = {
    { 0x00, "address size fault, level 0", ARM_FAULT_ADDRESS_SIZE, 0 },
    { 0x01, "address size fault, level 1", ARM_FAULT_ADDRESS_SIZE, 1 },
    { 0x02, "address size fault, level 2", ARM_FAULT_ADDRESS_SIZE, 2 },
    { 0x03, "address size fault, level 3", ARM_FAULT_ADDRESS_SIZE, 3 },
    { 0x04, "translation fault, level 0", ARM_FAULT_TRANSLATION, 0 },
    { 0x05, "translation fault, level 1", ARM_FAULT_TRANSLATION, 1 },
    { 0x06, "translation fault, level 2", ARM_FAULT_TRANSLATION, 2 },
    { 0x07, "translation fault, level 3", ARM_FAULT_TRANSLATION, 3 },
    { 0x09, "access flag fault, level 1", ARM_FAULT_ACCESS_FLAG, 1 },
    { 0x0A, "access flag fault, level 2", ARM_FAULT_ACCESS_FLAG, 2 },
    { 0x0B, "access flag fault, level 3", ARM_FAULT_ACCESS_FLAG, 3 },
    { 0x0D, "permission fault, level 1", ARM_FAULT_PERMISSION, 1 },
    { 0x0E, "permission fault, level 2", ARM_FAULT_PERMISSION, 2 },
    { 0x0F, "permission fault, level 3", ARM_FAULT_PERMISSION, 3 },
    { 0x10, "synchronous external abort", ARM_FAULT_SYNC_EXTERNAL, -1 },
    { 0x11, "asynchronous external abort", ARM_FAULT_ASYNC_EXTERNAL, -1 },
    { 0x14, "synchronous external abort on table walk, level 0", ARM_FAULT_SYNC_EXTERNAL_WALK, 0 },
    { 0x15, "synchronous external abort on table walk, level 1", ARM_FAULT_SYNC_EXTERNAL_WALK, 1 },
    { 0x16, "synchronous external abort on table walk, level 2", ARM_FAULT_SYNC_EXTERNAL_WALK, 2 },
    { 0x17, "synchronous external abort on table walk, level 3", ARM_FAULT_SYNC_EXTERNAL_WALK, 3 },
    { 0x18, "synchronous parity error on memory access", ARM_FAULT_SYNC_PARITY, -1 },
    { 0x19, "asynchronous parity error on memory access", ARM_FAULT_ASYNC_PARITY, -1 },
    { 0x1C, "synchronous parity error on table walk, level 0", ARM_FAULT_SYNC_PARITY_WALK, 0 },
    { 0x1D, "synchronous parity error on table walk, level 1", ARM_FAULT_SYNC_PARITY_WALK, 1 },
    { 0x1E, "synchronous parity error on table walk, level 2", ARM_FAULT_SYNC_PARITY_WALK, 2 },
    { 0x1F, "synchronous parity error on table walk, level 3", ARM_FAULT_SYNC_PARITY_WALK, 3 },
    { 0x21, "alignment fault", ARM_FAULT_ALIGNMENT, -1 },
    { 0x22, "debug event", ARM_FAULT_DEBUG, -1 },
    { 0x30, "TLB conflict abort", ARM_FAULT_TLB_CONFLICT, -1 },
    { 0x34, "lockdown abort (IMPLEMENTATION DEFINED)", ARM_FAULT_LOCKDOWN, -1 },
    { 0x35, "unsupported exclusive access fault", ARM_FAULT_EXCLUSIVE, -1 },
    { 0x3A, "coprocessor abort (IMPLEMENTATION DEFINED)", ARM_FAULT_COPROC, -1 },
    { 0x3D, "domain fault, level 1", ARM_FAULT_DOMAIN, 1 },
    { 0x3E, "domain fault, level 2", ARM_FAULT_DOMAIN, 2 },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const expect *find(const expect *t, size_t n, unsigned status, int lpae)
{
    for (size_t i = 0; i < n; i++) {
        unsigned s = lpae ? t[i].fsr : (((t[i].fsr >> 6) & 0x10) | (t[i].fsr & 0xF));
        if (s == status)
            return &t[i];
    }
    return NULL;
}

static void test_short_dfsr_every_status(void **state)
{
    (void)state;
    arm_fsr_info f;
    for (size_t i = 0; i < N(short_dfsr); i++) {
        assert_int_equal(arm_fsr_decode(short_dfsr[i].fsr, 0, 0, &f), HVP_OK);
        assert_string_equal(f.name, short_dfsr[i].name);
        assert_int_equal(f.kind, short_dfsr[i].kind);
        assert_int_equal(f.level, short_dfsr[i].level);
        assert_int_equal(f.lpae, 0);
        assert_int_equal(f.write, 0);
    }
    /* all 32 FS values: the ones not in the table are reserved, no crash */
    int reserved = 0;
    for (unsigned fs = 0; fs < 32; fs++) {
        uint32_t fsr = ((fs & 0x10) << 6) | (fs & 0xF);
        assert_int_equal(arm_fsr_decode(fsr, 0, 0, &f), HVP_OK);
        assert_int_equal(f.status, fs);
        if (!find(short_dfsr, N(short_dfsr), fs, 0)) {
            char want[64];
            snprintf(want, sizeof want, "reserved/unknown status 0x%02x", fs);
            assert_string_equal(f.name, want);
            assert_int_equal(f.kind, ARM_FAULT_RESERVED);
            assert_int_equal(f.level, -1);
            reserved++;
        }
    }
    assert_int_equal(reserved, 32 - (int)N(short_dfsr));
}

static void test_short_dfsr_fields(void **state)
{
    (void)state;
    arm_fsr_info f;
    /* CM=1 ExT=1 WnR=1 domain 3, translation fault (section) */
    assert_int_equal(arm_fsr_decode((1u << 13) | (1u << 12) | (1u << 11) | (3u << 4) | 0x5,
                                    0, 0, &f), HVP_OK);
    assert_string_equal(f.name, "translation fault, section");
    assert_int_equal(f.write, 1);
    assert_int_equal(f.ext, 1);
    assert_int_equal(f.cm, 1);
    assert_int_equal(f.domain, 3);
    assert_int_equal(f.is_ifsr, 0);
    /* a read, permission fault on a page in domain 15 */
    assert_int_equal(arm_fsr_decode(0x0FF, 0, 0, &f), HVP_OK);
    assert_string_equal(f.name, "permission fault, page");
    assert_int_equal(f.write, 0);
    assert_int_equal(f.ext, 0);
    assert_int_equal(f.domain, 15);
    /* the high bits are ignored */
    assert_int_equal(arm_fsr_decode(0xFFFF0000u | 0x805, 0, 0, &f), HVP_OK);
    assert_string_equal(f.name, "translation fault, section");
    assert_int_equal(f.write, 1);
    assert_int_equal(f.raw, 0xFFFF0805u);
}

static void test_short_ifsr(void **state)
{
    (void)state;
    arm_fsr_info f;
    /* bits 11 and 7:4 mean nothing in IFSR */
    assert_int_equal(arm_fsr_decode(0x8F5, 0, 1, &f), HVP_OK);
    assert_string_equal(f.name, "translation fault, section");
    assert_int_equal(f.write, -1);
    assert_int_equal(f.domain, -1);
    assert_int_equal(f.cm, 0);
    assert_int_equal(f.is_ifsr, 1);
    assert_int_equal(arm_fsr_decode(0x007, 0, 1, &f), HVP_OK);
    assert_string_equal(f.name, "translation fault, page");
    assert_int_equal(f.level, 2);
    assert_int_equal(arm_fsr_decode(0x002, 0, 1, &f), HVP_OK);
    assert_string_equal(f.name, "debug event");
    assert_int_equal(arm_fsr_decode(0x1008, 0, 1, &f), HVP_OK);
    assert_string_equal(f.name, "synchronous external abort");
    assert_int_equal(f.ext, 1);
    /* DFSR-only encodings are reserved in IFSR */
    const uint32_t dfsr_only[] = { 0x001, 0x004, 0x406, 0x408 };
    for (size_t i = 0; i < N(dfsr_only); i++) {
        assert_int_equal(arm_fsr_decode(dfsr_only[i], 0, 1, &f), HVP_OK);
        assert_int_equal(f.kind, ARM_FAULT_RESERVED);
        assert_non_null(strstr(f.name, "reserved/unknown status 0x"));
    }
}

static void test_long_every_status(void **state)
{
    (void)state;
    arm_fsr_info f;
    for (size_t i = 0; i < N(long_dfsr); i++) {
        assert_int_equal(arm_fsr_decode(0x200 | long_dfsr[i].fsr, 1, 0, &f), HVP_OK);
        assert_string_equal(f.name, long_dfsr[i].name);
        assert_int_equal(f.kind, long_dfsr[i].kind);
        assert_int_equal(f.level, long_dfsr[i].level);
        assert_int_equal(f.lpae, 1);
        assert_int_equal(f.domain, -1);
    }
    int reserved = 0;
    for (unsigned s = 0; s < 64; s++) {
        assert_int_equal(arm_fsr_decode(0x200 | s, 1, 0, &f), HVP_OK);
        assert_int_equal(f.status, s);
        if (!find(long_dfsr, N(long_dfsr), s, 1)) {
            char want[64];
            snprintf(want, sizeof want, "reserved/unknown status 0x%02x", s);
            assert_string_equal(f.name, want);
            assert_int_equal(f.kind, ARM_FAULT_RESERVED);
            reserved++;
        }
    }
    assert_int_equal(reserved, 64 - (int)N(long_dfsr));
    /* spot checks of reserved codes */
    assert_int_equal(arm_fsr_decode(0x208, 1, 0, &f), HVP_OK);  /* AF level 0 */
    assert_int_equal(f.kind, ARM_FAULT_RESERVED);
    assert_int_equal(arm_fsr_decode(0x23C, 1, 0, &f), HVP_OK);  /* domain level 0 */
    assert_string_equal(f.name, "reserved/unknown status 0x3c");
}

static void test_long_fields_and_autodetect(void **state)
{
    (void)state;
    arm_fsr_info f;
    /* FSR 0x6 in long-descriptor format: the seL4 "FSR: 0x6" case */
    assert_int_equal(arm_fsr_decode(0x6, 1, 1, &f), HVP_OK);
    assert_string_equal(f.name, "translation fault, level 2");
    assert_int_equal(f.level, 2);
    /* ... which in short format would be an access flag fault on a page */
    assert_int_equal(arm_fsr_decode(0x6, 0, 0, &f), HVP_OK);
    assert_string_equal(f.name, "access flag fault, page");
    /* lpae = -1: format from bit 9 */
    assert_int_equal(arm_fsr_decode(0x206, -1, 1, &f), HVP_OK);
    assert_int_equal(f.lpae, 1);
    assert_string_equal(f.name, "translation fault, level 2");
    assert_int_equal(arm_fsr_decode(0x006, -1, 1, &f), HVP_OK);
    assert_int_equal(f.lpae, 0);
    assert_string_equal(f.name, "access flag fault, page");
}

static void test_long_dfsr_wnr_and_ifsr(void **state)
{
    (void)state;
    arm_fsr_info f;
    assert_int_equal(arm_fsr_decode((1u << 12) | (1u << 11) | 0x200 | 0x0F, 1, 0, &f), HVP_OK);
    assert_string_equal(f.name, "permission fault, level 3");
    assert_int_equal(f.write, 1);
    assert_int_equal(f.ext, 1);
    /* IFSR: async and alignment are DFSR-only */
    assert_int_equal(arm_fsr_decode(0x211, 1, 1, &f), HVP_OK);
    assert_int_equal(f.kind, ARM_FAULT_RESERVED);
    assert_int_equal(arm_fsr_decode(0x221, 1, 1, &f), HVP_OK);
    assert_int_equal(f.kind, ARM_FAULT_RESERVED);
    assert_int_equal(arm_fsr_decode(0xA05, 1, 1, &f), HVP_OK);
    assert_int_equal(f.write, -1);
    assert_string_equal(f.name, "translation fault, level 1");
    assert_int_equal(arm_fsr_decode(0, 0, 0, NULL), HVP_E_INVAL);
    assert_string_equal(arm_fault_kind_name((arm_fault_kind)999), "reserved/unknown status");
    assert_true(arm_fault_is_mmu(ARM_FAULT_PERMISSION));
    assert_false(arm_fault_is_mmu(ARM_FAULT_SYNC_EXTERNAL));
}

/* ---- HSR ----------------------------------------------------------------- */

#define HSR(ec, il, iss) (((uint32_t)(ec) << 26) | ((uint32_t)(il) << 25) | (uint32_t)(iss))

static void test_hsr_stage2_prefetch_abort_ipa_8(void **state)
{
    (void)state;
    arm_hsr_info h;
    uint32_t hsr = HSR(0x20, 1, 0x06);
    assert_int_equal(hsr, 0x82000006u);
    assert_int_equal(arm_hsr_decode(hsr, &h), HVP_OK);
    assert_int_equal(h.ec, 0x20);
    assert_string_equal(h.class_name, "prefetch abort from a lower level");
    assert_int_equal(h.il, 1);
    assert_int_equal(h.iss, 0x06);
    assert_true(h.is_abort);
    assert_false(h.is_data);
    assert_true(h.from_lower);
    assert_string_equal(h.fsc.name, "translation fault, level 2");
    assert_int_equal(h.fsc.kind, ARM_FAULT_TRANSLATION);
    assert_int_equal(h.fsc.level, 2);
    assert_int_equal(h.wnr, -1);
    assert_int_equal(h.s1ptw, 0);
    assert_true(arm_abort_is_stage2(&h));

    /* "Pagefault from [vm0]: read prefetch fault @ PC: 0x8 IPA: 0x8, FSR: 0x6" */
    char buf[160];
    uint32_t hpfar = (0x8 >> 12) << 4;
    assert_int_equal(arm_describe_abort(hsr, 0x8, &hpfar, buf, sizeof buf, NULL), HVP_OK);
    assert_string_equal(buf,
        "stage-2 translation fault, level 2, on instruction fetch from IPA 0x8 (VA 0x8)");
    /* IPA differs from VA: page from HPFAR, offset from HIFAR */
    hpfar = 0x40000u << 4;
    assert_int_equal(arm_describe_abort(HSR(0x20, 1, 0x05), 0x60000008, &hpfar, buf,
                                        sizeof buf, NULL), HVP_OK);
    assert_string_equal(buf, "stage-2 translation fault, level 1, on instruction fetch from "
                             "IPA 0x40000008 (VA 0x60000008)");
    /* HPFAR not captured */
    assert_int_equal(arm_describe_abort(hsr, 0x8, NULL, buf, sizeof buf, NULL), HVP_OK);
    assert_string_equal(buf, "stage-2 translation fault, level 2, on instruction fetch from "
                             "VA 0x8 (IPA unknown: HPFAR not captured)");
}

static void test_hpfar_ipa(void **state)
{
    (void)state;
    assert_int_equal(arm_hpfar_ipa(0, 0x8), 0x8);
    assert_int_equal(arm_hpfar_ipa(0x00400000, 0xFFFFF123), 0x40000123ull);
    assert_int_equal(arm_hpfar_ipa(0xFFFFFFF0, 0xABC), 0xFFFFFFFABCull);  /* IPA[39:12] */
    assert_int_equal(arm_hpfar_ipa(0x0000000F, 0), 0);                    /* bits 3:0 RES0 */
}

static void test_hsr_data_abort_isv(void **state)
{
    (void)state;
    arm_hsr_info h;
    /* STR r3 (word) to a stage-2 read-only page: ISV, SAS=10, SRT=3, WnR,
     * permission fault level 3 */
    uint32_t iss = (1u << 24) | (2u << 22) | (3u << 16) | (1u << 6) | 0x0F;
    uint32_t hsr = HSR(0x24, 1, iss);
    assert_int_equal(arm_hsr_decode(hsr, &h), HVP_OK);
    assert_string_equal(h.class_name, "data abort from a lower level");
    assert_true(h.is_abort);
    assert_true(h.is_data);
    assert_int_equal(h.isv, 1);
    assert_int_equal(h.access_size, 4);
    assert_int_equal(h.srt, 3);
    assert_int_equal(h.sse, 0);
    assert_int_equal(h.wnr, 1);
    assert_int_equal(h.fsc.write, 1);
    assert_string_equal(h.fsc.name, "permission fault, level 3");
    assert_true(arm_abort_is_stage2(&h));
    char buf[160];
    uint32_t hpfar = 0x1c090u << 4;
    assert_int_equal(arm_describe_abort(hsr, 0xC0000004, &hpfar, buf, sizeof buf, NULL), HVP_OK);
    assert_string_equal(buf, "stage-2 permission fault, level 3, on 4-byte write from r3 "
                             "to IPA 0x1c090004 (VA 0xc0000004)");

    /* LDRSH r12: sign-extending halfword load, translation fault level 3 */
    iss = (1u << 24) | (1u << 22) | (1u << 21) | (12u << 16) | 0x07;
    assert_int_equal(arm_hsr_decode(HSR(0x24, 1, iss), &h), HVP_OK);
    assert_int_equal(h.access_size, 2);
    assert_int_equal(h.sse, 1);
    assert_int_equal(h.srt, 12);
    assert_int_equal(h.wnr, 0);
    hpfar = 0x10000u << 4;
    assert_int_equal(arm_describe_abort(HSR(0x24, 1, iss), 0x10000002, &hpfar, buf,
                                        sizeof buf, NULL), HVP_OK);
    assert_string_equal(buf, "stage-2 translation fault, level 3, on sign-extending 2-byte "
                             "read into r12 from IPA 0x10000002 (VA 0x10000002)");

    /* no ISV (e.g. LDM): SAS/SRT not reported */
    assert_int_equal(arm_hsr_decode(HSR(0x24, 1, (3u << 22) | (5u << 16) | 0x06), &h), HVP_OK);
    assert_int_equal(h.isv, 0);
    assert_int_equal(h.access_size, 0);
    assert_int_equal(h.srt, 0);
    hpfar = 0;
    assert_int_equal(arm_describe_abort(HSR(0x24, 1, 0x06), 0x20, &hpfar, buf, sizeof buf,
                                        NULL), HVP_OK);
    assert_string_equal(buf, "stage-2 translation fault, level 2, on read from IPA 0x20 (VA 0x20)");
    /* cache maintenance */
    assert_int_equal(arm_describe_abort(HSR(0x24, 1, (1u << 8) | (1u << 6) | 0x06), 0x20,
                                        &hpfar, buf, sizeof buf, NULL), HVP_OK);
    assert_string_equal(buf, "stage-2 translation fault, level 2, on cache maintenance of "
                             "IPA 0x20 (VA 0x20)");
}

static void test_hsr_s1ptw_and_hyp_and_external(void **state)
{
    (void)state;
    arm_hsr_info h;
    char buf[200];
    /* stage-2 fault while walking the guest's stage-1 tables */
    uint32_t hsr = HSR(0x24, 1, (1u << 7) | 0x05);
    uint32_t hpfar = 0x60004u << 4;
    assert_int_equal(arm_hsr_decode(hsr, &h), HVP_OK);
    assert_int_equal(h.s1ptw, 1);
    assert_true(arm_abort_is_stage2(&h));
    assert_int_equal(arm_describe_abort(hsr, 0x8, &hpfar, buf, sizeof buf, NULL), HVP_OK);
    assert_string_equal(buf, "stage-2 translation fault, level 1, on the stage-1 table walk "
                             "for read from VA 0x8 (descriptor in IPA page 0x60004000)");

    /* taken from Hyp mode: Hyp's own stage 1 */
    hsr = HSR(0x25, 1, 0x07);
    assert_int_equal(arm_hsr_decode(hsr, &h), HVP_OK);
    assert_false(h.from_lower);
    assert_string_equal(h.class_name, "data abort taken in Hyp mode");
    assert_false(arm_abort_is_stage2(&h));
    assert_int_equal(arm_describe_abort(hsr, 0xF0001000, &hpfar, buf, sizeof buf, NULL), HVP_OK);
    assert_string_equal(buf, "Hyp-mode stage-1 translation fault, level 3, on read from "
                             "VA 0xf0001000");
    assert_int_equal(arm_hsr_decode(HSR(0x21, 1, 0x06), &h), HVP_OK);
    assert_string_equal(h.class_name, "prefetch abort taken in Hyp mode");
    assert_false(arm_abort_is_stage2(&h));

    /* external abort from the guest: not a translation fault, HPFAR unused */
    hsr = HSR(0x24, 1, (1u << 9) | 0x10);
    assert_int_equal(arm_hsr_decode(hsr, &h), HVP_OK);
    assert_int_equal(h.ea, 1);
    assert_false(arm_abort_is_stage2(&h));
    assert_int_equal(arm_describe_abort(hsr, 0x1C000000, &hpfar, buf, sizeof buf, NULL), HVP_OK);
    assert_string_equal(buf, "synchronous external abort (EA=1), on read from VA 0x1c000000");

    /* domain fault routed to Hyp (HCR.TGE): stage 1 */
    hsr = HSR(0x20, 1, 0x3D);
    assert_int_equal(arm_hsr_decode(hsr, &h), HVP_OK);
    assert_false(arm_abort_is_stage2(&h));
    assert_int_equal(arm_describe_abort(hsr, 0x8000, NULL, buf, sizeof buf, NULL), HVP_OK);
    assert_string_equal(buf, "stage-1 domain fault, level 1 (routed to Hyp), on instruction "
                             "fetch from VA 0x8000");
    /* address size fault: either stage, not claimed */
    hsr = HSR(0x24, 1, (1u << 6) | 0x01);
    assert_int_equal(arm_hsr_decode(hsr, &h), HVP_OK);
    assert_false(arm_abort_is_stage2(&h));
    assert_int_equal(arm_describe_abort(hsr, 0x400, &hpfar, buf, sizeof buf, NULL), HVP_OK);
    assert_string_equal(buf, "address size fault, level 1, on write to VA 0x400");
    /* debug event on instruction fetch */
    assert_int_equal(arm_describe_abort(HSR(0x20, 1, 0x22), 0x100, NULL, buf, sizeof buf,
                                        NULL), HVP_OK);
    assert_string_equal(buf, "debug event, on instruction fetch from VA 0x100");
    /* reserved IFSC does not crash */
    assert_int_equal(arm_describe_abort(HSR(0x20, 1, 0x3F), 0x100, NULL, buf, sizeof buf,
                                        NULL), HVP_OK);
    assert_string_equal(buf, "reserved/unknown status 0x3f, on instruction fetch from VA 0x100");
}

static void test_hsr_classes(void **state)
{
    (void)state;
    arm_hsr_info h;
    char buf[128];
    assert_int_equal(arm_hsr_decode(HSR(0x12, 1, 0x1), &h), HVP_OK);
    assert_string_equal(h.class_name, "HVC executed");
    assert_int_equal(h.imm16, 1);
    assert_false(h.is_abort);
    assert_int_equal(h.fsc.level, -1);
    assert_string_equal(h.fsc.name, "");
    assert_int_equal(arm_describe_abort(HSR(0x12, 1, 0x1), 0, NULL, buf, sizeof buf, NULL), HVP_OK);
    assert_string_equal(buf, "HVC executed, #0x1");

    assert_int_equal(arm_hsr_decode(HSR(0x11, 1, 0xFFFF), &h), HVP_OK);
    assert_string_equal(h.class_name, "SVC from AArch32 (taken to Hyp)");
    assert_int_equal(h.imm16, 0xFFFF);
    assert_int_equal(arm_describe_abort(HSR(0x11, 0, 0x12), 0, NULL, buf, sizeof buf, NULL), HVP_OK);
    assert_string_equal(buf, "SVC from AArch32 (taken to Hyp), #0x12");

    assert_int_equal(arm_hsr_decode(HSR(0x13, 1, 0), &h), HVP_OK);
    assert_string_equal(h.class_name, "SMC trapped (HCR.TSC)");
    assert_int_equal(h.imm16, -1);
    assert_int_equal(arm_describe_abort(HSR(0x13, 1, 0), 0, NULL, buf, sizeof buf, NULL), HVP_OK);
    assert_string_equal(buf, "SMC trapped (HCR.TSC) (EC 0x13, ISS 0x0000000)");

    assert_string_equal(arm_hsr_class_name(0x00), "unknown reason");
    assert_string_equal(arm_hsr_class_name(0x01), "WFI or WFE trapped");
    assert_string_equal(arm_hsr_class_name(0x03), "MCR/MRC to CP15 trapped");
    assert_string_equal(arm_hsr_class_name(0x04), "MCRR/MRRC to CP15 trapped");
    assert_string_equal(arm_hsr_class_name(0x05), "MCR/MRC to CP14 trapped");
    assert_string_equal(arm_hsr_class_name(0x07),
                        "CP0-CP13 (FP/Advanced SIMD) access trapped by HCPTR");
    assert_string_equal(arm_hsr_class_name(0x16), "HVC from AArch64 (v8)");

    /* unknown/unallocated EC */
    assert_string_equal(arm_hsr_class_name(0x3F), "unallocated exception class");
    assert_string_equal(arm_hsr_class_name(0x1000), "unallocated exception class");
    assert_int_equal(arm_hsr_decode(HSR(0x3F, 1, 0x123), &h), HVP_OK);
    assert_int_equal(h.ec, 0x3F);
    assert_int_equal(h.iss, 0x123);
    assert_false(h.is_abort);
    assert_int_equal(arm_describe_abort(HSR(0x3F, 1, 0x123), 0, NULL, buf, sizeof buf, NULL),
                     HVP_OK);
    assert_string_equal(buf, "unallocated exception class (EC 0x3f, ISS 0x0000123)");
    assert_int_equal(arm_hsr_decode(0, NULL), HVP_E_INVAL);
    assert_false(arm_abort_is_stage2(NULL));
}

static void test_describe_errors(void **state)
{
    (void)state;
    hvp_error err = { 0, "" };
    char small[16];
    uint32_t hpfar = 0;
    assert_int_equal(arm_describe_abort(0x82000006u, 0x8, &hpfar, NULL, 10, &err), HVP_E_INVAL);
    assert_int_equal(err.code, HVP_E_INVAL);
    assert_int_equal(arm_describe_abort(0x82000006u, 0x8, &hpfar, small, 0, NULL), HVP_E_INVAL);
    memset(small, 'x', sizeof small);
    assert_int_equal(arm_describe_abort(0x82000006u, 0x8, &hpfar, small, sizeof small, &err),
                     HVP_E_INVAL);
    assert_int_equal(strlen(small), sizeof small - 1);
    assert_string_equal(small, "stage-2 transla");
    assert_non_null(strstr(err.msg, "too small"));
    /* exactly fitting buffer */
    char exact[sizeof "HVC executed, #0x1"];
    assert_int_equal(arm_describe_abort(HSR(0x12, 1, 1), 0, NULL, exact, sizeof exact, NULL),
                     HVP_OK);
    assert_string_equal(exact, "HVC executed, #0x1");
    char one[1];
    assert_int_equal(arm_describe_abort(HSR(0x12, 1, 1), 0, NULL, one, 1, NULL), HVP_E_INVAL);
    assert_int_equal(one[0], '\0');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_short_dfsr_every_status),
        cmocka_unit_test(test_short_dfsr_fields),
        cmocka_unit_test(test_short_ifsr),
        cmocka_unit_test(test_long_every_status),
        cmocka_unit_test(test_long_fields_and_autodetect),
        cmocka_unit_test(test_long_dfsr_wnr_and_ifsr),
        cmocka_unit_test(test_hsr_stage2_prefetch_abort_ipa_8),
        cmocka_unit_test(test_hpfar_ipa),
        cmocka_unit_test(test_hsr_data_abort_isv),
        cmocka_unit_test(test_hsr_s1ptw_and_hyp_and_external),
        cmocka_unit_test(test_hsr_classes),
        cmocka_unit_test(test_describe_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
