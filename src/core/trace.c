/*
 * trace.c - the streaming parser behind `hvprobe trace`: splits bytes into
 * bounded lines, recognises QEMU `-d int` / `guest_errors` lines and seL4
 * fault reports, completes multi-line events, and keeps counts, the first
 * fault, a timeline of the first N events and loop detection in memory
 * fixed at creation.  Formats are documented in trace.h; the exact QEMU
 * 7.2 strings were taken from real logs (tests/fixtures/trace/).
 */
#include "core/trace.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define P HVP_TRACE_MAX_PERIOD

struct hvp_trace {
    hvp_trace_opts o;
    hvp_trace_summary s;
    hvp_trace_event *tl;       /* o.first_n slots */
    char *line;                /* o.max_line + 1 bytes */
    size_t len;
    int overflow;              /* current line was longer than the buffer */
    int finished;
    int stop_rc;               /* non-zero once a callback stopped us */

    hvp_trace_event open;      /* an event still taking continuation lines */
    int have_open;

    int have_pending_bad;      /* last invalid access, not yet attributed */
    hvp_trace_event pending_bad;
    uint64_t run_count, run_first, run_last, run_next, run_line;

    /* Loop detection over "loop events" (exceptions and seL4 faults):
     * ring holds the last P of them; match[p] counts consecutive events
     * equal to the one p before. */
    hvp_trace_event ring[P];
    uint64_t ring_returns[P];  /* t->returns when each ring event came */
    uint64_t nseen;
    uint64_t match[P + 1];
    uint64_t mstart_line[P + 1];
    uint64_t mend_line[P + 1];
    uint64_t mret_start[P + 1], mret_end[P + 1];
    hvp_trace_event mcycle[P + 1][P];
    uint64_t returns;          /* exception returns seen so far */
    hvp_trace_event last_exc;  /* last exception, while no return followed */
    int have_last_exc;
};

static const char *const kind_names[HVP_TRACE_KIND_COUNT] = {
    "exception", "mode-switch", "return", "invalid-access",
    "vmm-fault", "page-fault", "kernel-vm-fault", "halt", "vmm-map",
};

const char *hvp_trace_kind_name(hvp_trace_kind kind)
{
    return (unsigned)kind < HVP_TRACE_KIND_COUNT ? kind_names[kind] : "unknown";
}

int hvp_trace_event_is_fault(const hvp_trace_event *e)
{
    if (!e)
        return 0;
    switch (e->kind) {
    case HVP_TRACE_EXCEPTION:
        return e->excno == 1 || e->excno == 3 || e->excno == 4 ||
               strstr(e->name, "Abort") || strstr(e->name, "Undefined");
    case HVP_TRACE_VMM_FAULT:
    case HVP_TRACE_OLD_PAGE_FAULT:
    case HVP_TRACE_KERNEL_VM_FAULT:
        return 1;
    default:
        return 0;
    }
}

int hvp_trace_event_addr(const hvp_trace_event *e, uint64_t *addr, const char **what)
{
    if (e && (e->have & HVP_TEV_FAR)) {
        *addr = e->far;
        *what = e->far_name[0] ? e->far_name : "FAR";
        return 1;
    }
    if (e && (e->have & HVP_TEV_PC)) {
        *addr = e->pc;
        *what = "PC";
        return 1;
    }
    return 0;
}

static int is_loop_event(const hvp_trace_event *e)
{
    return e->kind == HVP_TRACE_EXCEPTION || e->kind == HVP_TRACE_VMM_FAULT ||
           e->kind == HVP_TRACE_OLD_PAGE_FAULT || e->kind == HVP_TRACE_KERNEL_VM_FAULT;
}

/* ---- small lexing helpers (all bounded by the NUL at the line's end) --- */

static int starts(const char *s, const char *prefix, const char **rest)
{
    size_t n = strlen(prefix);
    if (strncmp(s, prefix, n))
        return 0;
    if (rest)
        *rest = s + n;
    return 1;
}

/* Parse a hexadecimal number (optional "0x"; "(nil)" is glibc's %p of 0)
 * after optional blanks; advance *p past it.  0 when there is none. */
