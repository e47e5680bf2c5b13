/*
 * cmd_matrix.c - `hvprobe matrix`: every exception x every vector placement
 * x every backend, each cell a probe guest captured at its exception and
 * heard out (hvprobe/matrix.h).
 *
 * Cells are separate processes (`hvprobe matrix --cell ID -o DIR`), each
 * writing DIR/cells/ID.json (with ID.snapshot.json and ID.serial.txt)
 * atomically when it finishes.  The same command line is what --emit-jobs
 * writes for GNU parallel or a Slurm array, so a matrix run here, resumed
 * (--resume) or merged from elsewhere (--merge) is the same files read
 * the same way.  DIR/plan.json says which rows and columns the matrix has.
 */
#include "cli/cli.h"
#include "cli/matrix_plan.h"
#include "hvprobe/matrix.h"
#include "hvprobe/host.h"
#include "hvprobe/report.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

static const char help[] =
    "usage: hvprobe matrix [-o DIR] [--backends LIST] [--exceptions LIST] [--placements LIST]\n"
    "                      [-j N] [--cell-timeout S] [--wait S] [--json] [-q|-v]\n"
    "       hvprobe matrix --resume DIR [-j N] ...\n"
    "       hvprobe matrix --emit-jobs FILE [-o DIR] [selection]\n"
    "       hvprobe matrix --merge DIR [--json]\n"
    "       hvprobe matrix --cell EXC.PLACE@BACKEND -o DIR\n"
    "\n"
    "How does each backend route each exception, and is hvprobe right about it?\n"
    "Each row is a probe guest (guests/probe) that takes ONE exception under ONE\n"
    "vector placement and reports on its UART which of its handlers ran (mode,\n"
    "vector address) -- or nothing. Each column is a backend. Every cell is run,\n"
    "captured at the instruction that raises the exception, and judged: the\n"
    "guest's own word against hvprobe's verdict for that vector. A disagreement\n"
    "is a bug in hvprobe (the matrix doubles as a self-test).\n"
    "\n"
    "Rows:\n"
    "  exceptions  svc undef pabt dabt irq fiq serror   (serror: a virtual\n"
    "              asynchronous abort, HCR.VA, from the probe's own Hyp)\n"
    "  placements  vbar  VBAR set to the image's table\n"
    "              high  SCTLR.V=1, the MMU maps a copy of the table at 0xffff0000\n"
    "              low   VBAR left at 0, MMU off: whatever the board has at 0x0\n"
    "              mmu   VBAR 0, MMU on with VA 0 unmapped\n"
    "              s2    VBAR 0, the probe's own Hyp maps nothing at IPA 0\n"
    "Columns (backends):\n"
    "  tcg-vexpress  QEMU TCG, vexpress-a9 (Cortex-A9, Secure, no Hyp)\n"
    "  tcg-virt      QEMU TCG, virt (Cortex-A15); probes that need Hyp mode get\n"
    "                virtualization=on\n"
    "  fixture       the stage-2 fixture hypervisor (maps nothing at IPA 0)\n"
    "  kvm-nested    real Linux KVM in an emulated arm64 host (hvprobe kvm-host build)\n"
    "  sel4          the seL4 VMM, with --sel4-images DIR: a seL4 system image per\n"
    "                probe (DIR/probe-EXC-PLACE-virt.img, built with that probe's\n"
    "                binary as its guest) and DIR/kernel.elf; else listed, skipped\n"
    "A backend this host cannot run is listed as skipped, with the reason.\n"
    "\n"
    "Options:\n"
    "  -o, --output DIR       where cells and results go (default hvprobe-matrix);\n"
    "                         refused when DIR already holds a matrix\n"
    "      --backends LIST    columns, comma-separated ('tcg' = both tcg columns;\n"
    "                         default: all)\n"
    "      --exceptions LIST  default: all;   --placements LIST  default: all\n"
    "  -j, --jobs N           cells at once (default: the number of cores)\n"
    "      --cell-timeout S   stop a cell after S seconds and mark it TIMEOUT\n"
    "                         (default: the backend's start time + 30 s)\n"
    "      --wait S           how long to listen for the guest after the raise\n"
    "                         (default 0.5 s, interrupts 3 s; kvm-nested, sel4 4 s)\n"
    "      --resume DIR       run the cells of DIR's matrix that have no result, or\n"
    "                         failed, timed out or were skipped (same settings)\n"
    "      --emit-jobs FILE   write one self-contained command per cell to FILE\n"
    "                         (for GNU parallel or a Slurm job array), run nothing\n"
    "      --merge DIR        assemble DIR's cell results into the table and report\n"
    "      --cell ID          run one cell (what the jobs file holds)\n"
    "      --guests DIR       the probe images (default: the built guests)\n"
    "      --fixture FILE     the fixture column's hypervisor (default: GUESTS/hyp-fixture.elf)\n"
    "      --sel4-images DIR  the sel4 column's images, one per probe (see above)\n"
    "      --json             print the whole matrix as JSON instead of the table\n"
    "\n"
    "Output: the table on stdout; DIR/matrix.json (every cell) and DIR/matrix.html\n"
    "(the report page: divergent rows and disagreements highlighted, each cell\n"
    "linked to its snapshot). Ctrl-C stops the running cells (no QEMU is left);\n"
    "finished cells are kept for --resume.\n"
    "\n"
    "Examples:\n"
    "  hvprobe matrix                                   # everything this host can run\n"
    "  hvprobe matrix --backends tcg,fixture --exceptions svc,irq\n"
    "  hvprobe matrix --emit-jobs jobs.txt -o M && parallel < jobs.txt && hvprobe matrix --merge M\n"
    "\n"
    "Exit: 0 every cell that ran agrees, 1 some cell disagrees, 2 usage,\n"
    "3 a cell failed, timed out or has no result, 5 output not written, 130 interrupted.\n";

