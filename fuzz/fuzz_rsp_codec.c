/* fuzz_rsp_codec.c - libFuzzer harness: GDB RSP decoder state machine (every byte), encode/decode and hex round trips, register decoding.
 * The target itself is fz_rsp_codec() in fuzz_targets.h (shared with
 * tests/unit/test_fuzz_regressions.c). */
#include "fuzz_targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)fz_rsp_codec(data, size);
    return 0;
}
