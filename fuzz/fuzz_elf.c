/* fuzz_elf.c - libFuzzer harness: hvp_elf_load, symbol lookup, vector-table scan, sha256 (input written to a memfd).
 * The target itself is fz_elf() in fuzz_targets.h (shared with
 * tests/unit/test_fuzz_regressions.c). */
#include "fuzz_targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)fz_elf(data, size);
    return 0;
}
