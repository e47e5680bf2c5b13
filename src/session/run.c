/* run.c - run a started guest to a trigger, then capture it
 * (hvprobe/session.h): the loop `hvprobe run --capture` uses. */
#include "hvprobe/debug.h"
#include "session/guest.h"
#include "session/stuck.h"
#include "hvprobe/session.h"
#include "util/clock.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
    uint64_t total;         /* bytes of serial output so far */
    uint64_t resolved_upto; /* ... of which match_resolutions() has read */
    long t0;
    hvp_run_result res;
    /* GUEST_TRAP */
    uint64_t pcs[8];
    size_t npcs;
    hvp_snapshot *kept[4];  /* snapshots at the latest guest traps, oldest first */
    size_t kept_seq[4];     /* their index in seen[] */
    size_t nkept;
    hvp_trap_seen seen[16]; /* every guest trap so far (trap: static name) */
    size_t nseen;
    hvp_snapshot *fired_snap;
    hvp_stuck *stuck;       /* stuck_s, on_exit */
};

static const char *const trap_names[] = { "fault", "prefetch-abort", "data-abort", "hvc", "wfi", "any" };

int hvp_trap_kind_parse(const char *name, hvp_trap_kind *out, hvp_error *err)
{
    for (size_t i = 0; name && i < sizeof trap_names / sizeof trap_names[0]; i++)
        if (!strcmp(name, trap_names[i])) {
            *out = (hvp_trap_kind)i;
            return HVP_OK;
        }
    return hvp_fail(err, HVP_E_INVAL, "unknown guest trap '%s' (fault, prefetch-abort, data-abort, hvc, wfi or any)",
                    name ? name : "");
}

const char *hvp_trap_kind_name(hvp_trap_kind k)
{
    return (unsigned)k < sizeof trap_names / sizeof trap_names[0] ? trap_names[k] : "?";
}

/* Triggers that plant breakpoints before the guest runs. */
static int breakpoint_trigger(const hvp_trigger *t)
{
    return t && (t->kind == HVP_TRIGGER_PC || t->kind == HVP_TRIGGER_EXCEPTION || t->kind == HVP_TRIGGER_GUEST_TRAP);
}

/* on_exit too: a guest that ends at once must not end before QMP is
 * there to see why. */
