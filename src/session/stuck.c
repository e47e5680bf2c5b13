/* stuck.c - watch a running guest for being stuck or about to end
 * (stuck.h): PC samples through the gdbstub, fault counts from QEMU's
 * -d int log, the run state on QMP. */
#include "session/stuck.h"
#include "hvprobe/debug.h"
#include "hvprobe/trace.h"
#include "transport/qmp.h"
#include "util/clock.h"
#include "util/units.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SAMPLE_MS 100
#define NSAMPLES 128
#define WINDOW 256          /* bytes: a spin loop fits in this */
#define STORM_MIN 3         /* the same fault at least this often a second */
#define NPAIRS 16

typedef struct sample {
    long t;
    uint64_t pc, cpsr;
    int wfi;                /* the PC is at (or just after) a WFI */
    int zero;               /* the word at the PC is 0x00000000 */
} sample;

typedef struct pair {       /* one fault: exception, and the fault address
                               or vector when the log gives them */
    int excno;
    uint64_t far, vector;
    int have_far;
    char name[32];
    unsigned long n;
} pair;

struct hvp_stuck {
    double stuck_s;
    int on_exit;
    long t0;
    hvp_debug *d;
    long next_sample;
    sample smp[NSAMPLES];
    size_t ns;              /* samples so far (ring of NSAMPLES) */
    /* storm: the -d int log, followed */
    FILE *trace;
    hvp_trace *tp;
    pair cur[NPAIRS];       /* this second's counts */
    size_t ncur;
    long bucket_t;
    pair streak;            /* the pair that stormed in every second so far */
    int streak_n;           /* ... for this many whole seconds */
    pair last_top;          /* the last whole second's most frequent fault */
    double last_rate;       /* ... a second (0: none) */
    /* exit */
    qmp_client *qmp;
    long next_qmp;
    uint64_t serial_total;  /* serial bytes at the last change ... */
    long serial_t;          /* ... and when */
    /* what fired */
    char name[16];
    char how[600];
    double seconds;
    int have_window;
    uint64_t lo, hi;
    double rate;
    char exception[32];
    uint64_t vector;
};

static int on_event(const hvp_trace_event *e, void *arg)
{
    hvp_stuck *s = arg;
    if (e->kind != HVP_TRACE_EXCEPTION || !hvp_trace_event_is_fault(e))
        return 0;
    uint64_t vec = (e->have & HVP_TEV_PC) ? e->pc : 0, far = (e->have & HVP_TEV_FAR) ? e->far : 0;
    for (size_t i = 0; i < s->ncur; i++)
        if (s->cur[i].excno == e->excno && s->cur[i].vector == vec && s->cur[i].far == far) {
            s->cur[i].n++;
            return 0;
        }
    if (s->ncur < NPAIRS) {
        pair *p = &s->cur[s->ncur++];
        p->excno = e->excno;
        p->vector = vec;
        p->far = far;
        p->have_far = (e->have & HVP_TEV_FAR) != 0;
        snprintf(p->name, sizeof p->name, "%s", e->name);
        p->n = 1;
    }
    return 0;
}

int hvp_stuck_begin(const hvp_guest_info *gi, double stuck_s, int on_exit, int start, hvp_stuck **out,
                    hvp_error *err)
{
    *out = NULL;
    hvp_stuck *s = calloc(1, sizeof *s);
    if (!s)
        return hvp_fail(err, HVP_E_NOMEM, "out of memory");
    s->stuck_s = stuck_s;
    s->on_exit = on_exit;
    s->t0 = s->bucket_t = s->serial_t = hvp_now_ms();
    int rc = on_exit ? qmp_open(gi->qmp, 5000, &s->qmp, err) : HVP_OK;
    if (!rc && stuck_s > 0) {
        hvp_debug_opts o = { gi->gdb, 5000, gi->hw_breakpoints };
        rc = hvp_debug_open(&o, &s->d, err);
        if (!rc)
            rc = hvp_debug_resume(s->d, err);
        if (!rc && gi->trace && gi->trace[0]) {
            hvp_trace_opts to = { .on_event = on_event, .arg = s };
            rc = hvp_trace_new(&to, &s->tp, err);
            s->trace = fopen(gi->trace, "r"); /* QEMU creates it at start */
        }
    }
    /* (with the gdbstub attached, its resume above started the guest) */
    qmp_status st;
    if (!rc && start && !s->d && !(rc = qmp_query_status(s->qmp, &st, err)) && !st.running)
        rc = qmp_execute(s->qmp, "cont", NULL, NULL, err);
    if (rc) {
        hvp_stuck_end(s);
        return rc;
    }
    *out = s;
    return HVP_OK;
}

