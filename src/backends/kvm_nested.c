/*
 * kvm_nested.c - the kvm-nested backend: real Linux KVM on any host.
 *
 * The child process is an outer qemu-system-aarch64 (TCG, virt with
 * virtualization=on and GICv3, cortex-a57) booting the cached arm64 KVM
 * host (backends/kvm_host.h).  The guest image and a /guest/run script
 * go in as a second cpio archive appended to the cached initramfs at run
 * time (the kernel unpacks concatenated archives), so nothing is rebuilt
 * per image.  /guest/run starts the inner
 *   qemu-system-aarch64 -enable-kvm -M virt -cpu host,aarch64=off
 * (an AArch64 guest: -cpu host)
 * whose QMP, HMP and gdbstub listen in the host and are forwarded by the
 * outer QEMU's user-mode network (restrict=on: no other traffic) to
 * 127.0.0.1 ports on this machine, and whose serial goes to a virtio
 * console that the outer QEMU writes to a file in the runtime directory.
 *
 * Known facts of this setup (QEMU 7.2, measured): the inner gdbstub shows
 * an AArch64 register view of the aarch64=off vCPU (x0-x30, wrong cpsr)
 * and gdb software breakpoints would write AArch64 BRK into the 32-bit
 * guest.  Capture still works through all three channels: with no r0-r15
 * in the gdbstub it takes the core registers from `info registers` (the
 * correct 32-bit view) and the CP15 registers from the gdbstub's system
 * registers (synchronised from KVM).  Breakpoint triggers use hardware
 * breakpoints (Z1), which KVM implements with the CPU's breakpoint
 * registers.  Timers run late under nested KVM.
 */
#include "util/clock.h"
#include "backends/backend.h"
#include "hvprobe/kvmhost.h"
#include "elf/elf_image.h"
#include "transport/qmp.h"
#include "util/buf.h"
#include "util/cpio.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Ports of the inner QEMU's channels inside the host (10.0.2.15). */
enum { GUEST_QMP = 4444, GUEST_HMP = 4445, GUEST_GDB = 4446 };

/* The outer machine: cortex-a57 boots Debian's kernel fastest under TCG
 * (2.3 s to /init, cortex-a53 3.4 s; `max` needs sve=off, and
 * pauth-impdef=on to be fast).  1 vCPU: measured 13 s for a whole run
 * --capture against 17 s with 2 (the inner QEMU is single-threaded). */
static const char *const outer_fixed[] = {
    "-M", "virt,virtualization=on,gic-version=3", "-cpu", "cortex-a57", "-smp", "1", "-m", "1024",
    "-nodefaults", "-display", "none", "-no-reboot",
};

/* A free TCP port on 127.0.0.1 (the kernel's choice; closed again, so a
 * race with another program is possible but unlikely). */
static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = { 0 };
    socklen_t l = sizeof a;
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int port = -1;
    if (fd >= 0 && !bind(fd, (struct sockaddr *)&a, sizeof a) && !getsockname(fd, (struct sockaddr *)&a, &l))
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

