/*
 * qmp.h - a QEMU Machine Protocol (QMP) client over an hvp_conn.
 *
 * QMP sends one JSON object per line ("\r\n").  The framing is pure and
 * socket-free (qmp_framer_*), so it can be tested and fuzzed with bytes;
 * qmp_client adds I/O with a deadline on every command.
 *
 * Ownership: jansson reference counting.  Arguments passed to
 * qmp_execute() are stolen; replies it returns are new references the
 * caller json_decref()s.  Pointers returned by qmp_greeting() and
 * qmp_event_at() are borrowed and stay valid until the next call on the
 * client (events) or qmp_close() (greeting).
 *
 * Errors (negative HVP_E_*, one sentence in err):
 *   HVP_E_TIMEOUT  no complete reply within the client's timeout (the
 *                  client stays usable; a late reply is skipped by id)
 *   HVP_E_CLOSED   the peer hung up (the client is unusable afterwards)
 *   HVP_E_PROTO    not JSON, not an object, a line over the size cap, a
 *                  reply with a foreign or missing id, no QMP greeting
 *                  (the client is unusable afterwards)
 *   HVP_E_TARGET   QEMU answered {"error": {"class", "desc"}}; the message
 *                  carries desc and class
 * Not thread-safe: one client per thread.
 */
#ifndef HVP_TRANSPORT_QMP_H
#define HVP_TRANSPORT_QMP_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "hvprobe/error.h"
#include "util/buf.h"

#define QMP_MAX_LINE_DEFAULT (16u * 1024 * 1024) /* bytes per JSON line */
#define QMP_EVENTS_KEPT 256                      /* newest events kept */

/* ---- pure line framing ------------------------------------------------ */

/* Splits a byte stream into lines.  Lines end at '\n'; a '\r' before it
 * is dropped; empty lines are skipped.  A pending line longer than
 * max_line bytes (without its newline) is a protocol error. */
typedef struct qmp_framer {
    hvp_buf buf;        /* bytes not yet returned as lines */
    size_t scan;        /* bytes of buf already searched for '\n' */
    size_t tail;        /* bytes after the last '\n' in buf */
    size_t max_line;
} qmp_framer;

void qmp_framer_init(qmp_framer *f, size_t max_line); /* 0 = default */
void qmp_framer_free(qmp_framer *f);                  /* NULL is a no-op */

/* Append n bytes.  HVP_E_NOMEM, or HVP_E_PROTO (nothing appended) when
 * the unfinished line would grow beyond max_line: memory stays bounded
 * however the peer misbehaves. */
int qmp_framer_feed(qmp_framer *f, const void *p, size_t n, hvp_error *err);

/* Take the next complete line: returns 1 and sets *line (NUL-terminated,
 * no line end; caller frees), 0 when no complete line is buffered, or a
 * negative code (HVP_E_PROTO oversized line, HVP_E_NOMEM). */
int qmp_framer_next(qmp_framer *f, char **line, hvp_error *err);

/* Parse one line into a JSON object (new reference in *msg).
 * HVP_E_PROTO when it is not JSON or not an object. */
int qmp_parse_line(const char *line, json_t **msg, hvp_error *err);

/* ---- client ------------------------------------------------------------ */

typedef struct qmp_client qmp_client;

/* Connect to addr (see conn.h: "unix:PATH", "tcp:HOST:PORT"), read the
 * greeting (kept, see qmp_greeting) and negotiate with qmp_capabilities.
 * timeout_ms bounds the connect and, from then on, every command (change
 * it with qmp_set_timeout).  *out is NULL on failure. */
int qmp_open(const char *addr, int timeout_ms, qmp_client **out,
             hvp_error *err);

/* Change the per-command deadline (milliseconds, > 0). */
void qmp_set_timeout(qmp_client *q, int timeout_ms);

/* Change the line size cap (bytes; 0 = QMP_MAX_LINE_DEFAULT). */
void qmp_set_max_line(qmp_client *q, size_t max_line);

/* Run `cmd` with `args` (an object, stolen even on failure; may be NULL)
 * and wait for the reply carrying this request's "id".  Events arriving
 * meanwhile are kept (see qmp_event_at).  On success *ret (if ret is not
 * NULL) is a new reference to the "return" value. */
int qmp_execute(qmp_client *q, const char *cmd, json_t *args, json_t **ret,
                hvp_error *err);

/* Pipelining: send n commands in one write and collect their replies
 * (QEMU answers them in order; events meanwhile are kept).  For each
 * call: cmd and args (stolen, may be NULL) in; rc (HVP_OK, or
 * HVP_E_TARGET when QEMU refused it, err saying why) and ret (new
 * reference to "return", or NULL) out.  Returns HVP_OK when every reply
 * arrived, else the transport error (calls then partly filled: the
 * caller still json_decref()s each ret). */
