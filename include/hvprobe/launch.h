/*
 * hvprobe/launch.h - run a guest image under a backend, with its debug
 * channels wired safely: QMP, HMP and the gdbstub on unix sockets in a
 * private 0700 runtime directory (TCP only on request, and then bound to
 * 127.0.0.1), the guest's serial output in a file there.
 *
 * Backends: the registry in hvprobe/backend.h lists them (name, summary,
 * machines, limits); hvprobe/host.h says which can run here.
 * A backend that cannot run here is refused with the reason and what
 * would work; never replaced silently by another.
 *
 * Life cycle:  hvp_launch_plan()  -> a planned guest (validated options,
 * runtime directory, QEMU command line; nothing runs yet: a dry run stops
 * here) -> hvp_guest_start() -> hvp_guest_alive() / hvp_guest_capture() /
 * channel addresses for hvprobe/capture.h, debug.h, dump.h ->
 * hvp_guest_free() (stops QEMU, removes the runtime directory).
 *
 * Ownership: the hvp_guest owns every string its accessors return (valid
 * until hvp_guest_free); hvp_guest_command_line() returns a string the
 * caller frees.  hvp_guest_free(NULL) is a no-op.  QEMU is started with
 * PR_SET_PDEATHSIG, which Linux ties to the *thread* that forked it: it
 * never outlives that thread, so call hvp_guest_start() from a thread that
 * lives as long as the guest (e.g. the main thread).
 *
 * Errors: HVP_OK or a negative HVP_E_* code with a sentence in *err.
 * The library never prints: progress goes through the callback.
 * Thread-safety: one hvp_guest must not be used from two threads at
 * once; distinct guests are independent.  hvp_guest_start() reaps its
 * own child with waitpid() and does not touch signal dispositions.
 */
#ifndef HVPROBE_LAUNCH_H
#define HVPROBE_LAUNCH_H

#include <stddef.h>
#include <stdint.h>
#include "hvprobe/capture.h"
#include "hvprobe/error.h"
#include "hvprobe/host.h"
#include "hvprobe/snapshot.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hvp_launch_opts {
    const char *image;          /* ELF (checked: 32-bit ARM, segments in RAM), a Linux
                                   zImage or uImage (booted as Linux), or a raw binary */
    const char *backend;        /* a registered backend (hvprobe/backend.h); NULL: "tcg" */
    const char *machine;        /* vexpress-a9 (NULL; virt for kvm/fixture), vexpress-a15, virt */
    const char *cpu;            /* NULL: the machine's default */
    const char *memory;         /* NULL: "128M" */
    int have_load_addr;
    uint64_t load_addr;         /* raw images: where to load and enter */
    const char *serial_file;    /* NULL: serial.txt in the runtime directory */
    const char *trace_events;   /* QEMU -d events, e.g. "int,guest_errors" */
    const char *trace_file;     /* where -d output goes (NULL: runtime directory) */
    int halt_at_start;          /* QEMU -S: the CPU waits (e.g. for breakpoints) */
    int gdb_port, monitor_port; /* extra TCP listeners on 127.0.0.1; 0: none */
    char *const *extra;         /* appended QEMU arguments */
    int nextra;
    const char *fixture_elf;    /* backend fixture: the hypervisor image */
    const char *hyp_symbols;    /* the hypervisor's ELF with symbols, for guest-trap
                                   triggers (sel4: the kernel's; NULL: kernel.elf
                                   beside the image) */
    const hvp_host *host;       /* a probed host to check against; NULL: probe now */
    /* A Linux image, booted with QEMU's Linux boot protocol: */
    const char *dtb;            /* device tree blob (-dtb); NULL: QEMU's own (virt) */
    const char *append;         /* kernel command line (-append) */
    const char *initrd;         /* initial ramdisk (-initrd) */
    /* The guest's ELF with symbols when the image is not one (a zImage's
     * vmlinux, a raw binary's ELF): breakpoint triggers on symbols and
     * vector tables, and the capture's --elf.  NULL: the image if ELF. */
    const char *guest_elf;
    /* QEMU holds a guest that powers off or resets (-no-shutdown
     * -no-reboot), so it can be captured (hvp_trigger.on_exit). */
    int hold_on_exit;
} hvp_launch_opts;

typedef struct hvp_guest hvp_guest;

/* Validate the options against the host and the image, create the
 * runtime directory and build QEMU's command line.  Errors: HVP_E_INVAL
 * (bad option, raw image without load address), HVP_E_INPUT (image
 * missing or not a 32-bit ARM ELF), HVP_E_UNSUPPORTED (the backend cannot
 * run here: the message says why and what to use instead), HVP_E_IO. */
int hvp_launch_plan(const hvp_launch_opts *o, hvp_guest **out, hvp_error *err);

/* Warnings found while planning (e.g. a segment outside RAM): count, and
 * the i-th one (NULL when out of range). */
size_t hvp_guest_nwarnings(const hvp_guest *g);
const char *hvp_guest_warning(const hvp_guest *g, size_t i);

