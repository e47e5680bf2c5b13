/* cpio.c - newc cpio writer for initramfs archives (see cpio.h). */
#include "util/cpio.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int pad4(hvp_cpio *c, size_t n)
{
    static const char zero[4] = { 0 };
    size_t p = (4 - (n & 3)) & 3;
    return p && fwrite(zero, 1, p, c->f) != p ? -1 : 0;
}

/* Header + name (the 110-byte header plus the name is padded to 4). */
static int header(hvp_cpio *c, const char *name, unsigned mode, size_t size, unsigned nlink, hvp_error *err)
{
    size_t nlen = strlen(name) + 1;
    if (fprintf(c->f, "070701%08lX%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X", ++c->ino, mode, 0u, 0u,
                nlink, 0u, size, 0u, 0u, 0u, 0u, nlen, 0u) < 0 ||
        fwrite(name, 1, nlen, c->f) != nlen || pad4(c, 110 + nlen))
        return hvp_fail(err, HVP_E_IO, "writing the cpio entry %s: %s", name, strerror(errno));
    return HVP_OK;
}

int hvp_cpio_dir(hvp_cpio *c, const char *name, hvp_error *err)
{
    return header(c, name, 040755, 0, 2, err);
}

int hvp_cpio_data(hvp_cpio *c, const char *name, unsigned mode, const void *data, size_t len, hvp_error *err)
{
    int rc = header(c, name, 0100000 | (mode & 07777), len, 1, err);
    if (rc)
        return rc;
    if ((len && fwrite(data, 1, len, c->f) != len) || pad4(c, len))
        return hvp_fail(err, HVP_E_IO, "writing the cpio entry %s: %s", name, strerror(errno));
    return HVP_OK;
}

int hvp_cpio_file(hvp_cpio *c, const char *name, unsigned mode, const char *src, hvp_error *err)
{
    FILE *in = fopen(src, "rb");
    struct stat st;
    if (!in || fstat(fileno(in), &st)) {
        if (in)
            fclose(in);
        return hvp_fail(err, HVP_E_IO, "cannot read %s: %s", src, strerror(errno));
    }
    int rc = header(c, name, 0100000 | (mode & 07777), (size_t)st.st_size, 1, err);
    char buf[65536];
    size_t n, total = 0;
    while (!rc && (n = fread(buf, 1, sizeof buf, in)) > 0) {
        if (fwrite(buf, 1, n, c->f) != n)
            rc = hvp_fail(err, HVP_E_IO, "writing the cpio entry %s: %s", name, strerror(errno));
        total += n;
    }
    fclose(in);
    if (!rc && total != (size_t)st.st_size)
        rc = hvp_fail(err, HVP_E_IO, "%s changed while it was archived", src);
    if (!rc && pad4(c, total))
        rc = hvp_fail(err, HVP_E_IO, "writing the cpio entry %s: %s", name, strerror(errno));
    return rc;
}

int hvp_cpio_end(hvp_cpio *c, hvp_error *err)
{
    return header(c, "TRAILER!!!", 0, 0, 1, err);
}

/* A newc field: 8 hex digits. */
static int hex8(const unsigned char *p, size_t *v)
{
    size_t x = 0;
    for (int i = 0; i < 8; i++) {
        int c = p[i], d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                        : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        x = x << 4 | (size_t)d;
    }
    *v = x;
    return 0;
}

int hvp_cpio_find(const unsigned char *buf, size_t n, const char *name, const unsigned char **data, size_t *len)
{
    size_t nl = strlen(name) + 1;
    for (size_t i = 0; i + 110 <= n; i++) {
        const unsigned char *h = memchr(buf + i, '0', n - i);
        if (!h)
            break;
        i = (size_t)(h - buf);
        size_t fs, ns;
        if (i + 110 > n || memcmp(h, "070701", 6) || hex8(h + 54, &fs) || hex8(h + 94, &ns))
            continue;
        if (ns != nl || i + 110 + ns > n || memcmp(h + 110, name, nl))
            continue;
        size_t off = (i + 110 + ns + 3) & ~(size_t)3;
        if (off + fs > n)
            continue;
        *data = buf + off;
        *len = fs;
        return 1;
    }
    return 0;
}
