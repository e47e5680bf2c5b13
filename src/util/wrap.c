/* wrap.c - word wrapping with a hanging indent (see wrap.h). */
#include "util/wrap.h"
#include "hvprobe/error.h"
#include "hvprobe/text.h"

#include <string.h>

int hvp_text_width(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

static int width_of(const char *s, size_t len)
{
    int n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xc0) != 0x80;
    return n;
}

int hvp_buf_wrap(hvp_buf *b, const char *text, int width, int indent, int hang)
{
    int rc = hvp_buf_printf(b, "%*s", indent, "");
    return rc ? rc : hvp_buf_wrap_at(b, text, width, indent, hang);
}

int hvp_buf_wrap_at(hvp_buf *b, const char *text, int width, int col, int hang)
{
    int at_start = 1;       /* nothing on this line yet but the indent */
    int rc = HVP_OK;
    const char *p = text;
    while (!rc && *p) {
        if (*p == '\n') {
            rc = hvp_buf_printf(b, "\n%*s", hang, "");
            col = hang;
            at_start = 1;
            p++;
            continue;
        }
        if (*p == ' ') {
            p++;
            continue;
        }
        size_t len = strcspn(p, " \n");
        int w = width_of(p, len);
        if (!at_start && width > 0 && col + 1 + w > width) {
            rc = hvp_buf_printf(b, "\n%*s", hang, "");
            col = hang;
            at_start = 1;
        }
        if (!rc && !at_start) {
            rc = hvp_buf_putc(b, ' ');
            col++;
        }
        if (!rc)
            rc = hvp_buf_append(b, p, len);
        col += w;
        at_start = 0;
        p += len;
    }
    return rc ? rc : hvp_buf_putc(b, '\n');
}

char *hvp_text_wrap(const char *prefix, const char *text, int width, int hang)
{
    hvp_buf b = { 0 };
    if (hvp_buf_printf(&b, "%s", prefix) || hvp_buf_wrap_at(&b, text, width, hvp_text_width(prefix), hang)) {
        hvp_buf_free(&b);
        return NULL;
    }
    return hvp_buf_steal(&b);
}
