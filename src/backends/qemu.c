/* qemu.c - the shared QEMU launcher (see qemu.h). */
#include "util/clock.h"
#include "backends/qemu.h"
#include "backends/backend.h"
#include "elf/elf_image.h"
#include "transport/qmp.h"
#include "util/buf.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Board facts: RAM base (QEMU hw/arm/vexpress.c, hw/arm/virt.c) and
 * the default CPU hvprobe uses. */
static const hvp_board boards[] = {
    { "vexpress-a9", "cortex-a9", 0x60000000u, 0x04000000u },
    { "vexpress-a15", "cortex-a15", 0x80000000u, 0x04000000u },
    { "virt", "cortex-a15", 0x40000000u, 0 },
};

const hvp_board *hvp_board_find(const char *name)
{
    for (size_t i = 0; name && i < sizeof boards / sizeof boards[0]; i++)
        if (!strcmp(boards[i].name, name))
            return &boards[i];
    return NULL;
}

void hvp_argv_push(hvp_argv *a, const char *fmt, ...)
{
    if (a->n + 2 > a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 32;
        char **v = realloc(a->v, cap * sizeof *v);
        if (!v) {
            a->oom = 1;
            return;
        }
        a->v = v;
        a->cap = cap;
    }
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&a->v[a->n], fmt, ap) < 0) {
        a->oom = 1;
        va_end(ap);
        return;
    }
    va_end(ap);
    a->v[++a->n] = NULL;
}
#define push hvp_argv_push

void hvp_argv_free(char **argv)
{
    for (size_t i = 0; argv && argv[i]; i++)
        free(argv[i]);
    free(argv);
}

uint64_t hvp_parse_size(const char *s)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s)
        return 0;
    switch (*end) {
    case 'G': case 'g': v <<= 30; break;
    case 'M': case 'm': case '\0': v <<= 20; break;
    case 'K': case 'k': v <<= 10; break;
    default: return 0;
    }
    if (*end && end[1])
        return 0;
    return v;
}

