/*
 * monitor_test_util.h - helpers shared by the QMP/HMP unit tests:
 * fixture loading and a fake peer (a forked child serving one client on
 * a temporary unix socket).  Header-only, static inline.
 */
#ifndef HVP_TESTS_MONITOR_TEST_UTIL_H
#define HVP_TESTS_MONITOR_TEST_UTIL_H

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Directory holding tests/fixtures: $HVP_FIXTURES, else found by walking
 * up from the test binary (build/<x>/tests/test_y) or the cwd. */
static inline const char *fixture_dir(void)
{
    static char dir[PATH_MAX];
    if (dir[0])
        return dir;
    const char *env = getenv("HVP_FIXTURES");
    if (env && *env) {
        snprintf(dir, sizeof dir, "%s", env);
        return dir;
    }
    char base[PATH_MAX - 64];
    ssize_t n = readlink("/proc/self/exe", base, sizeof base - 1);
    base[n > 0 ? n : 0] = '\0';
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1 && !getcwd(base, sizeof base))
            break;
        for (int up = 0; up < 6; up++) {
            char *slash = strrchr(base, '/');
            struct stat st;
            char probe[PATH_MAX + 32];
            snprintf(probe, sizeof probe, "%s/tests/fixtures/hmp", base);
            if (stat(probe, &st) == 0) {
                snprintf(dir, sizeof dir, "%s/tests/fixtures", base);
                return dir;
            }
            if (!slash)
                break;
            *slash = '\0';
        }
    }
    snprintf(dir, sizeof dir, "tests/fixtures");
    return dir;
}

/* Load tests/fixtures/<rel> (NUL-terminated; *len may be NULL).  Aborts
 * the test program if missing: a missing fixture is a broken checkout. */
static inline char *fixture_load(const char *rel, size_t *len)
{
    char path[PATH_MAX + 256];
    snprintf(path, sizeof path, "%s/%s", fixture_dir(), rel);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open fixture %s: %s\n", path, strerror(errno));
        abort();
    }
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)sz + 1);
    if (!buf || fread(buf, 1, (size_t)sz, f) != (size_t)sz)
        abort();
    buf[sz] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)sz;
    return buf;
}

static inline long test_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* ---- fake peer ------------------------------------------------------------ */

typedef void (*peer_fn)(int fd, const void *arg);

typedef struct fake_peer {
    pid_t pid;
    char dir[64];
    char path[96];
    char addr[160];
} fake_peer;

/* Listen on a fresh unix socket, fork a child that accepts one client
 * and runs fn(fd, arg), then exits.  The socket exists before fork, so
 * the parent can connect at once.  Returns 0 or -1. */
static inline int fake_peer_start(fake_peer *p, peer_fn fn, const void *arg)
{
    memset(p, 0, sizeof *p);
    snprintf(p->dir, sizeof p->dir, "/tmp/hvp-peer-XXXXXX");
    if (!mkdtemp(p->dir))
        return -1;
    snprintf(p->path, sizeof p->path, "%s/s.sock", p->dir);
    snprintf(p->addr, sizeof p->addr, "unix:%s", p->path);
    int ls = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    snprintf(sun.sun_path, sizeof sun.sun_path, "%s", p->path);
    if (ls < 0 || bind(ls, (struct sockaddr *)&sun, sizeof sun) || listen(ls, 1))
        return -1;
    fflush(NULL);
    p->pid = fork();
    if (p->pid < 0)
        return -1;
    if (p->pid == 0) {
        signal(SIGPIPE, SIG_IGN);
        int fd = accept(ls, NULL, NULL);
        close(ls);
        if (fd >= 0)
            fn(fd, arg);
        _exit(0);
    }
    close(ls);
    return 0;
}

/* Kill the child (if still running), reap it, remove the socket. */
static inline void fake_peer_stop(fake_peer *p)
{
    if (p->pid > 0) {
        kill(p->pid, SIGKILL);
        waitpid(p->pid, NULL, 0);
        p->pid = 0;
    }
    unlink(p->path);
    rmdir(p->dir);
}

/* Child-side helpers. */
static inline int peer_send(int fd, const void *buf, size_t n)
{
    const char *s = buf;
    while (n) {
        ssize_t w = send(fd, s, n, MSG_NOSIGNAL);
        if (w <= 0)
            return -1;
        s += w;
        n -= (size_t)w;
    }
    return 0;
}

static inline int peer_send_str(int fd, const char *s)
{
    return peer_send(fd, s, strlen(s));
}

/* Read one '\n'-terminated line (without it) into buf; -1 on EOF. */
static inline int peer_read_line(int fd, char *buf, size_t size)
{
    size_t n = 0;
    for (;;) {
        char c;
        ssize_t r = recv(fd, &c, 1, 0);
        if (r <= 0)
            return -1;
        if (c == '\n')
            break;
        if (n + 1 < size)
            buf[n++] = c;
    }
    if (n && buf[n - 1] == '\r')
        n--;
    buf[n] = '\0';
    return 0;
}

/* Stay connected without answering until the client hangs up. */
static inline void peer_stall(int fd)
{
    char tmp[4096];
    while (recv(fd, tmp, sizeof tmp, 0) > 0)
        ;
}

#endif
