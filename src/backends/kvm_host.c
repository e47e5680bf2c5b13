/* kvm_host.c - prepare and inspect the cached arm64 KVM host (see kvm_host.h). */
#include "hvprobe/kvmhost.h"
#include "backends/kvm_host_internal.h"
#include "util/buf.h"
#include "util/cpio.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/file.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void progress(build *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void progress(build *b, const char *fmt, ...)
{
    if (!b->cb)
        return;
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    b->cb(b->ctx, msg);
}

int hvp_kvmhost_paths_get(hvp_kvmhost_paths *p, hvp_error *err)
{
    memset(p, 0, sizeof *p);
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    if (xdg && *xdg)
        snprintf(p->dir, sizeof p->dir, "%s/hvprobe/kvm-host", xdg);
    else if (home && *home)
        snprintf(p->dir, sizeof p->dir, "%s/.cache/hvprobe/kvm-host", home);
    else
        return hvp_fail(err, HVP_E_IO, "neither XDG_CACHE_HOME nor HOME is set: no place for the KVM host cache");
    snprintf(p->kernel, sizeof p->kernel, "%s/Image", p->dir);
    snprintf(p->initrd, sizeof p->initrd, "%s/host.cpio", p->dir);
    snprintf(p->manifest, sizeof p->manifest, "%s/manifest", p->dir);
    snprintf(p->work, sizeof p->work, "%s/work", p->dir);
    return HVP_OK;
}

static int mkdirs(const char *path)
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *s = tmp + 1; *s; s++)
        if (*s == '/') {
            *s = '\0';
            if (mkdir(tmp, 0755) && errno != EEXIST)
                return -1;
            *s = '/';
        }
    return mkdir(tmp, 0755) && errno != EEXIST ? -1 : 0;
}

static long long du_total;
static int du_cb(const char *path, const struct stat *st, int flag, struct FTW *f)
{
    (void)path, (void)f;
    if (flag == FTW_F)
        du_total += st->st_size;
    return 0;
}

static int rm_cb(const char *path, const struct stat *st, int flag, struct FTW *f)
{
    (void)st, (void)f;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static int rm_tree(const char *path)
{
    if (access(path, F_OK))
        return 0;
    return nftw(path, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

static long long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) ? -1 : (long long)st.st_size;
}

int hvp_kvmhost_status_get(const hvp_kvmhost_paths *p, hvp_kvmhost_status *st, hvp_error *err)
{
    (void)err;
    memset(st, 0, sizeof *st);
    st->kernel_bytes = file_size(p->kernel);
    st->initrd_bytes = file_size(p->initrd);
    du_total = 0;
    if (!access(p->dir, F_OK))
        nftw(p->dir, du_cb, 16, FTW_PHYS);
    st->cache_bytes = du_total;
    FILE *f = fopen(p->manifest, "r");
    if (!f)
        return HVP_OK;
    char line[256];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char *eq = strchr(line, '=');
        if (!eq)
            continue;
        *eq++ = '\0';
        if (!strcmp(line, "kernel_pkg"))
            snprintf(st->kernel_pkg, sizeof st->kernel_pkg, "%s", eq);
        else if (!strcmp(line, "kernel_version"))
            snprintf(st->kernel_version, sizeof st->kernel_version, "%s", eq);
        else if (!strcmp(line, "qemu_version"))
            snprintf(st->qemu_version, sizeof st->qemu_version, "%s", eq);
        else if (!strcmp(line, "busybox_version"))
            snprintf(st->busybox_version, sizeof st->busybox_version, "%s", eq);
        else if (!strcmp(line, "built_at"))
            snprintf(st->built_at, sizeof st->built_at, "%s", eq);
        else if (!strcmp(line, "libraries"))
            st->nlibs = atoi(eq);
        else if (!strcmp(line, "modules"))
            st->nmodules = atoi(eq);
    }
    fclose(f);
    st->ready = st->kernel_bytes > 0 && st->initrd_bytes > 0 && st->kernel_pkg[0];
    return HVP_OK;
}

