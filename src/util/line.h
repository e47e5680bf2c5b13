/* line.h - a one-line text into a caller's fixed buffer: printf-style
 * appends that never overrun it and remember when something did not fit
 * (the describe functions turn that into HVP_E_INVAL with the line cut
 * short).  No allocation. */
#ifndef HVP_UTIL_LINE_H
#define HVP_UTIL_LINE_H

#include <stddef.h>
#include <stdint.h>

typedef struct hvp_line {
    char *buf;
    size_t n, len;          /* capacity, characters written (even past n) */
    int overflow;           /* something did not fit */
} hvp_line;

/* Append; buf stays NUL-terminated (n must be at least 1). */
void hvp_line_put(hvp_line *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "2 MiB", "1 GiB", "64 KiB": the largest unit that divides sz. */
void hvp_line_put_size(hvp_line *t, uint64_t sz);

#endif
