/*
 * wrap.h - prose for a terminal: wrap text at word boundaries with a
 * hanging indent.  A word longer than the line (an address, a symbol, a
 * path) is never cut: it gets a line of its own and may overflow.
 */
#ifndef HVP_UTIL_WRAP_H
#define HVP_UTIL_WRAP_H

#include "util/buf.h"

/* Append text to b: the first line after `indent` spaces, every further
 * line after `hang` spaces, each at most `width` columns (width <= 0: one
 * line, no wrapping).  A '\n' in text starts a new (hanging) line.  Ends
 * with '\n'.  HVP_OK or HVP_E_NOMEM. */
int hvp_buf_wrap(hvp_buf *b, const char *text, int width, int indent, int hang);

/* The same, continuing a line whose cursor is already at column `col`
 * (nothing is printed before the first word). */
int hvp_buf_wrap_at(hvp_buf *b, const char *text, int width, int col, int hang);

/* Display width of a UTF-8 string (code points; hvprobe prints no wide
 * characters). */
int hvp_text_width(const char *s);

#endif
