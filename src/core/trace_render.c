/*
 * trace_render.c - turn a finished trace (core/trace.h) into the text
 * report of `hvprobe trace` or its JSON document, including a short
 * "reading" of what the events say about where exceptions went.
 */
#include "core/trace.h"
#include "arch/arm/fault.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Name of the ARMv7-A vector slot at `addr` if it is one (base 0 or the
 * high vectors 0xffff0000), else NULL. */
static const char *vector_slot(uint64_t addr, uint64_t *base)
{
    static const char *const names[8] = {
        "Reset", "Undefined Instruction", "SVC", "Prefetch Abort",
        "Data Abort", "Hyp trap (unused)", "IRQ", "FIQ",
    };
    uint64_t b = addr >= 0xffff0000u && addr < 0xffff0020u ? 0xffff0000u : 0;
    if ((addr - b) >= 0x20 || (addr & 3))
        return NULL;
    *base = b;
    return names[(addr - b) / 4];
}

/* Decode the fault status of an event into `out` ("" when it has none).
 * QEMU IFSR/DFSR: the AArch32 register, format from its LPAE bit.  seL4
 * FSR/status: an HSR when it has an exception class, else a 6-bit
 * long-descriptor status code for the VMM (which passes on HSR bits),
 * and an IFSR/DFSR (format from the LPAE bit) for the kernel's reports. */
static void decode_fsr(const hvp_trace_event *e, char *out, size_t n)
{
    arm_fsr_info fi;
    out[0] = '\0';
    if (!(e->have & HVP_TEV_FSR))
        return;
    if (e->kind == HVP_TRACE_EXCEPTION) {
        if (!arm_fsr_decode(e->fsr, -1, e->fsr_is_ifsr, &fi))
            snprintf(out, n, "%s", fi.name);
    } else if (e->fsr >> 26) {
        arm_hsr_info h;
        if (!arm_hsr_decode(e->fsr, &h))
            snprintf(out, n, "HSR: %s%s%s", h.class_name, h.is_abort ? ", " : "",
                     h.is_abort ? h.fsc.name : "");
    } else if (e->kind == HVP_TRACE_KERNEL_VM_FAULT) {
        if (!arm_fsr_decode(e->fsr, -1, e->fsr_is_ifsr, &fi))
            snprintf(out, n, "%s", fi.name);
    } else {
        arm_lfsc_decode(e->fsr & 0x3f, e->fsr_is_ifsr, &fi);
        snprintf(out, n, "as a fault status code: %s", fi.name);
    }
}

#define APPEND(...) do { size_t _u = strlen(buf); \
        if (_u < n) snprintf(buf + _u, n - _u, __VA_ARGS__); } while (0)

