/* test_rsp_codec.c - RSP framing, escapes, RLE, checksums, hex helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "transport/rsp_codec.h"

/* Feed a byte string; collect events (terminated by -1) into evs. */
static size_t feed(rsp_decoder *d, const char *s, size_t n, int *evs, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int ev = rsp_decoder_feed(d, (uint8_t)s[i]);
        if (ev != RSP_EV_NONE && k < cap)
            evs[k++] = ev;
    }
    return k;
}

#define FEED(d, lit, evs) feed(d, lit, sizeof(lit) - 1, evs, sizeof(evs) / sizeof(evs[0]))

static void test_simple_packet(void **state)
{
    (void)state;
    rsp_decoder d;
    int ev[8];
    rsp_decoder_init(&d, 0);
    assert_int_equal(FEED(&d, "$OK#9a", ev), 1);
    assert_int_equal(ev[0], RSP_EV_PACKET);
    size_t len;
    assert_string_equal(rsp_decoder_payload(&d, &len), "OK");
    assert_int_equal(len, 2);
    /* empty packet (unknown command reply) */
    assert_int_equal(FEED(&d, "$#00", ev), 1);
    assert_int_equal(ev[0], RSP_EV_PACKET);
    assert_string_equal(rsp_decoder_payload(&d, &len), "");
    assert_int_equal(len, 0);
    /* real QEMU 7.2 qSupported reply, uppercase checksum digits too */
    assert_int_equal(FEED(&d, "$PacketSize=1000;qXfer:features:read+;vContSupported+;multiprocess+#92", ev), 1);
    assert_int_equal(ev[0], RSP_EV_PACKET);
    assert_string_equal(rsp_decoder_payload(&d, NULL),
                        "PacketSize=1000;qXfer:features:read+;vContSupported+;multiprocess+");
    assert_int_equal(FEED(&d, "$OK#9A", ev), 1);
    assert_int_equal(ev[0], RSP_EV_PACKET);
    rsp_decoder_free(&d);
}

static void test_acks_interrupt_notification(void **state)
{
    (void)state;
    rsp_decoder d;
    int ev[8];
    rsp_decoder_init(&d, 0);
    assert_int_equal(FEED(&d, "+-\x03", ev), 3);
    assert_int_equal(ev[0], RSP_EV_ACK);
    assert_int_equal(ev[1], RSP_EV_NAK);
    assert_int_equal(ev[2], RSP_EV_INTERRUPT);
    assert_int_equal(FEED(&d, "+%Stop:T05#99+", ev), 3);
    assert_int_equal(ev[0], RSP_EV_ACK);
    assert_int_equal(ev[1], RSP_EV_NOTIFY);
    assert_int_equal(ev[2], RSP_EV_ACK);
    /* payload stays readable until the next byte; '+' replaced nothing */
    assert_string_equal(rsp_decoder_payload(&d, NULL), "Stop:T05");
    /* '+' and '-' inside a packet are payload */
    assert_int_equal(FEED(&d, "$a+-b#1b", ev), 1);
    assert_int_equal(ev[0], RSP_EV_PACKET);
    assert_string_equal(rsp_decoder_payload(&d, NULL), "a+-b");
    rsp_decoder_free(&d);
}

static void test_escape(void **state)
{
    (void)state;
    rsp_decoder d;
    int ev[4];
    rsp_decoder_init(&d, 0);
    /* "}]" -> '}', "}\x03" -> '#', "}\x04" -> '$', "}\x0a" -> '*';
     * checksum covers the raw bytes. */
    const char raw[] = "$a}]}\x03}\x04}\x0a" "b#";
    unsigned sum = 0;
    for (size_t i = 1; i < sizeof raw - 2; i++)
        sum += (uint8_t)raw[i];
    char pkt[64];
    snprintf(pkt, sizeof pkt, "%s%02x", raw, sum & 0xff);
    assert_int_equal(feed(&d, pkt, strlen(pkt), ev, 4), 1);
    assert_int_equal(ev[0], RSP_EV_PACKET);
    size_t len;
    const char *p = rsp_decoder_payload(&d, &len);
    assert_int_equal(len, 6);
    assert_memory_equal(p, "a}#$*b", 6);
    /* escaped binary zero */
    assert_int_equal(FEED(&d, "$}\x20#9d", ev), 1);
    assert_int_equal(ev[0], RSP_EV_PACKET);
    p = rsp_decoder_payload(&d, &len);
    assert_int_equal(len, 1);
    assert_int_equal(p[0], 0);
    /* escape followed by the end of the packet is malformed */
    assert_int_equal(FEED(&d, "$a}#00", ev), 1);
    assert_int_equal(ev[0], RSP_EV_BAD_PACKET);
    rsp_decoder_free(&d);
}

