/* main.c - hvprobe's entry point: global options and subcommand dispatch. */
#include "cli/cli.h"
#include "hvprobe/text.h"
#include "hvprobe/backend.h"

#include <stdarg.h>
#include <stdio.h>
#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const struct {
    const char *name;
    int (*fn)(int, char **);
    const char *summary;
} commands[] = {
    { "check", cmd_check, "what this host can run: QEMU, KVM for 32-bit ARM guests, tools" },
    { "run", cmd_run, "run a guest under a backend ('check' lists them), optionally capture it" },
    { "capture", cmd_capture, "snapshot a running QEMU's exception state into a JSON file" },
    { "show", cmd_show, "print a readable summary of a snapshot (--json: the normalised object)" },
    { "dump", cmd_dump, "save a range of guest memory to a file (QMP pmemsave, or streamed gdbstub reads)" },
    { "demo", cmd_demo, "the whole experiment: two guests x four backends (incl. real KVM), captured and compared" },
    { "kvm-host", cmd_kvmhost, "prepare/inspect the cached arm64 KVM host of the kvm-nested backend" },
    { "compare", cmd_compare, "analyse snapshots side by side and explain why their vectors differ" },
    { "report", cmd_report, "write one self-contained HTML (or Markdown) report: maps, vectors, diagnosis" },
    { "matrix", cmd_matrix, "every exception x vector placement x backend: probe guests vs hvprobe's verdicts" },
    { "trace", cmd_trace, "summarise a QEMU -d int log or seL4 serial log: faults, loops, timeline" },
};

static void usage(FILE *f)
{
    fprintf(f,
        "usage: hvprobe [--version] [--help] [-q|-v] SUBCOMMAND [ARGS]\n"
        "\n"
        "hvprobe captures where an ARM guest's exceptions go (vector base, vector\n"
        "table, banked CP15 registers, memory map, CPU mode) from QEMU, saves it as\n"
        "a versioned JSON snapshot, and explains the difference between snapshots.\n"
        "\n"
        "subcommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fprintf(f,
        "\n"
        "Run 'hvprobe SUBCOMMAND --help' (or 'hvprobe help SUBCOMMAND') for its options and\n"
        "examples. Every subcommand takes -q/--quiet (only errors on stderr) and\n"
        "-v/--verbose (channel addresses, timings, QEMU command lines on stderr); those\n"
        "whose output is data take --json. hvprobe never writes colour or other terminal\n"
        "escapes.\n"
        "Exit codes: 0 ok, 1 negative answer, 2 usage or bad input,\n"
        "3 target/channel failure, 4 internal error, 5 output not written,\n"
        "6 run's trigger never fired, 7 architecture mismatch (AArch32 vs AArch64),\n"
        "130 interrupted (Ctrl-C, SIGTERM).\n");
}

int cli_exit_for(int status)
{
    switch (status) {
    case HVP_OK: return EXIT_OK;
    case HVP_E_INVAL:
    case HVP_E_INPUT: return EXIT_USAGE;
    case HVP_E_IO:
    case HVP_E_TIMEOUT:
    case HVP_E_CLOSED:
    case HVP_E_PROTO:
    case HVP_E_UNSUPPORTED:
    case HVP_E_TARGET: return EXIT_TARGET;
    case HVP_E_OUTPUT: return EXIT_OUTPUT;
    case HVP_E_CANCELLED: return EXIT_INTERRUPTED;
    case HVP_E_NOTRIGGER: return EXIT_NOTRIGGER;
    case HVP_E_ARCH: return EXIT_ARCH;
    default: return EXIT_INTERNAL;
    }
}

int cli_guest_path(const char *name, char *out, size_t n)
{
    const char *env = getenv("HVPROBE_GUESTS");
    if (env) {
        snprintf(out, n, "%s/%s", env, name);
        return access(out, R_OK) == 0;
    }
    char self[4096];
    ssize_t l = readlink("/proc/self/exe", self, sizeof self - 1);
    out[0] = '\0';
    if (l <= 0)
        return 0;
    self[l] = '\0';
    char *d = dirname(self);
    snprintf(out, n, "%s/guests/%s", d, name);
    if (access(out, R_OK) == 0)
        return 1;
    snprintf(out, n, "%s/../guests/%s", d, name);
    return access(out, R_OK) == 0;
}

/* Accept the spellings users type: "1235" and "localhost:1235" (TCP), a
 * bare path containing '/' (unix socket). */
int cli_parse_num(const char *s, uint64_t *v, int suffix)
{
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 0);
    if (errno || end == s || *s == '-')
        return -1;
    if (suffix && *end) {
        int sh = *end == 'K' || *end == 'k' ? 10 : *end == 'M' || *end == 'm' ? 20 : *end == 'G' || *end == 'g' ? 30 : -1;
        if (sh < 0 || end[1] || x > (~0ull >> sh))
            return -1;
        x <<= sh;
        end++;
    }
    if (*end)
        return -1;
    *v = x;
    return 0;
}

char *cli_norm_addr(const char *a)
{
    if (!a)
        return NULL;
    char *out = malloc(strlen(a) + 24);
    if (!out)
        return NULL;
    size_t i = 0;
    while (a[i] && isdigit((unsigned char)a[i]))
        i++;
    if (i && !a[i])
        sprintf(out, "tcp:127.0.0.1:%s", a);
    else if (strncmp(a, "unix:", 5) && strncmp(a, "tcp:", 4) && strchr(a, '/'))
        sprintf(out, "unix:%s", a);
    else
        strcpy(out, a);
    return out;
}

int cli_verbosity;

