/* test_matrix.c - the routing matrix's judgement (core/matrix.c): what a
 * probe's serial output says, when the guest's word and hvprobe's verdict
 * agree (and, above all, when they do not), cell ids, and a cell's JSON
 * surviving a save and a load.  The real probes run in
 * tests/integration/matrix.sh; these cover the disagreements that a
 * correct hvprobe never produces there. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hvprobe/matrix.h"
#include "hvprobe/snapshot.h"

static const char took_svc[] = "probe: svc with vectors vbar on virt, from svc32\n"
                               "probe: raise svc\n"
                               "probe: took svc in svc32 at 0x40000000+0x08 (return address 0x400000d0)\n"
                               "probe: end\n";

/* A finished svc cell on tcg-virt whose guest said `serial`, judged
 * against the verdict v routed to `mode` at `fetch`. */
static hvp_matrix_cell judged(const char *serial, hvp_verdict v, const char *mode, uint64_t fetch, int masked)
{
    hvp_matrix_cell c;
    memset(&c, 0, sizeof c);
    c.exc = 0;
    c.place = 0;
    c.col = 1;
    c.status = HVP_MX_DONE;
    hvp_matrix_read_serial(&c, serial, 1);
    c.have_verdict = 1;
    c.verdict = v;
    snprintf(c.taken_to, sizeof c.taken_to, "%s", mode);
    c.have_fetch = 1;
    c.fetch = fetch;
    c.masked = masked;
    hvp_matrix_judge(&c);
    return c;
}

static void reads_the_handler_that_ran(void **st)
{
    (void)st;
    hvp_matrix_cell c = judged(took_svc, HVP_V_VALID, "svc32", 0x40000008, HVP_NO);
    assert_int_equal(c.outcome, HVP_MX_ENTERED);
    assert_string_equal(c.guest_slot, "svc");
    assert_string_equal(c.guest_mode, "svc32");
    assert_true(c.have_guest_addr);
    assert_int_equal(c.guest_addr, 0x40000008);
    assert_int_equal(c.agree, HVP_YES);
}

static void disagrees_when_hvprobe_says_the_vector_is_dead(void **st)
{
    (void)st;
    hvp_matrix_cell c = judged(took_svc, HVP_V_ZERO_FILLED, "svc32", 0x40000008, HVP_NO);
    assert_int_equal(c.agree, HVP_NO);
    assert_non_null(strstr(c.why, "hvprobe says zero-filled"));
}

static void disagrees_on_the_mode_or_the_address(void **st)
{
    (void)st;
    hvp_matrix_cell c = judged(took_svc, HVP_V_VALID, "hyp32", 0x40000008, HVP_NO);
    assert_int_equal(c.agree, HVP_NO);
    assert_non_null(strstr(c.why, "route says hyp32"));
    c = judged(took_svc, HVP_V_VALID, "svc32", 0xffff0008, HVP_NO);
    assert_int_equal(c.agree, HVP_NO);
    assert_non_null(strstr(c.why, "fetches 0xffff0008"));
}

static void silence_agrees_only_with_a_dead_vector(void **st)
{
    (void)st;
    const char *silent = "probe: svc with vectors low on virt, from svc32\nprobe: raise svc\n";
    hvp_matrix_cell c = judged(silent, HVP_V_DATA, "svc32", 0x8, HVP_NO);
    assert_int_equal(c.outcome, HVP_MX_SILENT);
    assert_int_equal(c.agree, HVP_YES);
    c = judged(silent, HVP_V_VALID, "svc32", 0x8, HVP_NO);
    assert_int_equal(c.agree, HVP_NO);
}

static void a_hypervisor_report_is_the_ground_truth(void **st)
{
    (void)st;
    const char *s = "probe: raise svc\n--------\nPagefault from [vm0]: read prefetch fault @ PC: 0x8 IPA: 0x8, "
                    "FSR: 0x6\n--------\n";
    hvp_matrix_cell c = judged(s, HVP_V_UNMAPPED, "svc32", 0x8, HVP_NO);
    assert_int_equal(c.outcome, HVP_MX_HYPERVISOR);
    assert_string_equal(c.line, "Pagefault from [vm0]: read prefetch fault @ PC: 0x8 IPA: 0x8, FSR: 0x6");
    assert_int_equal(c.agree, HVP_YES);
}

static void the_sel4_vmm_colours_its_report(void **st)
{
    (void)st;
    const char *s = "probe: raise svc\r\n\x1b[31;1mPagefault from [vm0]: read prefetch fault @ PC: 0x8 IPA: 0x8, "
                    "FSR: 0x6\x1b[0m\r\n";
    hvp_matrix_cell c = judged(s, HVP_V_UNMAPPED, "svc32", 0x8, HVP_NO);
    assert_int_equal(c.outcome, HVP_MX_HYPERVISOR);
    assert_string_equal(c.line, "Pagefault from [vm0]: read prefetch fault @ PC: 0x8 IPA: 0x8, FSR: 0x6");
}

