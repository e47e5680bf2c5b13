/* dump.c - guest memory to a file (see hvprobe/dump.h). */
#include "hvprobe/dump.h"
#include "target/target.h"
#include "core/dump_internal.h"
#include "elf/elf_image.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define RSP_CHUNK (64u * 1024u)

/* Stream the range through the gdbstub into fd. */
static int dump_rsp(hvp_target *t, uint64_t addr, uint64_t len, hvp_space space, int fd, const char *name,
                    hvp_error *err)
{
    uint8_t *buf = malloc(RSP_CHUNK);
    if (!buf)
        return hvp_fail(err, HVP_E_NOMEM, "out of memory");
    int rc = HVP_OK;
    for (uint64_t off = 0; off < len && !rc; off += RSP_CHUNK) {
        size_t want = len - off < RSP_CHUNK ? (size_t)(len - off) : RSP_CHUNK, got = 0;
        char *etext = NULL;
        const char *ch = "";
        rc = hvp_target_read_mem(t, addr + off, want, space, buf, &got, &etext, &ch, err);
        if (!rc && got < want)
            rc = hvp_fail(err, HVP_E_TARGET, "memory at 0x%llx cannot be read (%s)",
                          (unsigned long long)(addr + off + got), etext ? etext : "short read");
        free(etext);
        for (size_t w = 0; !rc && w < got;) {
            ssize_t n = write(fd, buf + w, got - w);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                rc = hvp_fail(err, HVP_E_OUTPUT, "cannot write %s: %s", name, n < 0 ? strerror(errno) : "short write");
            else
                w += (size_t)n;
        }
    }
    free(buf);
    return rc;
}

/* Why QEMU could not finish a file in `dir`: the disk is full, or a
 * sentence from QEMU's own answer. */
static int qmp_write_failed(const char *tmp, const char *name, const char *what, hvp_error *err)
{
    char *dcopy = strdup(tmp);
    struct statvfs v;
    int full = dcopy && statvfs(dirname(dcopy), &v) == 0 && v.f_bavail == 0;
    free(dcopy);
    if (full)
        return hvp_fail(err, HVP_E_OUTPUT, "cannot write %s: %s", name, strerror(ENOSPC));
    return hvp_fail(err, HVP_E_OUTPUT, "cannot write %s: %s", name, what);
}

int hvp_dump_fill(hvp_target *t, uint64_t addr, uint64_t len, hvp_space space, int use_qmp,
                  int fd, const char *tmp, const char *name, hvp_error *err)
{
    int rc;
    if (use_qmp) {
        /* QEMU opens the path itself and writes the bytes. */
        close(fd);
        fd = -1;
        char abs[4200];
        if (!realpath(tmp, abs))
            snprintf(abs, sizeof abs, "%s", tmp);
        hvp_error qe = { 0 };
        rc = hvp_target_save_mem(t, addr, len, space, abs, &qe);
        struct stat st = { 0 };
        if (rc == HVP_E_TARGET && (strstr(qe.msg, "Could not open") || strstr(qe.msg, "IO error")))
            rc = qmp_write_failed(tmp, name, qe.msg, err); /* QEMU's fopen/fwrite failed */
        else if (rc && err)
            *err = qe;
        else if (!rc && (stat(tmp, &st) || (uint64_t)st.st_size != len)) {
            char what[96];
            snprintf(what, sizeof what, "QEMU wrote %lld of %llu bytes", (long long)st.st_size,
                     (unsigned long long)len);
            rc = qmp_write_failed(tmp, name, what, err);
        }
    } else {
        rc = dump_rsp(t, addr, len, space, fd, name, err);
    }
    if (fd >= 0 && close(fd) && !rc)
        rc = hvp_fail(err, HVP_E_OUTPUT, "cannot write %s: %s", name, strerror(errno));
    if (!rc && chmod(tmp, 0644))
        rc = hvp_fail(err, HVP_E_OUTPUT, "cannot set the mode of %s: %s", name, strerror(errno));
    return rc;
}

int hvp_dump_sync_sha256(const char *path, const char *name, char sha256[65], hvp_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fsync(fd)) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return hvp_fail(err, HVP_E_OUTPUT, "cannot write %s: %s", name, strerror(e));
    }
    close(fd);
    hvp_error he = { 0 };
    if (hvp_file_sha256(path, sha256, &he))
        return hvp_fail(err, HVP_E_OUTPUT, "cannot read %s back: %s", name, he.msg);
    return HVP_OK;
}

