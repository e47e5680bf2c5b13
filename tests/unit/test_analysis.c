/* test_analysis.c - the exception model and vector verdicts on crafted
 * snapshots: the cases no QEMU guest here produces (erased flash, a branch
 * into nothing, a literal pool that was not read, a capture in Hyp mode,
 * Thumb vectors), plus parsing of vectors, verdicts and expectations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "arch/arm/exc_model.h"
#include "hvprobe/analysis.h"
#include "hvprobe/compare.h"

/* A Non-secure svc32 snapshot with SCTLR (MMU off) and VBAR set. */
static hvp_snapshot *base_snapshot(uint32_t vbar)
{
    hvp_snapshot *s = hvp_snapshot_new();
    s->captured_at = strdup("2026-11-25T00:00:00Z");
    s->label = strdup("crafted");
    s->cpu.have_core = 1;
    s->cpu.cpsr = 0x600001d3; /* svc32 */
    s->cpu.secure = HVP_NO;
    hvp_snapshot_add_reg(s, "SCTLR", 0x00c50078, 32);
    hvp_snapshot_add_reg(s, "VBAR", vbar, 32);
    return s;
}

static void put_words(hvp_snapshot *s, uint64_t addr, const uint32_t *w, size_t n, hvp_space sp)
{
    uint8_t b[64];
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < 4; k++)
            b[4 * i + k] = (uint8_t)(w[i] >> (8 * k));
    hvp_snapshot_add_mem(s, addr, sp, 4 * n, b, 4 * n, NULL, "test", "gdb");
}

static hvp_analysis analyse(const hvp_snapshot *s)
{
    hvp_analysis a;
    assert_int_equal(hvp_analyse(s, &a, NULL), HVP_OK);
    return a;
}

static void erased_flash(void **st)
{
    (void)st;
    hvp_snapshot *s = base_snapshot(0x0);
    uint32_t w[16];
    for (int i = 0; i < 16; i++)
        w[i] = 0xffffffffu;
    put_words(s, 0, w, 16, HVP_SPACE_VIRTUAL);
    hvp_analysis a = analyse(s);
    assert_int_equal(a.vec[2].verdict, HVP_V_ERASED);
    assert_non_null(strstr(a.vec[2].reason, "erased flash"));
    assert_int_equal(a.vec[2].fetch, 0x8);
    assert_non_null(strstr(a.vec[2].base_source, "VBAR = 0x00000000 (Non-secure state, SCTLR.V=0)"));
    hvp_snapshot_free(s);
}

static void branch_into_nothing(void **st)
{
    (void)st;
    hvp_snapshot *s = base_snapshot(0x40000000);
    /* svc: b 0x40100000 ; the read at the target failed */
    uint32_t w[8] = { 0xeafffffe, 0xeafffffe, 0xea03fffc, 0xeafffffe, 0xeafffffe, 0xeafffffe, 0xeafffffe, 0xeafffffe };
    put_words(s, 0x40000000, w, 8, HVP_SPACE_VIRTUAL);
    hvp_snapshot_add_mem(s, 0x40100000, HVP_SPACE_VIRTUAL, 16, NULL, 0, "Cannot access memory", "target", "gdb");
    hvp_analysis a = analyse(s);
    assert_int_equal(a.vec[2].verdict, HVP_V_TARGET_UNMAPPED);
    assert_int_equal(a.vec[2].target, 0x40100000);
    assert_non_null(strstr(a.vec[2].reason, "cannot be read (Cannot access memory)"));
    assert_int_equal(a.vec[1].verdict, HVP_V_STUB);
    /* Reset never goes through VBAR: physical 0x0, MMU off. */
    assert_int_equal(a.vec[0].fetch, 0x0);
    assert_non_null(strstr(a.vec[0].base_source, "reset: SVC mode at 0x0 with the MMU off (not VBAR"));
    hvp_snapshot_free(s);
}

