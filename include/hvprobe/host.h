/*
 * hvprobe/host.h - what this machine can run: its architecture, /dev/kvm,
 * whether KVM can run a 32-bit ARM guest here, which QEMU binaries and
 * tools exist, and from that a verdict per registered backend with the
 * reason and the `hvprobe run` line that would use
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

#include <stddef.h>

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

/* Room for a verdict per backend (hvp_backend_count() <= this). */
#define HVP_MAX_BACKENDS 16

typedef struct hvp_backend_verdict {
    const char *name;       /* static: "tcg", ... */
    int can_run;            /* 1 when the backend runs here now */
    char why[400];          /* one sentence: what it uses, or why not and
                               what to do about it */
    char run[200];          /* "hvprobe run IMAGE --backend NAME ..." */
} hvp_backend_verdict;

/* Index of a backend name in the registry (hvprobe/backend.h), or -1
 * when unknown. */
int hvp_backend_index(const char *name);

/* A verdict for every registered backend on the probed host h, in the
 * registry's order (hvprobe/backend.h), at most n of them; returns how
 * many were written.  *recommended (may be NULL) = the index of the
 * backend to use (the most faithful one that runs here: real KVM when
 * it can, else TCG), or -1 when none can. */
size_t hvp_host_judge(const hvp_host *h, hvp_backend_verdict *v, size_t n, int *recommended);

#ifdef __cplusplus
}
#endif
#endif
