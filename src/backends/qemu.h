/*
 * qemu.h - launch a guest image under QEMU for a backend, with its debug
 * channels wired safely: QMP, HMP and the gdbstub on unix sockets in a
 * private 0700 runtime directory (TCP only on request, and then bound to
 * 127.0.0.1).  Backends:
 *   tcg      qemu-system-arm, software emulation, any host
 *   kvm      qemu-system-aarch64 -enable-kvm -M virt -cpu host,aarch64=off,
 *            only on an arm64 host whose KVM runs AArch32 guests
 *   fixture  qemu-system-arm -M virt,virtualization=on -cpu cortex-a15 with
 *            guests/hyp-fixture (a stage-2 hypervisor that behaves like the
 *            seL4 VMM) loading the guest
 * A backend that cannot run here is refused with the reason and the
 * backend that would work; hvprobe never falls back silently.
 *
 * Ownership: hvp_run_plan() fills a caller-owned hvp_qemu and returns an
 * argv the caller frees with hvp_argv_free().  hvp_qemu_stop() ends QEMU
 * and removes the runtime directory; QEMU also dies with hvprobe
 * (PR_SET_PDEATHSIG), so no orphan survives a crash of hvprobe.
 */
#ifndef HVP_BACKENDS_QEMU_H
#define HVP_BACKENDS_QEMU_H

#include <stdint.h>
#include <sys/types.h>
#include "backends/host.h"
#include "hvprobe/error.h"
#include "hvprobe/launch.h"

/* The launch options are the public ones (hvprobe/launch.h). */
typedef hvp_launch_opts hvp_run_opts;

#define HVP_QEMU_MAXWARN 4

typedef struct hvp_qemu {
    pid_t pid;
    char rundir[256];
    char qmp[300], hmp[300], gdb[300];  /* channel addresses for capture */
    char serial[300];
    char trace[300];
    char stderr_path[300];
    int image_is_elf;
    char machine[32];
    char warnings[HVP_QEMU_MAXWARN][320];
    int nwarnings;
    /* kvm-nested (backends/kvm_nested.h): the child is the outer QEMU
     * (the emulated arm64 KVM host); qmp/hmp/gdb above are the inner
     * QEMU's channels forwarded to 127.0.0.1, serial is the guest's. */
    int nested;
    char outer_qmp[300];    /* the outer QEMU's QMP (stop quits it) */
    char console[300];      /* the host's console: kernel, /init, inner QEMU's errors */
} hvp_qemu;

/* Validate the options against the host and the image, create the
 * runtime directory and build QEMU's argv.  Errors: HVP_E_INVAL (bad
 * option, raw image without load address), HVP_E_INPUT (image missing
 * or not a 32-bit ARM ELF), HVP_E_UNSUPPORTED (backend cannot run here:
 * the message says why and what to use instead). */
int hvp_run_plan(const hvp_run_opts *o, const hvp_host *h, hvp_qemu *q, char ***argv, hvp_error *err);
void hvp_argv_free(char **argv);

/* Create q->rundir, private (0700): in $XDG_RUNTIME_DIR, else $TMPDIR,
 * else /tmp, whichever is writable first. */
int hvp_qemu_make_rundir(hvp_qemu *q, hvp_error *err);

/* Start QEMU and wait (up to timeout_ms) until its QMP socket answers.
 * HVP_E_TARGET when QEMU exits first (message: its last error line),
 * HVP_E_TIMEOUT when it never answers. */
int hvp_qemu_spawn(hvp_qemu *q, char *const *argv, int timeout_ms, hvp_error *err);

/* 1 while QEMU runs; 0 once it exited (*status = its wait status). */
int hvp_qemu_alive(hvp_qemu *q, int *status);

/* The last non-empty line QEMU wrote to stderr ("" if none). */
void hvp_qemu_last_error(const hvp_qemu *q, char *buf, unsigned n);

/* Ask QEMU to quit (QMP), then SIGTERM, then SIGKILL; reap it; remove
 * the runtime directory.  Safe to call twice. */
void hvp_qemu_stop(hvp_qemu *q);

/* Shell-quoted command line (caller frees). */
char *hvp_argv_join(char *const *argv);

#endif
