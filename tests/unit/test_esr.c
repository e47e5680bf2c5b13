/* test_esr.c - ESR_ELx decoding (AArch64 wording over the shared HSR
 * layout) and the one-sentence description.  The ESR values were built by
 * hand from the field positions (EC 31:26, IL 25, ISS 24:0). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arch/arm/fault.h"
#include "arch/arm64/esr.h"

#define ESR(ec, il, iss) (((uint64_t)(ec) << 26) | ((uint64_t)(il) << 25) | (uint64_t)(iss))

static const char *say(uint64_t esr, int have_far, uint64_t far, const char *el)
{
    static char buf[320];
    assert_int_equal(a64_esr_describe(esr, have_far, far, el, buf, sizeof buf, NULL), HVP_OK);
    return buf;
}

static void test_svc_hvc_smc(void **state)
{
    (void)state;
    a64_esr_info e;
    assert_int_equal(ESR(0x15, 1, 0), 0x56000000u);
    assert_int_equal(a64_esr_decode(0x56000000, &e), HVP_OK);
    assert_int_equal(e.ec, 0x15);
    assert_string_equal(e.class_name, "SVC instruction from AArch64");
    assert_int_equal(e.il, 1);
    assert_int_equal(e.iss, 0);
    assert_false(e.is_abort);
    assert_int_equal(e.same_el, -1);
    assert_int_equal(e.has_imm16, 1);
    assert_int_equal(e.imm16, 0);
    assert_int_equal(e.wnr, -1);
    assert_string_equal(e.fsc.name, "");
    assert_string_equal(say(0x56000000, 0, 0, "EL1"), "ESR_EL1 0x56000000: SVC #0x0 executed in AArch64");
    /* the FAR means nothing for an SVC: not printed */
    assert_string_equal(say(0x56000080, 1, 0x1234, "EL1"),
                        "ESR_EL1 0x56000080: SVC #0x80 executed in AArch64");
    assert_string_equal(say(ESR(0x16, 1, 0), 0, 0, "EL2"),
                        "ESR_EL2 0x5a000000: HVC #0x0 executed in AArch64");
    assert_string_equal(say(ESR(0x17, 1, 0x1), 0, 0, "EL3"),
                        "ESR_EL3 0x5e000001: SMC #0x1 executed in AArch64");
    assert_string_equal(say(ESR(0x11, 0, 0x5), 0, 0, "EL1"),
                        "ESR_EL1 0x44000005: SVC #0x5 executed in AArch32");
    assert_string_equal(say(0x56000000, 0, 0, NULL),
                        "ESR_ELx 0x56000000: SVC #0x0 executed in AArch64");
}

static void test_dabt_same_el_translation_level0(void **state)
{
    (void)state;
    a64_esr_info e;
    assert_int_equal(ESR(0x25, 1, 0x04), 0x96000004u);
    assert_int_equal(a64_esr_decode(0x96000004, &e), HVP_OK);
    assert_int_equal(e.ec, 0x25);
    assert_string_equal(e.class_name, "data abort taken without a change in Exception level");
    /* the AArch32 HSR name of the same class says Hyp mode */
    assert_string_equal(arm_hsr_class_name(0x25), "data abort taken in Hyp mode");
    assert_true(e.is_abort);
    assert_true(e.is_data);
    assert_int_equal(e.same_el, 1);
    assert_int_equal(e.fsc.kind, ARM_FAULT_TRANSLATION);
    assert_int_equal(e.fsc.level, 0);
    assert_string_equal(e.fsc.name, "translation fault, level 0");
    assert_int_equal(e.wnr, 0);
    assert_int_equal(e.s1ptw, 0);
    assert_int_equal(e.isv, 0);
    assert_int_equal(e.fnv, 0);
    assert_string_equal(say(0x96000004, 1, 0, "EL1"),
                        "ESR_EL1 0x96000004: data abort taken without a change in Exception "
                        "level, translation fault, level 0 (DFSC 0x04), read, at FAR_EL1 0x0");
    /* without the FAR */
    assert_string_equal(say(0x96000004, 0, 0, "EL1"),
                        "ESR_EL1 0x96000004: data abort taken without a change in Exception "
                        "level, translation fault, level 0 (DFSC 0x04), read");
}

