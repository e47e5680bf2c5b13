/* line.c - bounded one-line text (line.h). */
#include "util/line.h"

#include <stdarg.h>
#include <stdio.h>

void hvp_line_put(hvp_line *t, const char *fmt, ...)
{
    va_list ap;
    size_t room = t->len < t->n ? t->n - t->len : 0;
    va_start(ap, fmt);
    int w = vsnprintf(t->buf + (room ? t->len : t->n - 1), room ? room : 1, fmt, ap);
    va_end(ap);
    if (w < 0 || (size_t)w >= room)
        t->overflow = 1;
    if (w > 0)
        t->len += (size_t)w;
}

void hvp_line_put_size(hvp_line *t, uint64_t sz)
{
    if (sz >= (1ull << 30) && !(sz & ((1ull << 30) - 1)))
        hvp_line_put(t, "%llu GiB", (unsigned long long)(sz >> 30));
    else if (sz >= (1ull << 20) && !(sz & ((1ull << 20) - 1)))
        hvp_line_put(t, "%llu MiB", (unsigned long long)(sz >> 20));
    else
        hvp_line_put(t, "%llu KiB", (unsigned long long)(sz >> 10));
}
