/*
 * cmd_demo.c - `hvprobe demo`: the user's whole experiment in one
 * command.  The same two guest images (`low`: VBAR left at 0, as the
 * user's FreeRTOS build; `vbar`: VBAR set to the image's own table) run
 * under four backends (QEMU TCG vexpress-a9, QEMU TCG virt, the stage-2
 * hypervisor fixture that maps nothing at IPA 0 like the seL4 VMM, and
 * real Linux KVM through kvm-nested), each is captured right after its first SVC (or at the fault),
 * and compare checks expectations that encode the truth.
 */
#include "cli/cli.h"
#include "hvprobe/compare.h"
#include "hvprobe/host.h"
#include "hvprobe/kvmhost.h"
#include "hvprobe/launch.h"
#include "hvprobe/session.h"
#include "hvprobe/report.h"
#include "hvprobe/text.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char help[] =
    "usage: hvprobe demo [-o DIR] [--no-kvm] [--json] [-q|-v]\n"
    "\n"
    "Answer the original research question end to end, with real QEMU runs:\n"
    "the same guest images, 'low' (leaves VBAR at 0, relying on vectors at 0x0, like\n"
    "the FreeRTOS build that faults under the seL4 VMM) and 'vbar' (sets VBAR to its\n"
    "own vector table), run under\n"
    "  tcg-vexpress   QEMU TCG, vexpress-a9 (flash at 0x0 reads as zeros)\n"
    "  tcg-virt       QEMU TCG, virt (a device tree blob sits at 0x0)\n"
    "  fixture        a stage-2 hypervisor on QEMU virt that maps nothing at IPA 0x0,\n"
    "                 like the seL4 VMM (guests/hyp-fixture)\n"
    "  kvm-nested     real Linux KVM (-enable-kvm -cpu host,aarch64=off) inside an arm64\n"
    "                 host that QEMU emulates; its host is prepared on first use\n"
    "                 ('hvprobe kvm-host build', about 100 MB, a minute or two)\n"
    "Each run is captured just after the guest's first SVC (or at the fault), then\n"
    "compared, with expectations that encode the truth:\n"
    "  low: svc=zero-filled on vexpress-a9, svc=data on virt, svc=unmapped under the\n"
    "  fixture, svc=data under real KVM (virt's flash holds the device tree at 0x0,\n"
    "  as under TCG virt); vbar: svc=valid everywhere.\n"
    "The same two guests built for AArch64 (guests/a64) run under tcg (qemu-system-\n"
    "aarch64 -M virt) and the AArch64 fixture (guests/a64-fixture, an EL2 hypervisor\n"
    "that maps nothing at IPA 0) and are compared apart (16 slots per table):\n"
    "  low: cur_spx.sync=zero-filled under tcg (UDF #0 in empty flash at 0x200),\n"
    "  cur_spx.sync=unmapped under the fixture; vbar: cur_spx.sync=valid.\n"
    "Each row's UART column is the guest's own word: its handler's line, or the\n"
    "hypervisor's fault report, or nothing after 'issuing svc'.\n"
    "\n"
    "  -o DIR   where to write the snapshots and summary.md (default ./hvprobe-demo)\n"
    "  --no-kvm skip the two kvm-nested rows (they take about 20 s more)\n"
    "  --json   the runs and the two comparisons (as 'hvprobe compare --format json':\n"
    "           comparison, comparison_a64) as one JSON document\n"
    "  -q       only the answer: the comparison and the conclusion (no progress lines)\n"
    "  -v       the comparison with every detail (each vector's reason, the evidence\n"
    "           chain, the notes), as compare -v\n"
    "\n"
    "Needs the built guests (make builds them; make demo runs this).\n"
    "Exit: 0 every expectation held, 1 one did not, 2 usage or guests missing,\n"
    "3 QEMU failed, 5 the output directory could not be written.\n";

