/* test_tdesc.c - target description parsing on real QEMU 7.2 XML
 * (tests/fixtures/rsp/<board>/, captured by tests/fixtures/rsp/capture.py). */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "transport/tdesc.h"

static char fixtures[PATH_MAX];

/* Find tests/fixtures/rsp: from the working directory (tests/run runs at
 * the repository root) or upwards from the test binary. */
static int find_fixtures(void)
{
    if (access("tests/fixtures/rsp/vexpress-a9/target.xml", R_OK) == 0) {
        snprintf(fixtures, sizeof fixtures, "tests/fixtures/rsp");
        return 0;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return -1;
    exe[n] = '\0';
    for (char *slash; (slash = strrchr(exe, '/')) != NULL;) {
        *slash = '\0';
        char probe[PATH_MAX + 64];
        snprintf(probe, sizeof probe, "%s/tests/fixtures/rsp/vexpress-a9/target.xml", exe);
        if (access(probe, R_OK) == 0) {
            snprintf(fixtures, sizeof fixtures, "%.*s/tests/fixtures/rsp",
                     (int)(sizeof fixtures - 32), exe);
            return 0;
        }
    }
    return -1;
}

/* Fetch callback: files from a directory, or from an in-memory table. */
typedef struct mem_file { const char *name, *text; } mem_file;
typedef struct fetch_ctx {
    const char *dir;
    const mem_file *mem;
    int calls;
} fetch_ctx;

static int fetch(void *vctx, const char *name, char **data, size_t *len, hvp_error *err)
{
    fetch_ctx *ctx = vctx;
    ctx->calls++;
    if (ctx->mem) {
        for (const mem_file *m = ctx->mem; m->name; m++)
            if (strcmp(m->name, name) == 0) {
                *data = strdup(m->text);
                *len = strlen(m->text);
                return *data ? HVP_OK : HVP_E_NOMEM;
            }
        return hvp_fail(err, HVP_E_IO, "no file '%s'", name);
    }
    char path[PATH_MAX + 256];
    snprintf(path, sizeof path, "%s/%s", ctx->dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return hvp_fail(err, HVP_E_IO, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    *data = malloc((size_t)sz + 1);
    *len = fread(*data, 1, (size_t)sz, f);
    fclose(f);
    return HVP_OK;
}

static tdesc *load_board(const char *board, int *calls)
{
    char dir[PATH_MAX + 64];
    snprintf(dir, sizeof dir, "%s/%s", fixtures, board);
    fetch_ctx ctx = { .dir = dir };
    tdesc *t = NULL;
    hvp_error err = { 0 };
    int rc = tdesc_load("target.xml", fetch, &ctx, &t, &err);
    if (rc)
        fail_msg("%s: %s", board, err.msg);
    if (calls)
        *calls = ctx.calls;
    return t;
}

static void expect_reg(const tdesc *t, const char *name, int regnum, int bits,
                       const char *feature)
{
    const tdesc_reg *r = tdesc_find(t, name);
    if (!r)
        fail_msg("register %s missing", name);
    assert_int_equal(r->regnum, regnum);
    assert_int_equal(r->bitsize, bits);
    assert_string_equal(r->feature, feature);
}

#define CORE "org.gnu.gdb.arm.core"
#define SYS "org.qemu.gdb.arm.sys.regs"

static void test_vexpress_a9(void **state)
{
    (void)state;
    int calls;
    tdesc *t = load_board("vexpress-a9", &calls);
    assert_int_equal(calls, 5);               /* target.xml + 4 includes */
    assert_string_equal(tdesc_arch(t), "arm");
    assert_int_equal(tdesc_count(t), 304);    /* 17 + 49 + 2 + 236 */
    expect_reg(t, "r0", 0, 32, CORE);
    expect_reg(t, "pc", 15, 32, CORE);
    expect_reg(t, "cpsr", 25, 32, CORE);      /* explicit regnum="25" */
    /* implicit numbering continues across included files */
    expect_reg(t, "d0", 26, 64, "org.gnu.gdb.arm.vfp");
    expect_reg(t, "q0", 58, 128, "org.gnu.gdb.arm.vfp");
    expect_reg(t, "fpscr", 74, 32, "org.gnu.gdb.arm.vfp");
    expect_reg(t, "fpsid", 75, 32, "org.qemu.gdb.arm.vfp-sysregs");
    expect_reg(t, "fpexc", 76, 32, "org.qemu.gdb.arm.vfp-sysregs");
    expect_reg(t, "NSACR", 77, 32, SYS);
    expect_reg(t, "VBAR_S", 85, 32, SYS);
    const char *cp15[] = { "VBAR", "SCTLR", "SCTLR_S", "MVBAR", "SCR", "DFSR", "IFSR",
                           "DFAR", "IFAR", "DFSR_S" };
    for (size_t i = 0; i < sizeof cp15 / sizeof *cp15; i++) {
        const tdesc_reg *r = tdesc_find(t, cp15[i]);
        if (!r)
            fail_msg("%s missing on vexpress-a9", cp15[i]);
        assert_string_equal(r->group, "cp_regs");
        assert_true(r->regnum >= 77);
    }
    assert_string_equal(tdesc_find(t, "sp")->type, "data_ptr");
    assert_string_equal(tdesc_find(t, "fpsid")->group, "float");
    /* QEMU 7.2 lists q10 twice (q11 is missing): first one wins */
    expect_reg(t, "q10", 68, 128, "org.gnu.gdb.arm.vfp");
    assert_null(tdesc_find(t, "q11"));
    /* no Hyp registers on a Cortex-A9 */
    assert_null(tdesc_find(t, "VBAR_EL2"));
    assert_null(tdesc_find(t, "vbar"));       /* names are case-sensitive */
    assert_non_null(tdesc_at(t, 303));
    assert_null(tdesc_at(t, 304));
    tdesc_free(t);
}

static void test_virt_a15(void **state)
{
    (void)state;
    tdesc *t = load_board("virt-a15", NULL);
    assert_int_equal(tdesc_count(t), 192);    /* 17 + 49 + 2 + 124 */
    expect_reg(t, "pc", 15, 32, CORE);
    expect_reg(t, "cpsr", 25, 32, CORE);
    expect_reg(t, "fpexc", 76, 32, "org.qemu.gdb.arm.vfp-sysregs");
    assert_non_null(tdesc_find(t, "VBAR"));
    assert_non_null(tdesc_find(t, "SCTLR"));
    /* virt without secure=on has no EL3: no banked Secure copies, no MVBAR */
    assert_null(tdesc_find(t, "VBAR_S"));
    assert_null(tdesc_find(t, "SCTLR_S"));
    assert_null(tdesc_find(t, "MVBAR"));
    assert_null(tdesc_find(t, "VBAR_EL2"));
    tdesc_free(t);

    t = load_board("virt-a15-el2", NULL);    /* -M virt,virtualization=on */
    assert_int_equal(tdesc_count(t), 220);
    assert_non_null(tdesc_find(t, "VBAR_EL2")); /* HVBAR */
    assert_non_null(tdesc_find(t, "SCTLR_EL2")); /* HSCTLR */
    assert_non_null(tdesc_find(t, "HCR"));
    assert_null(tdesc_find(t, "MVBAR"));
    tdesc_free(t);

    t = load_board("virt-a15-secure", NULL); /* -M virt,secure=on */
    assert_int_equal(tdesc_count(t), 328);
    const char *sec[] = { "VBAR", "VBAR_S", "SCTLR", "SCTLR_S", "MVBAR", "cpsr", "pc" };
    for (size_t i = 0; i < sizeof sec / sizeof *sec; i++)
        if (!tdesc_find(t, sec[i]))
            fail_msg("%s missing on virt,secure=on", sec[i]);
    tdesc_free(t);
}

static void test_numbering_rules(void **state)
{
    (void)state;
    const mem_file files[] = {
        { "target.xml",
          "<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\">"
          "<target><architecture> arm </architecture>"
          "<xi:include href=\"a.xml\"/>"
          "<feature name=\"inline\"><reg name=\"z\" bitsize=\"16\"/></feature>"
          "<xi:include href=\"b.xml\"/></target>" },
        { "a.xml", "<feature name=\"fa\"><reg name=\"a0\" bitsize=\"32\"/>"
                   "<reg name=\"a1\" bitsize=\"32\" regnum=\"0x10\"/>"
                   "<reg name=\"a2\" bitsize=\"64\" type=\"int\" group=\"g\"/></feature>" },
        { "b.xml", "<feature name=\"fb\"><reg name=\"b0\" bitsize=\"8\" regnum=\"5\"/>"
                   "<reg name=\"b1\" bitsize=\"8\"/></feature>" },
        { NULL, NULL }
    };
    fetch_ctx ctx = { .mem = files };
    tdesc *t = NULL;
    hvp_error err = { 0 };
    assert_int_equal(tdesc_load("target.xml", fetch, &ctx, &t, &err), HVP_OK);
    assert_string_equal(tdesc_arch(t), "arm");
    assert_int_equal(tdesc_count(t), 6);
    const char *names[] = { "a0", "a1", "a2", "z", "b0", "b1" };
    const int nums[] = { 0, 16, 17, 18, 5, 6 };
    for (int i = 0; i < 6; i++) {
        assert_string_equal(tdesc_at(t, (size_t)i)->name, names[i]);
        assert_int_equal(tdesc_at(t, (size_t)i)->regnum, nums[i]);
    }
    assert_string_equal(tdesc_find(t, "z")->feature, "inline");
    assert_string_equal(tdesc_find(t, "a2")->type, "int");
    assert_string_equal(tdesc_find(t, "a2")->group, "g");
    assert_string_equal(tdesc_find(t, "a0")->type, "");
    tdesc_free(t);
}

static int load_mem(const mem_file *files, hvp_error *err)
{
    fetch_ctx ctx = { .mem = files };
    tdesc *t = (tdesc *)&ctx;    /* must be reset to NULL on failure */
    int rc = tdesc_load("target.xml", fetch, &ctx, &t, err);
    assert_true(rc != HVP_OK || t != NULL);
    if (rc)
        assert_null(t);
    tdesc_free(t);
    return rc;
}

static void test_errors(void **state)
{
    (void)state;
    hvp_error err = { 0 };
    const mem_file bad_xml[] = { { "target.xml", "<target><feature>" }, { NULL, NULL } };
    assert_int_equal(load_mem(bad_xml, &err), HVP_E_INPUT);
    assert_non_null(strstr(err.msg, "not well-formed"));

    const mem_file missing[] = { { "target.xml", "<target><xi:include href=\"gone.xml\"/></target>" },
                                 { NULL, NULL } };
    assert_int_equal(load_mem(missing, &err), HVP_E_IO);
    assert_non_null(strstr(err.msg, "gone.xml"));

    const mem_file loop[] = { { "target.xml", "<target><xi:include href=\"a.xml\"/></target>" },
                              { "a.xml", "<feature><xi:include href=\"a.xml\"/></feature>" },
                              { NULL, NULL } };
    assert_int_equal(load_mem(loop, &err), HVP_E_INPUT);
    assert_non_null(strstr(err.msg, "includes itself"));

    const mem_file noname[] = { { "target.xml", "<target><feature><reg bitsize=\"32\"/></feature></target>" },
                                { NULL, NULL } };
    assert_int_equal(load_mem(noname, &err), HVP_E_INPUT);

    const mem_file badbits[] = { { "target.xml", "<target><feature><reg name=\"x\" bitsize=\"wide\"/></feature></target>" },
                                 { NULL, NULL } };
    assert_int_equal(load_mem(badbits, &err), HVP_E_INPUT);
    assert_non_null(strstr(err.msg, "'x'"));

    const mem_file badnum[] = { { "target.xml", "<target><feature><reg name=\"x\" bitsize=\"32\" regnum=\"-1\"/></feature></target>" },
                                { NULL, NULL } };
    assert_int_equal(load_mem(badnum, &err), HVP_E_INPUT);

    const mem_file empty[] = { { "target.xml", "" }, { NULL, NULL } };
    assert_int_equal(load_mem(empty, &err), HVP_E_INPUT);

    assert_int_equal(tdesc_load("target.xml", NULL, NULL, NULL, &err), HVP_E_INVAL);
    tdesc_free(NULL);
    assert_int_equal(tdesc_count(NULL), 0);
    assert_null(tdesc_find(NULL, "pc"));
}

static int setup(void **state)
{
    (void)state;
    return find_fixtures();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vexpress_a9),
        cmocka_unit_test(test_virt_a15),
        cmocka_unit_test(test_numbering_rules),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