static void test_rle(void **state)
{
    (void)state;
    rsp_decoder d;
    int ev[4];
    rsp_decoder_init(&d, 0);
    /* "0* " = '0' then ' ' (32) - 29 = 3 more: "0000" */
    assert_int_equal(FEED(&d, "$0* #7a", ev), 1);
    assert_int_equal(ev[0], RSP_EV_PACKET);
    assert_string_equal(rsp_decoder_payload(&d, NULL), "0000");
    /* a run then more text:
     * '!' = 33 -> 4 more -> 5 zeros; then "12" */
    assert_int_equal(FEED(&d, "$0*!12#de", ev), 1);
    assert_int_equal(ev[0], RSP_EV_PACKET);
    assert_string_equal(rsp_decoder_payload(&d, NULL), "0000012");
    /* RLE repeats the previous *decoded* byte, even an escaped one */
    char pkt[32];
    unsigned sum = '}' + ']' + '*' + ' ';
    snprintf(pkt, sizeof pkt, "$}]* #%02x", sum & 0xff);
    assert_int_equal(feed(&d, pkt, strlen(pkt), ev, 4), 1);
    assert_int_equal(ev[0], RSP_EV_PACKET);
    assert_string_equal(rsp_decoder_payload(&d, NULL), "}}}}");
    /* '*' with nothing before it, or a bad count char: malformed */
    assert_int_equal(FEED(&d, "$* #4a", ev), 1);
    assert_int_equal(ev[0], RSP_EV_BAD_PACKET);
    assert_int_equal(FEED(&d, "$0*\x01#5b", ev), 1);
    assert_int_equal(ev[0], RSP_EV_BAD_PACKET);
    assert_int_equal(FEED(&d, "$0*#00", ev), 1);
    assert_int_equal(ev[0], RSP_EV_BAD_PACKET);
    /* decoder recovers for the next packet */
    assert_int_equal(FEED(&d, "$OK#9a", ev), 1);
    assert_int_equal(ev[0], RSP_EV_PACKET);
    rsp_decoder_free(&d);
}

static void test_bad_checksum(void **state)
{
    (void)state;
    rsp_decoder d;
    int ev[4];
    rsp_decoder_init(&d, 0);
    assert_int_equal(FEED(&d, "$OK#9b", ev), 1);
    assert_int_equal(ev[0], RSP_EV_BAD_CHECKSUM);
    assert_int_equal(FEED(&d, "$OK#zz", ev), 1);
    assert_int_equal(ev[0], RSP_EV_BAD_PACKET);
    assert_int_equal(FEED(&d, "$OK#9a", ev), 1);
    assert_int_equal(ev[0], RSP_EV_PACKET);
    rsp_decoder_free(&d);
}

static void test_junk(void **state)
{
    (void)state;
    rsp_decoder d;
    int ev[4];
    rsp_decoder_init(&d, 0);
    assert_int_equal(FEED(&d, "QEMU 7.2 monitor\r\n$OK#9a", ev), 1);
    assert_int_equal(ev[0], RSP_EV_PACKET);
    const char *head;
    size_t hl;
    assert_int_equal(rsp_decoder_junk(&d, &head, &hl), 18);
    assert_int_equal(hl, 18);
    assert_memory_equal(head, "QEMU 7.2", 8);
    rsp_decoder_clear_junk(&d);
    assert_int_equal(rsp_decoder_junk(&d, NULL, NULL), 0);
    /* a truncated packet followed by a new '$' resynchronises */
    assert_int_equal(FEED(&d, "$T05thr$OK#9a", ev), 1);
    assert_int_equal(ev[0], RSP_EV_PACKET);
    assert_string_equal(rsp_decoder_payload(&d, NULL), "OK");
    assert_true(rsp_decoder_junk(&d, NULL, NULL) > 0);
    /* in-packet state is visible */
    assert_false(rsp_decoder_in_packet(&d));
    FEED(&d, "$OK", ev);
    assert_true(rsp_decoder_in_packet(&d));
    FEED(&d, "#9a", ev);
    assert_false(rsp_decoder_in_packet(&d));
    rsp_decoder_free(&d);
}

