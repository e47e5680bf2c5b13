/* host_judge.c - which backend can run on a probed host, and why
 * (see hvprobe/host.h). */
#include "backends/host.h"
#include "hvprobe/kvmhost.h"

#include <stdio.h>
#include <string.h>

static const char *const backend_names[HVP_NBACKENDS] = { "tcg", "kvm", "fixture", "kvm-nested" };

int hvp_backend_index(const char *name)
{
    for (int i = 0; name && i < HVP_NBACKENDS; i++)
        if (!strcmp(name, backend_names[i]))
            return i;
    return -1;
}

static void set(hvp_backend_verdict *v, int i, int ok, const char *run)
{
    v->name = backend_names[i];
    v->can_run = ok;
    v->why[0] = '\0';
    snprintf(v->run, sizeof v->run, "%s", run);
}

void hvp_host_judge(const hvp_host *h, hvp_backend_verdict v[HVP_NBACKENDS], int *recommended)
{
    static const char no_qemu_arm[] = "qemu-system-arm is not installed (run scripts/install-deps)";
    int qarm = h->tools[HVP_TOOL_QEMU_ARM].present;
    hvp_backend_verdict *t = &v[HVP_BACKEND_TCG], *k = &v[HVP_BACKEND_KVM], *f = &v[HVP_BACKEND_FIXTURE],
                        *n = &v[HVP_BACKEND_KVM_NESTED];
    set(t, HVP_BACKEND_TCG, qarm, "hvprobe run IMAGE --backend tcg --machine vexpress-a9");
    if (!qarm)
        snprintf(t->why, sizeof t->why, "%s", no_qemu_arm);
    else
        snprintf(t->why, sizeof t->why, "QEMU software emulation: %s", h->tools[HVP_TOOL_QEMU_ARM].version);
    set(k, HVP_BACKEND_KVM, h->kvm_arm32, "hvprobe run IMAGE --backend kvm");
    snprintf(k->why, sizeof k->why, "%s",
             h->kvm_arm32 ? "KVM on this arm64 host runs AArch32 guests (qemu-system-aarch64 -enable-kvm -cpu host,aarch64=off)"
                          : h->kvm_why);
    set(f, HVP_BACKEND_FIXTURE, qarm, "hvprobe run IMAGE --backend fixture");
    snprintf(f->why, sizeof f->why, "%s",
             qarm ? "stage-2 hypervisor fixture under QEMU TCG (virt, virtualization=on)" : no_qemu_arm);
    /* kvm-nested: real KVM in an emulated arm64 host, when it is prepared. */
    hvp_kvmhost_paths kp;
    hvp_kvmhost_status st;
    memset(&st, 0, sizeof st);
    memset(&kp, 0, sizeof kp);
    int have = !hvp_kvmhost_paths_get(&kp, NULL) && !hvp_kvmhost_status_get(&kp, &st, NULL) && st.ready;
    int qa64 = h->tools[HVP_TOOL_QEMU_AARCH64].present;
    set(n, HVP_BACKEND_KVM_NESTED, have && qa64, "hvprobe run IMAGE --backend kvm-nested");
    if (!qa64)
        snprintf(n->why, sizeof n->why, "qemu-system-aarch64 is not installed (run scripts/install-deps)");
    else if (!have)
        snprintf(n->why, sizeof n->why, "real KVM is available this way, but its arm64 host is not prepared "
                 "in %.250s: run 'hvprobe kvm-host build' once", kp.dir);
    else
        snprintf(n->why, sizeof n->why, "real Linux KVM (-enable-kvm -cpu host,aarch64=off) inside an arm64 "
                 "host emulated by QEMU TCG: %s %s, qemu-system-aarch64 %s", st.kernel_pkg, st.kernel_version,
                 st.qemu_version);
    if (recommended)
        *recommended = k->can_run ? HVP_BACKEND_KVM : t->can_run ? HVP_BACKEND_TCG : -1;
}
