/* cli_term.c - output for a terminal: its width, and a pager for long
 * output, as git does (see cli.h). */
#include "cli/cli.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

int cli_width(int fd)
{
    const char *c = getenv("COLUMNS");
    if (c && *c) {
        char *end;
        long n = strtol(c, &end, 10);
        if (!*end && n > 0 && n < 10000)
            return (int)n;
    }
    struct winsize ws;
    if (isatty(fd) && !ioctl(fd, TIOCGWINSZ, &ws) && ws.ws_col)
        return ws.ws_col;
    return 0;
}

/* The pager to use, or NULL for none. */
static const char *pager_cmd(void)
{
    if (!isatty(STDOUT_FILENO))
        return NULL;
    const char *p = getenv("HVP_PAGER");
    if (!p)
        p = getenv("PAGER");
    if (!p)
        p = "less";
    if (!*p || !strcmp(p, "cat"))
        return NULL;
    return p;
}

int cli_page(const char *text, int allow)
{
    const char *cmd = allow ? pager_cmd() : NULL;
    if (cmd) {
        /* -F: quit when it fits one screen, -R: colours, -X: leave the
         * text on the terminal; the user's own LESS wins. */
        setenv("LESS", "FRX", 0);
        fflush(stdout);
        void (*old)(int) = signal(SIGPIPE, SIG_IGN); /* the user may quit early */
        FILE *p = popen(cmd, "w");
        if (p) {
            fputs(text, p);
            int st = pclose(p);
            signal(SIGPIPE, old);
            /* A pager that could not be run: print as if there were none. */
            if (!(WIFEXITED(st) && WEXITSTATUS(st) == 127))
                return EXIT_OK;
        } else {
            signal(SIGPIPE, old);
        }
    }
    if (fputs(text, stdout) == EOF || fflush(stdout))
        return EXIT_OUTPUT;
    return EXIT_OK;
}
