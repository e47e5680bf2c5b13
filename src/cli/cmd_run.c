/* cmd_run.c - `hvprobe run`: run a guest image under a backend, stream
 * its serial output, and optionally capture it at a trigger. */
#include "util/clock.h"
#include "backends/host.h"
#include "backends/kvm_nested.h"
#include "backends/qemu.h"
#include "cli/cli.h"
#include "arch/arm/exc_model.h"
#include "elf/elf_image.h"
#include "elf/elf_scan.h"
#include "hvprobe/capture.h"
#include "hvprobe/dump.h"
#include "transport/rsp.h"

#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char help[] =
    "usage: hvprobe run IMAGE [--backend tcg|kvm|kvm-nested|fixture] [--machine vexpress-a9|vexpress-a15|virt]\n"
    "                   [--cpu NAME] [--memory SIZE] [--load-addr ADDR] [--serial FILE|-]\n"
    "                   [--trace EVENTS] [--trace-log FILE] [--halt-at-start]\n"
    "                   [--gdb-port N] [--monitor-port N] [--dry-run]\n"
    "                   [--capture SNAP.json TRIGGER [--label NAME] [--save-ram[=REGION,...]]]\n"
    "                   [-q] [-- EXTRA-QEMU-ARGS...]\n"
        "\n"
    "Run a guest image under one backend, with its debug channels wired safely, and\n"
    "stream its serial output to the terminal until it exits or you press Ctrl-C.\n"
    "\n"
    "Backends (see 'hvprobe check' for what this host can run):\n"
    "  tcg      QEMU software emulation (qemu-system-arm), any host; the default\n"
    "  kvm      real Linux KVM: qemu-system-aarch64 -enable-kvm -M virt -cpu host,aarch64=off;\n"
    "           only on an arm64 host whose KVM runs 32-bit guests. Refused elsewhere,\n"
    "           never replaced by TCG behind your back\n"
    "  kvm-nested  real Linux KVM on any host: the same inner QEMU -enable-kvm, run inside\n"
    "           an arm64 Linux host that QEMU emulates with EL2 (prepare it once with\n"
    "           'hvprobe kvm-host build'). About 10 s to boot; breakpoint triggers use\n"
    "           hardware breakpoints (Z1); --trace is not available\n"
    "  fixture  a stage-2 hypervisor (guests/hyp-fixture) that maps no memory at IPA 0,\n"
    "           like the seL4 VMM, on QEMU virt with virtualization=on\n"
    "\n"
    "Images: an ELF is checked (32-bit ARM, segments inside the machine's RAM) and\n"
    "loaded at its addresses. A raw binary needs --load-addr ADDR: it is loaded exactly\n"
    "there and entered there (QEMU's -kernel would treat it as a Linux zImage at RAM\n"
    "base + 0x10000).\n"
    "\n"
    "Debug channels: QMP, HMP and the gdbstub on unix sockets in a private 0700\n"
    "directory (printed at start, removed at exit). --gdb-port / --monitor-port add\n"
    "TCP listeners on 127.0.0.1 only (the original scripts used 1235 and 55556).\n"
    "\n"
    "  --serial FILE|-   write the guest's serial output to FILE ('-': terminal, default)\n"
    "  --trace EVENTS    QEMU -d events (e.g. int,guest_errors), logged to --trace-log\n"
    "                    FILE (default ./qemu-trace.log); read it with 'hvprobe trace'\n"
    "  --halt-at-start   start with the CPU halted (attach gdb, then 'continue')\n"
    "  --dry-run         print the exact QEMU command line and exit\n"
    "  --capture FILE    capture a snapshot (as 'hvprobe capture') when the trigger fires,\n"
    "                    then stop QEMU and exit. Triggers:\n"
    "      --after SECONDS     that long after start\n"
    "      --at-serial TEXT    when the guest's serial output first contains TEXT\n"
    "      --at-pc ADDR        when the CPU reaches ADDR (a gdbstub breakpoint)\n"
    "      --at-symbol NAME    when the CPU reaches the ELF symbol NAME\n"
    "      --at-exception E    when exception E (svc, undef, pabt, dabt, irq, fiq) is first\n"
    "                          taken: breakpoints on every address its vector can be\n"
    "                          fetched from (0x0 and 0xffff0000 tables, VBAR banks, and\n"
    "                          the image's own vector tables), so the capture shows the\n"
    "                          CPU at the vector, even one that cannot be fetched\n"
    "  --label NAME      the snapshot's label (default: backend-machine)\n"
    "  --save-ram[=REGION,...]  with --capture: also save the guest's RAM beside the\n"
    "                    snapshot, as 'hvprobe capture --save-ram' (--ram-limit SIZE,\n"
    "                    --ram-method M as there; kvm-nested always uses the gdbstub)\n"
    "  -q                do not stream serial output or print notes\n"
    "\n"
    "Examples:\n"
    "  hvprobe run build/guests/tiny-vbar-vexpress.elf\n"
    "  hvprobe run guest.elf --machine virt --capture tcg.json --at-serial 'issuing svc'\n"
    "  hvprobe run guest.bin --load-addr 0x60000000 --dry-run\n"
    "\n"
    "Exit: 0 the guest ran (and the capture was written), 2 usage or bad image,\n"
    "3 QEMU failed or the backend cannot run here (the message says what would),\n"
    "5 the snapshot could not be written, 130 interrupted.\n";

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static int parse_u64(const char *s, uint64_t *v)
{
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 0);
    if (errno || *end || end == s)
        return -1;
    *v = x;
    return 0;
}