static void scr_routes_irq_to_monitor_from_non_secure(void **st)
{
    (void)st;
    hvp_snapshot *s = base_snapshot(0x60000000);
    hvp_snapshot_add_reg(s, "SCR", 0x3, 32);     /* NS=1, IRQ=1 */
    hvp_snapshot_add_reg(s, "MVBAR", 0x0, 32);
    hvp_snapshot_add_reg(s, "SCTLR_S", 0x00c50078, 32);
    hvp_analysis a = analyse(s);
    assert_string_equal(a.vec[6].taken_to, "mon32");
    assert_int_equal(a.vec[6].fetch, 0x18);
    assert_non_null(strstr(a.vec[6].base_source, "MVBAR"));
    assert_string_equal(a.vec[2].taken_to, "svc32"); /* SVC is not routed by SCR */
    assert_int_equal(a.vec[2].fetch, 0x60000008);
    hvp_snapshot_free(s);
}

static void conditional_load_of_pc_is_not_valid(void **st)
{
    (void)st;
    hvp_snapshot *s = base_snapshot(0x40000000);
    uint32_t w[16] = { 0, 0, 0x059ff018 /* ldreq pc, [pc, #0x18] */, 0, 0, 0, 0, 0,
                       0, 0, 0x40000100, 0, 0, 0, 0, 0 };
    put_words(s, 0x40000000, w, 16, HVP_SPACE_VIRTUAL);
    hvp_analysis a = analyse(s);
    assert_int_equal(a.vec[2].verdict, HVP_V_UNKNOWN);
    assert_non_null(strstr(a.vec[2].reason, "conditional load of PC"));
    hvp_snapshot_free(s);
}

static void target_without_bytes_uses_the_map(void **st)
{
    (void)st;
    hvp_snapshot *s = base_snapshot(0x40000000);
    uint32_t w[8] = { 0xea000006, 0xea000006, 0xea000006, 0xea000006, 0xea000006, 0xea000006, 0xea000006, 0xea000006 };
    put_words(s, 0x40000000, w, 8, HVP_SPACE_VIRTUAL);
    /* No memory map yet: not enough evidence to call it valid. */
    hvp_analysis a = analyse(s);
    assert_int_equal(a.vec[2].verdict, HVP_V_UNKNOWN);
    /* A flat view with RAM at 0x40000000: valid, and it says why. */
    hvp_region *r = calloc(1, sizeof *r);
    r->address_space = strdup("cpu-memory-0, memory");
    r->start = 0x40000000;
    r->end = 0x47ffffff;
    r->kind = strdup("ram");
    r->name = strdup("mach-virt.ram");
    r->enabled = 1;
    r->flat = 1;
    hvp_snapshot_add_regions(s, r, 1);
    a = analyse(s);
    assert_int_equal(a.vec[2].verdict, HVP_V_VALID);
    assert_non_null(strstr(a.vec[2].reason, "mach-virt.ram (ram) (handler bytes not captured)"));
    hvp_snapshot_free(s);
}

static void literal_not_read(void **st)
{
    (void)st;
    hvp_snapshot *s = base_snapshot(0x40000000);
    uint32_t w[8] = { 0xe59ff018, 0xe59ff018, 0xe59ff018, 0xe59ff018, 0xe59ff018, 0xe59ff018, 0xe59ff018, 0xe59ff018 };
    put_words(s, 0x40000000, w, 8, HVP_SPACE_VIRTUAL); /* only 32 bytes: the pool is missing */
    hvp_analysis a = analyse(s);
    assert_int_equal(a.vec[2].verdict, HVP_V_UNKNOWN);
    assert_non_null(strstr(a.vec[2].reason, "literal at 0x40000028, which the snapshot does not hold"));
    hvp_snapshot_free(s);
}