/* A32 WFI (any condition), or A64 WFI (0xd503207f). */
static int is_wfi(uint32_t w)
{
    return (w & 0x0fffffff) == 0x0320f003 || w == 0xd503207fu;
}

/* Halt and read the PC, the CPSR and the words around the PC; the caller
 * resumes the guest, or keeps it halted when a condition fired. */
static int take_sample(hvp_stuck *s, hvp_error *err)
{
    static const char *const names[2] = { "pc", "cpsr" };
    uint64_t v[2] = { 0 };
    int ok[2] = { 0 };
    int rc = hvp_debug_halt(s->d, err);
    if (!rc)
        rc = hvp_debug_read_regs(s->d, names, 2, v, ok, err);
    if (rc)
        return rc;
    sample *x = &s->smp[s->ns % NSAMPLES];
    x->t = hvp_now_ms();
    x->pc = v[0];
    x->cpsr = ok[1] ? v[1] : 0;
    uint8_t b[8];
    hvp_error ignore = { 0 };
    /* QEMU leaves the PC after a WFI the CPU waits in */
    int rd = v[0] >= 4 && !hvp_debug_read_mem(s->d, v[0] - 4, 8, b, &ignore);
    uint32_t before = (uint32_t)b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
    uint32_t at = (uint32_t)b[4] | b[5] << 8 | b[6] << 16 | (uint32_t)b[7] << 24;
    x->wfi = rd && (is_wfi(before) || is_wfi(at));
    x->zero = rd && at == 0;
    s->ns++;
    return HVP_OK;
}

/* This second's most frequent fault so far, or NULL. */
static const pair *top_pair(const hvp_stuck *s)
{
    const pair *top = NULL;
    for (size_t i = 0; i < s->ncur; i++)
        if (!top || s->cur[i].n > top->n)
            top = &s->cur[i];
    return top;
}

/* Close the second's fault counts: the pair that stormed extends the
 * streak, anything else ends it. */
static void close_bucket(hvp_stuck *s, long now)
{
    const pair *top = top_pair(s);
    double secs = (now - s->bucket_t) / 1000.0;
    s->last_rate = top && secs > 0 ? top->n / secs : 0;
    if (top)
        s->last_top = *top;
    if (top && secs > 0 && top->n / secs >= STORM_MIN && now - s->serial_t >= now - s->bucket_t) {
        if (s->streak_n && s->streak.excno == top->excno && s->streak.vector == top->vector &&
            s->streak.far == top->far)
            s->streak_n++;
        else
            s->streak_n = 1;
        s->streak = *top;
        s->rate = top->n / secs;
    } else {
        s->streak_n = 0;
    }
    s->ncur = 0;
    s->bucket_t = now;
}

static void follow_trace(hvp_stuck *s, long now)
{
    if (!s->tp)
        return;
    char buf[65536];
    size_t n;
    hvp_error ignore = { 0 };
    while (s->trace && (n = fread(buf, 1, sizeof buf, s->trace)) > 0)
        hvp_trace_feed(s->tp, buf, n, &ignore);
    if (s->trace)
        clearerr(s->trace);
    if (now - s->bucket_t >= 1000)
        close_bucket(s, now);
}

static void fire_storm(hvp_stuck *s)
{
    char rate[40], far[48] = "", at[64] = "";
    snprintf(s->name, sizeof s->name, "storm");
    snprintf(s->exception, sizeof s->exception, "%s", s->streak.name);
    s->vector = s->streak.vector;
    s->seconds = s->streak_n;
    if (s->streak.have_far)
        snprintf(far, sizeof far, " at fault address 0x%llx", (unsigned long long)s->streak.far);
    if (s->streak.vector)
        snprintf(at, sizeof at, " (to 0x%llx)", (unsigned long long)s->streak.vector);
    else if (s->have_window && s->lo == s->hi)
        snprintf(at, sizeof at, " (the PC sampled at 0x%llx)", (unsigned long long)s->lo);
    snprintf(s->how, sizeof s->how, "taking the same %s exception%s%s %s times a second for %d s, with no serial "
             "output (QEMU's -d int log): what its vector leads to faults again at once, so the guest makes no "
             "progress", s->streak.name, far, at, hvp_count_text(s->rate, rate, sizeof rate), s->streak_n);
}