static void progress_line(void *ctx, const char *msg)
{
    if (!*(int *)ctx)
        fprintf(stderr, "hvprobe run: %s\n", msg);
}

static void note_line(void *ctx, const char *msg)
{
    if (!*(int *)ctx)
        fprintf(stderr, "hvprobe run: note: %s\n", msg);
}

/* Breakpoint addresses for the first `exc`: its slot in every table the
 * CPU could use — 0x0, 0xffff0000, the VBAR banks the gdbstub shows now,
 * and the image's own vector tables (a guest may set VBAR later). */
static size_t exception_addrs(rsp_client *c, int exc, const char *elf, uint64_t *out, size_t max)
{
    size_t n = 0;
    uint64_t off = 4u * (unsigned)exc, bases[8];
    size_t nb = 0;
    bases[nb++] = 0;
    bases[nb++] = 0xffff0000u;
    static const char *const regs[] = { "VBAR", "VBAR_S", "MVBAR", "VBAR_EL2", "HVBAR" };
    for (size_t i = 0; i < sizeof regs / sizeof regs[0]; i++) {
        uint64_t v;
        if (rsp_reg_find(c, regs[i]) && rsp_read_reg(c, regs[i], &v, NULL) == HVP_OK)
            bases[nb++] = v & ~0x1full;
    }
    uint64_t tables[4];
    size_t nt = 0;
    if (elf && hvp_elf_find_vector_tables(elf, tables, 4, &nt, NULL) == HVP_OK)
        for (size_t i = 0; i < nt && nb < 8; i++)
            bases[nb++] = tables[i];
    for (size_t i = 0; i < nb && n < max; i++) {
        int dup = 0;
        for (size_t k = 0; k < n; k++)
            dup |= out[k] == bases[i] + off;
        if (!dup)
            out[n++] = bases[i] + off;
    }
    return n;
}

/* Insert or remove a breakpoint: software (Z0) normally; hardware (Z1,
 * kind 4) under kvm-nested, where the inner gdbstub treats the 32-bit
 * vCPU as AArch64 and a software breakpoint would write an AArch64 BRK
 * into the guest.  KVM implements Z1 with the CPU's breakpoint registers
 * (six on the emulated Cortex-A57). */
static int set_breakpoint(rsp_client *c, int hw, int insert, uint64_t addr, hvp_error *err)
{
    if (!hw)
        return rsp_breakpoint(c, insert, addr, err);
    char pkt[48], *reply = NULL;
    snprintf(pkt, sizeof pkt, "%c1,%llx,4", insert ? 'Z' : 'z', (unsigned long long)addr);
    int rc = rsp_request(c, pkt, &reply, err);
    if (!rc && strcmp(reply, "OK"))
        rc = hvp_fail(err, reply[0] ? HVP_E_TARGET : HVP_E_UNSUPPORTED, "%s hardware breakpoint at 0x%llx: %s",
                      insert ? "inserting a" : "removing the", (unsigned long long)addr,
                      reply[0] ? reply : "the gdbstub does not support Z1");
    free(reply);
    return rc;
}

/* Attach to the gdbstub, plant breakpoints, let the guest run until one
 * is hit (streaming serial, watching QEMU and signals), remove them and
 * leave the guest halted with the gdbstub free for the capture.
 * Returns EXIT_OK when hit; an exit code (message printed) otherwise. */
