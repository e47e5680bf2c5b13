/* buf.c - growable byte buffer (see buf.h). */
#include "util/buf.h"
#include "hvprobe/error.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int reserve(hvp_buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return HVP_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1) {
        if (cap > ((size_t)-1) / 2)
            return HVP_E_NOMEM;
        cap *= 2;
    }
    char *p = realloc(b->data, cap);
    if (!p)
        return HVP_E_NOMEM;
    b->data = p;
    b->cap = cap;
    return HVP_OK;
}

int hvp_buf_append(hvp_buf *b, const void *p, size_t n)
{
    if (reserve(b, n))
        return HVP_E_NOMEM;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return HVP_OK;
}

int hvp_buf_putc(hvp_buf *b, char c)
{
    return hvp_buf_append(b, &c, 1);
}

int hvp_buf_printf(hvp_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return HVP_E_INTERNAL;
    if (reserve(b, (size_t)n))
        return HVP_E_NOMEM;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return HVP_OK;
}

void hvp_buf_reset(hvp_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void hvp_buf_consume(hvp_buf *b, size_t n)
{
    if (n >= b->len) {
        hvp_buf_reset(b);
        return;
    }
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
    b->data[b->len] = '\0';
}

char *hvp_buf_steal(hvp_buf *b)
{
    char *p = b->data;
    if (!p)
        p = calloc(1, 1);
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

void hvp_buf_free(hvp_buf *b)
{
    if (!b)
        return;
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void hvp_snippet(const char *s, size_t n, char *out, size_t size)
{
    size_t i = 0;
    for (; i < n && i < 40 && i + 4 < size; i++)
        out[i] = isprint((unsigned char)s[i]) ? s[i] : '?';
    out[i] = '\0';
    if (i < n && i + 4 <= size)
        strcpy(out + i, "...");
}
