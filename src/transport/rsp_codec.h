/*
 * rsp_codec.h - GDB Remote Serial Protocol framing, without sockets.
 *
 * Decoder: a byte-at-a-time state machine (the shape of QEMU's gdbstub
 * reader).  Feed it every byte that arrives; it reports an event when a
 * byte completes something:
 *
 *   '+' / '-'            ack / nak (outside a packet)
 *   $payload#xx          a packet; the payload is un-escaped ('}' then
 *                        byte ^ 0x20) and run-length expanded ('*' then a
 *                        count char c: repeat the previous byte c - 29
 *                        times) and the checksum (sum of the raw bytes
 *                        between '$' and '#', mod 256) is verified
 *   %payload#xx          a notification (same encoding)
 *   0x03                 an interrupt request (outside a packet)
 *
 * Anything else between packets is junk: it is skipped and counted (a
 * peer that is not a gdbstub shows up as junk).  A packet whose decoded
 * payload grows past the decoder's limit is reported as RSP_EV_OVERSIZE
 * as soon as the limit is crossed; the rest of that packet is discarded.
 *
 * Encoder and hex helpers are pure functions over caller buffers or an
 * hvp_buf (see util/buf.h).
 */
#ifndef HVP_TRANSPORT_RSP_CODEC_H
#define HVP_TRANSPORT_RSP_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "hvprobe/error.h"
#include "util/buf.h"

/* What one fed byte completed. */
enum rsp_event {
    RSP_EV_NONE = 0,      /* nothing yet (inside a packet, or junk) */
    RSP_EV_ACK,           /* '+' */
    RSP_EV_NAK,           /* '-' */
    RSP_EV_INTERRUPT,     /* 0x03 outside a packet */
    RSP_EV_PACKET,        /* $...#xx with a good checksum */
    RSP_EV_NOTIFY,        /* %...#xx with a good checksum */
    RSP_EV_BAD_CHECKSUM,  /* $...#xx whose checksum does not match */
    RSP_EV_BAD_PACKET,    /* malformed: RLE with nothing to repeat, bad
                             count char, escape at the end, non-hex
                             checksum digits */
    RSP_EV_OVERSIZE       /* payload exceeded the limit (reported once,
                             the rest of the packet is skipped) */
};

/* Default limit on a decoded payload, in bytes. */
#define RSP_DEFAULT_MAX_PAYLOAD (64 * 1024)

/* Decoder state.  Fields are private; the struct is public so it can live
 * on the stack or inside another struct. */
typedef struct rsp_decoder {
    int state;
    size_t max;           /* limit on the decoded payload */
    hvp_buf payload;      /* decoded payload of the current packet */
    unsigned sum;         /* running checksum of raw bytes */
    int cs_hi;            /* first checksum digit value */
    int notify;           /* current packet started with '%' */
    int bad;              /* current packet is malformed */
    int have_prev;        /* payload has a byte RLE can repeat */
    size_t junk;          /* junk bytes skipped since init/last reset */
    char junk_head[32];   /* the first junk bytes (for error messages) */
    size_t junk_head_len;
} rsp_decoder;

/* Initialise with a payload limit (0 = RSP_DEFAULT_MAX_PAYLOAD).  No
 * allocation happens until bytes are fed. */
void rsp_decoder_init(rsp_decoder *d, size_t max_payload);

/* Release the payload buffer; d can be re-initialised afterwards. */
void rsp_decoder_free(rsp_decoder *d);

/* Feed one byte; returns an enum rsp_event.  After RSP_EV_PACKET or
 * RSP_EV_NOTIFY the payload is available through rsp_decoder_payload()
 * until the next byte is fed.  An allocation failure while storing the
 * payload is reported as RSP_EV_OVERSIZE (the packet cannot be held). */
int rsp_decoder_feed(rsp_decoder *d, uint8_t byte);

/* The decoded payload of the last completed packet (NUL-terminated,
 * owned by the decoder; *len gets its length when len is not NULL). */
const char *rsp_decoder_payload(const rsp_decoder *d, size_t *len);

/* Nonzero while the decoder is inside a packet (a stall now means the
 * peer stopped half-way through it). */
int rsp_decoder_in_packet(const rsp_decoder *d);

/* Junk bytes skipped between packets, and the first few of them. */
size_t rsp_decoder_junk(const rsp_decoder *d, const char **head,
                        size_t *head_len);
void rsp_decoder_clear_junk(rsp_decoder *d);

/* Append "$<escaped payload>#xx" (or '%' framing when notify != 0) to
 * out.  '$', '#', '}' and '*' are escaped; no run-length encoding is
 * produced.  Returns HVP_OK or HVP_E_NOMEM. */
int rsp_encode(hvp_buf *out, const void *payload, size_t len, int notify);

/* Value of one hex digit, or -1. */
int rsp_hex_digit(int c);

/* Decode exactly 2*n hex digits from hex into out[n].  Returns HVP_OK,
 * or HVP_E_INPUT on a non-hex digit or odd/short text. */
int rsp_hex_to_bytes(const char *hex, size_t hexlen, uint8_t *out, size_t n);

/* Append 2 lowercase hex digits per byte to out (HVP_E_NOMEM on failure). */
int rsp_bytes_to_hex(hvp_buf *out, const uint8_t *p, size_t n);

/* Decode a register value as sent by 'p' / 'g': the target's bytes in
 * memory order, little-endian, 2 hex digits each.  hexlen must be even
 * and at most 16 (64 bits).  Returns HVP_OK, HVP_E_UNSUPPORTED when
 * the digits are 'x' (the stub says the value is unavailable), or
 * HVP_E_INPUT on malformed text. */
int rsp_decode_reg_le(const char *hex, size_t hexlen, uint64_t *val);

#endif