int hvp_trigger_halts_at_start(const hvp_trigger *t)
{
    return breakpoint_trigger(t) || (t && t->on_exit);
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
        r->total += n;
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
    if (!rc && r->t.kind == HVP_TRIGGER_GUEST_TRAP) {
        for (size_t i = 0; !rc && i < r->npcs; i++)
            rc = hvp_debug_break_at(r->d, r->pcs[i], err);
        n = r->npcs;
    } else if (!rc && r->t.kind == HVP_TRIGGER_PC)
        rc = hvp_debug_break_at(r->d, r->t.pc, err);
    else if (!rc) {
        const char *elf = r->t.elf ? r->t.elf : r->gi.guest_elf;
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

/* GUEST_TRAP, after a stop at one of the handlers: the CPU still sits on
 * a breakpoint's address, so lift them, step off it, plant them again and
 * let the guest go (attaching again when a capture took the gdbstub). */
static int replant(hvp_run *r, hvp_error *err)
{
    hvp_debug_opts dopt = { r->gi.gdb, 5000, r->gi.hw_breakpoints };
    int rc = r->d ? hvp_debug_clear(r->d, err) : hvp_debug_open(&dopt, &r->d, err);
    /* A step right after attaching again can return with the PC unmoved
     * (seen 1 run in 5 on the seL4 image: the same trap then stopped
     * twice): step until it moves. */
    uint64_t pc0 = 0, pc = 0;
    if (!rc)
        rc = hvp_debug_pc(r->d, &pc0, err);
    for (int k = 0; !rc && k < 4 && (k == 0 || pc == pc0); k++)
        if (!(rc = hvp_debug_step(r->d, err)))
            rc = hvp_debug_pc(r->d, &pc, err);
    for (size_t i = 0; !rc && i < r->npcs; i++)
        rc = hvp_debug_break_at(r->d, r->pcs[i], err);
    return rc ? rc : hvp_debug_resume(r->d, err);
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
    /* Text triggers read the serial output back from its file. */
    struct stat st;
    int reads_serial = t->kind == HVP_TRIGGER_SERIAL ||
                       (t->kind == HVP_TRIGGER_GUEST_TRAP && t->trap == HVP_TRAP_FAULT &&
                        hvp_guest_backend(g)->report_text);
    if (reads_serial && (!r->gi.serial || stat(r->gi.serial, &st) || !S_ISREG(st.st_mode))) {
        hvp_fail(err, HVP_E_INVAL, "the trigger waits for text in the serial output, which goes to %s, not a file "
                 "it can read back: give --serial a regular file, or leave it out",
                 r->gi.serial ? r->gi.serial : "nowhere");
        free(r);
        return HVP_E_INVAL;
    }
    if (t->kind == HVP_TRIGGER_GUEST_TRAP) {
        const hvp_backend *be = hvp_guest_backend(g);
        int rc = !be->trap_points || !be->guest_regs
                     ? hvp_fail(err, HVP_E_UNSUPPORTED, "the %s backend knows no hypervisor whose trap handlers "
                                "it could watch: guest-trap triggers run under sel4 and fixture; use --at-exception "
                                "or --at-pc here", be->d.name)
                     : be->trap_points(hvp_guest_qemu(g), t->trap, r->pcs, 8, &r->npcs, err);
        if (rc) {
            free(r);
            return rc;
        }
    }
    if ((t->stuck_s > 0 && breakpoint_trigger(t)) || (t->on_exit && t->kind == HVP_TRIGGER_GUEST_TRAP)) {
        free(r);
        return hvp_fail(err, HVP_E_INVAL, "%s cannot be combined with a %s trigger (%s): use it alone, with a "
                        "delay or with a serial text", t->stuck_s > 0 ? "--when-stuck" : "--on-exit",
                        t->kind == HVP_TRIGGER_GUEST_TRAP ? "guest-trap" : "breakpoint",
                        t->stuck_s > 0 ? "QEMU's gdbstub serves one client" : "its captures need QMP");
    }
    if (t->stuck_s > 0 || t->on_exit) {
        int rc = hvp_stuck_begin(&r->gi, t->stuck_s, t->on_exit, t->on_exit && !breakpoint_trigger(t), &r->stuck,
                                 err);
        if (rc) {
            free(r);
            return rc;
        }
    }
    if (breakpoint_trigger(t)) {
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

static int fired(hvp_run *r);

static uint32_t hsr_ec(uint64_t hsr)
{
    return (uint32_t)(hsr >> 26) & 0x3f;
}

/* Does a trap with exception class `ec` belong to `kind`?  (ARM ARM
 * B3.13.6: 0x20 prefetch abort from a lower mode, 0x24 data abort from
 * a lower mode, 0x12 HVC (0x16 from AArch64), 0x01 WFI/WFE.) */
static int trap_matches(hvp_trap_kind kind, uint32_t ec, const char **name)
{
    *name = ec == 0x20 ? "prefetch-abort" : ec == 0x24 ? "data-abort" : ec == 0x12 || ec == 0x16 ? "hvc"
            : ec == 0x01 ? "wfi" : NULL;
    switch (kind) {
    case HVP_TRAP_FAULT: return ec == 0x20 || ec == 0x24;
    case HVP_TRAP_PABT: return ec == 0x20;
    case HVP_TRAP_DABT: return ec == 0x24;
    case HVP_TRAP_HVC: return ec == 0x12 || ec == 0x16;   /* HVC from AArch32, from AArch64 */
    case HVP_TRAP_WFI: return ec == 0x01;
    default: return *name != NULL;
    }
}

static int set_str(char **dst, const char *src)
{
    free(*dst);
    *dst = src ? strdup(src) : NULL;
    return src && !*dst ? HVP_E_NOMEM : HVP_OK;
}

/* The hypervisor's lines about traps it resolved ("OnDemandInstall: ...
 * addr 0x9000000"), matched to the traps seen by page.  Called at every
 * stop, so the lines are still in the serial window. */
static void match_resolutions(hvp_run *r)
{
    const char *rt = hvp_guest_backend(r->g)->resolve_text;
    uint64_t wstart = r->total - r->wlen;   /* the window's first byte, absolute */
    const char *from = r->window + (r->resolved_upto > wstart ? r->resolved_upto - wstart : 0);
    for (const char *p = rt ? strstr(from, rt) : NULL; p; p = strstr(p + 1, rt)) {
        size_t len = strcspn(p, "\r\n");
        const char *a = strstr(p, "addr 0x");
        if (!p[len])
            break;  /* an incomplete line: read it next time */
        r->resolved_upto = wstart + (uint64_t)(p + len - r->window);
        if (!a || a > p + len)
            continue;
        uint64_t page = strtoull(a + 5, NULL, 16) >> 12;
        for (size_t i = 0; i < r->nseen; i++)
            if (!r->seen[i].resolved_by && r->seen[i].ipa >> 12 == page) {
                r->seen[i].resolved_by = strndup(p, len);
                break;
            }
    }
}

/* A stop at one of the hypervisor's trap handlers.  A trap of the
 * guest's (HCR.TGE=0: the hypervisor runs its own threads with TGE=1)
 * of the wanted kind is captured, with the guest's registers from the
 * hypervisor's save area; anything else is let go.  *done = 1 when the
 * trigger fired. */
static int guest_trap_stop(hvp_run *r, int *done, hvp_error *err)
{
    /* AArch32 Hyp (QEMU's names: HCR, HPFAR, HIFAR, FAR_EL2 = HIFAR:HDFAR)
     * or AArch64 EL2 (x0 exists: HCR_EL2, HPFAR_EL2, FAR_EL2 the address). */
    static const char *const names[] = { "ESR_EL2", "HCR", "HPFAR", "HIFAR", "FAR_EL2", "x0", "HCR_EL2",
                                         "HPFAR_EL2" };
    uint64_t v[8] = { 0 };
    int ok[8] = { 0 };
    *done = 0;
    r->res.nstops++;
    int rc = hvp_debug_read_regs(r->d, names, 8, v, ok, err);
    if (rc)
        return rc;
    int a64 = ok[5] && ok[6];
    if (a64) {
        v[1] = v[6], ok[1] = 1;
        v[2] = v[7], ok[2] = ok[7];
    }
    if (!ok[0] || !ok[1])
        return hvp_fail(err, HVP_E_UNSUPPORTED, "the gdbstub does not show ESR_EL2 (HSR) and HCR: cannot tell a "
                        "guest's trap from the hypervisor's own");
    const char *tname = NULL;
    int guest = !((v[1] >> 27) & 1) && (v[1] & 1); /* HCR.TGE=0, HCR.VM=1 */
    if (!guest || !trap_matches(r->t.trap, hsr_ec(v[0]), &tname))
        return replant(r, err);     /* not ours: go on */
    r->res.ntraps++;
    const hvp_backend *be = hvp_guest_backend(r->g);
    uint64_t regs[16] = { 0 }, cpsr = 0;
    char how[400];
    if ((rc = be->guest_regs(hvp_guest_qemu(r->g), r->d, regs, &cpsr, how, sizeof how, err)))
        return rc;
    uint64_t far = a64 ? v[4] : hsr_ec(v[0]) == 0x20 ? (ok[3] ? v[3] : v[4] >> 32) : (v[4] & 0xffffffffu);
    uint64_t ipa = ok[2] ? ((v[2] >> 4) << 12) | (far & 0xfff) : 0;
    if ((rc = hvp_debug_clear(r->d, err)))
        return rc;
    hvp_debug_close(r->d);  /* no detach: the CPU stays at the handler */
    r->d = NULL;
    hvp_capture_opts co = { 0 };
    if (r->t.capture)
        co = *r->t.capture;
    co.keep_halted = 1;
    hvp_snapshot *s = NULL;
    if ((rc = hvp_guest_capture(r->g, &co, &s, err)))
        return rc;
    hvp_context *c = &s->context;
    char text[900];
    snprintf(text, sizeof text, "the guest at a %s it took to the %s hypervisor: hvprobe stopped at the "
             "hypervisor's handler (0x%08llx) with HCR.TGE=0 (a vCPU thread; the hypervisor's own threads run with "
             "TGE=1), where the guest's CP15 state, VTTBR and the syndrome registers are still live; %s",
             tname, be->d.name, (unsigned long long)(s->arch == HVP_ARCH_AARCH64 ? s->cpu.pc : s->cpu.r[15]), how);
    rc = set_str(&c->kind, "guest-trap");
    if (!rc)
        rc = set_str(&c->how, text);
    if (!rc)
        rc = set_str(&c->trap, tname);
    memcpy(c->regs, regs, sizeof c->regs);
    c->cpsr = cpsr;
    c->have_regs = 1;
    c->have_syndrome = 1;
    c->syndrome = v[0];
    c->fault_addr = far;
    c->ipa = ipa;
    if (rc) {
        hvp_snapshot_free(s);
        return hvp_fail(err, rc, "out of memory");
    }
    say(r, "guest %s at pc 0x%08llx (IPA 0x%llx, HSR 0x%08llx): captured", tname, (unsigned long long)regs[15],
        (unsigned long long)ipa, (unsigned long long)v[0]);
    match_resolutions(r);
    size_t seq = r->nseen;
    if (r->nseen < sizeof r->seen / sizeof r->seen[0])
        r->seen[r->nseen++] = (hvp_trap_seen){ (char *)tname, regs[15], ipa, v[0], NULL };
    if (r->t.trap != HVP_TRAP_FAULT || !be->report_text) {
        r->fired_snap = s;
        *done = 1;
        return HVP_OK;
    }
    if (r->nkept == sizeof r->kept / sizeof r->kept[0]) {
        hvp_snapshot_free(r->kept[0]);
        memmove(r->kept, r->kept + 1, (r->nkept - 1) * sizeof r->kept[0]);
        memmove(r->kept_seq, r->kept_seq + 1, (r->nkept - 1) * sizeof r->kept_seq[0]);
        r->nkept--;
    }
    r->kept_seq[r->nkept] = seq;
    r->kept[r->nkept++] = s;
    return replant(r, err);
}

/* FAULT: the hypervisor printed its report.  The kept snapshot whose IPA
 * the report names (else the latest) is the trap it could not resolve. */
static int report_seen(hvp_run *r)
{
    const hvp_backend *be = hvp_guest_backend(r->g);
    const char *p = be->report_text && r->nkept ? strstr(r->window, be->report_text) : NULL;
    if (!p)
        return 0;
    size_t len = strcspn(p, "\r\n");
    if (!p[len])
        return 0; /* wait for the whole line */
    char line[300];
    snprintf(line, sizeof line, "%.*s", (int)len, p);
    const char *ip = strstr(line, "IPA: ");
    size_t pick = r->nkept - 1;
    if (ip) {
        unsigned long long ipa = strtoull(ip + 5, NULL, 0);
        for (size_t i = r->nkept; i-- > 0;)
            if (r->kept[i]->context.ipa == ipa) {
                pick = i;
                break;
            }
    }
    r->fired_snap = r->kept[pick];
    r->kept[pick] = NULL;
    hvp_context *c = &r->fired_snap->context;
    set_str(&c->report, line);
    /* The traps before it, and what the hypervisor did with them. */
    match_resolutions(r);
    size_t upto = r->kept_seq[pick], nres = 0;
    if (upto && (c->earlier = calloc(upto, sizeof *c->earlier)))
        for (size_t i = 0; i < upto; i++) {
            hvp_trap_seen *t = &c->earlier[c->nearlier++];
            *t = r->seen[i];
            t->trap = strdup(r->seen[i].trap);
            t->resolved_by = r->seen[i].resolved_by ? strdup(r->seen[i].resolved_by) : NULL;
            nres += t->resolved_by != NULL;
        }
    if (be->fault_policy) {
        char pol[600];
        be->fault_policy(c->ipa, nres, pol, sizeof pol);
        set_str(&c->policy, pol);
    }
    say(r, "the hypervisor reported: %s", line);
    return 1;
}

hvp_snapshot *hvp_run_take_snapshot(hvp_run *r)
{
    hvp_snapshot *s = r ? r->fired_snap : NULL;
    if (r)
        r->fired_snap = NULL;
    return s;
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
        if (r->ev.cancelled && r->ev.cancelled(r->ev.ctx))
            return hvp_fail(err, HVP_E_CANCELLED, "interrupted");
        if (r->d) {
            rc = hvp_debug_wait_stop(r->d, 50, err);
            if (rc == HVP_OK && r->t.kind == HVP_TRIGGER_GUEST_TRAP) {
                int done = 0;
                hvp_run_drain(r);
                if ((rc = guest_trap_stop(r, &done, err)))
                    return rc;
                if (done)
                    return fired(r);
                continue;
            }
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
        if (r->stuck && hvp_guest_alive(r->g, NULL)) {
            rc = hvp_stuck_poll(r->stuck, r->total, err);
            if (rc < 0) {
                usleep(50000);  /* a channel that broke because QEMU died: say that */
                if (hvp_guest_alive(r->g, NULL))
                    return rc;
                rc = 0;
            }
            if (rc > 0) {
                snprintf(r->res.condition, sizeof r->res.condition, "%s", hvp_stuck_condition(r->stuck));
                snprintf(r->res.how, sizeof r->res.how, "%s", hvp_stuck_how(r->stuck));
                say(r, "%s", r->res.how);
                hvp_run_drain(r);
                return fired(r);
            }
        }
        if (!hvp_guest_alive(r->g, &r->res.qemu_status)) {
            r->res.qemu_exited = 1;
            hvp_run_drain(r);
            if (r->t.kind == HVP_TRIGGER_NONE && !r->stuck)
                return fired(r);    /* "run until QEMU exits" */
            char last[400];
            hvp_guest_last_error(r->g, last, sizeof last);
            return hvp_fail(err, HVP_E_TARGET, "QEMU exited (status %d) before the %s%s%s", r->res.qemu_status,
                            r->d ? "breakpoint was hit" : "capture trigger fired", last[0] ? ": " : "", last);
        }
        long now = hvp_now_ms();
        if ((r->t.kind == HVP_TRIGGER_AFTER && now - r->t0 >= (long)(r->t.after_s * 1000)) ||
            (r->t.kind == HVP_TRIGGER_SERIAL && strstr(r->window, r->t.serial)) ||
            (r->t.kind == HVP_TRIGGER_GUEST_TRAP && report_seen(r)))
            return fired(r);
        if (r->t.timeout_ms > 0 && now - r->t0 > r->t.timeout_ms && r->t.kind == HVP_TRIGGER_GUEST_TRAP)
            return hvp_fail(err, HVP_E_NOTRIGGER, "no %s trap of the guest%s within %.1f s (%zu guest trap%s seen%s): "
                            "the guest may simply not fault here; --timeout SECONDS waits longer",
                            hvp_trap_kind_name(r->t.trap),
                            r->t.trap == HVP_TRAP_FAULT && hvp_guest_backend(r->g)->report_text
                                ? " that the hypervisor reported" : "",
                            r->t.timeout_ms / 1000.0, r->nseen, r->nseen == 1 ? "" : "s",
                            r->nseen ? ", each resolved" : "");
        if (r->t.timeout_ms > 0 && now - r->t0 > r->t.timeout_ms && r->t.kind == HVP_TRIGGER_NONE)
            return hvp_fail(err, HVP_E_NOTRIGGER, "the guest %s within %.1f s", r->t.stuck_s > 0 && r->t.on_exit
                            ? "neither got stuck nor ended" : r->t.stuck_s > 0 ? "did not get stuck" : "did not end",
                            r->t.timeout_ms / 1000.0);
        if (r->t.timeout_ms > 0 && now - r->t0 > r->t.timeout_ms)
            return hvp_fail(err, HVP_E_NOTRIGGER, "the trigger did not fire within %.1f s", r->t.timeout_ms / 1000.0);
        if (now >= deadline)
            return HVP_RUN_WAITING;
        if (!r->d)
            usleep(10000);
    }
}

int hvp_run_annotate(const hvp_run *r, hvp_snapshot *snap, hvp_error *err)
{
    return r && snap ? hvp_stuck_annotate(r->stuck, snap, err) : HVP_OK;
}

void hvp_run_end(hvp_run *r)
{
    for (size_t i = 0; r && i < r->nseen; i++)
        free(r->seen[i].resolved_by);
    if (!r)
        return;
    hvp_stuck_end(r->stuck);
    hvp_debug_close(r->d);
    if (r->serial)
        fclose(r->serial);
    for (size_t i = 0; i < r->nkept; i++)
        hvp_snapshot_free(r->kept[i]);
    hvp_snapshot_free(r->fired_snap);
    free(r);
}

/* begin, poll until done; *r is the run (NULL when begin failed). */
static int run_until(hvp_guest *g, const hvp_trigger *t, const hvp_run_events *ev, hvp_run **r, hvp_error *err)
{
    int rc = hvp_run_begin(g, t, ev, r, err);
    if (!rc)
        while ((rc = hvp_run_poll(*r, 100, err)) == HVP_RUN_WAITING)
            ;
    return rc;
}

int hvp_guest_run_to(hvp_guest *g, const hvp_trigger *t, const hvp_run_events *ev, hvp_run_result *res,
                     hvp_error *err)
{
    hvp_run *r = NULL;
    int rc = run_until(g, t, ev, &r, err);
    if (r && res)
        hvp_run_get_result(r, res);
    hvp_run_end(r);
    return rc;
}

int hvp_guest_run_capture(hvp_guest *g, const hvp_trigger *t, const hvp_capture_opts *co,
                          const hvp_run_events *ev, hvp_snapshot **out, hvp_run_result *res, hvp_error *err)
{
    *out = NULL;
    hvp_run *r = NULL;
    hvp_trigger tt = *t;
    if (!tt.capture)
        tt.capture = co;
    int rc = run_until(g, &tt, ev, &r, err);
    if (r && res)
        hvp_run_get_result(r, res);
    if (!rc && t->kind == HVP_TRIGGER_NONE && r->res.qemu_exited)
        rc = hvp_fail(err, HVP_E_TARGET, "QEMU exited: there is nothing to capture");
    if (!rc && !(*out = hvp_run_take_snapshot(r)))
        rc = hvp_guest_capture(g, co, out, err);
    if (!rc)
        rc = hvp_run_annotate(r, *out, err);
    hvp_run_end(r);
    return rc;
}
