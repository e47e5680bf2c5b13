/*
 * hmp.h - a client for QEMU's human monitor (HMP) on a socket, e.g.
 * `-monitor unix:PATH,server=on,wait=off` or
 * `-monitor tcp:127.0.0.1:55556,server,nowait`.
 *
 * The monitor is a readline terminal: after a banner it prints the prompt
 * "(qemu) ", and it echoes every keystroke by redrawing the whole line
 * ("i ESC[K ESC[D", "in ESC[K ESC[D ESC[D", ...).  hmp_command() writes one
 * command line, reads until the next prompt and returns the output with
 * the echo, escape sequences and prompt removed (hmp_clean).
 *
 * Errors: HVP_E_TIMEOUT (no prompt within the timeout), HVP_E_CLOSED
 * (peer hung up), HVP_E_PROTO (no "(qemu) " prompt after the banner, or
 * output over HMP_MAX_OUTPUT), HVP_E_INVAL (command line with control
 * characters).  After any error mid-command the client cannot tell where
 * the next output starts, so it refuses further commands: reopen.
 * Note the monitor reports command errors as text (e.g. "unknown command:
 * 'foo'"); hmp_command() returns them as output, with HVP_OK.
 */
#ifndef HVP_TRANSPORT_HMP_H
#define HVP_TRANSPORT_HMP_H

#include <stddef.h>
#include "hvprobe/error.h"

#define HMP_PROMPT "(qemu) "
#define HMP_MAX_OUTPUT (16u * 1024 * 1024)   /* raw bytes per command */

typedef struct hmp_client hmp_client;

/* Connect (addr as in conn.h), wait for the banner and first prompt.
 * timeout_ms bounds the connect and every later command. */
int hmp_open(const char *addr, int timeout_ms, hmp_client **out, hvp_error *err);

/* Run one command line (no newline in it); *text = clean output, ending
 * in "\n" unless empty (caller frees). */
int hmp_command(hmp_client *h, const char *cmdline, char **text, hvp_error *err);

/* Like hmp_command but returns the raw bytes received after the command
 * was written, up to and including the prompt (caller frees; *len set).
 * For fixtures and debugging. */
int hmp_command_raw(hmp_client *h, const char *cmdline, char **raw, size_t *len,
                    hvp_error *err);

/* The banner line(s) before the first prompt, cleaned, e.g.
 * "QEMU 7.2.22 monitor - type 'help' for more information\n". */
const char *hmp_banner(const hmp_client *h);

void hmp_set_timeout(hmp_client *h, int timeout_ms);
void hmp_close(hmp_client *h);      /* NULL is a no-op */

/* Turn raw monitor bytes into plain text.  Pure.  Emulates the terminal
 * well enough for readline's redraws: printable bytes overwrite at the
 * cursor, ESC[nD / ESC[nC move it, ESC[K erases to the end of the line,
 * "\r" returns to column 0, "\b" steps back, "\n" ends the line; other
 * escape sequences and control bytes are dropped.  Then: leading and
 * trailing "(qemu) " prompt lines go, a first line equal to cmdline
 * (after an optional prompt) goes if cmdline is not NULL, leading blank
 * lines go.  Lines end in "\n".  Returns a new string (caller frees) or
 * NULL when out of memory. */
char *hmp_clean(const char *raw, size_t len, const char *cmdline);

#endif
