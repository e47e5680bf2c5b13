/*
 * matrix_cell.c - one cell of the routing matrix (hvprobe/matrix.h): the
 * probe under one backend, captured at probe_raise, then heard out.
 *
 *   1. launch halted (-S); probes that need Hyp get virtualization=on
 *      where the column offers it (tcg-virt);
 *   2. breakpoint at probe_raise; a probe that cannot run here says
 *      "probe: n/a: ..." instead of reaching it, which ends the wait;
 *   3. capture there (the state the exception is raised in), leaving the
 *      guest halted;
 *   4. detach from the gdbstub: QEMU removes the breakpoint and lets the
 *      guest run, and the exception is raised;
 *   5. listen until the guest says "probe: end" or the column's listening
 *      time passes (silence is an answer: no handler of the probe ran);
 *   6. judge the guest's word against hvprobe's verdict for that vector.
 */
#include "hvprobe/matrix.h"
#include "hvprobe/debug.h"
#include "hvprobe/launch.h"
#include "hvprobe/session.h"
#include "hvprobe/snapshot.h"
#include "util/clock.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void say(const hvp_matrix_cell_opts *o, const char *fmt, ...)
{
    if (!o->progress)
        return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    o->progress(o->ctx, msg);
}

static int cancelled(void *ctx)
{
    const hvp_matrix_cell_opts *o = ctx;
    return o->cancelled && o->cancelled(o->ctx);
}

/* Record a failure in the cell and pass the code on. */
static int fail(hvp_matrix_cell *c, hvp_mx_status st, int rc, const hvp_error *err)
{
    c->status = st;
    snprintf(c->message, sizeof c->message, "%s", err->msg);
    return rc;
}

/* Run the guest to trigger t and keep its serial output (the run's window)
 * in serial; HVP_RUN_WAITING when the output showed `stop` first. */
static int watch(const hvp_matrix_cell_opts *o, hvp_guest *g, const hvp_trigger *t, const char *stop, char *serial,
                 size_t nserial, hvp_error *err)
{
    hvp_run_events ev = { .cancelled = cancelled, .ctx = (void *)o };
    hvp_run *r = NULL;
    int rc = hvp_run_begin(g, t, &ev, &r, err);
    if (rc)
        return rc;
    while ((rc = hvp_run_poll(r, 100, err)) == HVP_RUN_WAITING)
        if (stop && strstr(hvp_run_serial_window(r), stop))
            break;
    snprintf(serial, nserial, "%s", hvp_run_serial_window(r));
    hvp_run_end(r);
    return rc;
}

/* Steps 2-3: run to probe_raise (or "probe: n/a") and capture there. */
static int to_raise(const hvp_matrix_cell_opts *o, hvp_guest *g, const char *probe, const hvp_matrix_column *col,
                    long deadline, int *raised, hvp_snapshot **snap, char *serial, size_t nserial, hvp_error *err)
{
    uint64_t pc;
    int rc = hvp_elf_symbol_addr(probe, "probe_raise", &pc, err);
    if (rc)
        return rc;
    hvp_trigger t = { .kind = HVP_TRIGGER_PC, .pc = pc };
    long left = deadline - hvp_now_ms();    /* one start budget: launch to probe_raise */
    t.timeout_ms = left > 1000 ? (int)left : 1000;
    rc = watch(o, g, &t, "probe: n/a: ", serial, nserial, err);
    if (rc == HVP_RUN_WAITING)      /* the probe said n/a */
        return HVP_OK;
    if (rc)
        return rc;
    *raised = 1;
    say(o, "at probe_raise (0x%llx): capturing", (unsigned long long)pc);
    hvp_capture_opts co = { .elf = probe, .label = col->name, .keep_halted = 1 };
    return hvp_guest_capture(g, &co, snap, err);
}

/* Steps 4-5: let the guest go and listen. */
static int hear_out(const hvp_matrix_cell_opts *o, hvp_guest *g, char *serial, size_t nserial, hvp_error *err)
{
    hvp_guest_info gi;
    hvp_guest_get_info(g, &gi);
    hvp_debug_opts dopt = { gi.gdb, 5000, gi.hw_breakpoints };
    hvp_debug *d = NULL;
    int rc = hvp_debug_open(&dopt, &d, err);
    if (!rc)
        rc = hvp_debug_detach(d, err);     /* QEMU drops the breakpoint and continues; frees d */
    if (rc)
        return rc;
    double wait = hvp_matrix_cell_wait(o);
    hvp_trigger t = { .kind = HVP_TRIGGER_SERIAL, .serial = "probe: end", .timeout_ms = (int)(wait * 1000) };
    rc = watch(o, g, &t, NULL, serial, nserial, err);
    return rc == HVP_E_NOTRIGGER || rc == HVP_E_TARGET ? HVP_OK : rc;
}

