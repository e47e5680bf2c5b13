/* test_rsp_client.c - the RSP client against a scripted fake gdbstub.
 *
 * Each test forks a child that listens on a unix socket in a temporary
 * directory and plays a script (a normal QEMU-7.2-like session, or a
 * misbehaving peer).  The child exits 0 when the client sent what it
 * expected; the parent checks the client's results and error codes.
 * Fault tests use 200 ms timeouts. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "transport/rsp.h"
#include "transport/rsp_codec.h"

#define FAULT_MS 200

static char fixtures[PATH_MAX];

/* ---- the fake stub (runs in the child) ---------------------------- */

typedef struct stub {
    int fd;
    int ack;            /* ack mode: ack the client's packets */
    int nak_next;       /* answer the next packet with '-' instead */
    rsp_decoder dec;
    char req[8192];     /* last request */
    FILE *log;          /* every request, one per line */
    int bad;            /* script mismatches */
} stub;

/* Next byte from the client within 3 s; -1 on EOF/timeout. */
static int stub_byte(stub *s)
{
    struct pollfd p = { .fd = s->fd, .events = POLLIN };
    if (poll(&p, 1, 3000) <= 0)
        return -1;
    unsigned char b;
    return read(s->fd, &b, 1) == 1 ? b : -1;
}

/* Write bytes; a client that already hung up is not a script error. */
static void stub_raw(stub *s, const char *p, size_t n)
{
    if (write(s->fd, p, n) != (ssize_t)n)
        return;
}

/* Frame an already-encoded payload (e.g. with run-length encoding). */
static void stub_send_encoded(stub *s, const char *raw)
{
    unsigned sum = 0;
    for (const char *q = raw; *q; q++)
        sum += (unsigned char)*q;
    char tail[4];
    snprintf(tail, sizeof tail, "#%02x", sum & 0xff);
    stub_raw(s, "$", 1);
    stub_raw(s, raw, strlen(raw));
    stub_raw(s, tail, 3);
}

static void stub_send(stub *s, const char *payload)
{
    hvp_buf b = { 0 };
    rsp_encode(&b, payload, strlen(payload), 0);
    stub_raw(s, b.data, b.len);
    hvp_buf_free(&b);
}

/* Read the client's next packet into s->req (acking it in ack mode).
 * Returns the decoder event: RSP_EV_PACKET, RSP_EV_NAK, RSP_EV_INTERRUPT,
 * or -1 on EOF.  Acks ('+') are skipped; in no-ack mode they count as a
 * script mismatch. */
static int stub_next(stub *s)
{
    for (;;) {
        int b = stub_byte(s);
        if (b < 0)
            return -1;
        int ev = rsp_decoder_feed(&s->dec, (uint8_t)b);
        if (ev == RSP_EV_ACK) {
            if (!s->ack)
                s->bad++;
            continue;
        }
        if (ev == RSP_EV_PACKET) {
            snprintf(s->req, sizeof s->req, "%s", rsp_decoder_payload(&s->dec, NULL));
            if (s->log)
                fprintf(s->log, "%s\n", s->req);
            if (s->nak_next) {
                s->nak_next = 0;
                stub_raw(s, "-", 1);
            } else if (s->ack) {
                stub_raw(s, "+", 1);
            }
            return ev;
        }
        if (ev == RSP_EV_NAK || ev == RSP_EV_INTERRUPT)
            return ev;
        if (ev != RSP_EV_NONE)
            s->bad++;
    }
}

static void stub_expect(stub *s, const char *want)
{
    if (stub_next(s) != RSP_EV_PACKET || strcmp(s->req, want) != 0)
        s->bad++;
}

/* Wait until the client hangs up (bounded). */
static void stub_wait_close(stub *s)
{
    while (stub_byte(s) >= 0)
        ;
}

/* Serve qXfer:features:read:ANNEX:OFF,LEN from the vexpress-a9 fixture. */
static void stub_xfer(stub *s)
{
    char annex[256];
    unsigned long off, len;
    if (sscanf(s->req, "qXfer:features:read:%255[^:]:%lx,%lx", annex, &off, &len) != 3) {
        stub_send(s, "E00");
        return;
    }
    char path[PATH_MAX + 300];
    snprintf(path, sizeof path, "%s/vexpress-a9/%s", fixtures, annex);
    FILE *f = fopen(path, "rb");
    if (!f) {
        stub_send(s, "E00");
        return;
    }
    static char data[65536];
    size_t n = fread(data, 1, sizeof data, f);
    fclose(f);
    char *rep = malloc(len + 2);
    size_t take = off < n ? (n - off < len ? n - off : len) : 0;
    rep[0] = off + take < n ? 'm' : 'l';
    memcpy(rep + 1, data + off, take);
    rep[take + 1] = '\0';
    stub_send(s, rep);
    free(rep);
}

