/* tcg.c - the tcg backend: QEMU software emulation (qemu-system-arm) of a
 * vexpress or virt board, on any host. */
#include "backends/backend.h"

#include <stdio.h>

static int tcg_plan(const hvp_launch_opts *o, const hvp_host *h, hvp_qemu *q, char ***argv, hvp_error *err)
{
    static const hvp_qemu_spec spec = { .backend = "tcg", .tool = HVP_TOOL_QEMU_ARM, .a64 = 1 };
    return hvp_qemu_plan(&spec, o, h, q, argv, err);
}

static void tcg_judge(const hvp_host *h, hvp_backend_verdict *v)
{
    hvp_qemu_judge(h, HVP_TOOL_QEMU_ARM, "QEMU software emulation", 1, v);
    snprintf(v->run, sizeof v->run, "hvprobe run IMAGE --backend tcg --machine vexpress-a9");
}

static const char *const tcg_machines[] = { "vexpress-a9", "vexpress-a15", "virt", NULL };

const hvp_backend hvp_backend_tcg = {
    .d = {
        .name = "tcg",
        .summary = "QEMU software emulation (qemu-system-arm; AArch64 guests: qemu-system-aarch64 -M virt), any "
                   "host; the default",
        .help = "QEMU software emulation (qemu-system-arm), any host; the default.\n"
                "An AArch64 guest (an AArch64 ELF or an arm64 Linux Image) runs on qemu-system-aarch64\n"
                "-M virt -cpu cortex-a57 (--cpu cortex-a53 or max also work; --machine defaults to\n"
                "virt for it).\n",
        .machines = tcg_machines,
        .preference = 1,
    },
    .plan = tcg_plan,
    .judge = tcg_judge,
};
