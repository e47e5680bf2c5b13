/*
 * target.h - a live target: a QEMU reached through any non-empty subset
 * of its three debug channels (QMP, HMP, gdbstub).  Callers ask for a
 * capability (run state, halt, registers by name, memory by address
 * space, monitor commands); the target picks the best channel it has and
 * answers HVP_E_UNSUPPORTED with a sentence naming the channel that
 * would provide it when it has none.
 *
 * Every monitor command issued and its verbatim answer is kept in a log
 * (hvp_target_raw_count/_at) so a capture loses nothing.
 *
 * Ownership: hvp_target_open() allocates; hvp_target_close() frees (NULL
 * is a no-op) and closes the channels without changing the run state.
 */
#ifndef HVP_TARGET_TARGET_H
#define HVP_TARGET_TARGET_H

#include <stddef.h>
#include <stdint.h>
#include "hvprobe/error.h"
#include "hvprobe/snapshot.h"

typedef struct hvp_target hvp_target;

typedef struct hvp_target_opts {
    const char *qmp;        /* "unix:PATH" / "tcp:HOST:PORT" or NULL */
    const char *hmp;
    const char *gdb;
    int timeout_ms;         /* per read; 0 = 5000 */
} hvp_target_opts;

/* Connect the monitor channels (QMP, or HMP when there is no QMP: with
 * QMP it would add nothing); the gdbstub is connected
 * by hvp_target_attach_gdb() because QEMU halts the guest when a gdb
 * client connects, and the run state must be read before that. */
int hvp_target_open(const hvp_target_opts *o, hvp_target **out, hvp_error *err);
int hvp_target_attach_gdb(hvp_target *t, hvp_error *err);
unsigned hvp_target_channels(const hvp_target *t);  /* HVP_CH_* bits */

/* *running = HVP_YES/NO; *state = QEMU's run state name (caller frees).
 * The first call after hvp_target_open() answers from the query-status
 * sent with the QMP handshake (call it right after opening). */
int hvp_target_run_state(hvp_target *t, int *running, char **state, hvp_error *err);
int hvp_target_halt(hvp_target *t, hvp_error *err);
/* Resume: `cont` on a monitor, else detach the gdbstub (which resumes). */
int hvp_target_resume(hvp_target *t, hvp_error *err);
/* Leave the gdbstub with a clean `D` (resumes the guest in QEMU). */
int hvp_target_detach_gdb(hvp_target *t, hvp_error *err);

/* A monitor (HMP-syntax) command through HMP, or QMP's
 * human-monitor-command.  *text: caller frees.  Logged. */
int hvp_target_monitor(hvp_target *t, const char *cmd, char **text, hvp_error *err);
/* Several monitor commands: over QMP pipelined (one round trip), over
 * HMP one after the other.  QMP is preferred when both exist.  texts[i]:
 * caller frees; all NULL on error. */
int hvp_target_monitor_many(hvp_target *t, const char *const *cmds, size_t n, char **texts,
                            hvp_error *err);

/* Registers by gdbstub name.  ok[i] = 1 when read.  Needs the gdbstub. */
/* Width in bits of the named register, 0 when the gdbstub has none. */
int hvp_target_reg_bits(hvp_target *t, const char *name);
int hvp_target_read_regs(hvp_target *t, const char *const *names, size_t n,
                         uint64_t *vals, int *ok, hvp_error *err);

/* Read len bytes at addr in `space`.  Returns HVP_OK when the read was
 * performed, even if the target could not read all of it: then *got <
 * len and *errtext (caller frees) holds the target's words, e.g.
 * "Cannot access memory".  *channel is a static channel name. */
int hvp_target_read_mem(hvp_target *t, uint64_t addr, size_t len, hvp_space space,
                        uint8_t *buf, size_t *got, char **errtext,
                        const char **channel, hvp_error *err);

/* Several reads at once: through the gdbstub they are pipelined (all
 * virtual ranges, then all physical ones: one round trip each instead of
 * one per range and two mode switches per physical range).  Each request
 * gets got / errtext / channel as hvp_target_read_mem() gives them (the
 * caller frees errtext).  On error the results are partial and the
 * caller frees what errtext holds. */
typedef struct hvp_target_memreq {
    uint64_t addr;
    size_t len;
    hvp_space space;
    uint8_t *buf;
    size_t got;             /* out */
    char *errtext;          /* out, or NULL */
    const char *channel;    /* out: "gdb", "hmp", "qmp" */
} hvp_target_memreq;
int hvp_target_read_mems(hvp_target *t, hvp_target_memreq *r, size_t n, hvp_error *err);

/* Have QEMU write len bytes at addr to `path` itself (QMP pmemsave for
 * physical, memsave for virtual addresses): the fast path for bulk
 * memory.  `path` must be reachable from the QEMU process.
 * HVP_E_UNSUPPORTED without a QMP channel. */
int hvp_target_save_mem(hvp_target *t, uint64_t addr, uint64_t len, hvp_space space,
                        const char *path, hvp_error *err);

/* Backend facts (version, machine, accelerator, KVM, CPU model) that the
 * monitor channels can tell; fields it cannot fill stay NULL/UNKNOWN and
 * are named in the snapshot's unknown list by the caller. */
int hvp_target_facts(hvp_target *t, hvp_backend_facts *f, hvp_snapshot *s, hvp_error *err);

size_t hvp_target_raw_count(const hvp_target *t);
const hvp_raw *hvp_target_raw_at(const hvp_target *t, size_t i);

void hvp_target_close(hvp_target *t);

#endif