/* One line describing an event, without the line number. */
static void describe(const hvp_trace_event *e, char *buf, size_t n)
{
    char dec[128];
    buf[0] = '\0';
    decode_fsr(e, dec, sizeof dec);
    switch (e->kind) {
    case HVP_TRACE_EXCEPTION:
        APPEND("%s", e->name[0] ? e->name : "exception");
        if (e->have & HVP_TEV_FAR)
            APPEND(" at %s 0x%" PRIx64, e->far_name, e->far);
        if (e->have & HVP_TEV_FSR)
            APPEND(", %s 0x%x (%s)", e->fsr_is_ifsr ? "IFSR" : "DFSR", e->fsr, dec);
        if (e->have & HVP_TEV_EL)
            APPEND(", EL%d->EL%d", e->from_el, e->to_el);
        if (e->have & HVP_TEV_ESR)
            APPEND(", ESR 0x%x/0x%x", e->esr_ec, e->esr);
        if (e->have & HVP_TEV_PC)
            APPEND(", to PC 0x%" PRIx64, e->pc);
        if (e->have & HVP_TEV_ELR)
            APPEND(", ELR 0x%" PRIx64, e->elr);
        if (e->psci)
            APPEND(", handled as PSCI call");
        break;
    case HVP_TRACE_MODE_SWITCH:
    case HVP_TRACE_EXC_RETURN:
        APPEND("%s %s -> %s", e->kind == HVP_TRACE_MODE_SWITCH ? "mode switch" : "exception return",
               e->from_mode, e->to_mode);
        if (e->have & HVP_TEV_PC)
            APPEND(", PC 0x%" PRIx64, e->pc);
        break;
    case HVP_TRACE_BAD_ACCESS:
        APPEND("invalid %s at 0x%" PRIx64 ", size %u, region '%s', %s",
               e->access, e->far, e->size, e->region, e->reason);
        break;
    case HVP_TRACE_VMM_FAULT:
        APPEND("seL4 VMM: [%s] %s %s", e->vm, e->access, e->name);
        if (e->have & HVP_TEV_PC)
            APPEND(" at PC 0x%" PRIx64, e->pc);
        if (e->have & HVP_TEV_FAR)
            APPEND(", %s 0x%" PRIx64, e->far_name, e->far);
        if (e->have & HVP_TEV_FSR)
            APPEND(", FSR 0x%x (%s)", e->fsr, dec);
        if (e->have & HVP_TEV_PSTATE)
            APPEND(", cpsr 0x%x", e->pstate);
        if (e->have & HVP_TEV_CONTEXT)
            APPEND(", lr 0x%x", e->lr);
        break;
    case HVP_TRACE_OLD_PAGE_FAULT:
        APPEND("seL4 VMM: page fault");
        if (e->have & HVP_TEV_PC)
            APPEND(" at PC 0x%" PRIx64, e->pc);
        break;
    case HVP_TRACE_KERNEL_VM_FAULT:
        APPEND("seL4 kernel: vm fault on %s", e->name);
        if (e->have & HVP_TEV_FAR)
            APPEND(" at address 0x%" PRIx64, e->far);
        if (e->have & HVP_TEV_FSR)
            APPEND(", status 0x%x (%s)", e->fsr, dec);
        if (e->have & HVP_TEV_PC)
            APPEND(", PC 0x%" PRIx64, e->pc);
        break;
    case HVP_TRACE_HALT:
        APPEND("seL4 kernel: Halting...");
        break;
    case HVP_TRACE_VMM_MAP:
        APPEND("seL4 VMM: mapped %s memory on demand", e->name);
        if (e->have & HVP_TEV_FAR)
            APPEND(" at IPA 0x%" PRIx64, e->far);
        APPEND(" (a guest stage-2 fault it resolved)");
        break;
    default:
        break;
    }
}

/* "loop: Prefetch Abort at IFAR 0xc repeated 12345 times, starting at line L" */
static void describe_loop(const hvp_trace_loop *l, char *buf, size_t n)
{
    char one[256];
    buf[0] = '\0';
    if (l->period == 1) {
        const hvp_trace_event *e = &l->cycle[0];
        uint64_t a;
        const char *what;
        if (e->kind == HVP_TRACE_EXCEPTION && hvp_trace_event_addr(e, &a, &what))
            snprintf(one, sizeof one, "%s at %s 0x%" PRIx64, e->name, what, a);
        else if (e->kind == HVP_TRACE_EXCEPTION)
            snprintf(one, sizeof one, "%s (no address logged, ESR 0x%x/0x%x)", e->name,
                     e->esr_ec, e->esr);
        else
            describe(e, one, sizeof one);
        APPEND("loop: %s repeated %" PRIu64 " times", one, l->repeats);
    } else {
        APPEND("loop: a cycle of %u exceptions (", l->period);
        for (unsigned k = 0; k < l->period; k++) {
            uint64_t a;
            const char *what;
            const hvp_trace_event *e = &l->cycle[k];
            APPEND("%s%s", k ? ", " : "", e->name[0] ? e->name : hvp_trace_kind_name(e->kind));
            if (hvp_trace_event_addr(e, &a, &what))
                APPEND(" at %s 0x%" PRIx64, what, a);
        }
        APPEND(") repeated %" PRIu64 " times", l->repeats);
    }
    APPEND(", starting at line %" PRIu64 " (last at line %" PRIu64 "); ", l->start_line, l->end_line);
    if (l->returns)
        APPEND("%" PRIu64 " exception returns in between", l->returns);
    else
        APPEND("no exception return in between: the handler never completes");
}

