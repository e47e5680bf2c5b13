/*
 * hvprobe/debug.h - stop a live guest at a chosen moment through its
 * gdbstub: halt and resume it, plant breakpoints on an address, an ELF
 * symbol, or every place an exception's vector can be fetched from, and
 * wait for the stop.  This is how `hvprobe run --at-pc/--at-symbol/
 * --at-exception` halts a guest exactly where a capture should see it.
 *
 * QEMU halts the guest when a gdb client connects (hvp_debug_open), and
 * the guest stays halted when the session is closed without detaching
 * (hvp_debug_close), so a capture (hvprobe/capture.h) can then read it;
 * hvp_debug_detach() resumes it, as gdb's `detach` does.  One gdb client
 * at a time: close the session before capturing through the gdbstub.
 *
 * Ownership: hvp_debug_open() allocates *out; hvp_debug_close() frees it
 * (NULL is a no-op).  Errors: HVP_OK or a negative HVP_E_* with a
 * sentence in *err: channel errors (HVP_E_IO, HVP_E_TIMEOUT, HVP_E_CLOSED,
 * HVP_E_PROTO; the session is unusable afterwards), HVP_E_TARGET (the
 * stub refused, e.g. no free hardware breakpoint), HVP_E_UNSUPPORTED
 * (the stub lacks the packet), HVP_E_INVAL (a call in the wrong state,
 * e.g. planting while running).  Thread-safety: one session per thread.
 */
#ifndef HVPROBE_DEBUG_H
#define HVPROBE_DEBUG_H

#include <stddef.h>
#include <stdint.h>
#include "hvprobe/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hvp_debug hvp_debug;

typedef struct hvp_debug_opts {
    const char *gdb;        /* gdbstub address: "unix:PATH" or "tcp:HOST:PORT" */
    int timeout_ms;         /* per reply; 0 = 5000 */
    int hw_breakpoints;     /* plant hardware breakpoints (Z1) instead of
                               software ones (Z0): needed under kvm-nested
                               (hvp_guest_info.hw_breakpoints), where a
                               software breakpoint would write an AArch64
                               BRK into the 32-bit guest */
} hvp_debug_opts;

/* Connect to the gdbstub (the guest halts).  Channel errors. */
int hvp_debug_open(const hvp_debug_opts *o, hvp_debug **out, hvp_error *err);

/* Halt a running guest / let a halted one run. */
int hvp_debug_halt(hvp_debug *d, hvp_error *err);
int hvp_debug_resume(hvp_debug *d, hvp_error *err);

/* Plant a breakpoint at a guest virtual address (the guest must be
 * halted).  At most 16 per session. */
int hvp_debug_break_at(hvp_debug *d, uint64_t addr, hvp_error *err);

/* Plant one on every address exception `exc` (hvp_debug_exception_parse)
 * can be fetched from: its slot in the 0x0 and 0xffff0000 tables, in the
 * tables the VBAR, VBAR_S, MVBAR and HVBAR registers point at now, and in
 * the vector tables the ELF image `elf` holds (NULL: none; a guest may
 * set VBAR to one of them later).  *n (may be NULL) = how many. */
int hvp_debug_break_at_exception(hvp_debug *d, int exc, const char *elf, size_t *n, hvp_error *err);

/* Remove every breakpoint this session planted (the guest must be halted). */
int hvp_debug_clear(hvp_debug *d, hvp_error *err);

/* After hvp_debug_resume(): wait up to wait_ms for the guest to stop.
 * HVP_OK when it stopped, HVP_E_TIMEOUT while it still runs (the session
 * stays usable: call again), other codes when the channel failed. */
int hvp_debug_wait_stop(hvp_debug *d, int wait_ms, hvp_error *err);

/* The program counter of the halted guest. */
int hvp_debug_pc(hvp_debug *d, uint64_t *pc, hvp_error *err);

/* Registers by gdbstub name (vals[i], ok[i] = 1 when read) and virtual
 * memory of the halted guest (HVP_E_TARGET when it cannot be read). */
int hvp_debug_read_regs(hvp_debug *d, const char *const *names, size_t n, uint64_t *vals, int *ok,
                        hvp_error *err);
int hvp_debug_read_mem(hvp_debug *d, uint64_t addr, size_t len, uint8_t *buf, hvp_error *err);

/* Execute one instruction of the halted guest (to leave a breakpoint's
 * address before planting it again). */
int hvp_debug_step(hvp_debug *d, hvp_error *err);

/* Detach (`D`): the guest resumes; then close the session. */
int hvp_debug_detach(hvp_debug *d, hvp_error *err);

/* Close without detaching: a halted guest stays halted.  Frees d. */
void hvp_debug_close(hvp_debug *d);

/* An exception a breakpoint can wait for: "svc" (or "swi"), "undef",
 * "pabt", "dabt", "irq", "fiq", or its vector offset ("0x8").  *exc = its
 * vector index (offset / 4).  HVP_E_INVAL for reset and hyp (no guest
 * takes them by fetching its own vector) and for unknown names. */
int hvp_debug_exception_parse(const char *name, int *exc, hvp_error *err);

/* The address of symbol `name` in the ELF image at `path`.  HVP_E_INPUT
 * (not a readable ELF image), HVP_E_INVAL (no such symbol). */
int hvp_elf_symbol_addr(const char *path, const char *name, uint64_t *addr, hvp_error *err);

#ifdef __cplusplus
}
#endif
#endif
