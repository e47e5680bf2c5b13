/* kvm.c - the kvm backend: real Linux KVM on this host,
 *   qemu-system-aarch64 -enable-kvm -M virt -cpu host,aarch64=off
 * which only an arm64 host whose KVM runs AArch32 guests can do.  It is
 * refused elsewhere with the reason, never replaced by TCG. */
#include "backends/backend.h"

#include <stdio.h>

static int kvm_plan(const hvp_launch_opts *o, const hvp_host *h, hvp_qemu *q, char ***argv, hvp_error *err)
{
    static const char *const accel[] = { "-enable-kvm", NULL };
    static const hvp_qemu_spec spec = {
        .backend = "kvm", .tool = HVP_TOOL_QEMU_AARCH64, .accel = accel, .cpu = "host,aarch64=off",
    };
    if (o->image && hvp_image_is_a64(o->image))
        return hvp_fail(err, HVP_E_ARCH, "'%s' is an AArch64 image: the kvm backend runs 32-bit guests only "
                        "(-cpu host,aarch64=off, on an arm64 host whose KVM runs AArch32); run it under tcg, the "
                        "fixture or kvm-nested", o->image);
    if (!h->kvm_arm32)
        return hvp_fail(err, HVP_E_UNSUPPORTED, "the kvm backend cannot run here: %s. Use --backend tcg (software "
                        "emulation) or --backend fixture (a stage-2 hypervisor under TCG)", h->kvm_why);
    return hvp_qemu_plan(&spec, o, h, q, argv, err);
}

static void kvm_judge(const hvp_host *h, hvp_backend_verdict *v)
{
    v->can_run = h->kvm_arm32;
    snprintf(v->why, sizeof v->why, "%s",
             h->kvm_arm32 ? "KVM on this arm64 host runs AArch32 guests (qemu-system-aarch64 -enable-kvm -cpu host,aarch64=off)"
                          : h->kvm_why);
}

static const char *const kvm_machines[] = { "virt", NULL };

const hvp_backend hvp_backend_kvm = {
    .d = {
        .name = "kvm",
        .summary = "real Linux KVM on this host (arm64 hosts whose KVM runs 32-bit guests)",
        .help = "real Linux KVM: qemu-system-aarch64 -enable-kvm -M virt -cpu host,aarch64=off;\n"
                "only on an arm64 host whose KVM runs 32-bit guests. Refused elsewhere,\n"
                "never replaced by TCG behind your back\n",
        .machines = kvm_machines,
        .preference = 2,
    },
    .plan = kvm_plan,
    .judge = kvm_judge,
};