double hvp_matrix_cell_wait(const hvp_matrix_cell_opts *o)
{
    const hvp_matrix_column *col = hvp_matrix_column_at(o->col);
    double w = o->wait_s > 0 ? o->wait_s : col ? col->wait_s : 1.0;
    int async = o->exc == HVP_MX_IRQ || o->exc == HVP_MX_FIQ || o->exc == HVP_MX_SERROR;
    return async && w < HVP_MX_ASYNC_WAIT_S ? HVP_MX_ASYNC_WAIT_S : w;
}

/* How the column launches a probe (halted, for the breakpoint). */
static hvp_launch_opts column_launch(const hvp_matrix_cell_opts *o, const hvp_matrix_column *col, const char *probe)
{
    hvp_launch_opts lo = { .image = probe, .backend = col->backend, .machine = col->machine, .halt_at_start = 1 };
    lo.fixture_elf = o->fixture_elf;
    lo.host = o->host;
    return lo;
}

/* The seL4 system image that carries this cell's probe, in o->sel4_images. */
static void sel4_image(const hvp_matrix_cell_opts *o, char *out, size_t n)
{
    char name[96];
    hvp_matrix_probe_name(o->exc, o->place, o->col, name, sizeof name);
    snprintf(out, n, "%s/%.*s.img", o->sel4_images, (int)(strlen(name) - 4), name);
}

int hvp_matrix_column_usable(const hvp_matrix_cell_opts *o, char *why, size_t n)
{
    const hvp_matrix_column *col = hvp_matrix_column_at(o->col);
    struct stat st;
    if (!col)
        return snprintf(why, n, "no such backend"), 0;
    if (!strcmp(col->backend, "sel4")) {
        if (!o->sel4_images)
            return snprintf(why, n, "a seL4 system image carries its one guest, built in: give --sel4-images DIR "
                            "with an image per probe (probe-EXC-PLACE-virt.img, each built with that probe's "
                            "binary as its guest; ../shared/sel4/BUILD.md builds one in about 2 minutes)"), 0;
        if (stat(o->sel4_images, &st) || !S_ISDIR(st.st_mode))
            return snprintf(why, n, "--sel4-images %s is not a directory", o->sel4_images), 0;
        return 1;
    }
    char name[96], probe[1024];
    hvp_matrix_probe_name(0, 0, o->col, name, sizeof name);
    snprintf(probe, sizeof probe, "%s/%s", o->guests ? o->guests : ".", name);
    hvp_launch_opts lo = column_launch(o, col, probe);
    hvp_guest *g = NULL;
    hvp_error err = { 0 };
    int rc = hvp_launch_plan(&lo, &g, &err);
    hvp_guest_free(g);
    if (rc == HVP_E_UNSUPPORTED)
        return snprintf(why, n, "%s", err.msg), 0;
    return 1;   /* other failures (a missing probe) belong to the cells */
}