/* /guest/run: the inner QEMU's command line (shell-quoted). */
static char *inner_script(const hvp_launch_opts *o, const hvp_qemu_load *ld, hvp_error *err)
{
    hvp_argv a = { 0 };
    hvp_argv_push(&a, "qemu-system-aarch64");
    hvp_argv_push(&a, "-enable-kvm");
    hvp_argv_push(&a, "-M");
    hvp_argv_push(&a, "virt");
    hvp_argv_push(&a, "-cpu");
    /* A 32-bit guest gets the host CPU without AArch64 (KVM then runs
     * its EL1 in AArch32); an AArch64 guest gets the host CPU as it is. */
    hvp_argv_push(&a, "%s", o->cpu ? o->cpu : ld->a64 ? "host" : "host,aarch64=off");
    hvp_argv_push(&a, "-m");
    hvp_argv_push(&a, "%s", o->memory ? o->memory : "128M");
    hvp_argv_push(&a, "-nodefaults");
    hvp_argv_push(&a, "-display");
    hvp_argv_push(&a, "none");
    hvp_argv_push(&a, "-serial");
    hvp_argv_push(&a, "file:/dev/hvc0");
    hvp_argv_push(&a, "-qmp");
    hvp_argv_push(&a, "tcp:0.0.0.0:%d,server=on,wait=off", GUEST_QMP);
    hvp_argv_push(&a, "-monitor");
    hvp_argv_push(&a, "tcp:0.0.0.0:%d,server=on,wait=off", GUEST_HMP);
    hvp_argv_push(&a, "-gdb");
    hvp_argv_push(&a, "tcp:0.0.0.0:%d,server=on,wait=off", GUEST_GDB);
    /* The files as the inner QEMU sees them, in the host's initramfs. */
    hvp_qemu_load in = *ld;
    in.image = "/guest/image";
    in.dtb = ld->dtb ? "/guest/dtb" : NULL;
    in.initrd = ld->initrd ? "/guest/initrd" : NULL;
    hvp_qemu_load_args(&in, &a);
    if (o->halt_at_start)
        hvp_argv_push(&a, "-S");
    if (o->hold_on_exit) {
        hvp_argv_push(&a, "-no-shutdown");
        hvp_argv_push(&a, "-no-reboot");
    }
    for (int i = 0; i < o->nextra; i++)
        hvp_argv_push(&a, "%s", o->extra[i]);
    char **v = a.v;
    int bad = a.oom;
    char *line = bad ? NULL : hvp_argv_join(v);
    hvp_argv_free(v);
    if (!line) {
        hvp_fail(err, HVP_E_NOMEM, "out of memory");
        return NULL;
    }
    hvp_buf b = { 0 };
    hvp_buf_printf(&b, "#!/bin/sh\nexport LD_LIBRARY_PATH=/lib/aarch64-linux-gnu\n"
                       "echo \"hvprobe-host: starting the inner QEMU under KVM\"\nexec %s\n", line);
    free(line);
    return hvp_buf_steal(&b);
}

/* rundir/initrd.cpio = the cached host archive + the guest's archive. */
static int write_initrd(const char *host_cpio, const char *dst, const hvp_qemu_load *ld, const char *script,
                        hvp_error *err)
{
    FILE *in = fopen(host_cpio, "rb"), *out = in ? fopen(dst, "wb") : NULL;
    if (!in || !out) {
        int e = errno;
        if (in)
            fclose(in);
        return hvp_fail(err, HVP_E_IO, "cannot copy %s to %s: %s", host_cpio, dst, strerror(e));
    }
    char buf[1 << 16];
    size_t n;
    int rc = HVP_OK;
    while (!rc && (n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, out) != n)
            rc = hvp_fail(err, HVP_E_IO, "writing %s: %s", dst, strerror(errno));
    fclose(in);
    hvp_cpio c = { out, 100000 };
    if (!rc)
        rc = hvp_cpio_dir(&c, "guest", err);
    if (!rc)
        rc = hvp_cpio_file(&c, "guest/image", 0644, ld->image, err);
    if (!rc && ld->dtb)
        rc = hvp_cpio_file(&c, "guest/dtb", 0644, ld->dtb, err);
    if (!rc && ld->initrd)
        rc = hvp_cpio_file(&c, "guest/initrd", 0644, ld->initrd, err);
    if (!rc)
        rc = hvp_cpio_data(&c, "guest/run", 0755, script, strlen(script), err);
    if (!rc)
        rc = hvp_cpio_end(&c, err);
    if (fclose(out) && !rc)
        rc = hvp_fail(err, HVP_E_IO, "writing %s: %s", dst, strerror(errno));
    return rc;
}

/* Plan the outer QEMU.  HVP_E_UNSUPPORTED when the host is not prepared
 * (the message says `hvprobe kvm-host build`) or qemu-system-aarch64 is
 * missing. */