static void test_oversize(void **state)
{
    (void)state;
    rsp_decoder d;
    int ev[4];
    rsp_decoder_init(&d, 8);
    assert_int_equal(FEED(&d, "$12345678#a4", ev), 1);      /* exactly 8: fine */
    assert_int_equal(ev[0], RSP_EV_PACKET);
    assert_int_equal(FEED(&d, "$123456789abcdef#00+", ev), 2);
    assert_int_equal(ev[0], RSP_EV_OVERSIZE);
    assert_int_equal(ev[1], RSP_EV_ACK);                   /* back in sync */
    /* RLE cannot be used to blow past the limit */
    assert_int_equal(FEED(&d, "$0*~#00", ev), 1);
    assert_int_equal(ev[0], RSP_EV_OVERSIZE);
    /* a large limit still bounds memory: 1 MiB of RLE into a 64 KiB decoder */
    rsp_decoder_free(&d);
    rsp_decoder_init(&d, 0);
    int big = 0;
    rsp_decoder_feed(&d, '$');
    rsp_decoder_feed(&d, '0');
    for (int i = 0; i < 20000 && !big; i++) {
        rsp_decoder_feed(&d, '*');
        big = rsp_decoder_feed(&d, '~') == RSP_EV_OVERSIZE;
    }
    assert_true(big);
    assert_true(d.payload.len <= RSP_DEFAULT_MAX_PAYLOAD);
    rsp_decoder_free(&d);
    rsp_decoder_free(NULL);
}

static void test_encode_round_trip(void **state)
{
    (void)state;
    hvp_buf b = { 0 };
    assert_int_equal(rsp_encode(&b, "OK", 2, 0), HVP_OK);
    assert_string_equal(b.data, "$OK#9a");
    hvp_buf_reset(&b);
    assert_int_equal(rsp_encode(&b, "qSupported", 10, 0), HVP_OK);
    assert_string_equal(b.data, "$qSupported#37");      /* seen on the wire */
    hvp_buf_reset(&b);
    assert_int_equal(rsp_encode(&b, "Stop:T05", 8, 1), HVP_OK);
    assert_string_equal(b.data, "%Stop:T05#99");

    /* every byte value, including the four special ones, survives */
    uint8_t all[256];
    for (int i = 0; i < 256; i++)
        all[i] = (uint8_t)i;
    hvp_buf_reset(&b);
    assert_int_equal(rsp_encode(&b, all, sizeof all, 0), HVP_OK);
    for (size_t i = 1; i < b.len - 3; i++)
        if (b.data[i] == '$' || b.data[i] == '#' || b.data[i] == '*')
            fail_msg("unescaped special byte at %zu", i);
    rsp_decoder d;
    rsp_decoder_init(&d, 0);
    int ev[4];
    assert_int_equal(feed(&d, b.data, b.len, ev, 4), 1);
    assert_int_equal(ev[0], RSP_EV_PACKET);
    size_t len;
    const char *p = rsp_decoder_payload(&d, &len);
    assert_int_equal(len, 256);
    assert_memory_equal(p, all, 256);
    rsp_decoder_free(&d);
    hvp_buf_free(&b);
}

static void test_hex(void **state)
{
    (void)state;
    uint8_t out[4];
    assert_int_equal(rsp_hex_to_bytes("deadBEEF", 8, out, 4), HVP_OK);
    assert_int_equal(out[0], 0xde);
    assert_int_equal(out[3], 0xef);
    assert_int_equal(rsp_hex_to_bytes("dead", 4, out, 4), HVP_E_INPUT);
    assert_int_equal(rsp_hex_to_bytes("de-d", 4, out, 2), HVP_E_INPUT);
    hvp_buf b = { 0 };
    assert_int_equal(rsp_bytes_to_hex(&b, out, 4), HVP_OK);
    assert_string_equal(b.data, "deadbeef");
    hvp_buf_free(&b);
    assert_int_equal(rsp_hex_digit('g'), -1);
    assert_int_equal(rsp_hex_digit('F'), 15);

    uint64_t v = 0;
    /* cpsr and VBAR_S as QEMU 7.2 sends them for the vexpress tiny guest */
    assert_int_equal(rsp_decode_reg_le("d3010060", 8, &v), HVP_OK);
    assert_int_equal(v, 0x600001d3);
    assert_int_equal(rsp_decode_reg_le("00000060", 8, &v), HVP_OK);
    assert_int_equal(v, 0x60000000);
    assert_int_equal(rsp_decode_reg_le("0102030405060708", 16, &v), HVP_OK);
    assert_true(v == 0x0807060504030201ull);
    assert_int_equal(rsp_decode_reg_le("xxxxxxxx", 8, &v), HVP_E_UNSUPPORTED);
    assert_int_equal(rsp_decode_reg_le("00xx0000", 8, &v), HVP_E_INPUT);
    assert_int_equal(rsp_decode_reg_le("123", 3, &v), HVP_E_INPUT);
    assert_int_equal(rsp_decode_reg_le("", 0, &v), HVP_E_INPUT);
    assert_int_equal(rsp_decode_reg_le("000000000000000000", 18, &v), HVP_E_INPUT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple_packet),
        cmocka_unit_test(test_acks_interrupt_notification),
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_rle),
        cmocka_unit_test(test_bad_checksum),
        cmocka_unit_test(test_junk),
        cmocka_unit_test(test_oversize),
        cmocka_unit_test(test_encode_round_trip),
        cmocka_unit_test(test_hex),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