/* Short sentences saying what the events mean; `add` is called per line. */
static int reading(const hvp_trace_summary *s, int (*add)(void *, const char *), void *arg)
{
    char b[512];
    uint64_t a, base;
    const char *what, *slot;
    int rc = 0;
    if (!s->recognised)
        return add(arg, "nothing recognised: this does not look like a QEMU -d int log or a "
                        "serial log with seL4 fault reports");
    if (s->have_fault_cause) {
        const hvp_trace_event *c = &s->fault_cause;
        snprintf(b, sizeof b,
                 "the first fault (%s, line %" PRIu64 ") came straight after %s (line %" PRIu64
                 ") with no exception return in between: it happened while entering %s's "
                 "vector or running its handler", s->first_fault.name[0] ? s->first_fault.name : "fault",
                 s->first_fault.line, c->name, c->line, c->name);
        if ((rc = add(arg, b)))
            return rc;
    }
    if (s->have_first_fault && hvp_trace_event_addr(&s->first_fault, &a, &what) &&
        (slot = vector_slot(a, &base)) &&
        (s->first_fault.fsr_is_ifsr || s->first_fault.kind == HVP_TRACE_OLD_PAGE_FAULT ||
         strstr(s->first_fault.name, "Prefetch"))) {
        snprintf(b, sizeof b,
                 "the first fault is an instruction fetch from 0x%" PRIx64 ", the %s vector "
                 "with the vector base at 0x%" PRIx64 ": the CPU took an exception and found "
                 "nothing it could execute where it looks for the vector table", a, slot, base);
        if ((rc = add(arg, b)))
            return rc;
    }
    for (size_t i = 0; i < s->nloops; i++) {
        const hvp_trace_event *e = &s->loops[i].cycle[0];
        if (s->loops[i].period != 1 || s->loops[i].returns)
            continue;
        if (hvp_trace_event_addr(e, &a, &what) && (slot = vector_slot(a, &base)) &&
            !strcmp(slot, "Prefetch Abort") && strstr(e->name, "Prefetch")) {
            snprintf(b, sizeof b,
                     "the Prefetch Abort vector (0x%" PRIx64 ") cannot be fetched either, so "
                     "every prefetch abort raises another one: an exception storm, the guest "
                     "never runs again", a);
        } else if (e->kind == HVP_TRACE_EXCEPTION && e->excno == 1) {
            snprintf(b, sizeof b,
                     "Undefined Instruction repeats without a return: the Undefined "
                     "Instruction vector itself holds no valid instruction (data, or an empty "
                     "table), so each one raises the next");
        } else {
            continue;
        }
        if ((rc = add(arg, b)))
            return rc;
    }
    if (s->sweep_count >= 16) {
        snprintf(b, sizeof b,
                 "%" PRIu64 " invalid accesses at consecutive addresses 0x%" PRIx64 "..0x%" PRIx64
                 " (from line %" PRIu64 "): a CPU executing through memory nothing backs "
                 "without taking an abort, or a debugger dumping a range",
                 s->sweep_count, s->sweep_first, s->sweep_last, s->sweep_line);
        if ((rc = add(arg, b)))
            return rc;
    }
    if (s->bad_other) {
        snprintf(b, sizeof b,
                 "%" PRIu64 " invalid access%s not followed by an abort at the same address: "
                 "QEMU logs a debugger's or monitor's own reads (gdb x, monitor x/xp) exactly "
                 "like the guest's, so these are not necessarily guest behaviour",
                 s->bad_other, s->bad_other == 1 ? " was" : "es were");
        if ((rc = add(arg, b)))
            return rc;
    }
    if (!s->faults && s->kind_count[HVP_TRACE_EXCEPTION])
        rc = add(arg, "no faults: exceptions were taken, none of them an abort or an undefined "
                      "instruction");
    else if (s->faults && !s->nloops && s->kind_count[HVP_TRACE_EXC_RETURN] &&
             s->kind_count[HVP_TRACE_EXC_RETURN] >= s->kind_count[HVP_TRACE_EXCEPTION])
        rc = add(arg, "every exception was followed by an exception return: the handlers ran "
                      "and returned");
    if (!rc && s->halt_line)
        rc = add(arg, "the seL4 kernel halted (\"Halting...\")");
    return rc;
}

/* The reading, with "nothing unusual" when no rule had anything to say. */
struct count_ctx {
    int (*add)(void *, const char *);
    void *arg;
    int n;
};

static int count_add(void *arg, const char *line)
{
    struct count_ctx *c = arg;
    c->n++;
    return c->add(c->arg, line);
}

static int reading_all(const hvp_trace_summary *s, int (*add)(void *, const char *), void *arg)
{
    struct count_ctx c = { add, arg, 0 };
    int rc = reading(s, count_add, &c);
    if (!rc && !c.n)
        rc = add(arg, "nothing unusual: no loop, and no fault at a vector address");
    return rc;
}