int hvp_kvmhost_clean(const hvp_kvmhost_paths *p, hvp_error *err)
{
    if (rm_tree(p->dir))
        return hvp_fail(err, HVP_E_IO, "cannot remove %s: %s", p->dir, strerror(errno));
    return HVP_OK;
}

/* Run argv in `cwd`; stderr (and stdout unless `out`) appended to the
 * build log; `out` collects stdout.  Returns the exit status, or -1. */
static int run(build *b, const char *cwd, hvp_buf *out, char *const *argv)
{
    int pfd[2] = { -1, -1 };
    if (out && pipe(pfd))
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int log = open(b->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        int nul = open("/dev/null", O_RDONLY);
        if (nul >= 0)
            dup2(nul, 0);
        if (log >= 0)
            dup2(log, 2);
        dup2(out ? pfd[1] : log, 1);
        if (out)
            close(pfd[0]);
        if (cwd && chdir(cwd))
            _exit(126);
        setenv("LC_ALL", "C", 1);
        execvp(argv[0], argv);
        dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    if (out) {
        close(pfd[1]);
        char buf[4096];
        ssize_t n;
        while ((n = read(pfd[0], buf, sizeof buf)) > 0)
            hvp_buf_append(out, buf, (size_t)n);
        close(pfd[0]);
    }
    int st;
    if (waitpid(pid, &st, 0) < 0)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The last non-empty line of the build log, for error messages. */
static void log_tail(build *b, char *out, size_t n)
{
    out[0] = '\0';
    FILE *f = fopen(b->log, "r");
    char line[400];
    while (f && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0])
            snprintf(out, n, "%s", line);
    }
    if (f)
        fclose(f);
}

