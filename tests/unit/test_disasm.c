/*
 * test_disasm.c - the capture's capstone-free vector-entry decoder
 * (arm_quick_entry_target) must agree with capstone (arm_decode +
 * arm_entry_target, what the verdicts use) on every word it is given:
 * the encodings it handles, their neighbours, and random words.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arch/arm/disasm.h"

#define BASE 0x60000000u

/* Both decoders on word w at slot `slot` of a 64-byte table whose
 * literal pool (words 8..15) holds `lit`. */
static void agree(arm_disasm *d, uint32_t w, unsigned slot, uint32_t lit, unsigned *hits)
{
    uint8_t b[64];
    for (unsigned i = 0; i < 16; i++) {
        uint32_t v = i == slot ? w : i >= 8 ? lit + 0x100u * i : 0xe1a00000u; /* nop */
        b[4 * i] = (uint8_t)v, b[4 * i + 1] = (uint8_t)(v >> 8);
        b[4 * i + 2] = (uint8_t)(v >> 16), b[4 * i + 3] = (uint8_t)(v >> 24);
    }
    uint64_t addr = BASE + 4u * slot, t1 = 0, t2 = 0;
    arm_decoded dec;
    arm_decode(d, b + 4 * slot, 4, addr, &dec);
    int a = arm_entry_target(&dec, b, sizeof b, BASE, &t1);
    int q = arm_quick_entry_target(b, sizeof b, BASE, addr, &t2);
    if (a != q || (a && t1 != t2))
        fail_msg("word 0x%08x at 0x%llx: capstone %s 0x%llx (%s), quick %s 0x%llx", w,
                 (unsigned long long)addr, a ? "->" : "none", (unsigned long long)t1, dec.text,
                 q ? "->" : "none", (unsigned long long)t2);
    *hits += a;
}

static void test_agrees_with_capstone(void **state)
{
    (void)state;
    arm_disasm *d = NULL;
    assert_int_equal(arm_disasm_new(0, &d, NULL), HVP_OK);
    unsigned hits = 0;
    /* B / BL / BLX imm: every condition, both link bits, edge offsets */
    static const uint32_t imms[] = { 0, 1, 6, 0x11, 0x7fffff, 0x800000, 0xfffffe, 0xffffff, 0x123456 };
    for (uint32_t cond = 0; cond < 16; cond++)
        for (uint32_t l = 0; l < 2; l++)
            for (size_t i = 0; i < sizeof imms / sizeof imms[0]; i++)
                agree(d, cond << 28 | 0x0a000000u | l << 24 | imms[i], 2, 0x60001000u, &hits);
    /* LDR PC, [PC, #+-imm] and its neighbours (other Rt/Rn, writeback,
     * post-index, byte loads, stores): literal inside and outside the table */
    static const uint32_t offs[] = { 0, 4, 0x18, 0x20, 0x24, 0x30, 0x34, 0x38, 0x100, 0xfff };
    for (uint32_t cond = 0; cond < 16; cond++)
        for (uint32_t bits = 0; bits < 0x20; bits++)            /* P U B W L */
            for (uint32_t rt = 14; rt < 16; rt++)
                for (uint32_t rn = 14; rn < 16; rn++)
                    for (size_t i = 0; i < sizeof offs / sizeof offs[0]; i++)
                        for (unsigned slot = 0; slot < 8; slot += 3)
                            agree(d, cond << 28 | 0x04000000u | bits << 20 | rn << 16 | rt << 12 | offs[i], slot,
                                  0x60002001u, &hits);
    /* random words */
    uint32_t x = 0x12345678u;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        agree(d, x, (unsigned)i & 7, x * 2654435761u, &hits);
    }
    print_message("# %u words with a target, all agreeing\n", hits);
    assert_true(hits > 1000);
    arm_disasm_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_agrees_with_capstone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
