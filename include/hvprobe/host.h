/*
 * hvprobe/host.h - what this machine can run: its architecture, /dev/kvm,
 * whether KVM can run a 32-bit ARM guest here, which QEMU binaries and
 * tools exist, and from that a verdict per backend (tcg, kvm, fixture,
 * kvm-nested) with the reason and the `hvprobe run` line that would use
 * it.  Everything is probed (files, the KVM_CHECK_EXTENSION ioctl, the
 * programs' `--version`, the kvm-nested host cache), nothing assumed.
 *
 * Ownership: results are plain caller-owned values; nothing to free.
 * Errors: none; a probe that fails says so in the result (a tool is
 * "not present", KVM "cannot run" with kvm_why).
 * Thread-safety: hvp_host_probe() runs child processes (`--version`) and
 * may be called from any thread; results are not shared.
 */
#ifndef HVPROBE_HOST_H
#define HVPROBE_HOST_H

#ifdef __cplusplus
extern "C" {
#endif

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

/* Probe this host (takes some tens of milliseconds: it runs each tool's
 * --version). */
void hvp_host_probe(hvp_host *h);

/* The backends, in this order: "tcg", "kvm", "fixture", "kvm-nested". */
enum { HVP_BACKEND_TCG, HVP_BACKEND_KVM, HVP_BACKEND_FIXTURE, HVP_BACKEND_KVM_NESTED, HVP_NBACKENDS };

typedef struct hvp_backend_verdict {
    const char *name;       /* static: "tcg", ... */
    int can_run;            /* 1 when the backend runs here now */
    char why[400];          /* one sentence: what it uses, or why not and
                               what to do about it */
    char run[200];          /* "hvprobe run IMAGE --backend NAME ..." */
} hvp_backend_verdict;

/* Index of a backend name (HVP_BACKEND_*), or -1 when unknown. */
int hvp_backend_index(const char *name);

/* A verdict for every backend on the probed host h (kvm-nested also
 * reads the state of its cached arm64 host, hvprobe/kvmhost.h).
 * *recommended = the index of the backend to use (real KVM when it can
 * run, else TCG), or -1 when none can. */
void hvp_host_judge(const hvp_host *h, hvp_backend_verdict v[HVP_NBACKENDS], int *recommended);

#ifdef __cplusplus
}
#endif
#endif
