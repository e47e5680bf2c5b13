/*
 * host.h - what this machine can run: architecture, /dev/kvm, whether
 * KVM can run a 32-bit ARM guest here, which QEMU and tools exist.
 * Everything is probed (files, ioctls, `--version` of the programs),
 * nothing assumed.  Results are plain values; nothing to free.
 */
#ifndef HVP_BACKENDS_HOST_H
#define HVP_BACKENDS_HOST_H

typedef struct hvp_tool {
    char name[32];          /* "qemu-system-arm" */
    int present;
    char path[256];
    char version[128];      /* first line of --version, trimmed */
} hvp_tool;

enum { HVP_TOOL_QEMU_ARM, HVP_TOOL_QEMU_AARCH64, HVP_TOOL_GDB, HVP_TOOL_GCC, HVP_NTOOLS };

typedef struct hvp_host {
    char arch[65];          /* uname -m: "x86_64", "aarch64" */
    int kvm_present;        /* /dev/kvm exists */
    int kvm_rw;             /* this user can open it read-write */
    int kvm_arm32;          /* KVM can run a 32-bit ARM guest here */
    char kvm_why[320];      /* the reason when it cannot */
    hvp_tool tools[HVP_NTOOLS];
} hvp_host;

void hvp_host_probe(hvp_host *h);

/* Full path of `prog` in PATH, or NULL (static buffer per call site
 * not needed: writes into out). */
int hvp_which(const char *prog, char *out, unsigned outsz);

#endif