static void warn(hvp_qemu *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(hvp_qemu *q, const char *fmt, ...)
{
    if (q->nwarnings >= HVP_QEMU_MAXWARN)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(q->warnings[q->nwarnings++], sizeof q->warnings[0], fmt, ap);
    va_end(ap);
}

int hvp_image_is_a64(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    unsigned char m[64] = { 0 };
    size_t n = fread(m, 1, sizeof m, f);
    fclose(f);
    if (n >= 0x3c && !memcmp(m + 0x38, "ARM\x64", 4))
        return 1;
    /* ELF: EI_CLASS 2 (64-bit), little-endian e_machine 183 (EM_AARCH64) */
    return n >= 20 && !memcmp(m, "\x7f" "ELF", 4) && m[4] == 2 && m[5] == 1 && m[18] == 183 && m[19] == 0;
}

/* Check an ELF image: 32-bit ARM, and its load segments inside the
 * board's RAM (or the vexpress alias at 0x0); warn when they are not. */
static int check_elf(const char *path, const hvp_board *b, uint64_t mem, hvp_qemu *q, uint64_t *entry,
                     hvp_error *err)
{
    hvp_image *img = NULL;
    int rc = hvp_elf_load(path, HVP_ELF_ARM, &img, err);
    if (rc)
        return rc;
    *entry = img->entry;
    for (size_t i = 0; i < img->nsegments; i++) {
        const hvp_segment *s = &img->segments[i];
        if (!s->memsz)
            continue;
        uint64_t lo = s->paddr, hi = s->paddr + s->memsz;
        int in_ram = lo >= b->ram_base && hi <= b->ram_base + mem;
        int in_alias = hi <= b->low_alias;
        if (!in_ram && !in_alias)
            warn(q, "%s: load segment 0x%08llx-0x%08llx lies outside %s's RAM (0x%08llx-0x%08llx): was it "
                 "linked for another board?", path, (unsigned long long)lo, (unsigned long long)hi - 1, b->name,
                 (unsigned long long)b->ram_base, (unsigned long long)(b->ram_base + mem - 1));
    }
    hvp_image_free(img);
    return HVP_OK;
}

void hvp_qemu_judge(const hvp_host *h, int tool, const char *what, int with_version, hvp_backend_verdict *v)
{
    const hvp_tool *t = &h->tools[tool];
    v->can_run = t->present;
    if (!t->present)
        snprintf(v->why, sizeof v->why, "%s is not installed (run scripts/install-deps)", t->name);
    else if (with_version)
        snprintf(v->why, sizeof v->why, "%s: %s", what, t->version);
    else
        snprintf(v->why, sizeof v->why, "%s", what);
}

int hvp_image_kind_of(const char *path, hvp_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return hvp_fail(err, HVP_E_INPUT, "cannot open image '%s': %s", path, strerror(errno));
    unsigned char m[64] = { 0 };
    size_t n = fread(m, 1, sizeof m, f);
    fclose(f);
    if (n >= 4 && !memcmp(m, "\x7f" "ELF", 4))
        return HVP_IMG_ELF;
    if (n >= 0x28 && m[0x24] == 0x18 && m[0x25] == 0x28 && m[0x26] == 0x6f && m[0x27] == 0x01)
        return HVP_IMG_ZIMAGE;
    if (n >= 64 && m[0] == 0x27 && m[1] == 0x05 && m[2] == 0x19 && m[3] == 0x56)
        return HVP_IMG_UIMAGE;
    if (n >= 0x3c && !memcmp(m + 0x38, "ARM\x64", 4))
        return HVP_IMG_ARM64_IMAGE;
    return HVP_IMG_RAW;
}

const char *hvp_image_kind_name(int kind)
{
    switch (kind) {
    case HVP_IMG_ELF: return "an ELF file";
    case HVP_IMG_ZIMAGE: return "a Linux zImage";
    case HVP_IMG_UIMAGE: return "a U-Boot uImage";
    case HVP_IMG_ARM64_IMAGE: return "an arm64 Linux Image";
    default: return "a raw binary";
    }
}

const char *hvp_qemu_opt_escape(const char *s, char *buf, size_t n)
{
    size_t k = 0;
    for (; *s && k + 2 < n; s++) {
        if (*s == ',')
            buf[k++] = ',';
        buf[k++] = *s;
    }
    buf[k] = '\0';
    return buf;
}

void hvp_qemu_load_args(const hvp_qemu_load *l, hvp_argv *a)
{
    if (l->kind == HVP_IMG_ELF || l->linux_boot) {
        push(a, "-kernel");
        push(a, "%s", l->image);
        const char *opt[3] = { "-dtb", "-append", "-initrd" }, *val[3] = { l->dtb, l->append, l->initrd };
        for (int i = 0; l->linux_boot && i < 3; i++)
            if (val[i]) {
                push(a, "%s", opt[i]);
                push(a, "%s", val[i]);
            }
        return;
    }
    char esc[4096];
    push(a, "-device");
    push(a, "loader,file=%s,addr=0x%llx,force-raw=on", hvp_qemu_opt_escape(l->image, esc, sizeof esc),
         (unsigned long long)l->load_addr);
    push(a, "-device");
    push(a, "loader,addr=0x%llx,cpu-num=0", (unsigned long long)l->load_addr);
}

int hvp_qemu_load_plan(const hvp_launch_opts *o, hvp_qemu_load *l, hvp_error *err)
{
    memset(l, 0, sizeof *l);
    int kind = hvp_image_kind_of(o->image, err);
    if (kind < 0)
        return kind;
    l->image = o->image;
    l->kind = kind;
    l->load_addr = o->load_addr;
    l->a64 = kind == HVP_IMG_ARM64_IMAGE || (kind == HVP_IMG_ELF && hvp_image_is_a64(o->image));
    /* A Linux image boots as Linux unless the user loads it raw. */
    l->linux_boot = (kind == HVP_IMG_ZIMAGE || kind == HVP_IMG_UIMAGE || kind == HVP_IMG_ARM64_IMAGE) &&
                    !o->have_load_addr;
    const char *what[3] = { "--dtb", "--append", "--initrd" }, *val[3] = { o->dtb, o->append, o->initrd };
    for (int i = 0; i < 3; i++) {
        if (!val[i])
            continue;
        if (!l->linux_boot)
            return hvp_fail(err, HVP_E_INVAL, "%s is for a Linux image booted as Linux (a zImage or uImage, without "
                            "--load-addr); '%s' is %s%s", what[i], o->image, hvp_image_kind_name(kind),
                            kind == HVP_IMG_ELF ? ", which QEMU enters at its ELF entry without the Linux boot "
                            "protocol" : o->have_load_addr ? ", loaded raw at --load-addr" : "");
        if (i != 1 && access(val[i], R_OK))
            return hvp_fail(err, HVP_E_INPUT, "cannot read %s '%s': %s", what[i], val[i], strerror(errno));
    }
    l->dtb = o->dtb;
    l->append = o->append;
    l->initrd = o->initrd;
    return HVP_OK;
}

/* Channel addresses in the runtime directory, and the files. */
static void wire_channels(const hvp_launch_opts *o, hvp_qemu *q)
{
    snprintf(q->qmp, sizeof q->qmp, "unix:%s/qmp.sock", q->rundir);
    snprintf(q->ctl_qmp, sizeof q->ctl_qmp, "%s", q->qmp);
    snprintf(q->hmp, sizeof q->hmp, "unix:%s/hmp.sock", q->rundir);
    snprintf(q->gdb, sizeof q->gdb, "unix:%s/gdb.sock", q->rundir);
    hvp_qemu_wire_files(o, q);
}

void hvp_qemu_wire_files(const hvp_launch_opts *o, hvp_qemu *q)
{
    snprintf(q->serial, sizeof q->serial, "%s", o->serial_file ? o->serial_file : "");
    if (!o->serial_file)
        snprintf(q->serial, sizeof q->serial, "%s/serial.log", q->rundir);
    snprintf(q->stderr_path, sizeof q->stderr_path, "%s/qemu.stderr", q->rundir);
    if (o->trace_events)
        snprintf(q->trace, sizeof q->trace, "%s", o->trace_file ? o->trace_file : "");
    if (o->trace_events && !o->trace_file)
        snprintf(q->trace, sizeof q->trace, "%s/qemu-trace.log", q->rundir);
}

int hvp_qemu_plan(const hvp_qemu_spec *sp, const hvp_launch_opts *o, const hvp_host *h, hvp_qemu *q,
                  char ***argv, hvp_error *err)
{
    int rc;
    const hvp_board *b = hvp_board_find(o->machine);
    if (!b)
        return hvp_fail(err, HVP_E_INVAL, "unknown machine '%s'", o->machine ? o->machine : "(none)");
    const char *memstr = o->memory ? o->memory : sp->memory ? sp->memory : "128M";
    uint64_t mem = hvp_parse_size(memstr);
    if (!mem)
        return hvp_fail(err, HVP_E_INVAL, "--memory wants a size like 128M or 1G, not '%s'", memstr);
    if (!o->image)
        return hvp_fail(err, HVP_E_INVAL, "no image given");
    hvp_qemu_load ld;
    if ((rc = hvp_qemu_load_plan(o, &ld, err)))
        return rc;
    int kind = ld.kind, elf = kind == HVP_IMG_ELF, tool = sp->tool;
    if (ld.a64 && !sp->a64)
        return hvp_fail(err, HVP_E_ARCH, "'%s' is an AArch64 image (%s): the %s backend runs 32-bit ARM guests "
                        "only; run it under tcg (qemu-system-aarch64 -M virt)", o->image,
                        kind == HVP_IMG_ELF ? "a 64-bit AArch64 ELF" : hvp_image_kind_name(kind), sp->backend);
    if (ld.a64 && strcmp(b->name, "virt"))
        return hvp_fail(err, HVP_E_ARCH, "'%s' is an AArch64 image, and %s has a 32-bit CPU (%s): use --machine "
                        "virt", o->image, b->name, b->cpu);
    if (!ld.a64 && sp->a64 && o->cpu && (!strcmp(o->cpu, "cortex-a53") || !strcmp(o->cpu, "cortex-a57") ||
                                         !strcmp(o->cpu, "max")))
        return hvp_fail(err, HVP_E_ARCH, "'%s' is a 32-bit ARM image and --cpu %s starts in AArch64: a 32-bit "
                        "guest needs a 32-bit CPU (the default, or cortex-a15)", o->image, o->cpu);
    if (ld.a64)
        tool = HVP_TOOL_QEMU_AARCH64;
    if (!h->tools[tool].present)
        return hvp_fail(err, HVP_E_UNSUPPORTED, "%s is not installed (run scripts/install-deps)", h->tools[tool].name);
    q->image_is_elf = elf;
    snprintf(q->machine, sizeof q->machine, "%s", b->name);
    uint64_t entry = 0;
    if (elf && (rc = check_elf(o->image, b, mem, q, &entry, err)))
        return rc;
    if (sp->elf_only && !elf)
        return hvp_fail(err, HVP_E_INVAL, "the %s backend needs an ELF guest image%s", sp->backend,
                        ld.linux_boot ? " (it enters the guest at its ELF entry, without the Linux boot protocol); "
                        "run a Linux image under tcg, kvm or kvm-nested" : "");
    if (ld.linux_boot && !o->dtb && !strncmp(b->name, "vexpress", 8))
        warn(q, "%s is %s and no --dtb is given: QEMU boots %s with ATAGS, which a multiplatform kernel (Debian's "
             "armmp) does not accept; give --dtb (Debian ships vexpress-v2p-ca9.dtb in "
             "/usr/lib/linux-image-VERSION/)", o->image, hvp_image_kind_name(kind), b->name);
    if (!elf && !ld.linux_boot && !o->have_load_addr)
        return hvp_fail(err, HVP_E_INVAL, "'%s' is a raw binary: give --load-addr ADDR (its link address). QEMU's "
                        "-kernel would treat it as a Linux zImage and load it at RAM base + 0x10000 (0x%08llx on %s)",
                        o->image, (unsigned long long)(b->ram_base + 0x10000), b->name);

    /* The private runtime directory: sockets, serial and logs live here. */
    if ((rc = hvp_qemu_make_rundir(q, err)))
        return rc;
    wire_channels(o, q);

    hvp_argv a = { 0 };
    push(&a, "%s", h->tools[tool].name);
    for (size_t i = 0; sp->accel && sp->accel[i]; i++)
        push(&a, "%s", sp->accel[i]);
    push(&a, "-M");
    push(&a, "%s", sp->machine_arg ? sp->machine_arg : b->name);
    push(&a, "-cpu");
    push(&a, "%s", o->cpu ? o->cpu : ld.a64 ? "cortex-a57" : sp->cpu ? sp->cpu : b->cpu);
    push(&a, "-m");
    push(&a, "%s", memstr);
    push(&a, "-nodefaults");
    push(&a, "-display");
    push(&a, "none");
    push(&a, "-serial");
    push(&a, "file:%s", q->serial);
    push(&a, "-qmp");
    push(&a, "%s,server=on,wait=off", q->qmp);
    push(&a, "-monitor");
    if (o->monitor_port) {
        snprintf(q->hmp, sizeof q->hmp, "tcp:127.0.0.1:%d", o->monitor_port);
        push(&a, "tcp:127.0.0.1:%d,server=on,wait=off", o->monitor_port);
    } else {
        push(&a, "%s,server=on,wait=off", q->hmp);
    }
    push(&a, "-gdb");
    if (o->gdb_port) {
        snprintf(q->gdb, sizeof q->gdb, "tcp:127.0.0.1:%d", o->gdb_port);
        push(&a, "tcp:127.0.0.1:%d,server=on,wait=off", o->gdb_port);
    } else {
        push(&a, "%s,server=on,wait=off", q->gdb);
    }
    if (sp->load)
        sp->load(o, entry, &a);
    else
        hvp_qemu_load_args(&ld, &a);
    if (o->trace_events) {
        push(&a, "-d");
        push(&a, "%s", o->trace_events);
        push(&a, "-D");
        push(&a, "%s", q->trace);
    }
    if (o->halt_at_start)
        push(&a, "-S");
    if (o->hold_on_exit) {
        push(&a, "-no-shutdown");
        push(&a, "-no-reboot");
    }
    for (int i = 0; i < o->nextra; i++)
        push(&a, "%s", o->extra[i]);
    if (a.oom) {
        hvp_argv_free(a.v);
        rmdir(q->rundir);
        q->rundir[0] = '\0';
        return hvp_fail(err, HVP_E_NOMEM, "out of memory");
    }
    *argv = a.v;
    return HVP_OK;
}

char *hvp_argv_join(char *const *argv)
{
    hvp_buf b = { 0 };
    for (size_t i = 0; argv[i]; i++) {
        const char *s = argv[i];
        int plain = *s != '\0';
        for (const char *p = s; *p; p++)
            if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=,+@%", *p))
                plain = 0;
        if (i)
            hvp_buf_putc(&b, ' ');
        if (plain)
            hvp_buf_printf(&b, "%s", s);
        else {
            hvp_buf_putc(&b, '\'');
            for (const char *p = s; *p; p++)
                if (*p == '\'')
                    hvp_buf_printf(&b, "'\\''");
                else
                    hvp_buf_putc(&b, *p);
            hvp_buf_putc(&b, '\'');
        }
    }
    return hvp_buf_steal(&b);
}

void hvp_qemu_last_error(const hvp_qemu *q, char *buf, unsigned n)
{
    buf[0] = '\0';
    FILE *f = fopen(q->errlog[0] ? q->errlog : q->stderr_path, "r");
    if (!f)
        return;
    /* QEMU's audio probing chatters on boards with a codec (vexpress):
     * that is never the error. */
    static const char *const noise[] = { "qemu: module audio-", "ALSA lib ", "alsa: ", "audio: ", "sdl: " };
    char line[512];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        int skip = !line[0];
        for (size_t i = 0; !skip && i < sizeof noise / sizeof noise[0]; i++)
            skip = !strncmp(line, noise[i], strlen(noise[i]));
        if (!skip)
            snprintf(buf, n, "%s", line);
    }
    fclose(f);
}

