/*
 * backend.h - a backend is a table of operations and facts, one file each
 * (tcg.c, kvm.c, fixture.c, kvm_nested.c ...), listed once in registry.c.
 * Callers go through hvp_backend_lookup() and the optional hooks' NULL
 * checks here; nothing in shared code names a backend.  (The pattern is
 * OpenOCD's struct target_type and QEMU's accelerator classes.)
 *
 * Adding a backend: a new file defining `const hvp_backend hvp_backend_X`,
 * one line in registry.c, its tests.
 *
 * Ownership: backends are static const data; plan() fills a caller-owned
 * hvp_qemu and returns an argv freed with hvp_argv_free().
 */
#ifndef HVP_BACKENDS_BACKEND_H
#define HVP_BACKENDS_BACKEND_H

#include "backends/qemu.h"
#include "hvprobe/backend.h"
#include "hvprobe/host.h"
#include "hvprobe/debug.h"
#include "hvprobe/launch.h"
#include "hvprobe/session.h"
#include "hvprobe/snapshot.h"

typedef struct hvp_backend {
    hvp_backend_desc d;     /* name, summary, help, machines, flags (public) */

    /* Validate the options against the host and the image, create the
     * runtime directory and build QEMU's argv (required).  o->machine is
     * one of d.machines (checked by the caller).  HVP_E_INVAL,
     * HVP_E_INPUT, HVP_E_UNSUPPORTED (cannot run here: the sentence says
     * why and what would work), HVP_E_IO. */
    int (*plan)(const hvp_launch_opts *o, const hvp_host *h, hvp_qemu *q, char ***argv, hvp_error *err);

    /* Whether it runs on the probed host, why (or why not) in one
     * sentence (required); v->run comes filled with "hvprobe run IMAGE
     * --backend NAME", to be replaced when another line suits better. */
    void (*judge)(const hvp_host *h, hvp_backend_verdict *v);

    /* After QEMU answers QMP: wait until the guest's own channels answer
     * (optional; NULL: ready at once).  ready_ms: its default timeout. */
    int (*wait_ready)(hvp_qemu *q, int timeout_ms, const hvp_launch_events *ev, hvp_error *err);
    int ready_ms;
    const char *start_progress;     /* progress line before start, or NULL */

    /* Add what this backend knows to a fresh snapshot (optional). */
    int (*annotate)(const hvp_qemu *q, hvp_snapshot *s, hvp_error *err);

    /* Guest traps (optional; both or neither).  trap_points: where the
     * hypervisor handles guest traps of `kind` (breakpoint addresses).
     * guest_regs: at a stop there, the trapped guest's r0-r15 and CPSR
     * from the hypervisor's save area, read through the halted debug
     * session, and a sentence saying where they came from. */
    int (*trap_points)(const hvp_qemu *q, hvp_trap_kind kind, uint64_t *pcs, size_t max, size_t *n,
                       hvp_error *err);
    int (*guest_regs)(const hvp_qemu *q, hvp_debug *d, uint64_t regs[16], uint64_t *cpsr, char *how,
                      size_t hown, hvp_error *err);
    /* Text the hypervisor prints when it gives up on a guest's fault
     * (NULL: it prints none; a FAULT trigger then fires at the first). */
    const char *report_text;
    /* The start of the line the hypervisor prints when it resolves a
     * guest's stage-2 fault by mapping the page (the line names the
     * address), or NULL. */
    const char *resolve_text;
    /* What it does with a stage-2 fault at `ipa`, as far as the backend
     * knows its policy; `nresolved` traps of this run were resolved
     * before (optional). */
    void (*fault_policy)(uint64_t ipa, size_t nresolved, char *out, size_t n);
    /* Used without a trigger: what a capture's context is when the CPU
     * is in one of the hypervisor's own threads (one sentence), or NULL. */
    const char *thread_note;

    /* Backend facts for hvp_guest_kvm_facts() (optional). */
    int (*kvm_facts)(const hvp_qemu *q, double *ready_s, uint64_t *midr);
} hvp_backend;

/* The registry (registry.c), in the order lists are printed. */
extern const hvp_backend *const hvp_backends[];
extern const size_t hvp_nbackends;

/* The backend named `name` (NULL: the default, tcg); NULL and
 * HVP_E_INVAL with the list of names when unknown. */
const hvp_backend *hvp_backend_lookup(const char *name, hvp_error *err);

/* The machine `name` if the backend runs it (NULL: its default);
 * HVP_E_INVAL naming the machines it runs otherwise. */
int hvp_backend_machine(const hvp_backend *b, const char *name, const char **out, hvp_error *err);

extern const hvp_backend hvp_backend_tcg, hvp_backend_kvm, hvp_backend_fixture, hvp_backend_kvm_nested,
    hvp_backend_sel4;

#endif