static int parse_hex(const char **p, uint64_t *v)
{
    const char *s = *p;
    while (*s == ' ' || *s == '\t')
        s++;
    if (!strncmp(s, "(nil)", 5)) {
        *v = 0;
        *p = s + 5;
        return 1;
    }
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        s += 2;
    if (!isxdigit((unsigned char)*s))
        return 0;
    uint64_t x = 0;
    for (; isxdigit((unsigned char)*s); s++) {
        int c = (unsigned char)*s;
        x = (x << 4) | (uint64_t)(isdigit(c) ? c - '0' : (tolower(c) - 'a' + 10));
    }
    *v = x;
    *p = s;
    return 1;
}

static int parse_dec(const char **p, long *v)
{
    const char *s = *p;
    while (*s == ' ')
        s++;
    if (!isdigit((unsigned char)*s))
        return 0;
    long x = 0;
    for (; isdigit((unsigned char)*s) && x < 100000000; s++)
        x = x * 10 + (*s - '0');
    *v = x;
    *p = s;
    return 1;
}

/* Copy the bytes of s up to (not including) `stop` or the end into dst
 * (cut to n-1 bytes); returns a pointer to the stop character or the end. */
static const char *copy_until(char *dst, size_t n, const char *s, char stop)
{
    size_t i = 0;
    while (*s && *s != stop) {
        if (i + 1 < n)
            dst[i++] = *s;
        s++;
    }
    dst[i] = '\0';
    return s;
}

/* Find needle in s, then parse the hex number after it. */
static int hex_after(const char *s, const char *needle, uint64_t *v)
{
    const char *q = strstr(s, needle);
    if (!q)
        return 0;
    q += strlen(needle);
    return parse_hex(&q, v);
}

static void event_init(hvp_trace_event *e, hvp_trace_kind kind, uint64_t line)
{
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->line = line;
    e->excno = -1;
    e->cpu = -1;
    e->from_el = e->to_el = -1;
}

/* ---- loop detection ----------------------------------------------------- */

static int same_event(const hvp_trace_event *a, const hvp_trace_event *b)
{
    if (a->kind != b->kind || a->excno != b->excno || a->have != b->have ||
        a->from_el != b->from_el || a->to_el != b->to_el || strcmp(a->name, b->name))
        return 0;
    if ((a->have & HVP_TEV_ESR) && (a->esr != b->esr || a->esr_ec != b->esr_ec))
        return 0;
    if ((a->have & HVP_TEV_FSR) && a->fsr != b->fsr)
        return 0;
    if ((a->have & HVP_TEV_FAR) && a->far != b->far)
        return 0;
    if ((a->have & HVP_TEV_PC) && a->pc != b->pc)
        return 0;
    if ((a->have & HVP_TEV_ELR) && a->elr != b->elr)
        return 0;
    return 1;
}

static void record_loop(hvp_trace *t, unsigned p)
{
    hvp_trace_summary *s = &t->s;
    if (s->nloops == HVP_TRACE_MAX_LOOPS) {
        s->loops_dropped++;
        return;
    }
    hvp_trace_loop *l = &s->loops[s->nloops++];
    memset(l, 0, sizeof *l);
    l->period = p;
    l->repeats = (t->match[p] + p) / p;
    l->start_line = t->mstart_line[p];
    l->end_line = t->mend_line[p];
    l->returns = t->mret_end[p] - t->mret_start[p];
    memcpy(l->cycle, t->mcycle[p], p * sizeof l->cycle[0]);
}

/* Close the runs of every period in `ending` (a bit per period) at once:
 * a run of period q is the same loop as a run of a divisor d < q ending
 * with it, so only the smallest period is recorded. */
static void end_runs(hvp_trace *t, unsigned ending)
{
    for (unsigned q = 1; q <= P; q++) {
        if (!(ending & (1u << q)))
            continue;
        int dup = 0;
        for (unsigned d = 1; d < q && !dup; d++)
            dup = (ending & (1u << d)) && q % d == 0 && t->match[d] >= t->match[q];
        if (!dup && (t->match[q] + q) / q > t->o.loop_threshold)
            record_loop(t, q);
    }
    for (unsigned q = 1; q <= P; q++)
        if (ending & (1u << q))
            t->match[q] = 0;
}

