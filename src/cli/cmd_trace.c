/* cmd_trace.c - `hvprobe trace`: read a QEMU -d int log or a serial log
 * with seL4 fault reports, streaming, and summarise its exceptions. */
#include "cli/cli.h"
#include "hvprobe/report.h"
#include "hvprobe/trace.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: hvprobe trace [--first N] [--loop-threshold N] [--json] [-o FILE] LOG\n"
    "\n"
    "Read an exception trace and say what the exceptions were, where the first fault\n"
    "happened and whether the CPU got stuck in a loop.  LOG ('-' for standard input)\n"
    "is read line by line in constant memory, so a log of many GiB is fine.\n"
    "\n"
    "Recognised lines (everything else is ignored, so -d int may be mixed with\n"
    "cpu, exec, in_asm, mmu and guest_errors output):\n"
    "  QEMU -d int (32-bit ARM, QEMU 7.2):\n"
    "    Taking exception 3 [Prefetch Abort] on CPU 0\n"
    "    ...from EL1 to EL1\n"
    "    ...with ESR 0x21/0x8600003f\n"
    "    ...with IFSR 0x5 IFAR 0xc          (and DFSR/DFAR, FAR, ELR, HIFAR, HDFAR)\n"
    "    AArch32 mode switch from svc to usr PC 0x40000038\n"
    "    Exception return from AArch32 svc to usr PC 0x4000004c\n"
    "  QEMU -d guest_errors:\n"
    "    Invalid read at addr 0xFFFF0008, size 4, region '(null)', reason: rejected\n"
    "    A debugger's or monitor's own reads (gdb x, monitor x/xp) are logged the same\n"
    "    way; the report separates accesses followed by an abort at that address (the\n"
    "    guest's) from the others.\n"
    "  seL4 serial console:\n"
    "    Pagefault from [vm0]: read prefetch fault @ PC: 0x8 IPA: 0x8, FSR: 0x6\n"
    "    Context: / r0: 0x0 ... cpsr: 0x1d3    (the VMM's register dump)\n"
    "    Page Fault at PC: 0x8\n"
    "    vm fault on code at address 0x8 with status 0x6   (the kernel)\n"
    "    Halting...\n"
    "\n"
    "Output: counts per exception, the first fault with its fault status decoded, loops\n"
    "(the same exception at the same address, or a cycle of up to 8, back to back more\n"
    "than the threshold), invalid accesses, a short reading of what it means, and a\n"
    "timeline of the first N events.\n"
    "\n"
    "  --first N           timeline length (default 20, 0 for none)\n"
    "  --loop-threshold N  report loops repeating more than N times (default 100)\n"
    "  --json              a JSON document instead of text\n"
    "  -o FILE             write to FILE instead of standard output\n"
    "\n"
    "Example:\n"
    "  qemu-system-arm -M virt -cpu cortex-a15 -kernel guest.elf -d int,guest_errors -D int.log\n"
    "  hvprobe trace --first 5 int.log\n"
    "\n"
    "Exit: 0 the log was read (whether or not it holds faults: read the report),\n"
    "2 usage error or a missing/unreadable log, 4 out of memory, 5 output not written.\n";

static int parse_count(const char *s, unsigned long long max, unsigned long long *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v > max)
        return -1;
    *out = v;
    return 0;
}

int cmd_trace(int argc, char **argv)
{
    static const struct option opts[] = {
        { "first", required_argument, 0, 'n' }, { "loop-threshold", required_argument, 0, 't' },
        { "json", no_argument, 0, 'j' }, { "output", required_argument, 0, 'o' },
        CLI_COMMON_OPTS, { 0, 0, 0, 0 }
    };
    hvp_trace_opts to = { .first_n = 20, .loop_threshold = 100 };
    const char *outpath = NULL;
    int json = 0, c;
    unsigned long long v;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "o:qvh", opts, NULL)) != -1) {
        if (cli_common_opt(c))
            continue;
        switch (c) {
        case 'n':
            if (parse_count(optarg, 100000, &v))
                return cli_error("trace", EXIT_USAGE, "--first wants a number from 0 to 100000, not '%s'", optarg);
            to.first_n = (size_t)v;
            break;
        case 't':
            if (parse_count(optarg, UINT64_MAX, &v) || v == 0)
                return cli_error("trace", EXIT_USAGE, "--loop-threshold wants a positive number, not '%s'", optarg);
            to.loop_threshold = v;
            break;
        case 'j': json = 1; break;
        case 'o': outpath = optarg; break;
        case 'h': return cli_help(help);
        default:
            return cli_error("trace", EXIT_USAGE, "unknown or incomplete option '%s' (see --help)", argv[optind - 1]);
        }
    }
    if (argc - optind != 1)
        return cli_error("trace", EXIT_USAGE, "give exactly one log file (see --help)");
    const char *path = argv[optind];
    int is_stdin = !strcmp(path, "-");
    FILE *in = is_stdin ? stdin : fopen(path, "rb");
    if (!in)
        return cli_error("trace", EXIT_USAGE, "cannot open %s: %s", path, strerror(errno));

    hvp_error err = { 0 };
    hvp_trace *t = NULL;
    char *out = NULL;
    int code = EXIT_OK;
    static char chunk[1 << 16];
    if (hvp_trace_new(&to, &t, &err)) {
        code = cli_error("trace", EXIT_INTERNAL, "%s", err.msg);
        goto done;
    }
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, in)) > 0)
        hvp_trace_feed(t, chunk, n, NULL);
    if (ferror(in)) {
        code = cli_error("trace", EXIT_USAGE, "cannot read %s: %s", path, strerror(errno));
        goto done;
    }
    hvp_trace_finish(t, NULL);
    int rc = hvp_trace_render(t, is_stdin ? NULL : path, json, &out, &err);
    if (rc) {
        code = cli_error("trace", EXIT_INTERNAL, "%s", err.msg);
        goto done;
    }
    if ((rc = hvp_document_save(outpath ? outpath : "-", out, &err)))
        code = cli_error("trace", rc == HVP_E_NOMEM ? EXIT_INTERNAL : EXIT_OUTPUT, "%s", err.msg);
done:
    if (!is_stdin)
        fclose(in);
    hvp_trace_free(t);
    free(out);
    return code;
}
