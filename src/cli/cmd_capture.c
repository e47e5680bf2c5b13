/* cmd_capture.c - `hvprobe capture`: snapshot a live QEMU into JSON. */
#include "cli/cli.h"
#include "hvprobe/capture.h"

#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char help[] =
    "usage: hvprobe capture [--qmp ADDR] [--hmp ADDR] [--gdb ADDR] [--elf IMAGE.elf]\n"
    "                       [--label NAME] [--keep-halted] [--timeout MS] [-q|-v] -o SNAP.json\n"
    "                       [--save-ram[=REGION,...]] [--ram-limit SIZE] [--ram-method auto|qmp|gdb]\n"
    "\n"
    "Snapshot everything that decides where a running QEMU guest's exceptions go:\n"
    "core registers and CPSR (mode, security state), CP15 system registers by name\n"
    "(both Secure and Non-secure banks), the memory at 0x0 and at every vector base\n"
    "candidate (read both as virtual and as physical addresses), the memory map\n"
    "(`info mtree`), backend facts (QEMU version, machine, accelerator, KVM), and the\n"
    "raw text of every monitor command issued.\n"
    "\n"
    "Any non-empty subset of the three channels works; what a channel cannot give is\n"
    "recorded as unknown, with the channel that would give it:\n"
    "  --qmp ADDR    QMP socket (-qmp unix:PATH,server=on,wait=off)\n"
    "  --hmp ADDR    human monitor (-monitor tcp:127.0.0.1:55556,server,nowait)\n"
    "  --gdb ADDR    gdbstub (-gdb unix:PATH,server=on,wait=off); the only channel\n"
    "                that exposes CP15 registers such as VBAR_S\n"
    "ADDR is unix:PATH, tcp:HOST:PORT, HOST:PORT, :PORT or PORT (= 127.0.0.1:PORT).\n"
    "\n"
    "  --elf IMAGE   record the guest image: path, sha256, entry, segments, symbols\n"
    "  --label NAME  a name for this snapshot in comparisons (e.g. tcg-vexpress)\n"
    "  --keep-halted leave the guest halted afterwards (default: resume it if it was\n"
    "                running; a guest that was already stopped is never resumed)\n"
    "  --timeout MS  per-read timeout on every channel (default 5000)\n"
    "  -o FILE       the snapshot to write ('-' = standard output); written\n"
    "                atomically, never left half-written\n"
    "  -q            no notes on stderr; -v: also the channels and the time taken\n"
    "\n"
    "RAM images, for diffing whole RAM between hypervisors:\n"
    "  --save-ram    also save every RAM block of the memory map (kind ram; an alias\n"
    "                such as vexpress.lowmem at 0x0 is recorded, not saved twice) to\n"
    "                SNAP.ram-0xADDRESS.bin beside the snapshot, read in the same halt\n"
    "                as the registers; the snapshot records each file's name, physical\n"
    "                address, length, sha256 and method (\"ram_images\"). The snapshot\n"
    "                and all its RAM files appear together or not at all.\n"
    "  --save-ram=REGION,...  only these: a block or alias name (vexpress.highmem),\n"
    "                a base address (0x60000000), or a physical range ADDRESS+SIZE\n"
    "                (0x60000000+16M; the only form that needs no --qmp/--hmp map)\n"
    "  --ram-limit SIZE  refuse (exit 2, nothing written, guest resumed) when the RAM\n"
    "                to save is larger (default 2G; 0 = no limit); the total is printed\n"
    "                before the save starts, and a disk without room for it is refused\n"
    "                before anything is written (exit 5)\n"
    "  --ram-method M  auto (QMP pmemsave when --qmp is given: QEMU writes the files,\n"
    "                fast; else streamed gdbstub reads), qmp, gdb. QEMU must be able to\n"
    "                write into the snapshot's directory for qmp (same host).\n"
    "\n"
    "Example (QEMU started as the original scripts start it):\n"
    "  qemu-system-arm -M vexpress-a9 -kernel guest.elf -nographic \\\n"
    "      -monitor tcp:127.0.0.1:55556,server,nowait -gdb tcp:127.0.0.1:1235\n"
    "  hvprobe capture --hmp :55556 --gdb :1235 --label tcg -o tcg.json\n"
    "  hvprobe capture --qmp unix:/tmp/q/qmp.sock --gdb :1235 --save-ram -o tcg.json\n"
    "      # tcg.json, tcg.ram-0x60000000.bin, tcg.ram-0x48000000.bin, ...\n"
    "\n"
    "Exit: 0 written, 2 usage or bad --elf, 3 a channel failed, 5 output not written,\n"
    "7 the gdbstub's AArch64 description lacks VBAR_EL1.\n";