static void hyp_capture_routes_to_hvbar_and_warns(void **st)
{
    (void)st;
    hvp_snapshot *s = base_snapshot(0x40000000);
    s->cpu.cpsr = 0x600001da; /* hyp32 */
    hvp_snapshot_add_reg(s, "VBAR_EL2", 0x40001000, 32);
    hvp_snapshot_add_reg(s, "SCTLR_EL2", 0x30c50830, 32);
    hvp_analysis a = analyse(s);
    assert_string_equal(a.vec[2].taken_to, "hyp32");
    assert_int_equal(a.vec[2].fetch, 0x40001008);
    assert_non_null(strstr(a.vec[2].base_source, "VBAR_EL2 = 0x40001000"));
    assert_int_equal(a.vec[2].verdict, HVP_V_UNKNOWN); /* nothing read at HVBAR */
    int warned = 0;
    for (int i = 0; i < a.nnotes; i++)
        warned |= strstr(a.notes[i], "captured in Hyp mode") != NULL;
    assert_true(warned);
    hvp_snapshot_free(s);
}

static void pl1_capture_cannot_judge_hyp_vectors_with_hyp_mmu_on(void **st)
{
    (void)st;
    hvp_snapshot *s = base_snapshot(0x0);
    hvp_snapshot_add_reg(s, "HCR", 0x10, 32);           /* IMO */
    hvp_snapshot_add_reg(s, "HVBAR", 0x1000, 32);
    hvp_snapshot_add_reg(s, "HSCTLR", 0x30c50831, 32);   /* Hyp MMU on */
    uint32_t w[16] = { 0 };
    put_words(s, 0x1000, w, 16, HVP_SPACE_VIRTUAL);      /* a PL1 read: not Hyp's view */
    hvp_analysis a = analyse(s);
    assert_string_equal(a.vec[5].taken_to, "hyp32");      /* the Hyp trap (HVC) */
    assert_int_equal(a.vec[5].fetch, 0x1014);
    assert_int_equal(a.vec[5].verdict, HVP_V_UNKNOWN);
    assert_non_null(strstr(a.vec[5].reason, "Hyp (PL2) translation regime"));
    hvp_snapshot_free(s);
}

/* HCR.IMO/FMO in a guest: a physical IRQ goes to Hyp, but the guest's
 * handler is reached by the virtual IRQ, taken at the guest's own
 * vector; in one of the hypervisor's threads (TGE=1, User mode) IRQs go
 * to Hyp. */
static void guest_interrupts_under_imo_are_virtual(void **st)
{
    (void)st;
    hvp_snapshot *s = base_snapshot(0x40000000);
    hvp_snapshot_add_reg(s, "HCR", 0x18 | 1, 32);        /* IMO, FMO, VM */
    hvp_snapshot_add_reg(s, "HVBAR", 0x1000, 32);
    hvp_analysis a = analyse(s);
    assert_string_equal(a.vec[6].taken_to, "irq32");
    assert_int_equal(a.vec[6].fetch, 0x40000018);
    assert_non_null(strstr(a.vec[6].base_source, "virtual IRQ: physical ones go to Hyp (HCR.IMO=1)"));
    assert_string_equal(a.vec[7].taken_to, "fiq32");
    assert_non_null(strstr(a.vec[7].base_source, "virtual FIQ: physical ones go to Hyp (HCR.FMO=1)"));
    hvp_snapshot_free(s);
    s = base_snapshot(0x40000000);
    s->cpu.cpsr = 0x60000010;                            /* usr32 */
    hvp_snapshot_add_reg(s, "HCR", (1u << 27) | 0x18 | 1, 32);  /* TGE too */
    hvp_snapshot_add_reg(s, "HVBAR", 0x1000, 32);
    a = analyse(s);
    assert_string_equal(a.vec[6].taken_to, "hyp32");
    assert_int_equal(a.vec[6].fetch, 0x1018);
    /* a User-mode SVC under TGE is a Hyp Trap: HVBAR+0x14, not +0x08 */
    assert_string_equal(a.vec[2].taken_to, "hyp32");
    assert_int_equal(a.vec[2].fetch, 0x1014);
    assert_non_null(strstr(a.vec[2].base_source, "a Hyp Trap (HCR.TGE=1), at +0x14"));
    assert_int_equal(a.vec[4].fetch, 0x1014);             /* so is a data abort */
    hvp_snapshot_free(s);
}

