/* fuzz_qmp.c - libFuzzer harness: QMP line framer (chunked feed, small line cap) checked against a reference split, then qmp_parse_line.
 * The target itself is fz_qmp() in fuzz_targets.h (shared with
 * tests/unit/test_fuzz_regressions.c). */
#include "fuzz_targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)fz_qmp(data, size);
    return 0;
}
