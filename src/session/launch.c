/* launch.c - the public launch API (hvprobe/launch.h): a guest's life
 * cycle under a backend (backends/backend.h), and its capture (core). */
#include "backends/backend.h"
#include "session/guest.h"
#include "hvprobe/capture.h"
#include "hvprobe/dump.h"
#include "hvprobe/launch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

struct hvp_guest {
    hvp_qemu q;
    const hvp_backend *be;
    char **argv;            /* QEMU's argv until started */
    char *image;
    char *guest_elf;        /* --elf: the guest's ELF when the image is not one */
    int started;
    int exited, exit_status;    /* QEMU reaped, and how it ended */
};

int hvp_launch_plan(const hvp_launch_opts *o, hvp_guest **out, hvp_error *err)
{
    *out = NULL;
    if (!o || !o->image)
        return hvp_fail(err, HVP_E_INVAL, "no guest image given");
    hvp_guest *g = calloc(1, sizeof *g);
    if (!g || !(g->image = strdup(o->image))) {
        free(g);
        return hvp_fail(err, HVP_E_NOMEM, "out of memory");
    }
    if (!(g->be = hvp_backend_lookup(o->backend, err))) {
        hvp_guest_free(g);
        return HVP_E_INVAL;
    }
    hvp_host probed;
    const hvp_host *h = o->host;
    if (!h) {
        hvp_host_probe(&probed);
        h = &probed;
    }
    /* The machine is checked against the backend's list once, here; plans
     * see it resolved (never NULL). */
    hvp_launch_opts ro = *o;
    /* An AArch64 guest has one board with a 64-bit CPU: virt. */
    const char *mach = o->machine;
    if (!mach && o->image && hvp_image_is_a64(o->image))
        mach = "virt";
    int rc = hvp_backend_machine(g->be, mach, &ro.machine, err);
    if (rc) {
        hvp_guest_free(g);
        return rc;
    }
    if (o->trace_events && (g->be->d.flags & HVP_BACKEND_NO_TRACE)) {
        hvp_fail(err, HVP_E_INVAL, "--trace is not available under %s: %s", g->be->d.name,
                 g->be->d.cannot ? g->be->d.cannot : "the backend cannot trace");
        hvp_guest_free(g);
        return HVP_E_INVAL;
    }
    if (o->guest_elf) {
        int kind = hvp_image_kind_of(o->guest_elf, err);
        if (kind >= 0 && kind != HVP_IMG_ELF)
            kind = hvp_fail(err, HVP_E_INPUT, "--elf '%s' is %s, not the guest's ELF file", o->guest_elf,
                            hvp_image_kind_name(kind));
        if (kind < 0 || !(g->guest_elf = strdup(o->guest_elf))) {
            hvp_guest_free(g);
            return kind < 0 ? kind : hvp_fail(err, HVP_E_NOMEM, "out of memory");
        }
    }
    memset(&g->q, 0, sizeof g->q);
    g->q.pid = -1;
    rc = g->be->plan(&ro, h, &g->q, &g->argv, err);
    if (rc) {
        hvp_guest_free(g);
        return rc;
    }
    *out = g;
    return HVP_OK;
}

size_t hvp_guest_nwarnings(const hvp_guest *g)
{
    return g ? (size_t)g->q.nwarnings : 0;
}

const char *hvp_guest_warning(const hvp_guest *g, size_t i)
{
    return g && i < (size_t)g->q.nwarnings ? g->q.warnings[i] : NULL;
}

char *hvp_guest_command_line(const hvp_guest *g)
{
    return g && g->argv ? hvp_argv_join(g->argv) : NULL;
}

void hvp_guest_get_info(const hvp_guest *g, hvp_guest_info *i)
{
    memset(i, 0, sizeof *i);
    i->backend = g->be->d.name;
    i->machine = g->q.machine;
    i->image = g->image;
    i->image_is_elf = g->q.image_is_elf;
    i->guest_elf = g->guest_elf ? g->guest_elf
                 : g->q.image_is_elf && !(g->be->d.flags & HVP_BACKEND_SYSTEM_IMAGE) ? g->image : NULL;
    i->rundir = g->q.rundir;
    i->qmp = g->q.qmp;
    i->hmp = g->q.hmp;
    i->gdb = g->q.gdb;
    i->serial = g->q.serial;
    i->trace = g->q.trace;
    i->pid = g->started ? (long)g->q.pid : -1;
    i->nested = (g->be->d.flags & HVP_BACKEND_SLOW_START) != 0;
    i->hw_breakpoints = (g->be->d.flags & HVP_BACKEND_HW_BREAKPOINTS) != 0;
}

