/* fuzz_hmp_clean.c - libFuzzer harness: hmp_clean: terminal rendering of raw monitor bytes, prompt/echo removal ("CMDLINE\0RAW").
 * The target itself is fz_hmp_clean() in fuzz_targets.h (shared with
 * tests/unit/test_fuzz_regressions.c). */
#include "fuzz_targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)fz_hmp_clean(data, size);
    return 0;
}