/* apt-get/apt-cache with the private arm64 state + extra arguments. */
static int apt(build *b, const char *tool, const char *cwd, hvp_buf *out, char *const *args, int nargs)
{
    char *argv[MAXPKG + 40];
    int n = 0;
    argv[n++] = (char *)tool;
    for (int i = 0; i < b->napt; i++)
        argv[n++] = b->apt_opts[i];
    for (int i = 0; i < nargs && n < (int)(sizeof argv / sizeof argv[0]) - 1; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    return run(b, cwd, out, argv);
}

static void set_apt_opts(build *b)
{
    const char *w = b->p->work;
    b->napt = 0;
    const char *fixed[] = { "-q", "-o", "APT::Architecture=arm64", "-o", "APT::Architectures=arm64",
                            "-o", "Acquire::Languages=none", "-o", "APT::Sandbox::User=root" };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        b->apt_opts[b->napt++] = strdup(fixed[i]);
    const char *dirs[][2] = { { "Dir::State::Lists", "lists" }, { "Dir::Cache", "apt" },
                              { "Dir::State::status", "status" } };
    for (size_t i = 0; i < 3; i++) {
        b->apt_opts[b->napt++] = strdup("-o");
        if (asprintf(&b->apt_opts[b->napt++], "%s=%s/%s", dirs[i][0], w, dirs[i][1]) < 0)
            b->apt_opts[b->napt - 1] = NULL;
    }
}

static int have_pkg(build *b, const char *name)
{
    for (int i = 0; i < b->npkgs; i++)
        if (!strcmp(b->pkgs[i], name))
            return i;
    return -1;
}

/* Download `names` into work/debs and extract each into work/x/NAME. */
static int fetch(build *b, char **names, int n, hvp_error *err)
{
    char debs[PATH_MAX], tail[400];
    snprintf(debs, sizeof debs, "%s/debs", b->p->work);
    char *args[MAXPKG + 1];
    args[0] = "download";
    for (int i = 0; i < n; i++)
        args[i + 1] = names[i];
    if (apt(b, "apt-get", debs, NULL, args, n + 1)) {
        log_tail(b, tail, sizeof tail);
        return hvp_fail(err, HVP_E_IO, "apt-get download of arm64 packages failed: %s (log: %s)", tail, b->log);
    }
    for (int i = 0; i < n; i++) {
        DIR *d = opendir(debs);
        struct dirent *e;
        char deb[PATH_MAX] = "", prefix[128];
        snprintf(prefix, sizeof prefix, "%s_", names[i]);
        while (d && (e = readdir(d)))
            if (!strncmp(e->d_name, prefix, strlen(prefix)) && strstr(e->d_name, ".deb"))
                snprintf(deb, sizeof deb, "%.3800s/%s", debs, e->d_name);
        if (d)
            closedir(d);
        if (!deb[0])
            return hvp_fail(err, HVP_E_IO, "apt-get download left no .deb for %s", names[i]);
        char dest[PATH_MAX];
        snprintf(dest, sizeof dest, "%s/x/%s", b->p->work, names[i]);
        char *xargv[] = { "dpkg-deb", "-x", deb, dest, NULL };
        if (run(b, NULL, NULL, xargv)) {
            log_tail(b, tail, sizeof tail);
            return hvp_fail(err, HVP_E_IO, "dpkg-deb -x %s failed: %s", deb, tail);
        }
        hvp_buf v = { 0 };
        char *vargv[] = { "dpkg-deb", "-f", deb, "Version", NULL };
        run(b, NULL, &v, vargv);
        char *ver = hvp_buf_steal(&v);
        char *dst = !strcmp(names[i], "qemu-system-arm") ? b->qemu_ver
                    : !strcmp(names[i], "busybox-static") ? b->busybox_ver
                    : !strcmp(names[i], b->kernel_pkg) ? b->kernel_ver : NULL;
        if (dst && ver)
            snprintf(dst, 64, "%.*s", (int)strcspn(ver, "\n"), ver);
        free(ver);
        unlink(deb); /* extracted: the .deb is not needed again */
        if (b->npkgs < MAXPKG)
            b->pkgs[b->npkgs++] = strdup(names[i]);
    }
    return HVP_OK;
}

/* Resolve `rel` (absolute inside the package root `root`) following
 * symlinks inside that root, never into the running system. */
static int resolve_in(const char *root, const char *rel, char *out, size_t n)
{
    char cur[PATH_MAX];
    snprintf(cur, sizeof cur, "%s", rel);
    for (int hop = 0; hop < 10; hop++) {
        snprintf(out, n, "%s%s", root, cur);
        struct stat st;
        if (lstat(out, &st))
            return -1;
        if (!S_ISLNK(st.st_mode))
            return S_ISREG(st.st_mode) ? 0 : -1;
        char tgt[PATH_MAX];
        ssize_t l = readlink(out, tgt, sizeof tgt - 1);
        if (l <= 0)
            return -1;
        tgt[l] = '\0';
        if (tgt[0] == '/')
            snprintf(cur, sizeof cur, "%s", tgt);
        else {
            char *slash = strrchr(cur, '/');
            if (slash)
                slash[1] = '\0';
            size_t cl = strlen(cur);
            snprintf(cur + cl, sizeof cur - cl, "%s", tgt);
        }
    }
    return -1;
}

/* Find a library by soname in the extracted packages; *pkg = its index. */
static int find_lib(build *b, const char *soname, char *out, size_t n, int *pkg)
{
    static const char *const dirs[] = { "/lib/aarch64-linux-gnu/", "/usr/lib/aarch64-linux-gnu/", "/lib/", "/usr/lib/" };
    for (int i = 0; i < b->npkgs; i++) {
        char root[PATH_MAX];
        snprintf(root, sizeof root, "%s/x/%s", b->p->work, b->pkgs[i]);
        for (size_t d = 0; d < sizeof dirs / sizeof dirs[0]; d++) {
            char rel[PATH_MAX];
            snprintf(rel, sizeof rel, "%s%s", dirs[d], soname);
            if (!resolve_in(root, rel, out, n)) {
                *pkg = i;
                return 0;
            }
        }
    }
    return -1;
}

/* DT_NEEDED entries (and PT_INTERP) of an AArch64 ELF file, via libelf.
 * Appends new sonames to b->sonames with libpath NULL (unresolved). */
static int read_needed(build *b, const char *path, int want_interp, hvp_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return hvp_fail(err, HVP_E_IO, "cannot open %s: %s", path, strerror(errno));
    Elf *e = elf_begin(fd, ELF_C_READ, NULL);
    GElf_Ehdr eh;
    if (!e || !gelf_getehdr(e, &eh) || eh.e_machine != EM_AARCH64) {
        if (e)
            elf_end(e);
        close(fd);
        return hvp_fail(err, HVP_E_INPUT, "%s is not an AArch64 ELF file", path);
    }
    size_t nph = 0;
    elf_getphdrnum(e, &nph);
    for (size_t i = 0; want_interp && i < nph; i++) {
        GElf_Phdr ph;
        if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_INTERP && ph.p_filesz < sizeof b->interp &&
            pread(fd, b->interp, ph.p_filesz, (off_t)ph.p_offset) == (ssize_t)ph.p_filesz)
            b->interp[ph.p_filesz ? ph.p_filesz - 1 : 0] = '\0';
    }
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(e, scn))) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNAMIC)
            continue;
        Elf_Data *d = elf_getdata(scn, NULL);
        for (size_t k = 0; d && sh.sh_entsize && k < sh.sh_size / sh.sh_entsize; k++) {
            GElf_Dyn dyn;
            if (!gelf_getdyn(d, (int)k, &dyn) || dyn.d_tag != DT_NEEDED)
                continue;
            const char *name = elf_strptr(e, sh.sh_link, dyn.d_un.d_val);
            int seen = !name;
            for (int j = 0; j < b->nlibs && !seen; j++)
                seen = !strcmp(b->sonames[j], name);
            if (!seen && b->nlibs < MAXLIB) {
                b->sonames[b->nlibs] = strdup(name);
                b->libpath[b->nlibs++] = NULL;
            }
        }
    }
    elf_end(e);
    close(fd);
    return HVP_OK;
}