static void loop_feed(hvp_trace *t, const hvp_trace_event *e)
{
    uint64_t i = t->nseen;
    unsigned ending = 0;
    for (unsigned p = 1; p <= P; p++) {
        const hvp_trace_event *prev = i >= p ? &t->ring[(i - p) % P] : NULL;
        if (prev && same_event(e, prev)) {
            if (t->match[p] == 0) {
                t->mstart_line[p] = prev->line;
                t->mret_start[p] = t->ring_returns[(i - p) % P];
                for (unsigned k = 0; k < p; k++)
                    t->mcycle[p][k] = t->ring[(i - p + k) % P];
            }
            t->match[p]++;
            t->mend_line[p] = e->line;
            t->mret_end[p] = t->returns;
        } else if (t->match[p]) {
            ending |= 1u << p;
        }
    }
    if (ending)
        end_runs(t, ending);
    t->ring[i % P] = *e;
    t->ring_returns[i % P] = t->returns;
    t->nseen++;
}

/* ---- invalid accesses --------------------------------------------------- */

static void bad_other(hvp_trace *t)
{
    if (!t->have_pending_bad)
        return;
    t->s.bad_other++;
    if (!t->s.have_first_bad_other) {
        t->s.have_first_bad_other = 1;
        t->s.first_bad_other = t->pending_bad;
    }
    t->have_pending_bad = 0;
}

static void bad_access(hvp_trace *t, const hvp_trace_event *e)
{
    bad_other(t);
    t->have_pending_bad = 1;
    t->pending_bad = *e;
    if (t->run_count && e->far == t->run_next) {
        t->run_count++;
    } else {
        t->run_count = 1;
        t->run_first = e->far;
        t->run_line = e->line;
    }
    t->run_last = e->far;
    t->run_next = e->far + (e->size ? e->size : 1);
    if (t->run_count > t->s.sweep_count) {
        t->s.sweep_count = t->run_count;
        t->s.sweep_first = t->run_first;
        t->s.sweep_last = t->run_last;
        t->s.sweep_line = t->run_line;
    }
}

/* ---- event completion --------------------------------------------------- */

static void emit(hvp_trace *t, const hvp_trace_event *e)
{
    hvp_trace_summary *s = &t->s;
    s->kind_count[e->kind]++;
    if (e->kind == HVP_TRACE_EXCEPTION) {
        if (e->excno >= 0 && e->excno < HVP_TRACE_MAX_EXCNO) {
            if (!s->exc_count[e->excno]++)
                memcpy(s->exc_name[e->excno], e->name, sizeof s->exc_name[0]);
        } else {
            s->exc_other++;
        }
        if (t->have_pending_bad && (e->have & HVP_TEV_FAR) && e->far == t->pending_bad.far) {
            s->bad_guest++;
            t->have_pending_bad = 0;
        }
    }
    if (hvp_trace_event_is_fault(e) && !s->faults++) {
        s->have_first_fault = 1;
        s->first_fault = *e;
        if (t->have_last_exc) {
            s->have_fault_cause = 1;
            s->fault_cause = t->last_exc;
        }
    }
    if (e->kind == HVP_TRACE_EXCEPTION && !s->faults) {
        t->last_exc = *e;
        t->have_last_exc = 1;
    }
    if (s->timeline_len < t->o.first_n)
        t->tl[s->timeline_len++] = *e;
    switch (e->kind) {
    case HVP_TRACE_BAD_ACCESS: bad_access(t, e); break;
    case HVP_TRACE_EXC_RETURN: t->returns++; t->have_last_exc = 0; break;
    case HVP_TRACE_HALT: if (!s->halt_line) s->halt_line = e->line; break;
    default: break;
    }
    if (is_loop_event(e))
        loop_feed(t, e);
    if (t->o.on_event && !t->stop_rc)
        t->stop_rc = t->o.on_event(e, t->o.arg);
}

static void close_open(hvp_trace *t)
{
    if (t->have_open) {
        t->have_open = 0;
        emit(t, &t->open);
    }
}

/* ---- QEMU lines ----------------------------------------------------------- */

