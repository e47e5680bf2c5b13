/* fuzz_hmp_x.c - libFuzzer harness: hmp_parse_x (x/xp output) into an exact-size buffer.
 * The target itself is fz_hmp_x() in fuzz_targets.h (shared with
 * tests/unit/test_fuzz_regressions.c). */
#include "fuzz_targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)fz_hmp_x(data, size);
    return 0;
}