/* The CPSR masks (B1.8.6): I and F mask IRQ and FIQ in the mode they
 * are raised in; under HCR.IMO a guest's CPSR.I masks the virtual IRQ,
 * not the physical one, which goes to Hyp regardless.  (The route guest,
 * tests/integration/route.sh, takes each for real.) */
static void interrupt_masks(void **st)
{
    (void)st;
    hvp_snapshot *s = base_snapshot(0x40000000);
    s->cpu.cpsr = 0x60000053;                            /* svc32, F=1, I=0 */
    hvp_analysis a = analyse(s);
    assert_int_equal(a.vec[6].masked, HVP_NO);
    assert_int_equal(a.vec[7].masked, HVP_YES);
    assert_non_null(strstr(a.vec[7].reason, "[masked now (CPSR.F=1): a pending FIQ waits until it is unmasked"));
    assert_null(strstr(a.vec[6].reason, "masked now"));
    assert_int_equal(a.vec[2].masked, HVP_NO);           /* SVC cannot be masked */
    hvp_snapshot_free(s);
    s = base_snapshot(0x40000000);
    s->cpu.cpsr = 0x600000d3;                            /* svc32, I=1, F=1 */
    hvp_snapshot_add_reg(s, "HCR", 0x10, 32);            /* IMO */
    a = analyse(s);
    assert_int_equal(a.vec[6].masked, HVP_YES);
    assert_non_null(strstr(a.vec[6].reason, "CPSR.I=1 masks the virtual IRQ; a physical one goes to Hyp unmasked "
                                            "(HCR.IMO=1)"));
    assert_non_null(strstr(a.vec[7].reason, "(CPSR.F=1)"));  /* no FMO: plain mask */
    hvp_snapshot_free(s);
    /* Asynchronous aborts: SCR.EA to Monitor (no QEMU guest takes this
     * route: QEMU 7.2 keeps a synchronous external abort in abt32 with
     * SCR.EA=1), HCR.AMO to Hyp, else here; CPSR.A masks. */
    s = base_snapshot(0x40000000);
    s->cpu.cpsr = 0x600001d3;                            /* A=1 */
    hvp_snapshot_add_reg(s, "SCR", 0x8, 32);             /* EA */
    a = analyse(s);
    assert_non_null(strstr(a.vec[4].reason, "[external aborts go to Monitor mode, MVBAR+0x10 (SCR.EA=1), masked now "
                                            "(CPSR.A=1)]"));
    hvp_snapshot_free(s);
    s = base_snapshot(0x40000000);
    s->cpu.cpsr = 0x600000d3;                            /* A=0 */
    hvp_snapshot_add_reg(s, "HCR", 0x20, 32);            /* AMO */
    a = analyse(s);
    assert_non_null(strstr(a.vec[4].reason, "physical ones go to Hyp (HCR.AMO=1), whatever CPSR.A; a virtual one "
                                            "(HCR.VA) is taken here, unmasked (CPSR.A=0)]"));
    hvp_snapshot_free(s);
    s = base_snapshot(0x40000000);
    s->cpu.have_core = 0;
    a = analyse(s);
    assert_int_equal(a.vec[6].masked, HVP_UNKNOWN);
    hvp_snapshot_free(s);
}

static void high_vectors(void **st)
{
    (void)st;
    hvp_snapshot *s = base_snapshot(0x40000000);
    s->cp15[0].value |= 1u << 13; /* SCTLR.V */
    hvp_snapshot_add_mem(s, 0xffff0000u, HVP_SPACE_VIRTUAL, 64, NULL, 0, "Cannot access memory", "high", "gdb");
    hvp_analysis a = analyse(s);
    assert_int_equal(a.vec[2].fetch, 0xffff0008u);
    assert_non_null(strstr(a.vec[2].base_source, "high vectors: SCTLR.V=1"));
    assert_int_equal(a.vec[2].verdict, HVP_V_UNMAPPED);
    hvp_snapshot_free(s);
}

