/* test_exc64.c - AArch64 exception routing (arch/arm64/exc64) on
 * hand-made snapshots: every routing rule the model states, with the
 * slot, the level and the vector base it picks; the A64 decoder's control
 * flow classes; slot names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "arch/arm/disasm.h"
#include "arch/arm64/exc64.h"
#include "hvprobe/snapshot.h"

#define VB1 0x40080800ull
#define VB2 0x48002000ull
#define VB3 0x0e000000ull

/* PSTATE values (SPSR layout): EL in bits 3:2, SPSel bit 0, DAIF 9:6. */
#define EL0T  0x000u
#define EL1T  0x004u
#define EL1H  0x005u
#define EL2H  0x009u
#define USR32 0x010u
#define DAIF  0x3c0u

/* A snapshot at `pstate` with VBAR_EL1, and EL2 (HCR_EL2) / EL3 (SCR_EL3)
 * registers when hcr / scr are not -1. */
static hvp_snapshot *snap(uint32_t pstate, int64_t hcr, int64_t scr)
{
    hvp_snapshot *s = hvp_snapshot_new();
    assert_non_null(s);
    s->arch = HVP_ARCH_AARCH64;
    s->cpu.have_core = 1;
    s->cpu.pstate = pstate;
    assert_int_equal(hvp_snapshot_add_reg(s, "VBAR", VB1, 64), HVP_OK);  /* QEMU's name for VBAR_EL1 */
    if (hcr >= 0) {
        hvp_snapshot_add_reg(s, "HCR_EL2", (uint64_t)hcr, 64);
        hvp_snapshot_add_reg(s, "VBAR_EL2", VB2, 64);
    }
    if (scr >= 0) {
        hvp_snapshot_add_reg(s, "SCR_EL3", (uint64_t)scr, 64);
        hvp_snapshot_add_reg(s, "VBAR_EL3", VB3, 64);
    }
    return s;
}

static void routes(hvp_snapshot *s, a64_state *st, a64_route r[A64_NKINDS])
{
    a64_state_from(s, st);
    a64_route_exceptions(s, st, r);
}

static void el1h_sync_stays_at_el1(void **state)
{
    (void)state;
    hvp_snapshot *s = snap(EL1H | DAIF, -1, -1);
    a64_state st;
    a64_route r[A64_NKINDS];
    routes(s, &st, r);
    assert_int_equal(st.el, 1);
    assert_int_equal(a64_table_el(&st), 1);
    assert_true(r[A64_SYNC].taken && r[A64_SYNC].known);
    assert_int_equal(r[A64_SYNC].target_el, 1);
    assert_string_equal(a64_slot_name(r[A64_SYNC].slot), "cur_spx.sync");
    assert_int_equal(r[A64_SYNC].fetch, VB1 + 0x200);
    /* IRQ to the current level: PSTATE.I masks it */
    assert_string_equal(a64_slot_name(r[A64_IRQ].slot), "cur_spx.irq");
    assert_int_equal(r[A64_IRQ].masked, HVP_YES);
    assert_int_equal(r[A64_SERROR].fetch, VB1 + 0x380);
    hvp_snapshot_free(s);
}

static void el1t_uses_sp0_group(void **state)
{
    (void)state;
    hvp_snapshot *s = snap(EL1T, -1, -1);
    a64_state st;
    a64_route r[A64_NKINDS];
    routes(s, &st, r);
    assert_string_equal(a64_slot_name(r[A64_SYNC].slot), "cur_sp0.sync");
    assert_int_equal(r[A64_SYNC].fetch, VB1);
    assert_int_equal(r[A64_IRQ].masked, HVP_NO);
    hvp_snapshot_free(s);
}

static void el0_goes_to_lower_groups(void **state)
{
    (void)state;
    hvp_snapshot *s = snap(EL0T, -1, -1);
    a64_state st;
    a64_route r[A64_NKINDS];
    routes(s, &st, r);
    assert_int_equal(r[A64_SYNC].target_el, 1);
    assert_string_equal(a64_slot_name(r[A64_SYNC].slot), "lower_a64.sync");
    assert_int_equal(r[A64_SYNC].fetch, VB1 + 0x400);
    hvp_snapshot_free(s);
    s = snap(USR32, -1, -1);   /* AArch32 EL0 under an AArch64 EL1 */
    routes(s, &st, r);
    assert_true(st.aarch32);
    assert_string_equal(a64_slot_name(r[A64_SYNC].slot), "lower_a32.sync");
    assert_int_equal(r[A64_FIQ].fetch, VB1 + 0x700);
    hvp_snapshot_free(s);
}