int hvp_qemu_alive(hvp_qemu *q, int *status)
{
    if (q->pid <= 0)
        return 0;
    int st = 0;
    pid_t r = waitpid(q->pid, &st, WNOHANG);
    if (r == 0)
        return 1;
    if (r == q->pid) {
        q->pid = -1;
        if (status)
            *status = st;
    }
    return 0;
}

int hvp_qemu_make_rundir(hvp_qemu *q, hvp_error *err)
{
    const char *tmp = getenv("XDG_RUNTIME_DIR");
    if (!tmp || access(tmp, W_OK))
        tmp = getenv("TMPDIR");
    if (!tmp || access(tmp, W_OK))
        tmp = "/tmp";
    snprintf(q->rundir, sizeof q->rundir, "%s/hvprobe-XXXXXX", tmp);
    if (!mkdtemp(q->rundir))
        return hvp_fail(err, HVP_E_IO, "cannot create a runtime directory in %s: %s", tmp, strerror(errno));
    return HVP_OK;
}

int hvp_qemu_spawn(hvp_qemu *q, char *const *argv, int timeout_ms, hvp_error *err)
{
    int errfd = open(q->stderr_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (errfd < 0)
        return hvp_fail(err, HVP_E_IO, "cannot create %s: %s", q->stderr_path, strerror(errno));
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        close(errfd);
        return hvp_fail(err, HVP_E_IO, "fork: %s", strerror(errno));
    }
    if (pid == 0) {
        /* QEMU must not outlive hvprobe, even if hvprobe is killed. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
            _exit(127);
        /* Its own process group: a Ctrl-C at the terminal reaches only
         * hvprobe, which then stops QEMU cleanly (QMP quit) and exits 130,
         * instead of racing QEMU's own death and reporting it as a failure. */
        setpgid(0, 0);
        int nul = open("/dev/null", O_RDWR);
        dup2(nul, 0);
        dup2(nul, 1);
        dup2(errfd, 2);
        setenv("QEMU_AUDIO_DRV", "none", 1); /* no ALSA noise on hosts without sound */
        execvp(argv[0], argv);
        dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    setpgid(pid, pid);      /* also here: no window before the child does it */
    close(errfd);
    q->pid = pid;
    long deadline = hvp_now_ms() + timeout_ms;
    for (;;) {
        int st;
        if (!hvp_qemu_alive(q, &st)) {
            char last[400];
            hvp_qemu_last_error(q, last, sizeof last);
            return hvp_fail(err, HVP_E_TARGET, "QEMU exited at start (status %d): %s",
                            WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st),
                            last[0] ? last : "no message");
        }
        qmp_client *c = NULL;
        if (qmp_open(q->ctl_qmp[0] ? q->ctl_qmp : q->qmp, 500, &c, NULL) == HVP_OK) {
            qmp_close(c);
            return HVP_OK;
        }
        if (hvp_now_ms() > deadline)
            return hvp_fail(err, HVP_E_TIMEOUT, "QEMU did not open its QMP socket within %d ms", timeout_ms);
        usleep(20000);
    }
}