typedef struct job {
    const char *backend, *machine, *variant, *image_board, *label, *expect;
    int a64;                /* an AArch64 guest (guests/a64) */
    char image[4096];
    hvp_guest *g;
    int nested;
    hvp_run *run;           /* follows its serial output (no trigger) */
    long svc_seen_ms;       /* when "issuing svc" appeared, 0 = not yet */
    int started, done, failed;
    char snap[4200];
    char uart[200];         /* what the guest's serial output showed */
    long t_start;
} job;


/* Plan and start one job's QEMU (for kvm-nested: the emulated host). */
static int start_job(job *j, const hvp_host *host, const char *fixture, hvp_error *err)
{
    hvp_launch_opts o = { 0 };
    o.image = j->image;
    o.backend = j->backend;
    o.machine = j->machine;
    o.fixture_elf = fixture;
    o.host = host;
    /* kvm-nested rows: only the outer QEMU is waited for here; the main
     * loop waits for the guest's serial output, which implies the rest. */
    int rc = hvp_launch_plan(&o, &j->g, err);
    if (!rc)
        rc = hvp_guest_spawn(j->g, err);
    hvp_trigger none = { .kind = HVP_TRIGGER_NONE };
    if (!rc)
        rc = hvp_run_begin(j->g, &none, NULL, &j->run, err);
    if (!rc) {
        hvp_guest_info gi;
        hvp_guest_get_info(j->g, &gi);
        j->nested = gi.nested;
        j->started = 1;
        j->t_start = cli_now_ms();
        cli_info("demo", "%s: QEMU pid %ld, channels in %s", j->label, gi.pid, gi.rundir);
    } else {
        hvp_guest_free(j->g); /* whatever was started, and the runtime directory */
        j->g = NULL;
    }
    return rc;
}

static volatile sig_atomic_t demo_stop;

static void on_demo_signal(int sig)
{
    (void)sig;
    demo_stop = 1;
}

/* The capture moment: the fault report, the handler's return, or (for a
 * guest that silently slides through memory) 400 ms after its SVC. */
static int triggered(job *j)
{
    const char *w = hvp_run_serial_window(j->run);
    if (strstr(w, "Halting...") || strstr(w, "back from svc"))
        return 1;
    if (!j->svc_seen_ms && strstr(w, "issuing svc"))
        j->svc_seen_ms = cli_now_ms();
    return j->svc_seen_ms && cli_now_ms() - j->svc_seen_ms > 400;
}

/* A line on f, fitting the terminal: after `prefix` (printed as it is),
 * text wraps under its own start, or 8 columns in when that leaves less
 * than 30. */
static void put_wrapped(FILE *f, int width, const char *prefix, const char *text)
{
    int col = (int)strlen(prefix);
    char *t = hvp_text_wrap(prefix, text, width, width > 0 && width - col < 30 ? 8 : col);
    fputs(t ? t : text, f);
    if (!t)
        fputc('\n', f);
    free(t);
}

/* Progress lines on stderr (not with -q), wrapped to the terminal's
 * width: the leading blanks stay, the rest hangs 4 columns in. */
static void progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void progress(const char *fmt, ...)
{
    if (cli_verbosity < 0)
        return;
    char *t = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&t, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    size_t lead = strspn(t, " ");
    char pre[16];
    snprintf(pre, sizeof pre, "%.*s", (int)(lead < sizeof pre ? lead : sizeof pre - 1), t);
    t[strcspn(t, "\n")] = '\0';
    char *w = hvp_text_wrap(pre, t + lead, cli_width(STDERR_FILENO), (int)lead + 4);
    fputs(w ? w : t, stderr);
    free(w);
    free(t);
}

static void kvm_progress(void *ctx, const char *msg)
{
    (void)ctx;
    progress("hvprobe demo: kvm-host: %s\n", msg);
}

/* Prepare the kvm-nested host on first use.  0 when the KVM rows can
 * run; otherwise says why they are skipped and returns -1. */
