/* fixture.c - the fixture backend: guests/hyp-fixture, a minimal ARMv7
 * Hyp-mode hypervisor with the seL4 VMM's stage-2 policy (nothing mapped
 * at IPA 0), on qemu-system-arm -M virt,virtualization=on -cpu cortex-a15.
 * guests/hyp-fixture/run-fixture documents the argument list. */
#include "backends/backend.h"

#include <stdio.h>
#include <unistd.h>

/* The guest is QEMU's -kernel (so the DTB lands where it would without
 * the fixture), the fixture is loaded by the generic loader and takes CPU
 * 0's reset PC, and the guest's entry point goes into the fixture's boot
 * parameter word at 0x48000000. */
static void fixture_load(const hvp_launch_opts *o, uint64_t entry, hvp_argv *a)
{
    char esc[4096];
    hvp_argv_push(a, "-kernel");
    hvp_argv_push(a, "%s", o->image);
    hvp_argv_push(a, "-device");
    hvp_argv_push(a, "loader,file=%s,cpu-num=0", hvp_qemu_opt_escape(o->fixture_elf, esc, sizeof esc));
    hvp_argv_push(a, "-device");
    hvp_argv_push(a, "loader,addr=0x48000000,data=0x%llx,data-len=4", (unsigned long long)entry);
}

static int fixture_plan(const hvp_launch_opts *o, const hvp_host *h, hvp_qemu *q, char ***argv, hvp_error *err)
{
    static const hvp_qemu_spec spec = {
        .backend = "fixture", .tool = HVP_TOOL_QEMU_ARM, .machine_arg = "virt,virtualization=on",
        .memory = "256M", .elf_only = 1, .load = fixture_load,
    };
    if (!o->fixture_elf || access(o->fixture_elf, R_OK))
        return hvp_fail(err, HVP_E_INPUT, "the fixture backend needs the hypervisor image %s (build it with make)",
                        o->fixture_elf ? o->fixture_elf : "hyp-fixture.elf");
    return hvp_qemu_plan(&spec, o, h, q, argv, err);
}

static void fixture_judge(const hvp_host *h, hvp_backend_verdict *v)
{
    hvp_qemu_judge(h, HVP_TOOL_QEMU_ARM, "stage-2 hypervisor fixture under QEMU TCG (virt, virtualization=on)", 0, v);
}

static const char *const fixture_machines[] = { "virt", NULL };

const hvp_backend hvp_backend_fixture = {
    .d = {
        .name = "fixture",
        .summary = "a stage-2 hypervisor that maps nothing at IPA 0, like the seL4 VMM (QEMU TCG)",
        .help = "a stage-2 hypervisor (guests/hyp-fixture) that maps no memory at IPA 0,\n"
                "like the seL4 VMM, on QEMU virt with virtualization=on\n",
        .machines = fixture_machines,
        .flags = HVP_BACKEND_ELF_ONLY,
    },
    .plan = fixture_plan,
    .judge = fixture_judge,
};
