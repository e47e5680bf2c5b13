/*
 * hvprobe/session.h - run a started guest (hvprobe/launch.h) until a
 * trigger fires, then capture it: what `hvprobe run --capture` does,
 * for any program.  Triggers: a delay, a text on the guest's serial
 * output, a breakpoint on an address (or an ELF symbol, resolved with
 * hvp_elf_symbol_addr), or the first time an exception is taken
 * (breakpoints on every place its vector can be fetched from,
 * hvprobe/debug.h).  Breakpoint triggers must be planted before the
 * guest runs its first instruction: plan the guest with
 * hvp_launch_opts.halt_at_start = hvp_trigger_halts_at_start(t).
 *
 * Two ways to use it: hvp_guest_run_capture() does everything and
 * returns the snapshot; hvp_run_begin() / hvp_run_poll() / hvp_run_end()
 * let a caller wait for several guests at once and decide itself when
 * to capture (between poll and end the guest is where the trigger left
 * it: halted at a breakpoint, running otherwise).
 *
 * Ownership: hvp_run_begin() allocates *out, hvp_run_end() frees it
 * (NULL is a no-op); the guest stays owned by the caller and must
 * outlive the run.  Strings in results are owned by the run.
 * Errors: HVP_OK or a negative HVP_E_* with a sentence in *err:
 * HVP_E_TARGET (QEMU exited before the trigger fired), HVP_E_NOTRIGGER
 * (the trigger's own timeout passed), HVP_E_CANCELLED (the events'
 * cancelled() said so), HVP_E_INVAL (bad trigger), channel errors
 * (HVP_E_IO, HVP_E_PROTO, HVP_E_CLOSED) from the gdbstub.
 * Thread-safety: a run belongs to one thread at a time; runs of
 * distinct guests are independent.
 */
#ifndef HVPROBE_SESSION_H
#define HVPROBE_SESSION_H

#include <stddef.h>
#include <stdint.h>
#include "hvprobe/capture.h"
#include "hvprobe/error.h"
#include "hvprobe/launch.h"
#include "hvprobe/snapshot.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hvp_trigger_kind {
    HVP_TRIGGER_NONE,       /* run until QEMU exits (or cancelled) */
    HVP_TRIGGER_AFTER,      /* after_s seconds after hvp_run_begin() */
    HVP_TRIGGER_SERIAL,     /* when the serial output first contains `serial` */
    HVP_TRIGGER_PC,         /* when the CPU reaches `pc` (breakpoint) */
    HVP_TRIGGER_EXCEPTION,  /* when exception `exception` is first taken */
    HVP_TRIGGER_GUEST_TRAP  /* at a guest's trap to its hypervisor (backends
                               that know where their hypervisor handles
                               traps: sel4, fixture); `trap` says which */
} hvp_trigger_kind;

/* Guest traps (HVP_TRIGGER_GUEST_TRAP).  FAULT: the stage-2 fault the
 * hypervisor could not resolve, the one it reports (its report line
 * appears); the capture holds the guest's state at that trap, taken
 * when it happened, never at an earlier resolved one or later in a
 * hypervisor thread.  The others: the first trap of that kind. */
typedef enum hvp_trap_kind {
    HVP_TRAP_FAULT, HVP_TRAP_PABT, HVP_TRAP_DABT, HVP_TRAP_HVC, HVP_TRAP_WFI, HVP_TRAP_ANY
} hvp_trap_kind;

/* "fault", "prefetch-abort", "data-abort", "hvc", "wfi", "any". */
int hvp_trap_kind_parse(const char *name, hvp_trap_kind *out, hvp_error *err);
const char *hvp_trap_kind_name(hvp_trap_kind k);

typedef struct hvp_trigger {
    hvp_trigger_kind kind;
    double after_s;
    const char *serial;
    uint64_t pc;
    int exception;          /* vector index, from hvp_debug_exception_parse() */
    const char *elf;        /* EXCEPTION: the image whose vector tables are
                               also watched (NULL: the guest's, if an ELF) */
    hvp_trap_kind trap;     /* GUEST_TRAP */
    const hvp_capture_opts *capture;    /* GUEST_TRAP: options of the captures
                                           taken at traps (NULL: defaults) */
    int timeout_ms;         /* give up with HVP_E_NOTRIGGER after this; 0: never */
    /* Also fire, with any kind (NONE included), when the guest is stuck
     * for stuck_s seconds (> 0): its PC stays in a 256-byte window (spin)
     * or at a WFI with IRQs masked (wfi), or, with an "int" trace, one
     * fault exception is taken at the same vector 100+ times a second
     * (storm).  Not with breakpoint triggers (the gdbstub serves one
     * client). */
    double stuck_s;
    /* Also fire when the guest powers off, resets or panics: QEMU must
     * hold it (hvp_launch_opts.hold_on_exit).  Not with GUEST_TRAP. */
    int on_exit;
} hvp_trigger;