static int kvm_nested_plan(const hvp_launch_opts *o, const hvp_host *h, hvp_qemu *q, char ***argv, hvp_error *err)
{
    memset(q, 0, sizeof *q);
    q->pid = -1;
    *argv = NULL;
    if (o->trace_events)
        return hvp_fail(err, HVP_E_INVAL, "--trace is not available under kvm-nested: the guest runs under KVM "
                        "inside the emulated host, where QEMU's -d int sees no guest exceptions");
    if (!h->tools[HVP_TOOL_QEMU_AARCH64].present)
        return hvp_fail(err, HVP_E_UNSUPPORTED, "qemu-system-aarch64 is not installed (run scripts/install-deps)");
    hvp_kvmhost_paths kp;
    hvp_kvmhost_status st;
    int rc = hvp_kvmhost_paths_get(&kp, err);
    if (rc)
        return rc;
    hvp_kvmhost_status_get(&kp, &st, NULL);
    if (!st.ready)
        return hvp_fail(err, HVP_E_UNSUPPORTED, "the arm64 KVM host is not prepared in %s: run 'hvprobe kvm-host "
                        "build' once (downloads Debian's arm64 kernel and QEMU, about 100 MB, no root)", kp.dir);
    if (!o->image)
        return hvp_fail(err, HVP_E_INVAL, "no image given");
    hvp_qemu_load ld;
    int lrc = hvp_qemu_load_plan(o, &ld, err);
    if (lrc)
        return lrc;
    int elf = ld.kind == HVP_IMG_ELF;
    if (elf) {
        hvp_image *img = NULL;
        if ((rc = hvp_elf_load(o->image, HVP_ELF_ARM, &img, err)))
            return rc;
        hvp_image_free(img);
    } else if (!o->have_load_addr && !ld.linux_boot) {
        return hvp_fail(err, HVP_E_INVAL, "'%s' is a raw binary: give --load-addr ADDR (its link address)", o->image);
    }
    q->image_is_elf = elf;
    snprintf(q->machine, sizeof q->machine, "virt");

    int mrc = hvp_qemu_make_rundir(q, err);
    if (mrc)
        return mrc;
    int pq = free_port(), ph = o->monitor_port ? o->monitor_port : free_port();
    int pg = o->gdb_port ? o->gdb_port : free_port();
    if (pq < 0 || ph < 0 || pg < 0) {
        rmdir(q->rundir);
        return hvp_fail(err, HVP_E_IO, "cannot find free TCP ports on 127.0.0.1");
    }
    snprintf(q->qmp, sizeof q->qmp, "tcp:127.0.0.1:%d", pq);
    snprintf(q->hmp, sizeof q->hmp, "tcp:127.0.0.1:%d", ph);
    snprintf(q->gdb, sizeof q->gdb, "tcp:127.0.0.1:%d", pg);
    snprintf(q->ctl_qmp, sizeof q->ctl_qmp, "unix:%s/host-qmp.sock", q->rundir);
    snprintf(q->console, sizeof q->console, "%s/host-console.log", q->rundir);
    /* The inner QEMU's errors reach the host's console. */
    snprintf(q->errlog, sizeof q->errlog, "%s", q->console);
    hvp_qemu_wire_files(o, q);
    char initrd[400];
    snprintf(initrd, sizeof initrd, "%s/initrd.cpio", q->rundir);
    char *script = inner_script(o, &ld, err);
    rc = script ? write_initrd(kp.initrd, initrd, &ld, script, err) : HVP_E_NOMEM;
    free(script);
    hvp_argv a = { 0 };
    hvp_argv_push(&a, "qemu-system-aarch64");
    for (size_t i = 0; i < sizeof outer_fixed / sizeof outer_fixed[0]; i++)
        hvp_argv_push(&a, "%s", outer_fixed[i]);
    hvp_argv_push(&a, "-kernel");
    hvp_argv_push(&a, "%s", kp.kernel);
    hvp_argv_push(&a, "-initrd");
    hvp_argv_push(&a, "%s", initrd);
    hvp_argv_push(&a, "-append");
    hvp_argv_push(&a, "console=ttyAMA0 panic=-1 quiet");
    hvp_argv_push(&a, "-serial");
    hvp_argv_push(&a, "file:%s", q->console);
    hvp_argv_push(&a, "-netdev");
    hvp_argv_push(&a, "user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:%d-:%d,hostfwd=tcp:127.0.0.1:%d-:%d,"
                  "hostfwd=tcp:127.0.0.1:%d-:%d", pq, GUEST_QMP, ph, GUEST_HMP, pg, GUEST_GDB);
    hvp_argv_push(&a, "-device");
    hvp_argv_push(&a, "virtio-net-device,netdev=net0");
    hvp_argv_push(&a, "-device");
    hvp_argv_push(&a, "virtio-serial-device");
    hvp_argv_push(&a, "-chardev");
    hvp_argv_push(&a, "file,id=guestcon,path=%s", q->serial);
    hvp_argv_push(&a, "-device");
    hvp_argv_push(&a, "virtconsole,chardev=guestcon");
    hvp_argv_push(&a, "-qmp");
    hvp_argv_push(&a, "%s,server=on,wait=off", q->ctl_qmp);
    char **v = a.v;
    int bad = rc != HVP_OK || a.oom;
    if (bad) {
        hvp_argv_free(v);
        unlink(initrd);
        rmdir(q->rundir);
        q->rundir[0] = '\0';
        return rc ? rc : hvp_fail(err, HVP_E_NOMEM, "out of memory");
    }
    *argv = v;
    return HVP_OK;
}