/* "Taking exception 3 [Prefetch Abort] on CPU 0" */
static int qemu_taking(hvp_trace *t, const char *s)
{
    long n, cpu;
    if (!parse_dec(&s, &n))
        return 0;
    event_init(&t->open, HVP_TRACE_EXCEPTION, t->s.lines);
    t->open.excno = (int)n;
    if (starts(s, " [", &s))
        s = copy_until(t->open.name, sizeof t->open.name, s, ']');
    if (*s == ']' && starts(s + 1, " on CPU", &s) && parse_dec(&s, &cpu))
        t->open.cpu = (int)cpu;
    t->have_open = 1;
    return 1;
}

static void set_far(hvp_trace_event *e, const char *name, uint64_t v)
{
    e->have |= HVP_TEV_FAR;
    e->far = v;
    snprintf(e->far_name, sizeof e->far_name, "%s", name);
}

/* "...from EL1 to EL1", "...with ESR 0x21/0x8600003f", "...with IFSR 0x5
 * IFAR 0xc", "...with DFSR 0x8 DFAR 0xe000000", "...with FAR/ELR/HIFAR/
 * HDFAR 0x..", "...to EL1 PC 0x.. PSTATE 0x..", "...handled as PSCI call". */
static void qemu_continuation(hvp_trace_event *e, const char *s)
{
    long a, b;
    uint64_t v, w;
    if (starts(s, "from EL", &s)) {
        if (parse_dec(&s, &a) && starts(s, " to EL", &s) && parse_dec(&s, &b)) {
            e->from_el = (int)a;
            e->to_el = (int)b;
            e->have |= HVP_TEV_EL;
        }
    } else if (starts(s, "to EL", &s)) {
        if (parse_dec(&s, &a) && starts(s, " PC", &s) && parse_hex(&s, &v)) {
            e->to_el = (int)a;
            e->pc = v;
            e->have |= HVP_TEV_PC;
            if (starts(s, " PSTATE", &s) && parse_hex(&s, &w)) {
                e->pstate = (uint32_t)w;
                e->have |= HVP_TEV_PSTATE;
            }
        }
    } else if (starts(s, "handled as PSCI call", NULL)) {
        e->psci = 1;
    } else if (starts(s, "with ", &s)) {
        /* KEY VALUE pairs */
        while (*s) {
            char key[8];
            size_t k = 0;
            while (*s == ' ')
                s++;
            while (isalpha((unsigned char)*s) && k + 1 < sizeof key)
                key[k++] = *s++;
            key[k] = '\0';
            if (!k || !parse_hex(&s, &v))
                break;
            if (!strcmp(key, "ESR")) {
                if (*s == '/' && (s++, parse_hex(&s, &w))) {
                    e->esr_ec = (uint32_t)v;
                    e->esr = (uint32_t)w;
                    e->have |= HVP_TEV_ESR;
                }
            } else if (!strcmp(key, "IFSR") || !strcmp(key, "DFSR")) {
                e->fsr = (uint32_t)v;
                e->fsr_is_ifsr = key[0] == 'I';
                e->have |= HVP_TEV_FSR;
            } else if (!strcmp(key, "IFAR") || !strcmp(key, "DFAR") || !strcmp(key, "FAR") ||
                       !strcmp(key, "HIFAR") || !strcmp(key, "HDFAR")) {
                set_far(e, key, v);
            } else if (!strcmp(key, "ELR")) {
                e->elr = v;
                e->have |= HVP_TEV_ELR;
            }
        }
    }
}

/* "AArch32 mode switch from svc to usr PC 0x40000038" and
 * "Exception return from AArch32 svc to usr PC 0x4000004c" */
static int qemu_mode(hvp_trace *t, const char *s, hvp_trace_kind kind)
{
    hvp_trace_event e;
    uint64_t v;
    event_init(&e, kind, t->s.lines);
    s = copy_until(e.from_mode, sizeof e.from_mode, s, ' ');
    if (!starts(s, " to ", &s))
        return 0;
    s = copy_until(e.to_mode, sizeof e.to_mode, s, ' ');
    if (starts(s, " PC", &s) && parse_hex(&s, &v)) {
        e.pc = v;
        e.have |= HVP_TEV_PC;
    }
    emit(t, &e);
    return 1;
}

