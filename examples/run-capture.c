/*
 * run-capture.c - what `hvprobe run IMAGE --capture SNAP --at-...` does,
 * through the public library only: plan a guest under a backend, start
 * it, run it to a trigger, capture and save a snapshot.
 *
 *   cc -o run-capture run-capture.c $(pkg-config --cflags --libs hvprobe)
 *   ./run-capture GUEST.elf BACKEND TRIGGER OUT.json
 *
 * TRIGGER: "serial:TEXT" (the guest printed TEXT), "exception:svc" (the
 * first SVC is taken: breakpoints on its vector), "pc:0x60000054", or
 * "after:SECONDS".  Exit 0 with the snapshot written, else 1 with the
 * library's sentence on stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hvprobe/hvprobe.h>

static int fail(const char *what, const hvp_error *err)
{
    fprintf(stderr, "run-capture: %s: %s\n", what, err->msg);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: run-capture IMAGE BACKEND TRIGGER OUT.json\n");
        return 2;
    }
    hvp_error err = { 0 };
    hvp_trigger t = { 0 };
    const char *arg = strchr(argv[3], ':');
    if (!arg)
        return fprintf(stderr, "run-capture: bad trigger '%s'\n", argv[3]), 2;
    arg++;
    if (!strncmp(argv[3], "serial:", 7))
        t.kind = HVP_TRIGGER_SERIAL, t.serial = arg;
    else if (!strncmp(argv[3], "after:", 6))
        t.kind = HVP_TRIGGER_AFTER, t.after_s = atof(arg);
    else if (!strncmp(argv[3], "pc:", 3))
        t.kind = HVP_TRIGGER_PC, t.pc = strtoull(arg, NULL, 0);
    else if (!strncmp(argv[3], "exception:", 10)) {
        t.kind = HVP_TRIGGER_EXCEPTION;
        if (hvp_debug_exception_parse(arg, &t.exception, &err))
            return fail("trigger", &err);
    } else
        return fprintf(stderr, "run-capture: bad trigger '%s'\n", argv[3]), 2;
    t.timeout_ms = 30000;

    hvp_launch_opts o = { 0 };
    o.image = argv[1];
    o.backend = argv[2];
    o.halt_at_start = hvp_trigger_halts_at_start(&t);
    hvp_guest *g = NULL;
    if (hvp_launch_plan(&o, &g, &err))
        return fail("plan", &err);
    int rc = hvp_guest_start(g, 0, NULL, &err);
    hvp_snapshot *s = NULL;
    hvp_run_result res;
    if (!rc)
        rc = hvp_guest_run_capture(g, &t, NULL, NULL, &s, &res, &err);
    if (!rc)
        rc = hvp_snapshot_save(s, argv[4], &err);
    if (!rc)
        printf("captured %s after %ld ms%s\n", argv[4], res.elapsed_ms, res.have_pc ? " at a breakpoint" : "");
    hvp_snapshot_free(s);
    hvp_guest_free(g);
    return rc ? fail("run", &err) : 0;
}
