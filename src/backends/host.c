/* host.c - probe what this host can run (see host.h). */
#include "backends/host.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <unistd.h>

/* From <linux/kvm.h>: KVMIO 0xAE; KVM_CHECK_EXTENSION = _IO(KVMIO, 0x03);
 * KVM_CAP_ARM_EL1_32BIT = 93 ("can run AArch32 at EL1"). */
#define HVP_KVM_CHECK_EXTENSION 0xAE03
#define HVP_KVM_CAP_ARM_EL1_32BIT 93

int hvp_which(const char *prog, char *out, unsigned outsz)
{
    const char *path = getenv("PATH");
    if (!path)
        path = "/usr/bin:/bin";
    while (*path) {
        size_t n = strcspn(path, ":");
        snprintf(out, outsz, "%.*s/%s", (int)n, path, prog);
        if (n && access(out, X_OK) == 0)
            return 1;
        path += n;
        if (*path)
            path++;
    }
    out[0] = '\0';
    return 0;
}

/* Find the tool and start its --version (the pipe to read, or NULL):
 * all tools are started first and read after, so the probes overlap
 * (four in sequence took 0.26 s, a cost every `run` paid). */
static FILE *probe_tool_start(hvp_tool *t, const char *name)
{
    snprintf(t->name, sizeof t->name, "%s", name);
    t->present = hvp_which(name, t->path, sizeof t->path);
    if (!t->present)
        return NULL;
    char cmd[320];
    snprintf(cmd, sizeof cmd, "'%s' --version 2>/dev/null", t->path);
    return popen(cmd, "r");
}

static void probe_tool_finish(hvp_tool *t, FILE *p)
{
    if (!p)
        return;
    if (fgets(t->version, sizeof t->version, p))
        t->version[strcspn(t->version, "\r\n")] = '\0';
    else
        t->version[0] = '\0';
    pclose(p);
}

void hvp_host_probe(hvp_host *h)
{
    memset(h, 0, sizeof *h);
    struct utsname u;
    if (uname(&u) == 0)
        snprintf(h->arch, sizeof h->arch, "%s", u.machine);
    h->kvm_present = access("/dev/kvm", F_OK) == 0;
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    h->kvm_rw = fd >= 0;
    if (!strcmp(h->arch, "aarch64") || !strcmp(h->arch, "arm64")) {
        if (fd < 0)
            snprintf(h->kvm_why, sizeof h->kvm_why, "%s",
                     h->kvm_present ? "/dev/kvm exists but this user cannot open it read-write (join the kvm group)"
                                    : "/dev/kvm does not exist (KVM not enabled in this kernel, or no EL2)");
        else if (ioctl(fd, HVP_KVM_CHECK_EXTENSION, HVP_KVM_CAP_ARM_EL1_32BIT) > 0)
            h->kvm_arm32 = 1;
        else
            snprintf(h->kvm_why, sizeof h->kvm_why, "%s",
                     "this arm64 CPU cannot run AArch32 at EL1 (KVM_CAP_ARM_EL1_32BIT is absent)");
    } else {
        snprintf(h->kvm_why, sizeof h->kvm_why,
                 "KVM runs only guests of the host's own architecture: this %s host cannot run a 32-bit ARM "
                 "guest with KVM, whatever /dev/kvm says (qemu-system-arm -enable-kvm answers 'invalid "
                 "accelerator kvm'); that needs an arm64 host", h->arch[0] ? h->arch : "non-ARM");
    }
    if (fd >= 0)
        close(fd);
    static const char *const names[HVP_NTOOLS] = {
        "qemu-system-arm", "qemu-system-aarch64", "gdb-multiarch", "arm-none-eabi-gcc"
    };
    FILE *pipes[HVP_NTOOLS];
    for (int i = 0; i < HVP_NTOOLS; i++)
        pipes[i] = probe_tool_start(&h->tools[i], names[i]);
    for (int i = 0; i < HVP_NTOOLS; i++)
        probe_tool_finish(&h->tools[i], pipes[i]);
    if (h->kvm_arm32 && !h->tools[HVP_TOOL_QEMU_AARCH64].present) {
        h->kvm_arm32 = 0;
        snprintf(h->kvm_why, sizeof h->kvm_why, "%s",
                 "KVM could run a 32-bit guest here, but qemu-system-aarch64 is not installed (apt-get install qemu-system-arm)");
    }
}
