/* fuzz_hmp_mtree.c - libFuzzer harness: hmp_parse_mtree (tree and flat views), hmp_flat_lookup.
 * The target itself is fz_hmp_mtree() in fuzz_targets.h (shared with
 * tests/unit/test_fuzz_regressions.c). */
#include "fuzz_targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)fz_hmp_mtree(data, size);
    return 0;
}
