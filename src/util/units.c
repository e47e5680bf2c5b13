/* units.c - see units.h. */
#include "util/units.h"

#include <stdio.h>
#include <string.h>

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

const char *hvp_count_text(double v, char *buf, size_t n)
{
    char digits[32];
    snprintf(digits, sizeof digits, "%.0f", v);
    size_t len = strlen(digits), o = 0;
    for (size_t i = 0; i < len && o + 2 < n; i++) {
        if (i && (len - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
    return buf;
}
