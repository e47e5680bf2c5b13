/* cmd_run.c - `hvprobe run`: run a guest image under a backend, stream
 * its serial output, and optionally capture it at a trigger. */
#include "cli/cli.h"
#include "hvprobe/backend.h"
#include "hvprobe/debug.h"
#include "hvprobe/launch.h"
#include "hvprobe/session.h"
#include "hvprobe/snapshot.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char help[] =
    "usage: hvprobe run IMAGE [--backend @BACKENDS@] [--machine vexpress-a9|vexpress-a15|virt]\n"
    "                   [--cpu NAME] [--memory SIZE] [--load-addr ADDR] [--elf FILE] [--serial FILE|-]\n"
    "                   [--dtb FILE] [--append TEXT] [--initrd FILE]\n"
    "                   [--trace EVENTS] [--trace-log FILE] [--halt-at-start]\n"
    "                   [--gdb-port N] [--monitor-port N] [--dry-run]\n"
    "                   [--capture SNAP.json TRIGGER [--when-stuck[=S]] [--on-exit] [--label NAME]\n"
    "                    [--save-ram[=REGION,...]]]\n"
    "                   [--json] [-q|-v]\n"
    "                   [-- EXTRA-QEMU-ARGS...]\n"
    "\n"
    "Run a guest image under one backend, with its debug channels wired safely, and\n"
    "stream its serial output to the terminal until it exits or you press Ctrl-C.\n"
    "\n"
    "Backends (see 'hvprobe check' for what this host can run):\n"
    "@BACKEND_HELP@\n"
    "\n"
    "Images: an ELF is checked (32-bit ARM or AArch64, segments inside the machine's\n"
    "RAM) and loaded at its addresses. A Linux kernel (a zImage: magic 0x016f2818 at\n"
    "offset 0x24; a U-Boot uImage; an arm64 Image: \"ARM\\x64\" at 0x38) boots as Linux,\n"
    "with QEMU's Linux boot protocol (the device tree's address in r2, or x0):\n"
    "--dtb FILE (virt makes its own; vexpress needs one, e.g. Debian's\n"
    "vexpress-v2p-ca9.dtb), --append TEXT (the command line), --initrd FILE; under tcg,\n"
    "kvm and kvm-nested (arm64 Images: tcg). A raw binary needs --load-addr ADDR: it is loaded exactly\n"
    "there and entered there (QEMU's -kernel would treat it as a Linux zImage at RAM\n"
    "base + 0x10000). --elf FILE names the guest's ELF with symbols when the image is\n"
    "not one (a kernel's vmlinux, a raw binary's ELF), for --at-symbol, --at-exception\n"
    "and the snapshot's symbols.\n"
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
    "                    then stop QEMU and exit. Triggers (sel4: --at-guest-trap fault\n"
    "                    when none is given):\n"
    "      --after SECONDS     that long after start\n"
    "      --at-serial TEXT    when the guest's serial output first contains TEXT\n"
    "      --at-pc ADDR        when the CPU reaches ADDR (a gdbstub breakpoint)\n"
    "      --at-symbol NAME    when the CPU reaches the ELF symbol NAME\n"
    "      --at-exception E    when exception E (svc, undef, pabt, dabt, irq, fiq) is first\n"
    "                          taken: breakpoints on every address its vector can be\n"
    "                          fetched from (0x0 and 0xffff0000 tables, VBAR banks, and\n"
    "                          the image's own vector tables), so the capture shows the\n"
    "                          CPU at the vector, even one that cannot be fetched.\n"
    "                          AArch64: the kind's slot (svc, undef and aborts share the\n"
    "                          synchronous one) in cur_spx and lower_a64 of VBAR_EL1,\n"
    "                          VBAR_EL2 and the image's table\n"
    "      --at-guest-trap [KIND]  at the guest's trap to its hypervisor (sel4): KIND\n"
    "                          fault (the default: the stage-2 fault the hypervisor\n"
    "                          could not resolve and reports; the snapshot holds the\n"
    "                          guest at that trap, not a later VMM thread), prefetch-abort,\n"
    "                          data-abort, hvc, wfi or any (the first of that kind)\n"
    "      --when-stuck[=SECONDS]  when the guest is stuck that long (default 1), its\n"
    "                          serial output quiet: its PC stays in 256 bytes (spin;\n"
    "                          sampled every 0.1 s), rises through zero-filled memory\n"
    "                          (slide), waits at a WFI with IRQs masked (wfi), or the\n"
    "                          same fault repeats 3+ times a second (storm; from QEMU's\n"
    "                          -d int log, which it then writes in the runtime directory)\n"
    "      --on-exit           when the guest powers off, resets or panics: QEMU holds\n"
    "                          it (-no-shutdown -no-reboot) and it is captured as it was\n"
    "                          The last two also combine with --after or --at-serial;\n"
    "                          the snapshot's context.condition says which fired\n"
    "      --timeout SECONDS   give up waiting for the trigger (exit 6); default 120\n"
    "                          for --at-guest-trap, else none\n"
    "  --hyp-symbols FILE  the hypervisor's ELF with symbols (sel4: the kernel's;\n"
    "                    default kernel.elf beside the image)\n"
    "  --label NAME      the snapshot's label (default: backend-machine)\n"
    "  --save-ram[=REGION,...]  with --capture: also save the guest's RAM beside the\n"
    "                    snapshot, as 'hvprobe capture --save-ram' (--ram-limit SIZE,\n"
    "                    --ram-method M as there; kvm-nested always uses the gdbstub)\n"
    "  --json            print a JSON summary on standard output at the end (backend,\n"
    "                    machine, snapshot, where the breakpoint stopped, QEMU's exit\n"
    "                    status) instead of streaming the serial output; with --dry-run,\n"
    "                    the command line and channels as JSON\n"
    "  -q                also stops streaming the serial output\n"
    "\n"
    "Examples:\n"
    "  hvprobe run build/guests/tiny-vbar-vexpress.elf\n"
    "  hvprobe run guest.elf --machine virt --capture tcg.json --at-serial 'issuing svc'\n"
    "  hvprobe run guest.bin --load-addr 0x60000000 --dry-run\n"
    "  hvprobe run vmlinuz --machine vexpress-a9 --dtb vexpress-v2p-ca9.dtb \\\n"
    "      --append 'console=ttyAMA0' --capture linux.json --at-serial 'Freeing unused'\n"
    "\n"
    "Exit: 0 the guest ran (and the capture was written), 2 usage or bad image,\n"
    "3 QEMU failed or the backend cannot run here (the message says what would),\n"
    "5 the snapshot could not be written, 6 the trigger did not fire in time,\n"
    "7 an AArch64 image for a backend or board that runs 32-bit guests only,\n"
    "130 interrupted.\n";

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