int hvp_dump(const hvp_dump_opts *o, hvp_dump_result *r, hvp_error *err)
{
    memset(r, 0, sizeof *r);
    if (!o->len)
        return hvp_fail(err, HVP_E_INVAL, "nothing to dump: the length is 0");
    if (o->method == HVP_DUMP_QMP && !o->qmp)
        return hvp_fail(err, HVP_E_INVAL, "the QMP method needs --qmp");
    if (o->method == HVP_DUMP_RSP && !o->gdb)
        return hvp_fail(err, HVP_E_INVAL, "the gdbstub method needs --gdb");
    int use_qmp = o->method == HVP_DUMP_QMP || (o->method == HVP_DUMP_AUTO && o->qmp);
    if (!use_qmp && !o->gdb)
        return hvp_fail(err, HVP_E_INVAL, "dumping needs --qmp (fast) or --gdb");
    /* A QMP save of N MiB may take a while: give it time. */
    int tmo = (o->timeout_ms > 0 ? o->timeout_ms : 5000) + (use_qmp ? (int)(o->len >> 20) * 1000 : 0);
    hvp_target_opts to = { o->qmp, o->hmp, use_qmp ? NULL : o->gdb, tmo };
    hvp_target *t = NULL;
    int rc = hvp_target_open(&to, &t, err);
    if (rc)
        return rc;
    int running = HVP_UNKNOWN, halted = 0;
    char *state = NULL;
    /* Know the run state whenever a monitor can tell it, even with
     * keep_running: attaching the gdbstub halts the guest, and only a
     * guest that was running may be resumed afterwards. */
    if ((o->qmp || o->hmp) && (rc = hvp_target_run_state(t, &running, &state, err)) == HVP_OK &&
        running == HVP_YES && !o->keep_running && (rc = hvp_target_halt(t, err)) == HVP_OK)
        halted = 1;
    free(state);
    int state_failed = rc != HVP_OK;
    if (!rc && !use_qmp)
        rc = hvp_target_attach_gdb(t, err);

    char *dcopy = strdup(o->path), tmp[4200];
    snprintf(tmp, sizeof tmp, "%s/.hvprobe-dump.XXXXXX", dcopy ? dirname(dcopy) : ".");
    free(dcopy);
    int fd = -1;
    if (!rc && (fd = mkstemp(tmp)) < 0)
        rc = hvp_fail(err, HVP_E_OUTPUT, "cannot create a file next to %s: %s", o->path, strerror(errno));
    if (!rc) {
        rc = hvp_dump_fill(t, o->addr, o->len, o->space, use_qmp, fd, tmp, o->path, err);
        r->method = use_qmp ? HVP_DUMP_QMP : HVP_DUMP_RSP;
        /* fsync what we streamed (QEMU's own file is left to the page cache, as before). */
        if (!rc && !use_qmp && (fd = open(tmp, O_RDONLY | O_CLOEXEC)) >= 0) {
            if (fsync(fd))
                rc = hvp_fail(err, HVP_E_OUTPUT, "cannot write %s: %s", o->path, strerror(errno));
            close(fd);
        }
    }
    if (!rc && rename(tmp, o->path))
        rc = hvp_fail(err, HVP_E_OUTPUT, "cannot create %s: %s", o->path, strerror(errno));
    if (rc == HVP_E_OUTPUT) { /* hvp_dump's documented code for an unwritable file */
        r->file_failed = 1;
        rc = err ? (err->code = HVP_E_IO) : HVP_E_IO;
    }
    if (rc)
        unlink(tmp); /* nothing partial: the template name when mkstemp failed is harmless */
    /* Resume what we halted; attaching the gdbstub halts too, so resume
     * after a gdbstub dump unless the guest was already stopped. */
    if (halted || (!use_qmp && !state_failed && running != HVP_NO)) {
        hvp_error re = { 0 };
        int rrc = hvp_target_resume(t, &re);
        if (!rc && rrc) {
            rc = rrc;
            if (err)
                *err = re;
        }
    }
    hvp_target_close(t);
    if (!rc) {
        r->bytes = o->len;
        hvp_file_sha256(o->path, r->sha256, NULL);
    }
    return rc;
}