int hvp_guest_spawn(hvp_guest *g, hvp_error *err)
{
    if (g->started || !g->argv)
        return hvp_fail(err, HVP_E_INVAL, "the guest was already started");
    int rc = hvp_qemu_spawn(&g->q, g->argv, 10000, err);
    hvp_argv_free(g->argv);
    g->argv = NULL;
    g->started = 1;
    return rc;
}

int hvp_guest_wait_ready(hvp_guest *g, int timeout_ms, const hvp_launch_events *ev, hvp_error *err)
{
    if (!g->started)
        return hvp_fail(err, HVP_E_INVAL, "the guest was not started");
    if (!g->be->wait_ready)
        return HVP_OK;
    return g->be->wait_ready(&g->q, timeout_ms > 0 ? timeout_ms : g->be->ready_ms, ev, err);
}

int hvp_guest_start(hvp_guest *g, int timeout_ms, const hvp_launch_events *ev, hvp_error *err)
{
    if (ev && ev->progress && g->be->start_progress && !g->started)
        ev->progress(ev->ctx, g->be->start_progress);
    int rc = hvp_guest_spawn(g, err);
    if (!rc)
        rc = hvp_guest_wait_ready(g, timeout_ms, ev, err);
    if (rc && rc != HVP_E_INVAL)
        hvp_qemu_stop(&g->q);
    return rc;
}

int hvp_guest_alive(hvp_guest *g, int *exit_status)
{
    int st = 0;
    if (g->started && g->q.pid > 0 && hvp_qemu_alive(&g->q, &st))
        return 1;
    if (g->started && !g->exited) {     /* reaped just now: keep how it ended */
        g->exited = 1;
        g->exit_status = WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 0;
    }
    if (exit_status)
        *exit_status = g->exit_status;
    return 0;
}

void hvp_guest_last_error(const hvp_guest *g, char *buf, size_t n)
{
    if (n)
        buf[0] = '\0';
    if (g && n)
        hvp_qemu_last_error(&g->q, buf, (unsigned)n);
}

int hvp_guest_capture(hvp_guest *g, const hvp_capture_opts *base, hvp_snapshot **out, hvp_error *err)
{
    char deflabel[64];
    snprintf(deflabel, sizeof deflabel, "%s-%s", g->be->d.name, g->q.machine);
    hvp_capture_opts co = { 0 };
    if (base)
        co = *base;
    co.qmp = g->q.qmp;
    co.hmp = NULL;
    co.gdb = g->q.gdb;
    hvp_guest_info gi;
    hvp_guest_get_info(g, &gi);
    co.elf = gi.guest_elf;
    if (!co.label)
        co.label = deflabel;
    if (g->be->d.flags & HVP_BACKEND_RAM_VIA_GDB)
        co.ram_method = HVP_DUMP_RSP;
    int rc = hvp_capture(&co, out, err);
    if (!rc && g->be->annotate && (rc = g->be->annotate(&g->q, *out, err))) {
        hvp_snapshot_free(*out);
        *out = NULL;
    }
    return rc;
}

int hvp_guest_kvm_facts(const hvp_guest *g, double *ready_s, uint64_t *midr, hvp_error *err)
{
    if (!g->be->kvm_facts)
        return hvp_fail(err, HVP_E_UNSUPPORTED, "the %s backend has no emulated KVM host", g->be->d.name);
    if (g->be->kvm_facts(&g->q, ready_s, midr))
        return hvp_fail(err, HVP_E_UNSUPPORTED, "the emulated KVM host has not reported yet");
    return HVP_OK;
}

void hvp_guest_stop(hvp_guest *g)
{
    if (g)
        hvp_qemu_stop(&g->q);
}

void hvp_guest_free(hvp_guest *g)
{
    if (!g)
        return;
    hvp_qemu_stop(&g->q);
    hvp_argv_free(g->argv);
    free(g->image);
    free(g->guest_elf);
    free(g);
}

const hvp_backend *hvp_guest_backend(const hvp_guest *g)
{
    return g->be;
}

const hvp_qemu *hvp_guest_qemu(const hvp_guest *g)
{
    return &g->q;
}
