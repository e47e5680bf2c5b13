/* kvm_host_image.c - the KVM host's kernel modules, and the cached
 * kernel, initramfs and manifest (see kvm_host.h). */
#include "backends/kvm_host_internal.h"
#include "util/buf.h"
#include "util/cpio.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The modules the host needs beyond Debian's built-in drivers: the
 * virtio-mmio transport of QEMU virt, virtio-net for user-mode networking
 * (the debug channels' port forwards) and virtio-console (the guest's
 * serial).  Their dependencies are read from each module's .modinfo. */
static const char *const wanted_modules[] = { "virtio_mmio", "virtio_net", "virtio_console" };


/* ---- kernel modules: the wanted ones and their .modinfo dependencies ---- */

/* Every .ko of the kernel package (Debian ships thousands). */
static char (*ko_names)[64];
static char **ko_paths;
static int nko, ko_cap;

static void modname(const char *file, char *out, size_t n)
{
    snprintf(out, n, "%.*s", (int)strcspn(file, "."), file);
    for (char *c = out; *c; c++)
        if (*c == '-')
            *c = '_';
}

static int ko_cb(const char *path, const struct stat *st, int flag, struct FTW *f)
{
    (void)st;
    const char *base = path + f->base;
    size_t l = strlen(base);
    if (flag == FTW_F && l > 3 && !strcmp(base + l - 3, ".ko")) {
        if (nko == ko_cap) {
            int cap = ko_cap ? ko_cap * 2 : 1024;
            void *n = realloc(ko_names, (size_t)cap * sizeof *ko_names), *q = n ? realloc(ko_paths, (size_t)cap * sizeof *ko_paths) : NULL;
            if (n)
                ko_names = n;
            if (!q)
                return 1;
            ko_paths = q;
            ko_cap = cap;
        }
        modname(base, ko_names[nko], sizeof ko_names[0]);
        ko_paths[nko++] = strdup(path);
    }
    return 0;
}

/* The "depends=" value of a module's .modinfo section ("" if none). */
static int modinfo_depends(const char *path, char *out, size_t n, hvp_error *err)
{
    out[0] = '\0';
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return hvp_fail(err, HVP_E_IO, "cannot open %s: %s", path, strerror(errno));
    Elf *e = elf_begin(fd, ELF_C_READ, NULL);
    size_t shstr = 0;
    Elf_Scn *scn = NULL;
    if (e && !elf_getshdrstrndx(e, &shstr))
        while ((scn = elf_nextscn(e, scn))) {
            GElf_Shdr sh;
            const char *nm;
            if (!gelf_getshdr(scn, &sh) || !(nm = elf_strptr(e, shstr, sh.sh_name)) || strcmp(nm, ".modinfo"))
                continue;
            Elf_Data *d = elf_getdata(scn, NULL);
            for (size_t off = 0; d && off < d->d_size;) {
                const char *kv = (const char *)d->d_buf + off;
                size_t l = strnlen(kv, d->d_size - off);
                if (!strncmp(kv, "depends=", 8))
                    snprintf(out, n, "%.*s", (int)(l - 8), kv + 8);
                off += l + 1;
            }
        }
    if (e)
        elf_end(e);
    close(fd);
    return e ? HVP_OK : hvp_fail(err, HVP_E_INPUT, "%s is not an ELF module", path);
}

static int add_module(build *b, const char *name, const char *builtin, int depth, hvp_error *err)
{
    for (int i = 0; i < b->nmods; i++)
        if (!strcmp(b->mods[i], name))
            return HVP_OK;
    char pat[80];
    snprintf(pat, sizeof pat, "/%s.ko\n", name);
    int k = -1;
    for (int i = 0; i < nko && k < 0; i++)
        if (!strcmp(ko_names[i], name))
            k = i;
    if (k < 0) {
        /* modules.builtin lists drivers compiled into the kernel. */
        if (builtin && strstr(builtin, pat))
            return HVP_OK;
        return hvp_fail(err, HVP_E_INPUT, "kernel module %s is neither in %s nor built in", name, b->kernel_pkg);
    }
    if (depth > 8 || b->nmods >= MAXMOD)
        return hvp_fail(err, HVP_E_INPUT, "module dependencies of %s too deep", name);
    char deps[256];
    int rc = modinfo_depends(ko_paths[k], deps, sizeof deps, err);
    char *save = NULL;
    for (char *t = strtok_r(deps, ",", &save); !rc && t; t = strtok_r(NULL, ",", &save))
        if (*t)
            rc = add_module(b, t, builtin, depth + 1, err);
    if (rc)
        return rc;
    b->mods[b->nmods] = strdup(name);
    b->modpath[b->nmods++] = strdup(ko_paths[k]);
    return HVP_OK;
}