static void imo_routes_irq_to_el2_unmasked(void **state)
{
    (void)state;
    /* HCR_EL2: IMO (bit 4), RW (bit 31) */
    hvp_snapshot *s = snap(EL1H | DAIF, (1 << 4) | (1ll << 31), -1);
    a64_state st;
    a64_route r[A64_NKINDS];
    routes(s, &st, r);
    assert_int_equal(r[A64_SYNC].target_el, 1);
    assert_int_equal(r[A64_IRQ].target_el, 2);
    assert_string_equal(a64_slot_name(r[A64_IRQ].slot), "lower_a64.irq");
    assert_int_equal(r[A64_IRQ].fetch, VB2 + 0x480);
    assert_string_equal(r[A64_IRQ].vbar, "VBAR_EL2");
    assert_int_equal(r[A64_IRQ].masked, HVP_NO);    /* PSTATE.I does not mask it */
    assert_non_null(strstr(r[A64_IRQ].why, "HCR_EL2.IMO"));
    /* FIQ without FMO stays at EL1 and is masked there */
    assert_int_equal(r[A64_FIQ].target_el, 1);
    assert_int_equal(r[A64_FIQ].masked, HVP_YES);
    hvp_snapshot_free(s);
}

static void tge_sends_el0_to_el2(void **state)
{
    (void)state;
    hvp_snapshot *s = snap(EL0T, (1 << 27) | (1ll << 31), -1);
    a64_state st;
    a64_route r[A64_NKINDS];
    routes(s, &st, r);
    assert_int_equal(a64_table_el(&st), 2);
    assert_int_equal(r[A64_SYNC].target_el, 2);
    assert_string_equal(a64_slot_name(r[A64_SYNC].slot), "lower_a64.sync");
    assert_int_equal(r[A64_SYNC].fetch, VB2 + 0x400);
    hvp_snapshot_free(s);
    /* HCR_EL2.RW=0: EL1 is AArch32, so "lower" is the AArch32 group */
    s = snap(EL0T, 1 << 27, -1);
    routes(s, &st, r);
    assert_string_equal(a64_slot_name(r[A64_SYNC].slot), "lower_a32.sync");
    hvp_snapshot_free(s);
}

static void irq_targeting_el1_is_not_taken_at_el2(void **state)
{
    (void)state;
    hvp_snapshot *s = snap(EL2H, 1ll << 31, -1);
    a64_state st;
    a64_route r[A64_NKINDS];
    routes(s, &st, r);
    assert_int_equal(r[A64_SYNC].target_el, 2);
    assert_string_equal(a64_slot_name(r[A64_SYNC].slot), "cur_spx.sync");
    assert_int_equal(r[A64_SYNC].fetch, VB2 + 0x200);
    assert_false(r[A64_IRQ].taken);
    assert_non_null(strstr(r[A64_IRQ].why, "never taken to a lower level"));
    hvp_snapshot_free(s);
}

static void scr_irq_routes_to_el3(void **state)
{
    (void)state;
    /* SCR_EL3: NS (0), IRQ (1), RW (10); no EL2 */
    hvp_snapshot *s = snap(EL1H, -1, 1 | 2 | (1 << 10));
    a64_state st;
    a64_route r[A64_NKINDS];
    routes(s, &st, r);
    assert_int_equal(r[A64_IRQ].target_el, 3);
    assert_string_equal(a64_slot_name(r[A64_IRQ].slot), "lower_a64.irq");
    assert_int_equal(r[A64_IRQ].fetch, VB3 + 0x480);
    assert_int_equal(r[A64_FIQ].target_el, 1);
    hvp_snapshot_free(s);
}

static void el2_serving_a_guest_is_a_guest_view(void **state)
{
    (void)state;
    /* HCR_EL2.VM=1, TGE=0: the CPU at EL2 serves a guest */
    hvp_snapshot *s = snap(EL2H, 1 | (1 << 4) | (1ll << 31), -1);
    a64_state st;
    a64_route r[A64_NKINDS];
    routes(s, &st, r);
    assert_true(st.guest_view);
    assert_int_equal(a64_table_el(&st), 1);
    assert_int_equal(r[A64_SYNC].fetch, VB1 + 0x200);   /* the guest's SVC: its own VBAR_EL1 */
    assert_int_equal(r[A64_IRQ].target_el, 2);          /* IMO: the hypervisor takes IRQs */
    assert_int_equal(r[A64_IRQ].fetch, VB2 + 0x480);
    hvp_snapshot_free(s);
}