/* The closure of qemu-system-aarch64's shared libraries.  Each round
 * resolves what it can in the packages extracted so far; what remains
 * is looked for in the Depends of the packages that supplied a file,
 * which is where dpkg-shlibdeps put the library's package. */
static int lib_closure(build *b, hvp_error *err)
{
    char qemu[PATH_MAX];
    int qi = have_pkg(b, "qemu-system-arm"), rc;
    snprintf(qemu, sizeof qemu, "%s/x/qemu-system-arm/usr/bin/qemu-system-aarch64", b->p->work);
    if (qi < 0 || (rc = read_needed(b, qemu, 1, err)))
        return qi < 0 ? hvp_fail(err, HVP_E_INTERNAL, "qemu-system-arm was not extracted") : rc;
    b->contributes[qi] = 1;
    for (int round = 0; round < 8; round++) {
        int unresolved = 0;
        for (int i = 0; i < b->nlibs; i++) {
            if (b->libpath[i])
                continue;
            char path[PATH_MAX];
            int pkg;
            if (find_lib(b, b->sonames[i], path, sizeof path, &pkg)) {
                unresolved++;
                continue;
            }
            b->libpath[i] = strdup(path);
            b->contributes[pkg] = 1;
            if ((rc = read_needed(b, path, 0, err)))
                return rc;
            i = -1; /* new sonames may have been appended: rescan */
        }
        if (!unresolved)
            break;
        /* Depends of the contributing packages not fetched yet. */
        char *args[MAXPKG + 8];
        int na = 0;
        args[na++] = "depends";
        const char *flags[] = { "--no-recommends", "--no-suggests", "--no-conflicts", "--no-breaks",
                                "--no-replaces", "--no-enhances" };
        for (size_t k = 0; k < 6; k++)
            args[na++] = (char *)flags[k];
        for (int i = 0; i < b->npkgs && na < MAXPKG; i++)
            if (b->contributes[i])
                args[na++] = b->pkgs[i];
        hvp_buf out = { 0 };
        if (apt(b, "apt-cache", NULL, &out, args, na)) {
            hvp_buf_free(&out);
            return hvp_fail(err, HVP_E_IO, "apt-cache depends failed (log: %s)", b->log);
        }
        char *text = hvp_buf_steal(&out), *save = NULL, *want[MAXPKG];
        int nw = 0;
        for (char *l = text ? strtok_r(text, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save)) {
            char *dep = strstr(l, "Depends: ");
            if (!dep || l[0] != ' ')
                continue;
            dep += 9;
            dep[strcspn(dep, " :")] = '\0';
            int dup = dep[0] == '<' || have_pkg(b, dep) >= 0;
            for (int k = 0; k < nw && !dup; k++)
                dup = !strcmp(want[k], dep);
            if (!dup && nw < MAXPKG - b->npkgs - 1)
                want[nw++] = dep;
        }
        if (!nw) {
            char miss[300] = "";
            for (int i = 0; i < b->nlibs; i++)
                if (!b->libpath[i] && strlen(miss) + strlen(b->sonames[i]) + 2 < sizeof miss)
                    strcat(strcat(miss, " "), b->sonames[i]);
            free(text);
            return hvp_fail(err, HVP_E_INPUT, "qemu-system-aarch64 needs libraries that no dependency "
                            "provides:%s", miss);
        }
        progress(b, "round %d: %d libraries unresolved, fetching %d dependency packages", round + 1, unresolved, nw);
        rc = fetch(b, want, nw, err);
        free(text);
        if (rc)
            return rc;
    }
    for (int i = 0; i < b->nlibs; i++)
        if (!b->libpath[i])
            return hvp_fail(err, HVP_E_INPUT, "library %s of qemu-system-aarch64 not found", b->sonames[i]);
    char root[PATH_MAX];
    snprintf(root, sizeof root, "%s/x/", b->p->work);
    for (int i = 0; i < b->npkgs; i++) {
        snprintf(root, sizeof root, "%s/x/%s", b->p->work, b->pkgs[i]);
        if (b->interp[0] && !resolve_in(root, b->interp, b->interp_path, sizeof b->interp_path))
            return HVP_OK;
    }
    return hvp_fail(err, HVP_E_INPUT, "the dynamic loader %s is in no downloaded package", b->interp);
}