/* ---- text -------------------------------------------------------------- */

struct text_ctx {
    hvp_buf *out;
};

static int text_reading(void *arg, const char *line)
{
    struct text_ctx *c = arg;
    return hvp_buf_printf(c->out, "  - %s\n", line);
}

static int fmt_size(uint64_t bytes, char *b, size_t n)
{
    if (bytes >= (1u << 20))
        return snprintf(b, n, "%.1f MiB", (double)bytes / (1 << 20));
    return snprintf(b, n, "%" PRIu64 " bytes", bytes);
}

int hvp_trace_render_text(const hvp_trace *t, const char *source, hvp_buf *out, hvp_error *err)
{
    const hvp_trace_summary *s = hvp_trace_summary_get(t);
    char line[1024], size[32];
    int rc = 0;
    if (!s || !out)
        return hvp_fail(err, HVP_E_INVAL, "hvp_trace_render_text needs a trace and a buffer");
#define OUT(...) do { if (!rc) rc = hvp_buf_printf(out, __VA_ARGS__); } while (0)
    fmt_size(s->bytes, size, sizeof size);
    OUT("trace: %s\n", source ? source : "(input)");
    OUT("  %" PRIu64 " lines (%s), %" PRIu64 " recognised", s->lines, size, s->recognised);
    if (s->long_lines)
        OUT(", %" PRIu64 " over-long lines cut", s->long_lines);
    OUT("\n\nevents:\n");
    for (int i = 0; i < HVP_TRACE_MAX_EXCNO; i++)
        if (s->exc_count[i])
            OUT("  %-30s %12" PRIu64 "   (QEMU exception %d)\n", s->exc_name[i], s->exc_count[i], i);
    if (s->exc_other)
        OUT("  %-30s %12" PRIu64 "\n", "other exceptions", s->exc_other);
    static const char *const labels[HVP_TRACE_KIND_COUNT] = {
        NULL, "AArch32 mode switches", "exception returns", "invalid accesses",
        "seL4 VMM page faults", "seL4 'Page Fault at PC'", "seL4 kernel vm faults",
        "seL4 kernel halts", "seL4 VMM on-demand mappings",
    };
    for (int k = 1; k < HVP_TRACE_KIND_COUNT; k++)
        if (s->kind_count[k])
            OUT("  %-30s %12" PRIu64 "\n", labels[k], s->kind_count[k]);
    if (!s->recognised)
        OUT("  (none)\n");
    OUT("\nfaults: %" PRIu64 "\n", s->faults);
    if (s->have_first_fault) {
        describe(&s->first_fault, line, sizeof line);
        OUT("first fault (line %" PRIu64 "): %s\n", s->first_fault.line, line);
    }
    for (size_t i = 0; i < s->nloops; i++) {
        describe_loop(&s->loops[i], line, sizeof line);
        OUT("%s\n", line);
    }
    if (s->loops_dropped)
        OUT("(%" PRIu64 " more loops not listed)\n", s->loops_dropped);
    if (s->kind_count[HVP_TRACE_BAD_ACCESS]) {
        OUT("invalid accesses: %" PRIu64 " followed by an abort at the same address (the guest's), "
            "%" PRIu64 " not (maybe a debugger's or monitor's own reads)\n", s->bad_guest, s->bad_other);
        if (s->have_first_bad_other) {
            describe(&s->first_bad_other, line, sizeof line);
            OUT("  first without an abort (line %" PRIu64 "): %s\n", s->first_bad_other.line, line);
        }
    }
    OUT("\nreading:\n");
    struct text_ctx c = { out };
    if (!rc)
        rc = reading_all(s, text_reading, &c);
    uint64_t total = 0;
    for (int k = 0; k < HVP_TRACE_KIND_COUNT; k++)
        total += s->kind_count[k];
    if (s->timeline_len) {
        OUT("\ntimeline (first %zu of %" PRIu64 " events):\n", s->timeline_len, total);
        for (size_t i = 0; i < s->timeline_len; i++) {
            describe(&s->timeline[i], line, sizeof line);
            OUT("  %10" PRIu64 "  %s\n", s->timeline[i].line, line);
        }
    }
#undef OUT
    return rc ? hvp_fail(err, HVP_E_NOMEM, "out of memory rendering the trace") : HVP_OK;
}

/* ---- JSON -------------------------------------------------------------- */