/* The last line of the host console starting with `prefix` ("" if none). */
static void console_line(const hvp_qemu *q, const char *prefix, char *out, size_t n)
{
    out[0] = '\0';
    FILE *f = fopen(q->console, "r");
    char line[512];
    while (f && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if ((!prefix && line[0]) || (prefix && strstr(line, prefix)))
            snprintf(out, n, "%s", line);
    }
    if (f)
        fclose(f);
}

/* The host's "ready" line facts: seconds to /init's readiness, and the
 * host CPU's MIDR_EL1 (what KVM presents to the guest).  0 if known. */
static int kvm_nested_host_facts(const hvp_qemu *q, double *ready_s, uint64_t *midr)
{
    char line[512];
    console_line(q, "hvprobe-host: ready after", line, sizeof line);
    if (!line[0])
        return -1;
    const char *p = strstr(line, "after "), *m = strstr(line, "MIDR_EL1 ");
    if (ready_s && p)
        *ready_s = strtod(p + 6, NULL);
    if (midr && m)
        *midr = strtoull(m + 9, NULL, 16);
    return 0;
}

/* After spawn: wait until the host booted and the inner QEMU's QMP
 * answers.  `ev` (may be NULL) gets progress lines and is asked whether
 * to give up.  HVP_E_TARGET when the host or the inner QEMU failed (the
 * message quotes the host's console), HVP_E_TIMEOUT, HVP_E_CANCELLED. */
static int kvm_nested_wait(hvp_qemu *q, int timeout_ms, const hvp_launch_events *ev, hvp_error *err)
{
    long deadline = hvp_now_ms() + timeout_ms;
    int said_ready = 0;
    for (;;) {
        char line[512], msg[600];
        int st;
        if (!hvp_qemu_alive(q, &st)) {
            console_line(q, "hvprobe-host: error", line, sizeof line);
            if (!line[0])
                console_line(q, NULL, line, sizeof line);
            return hvp_fail(err, HVP_E_TARGET, "the emulated KVM host stopped before the guest ran: %s",
                            line[0] ? line : "no console output");
        }
        double ready = 0;
        uint64_t midr = 0;
        if (!said_ready && !kvm_nested_host_facts(q, &ready, &midr)) {
            said_ready = 1;
            snprintf(msg, sizeof msg, "arm64 host up after %.1f s (guest clock), /dev/kvm present, host CPU "
                     "MIDR_EL1 0x%08llx; starting the inner QEMU with -enable-kvm", ready, (unsigned long long)midr);
            if (ev && ev->progress)
                ev->progress(ev->ctx, msg);
        }
        if (said_ready) {
            qmp_client *c = NULL;
            if (qmp_open(q->qmp, 1000, &c, NULL) == HVP_OK) {
                qmp_close(c);
                return HVP_OK;
            }
        }
        if (ev && ev->cancelled && ev->cancelled(ev->ctx))
            return hvp_fail(err, HVP_E_CANCELLED, "cancelled while the KVM host was booting");
        if (hvp_now_ms() > deadline)
            return hvp_fail(err, HVP_E_TIMEOUT, "the KVM host did not bring up the inner QEMU within %d s",
                            timeout_ms / 1000);
        usleep(100000);
    }
}