/* The register file the normal stub serves ('g' layout of QEMU 7.2 once
 * target.xml was read: r0-r15, cpsr). */
static const char G_REPLY[] =
    "fa000060009000100000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000"
    "00070060" "00000000" "50000060" "d3010060";   /* sp lr pc cpsr */

/* A QEMU-7.2-like session: unsolicited stop reply, ack mode, qXfer from
 * the real fixtures, registers, memory, phys mode, continue/interrupt,
 * detach. */
static void script_normal(stub *s)
{
    stub_send(s, "T02thread:01;");            /* QEMU stops the VM on connect */
    stub_expect(s, "qSupported");
    stub_send(s, "PacketSize=1000;qXfer:features:read+;vContSupported+;multiprocess+");
    for (;;) {
        int ev = stub_next(s);
        if (ev == RSP_EV_INTERRUPT) {
            stub_send(s, "T02thread:01;");
            continue;
        }
        if (ev != RSP_EV_PACKET)
            return;
        const char *r = s->req;
        unsigned long addr, n;
        if (strcmp(r, "?") == 0)
            stub_send(s, "T05thread:01;");
        else if (strncmp(r, "qXfer:features:read:", 20) == 0)
            stub_xfer(s);
        else if (strcmp(r, "g") == 0)
            stub_send(s, G_REPLY);
        else if (strcmp(r, "p55") == 0)          /* VBAR_S */
            stub_send(s, "00000060");
        else if (strcmp(r, "p4b") == 0)          /* fpsid */
            stub_send(s, "90300341");
        else if (strcmp(r, "p4c") == 0)          /* fpexc: unavailable */
            stub_send(s, "xxxxxxxx");
        else if (strcmp(r, "p1a") == 0)          /* d0 (64 bit), run-length encoded */
            stub_send_encoded(s, "00*)10");
        else if (r[0] == 'p')
            stub_send(s, "E14");
        else if (strcmp(r, "m60000000,8") == 0)
            stub_send(s, "060000ea170000ea");
        else if (strcmp(r, "m60001000,7f0") == 0)
            stub_send(s, "0102");                 /* short reply: 2 bytes */
        else if (sscanf(r, "m%lx,%lx", &addr, &n) == 2 && addr > 0x60001000 &&
                 addr + n <= 0x60002000 && n <= 0x7f0) {
            char *hex = calloc(1, 2 * n + 1);
            memset(hex, 'a', 2 * n);
            stub_send(s, hex);
            free(hex);
        } else if (r[0] == 'm')
            stub_send(s, "E14");
        else if (strcmp(r, "qqemu.Supported") == 0)
            stub_send(s, "sstepbits;sstep;PhyMemMode");
        else if (strncmp(r, "Qqemu.PhyMemMode:", 17) == 0)
            stub_send(s, "OK");
        else if (strcmp(r, "qC") == 0)
            stub_send(s, "QC01");
        else if (strcmp(r, "c") == 0)
            ;                                    /* running: no reply */
        else if (strcmp(r, "D") == 0)
            stub_send(s, "E22");                 /* a stub that wants D;PID... */
        else if (strcmp(r, "D;1") == 0)
            stub_send(s, "OK");                  /* ...though its stop reply had no pPID */
        else
            stub_send(s, "");
    }
}

typedef void (*script_fn)(stub *s);

typedef struct fake {
    char dir[PATH_MAX];
    char sock[PATH_MAX + 16];
    char logpath[PATH_MAX + 16];
    char addr[PATH_MAX + 32];
    pid_t pid;
} fake;