static void missing_state_is_unknown(void **state)
{
    (void)state;
    hvp_snapshot *s = snap(EL1H, -1, -1);
    s->cpu.have_core = 0;
    a64_state st;
    a64_route r[A64_NKINDS];
    routes(s, &st, r);
    assert_false(r[A64_SYNC].known);
    assert_non_null(strstr(r[A64_SYNC].why, "no PSTATE"));
    hvp_snapshot_free(s);
    /* PSTATE, but no VBAR_EL2 for an IRQ routed there */
    s = hvp_snapshot_new();
    s->arch = HVP_ARCH_AARCH64;
    s->cpu.have_core = 1;
    s->cpu.pstate = EL1H;
    hvp_snapshot_add_reg(s, "HCR_EL2", 1 << 4, 64);
    routes(s, &st, r);
    assert_true(r[A64_IRQ].taken);
    assert_false(r[A64_IRQ].known);
    assert_non_null(strstr(r[A64_IRQ].source, "no VBAR_EL2"));
    hvp_snapshot_free(s);
}

static void unimplemented_granule_walks_as_4k(void **state)
{
    (void)state;
    /* cortex-a53's ID_AA64MMFR0_EL1: TGran16 (23:20) = 0, no 16 KiB pages */
    hvp_snapshot *s = snap(EL1H, -1, -1);
    hvp_snapshot_add_reg(s, "SCTLR", 1, 64);
    hvp_snapshot_add_reg(s, "TCR_EL1", (2u << 14) | (2ull << 30) | 25, 64);  /* TG0 16K, TG1 4K */
    hvp_snapshot_add_reg(s, "TTBR0_EL1", 0x40090000, 64);
    hvp_snapshot_add_reg(s, "TTBR1_EL1", 0, 64);
    hvp_snapshot_add_reg(s, "ID_AA64MMFR0_EL1", 0x1122, 64);
    a64_regime r;
    char why[200];
    assert_int_equal(a64_regime_of(s, 1, &r, why, sizeof why), 1);
    assert_int_equal((r.tcr >> 14) & 3, 0);                 /* TG0 now 4 KiB */
    assert_int_equal((r.tcr >> 30) & 3, 2);                 /* TG1 untouched */
    assert_non_null(strstr(r.granule_note, "16 KiB granule this CPU does not implement"));
    hvp_snapshot_free(s);
    /* max: TGran16 = 1, the 16 KiB walk stays */
    s = snap(EL1H, -1, -1);
    hvp_snapshot_add_reg(s, "SCTLR", 1, 64);
    hvp_snapshot_add_reg(s, "TCR_EL1", (2u << 14) | (2ull << 30) | 25, 64);
    hvp_snapshot_add_reg(s, "TTBR0_EL1", 0x40090000, 64);
    hvp_snapshot_add_reg(s, "TTBR1_EL1", 0, 64);
    hvp_snapshot_add_reg(s, "ID_AA64MMFR0_EL1", 0x101122, 64);
    assert_int_equal(a64_regime_of(s, 1, &r, why, sizeof why), 1);
    assert_int_equal((r.tcr >> 14) & 3, 2);
    assert_string_equal(r.granule_note, "");
    hvp_snapshot_free(s);
}

static void el0_masks_follow_pstate(void **state)
{
    (void)state;
    /* EL0 with DAIF set: an IRQ targeting EL1 is masked by PSTATE.I
     * (only a higher level other than EL1 ignores it) */
    hvp_snapshot *s = snap(EL0T | DAIF, -1, -1);
    a64_state st;
    a64_route r[A64_NKINDS];
    routes(s, &st, r);
    assert_int_equal(r[A64_IRQ].target_el, 1);
    assert_int_equal(r[A64_IRQ].masked, HVP_YES);
    hvp_snapshot_free(s);
    /* guest view: the guest's PSTATE is SPSR_EL2's; IMO's IRQ to EL2 is
     * not masked by it, FIQ (FMO=0, to EL1) is */
    s = snap(EL2H, 1 | (1 << 4) | (1ll << 31), -1);
    hvp_snapshot_add_reg(s, "SPSR_EL2", EL1H | DAIF, 64);
    routes(s, &st, r);
    assert_true(st.have_guest_pstate);
    assert_int_equal(r[A64_IRQ].masked, HVP_NO);
    assert_int_equal(r[A64_FIQ].masked, HVP_YES);
    hvp_snapshot_free(s);
    /* an IRQ to EL3 (SCR_EL3.IRQ) from EL1 with a 32-bit EL2/EL1 below
     * (SCR_EL3.RW=0) enters lower_a32 */
    s = snap(EL1H, -1, 1 | 2);
    routes(s, &st, r);
    assert_string_equal(a64_slot_name(r[A64_IRQ].slot), "lower_a32.irq");
    hvp_snapshot_free(s);
}

