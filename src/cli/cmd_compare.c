/* cmd_compare.c - `hvprobe compare`: analyse and compare snapshots. */
#include "cli/cli.h"
#include "hvprobe/compare.h"
#include "hvprobe/report.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char help[] =
    "usage: hvprobe compare [-v] [--format text|markdown|json|--json] [--expect LABEL:VECTOR=VERDICT]...\n"
    "                       [--no-pager] [-o FILE] SNAP.json [SNAP.json ...]\n"
    "\n"
    "Analyse every snapshot and compare them side by side: for each exception vector,\n"
    "where the CPU fetches it (mode, security state, SCTLR.V, the VBAR bank, MVBAR,\n"
    "HVBAR), whether it can (translation, memory map), what it finds there (capstone),\n"
    "and a verdict with its reason:\n"
    "  valid            branch / LDR PC to readable code\n"
    "  stub             b . , or a handler that only loops\n"
    "  zero-filled      0x00000000 (andeq r0,r0,r0): a no-op sled, no handler\n"
    "  erased           0xFFFFFFFF (erased flash)\n"
    "  data             recognisable non-code, e.g. a device tree blob\n"
    "  unmapped         the vector address has no translation or no memory\n"
    "  target-unmapped  the entry jumps to memory that is not code\n"
    "  undefined        not a valid instruction\n"
    "  unknown          the snapshot lacks the evidence (the reason says which)\n"
    "Then a diagnosis: what differs, what is the same, the most likely root cause with\n"
    "its evidence chain, and warnings about untrustworthy evidence (a capture in Hyp\n"
    "mode, a 'KVM' label on a TCG run, a guest that had crashed before capture).\n"
    "\n"
    "The text output puts the answer first: one line per snapshot (its SVC verdict and\n"
    "why, in a few words), the most likely root cause, the fix, then the vector table\n"
    "and the expectations; -v adds each vector's reason, the evidence chain, every\n"
    "difference and the notes on the evidence (--json, markdown and the report always\n"
    "hold everything). It fits the terminal: prose wraps, the table splits into groups\n"
    "of snapshots ($COLUMNS, else the window's width; piped output is not wrapped).\n"
    "Long output goes through a pager on a terminal: $HVP_PAGER, else $PAGER, else\n"
    "'less' with LESS=FRX; --no-pager or HVP_PAGER= prints it directly.\n"
    "\n"
    "AArch64 snapshots (an AArch64 guest, under qemu-system-aarch64) are judged slot\n"
    "by slot: the 16 slots of 0x80 bytes of the vector table of the level that takes\n"
    "the CPU's synchronous exceptions (VBAR_EL1 for a kernel at EL1), named\n"
    "GROUP.KIND: cur_sp0, cur_spx (current level, SP_EL0 / SP_ELx), lower_a64,\n"
    "lower_a32 (from a lower level in AArch64 / AArch32) x sync, irq, fiq, serror.\n"
    "Each slot's code is followed to the branch that leaves it; 0x00000000 is UDF #0\n"
    "there, so a zero-filled slot loops. -v adds where each kind of exception raised\n"
    "at capture goes (EL, slot, masked). AArch32 and AArch64 snapshots are not\n"
    "compared as one set (exit 7): their vectors are not the same exceptions.\n"
    "\n"
    "Snapshot files of the original capture script ({\"hypervisor\", \"data\": {...}})\n"
    "are imported; conclusions drawn from them are marked as reduced evidence.\n"
    "\n"
    "  --expect LABEL:VECTOR=VERDICT   test a hypothesis (repeatable); VECTOR is reset,\n"
    "                undef, svc, pabt, dabt, hyp, irq, fiq or an offset such as 0x8;\n"
    "                for AArch64 a slot GROUP.KIND (cur_spx.sync, lower_a64.irq) or\n"
    "                its offset (0x200); LABEL is a snapshot's label (or file name)\n"
    "  --format F    text (default), markdown, json\n"
    "  --json        the same as --format json\n"
    "  -v            text: with each vector's reason, the evidence chain, what differs\n"
    "                and what is the same, the notes on the evidence\n"
    "  --brief       markdown: without each vector's reason (text is brief unless -v)\n"
    "  --no-pager    never page the output\n"
    "  -o FILE       write the comparison to FILE instead of standard output\n"
    "\n"
    "Example:\n"
    "  hvprobe compare --expect qemu:svc=zero-filled --expect sel4:svc=unmapped \\\n"
    "      qemu.json sel4.json\n"
    "  hvprobe compare --expect a64-low:cur_spx.sync=zero-filled a64-vbar.json a64-low.json\n"
    "\n"
    "Exit: 0 compared (and every expectation held), 1 an expectation failed,\n"
    "2 usage error or an unreadable snapshot, 5 output not written, 7 AArch32 and\n"
    "AArch64 snapshots given as one set.\n";