static void an_undelivered_interrupt_is_no_verdict(void **st)
{
    (void)st;
    const char *s = "probe: raise irq\nprobe: not taken: the timer's interrupt 27 is pending in the GIC\nprobe: end\n";
    hvp_matrix_cell c = judged(s, HVP_V_VALID, "irq32", 0x40000018, HVP_NO);
    assert_int_equal(c.outcome, HVP_MX_NOT_TAKEN);
    assert_int_equal(c.agree, HVP_UNKNOWN);
    c = judged(s, HVP_V_VALID, "irq32", 0x40000018, HVP_YES);
    assert_int_equal(c.agree, HVP_YES);     /* hvprobe said: masked */
}

static void na_and_unraised_probes(void **st)
{
    (void)st;
    hvp_matrix_cell c = judged("probe: n/a: placement s2 needs the probe's own Hyp mode\n", HVP_V_VALID, "svc32",
                               0, HVP_NO);
    assert_int_equal(c.outcome, HVP_MX_NA);
    assert_int_equal(c.agree, HVP_UNKNOWN);
    memset(&c, 0, sizeof c);
    hvp_matrix_read_serial(&c, took_svc, 0);    /* never captured at the raise */
    assert_int_equal(c.outcome, HVP_MX_NONE);
}

static void cell_ids(void **st)
{
    (void)st;
    int e, p, k;
    hvp_error err = { 0 };
    assert_int_equal(hvp_matrix_cell_id_parse("serror.s2@tcg-virt", &e, &p, &k, &err), HVP_OK);
    assert_string_equal(hvp_matrix_exc_name(e), "serror");
    assert_string_equal(hvp_matrix_place_name(p), "s2");
    assert_string_equal(hvp_matrix_column_at(k)->name, "tcg-virt");
    char id[64];
    hvp_matrix_cell_id(e, p, k, id, sizeof id);
    assert_string_equal(id, "serror.s2@tcg-virt");
    assert_int_equal(hvp_matrix_cell_id_parse("svc.vbar", &e, &p, &k, &err), HVP_E_INVAL);
    assert_int_equal(hvp_matrix_cell_id_parse("nmi.vbar@tcg-virt", &e, &p, &k, &err), HVP_E_INVAL);
    assert_non_null(strstr(err.msg, "unknown exception 'nmi'"));
    assert_int_equal(hvp_matrix_cell_id_parse("svc.vbar@xen", &e, &p, &k, &err), HVP_E_INVAL);
    hvp_matrix_probe_name(3, 4, 1, id, sizeof id);
    assert_string_equal(id, "probe-dabt-s2-virt.elf");
    assert_int_equal(hvp_matrix_exc_vector(hvp_matrix_exc_parse("serror")), 4);
}

static void a_cell_survives_save_and_load(void **st)
{
    (void)st;
    char dir[] = "/tmp/hvp-test-matrix.XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/c.json", dir);
    hvp_matrix_cell c = judged(took_svc, HVP_V_VALID, "svc32", 0x40000008, HVP_NO), d;
    c.seconds = 0.5;
    snprintf(c.snapshot, sizeof c.snapshot, "x.snapshot.json");
    hvp_error err = { 0 };
    assert_int_equal(hvp_matrix_cell_save(&c, path, &err), HVP_OK);
    assert_int_equal(hvp_matrix_cell_load(path, &d, &err), HVP_OK);
    assert_int_equal(d.outcome, c.outcome);
    assert_int_equal(d.verdict, c.verdict);
    assert_int_equal(d.agree, HVP_YES);
    assert_int_equal(d.guest_addr, 0x40000008);
    assert_int_equal(d.fetch, 0x40000008);
    assert_int_equal(d.masked, HVP_NO);
    assert_string_equal(d.line, c.line);
    assert_string_equal(d.snapshot, "x.snapshot.json");
    FILE *f = fopen(path, "w");
    fputs("{\"format\":\"hvprobe-snapshot\"}", f);
    fclose(f);
    assert_int_equal(hvp_matrix_cell_load(path, &d, &err), HVP_E_INPUT);
    assert_non_null(strstr(err.msg, "is not an hvprobe matrix cell"));
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_the_handler_that_ran),
        cmocka_unit_test(disagrees_when_hvprobe_says_the_vector_is_dead),
        cmocka_unit_test(disagrees_on_the_mode_or_the_address),
        cmocka_unit_test(silence_agrees_only_with_a_dead_vector),
        cmocka_unit_test(a_hypervisor_report_is_the_ground_truth),
        cmocka_unit_test(the_sel4_vmm_colours_its_report),
        cmocka_unit_test(an_undelivered_interrupt_is_no_verdict),
        cmocka_unit_test(na_and_unraised_probes),
        cmocka_unit_test(cell_ids),
        cmocka_unit_test(a_cell_survives_save_and_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