int hvp_kvmhost_pick_modules(build *b, hvp_error *err)
{
    char base[PATH_MAX], kdir[PATH_MAX] = "";
    snprintf(base, sizeof base, "%s/x/%s/lib/modules", b->p->work, b->kernel_pkg);
    DIR *d = opendir(base);
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.')
            snprintf(kdir, sizeof kdir, "%.3800s/%s", base, e->d_name);
    if (d)
        closedir(d);
    if (!kdir[0])
        return hvp_fail(err, HVP_E_INPUT, "%s has no lib/modules directory", b->kernel_pkg);
    nko = 0;
    nftw(kdir, ko_cb, 16, FTW_PHYS);
    char bpath[PATH_MAX + 20];
    snprintf(bpath, sizeof bpath, "%s/modules.builtin", kdir);
    hvp_buf bi = { 0 };
    FILE *f = fopen(bpath, "r");
    char line[512];
    while (f && fgets(line, sizeof line, f)) {
        char *sl = strrchr(line, '/'), nm[64];
        modname(sl ? sl + 1 : line, nm, sizeof nm);
        hvp_buf_printf(&bi, "/%s.ko\n", nm);
    }
    if (f)
        fclose(f);
    char *builtin = hvp_buf_steal(&bi);
    int rc = HVP_OK;
    for (size_t i = 0; !rc && i < sizeof wanted_modules / sizeof wanted_modules[0]; i++)
        rc = add_module(b, wanted_modules[i], builtin, 0, err);
    free(builtin);
    for (int i = 0; i < nko; i++)
        free(ko_paths[i]);
    free(ko_names);
    free(ko_paths);
    ko_names = NULL, ko_paths = NULL, nko = ko_cap = 0;
    return rc;
}

/* ---- the cached files ---- */

/* /init: mount the pseudo file systems, load the modules, bring up
 * eth0 with QEMU user-mode networking's fixed address, say whether KVM
 * came up, run the guest's /guest/run (from the archive appended at run
 * time), then power off so that the outer QEMU exits. */
static char *init_script(build *b)
{
    hvp_buf s = { 0 };
    hvp_buf_printf(&s, "#!/bin/busybox sh\n"
                       "/bin/busybox --install -s /bin\n"
                       "export PATH=/bin\n"
                       "mount -t proc proc /proc\nmount -t sysfs sys /sys\nmount -t devtmpfs dev /dev\n");
    for (int i = 0; i < b->nmods; i++)
        hvp_buf_printf(&s, "insmod /lib/modules/%s.ko\n", b->mods[i]);
    hvp_buf_printf(&s,
        "ip link set lo up\nip link set eth0 up\nip addr add 10.0.2.15/24 dev eth0\n"
        "midr=$(cat /sys/devices/system/cpu/cpu0/regs/identification/midr_el1 2>/dev/null)\n"
        "if [ ! -c /dev/kvm ]; then\n"
        "  echo \"hvprobe-host: error: /dev/kvm is missing: KVM did not initialise (did the CPU get EL2?)\"\n"
        "  poweroff -f\nfi\n"
        "echo \"hvprobe-host: ready after $(cut -d' ' -f1 /proc/uptime) s: /dev/kvm present, MIDR_EL1 $midr\"\n"
        "if [ -x /guest/run ]; then\n"
        "  /guest/run\n"
        "  echo \"hvprobe-host: inner QEMU exited with status $?\"\n"
        "else\n"
        "  echo \"hvprobe-host: no /guest/run in the initramfs\"\n"
        "fi\n"
        "poweroff -f\n");
    return hvp_buf_steal(&s);
}

static int copy_file(const char *src, const char *dst, hvp_error *err)
{
    FILE *in = fopen(src, "rb"), *out = in ? fopen(dst, "wb") : NULL;
    char buf[65536];
    size_t n;
    int bad = !in || !out;
    while (!bad && (n = fread(buf, 1, sizeof buf, in)) > 0)
        bad = fwrite(buf, 1, n, out) != n;
    if (in)
        fclose(in);
    if (out && fclose(out))
        bad = 1;
    return bad ? hvp_fail(err, HVP_E_IO, "cannot copy %s to %s: %s", src, dst, strerror(errno)) : HVP_OK;
}