/* matrix.json and matrix.html in dir, then the table (or JSON) on stdout;
 * the exit status the results call for. */
static int finish(const char *dir, hvp_matrix *m, int json)
{
    hvp_error err = { 0 };
    char path[PATH_MAX];
    char *j = hvp_matrix_render_json(m, &err), *h = j ? hvp_matrix_render_html(m, &err) : NULL;
    char *t = h ? hvp_matrix_render_text(m, cli_width(1), &err) : NULL;
    int rc = t ? 0 : cli_error("matrix", EXIT_INTERNAL, "%s", err.msg);
    snprintf(path, sizeof path, "%s/matrix.json", dir);
    if (!rc && hvp_document_save(path, j, &err))
        rc = cli_error("matrix", EXIT_OUTPUT, "cannot write %s: %s", path, err.msg);
    snprintf(path, sizeof path, "%s/matrix.html", dir);
    if (!rc && hvp_document_save(path, h, &err))
        rc = cli_error("matrix", EXIT_OUTPUT, "cannot write %s: %s", path, err.msg);
    if (!rc) {
        if (json)
            rc = fputs(j, stdout) < 0 || fputc('\n', stdout) < 0 ? EXIT_OUTPUT : 0;
        else
            rc = fputs(t, stdout) < 0 ? EXIT_OUTPUT : 0;
        if (fflush(stdout))
            rc = EXIT_OUTPUT;
        if (rc)
            cli_error("matrix", rc, "cannot write the output: %s", strerror(errno));
    }
    free(j);
    free(h);
    free(t);
    if (rc)
        return rc;
    hvp_matrix_counts n;
    hvp_matrix_count(m, &n);
    cli_note("matrix", "wrote %s/matrix.json and %s/matrix.html", dir, dir);
    return n.disagree ? EXIT_NEGATIVE : (n.timeout || n.error || n.missing) ? EXIT_TARGET : EXIT_OK;
}

/* ---- one cell (the child, and what --emit-jobs writes) -------------- */

