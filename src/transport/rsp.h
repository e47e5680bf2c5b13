/*
 * rsp.h - a GDB Remote Serial Protocol client for QEMU's gdbstub (and
 * other stubs), over an hvp_conn (unix or TCP socket).
 *
 * Registers are addressed by NAME as the stub's target description
 * (qXfer:features:read) defines them; numbers are never hard-coded.
 *
 * Errors: every function returns HVP_OK or a negative HVP_E_* code and
 * fills the optional err with one sentence.  Transport failures have
 * distinct codes:
 *   HVP_E_TIMEOUT  the stub did not answer (or stopped half-way through a
 *                  packet) within the client's timeout;
 *   HVP_E_CLOSED   the stub hung up;
 *   HVP_E_PROTO    the stub sent something that is not RSP (junk, a reply
 *                  with a bad checksum more than 3 times, a malformed or
 *                  oversized packet, a reply of the wrong shape).
 * After one of these three the byte stream can no longer be trusted (a
 * late reply would be taken for the answer to the next request): the
 * client is marked broken and later calls fail at once with the same
 * code, saying so, until rsp_close().  HVP_E_TARGET means the stub
 * answered "Exx"; HVP_E_INVAL is a call in the wrong state (target
 * running, already detached).
 *
 * Ownership: rsp_open() allocates *out; rsp_close() frees it and closes
 * the socket (NULL is a no-op; it does NOT detach).  rsp_reg pointers and
 * their strings, and rsp_stop_reply() text, are owned by the client and
 * valid until rsp_close() (register pointers are stable after
 * rsp_load_registers()).  Strings returned through char ** are malloc'd
 * and freed by the caller.  Not thread-safe: one client per thread.
 *
 * QEMU 7.2 gdbstub behaviour, measured on Debian 12 (qemu 7.2.22):
 *  - Connecting STOPS the VM (HMP "info status": running -> paused) and
 *    the stub immediately sends an unsolicited stop reply "T02thread:01;"
 *    before any request (the client acks and records it).  "?" then
 *    answers "T05thread:01;" ("T05thread:p01.01;" with multiprocess+).  A second
 *    connection while one is open is not served (it just hangs).
 *  - "D" (detach) answers OK and RESUMES the VM.  With multiprocess+
 *    negotiated QEMU wants "D;pid" and answers E22 to a bare "D", so this
 *    client does not offer multiprocess+.
 *  - Closing the socket without "D" does NOT resume the VM: it stays
 *    paused; a later client can connect ("?" -> T05, no unsolicited
 *    stop reply since the VM state does not change).
 *  - qSupported: "PacketSize=1000;qXfer:features:read+;vContSupported+;
 *    multiprocess+": PacketSize is hex (4096), there is NO QStartNoAckMode,
 *    so every packet is acked.  "m" of 0x800 bytes works, 0x1000 -> E14.
 *  - "qqemu.Supported" -> "sstepbits;sstep;PhyMemMode";
 *    "Qqemu.PhyMemMode:1" -> OK and "m" then reads physical addresses
 *    (vexpress-a9, MMU off: phys 0x60000000 == virt 0x60000000).
 *  - Target XML: target.xml includes arm-core.xml (r0-r15 = 0..15,
 *    cpsr regnum=25), arm-neon.xml (d0-d31, q0-q15, fpscr = 26..74),
 *    arm-vfp-sysregs.xml (fpsid, fpexc = 75, 76), system-registers.xml
 *    (CP15 by name, explicit regnum from 77).  Register counts: 304 on
 *    vexpress-a9 (236 CP15, with the Secure banked *_S, MVBAR, SCR),
 *    192 on virt cortex-a15 (124 CP15, no *_S/MVBAR: no EL3), 220 with
 *    virtualization=on (HVBAR is named VBAR_EL2, HSCTLR SCTLR_EL2), 328
 *    with secure=on.
 *  - "g" returns only r0-r15 and cpsr once target.xml has been fetched
 *    (168 bytes with the old FPA block before that); CP15 registers need
 *    one "p" each (236 "p" round trips take ~20 ms over a unix socket;
 *    pipelined with rsp_batch, one window of 64 costs about one).
 *  - Packets sent back to back are answered in order (the stub handles
 *    each complete packet as it arrives; in ack mode a new '$' ends its
 *    wait for our ack), so requests can be pipelined.  qXfer chunks carry
 *    at most 2045 bytes whatever the length asked for.
 *  - "qRcmd,HEX" runs an HMP command in the main loop: "O"+hex output
 *    packets, then "OK" (0.05-0.5 ms, against ~0.5-0.7 ms for the same
 *    command over QMP or HMP).
 */