/* The samples of the last stuck_s seconds: stuck when they cover the
 * period, stay in a small window, and are not an idle WFI with IRQs
 * enabled (which an interrupt ends). */
static int judge_samples(hvp_stuck *s)
{
    size_t n = s->ns < NSAMPLES ? s->ns : NSAMPLES;
    if (n < 3)
        return 0;
    const sample *last = &s->smp[(s->ns - 1) % NSAMPLES];
    long span = (long)(s->stuck_s * 1000);
    uint64_t lo = last->pc, hi = last->pc, prev = last->pc;
    int all_wfi = 1, masked = 1, all_zero = 1, rising = 1;
    long oldest = last->t;
    size_t k = 0;
    for (; k < n; k++) {
        const sample *x = &s->smp[(s->ns - 1 - k) % NSAMPLES];
        if (last->t - x->t > span)
            break;
        lo = x->pc < lo ? x->pc : lo;
        hi = x->pc > hi ? x->pc : hi;
        /* one kind of stuck at a time: a period that began otherwise is
         * not judged until it has left the window */
        if (x->wfi != last->wfi)
            return 0;
        all_wfi &= x->wfi;
        all_zero &= x->zero;
        rising &= x->pc <= prev;
        prev = x->pc;
        masked &= (x->cpsr & 0x80) != 0;
        oldest = x->t;
    }
    if (k < 3 || last->t - oldest < span - 2 * SAMPLE_MS || last->t - s->serial_t < span)
        return 0;
    if (hi - lo > WINDOW && all_zero && rising) {
        snprintf(s->name, sizeof s->name, "slide");
        s->have_window = 1;
        s->lo = lo;
        s->hi = hi;
        s->seconds = (last->t - oldest) / 1000.0;
        snprintf(s->how, sizeof s->how, "sliding through zero-filled memory: every PC sampled in %.1f s held "
                 "0x00000000 (andeq r0, r0, r0, a no-op), from 0x%llx up to 0x%llx, with no serial output: the "
                 "CPU executes zeros instead of code", s->seconds, (unsigned long long)lo, (unsigned long long)hi);
        return 1;
    }
    if (hi - lo > WINDOW)
        return 0;
    if (all_wfi && !masked)
        return 0; /* idle, waiting for an interrupt it can take */
    s->have_window = 1;
    s->lo = lo;
    s->hi = hi;
    s->seconds = (last->t - oldest) / 1000.0;
    /* Stuck, and faulting: a storm, when this second's counts (so far)
     * show the same fault repeating. */
    long part = last->t - s->bucket_t;
    const pair *top = top_pair(s);
    if (!s->streak_n && top && part >= 200 && top->n * 1000.0 / part >= STORM_MIN) {
        s->streak = *top;
        s->streak_n = 1;
        s->rate = top->n * 1000.0 / part;
    } else if (!s->streak_n && s->last_rate >= STORM_MIN) {
        s->streak = s->last_top;
        s->streak_n = 1;
        s->rate = s->last_rate;
    }
    if (s->streak_n) {
        fire_storm(s);
        return 1;
    }
    if (all_wfi) {
        snprintf(s->name, sizeof s->name, "wfi");
        snprintf(s->how, sizeof s->how, "waiting in WFI at 0x%llx with IRQs masked (CPSR 0x%08llx, I=1) for %.1f s: "
                 "no interrupt has woken it (a pending one would, masked or not), and with IRQs masked one "
                 "that does is not taken", (unsigned long long)last->pc, (unsigned long long)last->cpsr, s->seconds);
    } else {
        snprintf(s->name, sizeof s->name, "spin");
        snprintf(s->how, sizeof s->how, "spinning: the PC stayed within 0x%llx-0x%llx (%llu bytes) for %.1f s, "
                 "sampled every %d ms", (unsigned long long)lo, (unsigned long long)hi,
                 (unsigned long long)(hi - lo + 4), s->seconds, SAMPLE_MS);
    }
    return 1;
}