static json_t *jhex(uint64_t v)
{
    char b[24];
    snprintf(b, sizeof b, "0x%" PRIx64, v);
    return json_string(b);
}

static json_t *event_json(const hvp_trace_event *e)
{
    char b[512];
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "line", json_integer((json_int_t)e->line));
    json_object_set_new(o, "kind", json_string(hvp_trace_kind_name(e->kind)));
    describe(e, b, sizeof b);
    json_object_set_new(o, "text", json_string(b));
    json_object_set_new(o, "fault", json_boolean(hvp_trace_event_is_fault(e)));
    if (e->excno >= 0)
        json_object_set_new(o, "exception", json_integer(e->excno));
    if (e->name[0])
        json_object_set_new(o, "name", json_string(e->name));
    if (e->cpu >= 0)
        json_object_set_new(o, "cpu", json_integer(e->cpu));
    if (e->have & HVP_TEV_EL) {
        json_object_set_new(o, "from_el", json_integer(e->from_el));
        json_object_set_new(o, "to_el", json_integer(e->to_el));
    }
    if (e->have & HVP_TEV_ESR) {
        json_object_set_new(o, "esr_ec", jhex(e->esr_ec));
        json_object_set_new(o, "esr", jhex(e->esr));
    }
    if (e->have & HVP_TEV_FSR) {
        decode_fsr(e, b, sizeof b);
        json_object_set_new(o, "fsr", jhex(e->fsr));
        json_object_set_new(o, "fsr_instruction", json_boolean(e->fsr_is_ifsr));
        json_object_set_new(o, "fsr_decoded", json_string(b));
    }
    if (e->have & HVP_TEV_FAR) {
        json_object_set_new(o, "far_register", json_string(e->far_name));
        json_object_set_new(o, "far", jhex(e->far));
    }
    if (e->have & HVP_TEV_PC)
        json_object_set_new(o, "pc", jhex(e->pc));
    if (e->have & HVP_TEV_PSTATE)
        json_object_set_new(o, "pstate", jhex(e->pstate));
    if (e->have & HVP_TEV_ELR)
        json_object_set_new(o, "elr", jhex(e->elr));
    if (e->from_mode[0]) {
        json_object_set_new(o, "from_mode", json_string(e->from_mode));
        json_object_set_new(o, "to_mode", json_string(e->to_mode));
    }
    if (e->kind == HVP_TRACE_BAD_ACCESS) {
        json_object_set_new(o, "access", json_string(e->access));
        json_object_set_new(o, "size", json_integer(e->size));
        json_object_set_new(o, "region", json_string(e->region));
        json_object_set_new(o, "reason", json_string(e->reason));
    }
    if (e->kind == HVP_TRACE_VMM_FAULT) {
        json_object_set_new(o, "vm", json_string(e->vm));
        json_object_set_new(o, "access", json_string(e->access));
    }
    if (e->have & HVP_TEV_CONTEXT) {
        json_object_set_new(o, "lr", jhex(e->lr));
        json_object_set_new(o, "sp", jhex(e->sp));
    }
    if (e->psci)
        json_object_set_new(o, "psci", json_true());
    return o;
}

static int json_reading(void *arg, const char *line)
{
    return json_array_append_new(arg, json_string(line)) ? -1 : 0;
}