/* Record in a snapshot taken from this backend what proves and qualifies
 * the KVM run: the guest's MIDR (as cp15 "MIDR") and a note (raw entry,
 * channel "hvprobe", command "kvm-nested"). */
static int kvm_nested_annotate(const hvp_qemu *q, hvp_snapshot *s, hvp_error *err)
{
    double ready = 0;
    uint64_t host_midr = 0, midr = 0;
    int have_host = !kvm_nested_host_facts(q, &ready, &host_midr);
    /* The guest's MIDR is the host CPU's: KVM sets VPIDR_EL2 from it.
     * The inner QEMU cannot show it (its gdbstub's MIDR and its CPU's
     * "midr" property read 0 under KVM in QEMU 7.2), so the host's /init
     * reads /sys/devices/system/cpu/cpu0/regs/identification/midr_el1. */
    const char *source = NULL;
    if (have_host) {
        midr = host_midr;
        source = "the host CPU's MIDR_EL1, which KVM presents to the guest through VPIDR_EL2 (read in the "
                 "emulated host from /sys/devices/system/cpu/cpu0/regs/identification/midr_el1; the inner "
                 "QEMU's gdbstub reads MIDR as 0 under KVM)";
    }
    /* KVM resets registers whose architectural reset value is UNKNOWN
     * to a poison pattern; recording it as a value would make analysis
     * decode e.g. IFSR 0xdbadc0de as a real abort. */
    size_t kept = 0, npoison = 0;
    for (size_t i = 0; i < s->ncp15; i++) {
        uint64_t v = s->cp15[i].value;
        if (v == 0xdbadc0deu || v == 0x1de7ec7eu || v == 0x1de7ec7edbadc0deull) {
            char why[160];
            snprintf(why, sizeof why, "UNKNOWN since reset: KVM's poison value 0x%llx (the guest has not "
                     "written it)", (unsigned long long)v);
            char field[80];
            snprintf(field, sizeof field, "cp15.%s", s->cp15[i].name);
            hvp_snapshot_add_unknown(s, field, why);
            free(s->cp15[i].name);
            npoison++;
            continue;
        }
        s->cp15[kept++] = s->cp15[i];
    }
    s->ncp15 = kept;
    if (source && hvp_snapshot_add_reg(s, "MIDR", midr & 0xffffffffu, 32))
        return hvp_fail(err, HVP_E_NOMEM, "out of memory");
    hvp_buf b = { 0 };
    int a64 = s->arch == HVP_ARCH_AARCH64;
    hvp_buf_printf(&b, "backend kvm-nested: the guest ran under real Linux KVM (query-kvm: %s) in "
                   "qemu-system-aarch64 -enable-kvm -M virt -cpu %s, inside an arm64 Linux host "
                   "emulated by QEMU TCG (virt,virtualization=on,gic-version=3, cortex-a57)",
                   s->backend.kvm_enabled == HVP_YES ? "enabled" : s->backend.kvm_enabled == HVP_NO ? "DISABLED" : "unknown",
                   a64 ? "host" : "host,aarch64=off");
    if (have_host)
        hvp_buf_printf(&b, "; the host was up %.1f s after boot (its own clock)", ready);
    if (source)
        hvp_buf_printf(&b, ". MIDR 0x%08llx: %s (TCG's cortex-a15 would show 0x414fc0f0)",
                       (unsigned long long)(midr & 0xffffffffu), source);
    if (a64)
        hvp_buf_printf(&b, ". Core and system registers come from the gdbstub, synchronised from KVM (%zu of them "
                           "held KVM's reset poison 0xdbadc0de / 0x1de7ec7e, i.e. the guest never wrote them: "
                           "recorded as unknown). ", npoison);
    else
        hvp_buf_printf(&b, ". Core registers come from `info registers` (the inner gdbstub presents an AArch64 "
                           "view, x0-x30 and a wrong cpsr, of the aarch64=off vCPU); CP15 registers come from the "
                           "gdbstub's system registers, synchronised from KVM (%zu of them held KVM's reset poison "
                           "0xdbadc0de / 0x1de7ec7e, i.e. the guest never wrote them: recorded as unknown). ",
                       npoison);
    hvp_buf_printf(&b, "Timers run late under nested KVM (a 100 ms timer fired every 129-158 ms): "
                       "timing-dependent guest behaviour is not representative.");
    char *text = hvp_buf_steal(&b);
    int rc = text ? hvp_snapshot_add_raw(s, "hvprobe", "kvm-nested", text) : HVP_E_NOMEM;
    free(text);
    return rc ? hvp_fail(err, HVP_E_NOMEM, "out of memory") : HVP_OK;
}

