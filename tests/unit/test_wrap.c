/* test_wrap.c - prose for a terminal (util/wrap.c, hvp_text_wrap): lines
 * fit the width, break at word boundaries, hang under the indent, and a
 * word longer than the line (an address, a symbol) is never cut. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "hvprobe/text.h"
#include "util/wrap.h"

static void wraps_at_words_with_a_hanging_indent(void **st)
{
    (void)st;
    char *t = hvp_text_wrap("- ", "the vector base differs: under tcg the CPU fetches svc at 0x60000008", 30, 4);
    assert_string_equal(t, "- the vector base differs:\n"
                           "    under tcg the CPU fetches\n"
                           "    svc at 0x60000008\n");
    free(t);
}

static void never_cuts_a_long_word(void **st)
{
    (void)st;
    char *t = hvp_text_wrap("", "at /a/very/long/path/that/does/not/fit/here.json now", 20, 2);
    assert_string_equal(t, "at\n  /a/very/long/path/that/does/not/fit/here.json\n  now\n");
    free(t);
}

static void width_zero_is_one_line(void **st)
{
    (void)st;
    char *t = hvp_text_wrap("x: ", "a  b   c", 0, 4);
    assert_string_equal(t, "x: a b c\n");
    free(t);
}

static void newline_starts_a_hanging_line(void **st)
{
    (void)st;
    hvp_buf b = { 0 };
    assert_int_equal(hvp_buf_wrap(&b, "one\ntwo three", 9, 2, 3), 0);
    assert_string_equal(b.data, "  one\n   two\n   three\n");
    hvp_buf_free(&b);
}

static void every_line_fits(void **st)
{
    (void)st;
    const char *text = "fixture-low, kvm-nested-low, tcg-virt-low: the vector base is 0x00000000 (VBAR = "
                       "0x00000000 (Non-secure state, SCTLR.V=0)), but the image has a vector table at 0x40000000";
    for (int w = 24; w <= 100; w++) {
        char *t = hvp_text_wrap("  ", text, w, 4);
        for (char *l = t; *l;) {
            size_t n = strcspn(l, "\n");
            assert_true((int)n <= w);
            l += n + (l[n] == '\n');
        }
        free(t);
    }
    assert_int_equal(hvp_text_width("\xe2\x80\x94x"), 2); /* an em dash is one column */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(wraps_at_words_with_a_hanging_indent),
        cmocka_unit_test(never_cuts_a_long_word),
        cmocka_unit_test(width_zero_is_one_line),
        cmocka_unit_test(newline_starts_a_hanging_line),
        cmocka_unit_test(every_line_fits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
