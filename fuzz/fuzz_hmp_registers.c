/* fuzz_hmp_registers.c - libFuzzer harness: hmp_parse_registers / hmp_parse_registers_cpu / hmp_count_cpus.
 * The target itself is fz_hmp_registers() in fuzz_targets.h (shared with
 * tests/unit/test_fuzz_regressions.c). */
#include "fuzz_targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)fz_hmp_registers(data, size);
    return 0;
}