static void print_note(void *ctx, const char *msg)
{
    (void)ctx;
    cli_note("capture", "note: %s", msg);
}

int cmd_capture(int argc, char **argv)
{
    static const struct option opts[] = {
        { "qmp", required_argument, 0, 'Q' }, { "hmp", required_argument, 0, 'H' },
        { "gdb", required_argument, 0, 'G' }, { "elf", required_argument, 0, 'e' },
        { "label", required_argument, 0, 'l' }, { "keep-halted", no_argument, 0, 'k' },
        { "timeout", required_argument, 0, 't' }, { "output", required_argument, 0, 'o' },
        CLI_COMMON_OPTS, CLI_RAM_OPTIONS, { 0, 0, 0, 0 }
    };
    hvp_capture_opts o = { 0 };
    o.ram_limit = CLI_RAM_LIMIT_DEFAULT;
    const char *qmp = NULL, *hmp = NULL, *gdb = NULL, *outpath = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "o:qvh", opts, NULL)) != -1) {
        if (cli_common_opt(c))
            continue;
        switch (c) {
        case 'Q': qmp = optarg; break;
        case 'H': hmp = optarg; break;
        case 'G': gdb = optarg; break;
        case 'e': o.elf = optarg; break;
        case 'l': o.label = optarg; break;
        case 'k': o.keep_halted = 1; break;
        case 't': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > 600000)
                return cli_error("capture", EXIT_USAGE, "--timeout wants milliseconds (1..600000), not '%s'", optarg);
            o.timeout_ms = (int)v;
            break;
        }
        case 'o': outpath = optarg; break;
        case CLI_OPT_SAVE_RAM:
        case CLI_OPT_RAM_LIMIT:
        case CLI_OPT_RAM_METHOD:
            if (cli_ram_option("capture", c, optarg, &o))
                return EXIT_USAGE;
            break;
        case 'h': return cli_help(help);
        default:
            return cli_error("capture", EXIT_USAGE, "unknown or incomplete option '%s' (see --help)",
                             argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_error("capture", EXIT_USAGE, "unexpected argument '%s' (see --help)", argv[optind]);
    if (!qmp && !hmp && !gdb)
        return cli_error("capture", EXIT_USAGE, "no channel given: use at least one of --qmp, --hmp, --gdb (see --help)");
    if (!outpath)
        return cli_error("capture", EXIT_USAGE, "no output file: add -o SNAP.json (or -o - for standard output)");
    /* Refuse early, before halting anyone's guest, if the output cannot be created. */
    if (strcmp(outpath, "-")) {
        char *d = strdup(outpath);
        int ok = d && access(dirname(d), W_OK) == 0;
        free(d);
        if (!ok)
            return cli_error("capture", EXIT_OUTPUT, "cannot write '%s': its directory is missing or not writable", outpath);
    }
    char *aq = cli_norm_addr(qmp), *ah = cli_norm_addr(hmp), *ag = cli_norm_addr(gdb);
    o.qmp = aq;
    o.hmp = ah;
    o.gdb = ag;
    o.note = print_note;
    o.ram_path = outpath;
    hvp_snapshot *s = NULL;
    hvp_error err = { 0 };
    cli_info("capture", "channels: qmp %s, hmp %s, gdb %s", aq ? aq : "-", ah ? ah : "-", ag ? ag : "-");
    long t0 = cli_now_ms();
    int rc = hvp_capture(&o, &s, &err), code = EXIT_OK;
    cli_info("capture", "capture took %ld ms%s", cli_now_ms() - t0, rc ? " and failed" : "");
    if (rc) {
        code = cli_error("capture", cli_exit_for(rc), "%s", err.msg);
    } else if ((rc = hvp_snapshot_save(s, outpath, &err))) {
        code = cli_error("capture", rc == HVP_E_NOMEM ? EXIT_INTERNAL : rc == HVP_E_INVAL ? EXIT_USAGE : EXIT_OUTPUT,
                         "%s", err.msg);
    } else if (strcmp(outpath, "-")) {
        cli_note("capture", "wrote %s (%zu registers, %zu memory reads, %zu regions)", outpath, s->ncp15,
                 s->nmemory, s->nmemory_map);
        if (cli_verbosity >= 0)
            cli_print_ram_images("capture", s);
    }
    hvp_snapshot_free(s);
    free(aq);
    free(ah);
    free(ag);
    return code;
}