static void missing_cp15_says_which_field(void **st)
{
    (void)st;
    hvp_snapshot *s = hvp_snapshot_new();
    s->cpu.have_core = 1;
    s->cpu.cpsr = 0x1d3;
    s->cpu.secure = HVP_YES;
    hvp_analysis a = analyse(s);
    assert_int_equal(a.vec[2].verdict, HVP_V_UNKNOWN);
    assert_non_null(strstr(a.vec[2].reason, "lacks cp15.SCTLR (capture with --gdb)"));
    hvp_snapshot_free(s);
}

static void thumb_vectors(void **st)
{
    (void)st;
    hvp_snapshot *s = base_snapshot(0x40000000);
    s->cp15[0].value |= 1u << 30; /* SCTLR.TE: handlers in Thumb */
    /* svc slot: Thumb "b.n ." (0xe7fe) */
    uint32_t w[8] = { 0, 0, 0xbf00e7fe, 0, 0, 0, 0, 0 };
    put_words(s, 0x40000000, w, 8, HVP_SPACE_VIRTUAL);
    hvp_analysis a = analyse(s);
    assert_int_equal(a.vec[2].verdict, HVP_V_STUB);
    hvp_snapshot_free(s);
}

static void parsing(void **st)
{
    (void)st;
    assert_int_equal(arm_exc_parse("svc"), ARM_EXC_SVC);
    assert_int_equal(arm_exc_parse("SWI"), ARM_EXC_SVC);
    assert_int_equal(arm_exc_parse("0x8"), ARM_EXC_SVC);
    assert_int_equal(arm_exc_parse("0x1c"), ARM_EXC_FIQ);
    assert_int_equal(arm_exc_parse("0x9"), -1);
    assert_int_equal(arm_exc_parse("nope"), -1);
    hvp_verdict v;
    assert_int_equal(hvp_verdict_parse("target-unmapped", &v), HVP_OK);
    assert_int_equal(v, HVP_V_TARGET_UNMAPPED);
    assert_int_equal(hvp_verdict_parse("present", &v), HVP_E_INVAL);
    hvp_expect e;
    hvp_error err = { 0 };
    assert_int_equal(hvp_expect_parse("Linux KVM:svc=valid", &e, &err), HVP_OK);
    assert_string_equal(e.label, "Linux KVM");
    assert_int_equal(e.vec, ARM_EXC_SVC);
    assert_int_equal(hvp_expect_parse("tcg:0x8=zero-filled", &e, &err), HVP_OK);
    assert_int_equal(hvp_expect_parse("svc=valid", &e, &err), HVP_E_INVAL);
    assert_int_equal(hvp_expect_parse("a:svc=", &e, &err), HVP_E_INVAL);
    assert_int_equal(hvp_expect_parse("a:sv=valid", &e, &err), HVP_E_INVAL);
    assert_non_null(strstr(err.msg, "'sv' is not a vector"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(erased_flash),
        cmocka_unit_test(branch_into_nothing),
        cmocka_unit_test(target_without_bytes_uses_the_map),
        cmocka_unit_test(literal_not_read),
        cmocka_unit_test(hyp_capture_routes_to_hvbar_and_warns),
        cmocka_unit_test(pl1_capture_cannot_judge_hyp_vectors_with_hyp_mmu_on),
        cmocka_unit_test(guest_interrupts_under_imo_are_virtual),
        cmocka_unit_test(interrupt_masks),
        cmocka_unit_test(high_vectors),
        cmocka_unit_test(missing_cp15_says_which_field),
        cmocka_unit_test(thumb_vectors),
        cmocka_unit_test(scr_routes_irq_to_monitor_from_non_secure),
        cmocka_unit_test(conditional_load_of_pc_is_not_valid),
        cmocka_unit_test(parsing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