int cli_common_opt(int c)
{
    if (c == 'q')
        cli_verbosity = -1;
    else if (c == 'v')
        cli_verbosity = 1;
    else
        return 0;
    return 1;
}

/* "hvprobe SUB: message" on stderr; on a terminal (or with $COLUMNS) the
 * message wraps to the width, hanging 2 columns in (a long path or reason
 * never runs past the window); piped, it is one line as written. */
static void vnote(const char *sub, const char *fmt, va_list ap)
{
    char prefix[64], *msg = NULL, *w = NULL;
    int width = cli_width(STDERR_FILENO);
    snprintf(prefix, sizeof prefix, "hvprobe %s: ", sub);
    va_list cp;
    va_copy(cp, ap);
    if (width > 0 && vasprintf(&msg, fmt, cp) < 0)
        msg = NULL;
    va_end(cp);
    if (msg && (w = hvp_text_wrap(prefix, msg, width, 2))) {
        fputs(w, stderr);
    } else if (msg) {
        fprintf(stderr, "%s%s\n", prefix, msg);
    } else {
        fputs(prefix, stderr);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
    }
    free(w);
    free(msg);
}

void cli_say(int level, const char *sub, const char *fmt, ...)
{
    if (cli_verbosity < level)
        return;
    va_list ap;
    va_start(ap, fmt);
    vnote(sub, fmt, ap);
    va_end(ap);
}

int cli_print_json(json_t *doc)
{
    char *t = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    int bad = puts(t ? t : "null") < 0 || fflush(stdout) != 0;
    free(t);
    json_decref(doc);
    return bad ? EXIT_OUTPUT : EXIT_OK;
}

/* Print one backend paragraph line by line: "  NAME      first line",
 * continuation lines under the text. */
static void put_backend_help(FILE *f)
{
    for (size_t i = 0; i < hvp_backend_count(); i++) {
        const hvp_backend_desc *d = hvp_backend_at(i);
        const char *p = d->help;
        int first = 1;
        while (*p) {
            size_t n = strcspn(p, "\n");
            if (first)
                fprintf(f, "  %-10s %.*s\n", d->name, (int)n, p);
            else
                fprintf(f, "  %-10s %.*s\n", "", (int)n, p);
            first = 0;
            p += n + (p[n] == '\n');
        }
    }
}

void cli_put_text(FILE *f, const char *text)
{
    char names[256];
    hvp_backend_names(names, sizeof names, "|");
    while (*text) {
        const char *a = strstr(text, "@BACKENDS@"), *b = strstr(text, "@BACKEND_HELP@\n");
        const char *m = a && (!b || a < b) ? a : b;
        if (!m) {
            fputs(text, f);
            break;
        }
        fwrite(text, 1, (size_t)(m - text), f);
        if (m == a) {
            fputs(names, f);
            text = m + strlen("@BACKENDS@");
        } else {
            put_backend_help(f);
            text = m + strlen("@BACKEND_HELP@\n");
        }
    }
}

int cli_help(const char *text)
{
    cli_put_text(stdout, text);
    fputs("\n"
          "Every subcommand also takes:\n"
          "  -q, --quiet    only errors on stderr (no notes, no progress lines)\n"
          "  -v, --verbose  more on stderr: channel addresses, timings, QEMU command lines\n"
          "  -h, --help     this text (the same as 'hvprobe help SUBCOMMAND')\n", stdout);
    return EXIT_OK;
}

long cli_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int cli_error(const char *sub, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vnote(sub, fmt, ap);
    va_end(ap);
    return code;
}

/* Whatever a subcommand printed must have reached standard output: a full
 * disk or a closed pipe turns a success (or a negative answer) into
 * EXIT_OUTPUT, as for any other output. */
static int check_stdout(const char *sub, int code)
{
    if ((fflush(stdout) != 0 || ferror(stdout)) && (code == EXIT_OK || code == EXIT_NEGATIVE))
        return cli_error(sub, EXIT_OUTPUT, "cannot write standard output: %s", strerror(errno));
    return code;
}

int main(int argc, char **argv)
{
    /* -q/-v may also come before the subcommand. */
    while (argc > 1 && (!strcmp(argv[1], "-q") || !strcmp(argv[1], "--quiet") || !strcmp(argv[1], "-v") ||
                        !strcmp(argv[1], "--verbose"))) {
        cli_common_opt(argv[1][1] == '-' ? argv[1][2] : argv[1][1]);
        argv[1] = argv[0];
        argv++;
        argc--;
    }
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *sub = argv[1];
    if (!strcmp(sub, "--help") || !strcmp(sub, "-h") || !strcmp(sub, "help")) {
        if (!strcmp(sub, "help") && argc > 2) {
            char *hargv[] = { argv[2], "--help", NULL };
            for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
                if (!strcmp(commands[i].name, argv[2]))
                    return check_stdout("help", commands[i].fn(2, hargv));
            fprintf(stderr, "hvprobe: no such subcommand '%s'\n", argv[2]);
            return EXIT_USAGE;
        }
        usage(stdout);
        return check_stdout("help", EXIT_OK);
    }
    if (!strcmp(sub, "--version") || !strcmp(sub, "-V")) {
        printf("hvprobe %s (snapshot schema 1)\n", HVP_VERSION);
        return check_stdout("version", EXIT_OK);
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(commands[i].name, sub))
            return check_stdout(sub, commands[i].fn(argc - 1, argv + 1));
    fprintf(stderr, "hvprobe: '%s' is not a subcommand (see 'hvprobe --help')\n", sub);
    return EXIT_USAGE;
}