static volatile sig_atomic_t stop_signal;
static void on_signal(int sig) { stop_signal = sig; }
static int cell_cancelled(void *ctx) { (void)ctx; return stop_signal != 0; }

static void catch_signals(void)
{
    struct sigaction sa = { 0 };
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

static void cell_progress(void *ctx, const char *msg)
{
    (void)ctx;
    cli_info("matrix", "%s", msg);
}

static const char *sel4_images;     /* --sel4-images DIR (absolute for the jobs) */

static int run_one_cell(const char *id, const char *dir, const char *guests, const char *fixture, double wait)
{
    hvp_matrix_cell_opts o = { 0 };
    hvp_error err = { 0 };
    if (hvp_matrix_cell_id_parse(id, &o.exc, &o.place, &o.col, &err))
        return cli_error("matrix", EXIT_USAGE, "--cell: %s", err.msg);
    char cells[PATH_MAX], path[PATH_MAX];
    snprintf(cells, sizeof cells, "%s/cells", dir);
    if (mkdir(dir, 0755) && errno != EEXIST)
        return cli_error("matrix", EXIT_OUTPUT, "cannot create %s: %s", dir, strerror(errno));
    if (mkdir(cells, 0755) && errno != EEXIST)
        return cli_error("matrix", EXIT_OUTPUT, "cannot create %s: %s", cells, strerror(errno));
    o.guests = guests;
    o.fixture_elf = fixture;
    o.sel4_images = sel4_images;
    o.outdir = cells;
    o.wait_s = wait;
    o.progress = cell_progress;
    o.cancelled = cell_cancelled;
    catch_signals();
    hvp_matrix_cell c;
    int rc = hvp_matrix_run_cell(&o, &c, &err);
    if (rc == HVP_E_CANCELLED || stop_signal)
        return cli_error("matrix", EXIT_INTERRUPTED, "%s: interrupted; no result written", id);
    pathf(path, sizeof path, "%s/%s.json", cells, id);
    hvp_error werr = { 0 };
    if (hvp_matrix_cell_save(&c, path, &werr))
        return cli_error("matrix", EXIT_OUTPUT, "cannot write %s: %s", path, werr.msg);
    if (c.status == HVP_MX_DONE)
        cli_note("matrix", "%s: %s; %s (%.1f s)", id, c.line[0] ? c.line : hvp_matrix_outcome_name(c.outcome),
                 c.agree == HVP_YES ? "agrees" : c.agree == HVP_NO ? "DISAGREES" : "nothing to compare", c.seconds);
    else
        cli_note("matrix", "%s: %s: %s", id, hvp_matrix_status_name(c.status), c.message);
    return c.status == HVP_MX_DONE || c.status == HVP_MX_SKIPPED ? EXIT_OK
           : c.status == HVP_MX_TIMEOUT                        ? EXIT_NOTRIGGER
                                                               : EXIT_TARGET;
}

/* ---- the scheduler -------------------------------------------------- */

typedef struct job {
    int e, p, k;
    pid_t pid;
    long start_ms, limit_ms;
    int term_sent;
} job;

static void shell_quote(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++)
        if (*s == '\'')
            fputs("'\\''", f);
        else
            fputc(*s, f);
    fputc('\'', f);
}

/* The command line of one cell, as argv (exec) or as a shell line. */
static void cell_argv(const char *exe, const char *id, const char *dir, const char *guests, const char *fixture,
                      double wait, char **av, char *waitbuf, size_t nw)
{
    int i = 0;
    av[i++] = (char *)exe;
    av[i++] = "matrix";
    av[i++] = "--cell";
    av[i++] = (char *)id;
    av[i++] = "-o";
    av[i++] = (char *)dir;
    av[i++] = "--guests";
    av[i++] = (char *)guests;
    if (fixture) {
        av[i++] = "--fixture";
        av[i++] = (char *)fixture;
    }
    if (sel4_images) {
        av[i++] = "--sel4-images";
        av[i++] = (char *)sel4_images;
    }
    if (wait > 0) {
        snprintf(waitbuf, nw, "%g", wait);
        av[i++] = "--wait";
        av[i++] = waitbuf;
    }
    av[i] = NULL;
}