static int exit_seen(hvp_stuck *s, hvp_error *err)
{
    qmp_status st;
    int rc = qmp_query_status(s->qmp, &st, err);
    if (rc)
        return rc;
    /* The SHUTDOWN event counts even when the run state no longer says
     * so: a poweroff that lands while a sample holds the CPU through the
     * gdbstub is undone by the sample's resume (QEMU runs the guest on in
     * its wfi loop), but the event was sent. */
    const char *reason = !strcmp(st.status, "guest-panicked") ? "guest-panic" : "";
    int shutdown = !strcmp(st.status, "shutdown") || !strcmp(st.status, "guest-panicked");
    for (size_t i = qmp_event_count(s->qmp); i-- > 0 && !reason[0];) {
        const json_t *e = qmp_event_at(s->qmp, i);
        const char *name = json_string_value(json_object_get(e, "event"));
        if (name && !strcmp(name, "SHUTDOWN")) {
            shutdown = 1;
            reason = json_string_value(json_object_get(json_object_get(e, "data"), "reason"));
        }
        if (!reason)
            reason = "";
    }
    if (!shutdown)
        return 0;
    /* Held by -no-shutdown, QEMU also pauses when told to quit from
     * outside (a signal, QMP quit): that is not the guest's doing. */
    if (!strncmp(reason, "host-", 5))
        return hvp_fail(err, HVP_E_TARGET, "QEMU was stopped from outside (shutdown reason %s) before the guest "
                        "got stuck or ended", reason);
    const char *what = !strcmp(reason, "guest-reset") ? "reset" : !strcmp(reason, "guest-panic") ? "panic" : "poweroff";
    snprintf(s->name, sizeof s->name, "%s", what);
    snprintf(s->how, sizeof s->how, "the guest %s (QEMU's shutdown reason: %s); QEMU was told to hold it "
             "(-no-shutdown -no-reboot), so this is its state at that moment",
             !strcmp(what, "reset") ? "asked for a reset" : !strcmp(what, "panic") ? "panicked" : "powered off",
             reason[0] ? reason : "none given");
    s->seconds = (hvp_now_ms() - s->t0) / 1000.0;
    return 1;
}

/* Fired: release the channels, the guest stays halted. */
static int release(hvp_stuck *s)
{
    hvp_debug_close(s->d);
    s->d = NULL;
    qmp_close(s->qmp);
    s->qmp = NULL;
    return 1;
}

int hvp_stuck_poll(hvp_stuck *s, uint64_t serial_total, hvp_error *err)
{
    if (s->name[0])
        return 1;
    long now = hvp_now_ms();
    if (serial_total != s->serial_total) {
        s->serial_total = serial_total;
        s->serial_t = now;
    }
    if (s->qmp && now >= s->next_qmp) {
        s->next_qmp = now + SAMPLE_MS;
        int rc = exit_seen(s, err);
        if (rc)
            return rc < 0 ? rc : release(s);
    }
    if (!s->d)
        return 0;
    follow_trace(s, now);
    if (now < s->next_sample)
        return 0;
    s->next_sample = now + SAMPLE_MS;
    int rc = take_sample(s, err);
    if (rc)
        return rc;
    if (judge_samples(s) || (s->streak_n >= (int)(s->stuck_s + 0.999) && (fire_storm(s), 1)))
        return release(s);
    return hvp_debug_resume(s->d, err);
}

const char *hvp_stuck_condition(const hvp_stuck *s)
{
    return s && s->name[0] ? s->name : NULL;
}

const char *hvp_stuck_how(const hvp_stuck *s)
{
    return s && s->name[0] ? s->how : NULL;
}

int hvp_stuck_annotate(const hvp_stuck *s, hvp_snapshot *snap, hvp_error *err)
{
    if (!s || !s->name[0])
        return HVP_OK;
    hvp_context *c = &snap->context;
    hvp_condition *cd = &c->condition;
    if (!c->kind && !(c->kind = strdup("guest")))
        return hvp_fail(err, HVP_E_NOMEM, "out of memory");
    if (!(cd->name = strdup(s->name)) || !(cd->how = strdup(s->how)) ||
        (!strcmp(s->name, "storm") && !(cd->exception = strdup(s->exception))))
        return hvp_fail(err, HVP_E_NOMEM, "out of memory");
    cd->seconds = s->seconds;
    cd->have_window = s->have_window;
    cd->pc_lo = s->lo;
    cd->pc_hi = s->hi;
    cd->rate = s->rate;
    cd->vector = s->vector;
    return HVP_OK;
}

void hvp_stuck_end(hvp_stuck *s)
{
    if (!s)
        return;
    if (s->d)
        hvp_debug_detach(s->d, NULL);
    qmp_close(s->qmp);
    if (s->trace)
        fclose(s->trace);
    hvp_trace_free(s->tp);
    free(s);
}