/* Real KVM in an emulated arm64 host, when that host is prepared. */
static void kvm_nested_judge(const hvp_host *h, hvp_backend_verdict *v)
{
    hvp_kvmhost_paths kp;
    hvp_kvmhost_status st;
    memset(&st, 0, sizeof st);
    memset(&kp, 0, sizeof kp);
    int have = !hvp_kvmhost_paths_get(&kp, NULL) && !hvp_kvmhost_status_get(&kp, &st, NULL) && st.ready;
    int qa64 = h->tools[HVP_TOOL_QEMU_AARCH64].present;
    v->can_run = have && qa64;
    if (!qa64)
        snprintf(v->why, sizeof v->why, "qemu-system-aarch64 is not installed (run scripts/install-deps)");
    else if (!have)
        snprintf(v->why, sizeof v->why, "real KVM is available this way, but its arm64 host is not prepared "
                 "in %.250s: run 'hvprobe kvm-host build' once", kp.dir);
    else
        snprintf(v->why, sizeof v->why, "real Linux KVM (-enable-kvm -cpu host, aarch64=off for 32-bit guests) inside an arm64 "
                 "host emulated by QEMU TCG: %s %s, qemu-system-aarch64 %s", st.kernel_pkg, st.kernel_version,
                 st.qemu_version);
}

static const char *const kvm_nested_machines[] = { "virt", NULL };

const hvp_backend hvp_backend_kvm_nested = {
    .d = {
        .name = "kvm-nested",
        .summary = "real Linux KVM on any host, inside an arm64 host that QEMU emulates with EL2",
        .help = "real Linux KVM on any host: the same inner QEMU -enable-kvm, run inside\n"
                "an arm64 Linux host that QEMU emulates with EL2 (prepare it once with\n"
                "'hvprobe kvm-host build'); an AArch64 guest gets -cpu host. About 10 s\n"
                "to boot; breakpoint triggers use hardware breakpoints (Z1); --trace is\n"
                "not available\n",
        .machines = kvm_nested_machines,
        .flags = HVP_BACKEND_HW_BREAKPOINTS | HVP_BACKEND_NO_TRACE | HVP_BACKEND_RAM_VIA_GDB |
                 HVP_BACKEND_SLOW_START,
        .cannot = "no QEMU -d trace: the guest runs under KVM inside the emulated host",
        .check_label = "real KVM via kvm-nested",
        .check_yes = "yes (emulated arm64 host prepared)",
        .check_no = "not ready (hvprobe kvm-host build)",
    },
    .plan = kvm_nested_plan,
    .judge = kvm_nested_judge,
    .wait_ready = kvm_nested_wait,
    .ready_ms = 120000,
    .start_progress = "booting the emulated arm64 KVM host (QEMU TCG, virt with EL2)...",
    .annotate = kvm_nested_annotate,
    .kvm_facts = kvm_nested_host_facts,
};