int hvp_matrix_run_cell(const hvp_matrix_cell_opts *o, hvp_matrix_cell *c, hvp_error *err)
{
    memset(c, 0, sizeof *c);
    c->exc = o->exc;
    c->place = o->place;
    c->col = o->col;
    c->agree = HVP_UNKNOWN;
    c->masked = HVP_UNKNOWN;
    const hvp_matrix_column *col = hvp_matrix_column_at(o->col);
    if (!col || o->exc < 0 || o->exc >= HVP_MX_NEXC || o->place < 0 ||
        o->place >= HVP_MX_NPLACE)
        return fail(c, HVP_MX_ERROR, hvp_fail(err, HVP_E_INVAL, "no such cell"), err);
    long t0 = hvp_now_ms();
    char id[96], name[96], probe[1024];
    hvp_matrix_cell_id(o->exc, o->place, o->col, id, sizeof id);
    char sel4img[1100] = "";
    struct stat st;
    if (!strcmp(col->backend, "sel4")) {    /* the others: hvp_launch_plan says */
        if (!hvp_matrix_column_usable(o, c->message, sizeof c->message)) {
            c->status = HVP_MX_SKIPPED;
            return HVP_OK;
        }
        sel4_image(o, sel4img, sizeof sel4img);
        if (stat(sel4img, &st)) {
            c->status = HVP_MX_SKIPPED;
            snprintf(c->message, sizeof c->message, "no seL4 image for this probe: %s is missing", sel4img);
            return HVP_OK;
        }
    }
    hvp_matrix_probe_name(o->exc, o->place, o->col, name, sizeof name);
    snprintf(probe, sizeof probe, "%s/%s", o->guests ? o->guests : ".", name);
    if (stat(probe, &st))
        return fail(c, HVP_MX_ERROR,
                    hvp_fail(err, HVP_E_INPUT, "the probe image %s is missing (build the guests: make guests)", probe),
                    err);

    int needs_hyp = o->place == HVP_MX_S2 || o->exc == HVP_MX_SERROR;
    if (needs_hyp && !col->hyp) {
        /* The probe would only say so itself ("probe: n/a: ... started in
         * svc32"): the column gives no guest Hyp mode. */
        c->status = HVP_MX_DONE;
        c->outcome = HVP_MX_NA;
        snprintf(c->line, sizeof c->line, "%s needs the probe's own Hyp mode; under %s the guest starts at PL1%s",
                 o->place == HVP_MX_S2 ? "placement s2" : "exception serror (HCR.VA)", col->name,
                 !strcmp(col->machine, "vexpress-a9") ? " (the Cortex-A9 has no virtualization extensions)" : "");
        hvp_matrix_judge(c);
        return HVP_OK;
    }
    char serial_path[1100] = "";
    if (o->outdir) {
        snprintf(serial_path, sizeof serial_path, "%s/%s.serial.txt", o->outdir, id);
        snprintf(c->serial, sizeof c->serial, "%s.serial.txt", id);
    }
    char *extra[] = { "-machine", "virtualization=on" };
    hvp_launch_opts lo = column_launch(o, col, probe);
    if (sel4img[0]) {           /* the system image carries the probe; its ELF gives the symbols */
        lo.image = sel4img;
        lo.guest_elf = probe;
    }
    lo.serial_file = o->outdir ? serial_path : NULL;
    if (needs_hyp && col->hyp) {
        lo.extra = extra;
        lo.nextra = 2;
    }
    hvp_guest *g = NULL;
    int rc = hvp_launch_plan(&lo, &g, err);
    if (rc == HVP_E_UNSUPPORTED) {
        c->status = HVP_MX_SKIPPED;
        snprintf(c->message, sizeof c->message, "%s", err->msg);
        return HVP_OK;
    }
    if (rc)
        return fail(c, HVP_MX_ERROR, rc, err);
    say(o, "%s: starting %s", id, name);
    hvp_launch_events lev = { .cancelled = cancelled, .ctx = (void *)o };
    long deadline = t0 + 1000L * (o->start_timeout_s > 0 ? o->start_timeout_s : col->start_timeout_s);
    rc = hvp_guest_start(g, (int)(deadline - hvp_now_ms()), &lev, err);
    hvp_snapshot *snap = NULL;
    int raised = 0;
    char serial[8192] = "";
    if (!rc)
        rc = to_raise(o, g, probe, col, deadline, &raised, &snap, serial, sizeof serial, err);
    if (!rc && raised) {
        say(o, "captured; letting the guest raise %s", hvp_matrix_exc_name(o->exc));
        rc = hear_out(o, g, serial, sizeof serial, err);
    }
    say(o, "stopping QEMU");
    hvp_guest_stop(g);
    hvp_guest_free(g);
    c->seconds = (hvp_now_ms() - t0) / 1000.0;
    say(o, "QEMU stopped");
    if (rc) {
        hvp_snapshot_free(snap);
        if (rc == HVP_E_CANCELLED)
            return fail(c, HVP_MX_ERROR, rc, err);
        if (rc == HVP_E_NOTRIGGER)
            return fail(c, HVP_MX_TIMEOUT,
                        hvp_fail(err, rc, "the probe did not reach probe_raise within %d s",
                                 o->start_timeout_s > 0 ? o->start_timeout_s : col->start_timeout_s),
                        err);
        return fail(c, HVP_MX_ERROR, rc, err);
    }
    c->status = HVP_MX_DONE;
    hvp_matrix_read_serial(c, serial, raised);
    if (snap) {
        hvp_analysis a;
        if ((rc = hvp_analyse(snap, &a, err))) {
            hvp_snapshot_free(snap);
            return fail(c, HVP_MX_ERROR, rc, err);
        }
        hvp_matrix_take_verdict(c, &a);
        if (o->outdir) {
            char path[1100];
            snprintf(path, sizeof path, "%s/%s.snapshot.json", o->outdir, id);
            rc = hvp_snapshot_save(snap, path, err);
            if (!rc)
                snprintf(c->snapshot, sizeof c->snapshot, "%s.snapshot.json", id);
        }
        hvp_snapshot_free(snap);
        if (rc)
            return fail(c, HVP_MX_ERROR, rc, err);
    }
    hvp_matrix_judge(c);
    return HVP_OK;
}
