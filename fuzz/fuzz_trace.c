/* fuzz_trace.c - libFuzzer harness: streaming -d int / guest_errors / seL4 log reader, finish, text and JSON renderers.
 * The target itself is fz_trace() in fuzz_targets.h (shared with
 * tests/unit/test_fuzz_regressions.c). */
#include "fuzz_targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)fz_trace(data, size);
    return 0;
}