/* "Invalid read at addr 0xFFFF0008, size 4, region '(null)', reason: rejected" */
static int qemu_invalid(hvp_trace *t, const char *s)
{
    hvp_trace_event e;
    uint64_t v;
    long n;
    event_init(&e, HVP_TRACE_BAD_ACCESS, t->s.lines);
    s = copy_until(e.access, sizeof e.access, s, ' ');
    if (!starts(s, " at addr", &s) || !parse_hex(&s, &v))
        return 0;
    set_far(&e, "addr", v);
    if (starts(s, ", size", &s) && parse_dec(&s, &n))
        e.size = (unsigned)n;
    if (starts(s, ", region '", &s))
        s = copy_until(e.region, sizeof e.region, s, '\'');
    const char *r = strstr(s, "reason: ");
    if (r)
        copy_until(e.reason, sizeof e.reason, r + 8, '\0');
    emit(t, &e);
    return 1;
}

/* ---- seL4 lines ------------------------------------------------------------ */

/* "Pagefault from [vm0]: read prefetch fault @ PC: 0x8 IPA: 0x8, FSR: 0x6"
 * (CAmkES VMM) or "... read fault at PC: 0x.. vaddr: 0x.., FSR 0x.."
 * (sel4utils). */
static int sel4_pagefault(hvp_trace *t, const char *s)
{
    hvp_trace_event *e = &t->open;
    uint64_t v;
    event_init(e, HVP_TRACE_VMM_FAULT, t->s.lines);
    s = copy_until(e->vm, sizeof e->vm, s, ']');
    if (starts(s, "]: ", &s)) {
        s = copy_until(e->access, sizeof e->access, s, ' ');
        if (*s == ' ')
            s++;
        snprintf(e->name, sizeof e->name, "%s",
                 starts(s, "prefetch fault", NULL) ? "prefetch fault" : "fault");
        e->fsr_is_ifsr = starts(s, "prefetch", NULL);
    }
    if (hex_after(s, "PC:", &v)) {
        e->pc = v;
        e->have |= HVP_TEV_PC;
    }
    if (hex_after(s, "IPA:", &v))
        set_far(e, "IPA", v);
    else if (hex_after(s, "vaddr:", &v))
        set_far(e, "vaddr", v);
    if (hex_after(s, "FSR:", &v) || hex_after(s, "FSR ", &v)) {
        e->fsr = (uint32_t)v;
        e->have |= HVP_TEV_FSR;
    }
    t->have_open = 1;
    return 1;
}

/* "Context:" and its "r0: 0x0" ... "pc: 0x8", "r14: ..", "sp: ..",
 * "cpsr: 0x..." lines, after a Pagefault report. */
static int sel4_context(hvp_trace_event *e, const char *s)
{
    uint64_t v;
    if (!strcmp(s, "Context:")) {
        e->have |= HVP_TEV_CONTEXT;
        return 1;
    }
    if (!(e->have & HVP_TEV_CONTEXT))
        return 0;
    char reg[8];
    const char *q = copy_until(reg, sizeof reg, s, ':');
    if (*q != ':' || !(q++, parse_hex(&q, &v)))
        return 0;
    if (!strcmp(reg, "cpsr")) {
        e->pstate = (uint32_t)v;
        e->have |= HVP_TEV_PSTATE;
    } else if (!strcmp(reg, "r14") || !strcmp(reg, "lr")) {
        e->lr = (uint32_t)v;
    } else if (!strcmp(reg, "sp") || !strcmp(reg, "r13")) {
        e->sp = (uint32_t)v;
    } else if (!strcmp(reg, "pc")) {
        if (!(e->have & HVP_TEV_PC)) {
            e->pc = v;
            e->have |= HVP_TEV_PC;
        }
    } else if (reg[0] != 'r' || !isdigit((unsigned char)reg[1])) {
        return 0;
    }
    return 1;
}

/* "vm fault on data at address 0x0 with status 0x6" (seL4 kernel); a
 * following "in thread 0x.. \"name\" at address 0x.." line gives the PC. */
