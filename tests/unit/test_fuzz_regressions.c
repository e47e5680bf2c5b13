/*
 * test_fuzz_regressions.c - replay inputs the fuzzers found (crashes,
 * leaks, undefined behaviour, violated properties) and the committed seed
 * corpora through the same entry points the libFuzzer harnesses use
 * (fuzz/fuzz_targets.h), in the ordinary build.
 *
 *   tests/fixtures/fuzz-regressions/<harness>/   one file per finding
 *   fuzz/corpus/<harness>/                       the seeds
 *
 * Each file must run without a crash (under `make SANITIZE=1` also
 * without ASan/UBSan reports), keep the properties fuzz_targets.h checks,
 * and return HVP_OK or one of the library's error codes.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit/monitor_test_util.h"

/* A violated property fails the test (cmocka) instead of aborting. */
#define FZ_FAIL(...) fail_msg(__VA_ARGS__)
#include "../../fuzz/fuzz_targets.h"

typedef int (*fz_fn)(const uint8_t *data, size_t size);

static char *read_all(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    hvp_buf b = { 0 };
    char tmp[8192];
    size_t got;
    while ((got = fread(tmp, 1, sizeof tmp, f)) > 0)
        if (hvp_buf_append(&b, tmp, got))
            break;
    fclose(f);
    *n = b.len;
    /* An exact-size copy, so that ASan sees reads past the end. */
    char *exact = malloc(b.len ? b.len : 1);
    if (exact && b.len)
        memcpy(exact, b.data, b.len);
    hvp_buf_free(&b);
    return exact;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Run fn on every regular file in dir (sorted); returns how many. */
static size_t replay_dir(const char *dir, fz_fn fn)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            names = realloc(names, cap * sizeof *names);
            assert_non_null(names);
        }
        names[n] = strdup(e->d_name);
        assert_non_null(names[n]);
        n++;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, by_name);
    size_t ran = 0;
    for (size_t i = 0; i < n; i++) {
        char path[PATH_MAX + 320];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        struct stat st;
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            size_t len = 0;
            char *data = read_all(path, &len);
            if (!data)
                fail_msg("cannot read %s", path);
            int rc = fn((const uint8_t *)data, len);
            if (!fz_sane_rc(rc))
                fail_msg("%s: return code %d is not an hvprobe status", path, rc);
            free(data);
            ran++;
        }
        free(names[i]);
    }
    free(names);
    return ran;
}

static void replay(const char *harness, fz_fn fn)
{
    char dir[PATH_MAX + 64];
    snprintf(dir, sizeof dir, "%s/fuzz-regressions/%s", fixture_dir(), harness);
    size_t found = replay_dir(dir, fn);
    snprintf(dir, sizeof dir, "%s/../../fuzz/corpus/%s", fixture_dir(), harness);
    size_t seeds = replay_dir(dir, fn);
    print_message("# %s: %zu regression inputs, %zu seeds\n", harness, found, seeds);
}

#define HARNESS(name)                     \
    static void test_##name(void **state) \
    {                                     \
        (void)state;                      \
        replay(#name, fz_##name);         \
    }
HARNESS(rsp_codec)
HARNESS(tdesc)
HARNESS(qmp)
HARNESS(hmp_clean)
HARNESS(hmp_registers)
HARNESS(hmp_x)
HARNESS(hmp_mtree)
HARNESS(snapshot)
HARNESS(trace)
HARNESS(elf)

/* The findings, spelled out so that they stay covered even if someone
 * prunes the fixture directory. */
static void test_tdesc_regnum_past_int_max(void **state)
{
    (void)state;
    /* A <reg> without regnum after regnum="2147483646": the implicit
     * number would be INT_MAX and the next one INT_MAX + 1 (signed
     * overflow in tdesc.c).  Now refused as malformed input. */
    static const char doc[] =
        "t\n<target><reg name=\"a\" bitsize=\"1\" regnum=\"2147483646\"/>"
        "<reg name=\"b\" bitsize=\"1\"/><reg name=\"c\" bitsize=\"1\"/></target>";
    assert_int_equal(fz_tdesc((const uint8_t *)doc, sizeof doc - 1), HVP_E_INPUT);
    static const char ok[] =
        "t\n<target><reg name=\"a\" bitsize=\"1\" regnum=\"2147483645\"/>"
        "<reg name=\"b\" bitsize=\"1\"/></target>";
    assert_int_equal(fz_tdesc((const uint8_t *)ok, sizeof ok - 1), HVP_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rsp_codec),
        cmocka_unit_test(test_tdesc),
        cmocka_unit_test(test_qmp),
        cmocka_unit_test(test_hmp_clean),
        cmocka_unit_test(test_hmp_registers),
        cmocka_unit_test(test_hmp_x),
        cmocka_unit_test(test_hmp_mtree),
        cmocka_unit_test(test_snapshot),
        cmocka_unit_test(test_trace),
        cmocka_unit_test(test_elf),
        cmocka_unit_test(test_tdesc_regnum_past_int_max),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