static void test_dabt_isv_registers(void **state)
{
    (void)state;
    a64_esr_info e;
    /* STR w1 (word) from EL1 trapped at stage 2: ISV, SAS=0b10, SRT=1,
     * WnR, translation fault level 1 */
    assert_int_equal(ESR(0x24, 1, (1u << 24) | (2u << 22) | (1u << 16) | 0x45), 0x93810045u);
    assert_int_equal(a64_esr_decode(0x93810045, &e), HVP_OK);
    assert_int_equal(e.same_el, 0);
    assert_int_equal(e.isv, 1);
    assert_int_equal(e.access_size, 4);
    assert_int_equal(e.srt, 1);
    assert_int_equal(e.sf, 0);
    assert_int_equal(e.wnr, 1);
    assert_string_equal(say(0x93810045, 1, 0x9000000, "EL2"),
                        "ESR_EL2 0x93810045: data abort from a lower Exception level, "
                        "translation fault, level 1 (DFSC 0x05, stage 2 unless "
                        "HCR_EL2.TGE=1), 4-byte write from w1, at FAR_EL2 0x9000000");
    /* LDR x30: SRT is 5 bits in AArch64 (HSR's is 4), SF=1 */
    uint64_t esr = ESR(0x24, 1, (1u << 24) | (3u << 22) | (30u << 16) | (1u << 15) | 0x07);
    assert_int_equal(esr, 0x93DE8007u);
    assert_int_equal(a64_esr_decode(esr, &e), HVP_OK);
    assert_int_equal(e.srt, 30);
    assert_int_equal(e.sf, 1);
    assert_int_equal(e.access_size, 8);
    assert_string_equal(say(esr, 1, 0x1000, "EL2"),
                        "ESR_EL2 0x93de8007: data abort from a lower Exception level, "
                        "translation fault, level 3 (DFSC 0x07, stage 2 unless "
                        "HCR_EL2.TGE=1), 8-byte read into x30, at FAR_EL2 0x1000");
    /* STR wzr, permission fault level 3, same EL: no stage hint */
    esr = ESR(0x25, 1, (1u << 24) | (2u << 22) | (31u << 16) | 0x4F);
    assert_string_equal(say(esr, 1, 0xFFFF000012345678ull, "EL1"),
                        "ESR_EL1 0x979f004f: data abort taken without a change in Exception "
                        "level, permission fault, level 3 (DFSC 0x0f), 4-byte write from wzr, "
                        "at FAR_EL1 0xffff000012345678");
    /* from EL0 to EL1: a stage-1 fault, no stage-2 hint either */
    assert_string_equal(say(ESR(0x24, 1, 0x47), 1, 0x400000, "EL1"),
                        "ESR_EL1 0x92000047: data abort from a lower Exception level, "
                        "translation fault, level 3 (DFSC 0x07), write, at FAR_EL1 0x400000");
    /* sign-extending halfword load and cache maintenance */
    esr = ESR(0x24, 1, (1u << 24) | (1u << 22) | (1u << 21) | (5u << 16) | (1u << 15) | 0x06);
    assert_non_null(strstr(say(esr, 0, 0, "EL1"), "sign-extending 2-byte read into x5"));
    assert_non_null(strstr(say(ESR(0x25, 1, 0x146), 0, 0, "EL1"), "), cache maintenance"));
}

static void test_iabt_lower_s1ptw(void **state)
{
    (void)state;
    a64_esr_info e;
    assert_int_equal(ESR(0x20, 1, (1u << 7) | 0x06), 0x82000086u);
    assert_int_equal(a64_esr_decode(0x82000086, &e), HVP_OK);
    assert_string_equal(e.class_name, "instruction abort from a lower Exception level");
    assert_true(e.is_abort);
    assert_false(e.is_data);
    assert_int_equal(e.same_el, 0);
    assert_int_equal(e.s1ptw, 1);
    assert_int_equal(e.wnr, -1);
    assert_int_equal(e.fsc.level, 2);
    assert_int_equal(e.fsc.is_ifsr, 1);
    assert_string_equal(say(0x82000086, 1, 0x400000, "EL2"),
                        "ESR_EL2 0x82000086: instruction abort from a lower Exception level, "
                        "translation fault, level 2 (IFSC 0x06), stage-2 fault on the stage-1 "
                        "table walk, instruction fetch, at FAR_EL2 0x400000");
    assert_int_equal(a64_esr_decode(ESR(0x21, 1, 0x0F), &e), HVP_OK);
    assert_string_equal(e.class_name,
                        "instruction abort taken without a change in Exception level");
    assert_int_equal(e.same_el, 1);
}