static pid_t spawn(char **av, const char *log)
{
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        int nul = open("/dev/null", O_RDONLY);
        if (nul >= 0)
            dup2(nul, 0);
        execv(av[0], av);
        _exit(127);
    }
    return pid;
}

/* A cell the scheduler has to write itself: its process timed out or died
 * without a result. */
static void write_failed(const char *dir, const job *j, hvp_mx_status st, const char *msg)
{
    hvp_matrix_cell c = { 0 };
    char path[PATH_MAX];
    c.exc = j->e;
    c.place = j->p;
    c.col = j->k;
    c.status = st;
    c.agree = HVP_UNKNOWN;
    c.masked = HVP_UNKNOWN;
    c.seconds = (cli_now_ms() - j->start_ms) / 1000.0;
    snprintf(c.message, sizeof c.message, "%s", msg);
    cell_path(dir, j->e, j->p, j->k, ".json", path, sizeof path);
    hvp_error err = { 0 };
    if (hvp_matrix_cell_save(&c, path, &err))
        cli_error("matrix", EXIT_OUTPUT, "cannot write %s: %s", path, err.msg);
}

typedef struct sched {
    const char *exe, *dir, *guests, *fixture;
    double wait, cell_timeout;
    int jobs, total, finished, agree, disagree, other, tty;
} sched;

static void progress(sched *s, const char *id, const char *what)
{
    if (cli_verbosity < 0)
        return;
    char line[512];
    snprintf(line, sizeof line, "[%d/%d] %d agree, %d disagree, %d other; %s: %s", s->finished, s->total, s->agree,
             s->disagree, s->other, id, what);
    if (s->tty) {
        /* One line, rewritten: no terminal escapes (README), so spaces
         * cover what the last one had beyond this one. */
        static int last;
        int w = cli_width(2), n = (int)strlen(line);
        if (w > 1 && n > w - 1)
            n = w - 1;
        fprintf(stderr, "\r%.*s%*s", n, line, last > n ? last - n : 0, "");
        last = n;
    } else
        fprintf(stderr, "hvprobe matrix: %s\n", line);
}

static void reap(sched *s, job *j, int status)
{
    char path[PATH_MAX], id[96], what[PATH_MAX + 200];
    hvp_matrix_cell_id(j->e, j->p, j->k, id, sizeof id);
    cell_path(s->dir, j->e, j->p, j->k, ".json", path, sizeof path);
    if (j->term_sent == 1 && access(path, F_OK)) {
        snprintf(what, sizeof what, "stopped after %g s (the cell timeout)", j->limit_ms / 1000.0);
        write_failed(s->dir, j, HVP_MX_TIMEOUT, what);
    } else if (access(path, F_OK) && !stop_signal) {
        char log[PATH_MAX];
        cell_path(s->dir, j->e, j->p, j->k, ".log", log, sizeof log);
        snprintf(what, sizeof what, "the cell's process ended (%s %d) without a result; see %s",
                 WIFSIGNALED(status) ? "signal" : "status", WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
                 log);
        write_failed(s->dir, j, HVP_MX_ERROR, what);
    }
    hvp_matrix_cell c;
    hvp_error err = { 0 };
    if (stop_signal && access(path, F_OK))
        return;
    s->finished++;
    if (hvp_matrix_cell_load(path, &c, &err)) {
        s->other++;
        progress(s, id, err.msg);
        return;
    }
    if (c.status == HVP_MX_DONE && c.agree == HVP_YES)
        s->agree++;
    else if (c.status == HVP_MX_DONE && c.agree == HVP_NO)
        s->disagree++;
    else
        s->other++;
    if (c.status == HVP_MX_DONE)
        snprintf(what, sizeof what, "%s (%.1f s)", c.why[0] ? c.why : hvp_matrix_outcome_name(c.outcome), c.seconds);
    else
        snprintf(what, sizeof what, "%s: %s", hvp_matrix_status_name(c.status), c.message);
    progress(s, id, what);
}