static int sel4_vmfault(hvp_trace *t, const char *s)
{
    hvp_trace_event *e = &t->open;
    uint64_t v;
    event_init(e, HVP_TRACE_KERNEL_VM_FAULT, t->s.lines);
    s = copy_until(e->name, sizeof e->name, s, ' ');
    e->fsr_is_ifsr = !strcmp(e->name, "code");
    if (hex_after(s, "at address", &v))
        set_far(e, "address", v);
    if (hex_after(s, "with status", &v)) {
        e->fsr = (uint32_t)v;
        e->have |= HVP_TEV_FSR;
    }
    t->have_open = 1;
    return 1;
}

/* Skip blanks and ANSI SGR escapes ("\033[1;31m") at the start of a line. */
static const char *skip_decor(const char *s)
{
    for (;;) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (s[0] != '\033' || s[1] != '[')
            return s;
        s += 2;
        while (*s && !isalpha((unsigned char)*s))
            s++;
        if (*s)
            s++;
    }
}

/* Recognise one NUL-terminated line; returns 1 if it was part of an event. */
static int parse_line(hvp_trace *t, const char *s)
{
    const char *r;
    if (s[0] == '.' && starts(s, "...", &r)) {
        if (!t->have_open || t->open.kind != HVP_TRACE_EXCEPTION)
            return 0;
        qemu_continuation(&t->open, r);
        return 1;
    }
    s = skip_decor(s);
    if (t->have_open) {
        if (t->open.kind == HVP_TRACE_VMM_FAULT && sel4_context(&t->open, s))
            return 1;
        if (t->open.kind == HVP_TRACE_KERNEL_VM_FAULT && starts(s, "in thread ", &r)) {
            uint64_t v;
            const char *q = strstr(r, " at address");
            if (q && (q += 11, parse_hex(&q, &v))) {
                t->open.pc = v;
                t->open.have |= HVP_TEV_PC;
            }
            return 1;
        }
        close_open(t);
    }
    switch (s[0]) {
    case 'T':
        if (starts(s, "Taking exception ", &r))
            return qemu_taking(t, r);
        break;
    case 'A':
        if (starts(s, "AArch32 mode switch from ", &r))
            return qemu_mode(t, r, HVP_TRACE_MODE_SWITCH);
        break;
    case 'E':
        if (starts(s, "Exception return from AArch32 ", &r))
            return qemu_mode(t, r, HVP_TRACE_EXC_RETURN);
        break;
    case 'I':
        if (starts(s, "Invalid ", &r) && strstr(r, " at addr "))
            return qemu_invalid(t, r);
        break;
    default:
        break;
    }
    /* Serial-console reports may follow a prompt or a component prefix. */
    if ((r = strstr(s, "Pagefault from [")))
        return sel4_pagefault(t, r + 16);
    if ((r = strstr(s, "Page Fault at PC:"))) {
        hvp_trace_event e;
        uint64_t v;
        event_init(&e, HVP_TRACE_OLD_PAGE_FAULT, t->s.lines);
        r += 17;
        if (parse_hex(&r, &v)) {
            e.pc = v;
            e.have |= HVP_TEV_PC;
        }
        emit(t, &e);
        return 1;
    }
    if ((r = strstr(s, "vm fault on ")))
        return sel4_vmfault(t, r + 12);
    if ((r = strstr(s, "OnDemandInstall: Created "))) {
        hvp_trace_event e;
        uint64_t v;
        const char *a;
        event_init(&e, HVP_TRACE_VMM_MAP, t->s.lines);
        r += 25;
        snprintf(e.name, sizeof e.name, "%s", starts(r, "device-backed", &a) ? "device" : starts(r, "RAM-backed", &a)
                                                                                  ? "RAM" : "memory");
        if ((a = strstr(r, " for addr ")) && (a += 10, parse_hex(&a, &v))) {
            e.far = v;
            e.have |= HVP_TEV_FAR;
            snprintf(e.far_name, sizeof e.far_name, "IPA");
        }
        emit(t, &e);
        return 1;
    }
    if (strstr(s, "Halting...")) {
        hvp_trace_event e;
        event_init(&e, HVP_TRACE_HALT, t->s.lines);
        emit(t, &e);
        return 1;
    }
    return 0;
}

