/* outfile.c - see outfile.h. */
#include "util/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int write_all(int fd, const char *path, const char *text, size_t len, hvp_error *err)
{
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return hvp_fail(err, HVP_E_IO, "cannot write '%s': %s", path, w < 0 ? strerror(errno) : "short write");
        off += (size_t)w;
    }
    return HVP_OK;
}

/* An existing output that is not a regular file (a device such as
 * /dev/stdout, a FIFO) cannot be replaced by rename: write into it. */
static int write_special(const char *path, const char *text, size_t len, hvp_error *err)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return hvp_fail(err, HVP_E_IO, "cannot open '%s': %s", path, strerror(errno));
    int rc = write_all(fd, path, text, len, err);
    if (close(fd) != 0 && !rc)
        rc = hvp_fail(err, HVP_E_IO, "cannot write '%s': %s", path, strerror(errno));
    return rc;
}

int hvp_write_output(const char *path, const char *tag, const char *text, size_t len, hvp_error *err)
{
    if (!strcmp(path, "-")) {
        if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0)
            return hvp_fail(err, HVP_E_IO, "cannot write the %s to standard output", tag);
        return HVP_OK;
    }
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
        return write_special(path, text, len, err);
    /* A symbolic link is kept: replace what it points to. */
    char *real = realpath(path, NULL);
    const char *target = real ? real : path;
    char *dcopy = strdup(target);
    if (!dcopy) {
        free(real);
        return hvp_fail(err, HVP_E_NOMEM, "out of memory");
    }
    char tmp[4096];
    int k = snprintf(tmp, sizeof tmp, "%s/.hvprobe-%s.XXXXXX", dirname(dcopy), tag);
    free(dcopy);
    int rc = HVP_OK, fd = -1;
    if (k < 0 || (size_t)k >= sizeof tmp)
        rc = hvp_fail(err, HVP_E_INVAL, "output path '%s' is too long", path);
    else if ((fd = mkstemp(tmp)) < 0)
        rc = hvp_fail(err, HVP_E_IO, "cannot create a file next to '%s': %s", path, strerror(errno));
    if (!rc)
        rc = write_all(fd, path, text, len, err);
    if (!rc && fsync(fd) != 0)
        rc = hvp_fail(err, HVP_E_IO, "cannot write '%s': %s", path, strerror(errno));
    /* mkstemp creates 0600; these are ordinary documents. */
    if (!rc && fchmod(fd, 0644) != 0)
        rc = hvp_fail(err, HVP_E_IO, "cannot set the mode of '%s': %s", path, strerror(errno));
    if (fd >= 0 && close(fd) != 0 && !rc)
        rc = hvp_fail(err, HVP_E_IO, "cannot write '%s': %s", path, strerror(errno));
    if (!rc && rename(tmp, target) != 0)
        rc = hvp_fail(err, HVP_E_IO, "cannot create '%s': %s", path, strerror(errno));
    if (rc && fd >= 0)
        unlink(tmp);
    free(real);
    return rc;
}
