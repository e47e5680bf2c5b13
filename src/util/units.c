/* units.c - see units.h. */
#include "util/units.h"

#include <stdio.h>

const char *hvp_size_text(uint64_t n, char *buf, size_t cap)
{
    if (n && !(n & ((1ull << 20) - 1)))
        snprintf(buf, cap, "%llu MiB", (unsigned long long)(n >> 20));
    else if (n && !(n & 1023))
        snprintf(buf, cap, "%llu KiB", (unsigned long long)(n >> 10));
    else
        snprintf(buf, cap, "%llu bytes", (unsigned long long)n);
    return buf;
}