static void rm_rundir(hvp_qemu *q)
{
    if (!q->rundir[0])
        return;
    DIR *d = opendir(q->rundir);
    if (d) {
        struct dirent *e;
        char p[600];
        while ((e = readdir(d)))
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
                snprintf(p, sizeof p, "%s/%s", q->rundir, e->d_name);
                unlink(p);
            }
        closedir(d);
    }
    rmdir(q->rundir);
    q->rundir[0] = '\0';
}

static int wait_gone(hvp_qemu *q, int ms)
{
    long deadline = hvp_now_ms() + ms;
    while (hvp_qemu_alive(q, NULL)) {
        if (hvp_now_ms() > deadline)
            return 0;
        usleep(10000);
    }
    return 1;
}

void hvp_qemu_stop(hvp_qemu *q)
{
    if (q->pid > 0) {
        qmp_client *c = NULL;
        if (qmp_open(q->ctl_qmp[0] ? q->ctl_qmp : q->qmp, 1000, &c, NULL) == HVP_OK) {
            json_t *r = NULL;
            qmp_execute(c, "quit", NULL, &r, NULL);
            json_decref(r);
            qmp_close(c);
        }
        if (!wait_gone(q, 2000)) {
            kill(q->pid, SIGTERM);
            if (!wait_gone(q, 2000)) {
                kill(q->pid, SIGKILL);
                waitpid(q->pid, NULL, 0);
                q->pid = -1;
            }
        }
    }
    rm_rundir(q);
}