int cmd_compare(int argc, char **argv)
{
    static const struct option opts[] = {
        { "format", required_argument, 0, 'f' }, { "expect", required_argument, 0, 'e' },
        { "output", required_argument, 0, 'o' }, { "brief", no_argument, 0, 'B' },
        { "no-pager", no_argument, 0, 'P' },
        { "json", no_argument, 0, 'j' },
        CLI_COMMON_OPTS, { 0, 0, 0, 0 }
    };
    hvp_format fmt = HVP_FMT_TEXT;
    int brief = 0, pager = 1;
    hvp_expect *ex = calloc((size_t)argc, sizeof *ex);
    size_t nex = 0;
    const char *outpath = NULL;
    hvp_error err = { 0 };
    int c, code = EXIT_OK;
    if (!ex)
        return cli_error("compare", EXIT_INTERNAL, "out of memory");
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "o:qvh", opts, NULL)) != -1) {
        if (cli_common_opt(c))
            continue;
        switch (c) {
        case 'f':
            if (!strcmp(optarg, "text")) fmt = HVP_FMT_TEXT;
            else if (!strcmp(optarg, "markdown") || !strcmp(optarg, "md")) fmt = HVP_FMT_MARKDOWN;
            else if (!strcmp(optarg, "json")) fmt = HVP_FMT_JSON;
            else {
                free(ex);
                return cli_error("compare", EXIT_USAGE, "--format wants text, markdown or json, not '%s'", optarg);
            }
            break;
        case 'e':
            if (hvp_expect_parse(optarg, &ex[nex], &err)) {
                free(ex);
                return cli_error("compare", EXIT_USAGE, "%s", err.msg);
            }
            nex++;
            break;
        case 'o': outpath = optarg; break;
        case 'B': brief = 1; break;
        case 'P': pager = 0; break;
        case 'j': fmt = HVP_FMT_JSON; break;
        case 'h': free(ex); return cli_help(help);
        default:
            free(ex);
            return cli_error("compare", EXIT_USAGE, "unknown or incomplete option '%s' (see --help)", argv[optind - 1]);
        }
    }
    size_t n = (size_t)(argc - optind);
    if (!n) {
        free(ex);
        return cli_error("compare", EXIT_USAGE, "give at least one snapshot file (see --help)");
    }
    hvp_snapshot **snaps = calloc(n, sizeof *snaps);
    const char **names = calloc(n, sizeof *names);
    char *text = NULL;
    size_t failed = 0;
    for (size_t i = 0; snaps && names && i < n && !code; i++) {
        names[i] = argv[optind + (int)i];
        int rc = hvp_snapshot_load(names[i], &snaps[i], &err);
        if (rc)
            code = cli_error("compare", rc == HVP_E_NOMEM ? EXIT_INTERNAL : EXIT_USAGE, "%s", err.msg);
    }
    if (!snaps || !names)
        code = cli_error("compare", EXIT_INTERNAL, "out of memory");
    if (!code) {
        hvp_compare_opts co = { .format = fmt, .brief = brief, .expect = ex, .nexpect = nex,
                                .detail = cli_verbosity > 0, .width = outpath ? 0 : cli_width(STDOUT_FILENO) };
        int rc = hvp_compare((const hvp_snapshot *const *)snaps, names, n, &co, &text, &failed, &err);
        if (rc)
            code = cli_error("compare", cli_exit_for(rc), "%s", err.msg);
    }
    if (!code) {
        int rc = outpath ? hvp_document_save(outpath, text, &err) : HVP_OK;
        if (!outpath && cli_page(text, pager && fmt == HVP_FMT_TEXT))
            code = cli_error("compare", EXIT_OUTPUT, "could not write the comparison on standard output");
        else if (rc) {
            code = cli_error("compare", rc == HVP_E_NOMEM ? EXIT_INTERNAL : EXIT_OUTPUT, "%s", err.msg);
        } else if (failed) {
            code = EXIT_NEGATIVE;
        }
    }
    for (size_t i = 0; snaps && i < n; i++)
        hvp_snapshot_free(snaps[i]);
    free(snaps);
    free(names);
    free(text);
    free(ex);
    return code;
}
