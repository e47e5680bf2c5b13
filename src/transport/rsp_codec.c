/* rsp_codec.c - RSP packet decoder/encoder and hex helpers (see rsp_codec.h). */
#include "transport/rsp_codec.h"

#include <string.h>

enum {
    ST_IDLE,      /* between packets */
    ST_PAYLOAD,   /* inside $...  */
    ST_ESCAPE,    /* after '}' */
    ST_RLE,       /* after '*', expecting the count char */
    ST_CS1,       /* after '#', first checksum digit */
    ST_CS2,       /* second checksum digit */
    ST_SKIP,      /* oversized packet: discard until '#' */
    ST_SKIP_CS1,
    ST_SKIP_CS2
};

void rsp_decoder_init(rsp_decoder *d, size_t max_payload)
{
    memset(d, 0, sizeof *d);
    d->max = max_payload ? max_payload : RSP_DEFAULT_MAX_PAYLOAD;
    d->state = ST_IDLE;
}

void rsp_decoder_free(rsp_decoder *d)
{
    if (!d)
        return;
    hvp_buf_free(&d->payload);
    d->state = ST_IDLE;
}

static void note_junk(rsp_decoder *d, uint8_t b)
{
    if (d->junk_head_len < sizeof d->junk_head - 1) {
        d->junk_head[d->junk_head_len++] = (char)b;
        d->junk_head[d->junk_head_len] = '\0';
    }
    d->junk++;
}

int rsp_decoder_in_packet(const rsp_decoder *d)
{
    return d->state != ST_IDLE;
}

size_t rsp_decoder_junk(const rsp_decoder *d, const char **head,
                        size_t *head_len)
{
    if (head)
        *head = d->junk_head;
    if (head_len)
        *head_len = d->junk_head_len;
    return d->junk;
}

void rsp_decoder_clear_junk(rsp_decoder *d)
{
    d->junk = 0;
    d->junk_head_len = 0;
    d->junk_head[0] = '\0';
}

static void start_packet(rsp_decoder *d, int notify)
{
    hvp_buf_reset(&d->payload);
    d->sum = 0;
    d->notify = notify;
    d->bad = 0;
    d->have_prev = 0;
    d->state = ST_PAYLOAD;
}

/* Append decoded bytes; returns RSP_EV_OVERSIZE (and switches to skipping)
 * when the limit would be crossed, else RSP_EV_NONE. */
static int put(rsp_decoder *d, uint8_t b, size_t count)
{
    if (d->payload.len + count > d->max) {
        d->state = ST_SKIP;
        return RSP_EV_OVERSIZE;
    }
    for (size_t i = 0; i < count; i++)
        if (hvp_buf_putc(&d->payload, (char)b)) {
            d->state = ST_SKIP;
            return RSP_EV_OVERSIZE;
        }
    d->have_prev = 1;
    return RSP_EV_NONE;
}

