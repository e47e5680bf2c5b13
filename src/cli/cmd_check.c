/* cmd_check.c - `hvprobe check`: what this host can run, and how. */
#include "backends/host.h"
#include "backends/kvm_host.h"
#include "cli/cli.h"

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

typedef struct verdict {
    const char *name;
    int ok;
    char why[400];
    char run[200];
} verdict;

#define NBACKENDS 4

static void judge(const hvp_host *h, verdict v[NBACKENDS])
{
    int qarm = h->tools[HVP_TOOL_QEMU_ARM].present;
    v[0] = (verdict){ "tcg", qarm, "", "hvprobe run IMAGE --backend tcg --machine vexpress-a9" };
    if (!qarm)
        snprintf(v[0].why, sizeof v[0].why, "qemu-system-arm is not installed (run scripts/install-deps)");
    else
        snprintf(v[0].why, sizeof v[0].why, "QEMU software emulation: %s", h->tools[HVP_TOOL_QEMU_ARM].version);
    v[1] = (verdict){ "kvm", h->kvm_arm32, "", "hvprobe run IMAGE --backend kvm" };
    snprintf(v[1].why, sizeof v[1].why, "%s",
             h->kvm_arm32 ? "KVM on this arm64 host runs AArch32 guests (qemu-system-aarch64 -enable-kvm -cpu host,aarch64=off)"
                          : h->kvm_why);
    v[2] = (verdict){ "fixture", qarm, "", "hvprobe run IMAGE --backend fixture" };
    snprintf(v[2].why, sizeof v[2].why, "%s",
             qarm ? "stage-2 hypervisor fixture under QEMU TCG (virt, virtualization=on)"
                  : "qemu-system-arm is not installed (run scripts/install-deps)");
    /* kvm-nested: real KVM in an emulated arm64 host, when it is prepared. */
    hvp_kvmhost_paths kp;
    hvp_kvmhost_status st = { 0 };
    int have = !hvp_kvmhost_paths_get(&kp, NULL) && !hvp_kvmhost_status_get(&kp, &st, NULL) && st.ready;
    int qa64 = h->tools[HVP_TOOL_QEMU_AARCH64].present;
    v[3] = (verdict){ "kvm-nested", have && qa64, "", "hvprobe run IMAGE --backend kvm-nested" };
    if (!qa64)
        snprintf(v[3].why, sizeof v[3].why, "qemu-system-aarch64 is not installed (run scripts/install-deps)");
    else if (!have)
        snprintf(v[3].why, sizeof v[3].why, "real KVM is available this way, but its arm64 host is not prepared "
                 "in %.250s: run 'hvprobe kvm-host build' once", kp.dir);
    else
        snprintf(v[3].why, sizeof v[3].why, "real Linux KVM (-enable-kvm -cpu host,aarch64=off) inside an arm64 "
                 "host emulated by QEMU TCG: %s %s, qemu-system-aarch64 %s", st.kernel_pkg, st.kernel_version,
                 st.qemu_version);
}

int cmd_check(int argc, char **argv)
{
    static const struct option opts[] = {
        { "backend", required_argument, 0, 'b' }, { "json", no_argument, 0, 'j' },
        { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 }
    };
    const char *only = NULL;
    int json = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'b')
            only = optarg;
        else if (c == 'j')
            json = 1;
        else if (c == 'h') {
            fputs(help, stdout);
            return EXIT_OK;
        } else
            return cli_error("check", EXIT_USAGE, "unknown or incomplete option '%s' (see --help)", argv[optind - 1]);
    }
    if (optind < argc)
        return cli_error("check", EXIT_USAGE, "unexpected argument '%s'", argv[optind]);
    if (only && strcmp(only, "tcg") && strcmp(only, "kvm") && strcmp(only, "fixture") && strcmp(only, "kvm-nested"))
        return cli_error("check", EXIT_USAGE, "unknown backend '%s' (tcg, kvm, kvm-nested or fixture)", only);
    hvp_host h;
    hvp_host_probe(&h);
    verdict v[NBACKENDS];
    judge(&h, v);
    int all_ok = 1;
    const char *recommended = NULL;
    for (int i = 0; i < NBACKENDS; i++) {
        if (only && strcmp(only, v[i].name))
            continue;
        all_ok &= v[i].ok;
    }
    recommended = v[1].ok ? "kvm" : v[0].ok ? "tcg" : NULL;
    const char *recline = v[1].ok ? v[1].run : v[0].run;
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
        for (int i = 0; i < NBACKENDS; i++)
            if (!only || !strcmp(only, v[i].name))
                json_object_set_new(bk, v[i].name, json_pack("{s:b,s:s,s:s}", "can_run", v[i].ok, "why", v[i].why,
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
    printf("real KVM via kvm-nested: %s\n", v[3].ok ? "yes (emulated arm64 host prepared)"
                                              : "not ready (hvprobe kvm-host build)");
    for (int i = 0; i < HVP_NTOOLS; i++)
        printf("%-20s %s\n", h.tools[i].name, h.tools[i].present ? h.tools[i].version : "not installed");
    printf("\nbackends:\n");
    for (int i = 0; i < NBACKENDS; i++) {
        if (only && strcmp(only, v[i].name))
            continue;
        printf("  %-10s %s: %s\n", v[i].name, v[i].ok ? "can run" : "CANNOT run", v[i].why);
        if (!v[i].ok && !strcmp(v[i].name, "kvm"))
            printf("             instead: %s (real KVM in an emulated arm64 host), %s (software emulation),\n"
                   "             or %s (stage-2 hypervisor fixture)\n", v[3].run, v[0].run, v[2].run);
    }
    if (recommended)
        printf("\nrecommended: %s\n", recline);
    return all_ok ? EXIT_OK : EXIT_NEGATIVE;
}
