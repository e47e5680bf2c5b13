/* fuzz_snapshot.c - libFuzzer harness: hvp_snapshot_from_json (schema v1 and the original script format), hvp_analyse, hvp_compare, serialise/reload.
 * The target itself is fz_snapshot() in fuzz_targets.h (shared with
 * tests/unit/test_fuzz_regressions.c). */
#include "fuzz_targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)fz_snapshot(data, size);
    return 0;
}
