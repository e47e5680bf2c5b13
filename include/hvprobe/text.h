/*
 * hvprobe/text.h - prose for a terminal, as `hvprobe compare` prints it:
 * wrapped at word boundaries with a hanging indent; a word longer than the
 * line (an address, a symbol, a path) is never cut.
 *
 * Ownership: the returned string is the caller's (free()).  Thread-safe.
 */
#ifndef HVPROBE_TEXT_H
#define HVPROBE_TEXT_H

#ifdef __cplusplus
extern "C" {
#endif

/* prefix (printed as it is, e.g. aligned columns), then text wrapped to
 * `width` columns (<= 0: not wrapped), every line after the first
 * indented by `hang` spaces; a '\n' in text starts a new line.  Ends with
 * '\n'.  NULL when out of memory. */
char *hvp_text_wrap(const char *prefix, const char *text, int width, int hang);

#ifdef __cplusplus
}
#endif
#endif