int hvp_kvmhost_write(build *b, hvp_error *err)
{
    const hvp_kvmhost_paths *p = b->p;
    char kimg[PATH_MAX] = "", boot[PATH_MAX], tmp[PATH_MAX];
    snprintf(boot, sizeof boot, "%s/x/%s/boot", p->work, b->kernel_pkg);
    DIR *d = opendir(boot);
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (!strncmp(e->d_name, "vmlinuz-", 8))
            snprintf(kimg, sizeof kimg, "%.3800s/%s", boot, e->d_name);
    if (d)
        closedir(d);
    if (!kimg[0])
        return hvp_fail(err, HVP_E_INPUT, "%s has no boot/vmlinuz-*", b->kernel_pkg);
    snprintf(tmp, sizeof tmp, "%s.tmp", p->kernel);
    int rc = copy_file(kimg, tmp, err);
    if (!rc && rename(tmp, p->kernel))
        rc = hvp_fail(err, HVP_E_IO, "cannot rename %s: %s", tmp, strerror(errno));
    if (rc)
        return rc;

    snprintf(tmp, sizeof tmp, "%s.tmp", p->initrd);
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return hvp_fail(err, HVP_E_IO, "cannot create %s: %s", tmp, strerror(errno));
    hvp_cpio c = { f, 0 };
    static const char *const dirs[] = { "bin", "dev", "proc", "sys", "tmp", "lib", "lib/aarch64-linux-gnu",
                                        "lib/modules", "usr", "usr/lib", "usr/lib/aarch64-linux-gnu", "guest" };
    for (size_t i = 0; !rc && i < sizeof dirs / sizeof dirs[0]; i++)
        rc = hvp_cpio_dir(&c, dirs[i], err);
    char *init = init_script(b), src[PATH_MAX], name[PATH_MAX];
    if (!rc)
        rc = init ? hvp_cpio_data(&c, "init", 0755, init, strlen(init), err) : hvp_fail(err, HVP_E_NOMEM, "oom");
    free(init);
    snprintf(src, sizeof src, "%s/x/busybox-static/bin/busybox", p->work);
    if (!rc)
        rc = hvp_cpio_file(&c, "bin/busybox", 0755, src, err);
    snprintf(src, sizeof src, "%s/x/qemu-system-arm/usr/bin/qemu-system-aarch64", p->work);
    if (!rc)
        rc = hvp_cpio_file(&c, "bin/qemu-system-aarch64", 0755, src, err);
    if (!rc)
        rc = hvp_cpio_file(&c, b->interp + 1, 0755, b->interp_path, err);
    for (int i = 0; !rc && i < b->nlibs; i++) {
        snprintf(name, sizeof name, "lib/aarch64-linux-gnu/%s", b->sonames[i]);
        rc = hvp_cpio_file(&c, name, 0644, b->libpath[i], err);
    }
    for (int i = 0; !rc && i < b->nmods; i++) {
        snprintf(name, sizeof name, "lib/modules/%s.ko", b->mods[i]);
        rc = hvp_cpio_file(&c, name, 0644, b->modpath[i], err);
    }
    if (!rc)
        rc = hvp_cpio_end(&c, err);
    if (fclose(f) && !rc)
        rc = hvp_fail(err, HVP_E_IO, "writing %s: %s", tmp, strerror(errno));
    if (!rc && rename(tmp, p->initrd))
        rc = hvp_fail(err, HVP_E_IO, "cannot rename %s: %s", tmp, strerror(errno));
    if (rc) {
        unlink(tmp);
        return rc;
    }
    char when[32];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    snprintf(tmp, sizeof tmp, "%s.tmp", p->manifest);
    f = fopen(tmp, "w");
    if (!f)
        return hvp_fail(err, HVP_E_IO, "cannot create %s: %s", tmp, strerror(errno));
    fprintf(f, "kernel_pkg=%s\nkernel_version=%s\nqemu_version=%s\nbusybox_version=%s\nbuilt_at=%s\n"
               "libraries=%d\nmodules=%d\ninterpreter=%s\n", b->kernel_pkg, b->kernel_ver, b->qemu_ver,
            b->busybox_ver, when, b->nlibs, b->nmods, b->interp);
    for (int i = 0; i < b->nmods; i++)
        fprintf(f, "module=%s\n", b->mods[i]);
    for (int i = 0; i < b->nlibs; i++)
        fprintf(f, "library=%s\n", b->sonames[i]);
    if (fclose(f) || rename(tmp, p->manifest))
        return hvp_fail(err, HVP_E_IO, "cannot write %s: %s", p->manifest, strerror(errno));
    return HVP_OK;
}

