/* cmd_check.c - `hvprobe check`: what this host can run, and how. */
#include "cli/cli.h"
#include "hvprobe/backend.h"
#include "hvprobe/host.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char help[] =
    "usage: hvprobe check [--backend @BACKENDS@] [--json] [--list]\n"
    "\n"
    "Report what this host can run: its architecture; /dev/kvm and whether this\n"
    "user may open it; whether KVM can run a 32-bit ARM guest here (only on an\n"
    "arm64 host whose CPU runs AArch32 at EL1: asked with KVM_CHECK_EXTENSION\n"
    "KVM_CAP_ARM_EL1_32BIT; on x86-64 never, whatever /dev/kvm says); the QEMU\n"
    "binaries and their versions; gdb-multiarch and arm-none-eabi-gcc; and the\n"
    "recommended backend with the exact 'hvprobe run' line for it. kvm-nested (real\n"
    "KVM inside an emulated arm64 host, any host architecture) can run once its host\n"
    "is prepared with 'hvprobe kvm-host build'.\n"
    "\n"
    "  --backend NAME  answer for one backend only\n"
    "  --json          the same report as JSON\n"
    "  --list          only the backends' names, one per line (for scripts and completion)\n"
    "\n"
    "Backends:\n"
    "@BACKEND_HELP@\n"
    "\n"
    "Exit: 0 every backend (or the one named) can run here, 1 one cannot (the report\n"
    "says which, why, and what to use instead), 2 usage error.\n";

int cmd_check(int argc, char **argv)
{
    static const struct option opts[] = {
        { "backend", required_argument, 0, 'b' }, { "json", no_argument, 0, 'j' },
        { "list", no_argument, 0, 'l' },
        CLI_COMMON_OPTS, { 0, 0, 0, 0 }
    };
    const char *only = NULL;
    int json = 0, list = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "qvh", opts, NULL)) != -1) {
        if (cli_common_opt(c))
            continue;
        if (c == 'b')
            only = optarg;
        else if (c == 'j')
            json = 1;
        else if (c == 'l')
            list = 1;
        else if (c == 'h') {
            return cli_help(help);
        } else
            return cli_error("check", EXIT_USAGE, "unknown or incomplete option '%s' (see --help)", argv[optind - 1]);
    }
    if (optind < argc)
        return cli_error("check", EXIT_USAGE, "unexpected argument '%s'", argv[optind]);
    if (list) {
        for (size_t i = 0; i < hvp_backend_count(); i++)
            printf("%s\n", hvp_backend_at(i)->name);
        return EXIT_OK;
    }
    if (only && hvp_backend_index(only) < 0) {
        char names[256];
        hvp_backend_names(names, sizeof names, "or");
        return cli_error("check", EXIT_USAGE, "unknown backend '%s' (%s)", only, names);
    }
    hvp_host h;
    long t0 = cli_now_ms();
    hvp_host_probe(&h);
    cli_info("check", "probed the host in %ld ms", cli_now_ms() - t0);
    hvp_backend_verdict v[HVP_MAX_BACKENDS];
    int rec;
    int nb = (int)hvp_host_judge(&h, v, HVP_MAX_BACKENDS, &rec);
    int all_ok = 1;
    for (int i = 0; i < nb; i++) {
        if (only && strcmp(only, v[i].name))
            continue;
        all_ok &= v[i].can_run;
    }
    const char *recommended = rec >= 0 ? v[rec].name : NULL;
    if (json) {
        json_t *o = json_object(), *tools = json_object(), *bk = json_object();
        json_object_set_new(o, "arch", json_string(h.arch));
        json_object_set_new(o, "kvm", json_pack("{s:b,s:b,s:b,s:s}", "present", h.kvm_present, "usable", h.kvm_rw,
                                                "arm32_guests", h.kvm_arm32, "reason", h.kvm_why));
        for (int i = 0; i < HVP_NTOOLS; i++)
            json_object_set_new(tools, h.tools[i].name,
                                h.tools[i].present ? json_pack("{s:s,s:s}", "path", h.tools[i].path, "version",
                                                               h.tools[i].version)
                                                   : json_null());
        json_object_set_new(o, "tools", tools);
        for (int i = 0; i < nb; i++)
            if (!only || !strcmp(only, v[i].name))
                json_object_set_new(bk, v[i].name, json_pack("{s:b,s:s,s:s}", "can_run", v[i].can_run, "why", v[i].why,
                                                             "run", v[i].run));
        json_object_set_new(o, "backends", bk);
        json_object_set_new(o, "recommended", recommended ? json_string(recommended) : json_null());
        char *t = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        puts(t ? t : "{}");
        free(t);
        json_decref(o);
        return all_ok ? EXIT_OK : EXIT_NEGATIVE;
    }
    printf("host        %s\n", h.arch);
    printf("/dev/kvm    %s%s\n", h.kvm_present ? "present" : "absent",
           h.kvm_present ? (h.kvm_rw ? ", read-write for this user" : ", not accessible to this user") : "");
    printf("KVM, 32-bit ARM guests: %s\n", h.kvm_arm32 ? "yes" : "no");
    if (!h.kvm_arm32)
        printf("            %s\n", h.kvm_why);
    for (int i = 0; i < nb; i++) {
        const hvp_backend_desc *d = hvp_backend_at((size_t)i);
        if (d->check_label)
            printf("%s: %s\n", d->check_label, v[i].can_run ? d->check_yes : d->check_no);
    }
    for (int i = 0; i < HVP_NTOOLS; i++)
        printf("%-20s %s\n", h.tools[i].name, h.tools[i].present ? h.tools[i].version : "not installed");
    printf("\nbackends:\n");
    for (int i = 0; i < nb; i++) {
        if (only && strcmp(only, v[i].name))
            continue;
        printf("  %-10s %s: %s\n", v[i].name, v[i].can_run ? "can run" : "CANNOT run", v[i].why);
        if (v[i].can_run || only)
            continue;
        /* What would work instead: every backend that runs here. */
        for (int j = 0, first = 1; j < nb; j++)
            if (v[j].can_run) {
                printf("             %s %s (%s)\n", first ? "instead:" : "      or", v[j].run,
                       hvp_backend_at((size_t)j)->summary);
                first = 0;
            }
    }
    if (recommended)
        printf("\nrecommended: %s\n", v[rec].run);
    return all_ok ? EXIT_OK : EXIT_NEGATIVE;
}