/* The QEMU command line, shell-quoted (kvm-nested: the outer QEMU's).
 * Caller frees; NULL on allocation failure. */
char *hvp_guest_command_line(const hvp_guest *g);

/* Facts about a planned or started guest; strings owned by the guest. */
typedef struct hvp_guest_info {
    const char *backend;        /* "tcg", ... */
    const char *machine;        /* "vexpress-a9", ... */
    const char *image;          /* as given */
    int image_is_elf;
    const char *guest_elf;      /* the guest's own ELF (its symbols and vector
                                   tables): the image when it is an ELF guest;
                                   NULL for a system image (sel4) or a raw one */
    const char *rundir;         /* the private runtime directory */
    const char *qmp, *hmp, *gdb;/* channel addresses ("unix:PATH", "tcp:127.0.0.1:N") */
    const char *serial;         /* file receiving the guest's serial output */
    const char *trace;          /* QEMU -d log, "" without trace events */
    long pid;                   /* QEMU's pid once started, else -1 */
    int nested;                 /* kvm-nested: channels are the inner QEMU's */
    int hw_breakpoints;         /* breakpoints must be hardware ones (Z1):
                                   pass to hvp_debug_opts.hw_breakpoints */
} hvp_guest_info;

void hvp_guest_get_info(const hvp_guest *g, hvp_guest_info *out);

/* Progress and cancellation for the waits in hvp_guest_start(). */
typedef struct hvp_launch_events {
    void (*progress)(void *ctx, const char *msg);   /* one line, may be NULL */
    int (*cancelled)(void *ctx);    /* polled during waits (at least every
                                       0.1 s); non-zero aborts with
                                       HVP_E_CANCELLED.  May be NULL. */
    void *ctx;
} hvp_launch_events;

/* Start QEMU and wait until the guest's QMP answers: up to timeout_ms
 * (0: 10 s; kvm-nested: 120 s, as its emulated host boots first).
 * Errors: HVP_E_TARGET (QEMU or the emulated host stopped first; the
 * message quotes its last error), HVP_E_TIMEOUT, HVP_E_CANCELLED, HVP_E_IO
 * (fork). On error QEMU is stopped. Calling it twice is HVP_E_INVAL.
 * It is hvp_guest_spawn() followed by hvp_guest_wait_ready(). */
int hvp_guest_start(hvp_guest *g, int timeout_ms, const hvp_launch_events *ev, hvp_error *err);

/* The two steps of hvp_guest_start(), for a caller starting several
 * guests at once: spawn starts QEMU (kvm-nested: the outer QEMU) and waits
 * up to 10 s for its QMP; wait_ready waits, for kvm-nested only, until the
 * emulated host runs the inner QEMU (other backends: HVP_OK at once).
 * Same errors; QEMU is left running on error (hvp_guest_stop it). */
int hvp_guest_spawn(hvp_guest *g, hvp_error *err);
int hvp_guest_wait_ready(hvp_guest *g, int timeout_ms, const hvp_launch_events *ev, hvp_error *err);

/* 1 while QEMU runs; 0 once it exited (or was never started): then
 * *exit_status = its exit status, or 128 + the signal that killed it. */
int hvp_guest_alive(hvp_guest *g, int *exit_status);

/* The last non-empty line QEMU wrote to stderr ("" if none). */
void hvp_guest_last_error(const hvp_guest *g, char *buf, size_t n);

/* Capture a snapshot of the running guest through its QMP and gdbstub
 * channels (hvp_capture(), with the image as elf when it is an ELF), plus
 * what the backend adds (kvm-nested: the guest's MIDR and a note on how
 * the registers were read).  `base` (may be NULL) supplies the other
 * hvp_capture_opts fields: label (NULL: "BACKEND-MACHINE"), note,
 * keep_halted, timeout, RAM images (under kvm-nested always read through
 * the gdbstub: its QMP belongs to a QEMU inside the emulated host, where
 * pmemsave would write); its channel and elf fields are ignored.
 * *out: caller frees with hvp_snapshot_free().  Errors: those of
 * hvp_capture(). */
int hvp_guest_capture(hvp_guest *g, const hvp_capture_opts *base, hvp_snapshot **out, hvp_error *err);

/* kvm-nested only: seconds the emulated host took to be ready (its own
 * clock) and its CPU's MIDR_EL1, which KVM presents to the guest.
 * HVP_E_UNSUPPORTED for other backends or before the host reported. */
int hvp_guest_kvm_facts(const hvp_guest *g, double *ready_s, uint64_t *midr, hvp_error *err);

/* Ask QEMU to quit (QMP), then SIGTERM, then SIGKILL; reap it; remove the
 * runtime directory (so read hvp_guest_last_error() before).  Safe to
 * call twice; hvp_guest_get_info() stays valid until hvp_guest_free(). */
void hvp_guest_stop(hvp_guest *g);

/* hvp_guest_stop() and free.  NULL is a no-op. */
void hvp_guest_free(hvp_guest *g);

#ifdef __cplusplus
}
#endif
#endif