static void note_line(void *ctx, const char *msg)
{
    (void)ctx;
    cli_note("run", "note: %s", msg);
}

static void progress_line(void *ctx, const char *msg)
{
    (void)ctx;
    cli_note("run", "%s", msg);
}

static int cancelled(void *ctx)
{
    (void)ctx;
    return stop_requested != 0;
}

/* What a run did, for the --json summary. */
typedef struct run_result {
    const char *snapshot;       /* written snapshot, or NULL */
    hvp_run_result run;
    long capture_ms;
} run_result;

/* The guest's serial output, to the terminal while streaming. */
static int capturing;   /* a capture trigger is set: a closed stdout does not end the run */

static void serial_out(void *ctx, const char *data, size_t n)
{
    int *stream = ctx;
    if (!*stream)
        return;
    if ((fwrite(data, 1, n, stdout) < n || fflush(stdout)) && errno == EPIPE) {
        /* The reader went away (`hvprobe run ... | head`): stop
         * streaming; with nothing to capture, stop the run, cleaning up
         * as for Ctrl-C (SIGPIPE is ignored so that this code runs). */
        *stream = 0;
        if (!capturing)
            stop_requested = 1;
    }
}

/* The --json documents: a dry run's plan, and a run's summary. */
static void print_json_plan(const hvp_guest *g, const hvp_guest_info *gi)
{
    char *line = hvp_guest_command_line(g);
    json_t *w = json_array();
    for (size_t i = 0; i < hvp_guest_nwarnings(g); i++)
        json_array_append_new(w, json_string(hvp_guest_warning(g, i)));
    cli_print_json(json_pack("{s:s,s:s,s:s,s:o}", "backend", gi->backend, "machine", gi->machine, "command_line",
                             line ? line : "", "warnings", w));
    free(line);
}

