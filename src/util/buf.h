/*
 * buf.h - a growable byte buffer (always NUL-terminated for text use).
 * The buffer owns `data`; free it with hvp_buf_free().  Appends return
 * HVP_OK or HVP_E_NOMEM.
 */
#ifndef HVP_UTIL_BUF_H
#define HVP_UTIL_BUF_H

#include <stddef.h>

typedef struct hvp_buf {
    char *data;     /* NUL-terminated; may be NULL when empty */
    size_t len;
    size_t cap;
} hvp_buf;

int hvp_buf_append(hvp_buf *b, const void *p, size_t n);
int hvp_buf_putc(hvp_buf *b, char c);
int hvp_buf_printf(hvp_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void hvp_buf_reset(hvp_buf *b);           /* len = 0, keeps memory */
void hvp_buf_consume(hvp_buf *b, size_t n); /* drop n bytes from the front */
char *hvp_buf_steal(hvp_buf *b);          /* caller frees; buffer emptied */

/* Up to 40 of the n bytes at s, for quoting peer data in an error message:
 * non-printable bytes (newlines, escapes, NULs) become '?', "..." follows
 * when more remain.  Always NUL-terminates out (size >= 1). */
void hvp_snippet(const char *s, size_t n, char *out, size_t size);
void hvp_buf_free(hvp_buf *b);

#endif
