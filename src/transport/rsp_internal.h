/* rsp_internal.h - what the pieces of the RSP client share (rsp.c: I/O,
 * sessions and run control; rsp_regs.c: target description and
 * registers; rsp_batch.c: pipelined requests and memory).  Not API. */
#ifndef HVP_TRANSPORT_RSP_INTERNAL_H
#define HVP_TRANSPORT_RSP_INTERNAL_H

#include "transport/conn.h"
#include "transport/rsp.h"
#include "transport/rsp_codec.h"
#include "transport/tdesc.h"
#include "util/buf.h"

#define RSP_MAX_RETRIES 3             /* NAKs sent/received per packet */
#define RSP_MAX_JUNK 4096             /* junk bytes tolerated per reply */
#define RSP_MAX_XML (4u * 1024 * 1024) /* per target description file */
#define RSP_DEFAULT_PKTSIZE 4096

struct rsp_client {
    hvp_conn *conn;
    int timeout_ms;
    rsp_decoder dec;
    uint8_t rbuf[4096];
    size_t rpos, rlen;
    hvp_buf out;

    int ack_mode;
    size_t pktsize;
    int has_xfer;
    int running, detached;
    int broken;                 /* HVP_E_* that made the stream unusable */
    int phys_checked, phys_ok;
    char *stop;                 /* last stop reply */

    tdesc *td;
    rsp_reg *regs;
    size_t nregs;
    size_t *order;              /* register indices sorted by regnum */
    size_t *gpos;               /* hex offset in a 'g' reply, by order */
    size_t xfer_step;           /* data bytes in a non-final qXfer chunk; 0 unknown */
    long g_cover;               /* regs (in order) a 'g' reply covers; -1 unknown */
};

/* Mark the stream unusable after a transport/protocol error; returns rc. */
int rsp_i_broke(rsp_client *c, int rc);
int rsp_i_is_stop_reply(const char *p, size_t len);
int rsp_i_is_error_reply(const char *p, size_t len);
void rsp_i_set_stop(rsp_client *c, const char *p);
/* Next decoder event (> 0) before deadline, or a negative code. */
int rsp_i_next_event(rsp_client *c, long deadline, hvp_error *err);
int rsp_i_write_raw(rsp_client *c, const void *p, size_t n, hvp_error *err);
/* Record an unsolicited packet (stop reply) and ack it in ack mode. */
int rsp_i_take_unsolicited(rsp_client *c, hvp_error *err);
/* HVP_OK when requests may be sent (connected, not broken, not detached). */
int rsp_i_check_usable(rsp_client *c, hvp_error *err);
/* One request/reply exchange; *reply points into the decoder, valid until
 * the next read.  skip_stop: stop replies are recorded and skipped. */
int rsp_i_transact(rsp_client *c, const char *payload, int skip_stop,
                   const char **reply, size_t *rlen, hvp_error *err);

#endif
