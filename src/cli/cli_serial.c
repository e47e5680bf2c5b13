/* cli_serial.c - follow a guest's serial log file (see cli.h). */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

/* Copy new serial bytes to stdout (when streaming) and keep the last
 * 4-8 KiB for trigger matching. */
void cli_pump_serial(cli_serial_tail *t, const char *path, int stream)
{
    if (!t->f && !(t->f = fopen(path, "r")))
        return;
    char buf[4096];
    size_t n;
    clearerr(t->f);
    while ((n = fread(buf, 1, sizeof buf, t->f)) > 0) {
        if (stream) {
            fwrite(buf, 1, n, stdout);
            fflush(stdout);
        }
        if (n >= sizeof t->window / 2) {
            memcpy(t->window, buf + n - sizeof t->window / 2, sizeof t->window / 2);
            t->wlen = sizeof t->window / 2;
        } else {
            if (t->wlen + n >= sizeof t->window) {
                size_t drop = t->wlen + n - sizeof t->window / 2;
                memmove(t->window, t->window + drop, t->wlen - drop);
                t->wlen -= drop;
            }
            memcpy(t->window + t->wlen, buf, n);
            t->wlen += n;
        }
        t->window[t->wlen] = '\0';
    }
}

