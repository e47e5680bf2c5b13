/* cmd_report.c - `hvprobe report`: snapshots -> one HTML (or Markdown) report. */
#include "cli/cli.h"
#include "hvprobe/report.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: hvprobe report SNAP.json [SNAP.json ...] -o FILE [--format html|markdown] [--title TEXT]\n"
    "                      [--expect LABEL:VECTOR=VERDICT]...\n"
    "\n"
    "Write one document that a person can read in a minute and put in a paper:\n"
    "  - per snapshot: label, backend and accelerator, QEMU version, machine, the CPU's\n"
    "    mode and security state at capture, when it was captured, and a picture of\n"
    "    the guest physical address space: regions coloured by kind (RAM, ROM/flash,\n"
    "    I/O, unmapped); where regions overlap (vexpress-a9 at 0x0: the flash alias and\n"
    "    the RAM alias) the one QEMU resolves to is marked; markers for the effective\n"
    "    vector base, the PC and the image's load segments.  The scale is piecewise:\n"
    "    each span between region boundaries gets a height growing with log2 of its\n"
    "    size, so a 32-byte vector table and a 2 GiB hole are both visible;\n"
    "  - every vector table side by side: fetch address, word, disassembly, branch\n"
    "    target and symbol, verdict and reason (as `hvprobe compare`);\n"
    "  - the diagnosis of `hvprobe compare` (evidence chain, what differs, what is the\n"
    "    same, root cause, warnings, suggested fix) and the --expect results.\n"
    "\n"
    "HTML is one self-contained file (inline CSS and SVG, no scripts, no external\n"
    "references) that prints well.  Markdown has the same content as tables, without\n"
    "the pictures, for a paper or an issue tracker.  The file is written atomically:\n"
    "on any failure no partial file is left and an existing FILE is untouched.\n"
    "\n"
    "  -o, --output FILE               where to write the report ('-': standard output)\n"
    "  --format F                      html (default) or markdown\n"
    "  --title TEXT                    the report's title (default: hvprobe report: N snapshots)\n"
    "  --expect LABEL:VECTOR=VERDICT   test a hypothesis (repeatable), as in `hvprobe compare`;\n"
    "                                  VECTOR is reset, undef, svc, pabt, dabt, hyp, irq, fiq or\n"
    "                                  an offset such as 0x8\n"
    "\n"
    "Examples:\n"
    "  hvprobe report hvprobe-demo/*.json -o report.html\n"
    "  hvprobe report --format markdown --title 'SVC under QEMU and seL4' \\\n"
    "      --expect qemu:svc=zero-filled --expect sel4:svc=unmapped qemu.json sel4.json -o report.md\n"
    "\n"
    "Exit: 0 written (and every expectation held), 1 an expectation failed (the report\n"
    "is still written), 2 usage error or an unreadable snapshot, 5 output not written,\n"
    "7 AArch32 and AArch64 snapshots given as one set.\n";

int cmd_report(int argc, char **argv)
{
    static const struct option opts[] = {
        { "format", required_argument, 0, 'f' }, { "expect", required_argument, 0, 'e' },
        { "output", required_argument, 0, 'o' }, { "title", required_argument, 0, 't' },
        CLI_COMMON_OPTS, { 0, 0, 0, 0 }
    };
    hvp_report_opts ro = { HVP_REPORT_HTML, NULL, NULL, 0 };
    hvp_expect *ex = calloc((size_t)argc, sizeof *ex);
    const char *outpath = NULL;
    hvp_error err = { 0 };
    int c, code = EXIT_OK;
    if (!ex)
        return cli_error("report", EXIT_INTERNAL, "out of memory");
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "o:qvh", opts, NULL)) != -1) {
        if (cli_common_opt(c))
            continue;
        switch (c) {
        case 'f':
            if (!strcmp(optarg, "html"))
                ro.format = HVP_REPORT_HTML;
            else if (!strcmp(optarg, "markdown") || !strcmp(optarg, "md"))
                ro.format = HVP_REPORT_MARKDOWN;
            else {
                free(ex);
                return cli_error("report", EXIT_USAGE, "--format wants html or markdown, not '%s'", optarg);
            }
            break;
        case 'e':
            if (hvp_expect_parse(optarg, &ex[ro.nexpect], &err)) {
                free(ex);
                return cli_error("report", EXIT_USAGE, "%s", err.msg);
            }
            ro.nexpect++;
            break;
        case 'o': outpath = optarg; break;
        case 't': ro.title = optarg; break;
        case 'h': free(ex); return cli_help(help);
        default:
            free(ex);
            return cli_error("report", EXIT_USAGE, "unknown or incomplete option '%s' (see --help)", argv[optind - 1]);
        }
    }
    ro.expect = ex;
    size_t n = (size_t)(argc - optind);
    if (!n) {
        free(ex);
        return cli_error("report", EXIT_USAGE, "give at least one snapshot file (see --help)");
    }
    if (!outpath) {
        free(ex);
        return cli_error("report", EXIT_USAGE, "say where to write the report with -o FILE ('-' for standard output)");
    }
    hvp_snapshot **snaps = calloc(n, sizeof *snaps);
    const char **names = calloc(n, sizeof *names);
    char *text = NULL;
    size_t failed = 0;
    if (!snaps || !names)
        code = cli_error("report", EXIT_INTERNAL, "out of memory");
    for (size_t i = 0; !code && i < n; i++) {
        names[i] = argv[optind + (int)i];
        int rc = hvp_snapshot_load(names[i], &snaps[i], &err);
        if (rc)
            code = cli_error("report", rc == HVP_E_NOMEM ? EXIT_INTERNAL : EXIT_USAGE, "%s", err.msg);
    }
    if (!code) {
        int rc = hvp_report_render((const hvp_snapshot *const *)snaps, names, n, &ro, &text, &failed, &err);
        if (rc)
            code = cli_error("report", cli_exit_for(rc), "%s", err.msg);
    }
    if (!code) {
        if (hvp_report_save(outpath, text, &err))
            code = cli_error("report", EXIT_OUTPUT, "%s", err.msg);
        else if (failed)
            code = cli_error("report", EXIT_NEGATIVE, "%zu expectation%s did not hold (see the report)", failed,
                             failed == 1 ? "" : "s");
    }
    for (size_t i = 0; snaps && i < n; i++)
        hvp_snapshot_free(snaps[i]);
    free(snaps);
    free(names);
    free(text);
    free(ex);
    return code;
}