static int prepare_kvm_host(void)
{
    hvp_kvmhost_paths kp;
    hvp_kvmhost_status st;
    hvp_error err = { 0 };
    if (hvp_kvmhost_paths_get(&kp, &err) == HVP_OK && hvp_kvmhost_status_get(&kp, &st, &err) == HVP_OK && st.ready)
        return 0;
    if (err.msg[0] == '\0') {
        progress("hvprobe demo: preparing the arm64 KVM host for the kvm-nested rows (once; cached in %s)\n",
                 kp.dir);
        if (hvp_kvmhost_build(&kp, 0, kvm_progress, NULL, &err) == HVP_OK)
            return 0;
    }
    cli_note("demo", "skipping the kvm-nested rows: %s", err.msg);
    return -1;
}

int cmd_demo(int argc, char **argv)
{
    static const struct option opts[] = {
        { "output", required_argument, 0, 'o' }, { "no-kvm", no_argument, 0, 'K' },
        { "json", no_argument, 0, 'j' },
        CLI_COMMON_OPTS, { 0, 0, 0, 0 }
    };
    const char *outdir = "hvprobe-demo";
    int json = 0, c, nokvm = 0;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "o:qvh", opts, NULL)) != -1) {
        if (cli_common_opt(c))
            continue;
        if (c == 'o')
            outdir = optarg;
        else if (c == 'j')
            json = 1;
        else if (c == 'K')
            nokvm = 1;
        else if (c == 'h') {
            return cli_help(help);
        } else
            return cli_error("demo", EXIT_USAGE, "unknown or incomplete option '%s' (see --help)", argv[optind - 1]);
    }
    if (optind < argc)
        return cli_error("demo", EXIT_USAGE, "unexpected argument '%s'", argv[optind]);
