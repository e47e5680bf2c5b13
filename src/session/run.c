/* run.c - run a started guest to a trigger, then capture it
 * (hvprobe/session.h): the loop `hvprobe run --capture` uses. */
#include "hvprobe/debug.h"
#include "hvprobe/session.h"
#include "util/clock.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct hvp_run {
    hvp_guest *g;
    hvp_trigger t;
    hvp_run_events ev;
    hvp_guest_info gi;
    hvp_debug *d;           /* breakpoint triggers, until they fire */
    FILE *serial;           /* the guest's serial log, followed */
    char window[8192];      /* its last 4-8 KiB, NUL-terminated */
    size_t wlen;
    long t0;
    hvp_run_result res;
};

int hvp_trigger_halts_at_start(const hvp_trigger *t)
{
    return t && (t->kind == HVP_TRIGGER_PC || t->kind == HVP_TRIGGER_EXCEPTION);
}

static void say(hvp_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(hvp_run *r, const char *fmt, ...)
{
    if (!r->ev.progress)
        return;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    r->ev.progress(r->ev.ctx, line);
}

/* Keep the last 4-8 KiB of serial output for text triggers. */
static void window_add(hvp_run *r, const char *buf, size_t n)
{
    const size_t half = sizeof r->window / 2;
    if (n >= half) {
        memcpy(r->window, buf + n - half, half);
        r->wlen = half;
    } else {
        if (r->wlen + n >= sizeof r->window) {
            size_t drop = r->wlen + n - half;
            memmove(r->window, r->window + drop, r->wlen - drop);
            r->wlen -= drop;
        }
        memcpy(r->window + r->wlen, buf, n);
        r->wlen += n;
    }
    r->window[r->wlen] = '\0';
}

void hvp_run_drain(hvp_run *r)
{
    if (!r || (!r->serial && !(r->serial = fopen(r->gi.serial, "r"))))
        return;
    char buf[4096];
    size_t n;
    clearerr(r->serial);
    while ((n = fread(buf, 1, sizeof buf, r->serial)) > 0) {
        if (r->ev.serial)
            r->ev.serial(r->ev.ctx, buf, n);
        window_add(r, buf, n);
    }
}

const char *hvp_run_serial_window(const hvp_run *r)
{
    return r ? r->window : "";
}

void hvp_run_get_result(const hvp_run *r, hvp_run_result *out)
{
    *out = r->res;
}

/* Breakpoint triggers: attach to the gdbstub (the guest was started
 * halted), plant, let it run. */
static int plant(hvp_run *r, hvp_error *err)
{
    hvp_debug_opts dopt = { r->gi.gdb, 5000, r->gi.hw_breakpoints };
    size_t n = 1;
    int rc = hvp_debug_open(&dopt, &r->d, err);
    if (!rc && r->t.kind == HVP_TRIGGER_PC)
        rc = hvp_debug_break_at(r->d, r->t.pc, err);
    else if (!rc) {
        const char *elf = r->t.elf ? r->t.elf : r->gi.image_is_elf ? r->gi.image : NULL;
        rc = hvp_debug_break_at_exception(r->d, r->t.exception, elf, &n, err);
    }
    if (rc)
        return rc;
    r->res.nbreakpoints = n;
    r->res.hw_breakpoints = r->gi.hw_breakpoints;
    say(r, "%zu %s breakpoint%s planted; running to %s", n, r->gi.hw_breakpoints ? "hardware" : "software",
        n == 1 ? "" : "s", n == 1 ? "it" : "the first of them");
    return hvp_debug_resume(r->d, err);
}

int hvp_run_begin(hvp_guest *g, const hvp_trigger *t, const hvp_run_events *ev, hvp_run **out, hvp_error *err)
{
    *out = NULL;
    if (!g || !t)
        return hvp_fail(err, HVP_E_INVAL, "no guest or trigger given");
    if (t->kind == HVP_TRIGGER_SERIAL && (!t->serial || !t->serial[0]))
        return hvp_fail(err, HVP_E_INVAL, "a serial trigger needs a text to wait for");
    if (t->kind == HVP_TRIGGER_AFTER && !(t->after_s >= 0))
        return hvp_fail(err, HVP_E_INVAL, "a delay trigger needs a number of seconds >= 0");
    hvp_run *r = calloc(1, sizeof *r);
    if (!r)
        return hvp_fail(err, HVP_E_NOMEM, "out of memory");
    r->g = g;
    r->t = *t;
    if (ev)
        r->ev = *ev;
    hvp_guest_get_info(g, &r->gi);
    r->t0 = hvp_now_ms();
    if (r->gi.pid < 0) {
        free(r);
        return hvp_fail(err, HVP_E_INVAL, "the guest was not started");
    }
    if (hvp_trigger_halts_at_start(t)) {
        int rc = plant(r, err);
        if (rc) {
            hvp_debug_close(r->d);
            free(r);
            return rc;
        }
    }
    *out = r;
    return HVP_OK;
}

/* The breakpoint fired: where, then remove them; the guest stays halted
 * for the capture (no detach). */
static int breakpoint_hit(hvp_run *r, hvp_error *err)
{
    int rc = hvp_debug_pc(r->d, &r->res.pc, err);
    if (!rc)
        rc = hvp_debug_clear(r->d, err);
    hvp_debug_close(r->d);
    r->d = NULL;
    if (rc)
        return rc;
    r->res.have_pc = 1;
    say(r, "stopped at 0x%08llx", (unsigned long long)r->res.pc);
    return HVP_OK;
}

static int fired(hvp_run *r)
{
    r->res.fired = 1;
    r->res.elapsed_ms = hvp_now_ms() - r->t0;
    return HVP_OK;
}

int hvp_run_poll(hvp_run *r, int wait_ms, hvp_error *err)
{
    if (r->res.fired)
        return HVP_OK;
    long deadline = hvp_now_ms() + (wait_ms > 0 ? wait_ms : 0);
    for (;;) {
        int rc;
        if (r->d) {
            rc = hvp_debug_wait_stop(r->d, 50, err);
            if (rc == HVP_OK) {
                hvp_run_drain(r);
                return (rc = breakpoint_hit(r, err)) ? rc : fired(r);
            }
            if (rc != HVP_E_TIMEOUT)
                return rc;
        }
        hvp_run_drain(r);
        if (r->ev.cancelled && r->ev.cancelled(r->ev.ctx))
            return hvp_fail(err, HVP_E_CANCELLED, "interrupted");
        if (!hvp_guest_alive(r->g, &r->res.qemu_status)) {
            r->res.qemu_exited = 1;
            hvp_run_drain(r);
            if (r->t.kind == HVP_TRIGGER_NONE)
                return fired(r);
            char last[400];
            hvp_guest_last_error(r->g, last, sizeof last);
            return hvp_fail(err, HVP_E_TARGET, "QEMU exited (status %d) before the %s%s%s", r->res.qemu_status,
                            r->d ? "breakpoint was hit" : "capture trigger fired", last[0] ? ": " : "", last);
        }
        long now = hvp_now_ms();
        if ((r->t.kind == HVP_TRIGGER_AFTER && now - r->t0 >= (long)(r->t.after_s * 1000)) ||
            (r->t.kind == HVP_TRIGGER_SERIAL && strstr(r->window, r->t.serial)))
            return fired(r);
        if (r->t.timeout_ms > 0 && now - r->t0 > r->t.timeout_ms)
            return hvp_fail(err, HVP_E_NOTRIGGER, "the trigger did not fire within %.1f s", r->t.timeout_ms / 1000.0);
        if (now >= deadline)
            return HVP_RUN_WAITING;
        if (!r->d)
            usleep(10000);
    }
}

void hvp_run_end(hvp_run *r)
{
    if (!r)
        return;
    hvp_debug_close(r->d);
    if (r->serial)
        fclose(r->serial);
    free(r);
}

int hvp_guest_run_to(hvp_guest *g, const hvp_trigger *t, const hvp_run_events *ev, hvp_run_result *res,
                     hvp_error *err)
{
    hvp_run *r = NULL;
    int rc = hvp_run_begin(g, t, ev, &r, err);
    if (!rc)
        while ((rc = hvp_run_poll(r, 100, err)) == HVP_RUN_WAITING)
            ;
    if (r && res)
        hvp_run_get_result(r, res);
    hvp_run_end(r);
    return rc;
}

int hvp_guest_run_capture(hvp_guest *g, const hvp_trigger *t, const hvp_capture_opts *co,
                          const hvp_run_events *ev, hvp_snapshot **out, hvp_run_result *res, hvp_error *err)
{
    *out = NULL;
    int rc = hvp_guest_run_to(g, t, ev, res, err);
    if (!rc && t->kind == HVP_TRIGGER_NONE)
        return hvp_fail(err, HVP_E_TARGET, "QEMU exited: there is nothing to capture");
    return rc ? rc : hvp_guest_capture(g, co, out, err);
}
