/*
 * conn.h - a byte stream to a debug peer: a unix socket or a TCP socket.
 *
 * Addresses: "unix:PATH", "tcp:HOST:PORT", "tcp::PORT" (= 127.0.0.1),
 * "HOST:PORT" and ":PORT" (tcp).  Every read takes a timeout.  This is
 * the only transport code that touches sockets; protocol code above it
 * is pure and fed bytes.
 *
 * Ownership: hvp_conn_open() allocates *out; hvp_conn_close() frees it
 * (NULL is a no-op).  Not thread-safe; one conn per thread.
 */
#ifndef HVP_TRANSPORT_CONN_H
#define HVP_TRANSPORT_CONN_H

#include <stddef.h>
#include "hvprobe/error.h"

typedef struct hvp_conn hvp_conn;

/* Connect within timeout_ms.  Errors: HVP_E_INVAL (bad address),
 * HVP_E_IO (refused, no such socket), HVP_E_TIMEOUT. */
int hvp_conn_open(const char *addr, int timeout_ms, hvp_conn **out,
                  hvp_error *err);

/* Write all n bytes (HVP_E_CLOSED if the peer hung up, HVP_E_TIMEOUT
 * if the peer stops reading for timeout_ms). */
int hvp_conn_write(hvp_conn *c, const void *p, size_t n, hvp_error *err);

/* Read up to cap bytes, waiting at most timeout_ms for the first byte.
 * *got > 0 on success.  HVP_E_TIMEOUT when nothing came, HVP_E_CLOSED on
 * end of stream. */
int hvp_conn_read(hvp_conn *c, void *buf, size_t cap, int timeout_ms,
                  size_t *got, hvp_error *err);

/* The address string this conn was opened with (owned by the conn). */
const char *hvp_conn_addr(const hvp_conn *c);

void hvp_conn_close(hvp_conn *c);

/* Parse an address into kind ('u' unix / 't' tcp), path or host+port.
 * Pure; exposed for tests.  host/path buffers are caller-provided. */
int hvp_conn_parse_addr(const char *addr, char *kind, char *path,
                        size_t pathsz, char *host, size_t hostsz,
                        int *port, hvp_error *err);

#endif