/* Process the line in t->line[0..len) (cut if it overflowed). */
static void finish_line(hvp_trace *t)
{
    t->s.lines++;
    if (t->overflow)
        t->s.long_lines++;
    if (t->len && t->line[t->len - 1] == '\r')
        t->len--;
    t->line[t->len] = '\0';
    if (parse_line(t, t->line))
        t->s.recognised++;
    t->len = 0;
    t->overflow = 0;
}

/* ---- public entry points ---------------------------------------------- */

int hvp_trace_new(const hvp_trace_opts *opts, hvp_trace **out, hvp_error *err)
{
    if (!out)
        return hvp_fail(err, HVP_E_INVAL, "hvp_trace_new needs an output pointer");
    *out = NULL;
    hvp_trace *t = calloc(1, sizeof *t);
    if (!t)
        return hvp_fail(err, HVP_E_NOMEM, "out of memory for the trace parser");
    if (opts)
        t->o = *opts;
    else
        t->o.first_n = 20;
    if (t->o.first_n > 100000)
        t->o.first_n = 100000;
    if (!t->o.loop_threshold)
        t->o.loop_threshold = 100;
    if (!t->o.max_line)
        t->o.max_line = 4096;
    if (t->o.max_line < 128)
        t->o.max_line = 128;
    t->line = malloc(t->o.max_line + 1);
    t->tl = calloc(t->o.first_n ? t->o.first_n : 1, sizeof *t->tl);
    if (!t->line || !t->tl) {
        hvp_trace_free(t);
        return hvp_fail(err, HVP_E_NOMEM, "out of memory for the trace parser");
    }
    t->s.timeline = t->tl;
    *out = t;
    return HVP_OK;
}

void hvp_trace_free(hvp_trace *t)
{
    if (!t)
        return;
    free(t->line);
    free(t->tl);
    free(t);
}

int hvp_trace_feed(hvp_trace *t, const void *data, size_t n, hvp_error *err)
{
    if (!t || (!data && n))
        return hvp_fail(err, HVP_E_INVAL, "hvp_trace_feed needs a parser and data");
    if (t->finished)
        return hvp_fail(err, HVP_E_INVAL, "the trace was already finished");
    const char *p = data, *end = p + n;
    t->s.bytes += n;
    while (p < end && !t->stop_rc) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t seg = (size_t)((nl ? nl : end) - p);
        size_t room = t->o.max_line - t->len;
        if (seg > room) {
            t->overflow = 1;
            memcpy(t->line + t->len, p, room);
            t->len += room;
        } else {
            memcpy(t->line + t->len, p, seg);
            t->len += seg;
        }
        if (!nl)
            break;
        finish_line(t);
        p = nl + 1;
    }
    return t->stop_rc;
}

int hvp_trace_line(hvp_trace *t, const char *line, size_t len, hvp_error *err)
{
    if (!t || (!line && len))
        return hvp_fail(err, HVP_E_INVAL, "hvp_trace_line needs a parser and a line");
    if (t->finished)
        return hvp_fail(err, HVP_E_INVAL, "the trace was already finished");
    if (t->len)              /* a partial line from hvp_trace_feed ends here */
        finish_line(t);
    if (len && line[len - 1] == '\n')
        len--;
    t->s.bytes += len + 1;
    if (len > t->o.max_line) {
        len = t->o.max_line;
        t->overflow = 1;
    }
    memcpy(t->line, line, len);
    t->len = len;
    finish_line(t);
    return t->stop_rc;
}

int hvp_trace_finish(hvp_trace *t, hvp_error *err)
{
    if (!t)
        return hvp_fail(err, HVP_E_INVAL, "hvp_trace_finish needs a parser");
    if (t->finished)
        return t->stop_rc;
    if (t->len || t->overflow)
        finish_line(t);
    close_open(t);
    bad_other(t);
    unsigned ending = 0;
    for (unsigned p = 1; p <= P; p++)
        if (t->match[p])
            ending |= 1u << p;
    end_runs(t, ending);
    t->finished = 1;
    return t->stop_rc;
}

const hvp_trace_summary *hvp_trace_summary_get(const hvp_trace *t)
{
    return t ? &t->s : NULL;
}