/* 1 when the trigger needs the guest halted at start (breakpoints). */
int hvp_trigger_halts_at_start(const hvp_trigger *t);

typedef struct hvp_run_events {
    void (*progress)(void *ctx, const char *msg);           /* one line; may be NULL */
    void (*serial)(void *ctx, const char *data, size_t n);  /* the guest's serial output
                                                               as it arrives; may be NULL */
    int (*cancelled)(void *ctx);    /* polled at least every 0.1 s; may be NULL */
    void *ctx;
} hvp_run_events;

typedef struct hvp_run_result {
    int fired;              /* the trigger fired */
    int have_pc;            /* breakpoint triggers: where the CPU stopped */
    uint64_t pc;
    size_t nbreakpoints;    /* how many were planted */
    int hw_breakpoints;     /* they were hardware ones (Z1) */
    int qemu_exited;        /* QEMU ended during the run ... */
    int qemu_status;        /* ... with this exit status (128 + signal) */
    long elapsed_ms;        /* from hvp_run_begin() to the trigger (or now) */
    size_t ntraps;          /* GUEST_TRAP: guest traps seen (kept or not) */
    size_t nstops;          /* GUEST_TRAP: stops at the hypervisor's handlers */
    char condition[16];     /* stuck_s / on_exit fired: "spin", "wfi", "storm",
                               "poweroff", "reset", "panic"; "" otherwise */
    char how[600];          /* ... and what was seen, one sentence */
} hvp_run_result;

typedef struct hvp_run hvp_run;

/* Start watching a started guest for the trigger (breakpoint triggers:
 * attach the gdbstub, plant, resume).  The errors above. */
int hvp_run_begin(hvp_guest *g, const hvp_trigger *t, const hvp_run_events *ev, hvp_run **out, hvp_error *err);

/* Wait up to wait_ms for the trigger, passing serial output to
 * ev->serial.  HVP_OK: it fired (NONE: QEMU exited); HVP_RUN_WAITING
 * (a positive value): not yet, call again; else the errors above. */
#define HVP_RUN_WAITING 1
int hvp_run_poll(hvp_run *r, int wait_ms, hvp_error *err);

/* Pass the serial output that arrived since the last poll to ev->serial. */
void hvp_run_drain(hvp_run *r);

/* The last 4-8 KiB of serial output (NUL-terminated; owned by the run). */
const char *hvp_run_serial_window(const hvp_run *r);

void hvp_run_get_result(const hvp_run *r, hvp_run_result *out);

/* GUEST_TRAP: the snapshot taken at the trap that fired the trigger
 * (the caller owns it and frees it; NULL when there is none). */
hvp_snapshot *hvp_run_take_snapshot(hvp_run *r);

/* Record in snap what made the run fire when it was stuck_s or on_exit
 * (context.condition); nothing otherwise.  HVP_E_NOMEM. */
int hvp_run_annotate(const hvp_run *r, hvp_snapshot *snap, hvp_error *err);

/* Stop watching (a guest halted at a breakpoint stays halted) and free. */
void hvp_run_end(hvp_run *r);

/* begin, poll until done, end: the guest is left where the trigger
 * fired.  res may be NULL. */
int hvp_guest_run_to(hvp_guest *g, const hvp_trigger *t, const hvp_run_events *ev, hvp_run_result *res,
                     hvp_error *err);

/* hvp_guest_run_to(), then hvp_guest_capture() with `co` (may be NULL),
 * or for GUEST_TRAP the snapshot taken at the trap: *out is the snapshot
 * (caller frees with hvp_snapshot_free()). */
int hvp_guest_run_capture(hvp_guest *g, const hvp_trigger *t, const hvp_capture_opts *co,
                          const hvp_run_events *ev, hvp_snapshot **out, hvp_run_result *res, hvp_error *err);

#ifdef __cplusplus
}
#endif
#endif