static void fake_start(fake *f, script_fn script, int ack)
{
    const char *tmp = getenv("HVP_TEST_TMP");
    snprintf(f->dir, sizeof f->dir, "%s/rspt.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->sock, sizeof f->sock, "%s/gdb.sock", f->dir);
    snprintf(f->logpath, sizeof f->logpath, "%s/requests.log", f->dir);
    snprintf(f->addr, sizeof f->addr, "unix:%s", f->sock);
    int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(lfd >= 0);
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    assert_true(strlen(f->sock) < sizeof sun.sun_path);
    strcpy(sun.sun_path, f->sock);
    assert_int_equal(bind(lfd, (struct sockaddr *)&sun, sizeof sun), 0);
    assert_int_equal(listen(lfd, 1), 0);
    fflush(NULL);
    f->pid = fork();
    assert_true(f->pid >= 0);
    if (f->pid == 0) {
        alarm(10);    /* never outlive a broken test */
        stub s = { .ack = ack };
        rsp_decoder_init(&s.dec, 1 << 20);
        s.fd = accept(lfd, NULL, NULL);
        close(lfd);
        s.log = fopen(f->logpath, "w");
        if (s.fd >= 0)
            script(&s);
        if (s.log)
            fclose(s.log);
        rsp_decoder_free(&s.dec);
        close(s.fd);
        _exit(s.bad ? 1 : 0);
    }
    close(lfd);
}

/* Wait for the child; returns its exit status (or 100 + signal).  The
 * request log stays until fake_cleanup(). */
static int fake_wait(fake *f)
{
    int st = 0;
    for (int i = 0; i < 500; i++) {
        if (waitpid(f->pid, &st, WNOHANG) == f->pid)
            goto done;
        struct timespec ts = { 0, 10 * 1000000L };
        nanosleep(&ts, NULL);
    }
    kill(f->pid, SIGKILL);
    waitpid(f->pid, &st, 0);
done:
    return WIFEXITED(st) ? WEXITSTATUS(st) : 100 + WTERMSIG(st);
}

static void fake_cleanup(fake *f)
{
    unlink(f->sock);
    unlink(f->logpath);
    rmdir(f->dir);
}

static int fake_finish(fake *f)
{
    int st = fake_wait(f);
    fake_cleanup(f);
    return st;
}

/* How many logged requests start with prefix. */
static int count_requests(const fake *f, const char *prefix)
{
    FILE *fp = fopen(f->logpath, "r");
    if (!fp)
        return -1;
    char line[8192];
    int n = 0;
    while (fgets(line, sizeof line, fp))
        if (strncmp(line, prefix, strlen(prefix)) == 0)
            n++;
    fclose(fp);
    return n;
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* ---- tests --------------------------------------------------------- */

static void test_normal_session(void **state)
{
    (void)state;
    fake f;
    fake_start(&f, script_normal, 1);
    rsp_client *c = NULL;
    hvp_error err = { 0 };
    assert_int_equal(rsp_open(f.addr, 2000, &c, &err), HVP_OK);
    assert_string_equal(rsp_stop_reply(c), "T05thread:01;");
    assert_int_equal(rsp_packet_size(c), 4096);        /* PacketSize is hex */

    assert_int_equal(rsp_load_registers(c, &err), HVP_OK);
    assert_int_equal(rsp_reg_count(c), 304);
    assert_int_equal(rsp_load_registers(c, &err), HVP_OK); /* once only */
    const rsp_reg *r = rsp_reg_find(c, "VBAR_S");
    assert_non_null(r);
    assert_int_equal(r->regnum, 85);
    assert_int_equal(r->bitsize, 32);
    assert_string_equal(r->group, "cp_regs");
    assert_string_equal(r->feature, "org.qemu.gdb.arm.sys.regs");
    assert_string_equal(rsp_reg_at(c, 0)->name, "r0");
    assert_null(rsp_reg_at(c, 304));

    const char *names[] = { "r0", "pc", "cpsr", "sp", "VBAR_S", "nosuch", "fpexc", "q0", "fpsid", "d0", "SCTLR" };
    uint64_t v[11];
    int ok[11];
    assert_int_equal(rsp_read_regs(c, names, 11, v, ok, &err), HVP_OK);
    const int want_ok[11] = { 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 0 };
    for (int i = 0; i < 11; i++)
        if (ok[i] != want_ok[i])
            fail_msg("ok[%d] (%s) = %d", i, names[i], ok[i]);
    assert_true(v[0] == 0x600000fa);
    assert_true(v[1] == 0x60000050);
    assert_true(v[2] == 0x600001d3);
    assert_true(v[3] == 0x60000700);
    assert_true(v[4] == 0x60000000);
    assert_true(v[8] == 0x41033090);
    assert_true(v[9] == 0x1000000000000000ull);

    uint64_t x = 0;
    assert_int_equal(rsp_read_reg(c, "VBAR_S", &x, &err), HVP_OK);
    assert_true(x == 0x60000000);
    assert_int_equal(rsp_read_reg(c, "HVBAR", &x, &err), HVP_E_UNSUPPORTED);
    assert_non_null(strstr(err.msg, "HVBAR"));
    assert_int_equal(rsp_read_reg(c, "fpexc", &x, &err), HVP_E_UNSUPPORTED);
    assert_non_null(strstr(err.msg, "unavailable"));
    assert_int_equal(rsp_read_reg(c, "SCTLR", &x, &err), HVP_E_TARGET);
    assert_int_equal(rsp_read_reg(c, "q0", &x, &err), HVP_E_UNSUPPORTED);

    uint8_t buf[0x1000];
    assert_int_equal(rsp_read_mem(c, 0x60000000, 8, buf, &err), HVP_OK);
    assert_memory_equal(buf, "\x06\x00\x00\xea\x17\x00\x00\xea", 8);
    assert_int_equal(rsp_read_mem(c, 0x80000000, 4, buf, &err), HVP_E_TARGET);
    assert_string_equal(err.msg, "cannot read memory at 0x80000000 (the gdbstub answered E14)");
    /* 4096 bytes: split at the packet size, and a short reply is resumed */
    assert_int_equal(rsp_read_mem(c, 0x60001000, sizeof buf, buf, &err), HVP_OK);
    assert_int_equal(buf[0], 1);
    assert_int_equal(buf[1], 2);
    assert_int_equal(buf[2], 0xaa);
    assert_int_equal(buf[sizeof buf - 1], 0xaa);
    assert_int_equal(rsp_read_mem(c, 0, 0, buf, &err), HVP_OK);

    assert_int_equal(rsp_set_phys_mode(c, 1, &err), HVP_OK);
    assert_int_equal(rsp_set_phys_mode(c, 0, &err), HVP_OK);

    char *rep = NULL;
    assert_int_equal(rsp_request(c, "qC", &rep, &err), HVP_OK);
    assert_string_equal(rep, "QC01");
    free(rep);
    assert_int_equal(rsp_request(c, "vMustReplyEmpty", &rep, &err), HVP_OK);
    assert_string_equal(rep, "");
    free(rep);

    assert_int_equal(rsp_interrupt(c, &err), HVP_OK);   /* already stopped */
    assert_int_equal(rsp_continue(c, &err), HVP_OK);
    assert_int_equal(rsp_read_reg(c, "pc", &x, &err), HVP_E_INVAL);
    assert_non_null(strstr(err.msg, "running"));
    assert_int_equal(rsp_interrupt(c, &err), HVP_OK);
    assert_string_equal(rsp_stop_reply(c), "T02thread:01;");
    assert_int_equal(rsp_read_regs(c, names, 4, v, ok, &err), HVP_OK);
    assert_true(ok[0] && ok[1] && ok[2] && ok[3]);

    assert_int_equal(rsp_detach(c, &err), HVP_OK);
    assert_int_equal(rsp_read_reg(c, "pc", &x, &err), HVP_E_INVAL);
    rsp_close(c);
    assert_int_equal(fake_finish(&f), 0);
}

/* One 'g' for the core block, 'p' only for the rest; qXfer in pipelined chunks. */
static void test_round_trips(void **state)
{
    (void)state;
    fake f;
    fake_start(&f, script_normal, 1);
    rsp_client *c = NULL;
    hvp_error err = { 0 };
    assert_int_equal(rsp_open(f.addr, 2000, &c, &err), HVP_OK);
    const char *names[] = { "r0", "r1", "pc", "cpsr", "VBAR_S", "fpsid" };
    uint64_t v[6];
    int ok[6];
    assert_int_equal(rsp_read_regs(c, names, 6, v, ok, &err), HVP_OK);
    for (int i = 0; i < 6; i++)
        assert_int_equal(ok[i], 1);
    rsp_close(c);                       /* close without detaching */
    int st = fake_wait(&f);
    int g = count_requests(&f, "g"), p = count_requests(&f, "p");
    int d = count_requests(&f, "D");
    int x = count_requests(&f, "qXfer:features:read:system-registers.xml");
    fake_cleanup(&f);
    assert_int_equal(st, 0);
    assert_int_equal(g, 1);
    assert_int_equal(p, 2);
    assert_int_equal(d, 0);
    /* 15357 bytes in chunks of 4064: one request learns the step, then 8
     * at once (3 with the rest, 5 past the end, dropped) */
    assert_int_equal(x, 9);
}

/* hex of a string (for qRcmd / "O" packets), in a static buffer. */
static const char *hexs(const char *prefix, const char *text)
{
    static char out[512];
    size_t n = (size_t)snprintf(out, sizeof out, "%s", prefix);
    for (const char *p = text; *p && n + 3 < sizeof out; p++)
        n += (size_t)snprintf(out + n, sizeof out - n, "%02x", (unsigned char)*p);
    return out;
}

/* Is the client's next packet already waiting (sent before our reply)? */
static int stub_pending(stub *s)
{
    struct pollfd p = { .fd = s->fd, .events = POLLIN };
    return poll(&p, 1, 0) == 1;
}

/* Pipelined requests: several packets arrive before the first reply. */
static void script_pipeline(stub *s)
{
    stub_expect(s, "qSupported");
    stub_send(s, "PacketSize=1000");
    stub_expect(s, "?");
    stub_send(s, "T05thread:p01.01;");
    /* three monitor commands in one window */
    stub_expect(s, hexs("qRcmd,", "info kvm"));
    if (!stub_pending(s))
        s->bad++;                                /* not pipelined */
    stub_send(s, hexs("O", "kvm support: not compiled\r\n"));
    stub_send(s, "OK");
    stub_expect(s, hexs("qRcmd,", "info version"));
    stub_send(s, hexs("O", "7.2."));
    stub_send(s, hexs("O", "22\r\n"));
    stub_send(s, "OK");
    stub_expect(s, hexs("qRcmd,", "bogus"));
    stub_send(s, "E01");
    /* three memory ranges: one read, one refused, one answered short */
    stub_expect(s, "m1000,4");
    if (!stub_pending(s))
        s->bad++;
    stub_send(s, "11223344");
    stub_expect(s, "m2000,4");
    stub_send(s, "E14");
    stub_expect(s, "m3000,8");
    stub_send(s, "aabbccdd");                    /* 4 of 8 bytes */
    stub_expect(s, "m3004,4");                   /* asked again from there */
    stub_send(s, "eeff0011");
    /* a stub without qRcmd */
    stub_expect(s, hexs("qRcmd,", "info mtree"));
    stub_send(s, "");
    stub_expect(s, "D;1");
    stub_send(s, "OK");
    stub_wait_close(s);
}

static void test_pipeline(void **state)
{
    (void)state;
    fake f;
    fake_start(&f, script_pipeline, 1);
    rsp_client *c = NULL;
    hvp_error err = { 0 };
    assert_int_equal(rsp_open(f.addr, 2000, &c, &err), HVP_OK);
    const char *cmds[] = { "info kvm", "info version", "bogus" };
    char *tx[3];
    /* one refusal fails the call but leaves the stream in step */
    assert_int_equal(rsp_monitor_many(c, cmds, 3, tx, &err), HVP_E_TARGET);
    assert_non_null(strstr(err.msg, "refused monitor command 'bogus' (E01)"));
    for (int i = 0; i < 3; i++)
        assert_null(tx[i]);
    uint8_t b1[4], b2[4], b3[8];
    rsp_memreq r[3] = { { .addr = 0x1000, .len = 4, .buf = b1 },
                        { .addr = 0x2000, .len = 4, .buf = b2 },
                        { .addr = 0x3000, .len = 8, .buf = b3 } };
    assert_int_equal(rsp_read_mems(c, r, 3, &err), HVP_OK);
    assert_int_equal(r[0].got, 4);
    assert_int_equal(b1[3], 0x44);
    assert_int_equal(r[1].got, 0);
    assert_string_equal(r[1].refused, "E14");
    assert_int_equal(r[2].got, 8);
    assert_int_equal(b3[7], 0x11);
    assert_string_equal(r[2].refused, "");
    const char *one[] = { "info mtree" };
    assert_int_equal(rsp_monitor_many(c, one, 1, tx, &err), HVP_E_UNSUPPORTED);
    assert_int_equal(rsp_detach(c, &err), HVP_OK);     /* D;1 at once: "thread:p01" */
    rsp_close(c);
    assert_int_equal(fake_finish(&f), 0);
}

/* qRcmd output is joined across "O" packets, "\r\n" becomes "\n". */
static void script_rcmd(stub *s)
{
    stub_expect(s, "qSupported");
    stub_send(s, "PacketSize=1000");
    stub_expect(s, "?");
    stub_send(s, "S05");
    stub_expect(s, hexs("qRcmd,", "info kvm"));
    stub_send(s, hexs("O", "kvm support: "));
    stub_send(s, hexs("O", "disabled\r\n"));
    stub_send(s, "OK");
    stub_expect(s, hexs("qRcmd,", "info version"));
    stub_send(s, "OK");                          /* no output at all */
    stub_wait_close(s);
}

static void test_rcmd_output(void **state)
{
    (void)state;
    fake f;
    fake_start(&f, script_rcmd, 1);
    rsp_client *c = NULL;
    hvp_error err = { 0 };
    assert_int_equal(rsp_open(f.addr, 2000, &c, &err), HVP_OK);
    const char *cmds[] = { "info kvm", "info version" };
    char *tx[2];
    assert_int_equal(rsp_monitor_many(c, cmds, 2, tx, &err), HVP_OK);
    assert_string_equal(tx[0], "kvm support: disabled\n");
    assert_string_equal(tx[1], "");
    free(tx[0]);
    free(tx[1]);
    rsp_close(c);
    assert_int_equal(fake_finish(&f), 0);
}

/* Offers QStartNoAckMode: afterwards neither side acks. */
static void script_noack(stub *s)
{
    stub_expect(s, "qSupported");
    stub_send(s, "PacketSize=200;QStartNoAckMode+");
    stub_expect(s, "QStartNoAckMode");
    stub_send(s, "OK");
    /* the client acks this "OK" (still ack mode), then stops acking */
    if (stub_byte(s) != '+')
        s->bad++;
    s->ack = 0;
    stub_expect(s, "?");
    stub_send(s, "S05");
    stub_expect(s, "m1000,4");
    stub_send(s, "11223344");
    stub_wait_close(s);
}

static void test_noack_mode(void **state)
{
    (void)state;
    fake f;
    fake_start(&f, script_noack, 1);
    rsp_client *c = NULL;
    hvp_error err = { 0 };
    assert_int_equal(rsp_open(f.addr, 2000, &c, &err), HVP_OK);
    assert_int_equal(rsp_packet_size(c), 0x200);
    assert_string_equal(rsp_stop_reply(c), "S05");
    uint8_t b[4];
    assert_int_equal(rsp_read_mem(c, 0x1000, 4, b, &err), HVP_OK);
    assert_int_equal(b[3], 0x44);
    /* no qXfer offered: names cannot be known */
    assert_int_equal(rsp_load_registers(c, &err), HVP_E_UNSUPPORTED);
    assert_non_null(strstr(err.msg, "qXfer:features:read"));
    uint64_t x;
    assert_int_equal(rsp_read_reg(c, "pc", &x, &err), HVP_E_UNSUPPORTED);
    rsp_close(c);
    assert_int_equal(fake_finish(&f), 0);
}

static void script_silent(stub *s)
{
    stub_wait_close(s);               /* reads, never acks or answers */
}

static void script_ack_then_silent(stub *s)
{
    stub_expect(s, "qSupported");
    stub_send(s, "PacketSize=1000");
    stub_expect(s, "?");
    stub_send(s, "T05thread:01;");
    stub_expect(s, "m0,4");           /* acked by stub_next, never answered */
    stub_wait_close(s);
}

static void test_timeout(void **state)
{
    (void)state;
    fake f;
    rsp_client *c = NULL;
    hvp_error err = { 0 };
    fake_start(&f, script_silent, 1);
    long t0 = now_ms();
    assert_int_equal(rsp_open(f.addr, FAULT_MS, &c, &err), HVP_E_TIMEOUT);
    assert_true(now_ms() - t0 < 2000);
    assert_null(c);
    assert_non_null(strstr(err.msg, "did not answer within 200 ms"));
    assert_int_equal(fake_finish(&f), 0);

    fake_start(&f, script_ack_then_silent, 1);
    assert_int_equal(rsp_open(f.addr, FAULT_MS, &c, &err), HVP_OK);
    uint8_t b[4];
    assert_int_equal(rsp_read_mem(c, 0, 4, b, &err), HVP_E_TIMEOUT);
    /* the stream is out of sync now: later calls fail fast */
    t0 = now_ms();
    assert_int_equal(rsp_read_mem(c, 0, 4, b, &err), HVP_E_TIMEOUT);
    assert_non_null(strstr(err.msg, "unusable"));
    assert_true(now_ms() - t0 < 100);
    rsp_close(c);
    assert_int_equal(fake_finish(&f), 0);
}

static void script_half_packet(stub *s)
{
    stub_expect(s, "qSupported");
    stub_raw(s, "$PacketSize=10", 14);
    stub_wait_close(s);
}

static void script_hangup(stub *s)
{
    stub_expect(s, "qSupported");
    stub_raw(s, "$PacketSize=10", 14);
}

static void script_hangup_before_reply(stub *s)
{
    stub_expect(s, "qSupported");
}

static void test_stall_and_hangup(void **state)
{
    (void)state;
    fake f;
    rsp_client *c = NULL;
    hvp_error err = { 0 };
    fake_start(&f, script_half_packet, 1);
    assert_int_equal(rsp_open(f.addr, FAULT_MS, &c, &err), HVP_E_TIMEOUT);
    assert_non_null(strstr(err.msg, "middle of a packet"));
    assert_int_equal(fake_finish(&f), 0);

    fake_start(&f, script_hangup, 1);
    assert_int_equal(rsp_open(f.addr, FAULT_MS, &c, &err), HVP_E_CLOSED);
    assert_non_null(strstr(err.msg, "closed the connection in the middle of a packet"));
    assert_int_equal(fake_finish(&f), 0);

    fake_start(&f, script_hangup_before_reply, 1);
    assert_int_equal(rsp_open(f.addr, FAULT_MS, &c, &err), HVP_E_CLOSED);
    assert_int_equal(fake_finish(&f), 0);
}

/* An HMP monitor socket given by mistake: text, no packets. */
static void script_garbage(stub *s)
{
    static const char banner[] =
        "QEMU 7.2.22 monitor - type 'help' for more information\r\n(qemu) ";
    stub_raw(s, banner, sizeof banner - 1);
    stub_wait_close(s);
}

/* Binary junk: a newline and a terminal escape among the first bytes. */
static void script_binary(stub *s)
{
    static const char junk[] = "\x01\n\x1b[31mnot a gdbstub\r\n";
    stub_raw(s, junk, sizeof junk - 1);
    stub_wait_close(s);
}

static void script_flood(stub *s)
{
    char junk[1024];
    memset(junk, 'z', sizeof junk);
    for (int i = 0; i < 8; i++)
        stub_raw(s, junk, sizeof junk);
    stub_wait_close(s);
}

static void test_garbage(void **state)
{
    (void)state;
    fake f;
    rsp_client *c = NULL;
    hvp_error err = { 0 };
    fake_start(&f, script_garbage, 1);
    assert_int_equal(rsp_open(f.addr, FAULT_MS, &c, &err), HVP_E_PROTO);
    assert_non_null(strstr(err.msg, "not GDB remote protocol"));
    assert_non_null(strstr(err.msg, "QEMU 7.2.22 monitor"));
    assert_int_equal(fake_finish(&f), 0);

    /* The quoted bytes never break the one-line message or reach a
     * terminal as an escape (a fuzz-like peer sent a newline once). */
    fake_start(&f, script_binary, 1);
    assert_int_equal(rsp_open(f.addr, FAULT_MS, &c, &err), HVP_E_PROTO);
    assert_null(strchr(err.msg, '\n'));
    assert_null(strchr(err.msg, '\x1b'));
    assert_non_null(strstr(err.msg, "(starting \"???[31mnot a gdbstub"));
    assert_int_equal(fake_finish(&f), 0);

    fake_start(&f, script_flood, 1);
    long t0 = now_ms();
    assert_int_equal(rsp_open(f.addr, 5000, &c, &err), HVP_E_PROTO);
    assert_true(now_ms() - t0 < 1000);         /* no need to wait for the timeout */
    assert_int_equal(fake_finish(&f), 0);
}

/* Bad checksum, NAK, retransmission; and a NAK of the client's packet. */
static void script_bad_then_good(stub *s)
{
    s->nak_next = 1;                            /* pretend it arrived damaged */
    stub_expect(s, "qSupported");
    stub_expect(s, "qSupported");               /* the client resent it */
    stub_raw(s, "$PacketSize=1000#00", 19);     /* bad checksum */
    if (stub_next(s) != RSP_EV_NAK)
        s->bad++;
    stub_send(s, "PacketSize=1000");
    stub_expect(s, "?");
    stub_send(s, "T05thread:01;");
    stub_wait_close(s);
}

static void script_always_bad(stub *s)
{
    stub_expect(s, "qSupported");
    for (int i = 0; i < 10; i++) {
        stub_raw(s, "$PacketSize=1000#00", 19);
        if (stub_next(s) != RSP_EV_NAK)
            break;
    }
    stub_wait_close(s);
}

static void test_bad_checksum(void **state)
{
    (void)state;
    fake f;
    rsp_client *c = NULL;
    hvp_error err = { 0 };
    fake_start(&f, script_bad_then_good, 1);
    assert_int_equal(rsp_open(f.addr, 2000, &c, &err), HVP_OK);
    assert_int_equal(rsp_packet_size(c), 4096);
    rsp_close(c);
    assert_int_equal(fake_finish(&f), 0);

    fake_start(&f, script_always_bad, 1);
    assert_int_equal(rsp_open(f.addr, 2000, &c, &err), HVP_E_PROTO);
    assert_non_null(strstr(err.msg, "bad checksum 4 times"));
    assert_int_equal(fake_finish(&f), 0);
}

static void script_oversize(stub *s)
{
    stub_expect(s, "qSupported");
    size_t n = 200000;
    char *big = malloc(n + 1);
    memset(big, 'a', n);
    big[n] = '\0';
    stub_send(s, big);
    free(big);
    stub_wait_close(s);
}

static void script_oversize_rle(stub *s)
{
    stub_expect(s, "qSupported");
    /* 4 raw bytes per 97 decoded: a small packet that expands hugely */
    hvp_buf b = { 0 };
    hvp_buf_append(&b, "$a", 2);
    for (int i = 0; i < 2000; i++)
        hvp_buf_append(&b, "*~", 2);
    hvp_buf_append(&b, "#00", 3);
    stub_raw(s, b.data, b.len);
    hvp_buf_free(&b);
    stub_wait_close(s);
}

static void test_oversize(void **state)
{
    (void)state;
    fake f;
    rsp_client *c = NULL;
    hvp_error err = { 0 };
    fake_start(&f, script_oversize, 1);
    assert_int_equal(rsp_open(f.addr, 2000, &c, &err), HVP_E_PROTO);
    assert_non_null(strstr(err.msg, "larger than"));
    assert_int_equal(fake_finish(&f), 0);

    fake_start(&f, script_oversize_rle, 1);
    assert_int_equal(rsp_open(f.addr, 2000, &c, &err), HVP_E_PROTO);
    assert_non_null(strstr(err.msg, "larger than"));
    assert_int_equal(fake_finish(&f), 0);
}

static void script_detach_refused(stub *s)
{
    stub_expect(s, "qSupported");
    stub_send(s, "PacketSize=1000;multiprocess+");
    stub_expect(s, "?");
    stub_send(s, "T05thread:p01.01;");
    stub_expect(s, "qqemu.Supported");
    stub_send(s, "");
    stub_expect(s, "D;1");               /* "thread:p01": multiprocess mode, so D;PID at once */
    stub_send(s, "E01");                 /* and this stub refuses */
    stub_wait_close(s);
}

static void test_misc_errors(void **state)
{
    (void)state;
    fake f;
    rsp_client *c = NULL;
    hvp_error err = { 0 };
    fake_start(&f, script_detach_refused, 1);
    assert_int_equal(rsp_open(f.addr, 2000, &c, &err), HVP_OK);
    assert_int_equal(rsp_set_phys_mode(c, 1, &err), HVP_E_UNSUPPORTED);
    assert_int_equal(rsp_set_phys_mode(c, 1, &err), HVP_E_UNSUPPORTED);  /* cached */
    assert_int_equal(rsp_detach(c, &err), HVP_E_TARGET);
    assert_non_null(strstr(err.msg, "refused to detach (E01)"));
    rsp_close(c);
    assert_int_equal(fake_finish(&f), 0);

    /* no such socket */
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "unix:/nonexistent-%d/gdb.sock", (int)getpid());
    assert_int_equal(rsp_open(path, 200, &c, &err), HVP_E_IO);
    assert_null(c);
    assert_int_equal(rsp_open("nonsense", 200, &c, &err), HVP_E_INVAL);
    rsp_close(NULL);
    assert_int_equal(rsp_reg_count(NULL), 0);
    assert_null(rsp_reg_find(NULL, "pc"));
    assert_string_equal(rsp_stop_reply(NULL), "");
    assert_int_equal(rsp_read_reg(NULL, "pc", NULL, &err), HVP_E_INVAL);
}

static int find_fixtures(void **state)
{
    (void)state;
    signal(SIGPIPE, SIG_IGN);
    if (access("tests/fixtures/rsp/vexpress-a9/target.xml", R_OK) == 0) {
        snprintf(fixtures, sizeof fixtures, "tests/fixtures/rsp");
        return 0;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return -1;
    exe[n] = '\0';
    for (char *slash; (slash = strrchr(exe, '/')) != NULL;) {
        *slash = '\0';
        char probe[PATH_MAX + 64];
        snprintf(probe, sizeof probe, "%s/tests/fixtures/rsp/vexpress-a9/target.xml", exe);
        if (access(probe, R_OK) == 0) {
            snprintf(fixtures, sizeof fixtures, "%.*s/tests/fixtures/rsp",
                     (int)(sizeof fixtures - 32), exe);
            return 0;
        }
    }
    fprintf(stderr, "cannot find tests/fixtures/rsp (run from the repository root)\n");
    return -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normal_session),
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_pipeline),
        cmocka_unit_test(test_rcmd_output),
        cmocka_unit_test(test_noack_mode),
        cmocka_unit_test(test_timeout),
        cmocka_unit_test(test_stall_and_hangup),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_bad_checksum),
        cmocka_unit_test(test_oversize),
        cmocka_unit_test(test_misc_errors),
    };
    return cmocka_run_group_tests(tests, find_fixtures, NULL);
}