#ifndef HVP_TRANSPORT_RSP_H
#define HVP_TRANSPORT_RSP_H

#include <stddef.h>
#include <stdint.h>

#include "hvprobe/error.h"

typedef struct rsp_client rsp_client;

typedef struct rsp_reg {
    const char *name;     /* e.g. "r0", "pc", "cpsr", "VBAR_S" */
    int regnum;           /* the stub's number for 'p' */
    int bitsize;
    const char *feature;  /* e.g. "org.gnu.gdb.arm.core" */
    const char *group;    /* e.g. "cp_regs", or "" */
} rsp_reg;

/* Connect to addr (see transport/conn.h: "unix:PATH", "tcp:HOST:PORT"),
 * negotiate qSupported (PacketSize, qXfer:features:read+,
 * QStartNoAckMode+), switch to no-ack mode when offered, then ask "?"
 * for the stop reason.  timeout_ms bounds every wait for a reply.
 * Errors: those of hvp_conn_open, HVP_E_TIMEOUT/CLOSED/PROTO. */
int rsp_open(const char *addr, int timeout_ms, rsp_client **out,
             hvp_error *err);

/* Fetch target.xml and its includes with qXfer:features:read (chunked
 * m/l replies) and build the register table; a second call is a no-op.
 * HVP_E_UNSUPPORTED when the stub has no qXfer:features:read. */
int rsp_load_registers(rsp_client *c, hvp_error *err);

/* Register table (empty until rsp_load_registers succeeded). */
size_t rsp_reg_count(const rsp_client *c);
const rsp_reg *rsp_reg_at(const rsp_client *c, size_t i);    /* NULL if out of range */
const rsp_reg *rsp_reg_find(const rsp_client *c, const char *name); /* exact name, first match */

/* Read one register by name with 'p' (loads the register table first if
 * needed).  The value is the register's bytes as the stub sends them,
 * little-endian (ARM guests here).  Errors: HVP_E_UNSUPPORTED (no
 * such name, wider than 64 bits, or the stub says "unavailable" with
 * 'x' digits), HVP_E_TARGET ("Exx"), HVP_E_PROTO (reply size does not
 * match the register's bitsize), transport errors. */
int rsp_read_reg(rsp_client *c, const char *name, uint64_t *val,
                 hvp_error *err);

/* Read n registers by name.  vals[i] and ok[i] (1 = read, 0 = not: unknown
 * name, unavailable, too wide, Exx) are filled for every i.  The first
 * batch of two or more known names sends one 'g' and learns which
 * registers its reply covers (on QEMU 7.2: r0-r15 and cpsr, laid out in
 * regnum order by the target description); later batches use 'g' only
 * when it replaces at least two 'p'.  The rest are read with 'p'.
 * Returns HVP_OK unless the transport failed (then that error). */
int rsp_read_regs(rsp_client *c, const char *const *names, size_t n,
                  uint64_t *vals, int *ok, hvp_error *err);

/* Read len bytes at addr with 'm', split to fit the packet size.  An
 * "Exx" reply -> HVP_E_TARGET "cannot read memory at 0x...": callers
 * must record that as unreadable, not as zero (buf is then undefined). */
int rsp_read_mem(rsp_client *c, uint64_t addr, size_t len, uint8_t *buf,
                 hvp_error *err);

/* Pipelining: send the n requests in windows of up to 64 packets per
 * write and read the replies in order, so n requests cost about one
 * round trip (QEMU's gdbstub handles each complete packet as it arrives;
 * see rsp_batch.c).  replies[i] is a malloc'd NUL-terminated copy of
 * reply i ("" when the stub does not know the packet; stop replies sent
 * meanwhile are recorded, not returned), lens[i] its length (lens may be
 * NULL); the caller frees each.  A NAK or a corrupt reply inside a
 * pipeline cannot be retransmitted: HVP_E_PROTO, and the client is
 * broken.  On any error every replies[i] is NULL. */
