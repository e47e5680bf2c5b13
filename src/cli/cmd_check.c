/* cmd_check.c - `hvprobe check`: what this host can run, and how. */
#include "cli/cli.h"
#include "hvprobe/host.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char help[] =
    "usage: hvprobe check [--backend tcg|kvm|kvm-nested|fixture] [--json]\n"
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
    "\n"
    "Exit: 0 every backend (or the one named) can run here, 1 one cannot (the report\n"
    "says which, why, and what to use instead), 2 usage error.\n";

int cmd_check(int argc, char **argv)
{
    static const struct option opts[] = {
        { "backend", required_argument, 0, 'b' }, { "json", no_argument, 0, 'j' },
        CLI_COMMON_OPTS, { 0, 0, 0, 0 }
    };
    const char *only = NULL;
    int json = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "qvh", opts, NULL)) != -1) {
        if (cli_common_opt(c))
            continue;
        if (c == 'b')
            only = optarg;
        else if (c == 'j')
            json = 1;
        else if (c == 'h') {
            return cli_help(help);
        } else
            return cli_error("check", EXIT_USAGE, "unknown or incomplete option '%s' (see --help)", argv[optind - 1]);
    }
    if (optind < argc)
        return cli_error("check", EXIT_USAGE, "unexpected argument '%s'", argv[optind]);
    if (only && hvp_backend_index(only) < 0)
        return cli_error("check", EXIT_USAGE, "unknown backend '%s' (tcg, kvm, kvm-nested or fixture)", only);
    hvp_host h;
    long t0 = cli_now_ms();
    hvp_host_probe(&h);
    cli_info("check", "probed the host in %ld ms", cli_now_ms() - t0);
    hvp_backend_verdict v[HVP_NBACKENDS];
    int rec;
    hvp_host_judge(&h, v, &rec);
    int all_ok = 1;
    for (int i = 0; i < HVP_NBACKENDS; i++) {
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
        for (int i = 0; i < HVP_NBACKENDS; i++)
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
    printf("real KVM via kvm-nested: %s\n", v[HVP_BACKEND_KVM_NESTED].can_run ? "yes (emulated arm64 host prepared)"
                                              : "not ready (hvprobe kvm-host build)");
    for (int i = 0; i < HVP_NTOOLS; i++)
        printf("%-20s %s\n", h.tools[i].name, h.tools[i].present ? h.tools[i].version : "not installed");
    printf("\nbackends:\n");
    for (int i = 0; i < HVP_NBACKENDS; i++) {
        if (only && strcmp(only, v[i].name))
            continue;
        printf("  %-10s %s: %s\n", v[i].name, v[i].can_run ? "can run" : "CANNOT run", v[i].why);
        if (!v[i].can_run && !strcmp(v[i].name, "kvm"))
            printf("             instead: %s (real KVM in an emulated arm64 host), %s (software emulation),\n"
                   "             or %s (stage-2 hypervisor fixture)\n", v[HVP_BACKEND_KVM_NESTED].run,
                   v[HVP_BACKEND_TCG].run, v[HVP_BACKEND_FIXTURE].run);
    }
    if (recommended)
        printf("\nrecommended: %s\n", v[rec].run);
    return all_ok ? EXIT_OK : EXIT_NEGATIVE;
}
