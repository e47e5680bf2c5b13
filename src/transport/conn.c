/* conn.c - unix/TCP client sockets with timeouts (see conn.h). */
#define _POSIX_C_SOURCE 200809L
#include "util/clock.h"
#include "transport/conn.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

struct hvp_conn {
    int fd;
    char *addr;
};

int hvp_conn_parse_addr(const char *addr, char *kind, char *path,
                        size_t pathsz, char *host, size_t hostsz,
                        int *port, hvp_error *err)
{
    if (!addr || !*addr)
        return hvp_fail(err, HVP_E_INVAL, "empty address (expected unix:PATH or tcp:HOST:PORT)");
    if (strncmp(addr, "unix:", 5) == 0) {
        const char *p = addr + 5;
        if (!*p)
            return hvp_fail(err, HVP_E_INVAL, "address '%s' has no socket path", addr);
        if (strlen(p) >= pathsz || strlen(p) >= sizeof(((struct sockaddr_un *)0)->sun_path))
            return hvp_fail(err, HVP_E_INVAL, "socket path in '%s' is too long", addr);
        *kind = 'u';
        strcpy(path, p);
        return HVP_OK;
    }
    const char *p = addr;
    if (strncmp(p, "tcp:", 4) == 0)
        p += 4;
    const char *colon = strrchr(p, ':');
    if (!colon)
        return hvp_fail(err, HVP_E_INVAL,
                        "address '%s' is neither unix:PATH nor tcp:HOST:PORT", addr);
    size_t hl = (size_t)(colon - p);
    if (hl >= hostsz)
        return hvp_fail(err, HVP_E_INVAL, "host name in '%s' is too long", addr);
    if (hl == 0)
        strcpy(host, "127.0.0.1");
    else {
        memcpy(host, p, hl);
        host[hl] = '\0';
    }
    char *end;
    errno = 0;
    long v = strtol(colon + 1, &end, 10);
    if (errno || *end || end == colon + 1 || v < 1 || v > 65535)
        return hvp_fail(err, HVP_E_INVAL, "bad port number in '%s'", addr);
    *kind = 't';
    *port = (int)v;
    return HVP_OK;
}

/* Non-blocking connect, then wait for completion within timeout_ms. */
static int connect_wait(int fd, const struct sockaddr *sa, socklen_t len,
                        int timeout_ms, const char *addr, hvp_error *err)
{
    if (connect(fd, sa, len) == 0)
        return HVP_OK;
    if (errno != EINPROGRESS && errno != EAGAIN)
        return hvp_fail(err, HVP_E_IO, "cannot connect to %s: %s", addr, strerror(errno));
    struct pollfd pfd = { .fd = fd, .events = POLLOUT };
    int r;
    do
        r = poll(&pfd, 1, timeout_ms);
    while (r < 0 && errno == EINTR);
    if (r == 0)
        return hvp_fail(err, HVP_E_TIMEOUT, "connecting to %s timed out after %d ms", addr, timeout_ms);
    int soerr = 0;
    socklen_t sl = sizeof soerr;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
    if (r < 0 || soerr)
        return hvp_fail(err, HVP_E_IO, "cannot connect to %s: %s", addr,
                        strerror(soerr ? soerr : errno));
    return HVP_OK;
}

int hvp_conn_open(const char *addr, int timeout_ms, hvp_conn **out,
                  hvp_error *err)
{
    char kind, path[256], host[256];
    int port = 0, rc;
    *out = NULL;
    if ((rc = hvp_conn_parse_addr(addr, &kind, path, sizeof path, host,
                                  sizeof host, &port, err)))
        return rc;
    int fd = -1;
    if (kind == 'u') {
        struct sockaddr_un sun = { .sun_family = AF_UNIX };
        strcpy(sun.sun_path, path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
            return hvp_fail(err, HVP_E_IO, "socket: %s", strerror(errno));
        rc = connect_wait(fd, (struct sockaddr *)&sun, sizeof sun, timeout_ms, addr, err);
    } else {
        struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
        struct addrinfo *res = NULL;
        char ports[16];
        snprintf(ports, sizeof ports, "%d", port);
        int g = getaddrinfo(host, ports, &hints, &res);
        if (g)
            return hvp_fail(err, HVP_E_IO, "cannot resolve host '%s': %s", host, gai_strerror(g));
        rc = HVP_E_IO;
        hvp_fail(err, rc, "no address for %s", addr);
        for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
            fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
            if (fd < 0)
                continue;
            rc = connect_wait(fd, ai->ai_addr, ai->ai_addrlen, timeout_ms, addr, err);
            if (rc == HVP_OK)
                break;
            close(fd);
            fd = -1;
        }
        freeaddrinfo(res);
        if (fd >= 0) {
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        }
    }
    if (rc) {
        if (fd >= 0)
            close(fd);
        return rc;
    }
    hvp_conn *c = calloc(1, sizeof *c);
    if (!c || !(c->addr = strdup(addr))) {
        free(c);
        close(fd);
        return hvp_fail(err, HVP_E_NOMEM, "out of memory");
    }
    c->fd = fd;
    *out = c;
    return HVP_OK;
}

int hvp_conn_write(hvp_conn *c, const void *p, size_t n, hvp_error *err)
{
    const char *s = p;
    while (n) {
        ssize_t w = send(c->fd, s, n, MSG_NOSIGNAL);
        if (w > 0) {
            s += w;
            n -= (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd pfd = { .fd = c->fd, .events = POLLOUT };
            int r = poll(&pfd, 1, 5000);
            if (r == 0)
                return hvp_fail(err, HVP_E_TIMEOUT, "%s stopped reading (write timed out)", c->addr);
            continue;
        }
        if (errno == EPIPE || errno == ECONNRESET)
            return hvp_fail(err, HVP_E_CLOSED, "%s hung up", c->addr);
        return hvp_fail(err, HVP_E_IO, "write to %s: %s", c->addr, strerror(errno));
    }
    return HVP_OK;
}

int hvp_conn_read(hvp_conn *c, void *buf, size_t cap, int timeout_ms,
                  size_t *got, hvp_error *err)
{
    *got = 0;
    long deadline = hvp_now_ms() + timeout_ms;
    for (;;) {
        ssize_t r = recv(c->fd, buf, cap, 0);
        if (r > 0) {
            *got = (size_t)r;
            return HVP_OK;
        }
        if (r == 0)
            return hvp_fail(err, HVP_E_CLOSED, "%s hung up", c->addr);
        if (errno == EINTR)
            continue;
        if (errno == ECONNRESET)
            return hvp_fail(err, HVP_E_CLOSED, "%s hung up (connection reset)", c->addr);
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return hvp_fail(err, HVP_E_IO, "read from %s: %s", c->addr, strerror(errno));
        long left = deadline - hvp_now_ms();
        if (left <= 0)
            return hvp_fail(err, HVP_E_TIMEOUT, "%s did not answer within %d ms", c->addr, timeout_ms);
        struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
        int pr = poll(&pfd, 1, (int)left);
        if (pr < 0 && errno != EINTR)
            return hvp_fail(err, HVP_E_IO, "poll on %s: %s", c->addr, strerror(errno));
    }
}

const char *hvp_conn_addr(const hvp_conn *c)
{
    return c->addr;
}

void hvp_conn_close(hvp_conn *c)
{
    if (!c)
        return;
    close(c->fd);
    free(c->addr);
    free(c);
}