int rsp_batch(rsp_client *c, const char *const *payloads, size_t n, char **replies,
              hvp_error *err);
int rsp_batch_n(rsp_client *c, const char *const *payloads, size_t n, char **replies,
                size_t *lens, hvp_error *err);

/* One range for rsp_read_mems(). */
typedef struct rsp_memreq {
    uint64_t addr;
    size_t len;
    uint8_t *buf;          /* len bytes */
    size_t got;            /* out: bytes read from addr on */
    char refused[8];       /* out: the stub's "Exx" for the chunk at addr+got, or "" */
} rsp_memreq;

/* Read several ranges with pipelined 'm' requests sized to the packet
 * size.  A refused chunk ends its range (got says how far it came; the
 * stub's words are in refused): that is data, not an error.  Returns
 * HVP_OK, or transport / protocol errors (HVP_E_UNSUPPORTED when the stub
 * has no 'm').  Memory use is bounded per window, not by the sizes. */
int rsp_read_mems(rsp_client *c, rsp_memreq *reqs, size_t n, hvp_error *err);

/* Monitor commands through the stub ("monitor CMD" in gdb: qRcmd),
 * pipelined.  QEMU runs them in its main loop and streams the output as
 * "O" packets: measured on QEMU 7.2, 0.05-0.5 ms each, against about
 * 0.5-0.7 ms for a QMP command (two thread hand-offs) or an HMP one
 * (every typed character echoed).  texts[i]: the output with "\r\n" as
 * "\n" (caller frees).  HVP_E_UNSUPPORTED when the stub has no qRcmd,
 * HVP_E_TARGET when it refused one (the connection stays usable then);
 * every texts[i] is NULL on error. */
int rsp_monitor_many(rsp_client *c, const char *const *cmds, size_t n, char **texts, hvp_error *err);

/* QEMU only: make 'm' read physical (on=1) or virtual (on=0) addresses
 * with "Qqemu.PhyMemMode".  HVP_E_UNSUPPORTED when qqemu.Supported does
 * not list PhyMemMode or the stub rejects the packet. */
int rsp_set_phys_mode(rsp_client *c, int on, hvp_error *err);

/* Stop a running target: send 0x03 and wait for the stop reply.  When the
 * client already knows the target is stopped it returns HVP_OK at once
 * (QEMU ignores 0x03 while stopped and would never answer). */
int rsp_interrupt(rsp_client *c, hvp_error *err);

/* Resume with 'c' without waiting for a stop reply.  While the target
 * runs, only rsp_interrupt, rsp_detach and rsp_close are meaningful. */
int rsp_continue(rsp_client *c, hvp_error *err);

/* Detach with 'D' (QEMU resumes the VM); afterwards only rsp_close is
 * allowed, and a user's own gdb can attach once the socket is closed. */
int rsp_detach(rsp_client *c, hvp_error *err);

/* The last stop reply, e.g. "T05thread:p01.01;" ("" if none yet). */
const char *rsp_stop_reply(const rsp_client *c);

/* Insert (insert=1) or remove a software breakpoint (Z0/z0, ARM kind 4)
 * at addr; the target must be stopped.  HVP_E_UNSUPPORTED on an empty
 * reply, HVP_E_TARGET on an error reply. */
int rsp_breakpoint(rsp_client *c, int insert, uint64_t addr, hvp_error *err);

/* After rsp_continue(): wait up to wait_ms for the target to stop.
 * HVP_OK when it stopped (rsp_stop_reply() tells why), HVP_E_TIMEOUT when
 * it is still running (the connection stays usable: call again), other
 * codes when the connection failed. */
int rsp_wait_stop(rsp_client *c, int wait_ms, hvp_error *err);

/* Negotiated packet size in bytes (from PacketSize=, hex on the wire). */
size_t rsp_packet_size(const rsp_client *c);

/* Raw request: send payload (escaped as needed), return the decoded reply
 * as a NUL-terminated string in *reply (caller frees).  An empty reply
 * (the stub does not know the packet) is returned as "". */
int rsp_request(rsp_client *c, const char *payload, char **reply,
                hvp_error *err);

/* Close the socket and free everything (NULL-safe).  Does not detach. */
void rsp_close(rsp_client *c);

#endif