static int build_locked(const hvp_kvmhost_paths *p, int force, hvp_kvmhost_progress cb, void *ctx, hvp_error *err);

/* One build at a time per cache (two demos or test runs may start
 * together): an exclusive flock on dir/lock; the second one waits and
 * then finds the host ready. */
int hvp_kvmhost_build(const hvp_kvmhost_paths *p, int force, hvp_kvmhost_progress cb, void *ctx, hvp_error *err)
{
    char lock[PATH_MAX];
    snprintf(lock, sizeof lock, "%s/lock", p->dir);
    if (mkdirs(p->dir))
        return hvp_fail(err, HVP_E_IO, "cannot create %s: %s", p->dir, strerror(errno));
    int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return hvp_fail(err, HVP_E_IO, "cannot create %s: %s", lock, strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB)) {
        if (cb)
            cb(ctx, "another hvprobe is preparing the KVM host in this cache; waiting for it");
        flock(fd, LOCK_EX);
    }
    int rc = build_locked(p, force, cb, ctx, err);
    close(fd);
    return rc;
}

static int build_locked(const hvp_kvmhost_paths *p, int force, hvp_kvmhost_progress cb, void *ctx, hvp_error *err)
{
    hvp_kvmhost_status st;
    hvp_kvmhost_status_get(p, &st, NULL);
    build b;
    memset(&b, 0, sizeof b);
    b.p = p;
    b.cb = cb;
    b.ctx = ctx;
    if (st.ready && !force) {
        progress(&b, "the KVM host is already prepared in %s (kvm-host clean, or build --force, to redo it)", p->dir);
        return HVP_OK;
    }
    const char *need[] = { "apt-get", "apt-cache", "dpkg-deb" };
    for (size_t i = 0; i < 3; i++) {
        hvp_buf wb = { 0 };
        hvp_buf_printf(&wb, "command -v %s >/dev/null", need[i]);
        char *cmd = hvp_buf_steal(&wb);
        int ok = cmd && system(cmd) == 0;
        free(cmd);
        if (!ok)
            return hvp_fail(err, HVP_E_UNSUPPORTED, "%s is not available: the KVM host is built from Debian's "
                            "arm64 packages and needs apt and dpkg", need[i]);
    }
    char d[PATH_MAX];
    const char *sub[] = { "lists/partial", "apt/archives/partial", "debs", "x" };
    for (size_t i = 0; i < 4; i++) {
        snprintf(d, sizeof d, "%s/%s", p->work, sub[i]);
        if (mkdirs(d))
            return hvp_fail(err, HVP_E_IO, "cannot create %s: %s", d, strerror(errno));
    }
    snprintf(d, sizeof d, "%s/status", p->work);
    FILE *sf = fopen(d, "a");
    if (sf)
        fclose(sf);
    snprintf(b.log, sizeof b.log, "%s/build.log", p->work);
    unlink(b.log);
    snprintf(d, sizeof d, "%s/x", p->work);
    rm_tree(d);
    mkdirs(d);
    set_apt_opts(&b);
    elf_version(EV_CURRENT);
    int rc = HVP_OK;
    char tail[400];
    progress(&b, "updating a private arm64 package list in %s (apt-get update; no root, system untouched)", p->work);
    char *upd[] = { "update" };
    if (apt(&b, "apt-get", NULL, NULL, upd, 1)) {
        log_tail(&b, tail, sizeof tail);
        rc = hvp_fail(err, HVP_E_IO, "apt-get update for arm64 failed: %s (log: %s)", tail, b.log);
    }
    hvp_buf out = { 0 };
    char *dep[] = { "depends", "linux-image-arm64" };
    if (!rc && apt(&b, "apt-cache", NULL, &out, dep, 2) == 0) {
        char *t = hvp_buf_steal(&out), *k = t ? strstr(t, "Depends: linux-image-") : NULL;
        if (k)
            snprintf(b.kernel_pkg, sizeof b.kernel_pkg, "%.*s", (int)strcspn(k + 9, " \n"), k + 9);
        free(t);
    }
    hvp_buf_free(&out);
    if (!rc && !b.kernel_pkg[0])
        rc = hvp_fail(err, HVP_E_UNSUPPORTED, "cannot find Debian's arm64 kernel package (linux-image-arm64 "
                      "depends on nothing?) (log: %s)", b.log);
    if (!rc) {
        progress(&b, "downloading %s, qemu-system-arm and busybox-static for arm64", b.kernel_pkg);
        char *first[] = { b.kernel_pkg, "qemu-system-arm", "busybox-static" };
        rc = fetch(&b, first, 3, err);
    }
    if (!rc) {
        progress(&b, "resolving qemu-system-aarch64's shared libraries (DT_NEEDED, recursively)");
        rc = lib_closure(&b, err);
    }
    if (!rc) {
        progress(&b, "%d libraries from %d packages; picking kernel modules", b.nlibs, b.npkgs);
        rc = hvp_kvmhost_pick_modules(&b, err);
    }
    if (!rc) {
        progress(&b, "writing the initramfs and kernel to %s", p->dir);
        rc = hvp_kvmhost_write(&b, err);
    }
    snprintf(d, sizeof d, "%s/x", p->work);
    rm_tree(d);
    for (int i = 0; i < b.napt; i++)
        free(b.apt_opts[i]);
    for (int i = 0; i < b.npkgs; i++)
        free(b.pkgs[i]);
    for (int i = 0; i < b.nlibs; i++)
        free(b.sonames[i]), free(b.libpath[i]);
    for (int i = 0; i < b.nmods; i++)
        free(b.mods[i]), free(b.modpath[i]);
    return rc;
}
