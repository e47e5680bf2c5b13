/* cmd_dump.c - `hvprobe dump`: guest memory to a file. */
#include "cli/cli.h"
#include "hvprobe/dump.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char help[] =
    "usage: hvprobe dump [--phys|--virt] [--qmp ADDR] [--gdb ADDR] [--hmp ADDR]\n"
    "                    [--method auto|qmp|gdb] [--keep-running] [--json] [-q|-v] ADDRESS LENGTH -o FILE\n"
    "\n"
    "Save LENGTH bytes of guest memory at ADDRESS to FILE, e.g. a whole RAM bank to\n"
    "diff between hypervisors. With a QMP channel QEMU writes the file itself\n"
    "(pmemsave / memsave: fastest); otherwise the gdbstub's memory reads are\n"
    "streamed to the file in packet-sized pieces (memory use stays flat whatever\n"
    "the size). The guest is halted while it is read and resumed afterwards if it\n"
    "was running. FILE appears only when complete (temporary file + rename).\n"
    "\n"
    "  --phys            ADDRESS is physical (default)\n"
    "  --virt            ADDRESS is virtual, through the CPU's current translation\n"
    "  --method M        auto (QMP when given, else the gdbstub), qmp, gdb\n"
    "  --keep-running    do not halt the guest (the bytes may change while read)\n"
    "  --json            print the result (path, bytes, space, address, method, seconds,\n"
    "                    sha256) as JSON\n"
    "  -q                print nothing but errors\n"
    "  ADDRESS, LENGTH   numbers in C syntax; LENGTH also accepts K, M, G suffixes\n"
    "\n"
    "Example:\n"
    "  hvprobe dump --qmp unix:/tmp/q/qmp.sock 0x60000000 128M -o ram.bin\n"
    "\n"
    "Prints the method, size, time and sha256. Exit: 0 written, 2 usage,\n"
    "3 a channel failed or the range cannot be read, 5 the file could not be written.\n";

static const char *addr_hex(uint64_t a, char *buf, size_t n)
{
    snprintf(buf, n, "0x%llx", (unsigned long long)a);
    return buf;
}

int cmd_dump(int argc, char **argv)
{
    static const struct option opts[] = {
        { "phys", no_argument, 0, 'p' }, { "virt", no_argument, 0, 'V' },
        { "qmp", required_argument, 0, 'Q' }, { "gdb", required_argument, 0, 'G' },
        { "hmp", required_argument, 0, 'H' }, { "method", required_argument, 0, 'm' },
        { "keep-running", no_argument, 0, 'k' }, { "output", required_argument, 0, 'o' }, { "json", no_argument, 0, 'j' },
        CLI_COMMON_OPTS, { 0, 0, 0, 0 }
    };
    hvp_dump_opts o = { 0 };
    o.space = HVP_SPACE_PHYSICAL;
    int json = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "o:qvh", opts, NULL)) != -1) {
        if (cli_common_opt(c))
            continue;
        switch (c) {
        case 'p': o.space = HVP_SPACE_PHYSICAL; break;
        case 'V': o.space = HVP_SPACE_VIRTUAL; break;
        case 'Q': o.qmp = optarg; break;
        case 'G': o.gdb = optarg; break;
        case 'H': o.hmp = optarg; break;
        case 'm':
            if (!strcmp(optarg, "auto")) o.method = HVP_DUMP_AUTO;
            else if (!strcmp(optarg, "qmp")) o.method = HVP_DUMP_QMP;
            else if (!strcmp(optarg, "gdb") || !strcmp(optarg, "rsp")) o.method = HVP_DUMP_RSP;
            else return cli_error("dump", EXIT_USAGE, "--method wants auto, qmp or gdb, not '%s'", optarg);
            break;
        case 'k': o.keep_running = 1; break;
        case 'o': o.path = optarg; break;
        case 'j': json = 1; break;
        case 'h': return cli_help(help);
        default:
            return cli_error("dump", EXIT_USAGE, "unknown or incomplete option '%s' (see --help)", argv[optind - 1]);
        }
    }
    if (argc - optind != 2)
        return cli_error("dump", EXIT_USAGE, "give ADDRESS and LENGTH (see --help)");
    if (cli_parse_num(argv[optind], &o.addr, 0))
        return cli_error("dump", EXIT_USAGE, "'%s' is not an address", argv[optind]);
    if (cli_parse_num(argv[optind + 1], &o.len, 1) || !o.len)
        return cli_error("dump", EXIT_USAGE, "'%s' is not a length (e.g. 4096, 0x1000, 16M)", argv[optind + 1]);
    if (!o.path)
        return cli_error("dump", EXIT_USAGE, "no output file: add -o FILE");
    if (!o.qmp && !o.gdb)
        return cli_error("dump", EXIT_USAGE, "give --qmp (QEMU writes the file) or --gdb (streamed reads)");
    char *d = strdup(o.path);
    int ok = d && access(dirname(d), W_OK) == 0;
    free(d);
    if (!ok)
        return cli_error("dump", EXIT_OUTPUT, "cannot write '%s': its directory is missing or not writable", o.path);
    char *aq = cli_norm_addr(o.qmp), *ag = cli_norm_addr(o.gdb), *ah = cli_norm_addr(o.hmp);
    o.qmp = aq;
    o.gdb = ag;
    o.hmp = ah;
    hvp_dump_result r;
    char hex[24];
    hvp_error err = { 0 };
    cli_info("dump", "channels: qmp %s, gdb %s", aq ? aq : "-", ag ? ag : "-");
    if (o.len >= (64u << 20))
        cli_note("dump", "reading %llu MiB of guest memory...", (unsigned long long)(o.len >> 20));
    long t0 = cli_now_ms();
    int rc = hvp_dump(&o, &r, &err), code = EXIT_OK;
    double dt = (cli_now_ms() - t0) / 1000.0;
    if (rc)
        code = cli_error("dump", rc == HVP_E_IO && r.file_failed ? EXIT_OUTPUT : cli_exit_for(rc), "%s", err.msg);
    else if (json)
        code = cli_print_json(json_pack("{s:s,s:I,s:s,s:s,s:s,s:f,s:s}", "path", o.path, "bytes", (json_int_t)r.bytes,
                                        "space", o.space == HVP_SPACE_PHYSICAL ? "physical" : "virtual", "address",
                                        addr_hex(o.addr, hex, sizeof hex), "method",
                                        r.method == HVP_DUMP_QMP ? "qmp" : "gdb", "seconds", dt, "sha256", r.sha256));
    else if (cli_verbosity >= 0)
        printf("%s: %llu bytes at %s 0x%llx via %s in %.3f s (%.1f MiB/s), sha256 %s\n", o.path,
               (unsigned long long)r.bytes, o.space == HVP_SPACE_PHYSICAL ? "physical" : "virtual",
               (unsigned long long)o.addr, r.method == HVP_DUMP_QMP ? "QMP" : "the gdbstub", dt,
               dt > 0 ? r.bytes / dt / 1048576.0 : 0.0, r.sha256);
    free(aq);
    free(ag);
    free(ah);
    return code;
}