static void slot_names_parse(void **state)
{
    (void)state;
    assert_int_equal(a64_slot_parse("cur_spx.sync"), 4);
    assert_int_equal(a64_slot_parse("LOWER_A32.SERROR"), 15);
    assert_int_equal(a64_slot_parse("0x200"), 4);
    assert_int_equal(a64_slot_parse("0x780"), 15);
    assert_int_equal(a64_slot_parse("0x0"), 0);
    assert_int_equal(a64_slot_parse("0x10"), -1);
    assert_int_equal(a64_slot_parse("0x800"), -1);
    assert_int_equal(a64_slot_parse("cur_spx"), -1);
    assert_int_equal(a64_slot_parse("svc"), -1);
    for (int i = 0; i < A64_NSLOTS; i++)
        assert_int_equal(a64_slot_parse(a64_slot_name(i)), i);
}

static void a64_decoder_flow(void **state)
{
    (void)state;
    arm_disasm *d = NULL;
    assert_int_equal(arm_disasm_new_a64(&d, NULL), HVP_OK);
    static const struct { uint32_t w; arm_flow flow; int cond; int64_t rel; } cases[] = {
        { 0x14000000u, ARM_FLOW_BRANCH, 0, 0 },        /* b . */
        { 0x14000004u, ARM_FLOW_BRANCH, 0, 16 },       /* b +16 */
        { 0x17fffffeu, ARM_FLOW_BRANCH, 0, -8 },       /* b -8 */
        { 0x94000002u, ARM_FLOW_BRANCH, 0, 8 },        /* bl +8 */
        { 0x54000040u, ARM_FLOW_BRANCH, 1, 8 },        /* b.eq +8 */
        { 0xb4000040u, ARM_FLOW_BRANCH, 1, 8 },        /* cbz x0, +8 */
        { 0x37000040u, ARM_FLOW_BRANCH, 1, 8 },        /* tbnz w0, #0, +8 */
        { 0xd61f0000u, ARM_FLOW_MOV_PC, 0, 0 },        /* br x0 */
        { 0xd69f03e0u, ARM_FLOW_RETURN, 0, 0 },        /* eret */
        { 0xd65f03c0u, ARM_FLOW_MOV_PC, 0, 0 },        /* ret: to x30, not an exception return */
        { 0x00000000u, ARM_FLOW_UNDEFINED, 0, 0 },     /* udf #0 */
        { 0xd10143ffu, ARM_FLOW_OTHER, 0, 0 },         /* sub sp, sp, #0x50 */
    };
    const uint64_t at = 0xffff800008010a00ull;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t b[4] = { (uint8_t)cases[i].w, (uint8_t)(cases[i].w >> 8), (uint8_t)(cases[i].w >> 16),
                         (uint8_t)(cases[i].w >> 24) };
        arm_decoded o;
        arm_decode(d, b, 4, at, &o);
        assert_int_equal(o.flow, cases[i].flow);
        if (o.flow == ARM_FLOW_BRANCH) {
            assert_int_equal(o.conditional, cases[i].cond);
            assert_int_equal(o.target, at + (uint64_t)cases[i].rel);
        }
        /* the capture's quick decoder agrees on unconditional B */
        uint64_t t;
        int quick = arm_quick_a64_branch(b, 4, at, at, &t);
        assert_int_equal(quick, (cases[i].w & 0x7c000000u) == 0x14000000u);
        if (quick)
            assert_int_equal(t, at + (uint64_t)cases[i].rel);
    }
    arm_disasm_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(el1h_sync_stays_at_el1),
        cmocka_unit_test(el1t_uses_sp0_group),
        cmocka_unit_test(el0_goes_to_lower_groups),
        cmocka_unit_test(imo_routes_irq_to_el2_unmasked),
        cmocka_unit_test(tge_sends_el0_to_el2),
        cmocka_unit_test(irq_targeting_el1_is_not_taken_at_el2),
        cmocka_unit_test(scr_irq_routes_to_el3),
        cmocka_unit_test(el2_serving_a_guest_is_a_guest_view),
        cmocka_unit_test(missing_state_is_unknown),
        cmocka_unit_test(unimplemented_granule_walks_as_4k),
        cmocka_unit_test(el0_masks_follow_pstate),
        cmocka_unit_test(slot_names_parse),
        cmocka_unit_test(a64_decoder_flow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