int hvp_trace_render_json(const hvp_trace *t, const char *source, hvp_buf *out, hvp_error *err)
{
    const hvp_trace_summary *s = hvp_trace_summary_get(t);
    char b[1024];
    if (!s || !out)
        return hvp_fail(err, HVP_E_INVAL, "hvp_trace_render_json needs a trace and a buffer");
    json_t *root = json_object(), *kinds = json_object(), *exc = json_array(),
           *loops = json_array(), *tl = json_array(), *rd = json_array(), *bad = json_object();
    if (!root || !kinds || !exc || !loops || !tl || !rd || !bad) {
        json_decref(root), json_decref(kinds), json_decref(exc), json_decref(loops);
        json_decref(tl), json_decref(rd), json_decref(bad);
        return hvp_fail(err, HVP_E_NOMEM, "out of memory rendering the trace");
    }
    json_object_set_new(root, "source", source ? json_string(source) : json_null());
    json_object_set_new(root, "lines", json_integer((json_int_t)s->lines));
    json_object_set_new(root, "bytes", json_integer((json_int_t)s->bytes));
    json_object_set_new(root, "recognised", json_integer((json_int_t)s->recognised));
    json_object_set_new(root, "long_lines", json_integer((json_int_t)s->long_lines));
    for (int k = 0; k < HVP_TRACE_KIND_COUNT; k++)
        json_object_set_new(kinds, hvp_trace_kind_name(k), json_integer((json_int_t)s->kind_count[k]));
    json_object_set_new(root, "events", kinds);
    for (int i = 0; i < HVP_TRACE_MAX_EXCNO; i++) {
        if (!s->exc_count[i])
            continue;
        json_t *x = json_object();
        json_object_set_new(x, "number", json_integer(i));
        json_object_set_new(x, "name", json_string(s->exc_name[i]));
        json_object_set_new(x, "count", json_integer((json_int_t)s->exc_count[i]));
        json_array_append_new(exc, x);
    }
    json_object_set_new(root, "exceptions", exc);
    json_object_set_new(root, "exceptions_other", json_integer((json_int_t)s->exc_other));
    json_object_set_new(root, "faults", json_integer((json_int_t)s->faults));
    json_object_set_new(root, "first_fault", s->have_first_fault ? event_json(&s->first_fault) : json_null());
    for (size_t i = 0; i < s->nloops; i++) {
        const hvp_trace_loop *l = &s->loops[i];
        json_t *x = json_object(), *cy = json_array();
        describe_loop(l, b, sizeof b);
        json_object_set_new(x, "text", json_string(b));
        json_object_set_new(x, "period", json_integer(l->period));
        json_object_set_new(x, "repeats", json_integer((json_int_t)l->repeats));
        json_object_set_new(x, "start_line", json_integer((json_int_t)l->start_line));
        json_object_set_new(x, "end_line", json_integer((json_int_t)l->end_line));
        json_object_set_new(x, "returns", json_integer((json_int_t)l->returns));
        for (unsigned k = 0; k < l->period; k++)
            json_array_append_new(cy, event_json(&l->cycle[k]));
        json_object_set_new(x, "cycle", cy);
        json_array_append_new(loops, x);
    }
    json_object_set_new(root, "loops", loops);
    json_object_set_new(root, "loops_dropped", json_integer((json_int_t)s->loops_dropped));
    json_object_set_new(bad, "total", json_integer((json_int_t)s->kind_count[HVP_TRACE_BAD_ACCESS]));
    json_object_set_new(bad, "followed_by_abort", json_integer((json_int_t)s->bad_guest));
    json_object_set_new(bad, "not_followed_by_abort", json_integer((json_int_t)s->bad_other));
    json_object_set_new(bad, "first_not_followed", s->have_first_bad_other ?
                        event_json(&s->first_bad_other) : json_null());
    if (s->sweep_count) {
        json_t *sw = json_object();
        json_object_set_new(sw, "count", json_integer((json_int_t)s->sweep_count));
        json_object_set_new(sw, "first", jhex(s->sweep_first));
        json_object_set_new(sw, "last", jhex(s->sweep_last));
        json_object_set_new(sw, "line", json_integer((json_int_t)s->sweep_line));
        json_object_set_new(bad, "longest_consecutive_run", sw);
    }
    json_object_set_new(root, "invalid_accesses", bad);
    json_object_set_new(root, "halt_line", s->halt_line ? json_integer((json_int_t)s->halt_line) : json_null());
    reading_all(s, json_reading, rd);
    json_object_set_new(root, "reading", rd);
    for (size_t i = 0; i < s->timeline_len; i++)
        json_array_append_new(tl, event_json(&s->timeline[i]));
    json_object_set_new(root, "timeline", tl);
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    int rc = text ? hvp_buf_printf(out, "%s\n", text) : HVP_E_NOMEM;
    free(text);
    return rc ? hvp_fail(err, HVP_E_NOMEM, "out of memory rendering the trace as JSON") : HVP_OK;
}

int hvp_trace_render(const hvp_trace *t, const char *source, int json, char **out, hvp_error *err)
{
    hvp_buf b = { 0 };
    *out = NULL;
    int rc = json ? hvp_trace_render_json(t, source, &b, err)
                  : hvp_trace_render_text(t, source ? source : "(standard input)", &b, err);
    if (rc) {
        hvp_buf_free(&b);
        return rc;
    }
    *out = b.data ? hvp_buf_steal(&b) : strdup("");
    return *out ? HVP_OK : hvp_fail(err, HVP_E_NOMEM, "out of memory rendering the trace");
}