static void print_json_result(const hvp_guest_info *gi, const run_result *r, int code)
{
    char pc[24];
    snprintf(pc, sizeof pc, "0x%08llx", (unsigned long long)r->run.pc);
    cli_print_json(json_pack("{s:s,s:s,s:s,s:o,s:o,s:o,s:I,s:i}", "backend", gi->backend, "machine", gi->machine,
                             "image", gi->image, "snapshot", r->snapshot ? json_string(r->snapshot) : json_null(),
                             "stopped_at", r->run.have_pc ? json_string(pc) : json_null(), "qemu_exit_status",
                             r->run.qemu_exited ? json_integer(r->run.qemu_status) : json_null(), "capture_ms",
                             (json_int_t)r->capture_ms, "exit", code));
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
        { "at-exception", required_argument, 0, 'E' }, { "json", no_argument, 0, 'j' },
        { "at-guest-trap", optional_argument, 0, 'G' }, { "timeout", required_argument, 0, 'O' },
        { "hyp-symbols", required_argument, 0, 'H' }, { "dtb", required_argument, 0, 'D' },
        { "append", required_argument, 0, 'R' }, { "initrd", required_argument, 0, 'I' },
        { "elf", required_argument, 0, 'F' }, { "when-stuck", optional_argument, 0, 'K' },
        { "on-exit", no_argument, 0, 'X' },
        CLI_COMMON_OPTS, CLI_RAM_OPTIONS, { 0, 0, 0, 0 }
    };
    hvp_launch_opts o = { 0 };
    hvp_capture_opts ram = { 0 }; /* only the RAM image options */
    ram.ram_limit = CLI_RAM_LIMIT_DEFAULT;
    const char *capture = NULL, *at_serial = NULL, *label = NULL, *at_symbol = NULL, *exc_name = NULL;
    int at_exc = -1, have_pc = 0, at_trap = -1;
    double trig_timeout = -1, stuck_s = 0;
    int on_exit = 0;
    uint64_t at_pc = 0;
    double after = -1;
    int dry = 0, json = 0, c, stream = 1;
    hvp_error err = { 0 };
    char fixture[4096];
    int dashdash = 0;
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--"))
            dashdash = 1;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "qvh", opts, NULL)) != -1) {
        uint64_t v;
        if (cli_common_opt(c))
            continue;
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
            if (hvp_debug_exception_parse(optarg, &at_exc, &err))
                return cli_error("run", EXIT_USAGE, "--at-exception %s", err.msg);
            exc_name = optarg;
            break;
        case 'l': label = optarg; break;
        case 'G': {
            hvp_trap_kind k = HVP_TRAP_FAULT;
            const char *a = optarg;
            /* An optional argument may come as the next word ("--at-guest-trap fault"). */
            if (!a && optind < argc && !hvp_trap_kind_parse(argv[optind], &k, NULL))
                optind++;
            else if (a && hvp_trap_kind_parse(a, &k, &err))
                return cli_error("run", EXIT_USAGE, "--at-guest-trap: %s", err.msg);
            at_trap = (int)k;
            break;
        }
        case 'O': {
            char *end;
            trig_timeout = strtod(optarg, &end);
            if (*end || !(trig_timeout > 0) || trig_timeout > 86400)
                return cli_error("run", EXIT_USAGE, "--timeout wants seconds, not '%s'", optarg);
            break;
        }
        case 'H': o.hyp_symbols = optarg; break;
        case 'D': o.dtb = optarg; break;
        case 'R': o.append = optarg; break;
        case 'I': o.initrd = optarg; break;
        case 'F': o.guest_elf = optarg; break;
        case 'K': {
            char *end = NULL;
            stuck_s = optarg ? strtod(optarg, &end) : 1.0;
            if ((optarg && *end) || !(stuck_s >= 0.3) || stuck_s > 3600)
                return cli_error("run", EXIT_USAGE, "--when-stuck=SECONDS wants 0.3 to 3600 seconds, not '%s'", optarg);
            break;
        }
        case 'X': on_exit = 1; break;
        case CLI_OPT_SAVE_RAM:
        case CLI_OPT_RAM_LIMIT:
        case CLI_OPT_RAM_METHOD:
            if (cli_ram_option("run", c, optarg, &ram))
                return EXIT_USAGE;
            break;
        case 'j': json = 1; break;
        case 'h': return cli_help(help);
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
    int ntrig = (after >= 0) + !!at_serial + have_pc + !!at_symbol + (at_exc >= 0) + (at_trap >= 0);
    const hvp_backend_desc *bd = hvp_backend_find(o.backend ? o.backend : "tcg");
    if (capture && ntrig == 0 && bd && (bd->flags & HVP_BACKEND_GUEST_TRAPS))
        at_trap = HVP_TRAP_FAULT, ntrig = 1;  /* the trap its hypervisor reports */
    if (capture && (ntrig > 1 || (ntrig == 0 && !stuck_s && !on_exit)))
        return cli_error("run", EXIT_USAGE, "--capture needs one trigger: --after, --at-serial, --at-pc, "
                         "--at-symbol, --at-exception or --at-guest-trap, and/or --when-stuck, --on-exit");
    if (!capture && (ntrig || stuck_s > 0 || on_exit))
        return cli_error("run", EXIT_USAGE, "--after/--at-*/--when-stuck/--on-exit are triggers for --capture FILE");
    o.hold_on_exit = on_exit;
    if (o.trace_events && !o.trace_file)
        o.trace_file = "qemu-trace.log";
    /* A storm of exceptions shows in QEMU's -d int log: follow one, in
     * the runtime directory. */
    if (stuck_s > 0 && !o.trace_events && bd && !(bd->flags & HVP_BACKEND_NO_TRACE))
        o.trace_events = "int", o.trace_file = NULL;
    if (!capture && ram.save_ram)
        return cli_error("run", EXIT_USAGE, "--save-ram saves the RAM with a snapshot: add --capture FILE and a trigger");
    if (at_symbol) {
        int rc = hvp_elf_symbol_addr(o.image, at_symbol, &at_pc, &err);
        if (rc)
            return cli_error("run", rc == HVP_E_NOMEM ? EXIT_INTERNAL : EXIT_USAGE, "--at-symbol: %s", err.msg);
        have_pc = 1;
    }
    if (o.backend && !strcmp(o.backend, "fixture")) {
        cli_guest_path("hyp-fixture.elf", fixture, sizeof fixture);
        o.fixture_elf = fixture;
    }
    if (cli_verbosity < 0 || json)
        stream = 0;

    hvp_trigger trig = { .kind = HVP_TRIGGER_NONE };
    if (after >= 0)
        trig.kind = HVP_TRIGGER_AFTER, trig.after_s = after;
    else if (at_serial)
        trig.kind = HVP_TRIGGER_SERIAL, trig.serial = at_serial;
    else if (have_pc)
        trig.kind = HVP_TRIGGER_PC, trig.pc = at_pc;
    else if (at_exc >= 0)
        trig.kind = HVP_TRIGGER_EXCEPTION, trig.exception = at_exc;
    else if (at_trap >= 0)
        trig.kind = HVP_TRIGGER_GUEST_TRAP, trig.trap = (hvp_trap_kind)at_trap;
    trig.timeout_ms = trig_timeout > 0 ? (int)(trig_timeout * 1000) : trig.kind == HVP_TRIGGER_GUEST_TRAP ? 120000 : 0;
    trig.stuck_s = stuck_s;
    trig.on_exit = on_exit;
    hvp_capture_opts trap_co = ram;     /* captures taken at guest traps */
    trap_co.ram_path = capture;
    trap_co.label = label;
    trap_co.note = note_line;
    trig.capture = &trap_co;
    /* Breakpoint triggers must be planted before the guest runs its first
     * instruction: start halted; the run attaches, plants, then lets it go. */
    if (hvp_trigger_halts_at_start(&trig))
        o.halt_at_start = 1;
    hvp_guest *g = NULL;
    int rc = hvp_launch_plan(&o, &g, &err);
    if (rc)
        return cli_error("run", rc == HVP_E_UNSUPPORTED ? EXIT_TARGET : cli_exit_for(rc), "%s", err.msg);
    hvp_guest_info gi;
    hvp_guest_get_info(g, &gi);
    for (size_t i = 0; i < hvp_guest_nwarnings(g); i++)
        cli_note("run", "warning: %s", hvp_guest_warning(g, i));
    if (dry) {
        if (json) {
            print_json_plan(g, &gi);
        } else {
            char *line = hvp_guest_command_line(g);
            printf("%s\n", line ? line : "");
            free(line);
        }
        hvp_guest_free(g);
        return EXIT_OK;
    }
    if (cli_verbosity > 0) {
        char *line = hvp_guest_command_line(g);
        cli_info("run", "QEMU command line: %s", line ? line : "?");
        free(line);
    }
    struct sigaction sa = { 0 };
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    long start = cli_now_ms();
    hvp_launch_events ev = { progress_line, cancelled, NULL };
    rc = hvp_guest_start(g, 0, &ev, &err);
    if (rc) {
        hvp_guest_free(g);
        return rc == HVP_E_CANCELLED || stop_requested ? EXIT_INTERRUPTED : cli_error("run", EXIT_TARGET, "%s", err.msg);
    }
    hvp_guest_get_info(g, &gi);
    cli_info("run", "QEMU up in %ld ms", cli_now_ms() - start);
    cli_note("run", "QEMU pid %ld, backend %s, machine %s; channels in %s", gi.pid, gi.backend, gi.machine, gi.rundir);
    cli_note("run", "attach: gdb-multiarch -ex 'target remote %s' %s",
             strncmp(gi.gdb, "unix:", 5) ? gi.gdb + 4 : gi.gdb + 5, gi.guest_elf ? gi.guest_elf : gi.image);
    cli_note("run", "capture: hvprobe capture --qmp %s --gdb %s -o snap.json", gi.qmp, gi.gdb);
    cli_info("run", "channels: qmp %s, hmp %s, gdb %s; serial %s", gi.qmp, gi.hmp, gi.gdb, gi.serial);
    run_result res = { 0 };
    int code = EXIT_OK;
    if (trig.kind == HVP_TRIGGER_PC || trig.kind == HVP_TRIGGER_EXCEPTION)
        cli_note("run", "waiting for the guest to reach %s%s (Ctrl-C stops)",
                 at_exc >= 0 ? "exception " : at_symbol ? at_symbol : "the breakpoint", at_exc >= 0 ? exc_name : "");
    else if (at_serial)
        cli_note("run", "waiting for '%s' on the guest's serial output (Ctrl-C stops)", at_serial);
    else if (after >= 1)
        cli_note("run", "capturing in %.1f s", after);
    else if (at_trap >= 0)
        cli_note("run", "waiting for the guest's %s trap to the hypervisor%s (Ctrl-C stops)",
                 hvp_trap_kind_name((hvp_trap_kind)at_trap), at_trap == HVP_TRAP_FAULT ? " that it reports" : "");
    capturing = trig.kind != HVP_TRIGGER_NONE;
    hvp_run_events rev = { progress_line, serial_out, cancelled, &stream };
    hvp_run *run = NULL;
    rc = hvp_run_begin(g, &trig, &rev, &run, &err);
    if (!rc)
        while ((rc = hvp_run_poll(run, 100, &err)) == HVP_RUN_WAITING)
            ;
    if (run)
        hvp_run_get_result(run, &res.run);
    if (rc == HVP_E_CANCELLED || (rc && stop_requested))
        code = EXIT_INTERRUPTED;
    else if (rc && res.run.qemu_exited)
        code = cli_error("run", EXIT_TARGET, "%s", err.msg);
    else if (rc)
        code = cli_error("run", cli_exit_for(rc), "%s%s",
                         (res.run.nbreakpoints || !run) && rc != HVP_E_NOTRIGGER && rc != HVP_E_INVAL
                             ? "breakpoint trigger: " : "", err.msg);
    else if (res.run.qemu_exited && res.run.qemu_status != 0) {
        char last[400];
        hvp_guest_last_error(g, last, sizeof last);
        code = cli_error("run", EXIT_TARGET, "QEMU exited with status %d%s%s", res.run.qemu_status,
                         last[0] ? ": " : "", last);
    }
    if (!code && capture) {
        hvp_snapshot *s = hvp_run_take_snapshot(run);
        long t0 = cli_now_ms();
        rc = s ? HVP_OK : hvp_guest_capture(g, &trap_co, &s, &err);
        if (!rc)
            rc = hvp_run_annotate(run, s, &err);
        res.capture_ms = cli_now_ms() - t0;
        if (rc)
            code = cli_error("run", cli_exit_for(rc), "capture failed: %s", err.msg);
        else if ((rc = hvp_snapshot_save(s, capture, &err)))
            code = cli_error("run", rc == HVP_E_NOMEM ? EXIT_INTERNAL : rc == HVP_E_INVAL ? EXIT_USAGE : EXIT_OUTPUT,
                             "%s", err.msg);
        else {
            res.snapshot = capture;
            cli_note("run", "wrote %s", capture);
            if (cli_verbosity >= 0)
                cli_print_ram_images("run", s);
            cli_info("run", "captured in %ld ms, %.1f s after start", res.capture_ms,
                     (cli_now_ms() - start) / 1000.0);
        }
        hvp_snapshot_free(s);
    }
    hvp_run_drain(run);
    hvp_run_end(run);
    if (stop_requested && code == EXIT_OK)
        code = EXIT_INTERRUPTED;
    if (json)
        print_json_result(&gi, &res, code);
    hvp_guest_free(g);
    return code;
}
