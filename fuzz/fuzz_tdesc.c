/* fuzz_tdesc.c - libFuzzer harness: target description XML with includes served from the input (NUL-separated "NAME\n<xml>" documents).
 * The target itself is fz_tdesc() in fuzz_targets.h (shared with
 * tests/unit/test_fuzz_regressions.c). */
#include "fuzz_targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)fz_tdesc(data, size);
    return 0;
}