static int run_to_breakpoint(hvp_qemu *q, const uint64_t *addrs, size_t n, int exc, const char *elf,
                             cli_serial_tail *tail, int stream, int quiet, int hw)
{
    rsp_client *c = NULL;
    hvp_error err = { 0 };
    uint64_t list[16];
    int rc = rsp_open(q->gdb, 5000, &c, &err);
    if (!rc && exc >= 0)
        n = exception_addrs(c, exc, elf, list, 16), addrs = list;
    for (size_t i = 0; !rc && i < n; i++)
        rc = set_breakpoint(c, hw, 1, addrs[i], &err);
    if (!rc)
        rc = rsp_continue(c, &err);
    while (!rc) {
        rc = rsp_wait_stop(c, 50, &err);
        if (rc != HVP_E_TIMEOUT)
            break;
        rc = HVP_OK;
        cli_pump_serial(tail, q->serial, stream);
        if (stop_requested || !hvp_qemu_alive(q, NULL)) {
            rsp_close(c);
            return stop_requested ? 130 : cli_error("run", EXIT_TARGET, "QEMU exited before the breakpoint was hit");
        }
    }
    uint64_t pc = 0;
    if (!rc)
        rc = rsp_read_reg(c, "pc", &pc, &err);
    for (size_t i = 0; !rc && i < n; i++)
        rc = set_breakpoint(c, hw, 0, addrs[i], &err);
    rsp_close(c); /* no `D`: the guest stays halted for the capture */
    if (rc)
        return cli_error("run", cli_exit_for(rc), "breakpoint trigger: %s", err.msg);
    if (!quiet)
        fprintf(stderr, "hvprobe run: stopped at 0x%08llx\n", (unsigned long long)pc);
    return EXIT_OK;
}

int cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {
        { "backend", required_argument, 0, 'b' }, { "machine", required_argument, 0, 'M' },
        { "cpu", required_argument, 0, 'c' }, { "memory", required_argument, 0, 'm' },
        { "load-addr", required_argument, 0, 'A' }, { "serial", required_argument, 0, 's' },
        { "trace", required_argument, 0, 't' }, { "trace-log", required_argument, 0, 'T' },
        { "halt-at-start", no_argument, 0, 'S' }, { "gdb-port", required_argument, 0, 'g' },
        { "monitor-port", required_argument, 0, 'p' }, { "dry-run", no_argument, 0, 'n' },
        { "capture", required_argument, 0, 'C' }, { "after", required_argument, 0, 'a' },
        { "at-serial", required_argument, 0, 'w' }, { "label", required_argument, 0, 'l' },
        { "at-pc", required_argument, 0, 'P' }, { "at-symbol", required_argument, 0, 'Y' },
        { "at-exception", required_argument, 0, 'E' },
        { "quiet", no_argument, 0, 'q' }, { "help", no_argument, 0, 'h' }, CLI_RAM_OPTIONS, { 0, 0, 0, 0 }
    };
    hvp_run_opts o = { 0 };
    hvp_capture_opts ram = { 0 }; /* only the RAM image options */
    ram.ram_limit = CLI_RAM_LIMIT_DEFAULT;
    const char *capture = NULL, *at_serial = NULL, *label = NULL, *at_symbol = NULL;
    int at_exc = -1, have_pc = 0;
    uint64_t at_pc = 0;
    double after = -1;
    int dry = 0, quiet = 0, c, stream = 1;
    char fixture[4096];
    int dashdash = 0;
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--"))
            dashdash = 1;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        uint64_t v;
        switch (c) {
        case 'b': o.backend = optarg; break;
        case 'M': o.machine = optarg; break;
        case 'c': o.cpu = optarg; break;
        case 'm': o.memory = optarg; break;
        case 'A':
            if (parse_u64(optarg, &v) || v > 0xffffffffu)
                return cli_error("run", EXIT_USAGE, "--load-addr wants an address like 0x60000000, not '%s'", optarg);
            o.have_load_addr = 1;
            o.load_addr = v;
            break;
        case 's':
            if (strcmp(optarg, "-"))
                o.serial_file = optarg, stream = 0;
            break;
        case 't': o.trace_events = optarg; break;
        case 'T': o.trace_file = optarg; break;
        case 'S': o.halt_at_start = 1; break;
        case 'g':
        case 'p':
            if (parse_u64(optarg, &v) || v < 1 || v > 65535)
                return cli_error("run", EXIT_USAGE, "--%s wants a TCP port 1..65535, not '%s'",
                                 c == 'g' ? "gdb-port" : "monitor-port", optarg);
            *(c == 'g' ? &o.gdb_port : &o.monitor_port) = (int)v;
            break;
        case 'n': dry = 1; break;
        case 'C': capture = optarg; break;
        case 'a': {
            char *end;
            after = strtod(optarg, &end);
            if (*end || after < 0 || after > 86400)
                return cli_error("run", EXIT_USAGE, "--after wants seconds, not '%s'", optarg);
            break;
        }
        case 'w': at_serial = optarg; break;
        case 'P':
            if (parse_u64(optarg, &at_pc) || at_pc > 0xffffffffu)
                return cli_error("run", EXIT_USAGE, "--at-pc wants an address like 0x60000054, not '%s'", optarg);
            have_pc = 1;
            break;
        case 'Y': at_symbol = optarg; break;
        case 'E':
            at_exc = arm_exc_parse(optarg);
            if (at_exc < 0 || at_exc == ARM_EXC_RESET || at_exc == ARM_EXC_HYP)
                return cli_error("run", EXIT_USAGE, "--at-exception wants svc, undef, pabt, dabt, irq or fiq, not '%s'",
                                 optarg);
            break;
        case 'l': label = optarg; break;
        case 'q': quiet = 1; break;
        case CLI_OPT_SAVE_RAM:
        case CLI_OPT_RAM_LIMIT:
        case CLI_OPT_RAM_METHOD:
            if (cli_ram_option("run", c, optarg, &ram))
                return EXIT_USAGE;
            break;
        case 'h': fputs(help, stdout); return EXIT_OK;
        default:
            return cli_error("run", EXIT_USAGE, "unknown or incomplete option '%s' (see --help)", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return cli_error("run", EXIT_USAGE, "no image given (see --help)");
    o.image = argv[optind++];
    if (optind < argc && !dashdash)
        return cli_error("run", EXIT_USAGE, "unexpected argument '%s' (QEMU arguments go after --)", argv[optind]);
    o.extra = argv + optind;
    o.nextra = argc - optind;
    int ntrig = (after >= 0) + !!at_serial + have_pc + !!at_symbol + (at_exc >= 0);
    if (capture && ntrig != 1)
        return cli_error("run", EXIT_USAGE, "--capture needs exactly one trigger: --after, --at-serial, --at-pc, "
                         "--at-symbol or --at-exception");
    if (!capture && ntrig)
        return cli_error("run", EXIT_USAGE, "--after/--at-* are triggers for --capture FILE");
    if (!capture && ram.save_ram)
        return cli_error("run", EXIT_USAGE, "--save-ram saves the RAM with a snapshot: add --capture FILE and a trigger");
    if (o.trace_events && !o.trace_file)
        o.trace_file = "qemu-trace.log";
    if (o.backend && !strcmp(o.backend, "fixture")) {
        cli_guest_path("hyp-fixture.elf", fixture, sizeof fixture);
        o.fixture_elf = fixture;
    }
    if (quiet)
        stream = 0;
    int nested = o.backend && !strcmp(o.backend, "kvm-nested");

    /* Breakpoint triggers must be planted before the guest runs its first
     * instruction: start halted, attach, plant, then let it go. */
    if (have_pc || at_symbol || at_exc >= 0)
        o.halt_at_start = 1;
    hvp_host host;
    hvp_host_probe(&host);
    hvp_qemu q;
    char **qargv = NULL;
    hvp_error err = { 0 };
    int rc = hvp_run_plan(&o, &host, &q, &qargv, &err);
    if (rc)
        return cli_error("run", rc == HVP_E_UNSUPPORTED ? EXIT_TARGET : cli_exit_for(rc), "%s", err.msg);
    for (int i = 0; i < q.nwarnings && !quiet; i++)
        fprintf(stderr, "hvprobe run: warning: %s\n", q.warnings[i]);
    if (dry) {
        char *line = hvp_argv_join(qargv);
        printf("%s\n", line);
        free(line);
        hvp_argv_free(qargv);
        hvp_qemu_stop(&q);
        return EXIT_OK;
    }
    struct sigaction sa = { 0 };
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    if (nested && !quiet)
        fprintf(stderr, "hvprobe run: booting the emulated arm64 KVM host (QEMU TCG, virt with EL2)...\n");
    rc = hvp_qemu_spawn(&q, qargv, 10000, &err);
    hvp_argv_free(qargv);
    if (!rc && nested)
        rc = hvp_kvm_nested_wait(&q, 120000, progress_line, &quiet, &err);
    if (rc) {
        hvp_qemu_stop(&q);
        return cli_error("run", EXIT_TARGET, "%s", err.msg);
    }
    if (!quiet) {
        fprintf(stderr, "hvprobe run: QEMU pid %d, backend %s, machine %s; channels in %s\n", (int)q.pid,
                o.backend ? o.backend : "tcg", q.machine, q.rundir);
        fprintf(stderr, "hvprobe run: attach: gdb-multiarch -ex 'target remote %s' %s\n",
                strncmp(q.gdb, "unix:", 5) ? q.gdb + 4 : q.gdb + 5, o.image);
        fprintf(stderr, "hvprobe run: capture: hvprobe capture --qmp %s --gdb %s -o snap.json\n", q.qmp, q.gdb);
    }
    cli_serial_tail tail = { 0 };
    long start = hvp_now_ms();
    int code = EXIT_OK, status = 0, exited = 0, bp_hit = 0;
    if (have_pc || at_symbol || at_exc >= 0) {
        if (at_symbol) {
            hvp_image *img = NULL;
            const hvp_symbol *y = NULL;
            if (q.image_is_elf && hvp_elf_load(o.image, 1, &img, &err) == HVP_OK)
                for (size_t i = 0; i < img->nsymbols && !y; i++)
                    if (!strcmp(img->symbols[i].name, at_symbol))
                        y = &img->symbols[i];
            if (y)
                at_pc = y->addr;
            hvp_image_free(img);
            if (!y) {
                hvp_qemu_stop(&q);
                return cli_error("run", EXIT_USAGE, "--at-symbol: '%s' is not a symbol of %s", at_symbol, o.image);
            }
        }
        code = run_to_breakpoint(&q, &at_pc, 1, at_exc, q.image_is_elf ? o.image : NULL, &tail, stream, quiet, nested);
        bp_hit = code == EXIT_OK;
    }
    while (!stop_requested && !code) {
        cli_pump_serial(&tail, q.serial, stream);
        if (!hvp_qemu_alive(&q, &status)) {
            exited = 1;
            break;
        }
        int fire = capture && (bp_hit || (after >= 0 && hvp_now_ms() - start >= (long)(after * 1000)) ||
                               (at_serial && strstr(tail.window, at_serial)));
        if (fire) {
            char deflabel[64];
            snprintf(deflabel, sizeof deflabel, "%s-%s", o.backend ? o.backend : "tcg", q.machine);
            hvp_capture_opts co = ram;
            co.ram_path = capture;
            if (nested) /* its QMP belongs to a QEMU inside the emulated host: pmemsave would write there */
                co.ram_method = HVP_DUMP_RSP;
            co.qmp = q.qmp;
            co.gdb = q.gdb;
            co.elf = q.image_is_elf ? o.image : NULL;
            co.label = label ? label : deflabel;
            co.note = note_line;
            co.note_ctx = &quiet;
            hvp_snapshot *s = NULL;
            rc = hvp_capture(&co, &s, &err);
            if (!rc && nested)
                rc = hvp_kvm_nested_annotate(&q, s, &err);
            if (rc)
                code = cli_error("run", cli_exit_for(rc), "capture failed: %s", err.msg);
            else if ((rc = hvp_snapshot_save(s, capture, &err)))
                code = cli_error("run", rc == HVP_E_INVAL ? EXIT_USAGE : EXIT_OUTPUT, "%s", err.msg);
            else if (!quiet) {
                fprintf(stderr, "hvprobe run: wrote %s\n", capture);
                cli_print_ram_images("run", s);
            }
            hvp_snapshot_free(s);
            break;
        }
        usleep(10000);
    }
    cli_pump_serial(&tail, q.serial, stream);
    if (tail.f)
        fclose(tail.f);
    if (exited) {
        char last[400];
        hvp_qemu_last_error(&q, last, sizeof last);
        int st = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        if (capture)
            code = cli_error("run", EXIT_TARGET, "QEMU exited (status %d) before the capture trigger fired%s%s", st,
                             last[0] ? ": " : "", last);
        else if (st != 0)
            code = cli_error("run", EXIT_TARGET, "QEMU exited with status %d%s%s", st, last[0] ? ": " : "", last);
    }
    if (stop_requested && code == EXIT_OK)
        code = 130;
    hvp_qemu_stop(&q);
    return code;
}