/* Run the pending cells, `jobs` at a time.  0, or EXIT_INTERRUPTED. */
static int schedule(sched *s, job *pending, int npending)
{
    job *run = calloc((size_t)s->jobs, sizeof *run);
    if (!run)
        return cli_error("matrix", EXIT_INTERNAL, "out of memory");
    int next = 0, nrun = 0, failed = 0;
    catch_signals();
    while ((next < npending && !stop_signal) || nrun > 0) {
        while (!stop_signal && next < npending && nrun < s->jobs) {
            job *j = &run[nrun];
            *j = pending[next++];
            char id[96], log[PATH_MAX], wb[32], *av[20];
            hvp_matrix_cell_id(j->e, j->p, j->k, id, sizeof id);
            cell_path(s->dir, j->e, j->p, j->k, ".log", log, sizeof log);
            cell_argv(s->exe, id, s->dir, s->guests, s->fixture, s->wait, av, wb, sizeof wb);
            /* The child's own budget (start + listening) and a margin. */
            hvp_matrix_cell_opts lo = { .exc = j->e, .place = j->p, .col = j->k, .wait_s = s->wait };
            j->limit_ms = (long)(1000 * (s->cell_timeout > 0 ? s->cell_timeout
                                                             : hvp_matrix_column_at(j->k)->start_timeout_s +
                                                                   hvp_matrix_cell_wait(&lo) + 30));
            j->start_ms = cli_now_ms();
            j->term_sent = 0;
            if ((j->pid = spawn(av, log)) < 0) {
                /* Stop and reap the running ones, as for Ctrl-C. */
                failed = cli_error("matrix", EXIT_INTERNAL, "cannot start a cell: %s", strerror(errno));
                stop_signal = SIGTERM;
                break;
            }
            nrun++;
        }
        int status;
        pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid > 0) {
            for (int i = 0; i < nrun; i++)
                if (run[i].pid == pid) {
                    reap(s, &run[i], status);
                    run[i] = run[--nrun];
                    break;
                }
            continue;
        }
        long now = cli_now_ms();
        for (int i = 0; i < nrun; i++) {
            job *j = &run[i];
            if (stop_signal && !j->term_sent) {
                kill(j->pid, SIGTERM);
                j->term_sent = 2;
                j->start_ms = now;      /* from now: the grace before SIGKILL */
                j->limit_ms = 0;
            } else if (!j->term_sent && now - j->start_ms > j->limit_ms) {
                kill(j->pid, SIGTERM);
                j->term_sent = 1;
            } else if (j->term_sent && now - j->start_ms > j->limit_ms + 5000)
                kill(j->pid, SIGKILL);  /* QEMU goes with it (PR_SET_PDEATHSIG) */
        }
        usleep(50000);
    }
    free(run);
    if (s->tty && cli_verbosity >= 0)
        fputc('\n', stderr);
    return failed ? failed : stop_signal ? EXIT_INTERRUPTED : 0;
}

/* ---- the command ------------------------------------------------------ */

static int abs_path(const char *in, char *out, size_t n)
{
    char buf[PATH_MAX];
    if (!realpath(in, buf))
        return -1;
    snprintf(out, n, "%s", buf);
    return 0;
}