int rsp_decoder_feed(rsp_decoder *d, uint8_t b)
{
    switch (d->state) {
    case ST_IDLE:
        switch (b) {
        case '$': start_packet(d, 0); return RSP_EV_NONE;
        case '%': start_packet(d, 1); return RSP_EV_NONE;
        case '+': return RSP_EV_ACK;
        case '-': return RSP_EV_NAK;
        case 0x03: return RSP_EV_INTERRUPT;
        default: note_junk(d, b); return RSP_EV_NONE;
        }
    case ST_PAYLOAD:
        if (b == '#') {
            d->state = ST_CS1;
            return RSP_EV_NONE;
        }
        if (b == '$') {
            /* A new packet start inside a packet: the previous one was
             * truncated.  Count what we had as junk and resynchronise. */
            for (size_t i = 0; i < d->payload.len && i < 8; i++)
                note_junk(d, (uint8_t)d->payload.data[i]);
            start_packet(d, 0);
            return RSP_EV_NONE;
        }
        d->sum += b;
        if (b == '}') {
            d->state = ST_ESCAPE;
            return RSP_EV_NONE;
        }
        if (b == '*') {
            d->state = ST_RLE;
            return RSP_EV_NONE;
        }
        return put(d, b, 1);
    case ST_ESCAPE:
        if (b == '#') {         /* escape with nothing after it */
            d->bad = 1;
            d->state = ST_CS1;
            return RSP_EV_NONE;
        }
        d->sum += b;
        d->state = ST_PAYLOAD;
        return put(d, b ^ 0x20, 1);
    case ST_RLE: {
        /* The count char must be printable and neither '#' nor '$';
         * the repeat count is c - 29 (so ' ' repeats 3 times). */
        if (b == '#') {
            d->bad = 1;
            d->state = ST_CS1;
            return RSP_EV_NONE;
        }
        d->sum += b;
        d->state = ST_PAYLOAD;
        if (b < ' ' || b > '~' || b == '$' || !d->have_prev) {
            d->bad = 1;
            return RSP_EV_NONE;
        }
        uint8_t prev = (uint8_t)d->payload.data[d->payload.len - 1];
        return put(d, prev, (size_t)(b - 29));
    }
    case ST_CS1:
        d->cs_hi = rsp_hex_digit(b);
        d->state = ST_CS2;
        return RSP_EV_NONE;
    case ST_CS2: {
        int lo = rsp_hex_digit(b);
        d->state = ST_IDLE;
        if (d->cs_hi < 0 || lo < 0 || d->bad)
            return RSP_EV_BAD_PACKET;
        if ((unsigned)(d->cs_hi * 16 + lo) != (d->sum & 0xffu))
            return RSP_EV_BAD_CHECKSUM;
        return d->notify ? RSP_EV_NOTIFY : RSP_EV_PACKET;
    }
    case ST_SKIP:
        if (b == '#')
            d->state = ST_SKIP_CS1;
        return RSP_EV_NONE;
    case ST_SKIP_CS1:
        d->state = ST_SKIP_CS2;
        return RSP_EV_NONE;
    case ST_SKIP_CS2:
    default:
        d->state = ST_IDLE;
        return RSP_EV_NONE;
    }
}

const char *rsp_decoder_payload(const rsp_decoder *d, size_t *len)
{
    if (len)
        *len = d->payload.len;
    return d->payload.data ? d->payload.data : "";
}

int rsp_encode(hvp_buf *out, const void *payload, size_t len, int notify)
{
    const uint8_t *p = payload;
    unsigned sum = 0;
    int rc = hvp_buf_putc(out, notify ? '%' : '$');
    for (size_t i = 0; i < len && rc == HVP_OK; i++) {
        uint8_t b = p[i];
        if (b == '$' || b == '#' || b == '}' || b == '*') {
            rc = hvp_buf_putc(out, '}');
            sum += '}';
            b ^= 0x20;
        }
        if (rc == HVP_OK)
            rc = hvp_buf_putc(out, (char)b);
        sum += b;
    }
    if (rc == HVP_OK)
        rc = hvp_buf_printf(out, "#%02x", sum & 0xffu);
    return rc ? HVP_E_NOMEM : HVP_OK;
}

int rsp_hex_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int rsp_hex_to_bytes(const char *hex, size_t hexlen, uint8_t *out, size_t n)
{
    if (hexlen != 2 * n)
        return HVP_E_INPUT;
    for (size_t i = 0; i < n; i++) {
        int hi = rsp_hex_digit((unsigned char)hex[2 * i]);
        int lo = rsp_hex_digit((unsigned char)hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return HVP_E_INPUT;
        out[i] = (uint8_t)(hi * 16 + lo);
    }
    return HVP_OK;
}

int rsp_bytes_to_hex(hvp_buf *out, const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        char two[2] = { digits[p[i] >> 4], digits[p[i] & 15] };
        if (hvp_buf_append(out, two, 2))
            return HVP_E_NOMEM;
    }
    return HVP_OK;
}

int rsp_decode_reg_le(const char *hex, size_t hexlen, uint64_t *val)
{
    if (hexlen == 0 || hexlen % 2 || hexlen > 16)
        return HVP_E_INPUT;
    size_t nx = 0;
    for (size_t i = 0; i < hexlen; i++)
        if (hex[i] == 'x' || hex[i] == 'X')
            nx++;
    if (nx == hexlen)
        return HVP_E_UNSUPPORTED;
    if (nx)
        return HVP_E_INPUT;
    uint8_t bytes[8];
    size_t n = hexlen / 2;
    if (rsp_hex_to_bytes(hex, hexlen, bytes, n))
        return HVP_E_INPUT;
    uint64_t v = 0;
    for (size_t i = n; i-- > 0;)
        v = (v << 8) | bytes[i];
    *val = v;
    return HVP_OK;
}