static void test_abort_fsc_aarch64_codes(void **state)
{
    (void)state;
    a64_esr_info e;
    /* FnV: the FAR is not valid, and is not printed */
    assert_string_equal(say(0x96000410, 1, 0xDEAD, "EL1"),
                        "ESR_EL1 0x96000410: data abort taken without a change in Exception "
                        "level, synchronous external abort (DFSC 0x10), read, FAR_EL1 not "
                        "valid (FnV=1)");
    assert_non_null(strstr(say(0x96000210, 1, 0, "EL1"), "(DFSC 0x10, EA=1)"));
    /* 0x11: tag check fault (data) in AArch64, asynchronous external
     * abort in the AArch32 DFSR; reserved for instruction aborts */
    assert_int_equal(a64_esr_decode(0x96000011, &e), HVP_OK);
    assert_string_equal(e.fsc.name, "synchronous tag check fault");
    assert_int_equal(a64_esr_decode(ESR(0x21, 1, 0x11), &e), HVP_OK);
    assert_string_equal(e.fsc.name, "reserved/unknown status 0x11");
    assert_int_equal(a64_esr_decode(0x96000019, &e), HVP_OK);
    assert_int_equal(e.fsc.kind, ARM_FAULT_RESERVED);
    assert_int_equal(a64_esr_decode(0x9600002B, &e), HVP_OK);
    assert_string_equal(e.fsc.name, "translation fault, level -1");
    assert_int_equal(e.fsc.kind, ARM_FAULT_TRANSLATION);
    assert_int_equal(a64_esr_decode(0x96000008, &e), HVP_OK);
    assert_string_equal(e.fsc.name, "access flag fault, level 0");
    assert_int_equal(a64_esr_decode(0x96000031, &e), HVP_OK);
    assert_string_equal(e.fsc.name, "unsupported atomic hardware update fault");
    /* shared codes come from arm_lfsc_decode unchanged */
    assert_int_equal(a64_esr_decode(0x9600000E, &e), HVP_OK);
    assert_string_equal(e.fsc.name, "permission fault, level 2");
    assert_int_equal(a64_esr_decode(0x96000021, &e), HVP_OK);
    assert_string_equal(e.fsc.name, "alignment fault");
    /* ISS2 (36:32) and the raw value are kept */
    assert_int_equal(a64_esr_decode(0x1F96000004ull, &e), HVP_OK);
    assert_int_equal(e.iss2, 0x1F);
    assert_int_equal(e.raw, 0x1F96000004ull);
    assert_int_equal(e.ec, 0x25);
}

static void test_udf_brk_serror_unknown(void **state)
{
    (void)state;
    a64_esr_info e;
    /* UDF: EC 0 */
    assert_int_equal(a64_esr_decode(0x02000000, &e), HVP_OK);
    assert_int_equal(e.ec, 0);
    assert_int_equal(e.has_imm16, 0);
    assert_string_equal(say(0x02000000, 1, 0x1234, "EL1"),
                        "ESR_EL1 0x02000000: unknown reason (e.g. an undefined instruction, UDF)");
    /* BRK #0x800 (Linux BUG()) */
    assert_int_equal(ESR(0x3C, 1, 0x800), 0xF2000800u);
    assert_int_equal(a64_esr_decode(0xF2000800, &e), HVP_OK);
    assert_string_equal(e.class_name, "BRK instruction from AArch64");
    assert_int_equal(e.imm16, 0x800);
    assert_string_equal(say(0xF2000800, 0, 0, "EL1"),
                        "ESR_EL1 0xf2000800: BRK #0x800 executed in AArch64");
    /* SError: uncategorized, RAS asynchronous with AET, IMP DEF syndrome */
    assert_int_equal(ESR(0x2F, 1, 0), 0xBE000000u);
    assert_string_equal(say(0xBE000000, 1, 0, "EL1"),
                        "ESR_EL1 0xbe000000: SError interrupt, uncategorized");
    assert_string_equal(say(ESR(0x2F, 1, (3u << 10) | 0x11), 0, 0, "EL2"),
                        "ESR_EL2 0xbe000c11: SError interrupt, asynchronous SError, "
                        "recoverable state (UER)");
    assert_string_equal(say(ESR(0x2F, 1, (1u << 24) | 0x123), 0, 0, "EL3"),
                        "ESR_EL3 0xbf000123: SError interrupt, IMPLEMENTATION DEFINED "
                        "syndrome 0x000123");
    /* an unallocated class */
    assert_int_equal(a64_esr_decode(0xFE001234, &e), HVP_OK);
    assert_int_equal(e.ec, 0x3F);
    assert_string_equal(e.class_name, "unallocated exception class");
    assert_string_equal(say(0xFE001234, 0, 0, "EL1"),
                        "ESR_EL1 0xfe001234: unallocated exception class (EC 0x3f, "
                        "ISS 0x0001234)");
    assert_string_equal(a64_esr_class_name(0x10), "unallocated exception class");
    /* other classes by name */
    assert_string_equal(say(ESR(0x0E, 1, 0), 0, 0, "EL1"),
                        "ESR_EL1 0x3a000000: illegal execution state");
    assert_string_equal(say(ESR(0x22, 1, 0), 1, 0x1001, "EL1"),
                        "ESR_EL1 0x8a000000: PC alignment fault, at FAR_EL1 0x1001");
    assert_string_equal(say(ESR(0x26, 1, 0), 1, 0x1001, "EL1"),
                        "ESR_EL1 0x9a000000: SP alignment fault");
    assert_string_equal(say(ESR(0x01, 1, 1), 0, 0, "EL2"),
                        "ESR_EL2 0x06000001: WFI/WFE instruction trapped: WFE");
    assert_string_equal(say(ESR(0x35, 1, 0x62), 1, 0x8000, "EL1"),
                        "ESR_EL1 0xd6000062: watchpoint taken without a change in Exception "
                        "level, write, at FAR_EL1 0x8000");
    assert_string_equal(say(ESR(0x07, 1, 0x1E00000), 0, 0, "EL1"),
                        "ESR_EL1 0x1fe00000: SVE, Advanced SIMD or floating-point access "
                        "trapped (ISS 0x1e00000)");
}