int cmd_matrix(int argc, char **argv)
{
    static const struct option opts[] = {
        { "output", required_argument, 0, 'o' }, { "backends", required_argument, 0, 'B' },
        { "exceptions", required_argument, 0, 'E' }, { "placements", required_argument, 0, 'P' },
        { "jobs", required_argument, 0, 'j' }, { "cell-timeout", required_argument, 0, 'T' },
        { "wait", required_argument, 0, 'W' }, { "resume", required_argument, 0, 'R' },
        { "emit-jobs", required_argument, 0, 'J' }, { "merge", required_argument, 0, 'M' },
        { "cell", required_argument, 0, 'C' }, { "guests", required_argument, 0, 'G' },
        { "fixture", required_argument, 0, 'F' }, { "sel4-images", required_argument, 0, 'L' }, { "json", no_argument, 0, 'S' }, CLI_COMMON_OPTS, { 0, 0, 0, 0 }
    };
    const char *out = NULL, *bl = NULL, *el = NULL, *pl = NULL, *resume = NULL, *emit = NULL, *merge = NULL;
    const char *cell = NULL, *guests = NULL, *fixture = NULL;
    double cell_timeout = 0, wait = 0;
    int jobs = (int)sysconf(_SC_NPROCESSORS_ONLN), json = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:j:qvh", opts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'o': out = optarg; break;
        case 'B': bl = optarg; break;
        case 'E': el = optarg; break;
        case 'P': pl = optarg; break;
        case 'j':
            jobs = (int)strtol(optarg, &end, 10);
            if (*end || jobs < 1 || jobs > 256)
                return cli_error("matrix", EXIT_USAGE, "--jobs takes a number from 1 to 256, not '%s'", optarg);
            break;
        case 'T':
        case 'W': {
            double v = strtod(optarg, &end);
            if (*end || !(v > 0) || v > 86400)
                return cli_error("matrix", EXIT_USAGE, "--%s takes seconds > 0, not '%s'",
                                 c == 'T' ? "cell-timeout" : "wait", optarg);
            *(c == 'T' ? &cell_timeout : &wait) = v;
            break;
        }
        case 'R': resume = optarg; break;
        case 'J': emit = optarg; break;
        case 'M': merge = optarg; break;
        case 'C': cell = optarg; break;
        case 'G': guests = optarg; break;
        case 'F': fixture = optarg; break;
        case 'L': sel4_images = optarg; break;
        case 'S': json = 1; break;
        case 'h': return cli_help(help);
        default:
            if (cli_common_opt(c))
                break;
            return cli_error("matrix", EXIT_USAGE, "unknown or incomplete option (see --help)");
        }
    }
    if (optind < argc)
        return cli_error("matrix", EXIT_USAGE, "unexpected argument '%s' (see --help)", argv[optind]);
    if (!!resume + !!emit + !!merge + !!cell > 1)
        return cli_error("matrix", EXIT_USAGE, "--resume, --emit-jobs, --merge and --cell do not combine");
    struct stat st;
    if (sel4_images) {
        int missing = stat(sel4_images, &st) != 0;
        if (missing || !S_ISDIR(st.st_mode))
            return cli_error("matrix", EXIT_USAGE, "--sel4-images %s: %s", sel4_images,
                             missing ? "no such directory" : "not a directory");
    }
    if ((resume || merge) && (out || bl || el || pl))
        return cli_error("matrix", EXIT_USAGE, "--%s takes the matrix's rows, columns and directory from its plan: "
                         "leave out -o, --backends, --exceptions and --placements", resume ? "resume" : "merge");

    /* --resume and --merge: the plan gives the rows, columns and settings
     * (options given now win). */
    static settings plan_set;
    sel s = { 0 };
    const char *dir = resume ? resume : merge ? merge : out ? out : "hvprobe-matrix";
    if (resume || merge) {
        int rc = read_plan(dir, &s, &plan_set);
        if (rc)
            return rc;
        if (resume) {
            guests = guests ? guests : plan_set.guests[0] ? plan_set.guests : NULL;
            fixture = fixture ? fixture : plan_set.fixture[0] ? plan_set.fixture : NULL;
            sel4_images = sel4_images ? sel4_images : plan_set.sel4[0] ? plan_set.sel4 : NULL;
            wait = wait > 0 ? wait : plan_set.wait;
        }
    }

    /* The probe images and the fixture's hypervisor. */
    char gpath[PATH_MAX], gdir[PATH_MAX], fpath[PATH_MAX];
    if (!guests) {
        if (!cli_guest_path("probe-svc-vbar-virt.elf", gpath, sizeof gpath) && !merge)
            return cli_error("matrix", EXIT_USAGE, "the probe guests are not built (no %s): run make", gpath);
        snprintf(gdir, sizeof gdir, "%s", dirname(gpath));
        guests = gdir;
    }
    if (!fixture) {
        pathf(fpath, sizeof fpath, "%s/hyp-fixture.elf", guests);
        fixture = fpath;
    }

    if (cell) {
        if (!out)
            return cli_error("matrix", EXIT_USAGE, "--cell needs -o DIR (where its result goes)");
        return run_one_cell(cell, out, guests, fixture, wait);
    }

    if (!resume && !merge) {
        if (parse_list("backend", bl, s.col, HVP_MX_NCOL, hvp_matrix_column_parse,
                       "tcg, tcg-vexpress, tcg-virt, fixture, kvm-nested, sel4") ||
            parse_list("exception", el, s.exc, HVP_MX_NEXC, hvp_matrix_exc_parse,
                       "svc, undef, pabt, dabt, irq, fiq, serror") ||
            parse_list("placement", pl, s.place, HVP_MX_NPLACE, hvp_matrix_place_parse, "vbar, high, low, mmu, s2"))
            return EXIT_USAGE;
        if (dir_has_plan(dir))
            return cli_error("matrix", EXIT_USAGE, "%s holds a matrix already: continue it with --resume %s, "
                             "assemble it with --merge %s, or choose another -o", dir, dir, dir);
        char cells[PATH_MAX];
        snprintf(cells, sizeof cells, "%s/cells", dir);
        if ((mkdir(dir, 0755) && errno != EEXIST) || (mkdir(cells, 0755) && errno != EEXIST))
            return cli_error("matrix", EXIT_OUTPUT, "cannot create %s: %s", cells, strerror(errno));
    }
    static hvp_matrix m;    /* 175 cells: not on the stack */
    if (merge) {
        int rc = load_matrix(dir, &s, &m);
        return rc ? rc : finish(dir, &m, json);
    }

    /* Absolute paths: the jobs run from anywhere. */
    char exe[PATH_MAX], adir[PATH_MAX], aguests[PATH_MAX], afix[PATH_MAX];
    ssize_t l = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (l <= 0 || abs_path(dir, adir, sizeof adir) || abs_path(guests, aguests, sizeof aguests))
        return cli_error("matrix", EXIT_INTERNAL, "cannot resolve the paths of hvprobe, %s or %s", dir, guests);
    exe[l] = '\0';
    const char *afixture = abs_path(fixture, afix, sizeof afix) ? NULL : afix;
    static char asel4[PATH_MAX];
    if (sel4_images && !abs_path(sel4_images, asel4, sizeof asel4))
        sel4_images = asel4;
    if (!resume) {
        static settings now;
        now.wait = wait;
        snprintf(now.guests, sizeof now.guests, "%s", aguests);
        snprintf(now.fixture, sizeof now.fixture, "%s", afixture ? afixture : "");
        snprintf(now.sel4, sizeof now.sel4, "%s", sel4_images ? sel4_images : "");
        int rc = write_plan(adir, &s, &now);
        if (rc)
            return rc;
    }

    /* The cells with no result yet; longest-starting backends first. */
    static job pending[HVP_MX_NEXC * HVP_MX_NPLACE * HVP_MX_NCOL];
    int npending = 0, total = 0;
    char path[PATH_MAX];
    for (int pass = 0; pass < 2; pass++)
        for (int k = 0; k < HVP_MX_NCOL; k++) {
            if (!s.col[k] || (hvp_matrix_column_at(k)->start_timeout_s > 60) != (pass == 0))
                continue;
            for (int e = 0; e < HVP_MX_NEXC; e++)
                for (int p = 0; p < HVP_MX_NPLACE; p++) {
                    if (!s.exc[e] || !s.place[p])
                        continue;
                    total++;
                    cell_path(adir, e, p, k, ".json", path, sizeof path);
                    static hvp_matrix_cell prev;
                    hvp_error lerr = { 0 };
                    /* Done cells stay; failed, timed-out and skipped ones
                     * are tried again. */
                    if (!access(path, F_OK) && !hvp_matrix_cell_load(path, &prev, &lerr) &&
                        prev.status == HVP_MX_DONE)
                        continue;
                    pending[npending++] = (job){ .e = e, .p = p, .k = k };
                }
        }

    if (emit) {
        FILE *f = fopen(emit, "w");
        if (!f)
            return cli_error("matrix", EXIT_OUTPUT, "cannot write %s: %s", emit, strerror(errno));
        for (int i = 0; i < npending; i++) {
            char id[96], wb[32], *av[20];
            hvp_matrix_cell_id(pending[i].e, pending[i].p, pending[i].k, id, sizeof id);
            cell_argv(exe, id, adir, aguests, afixture, wait, av, wb, sizeof wb);
            for (int a = 0; av[a]; a++) {
                if (a)
                    fputc(' ', f);
                shell_quote(f, av[a]);
            }
            fputc('\n', f);
        }
        if (ferror(f) | fclose(f)) {
            int e = errno;
            unlink(emit);       /* no partial jobs file */
            return cli_error("matrix", EXIT_OUTPUT, "cannot write %s: %s", emit, strerror(e));
        }
        cli_note("matrix", "wrote %d job%s to %s; run them (e.g. parallel < %s), then: hvprobe matrix --merge %s",
                 npending, npending == 1 ? "" : "s", emit, emit, dir);
        return EXIT_OK;
    }

    /* Columns this host cannot run: every cell skipped, with the reason,
     * without starting anything. */
    static hvp_host host;   /* probed once for every column's check */
    hvp_host_probe(&host);
    for (int k = 0; k < HVP_MX_NCOL; k++) {
        if (!s.col[k])
            continue;
        hvp_matrix_cell_opts co = { .col = k, .guests = aguests, .fixture_elf = afixture, .sel4_images = sel4_images,
                                    .host = &host };
        char why[512];
        if (hvp_matrix_column_usable(&co, why, sizeof why))
            continue;
        cli_note("matrix", "skipping %s: %s", hvp_matrix_column_at(k)->name, why);
        for (int i = 0; i < npending; i++)
            if (pending[i].k == k) {
                hvp_matrix_cell sc = { .exc = pending[i].e, .place = pending[i].p, .col = k,
                                       .status = HVP_MX_SKIPPED, .agree = HVP_UNKNOWN, .masked = HVP_UNKNOWN };
                snprintf(sc.message, sizeof sc.message, "%s", why);
                cell_path(adir, sc.exc, sc.place, k, ".json", path, sizeof path);
                hvp_error err = { 0 };
                if (hvp_matrix_cell_save(&sc, path, &err))
                    return cli_error("matrix", EXIT_OUTPUT, "cannot write %s: %s", path, err.msg);
                pending[i--] = pending[--npending];
            }
    }
    sched sc = { exe, adir, aguests, afixture, wait, cell_timeout, jobs, npending, 0, 0, 0, 0, isatty(2) };
    if (resume)
        cli_note("matrix", "resuming %s: %d of %d cells to run", dir, npending, total);
    long t0 = cli_now_ms();
    int rc = schedule(&sc, pending, npending);
    if (rc == EXIT_INTERRUPTED)
        return cli_error("matrix", EXIT_INTERRUPTED, "interrupted: %d of %d cells have results in %s; "
                         "hvprobe matrix --resume %s runs the rest", sc.finished + (total - npending), total, dir, dir);
    if (rc)
        return rc;
    if ((rc = load_matrix(dir, &s, &m)))
        return rc;
    m.wall_s = resume ? 0 : (cli_now_ms() - t0) / 1000.0;
    m.jobs = jobs;
    return finish(dir, &m, json);
}