#define JOB(b, m, v, board, l, e) { .backend = b, .machine = m, .variant = v, .image_board = board, .label = l, .expect = e }
#define JOB64(b, v, l, e) { .backend = b, .machine = "virt", .variant = v, .image_board = "virt", .label = l, \
                            .expect = e, .a64 = 1 }
    job jobs[] = {
        JOB("tcg", "vexpress-a9", "low", "vexpress", "tcg-vexpress-low", "svc=zero-filled"),
        JOB("tcg", "vexpress-a9", "vbar", "vexpress", "tcg-vexpress-vbar", "svc=valid"),
        JOB("tcg", "virt", "low", "virt", "tcg-virt-low", "svc=data"),
        JOB("tcg", "virt", "vbar", "virt", "tcg-virt-vbar", "svc=valid"),
        JOB("fixture", "virt", "low", "virt", "fixture-low", "svc=unmapped"),
        JOB("fixture", "virt", "vbar", "virt", "fixture-vbar", "svc=valid"),
        /* The same two guests built for AArch64 (guests/a64): VBAR_EL1 left
         * at 0 fetches cur_spx.sync at 0x200 from virt's empty flash (UDF
         * #0, a loop); the AArch64 fixture maps nothing at IPA 0x200. */
        JOB64("tcg", "low", "tcg-a64-low", "cur_spx.sync=zero-filled"),
        JOB64("tcg", "vbar", "tcg-a64-vbar", "cur_spx.sync=valid"),
        JOB64("fixture", "low", "fixture-a64-low", "cur_spx.sync=unmapped"),
        JOB64("fixture", "vbar", "fixture-a64-vbar", "cur_spx.sync=valid"),
        /* Real KVM: the low guest's SVC fetches from virt's flash, which
         * holds the device tree at 0x0, as under TCG virt (observed: the
         * UART shows nothing after 'issuing svc' and the CPU ends in und32
         * at the undef vector). */
        JOB("kvm-nested", "virt", "low", "virt", "kvm-nested-low", "svc=data"),
        JOB("kvm-nested", "virt", "vbar", "virt", "kvm-nested-vbar", "svc=valid"),
    };
    size_t nj = sizeof jobs / sizeof jobs[0];
    char fixture[4096];
    if (!cli_guest_path("hyp-fixture.elf", fixture, sizeof fixture))
        return cli_error("demo", EXIT_USAGE, "the stage-2 fixture is not built (%s): run make first", fixture);
    for (size_t i = 0; i < nj; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s-%s-%s.elf", jobs[i].a64 ? "a64" : "tiny", jobs[i].variant,
                 jobs[i].image_board);
        if (!cli_guest_path(name, jobs[i].image, sizeof jobs[i].image))
            return cli_error("demo", EXIT_USAGE, "guest image %s is missing: run make first", jobs[i].image);
    }
    if (mkdir(outdir, 0755) && errno != EEXIST)
        return cli_error("demo", EXIT_OUTPUT, "cannot create %s: %s", outdir, strerror(errno));
    if (access(outdir, W_OK))
        return cli_error("demo", EXIT_OUTPUT, "cannot write into %s", outdir);

    long t0 = cli_now_ms();
    hvp_host host;
    hvp_host_probe(&host);
    if (!nokvm && prepare_kvm_host())
        nokvm = 1;
    if (nokvm)
        nj -= 2; /* the kvm-nested rows are last */
    progress("hvprobe demo: 2 guest images x %s backends, and their AArch64 builds x 2, captured just after the "
             "first SVC (time from start):\n", nokvm ? "3" : "4");
    int code = EXIT_OK;
    hvp_error err = { 0 };
    /* The kvm-nested rows start once the others are done: their emulated
     * hosts would take the CPUs from the small TCG runs otherwise. */
    size_t nkvm = 0;
    for (size_t i = 0; i < nj; i++)
        nkvm += !strcmp(jobs[i].backend, "kvm-nested");
    struct sigaction sa = { 0 };
    sa.sa_handler = on_demo_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    int rc_start;
    for (size_t i = 0; i < nj && !code && !demo_stop; i++)
        if (strcmp(jobs[i].backend, "kvm-nested") && (rc_start = start_job(&jobs[i], &host, fixture, &err)))
            code = cli_error("demo", rc_start == HVP_E_INPUT ? EXIT_USAGE : EXIT_TARGET, "%s: %s", jobs[i].label,
                             err.msg);
    size_t remaining = code ? 0 : nj;
    int kvm_started = 0;
    while (remaining && !code) {
        if (demo_stop) {
            code = EXIT_INTERRUPTED; /* stopped by a signal: the cleanup below ends every QEMU */
            break;
        }
        if (nkvm && !kvm_started && remaining == nkvm) {
            kvm_started = 1;
            progress("  booting %zu emulated arm64 KVM hosts for the kvm-nested rows...\n", nkvm);
            for (size_t i = 0; i < nj && !code; i++)
                if (!jobs[i].started && (rc_start = start_job(&jobs[i], &host, fixture, &err)))
                    code = cli_error("demo", EXIT_TARGET, "%s: %s", jobs[i].label, err.msg);
        }
        for (size_t i = 0; i < nj && !code; i++) {
            job *j = &jobs[i];
            if (j->done || !j->started)
                continue;
            hvp_run_drain(j->run);
            int st;
            if (!hvp_guest_alive(j->g, &st)) {
                char last[400];
                hvp_guest_last_error(j->g, last, sizeof last);
                code = cli_error("demo", EXIT_TARGET, "%s: QEMU exited early: %s", j->label, last);
                break;
            }
            if (!triggered(j)) {
                int limit = j->nested ? 120 : 30;
                if (cli_now_ms() - j->t_start > limit * 1000L) {
                    code = cli_error("demo", EXIT_TARGET, "%s: the guest did not reach its SVC within %d s", j->label,
                                     limit);
                    break;
                }
                continue;
            }
            hvp_snapshot *s = NULL;
            snprintf(j->snap, sizeof j->snap, "%s/%s.json", outdir, j->label);
            long tc = cli_now_ms();
            hvp_capture_opts co = { 0 };
            co.label = j->label;
            int rc = hvp_guest_capture(j->g, &co, &s, &err);
            if (rc)
                code = cli_error("demo", cli_exit_for(rc), "%s: capture failed: %s", j->label, err.msg);
            else if ((rc = hvp_snapshot_save(s, j->snap, &err)))
                code = cli_error("demo", EXIT_OUTPUT, "%s", err.msg);
            else
                cli_info("demo", "%s: captured in %ld ms", j->label, cli_now_ms() - tc);
            hvp_snapshot_free(s);
            uint64_t midr = 0;
            int have_midr = j->nested && !hvp_guest_kvm_facts(j->g, NULL, &midr, NULL);
            hvp_guest_free(j->g);
            j->g = NULL;
            j->done = 1;
            remaining--;
            char *line = j->uart;
            const char *w = hvp_run_serial_window(j->run);
            const char *p = strstr(w, "Pagefault from");
            if (p)
                snprintf(line, sizeof j->uart, "%.*s", (int)strcspn(p, "\r\n"), p);
            else if (strstr(w, "svc: handler ran"))
                snprintf(line, sizeof j->uart, "UART: svc: handler ran");
            else if ((p = strstr(w, "a64: took ")))
                snprintf(line, sizeof j->uart, "UART: %.*s", (int)strcspn(p, ",\r\n"), p);
            else
                snprintf(line, sizeof j->uart, "UART: nothing after 'issuing svc'");
            if (have_midr) {
                size_t l = strlen(line);
                snprintf(line + l, sizeof j->uart - l, "   (KVM, MIDR 0x%08llx)", (unsigned long long)midr);
            }
            if (cli_verbosity >= 0) {
                char pre[96];
                snprintf(pre, sizeof pre, "  [%zu/%zu] %-18s %5.1f s  ", nj - remaining, nj, j->label,
                         (cli_now_ms() - t0) / 1000.0);
                put_wrapped(stderr, cli_width(STDERR_FILENO), pre, line);
            }
            if (code)
                break;
        }
        usleep(10000);
    }
    for (size_t i = 0; i < nj; i++) {
        hvp_run_end(jobs[i].run);
        hvp_guest_free(jobs[i].g);
    }
    if (demo_stop)
        return EXIT_INTERRUPTED; /* whatever failed after the signal, it was stopped */
    if (code)
        return code;

    /* Two comparisons: AArch32 vectors and AArch64 slots are not the same
     * exceptions, and compare refuses to line them up. */
    hvp_snapshot *snaps[16] = { 0 };
    const char *names[16];
    hvp_expect ex[16];
    for (size_t i = 0; i < nj && !code; i++) {
        names[i] = jobs[i].snap;
        char spec[128];
        snprintf(spec, sizeof spec, "%s:%s", jobs[i].label, jobs[i].expect);
        if (hvp_expect_parse(spec, &ex[i], &err) || hvp_snapshot_load(jobs[i].snap, &snaps[i], &err))
            code = cli_error("demo", EXIT_INTERNAL, "%s", err.msg);
    }
    char *text[2] = { NULL, NULL }, *md[2] = { NULL, NULL };
    size_t failed = 0;
    hvp_compare_opts co = { .brief = 1, .width = cli_width(STDOUT_FILENO), .detail = cli_verbosity > 0 };
    for (int set = 0; set < 2 && !code; set++) {
        const hvp_snapshot *ss[16];
        const char *nn[16];
        hvp_expect ee[16];
        size_t n = 0, f = 0, fmd = 0;
        for (size_t i = 0; i < nj; i++)
            if (jobs[i].a64 == set) {
                ss[n] = snaps[i];
                nn[n] = names[i];
                ee[n++] = ex[i];
            }
        co.expect = ee;
        co.nexpect = n;
        co.format = json ? HVP_FMT_JSON : HVP_FMT_TEXT;
        co.brief = 1;
        if (n && hvp_compare(ss, nn, n, &co, &text[set], &f, &err))
            code = cli_error("demo", EXIT_INTERNAL, "%s", err.msg);
        co.format = HVP_FMT_MARKDOWN;
        co.brief = 0;
        if (!code && n && hvp_compare(ss, nn, n, &co, &md[set], &fmd, &err))
            code = cli_error("demo", EXIT_INTERNAL, "%s", err.msg);
        failed += f;
    }
    if (!code) {
        char path[4200];
        snprintf(path, sizeof path, "%s/summary.md", outdir);
        char *doc = NULL;
        if (asprintf(&doc, "# hvprobe demo\n\nAArch32 guests (guests/tiny):\n\n%s\nAArch64 guests (guests/a64):\n\n%s",
                     md[0] ? md[0] : "", md[1] ? md[1] : "") < 0)
            doc = NULL;
        if (!doc)
            code = cli_error("demo", EXIT_INTERNAL, "out of memory");
        else if (hvp_document_save(path, doc, &err))
            code = cli_error("demo", EXIT_OUTPUT, "%s", err.msg);
        free(doc);
        if (json) {
            json_t *rows = json_array();
            for (size_t i = 0; i < nj; i++)
                json_array_append_new(rows, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "label", jobs[i].label,
                                                      "backend", jobs[i].backend, "machine", jobs[i].machine,
                                                      "image", jobs[i].image, "snapshot", jobs[i].snap, "expect",
                                                      jobs[i].expect, "uart", jobs[i].uart));
            json_t *cmp64 = text[1] ? json_loads(text[1], 0, NULL) : NULL;
            int rc = cli_print_json(json_pack("{s:s,s:f,s:o,s:o,s:o,s:I}", "output", outdir, "seconds",
                                              (cli_now_ms() - t0) / 1000.0, "runs", rows, "comparison",
                                              json_loads(text[0], 0, NULL), "comparison_a64",
                                              cmp64 ? cmp64 : json_null(), "expectations_failed",
                                              (json_int_t)failed));
            if (rc && !code)
                code = rc;
        } else {
            fputs("\n", stdout);
            fputs(text[0], stdout);
            if (text[1]) {
                fputs("\n", stdout);
                fputs(text[1], stdout);
            }
        }
        if (!failed && !json) {
            char *conc = NULL;
            if (asprintf(&conc, "the guest's vector base decides it. Without VBAR ('low'), no backend routes SVC "
                         "to a handler: QEMU vexpress-a9 slides through zero-filled flash, QEMU virt executes its "
                         "device tree, and the stage-2 fixture faults at IPA 0x8 exactly as the seL4 VMM reports. "
                         "%sWith VBAR set to the image's table ('vbar'), all of them run the handler. The "
                         "hypervisors differ only in how the failure shows; the fix is in the guest: write its "
                         "vector table's address to VBAR before the first SVC. The AArch64 build of the same "
                         "guests says the same: VBAR_EL1 left at 0 sends SVC to cur_spx.sync at 0x200, UDF #0 in "
                         "TCG virt's empty flash (a loop), unmapped under the AArch64 fixture; with VBAR_EL1 set "
                         "the handler runs.",
                         nokvm ? "" : "Real Linux KVM (kvm-nested) provides no vectors at 0x0 either: its guest "
                                      "fetches the SVC vector from virt's flash, which holds the device tree, "
                                      "exactly as under TCG virt. ") >= 0) {
                fputs("\n", stdout);
                put_wrapped(stdout, co.width, "conclusion: ", conc);
            }
            free(conc);
        }
        if (!json) {
            char *wrote = NULL;
            if (asprintf(&wrote, "wrote %s/*.json and %s/summary.md in %.1f s", outdir, outdir,
                         (cli_now_ms() - t0) / 1000.0) >= 0) {
                fputs("\n", stdout);
                put_wrapped(stdout, co.width, "", wrote);
            }
            free(wrote);
        }
        if (failed && !code)
            code = EXIT_NEGATIVE;
    }
    for (size_t i = 0; i < nj; i++)
        hvp_snapshot_free(snaps[i]);
    for (int k = 0; k < 2; k++) {
        free(text[k]);
        free(md[k]);
    }
    return code;
}