static void test_sysreg_trap(void **state)
{
    (void)state;
    /* MRS x1, CNTFRQ_EL0 = S3_3_C14_C0_0: Op0 21:20, Op2 19:17, Op1 16:14,
     * CRn 13:10, Rt 9:5, CRm 4:1, Direction 0 */
    uint32_t iss = (3u << 20) | (0u << 17) | (3u << 14) | (14u << 10) | (1u << 5) | 1;
    assert_int_equal(ESR(0x18, 1, iss), 0x6230F821u);
    assert_string_equal(say(0x6230F821, 0, 0, "EL2"),
                        "ESR_EL2 0x6230f821: MSR/MRS/system instruction trap: "
                        "MRS x1, S3_3_C14_C0_0");
    /* MSR SCTLR_EL1 (S3_0_C1_C0_0), xzr */
    iss = (3u << 20) | (1u << 10) | (31u << 5);
    assert_non_null(strstr(say(ESR(0x18, 1, iss), 0, 0, "EL2"), "MSR S3_0_C1_C0_0, xzr"));
    /* DC CIVAC, x2 = SYS #3, C7, C14, #1, x2 */
    iss = (1u << 20) | (1u << 17) | (3u << 14) | (7u << 10) | (2u << 5) | (14u << 1);
    assert_non_null(strstr(say(ESR(0x18, 1, iss), 0, 0, "EL2"), "SYS #3, C7, C14, #1, x2"));
}

static void test_errors(void **state)
{
    (void)state;
    char small[16];
    hvp_error err = { 0, "" };
    assert_int_equal(a64_esr_decode(0, NULL), HVP_E_INVAL);
    assert_int_equal(a64_esr_describe(0x96000004, 0, 0, "EL1", NULL, 10, &err), HVP_E_INVAL);
    assert_int_equal(a64_esr_describe(0x96000004, 0, 0, "EL1", small, 0, &err), HVP_E_INVAL);
    assert_int_equal(a64_esr_describe(0x96000004, 1, 0, "EL1", small, sizeof small, &err),
                     HVP_E_INVAL);
    assert_non_null(strstr(err.msg, "too small"));
    assert_int_equal(strlen(small), sizeof small - 1);
    assert_memory_equal(small, "ESR_EL1 0x96000", 15);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_svc_hvc_smc),
        cmocka_unit_test(test_dabt_same_el_translation_level0),
        cmocka_unit_test(test_dabt_isv_registers),
        cmocka_unit_test(test_iabt_lower_s1ptw),
        cmocka_unit_test(test_abort_fsc_aarch64_codes),
        cmocka_unit_test(test_udf_brk_serror_unknown),
        cmocka_unit_test(test_sysreg_trap),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