typedef struct qmp_call {
    const char *cmd;
    json_t *args;
    json_t *ret;
    int rc;
    hvp_error err;
} qmp_call;
int qmp_execute_many(qmp_client *q, qmp_call *calls, size_t n, hvp_error *err);
/* The two halves of qmp_execute_many, to do other work while QEMU
 * answers: qmp_collect_many() must get the same calls, and no other
 * command may be sent in between. */
int qmp_send_many(qmp_client *q, qmp_call *calls, size_t n, hvp_error *err);
int qmp_collect_many(qmp_client *q, qmp_call *calls, size_t n, hvp_error *err);

/* qmp_open, with up to 8 more commands sent in the same write as
 * qmp_capabilities (their answers come with the handshake's: one round
 * trip for both).  extra[] as for qmp_execute_many (args stolen; ret and
 * rc filled; the caller json_decref()s each ret).  If the open fails,
 * every extra[i].ret is NULL. */
int qmp_open_with(const char *addr, int timeout_ms, qmp_call *extra, size_t nextra, qmp_client **out,
                  hvp_error *err);

/* Run an HMP command line through human-monitor-command.  *text is the
 * monitor's output with "\r\n" turned into "\n" (caller frees). */
int qmp_hmp(qmp_client *q, const char *cmdline, char **text, hvp_error *err);
/* The text of a human-monitor-command "return" value, as qmp_hmp gives
 * it (for pipelined calls).  HVP_E_PROTO when ret is not a string. */
int qmp_hmp_text(const json_t *ret, const char *cmdline, char **text, hvp_error *err);

/* The greeting object {"QMP": {"version": ..., "capabilities": ...}}. */
const json_t *qmp_greeting(const qmp_client *q);

/* Events seen so far: the newest QMP_EVENTS_KEPT, oldest first, each the
 * whole message, e.g. {"event": "STOP", "timestamp": {...}}.
 * qmp_events_dropped() counts those pushed out of the window. */
size_t qmp_event_count(const qmp_client *q);
const json_t *qmp_event_at(const qmp_client *q, size_t i);
size_t qmp_events_dropped(const qmp_client *q);
void qmp_events_clear(qmp_client *q);

void qmp_close(qmp_client *q);      /* NULL is a no-op */

/* ---- helpers for common commands --------------------------------------- */

typedef struct qmp_status {
    int running;            /* 1 running, 0 not */
    char status[32];        /* "running", "paused", "prelaunch", ... */
} qmp_status;

typedef struct qmp_cpus {
    size_t count;           /* entries in query-cpus-fast */
    char target[16];        /* "arm", "aarch64" (from CPU 0; "" if absent) */
    char qom_path[128];     /* CPU 0, e.g. "/machine/unattached/device[0]" */
    char qom_type[64];      /* CPU 0's QOM type, e.g. "cortex-a9-arm-cpu";
                               "" when QEMU would not tell */
} qmp_cpus;

int qmp_query_status(qmp_client *q, qmp_status *out, hvp_error *err);
/* query-kvm: *enabled = KVM in use, *present = KVM compiled in/usable. */
int qmp_query_kvm(qmp_client *q, int *enabled, int *present, hvp_error *err);
/* query-version as "MAJOR.MINOR.MICRO" (e.g. "7.2.22"). */
int qmp_query_version(qmp_client *q, char *buf, size_t size, hvp_error *err);
/* query-target: the emulator's architecture, e.g. "arm". */
int qmp_query_target(qmp_client *q, char *arch, size_t size, hvp_error *err);
/* query-cpus-fast, plus qom-get "type" on CPU 0 (older QEMUs report
 * "qom-type" directly; either fills qom_type, failure leaves it ""). */
int qmp_query_cpus(qmp_client *q, qmp_cpus *out, hvp_error *err);
int qmp_stop(qmp_client *q, hvp_error *err);
int qmp_cont(qmp_client *q, hvp_error *err);
/* Save guest memory to `path` - a path QEMU opens, so it must be
 * reachable from the QEMU process.  memsave reads virtual addresses
 * through CPU `cpu_index` (-1 = QEMU's default CPU); pmemsave reads
 * physical memory.  addr and size must fit in int64 (HVP_E_INVAL). */
int qmp_memsave(qmp_client *q, uint64_t addr, uint64_t size, int cpu_index,
                const char *path, hvp_error *err);
int qmp_pmemsave(qmp_client *q, uint64_t addr, uint64_t size,
                 const char *path, hvp_error *err);

#endif
