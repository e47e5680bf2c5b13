/*
 * cli.h - shared pieces of the hvprobe command line: exit codes, the
 * mapping from library errors to them, and the subcommand table.
 */
#ifndef HVP_CLI_H
#define HVP_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>
#include "hvprobe/error.h"

/* Exit codes, the same for every subcommand (README "Exit codes"). */
enum {
    EXIT_OK = 0,        /* success, or an expectation held */
    EXIT_NEGATIVE = 1,  /* a negative answer / an expectation failed */
    EXIT_USAGE = 2,     /* usage error or bad input (file, argument) */
    EXIT_TARGET = 3,    /* the target or a channel to it failed */
    EXIT_INTERNAL = 4,  /* a bug or resource exhaustion in hvprobe */
    EXIT_OUTPUT = 5,    /* the output could not be written */
    EXIT_NOTRIGGER = 6, /* run: the capture trigger did not fire in its time */
    EXIT_ARCH = 7       /* architecture mismatch (HVP_E_ARCH) */
};

/* Exit code for a library status, for an error in reading input or
 * talking to a target (output errors use EXIT_OUTPUT explicitly). */
int cli_exit_for(int status);

/* Exit status of a subcommand stopped by SIGINT/SIGTERM/SIGHUP. */
#define EXIT_INTERRUPTED 130

/* Verbosity, the same for every subcommand: -q/--quiet sets -1 (only
 * errors on stderr), -v/--verbose sets 1 (also channel addresses,
 * timings, QEMU command lines).  0 by default. */
extern int cli_verbosity;

/* Handle the options every subcommand takes (-q, -v); 1 when `c` (a
 * getopt_long result) was one of them.  Their long forms, and --help,
 * end every subcommand's option table: */
int cli_common_opt(int c);
#define CLI_COMMON_OPTS                                                  \
    { "quiet", no_argument, 0, 'q' }, { "verbose", no_argument, 0, 'v' }, \
    { "help", no_argument, 0, 'h' }

/* Print a subcommand's help text and the paragraph on the options every
 * subcommand shares, on stdout (`hvprobe SUB --help` = `hvprobe help SUB`). */
int cli_help(const char *text);
/* Write a help text with its generated parts expanded: "@BACKENDS@" is
 * the registered backends' names joined by '|', a line "@BACKEND_HELP@"
 * their help paragraphs (hvprobe/backend.h). */
void cli_put_text(FILE *f, const char *text);

/* "hvprobe SUB: message" on stderr when cli_verbosity >= level:
 * cli_note unless -q, cli_info only with -v. */
void cli_say(int level, const char *sub, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#define cli_note(...) cli_say(0, __VA_ARGS__)
#define cli_info(...) cli_say(1, __VA_ARGS__)

/* Print a JSON document (indented, keys in insertion order) and a
 * newline on stdout, then release it.  NULL (a failed json_pack) prints
 * "null".  EXIT_OK, or EXIT_OUTPUT when stdout cannot be written. */
int cli_print_json(json_t *doc);

/* Columns to fit text written on fd to: $COLUMNS when set, else the
 * window's width when fd is a terminal, else 0 (piped: no limit). */
int cli_width(int fd);

/* Write text on stdout, through a pager when stdout is a terminal and
 * `allow` is set: $HVP_PAGER, else $PAGER, else less (with LESS=FRX
 * unless LESS is set, so output that fits one screen is just printed);
 * an empty HVP_PAGER or "cat" means none.  EXIT_OK or EXIT_OUTPUT. */
int cli_page(const char *text, int allow);

/* Milliseconds of CLOCK_MONOTONIC, for timeouts and timings. */
long cli_now_ms(void);

/* Print "hvprobe SUB: message" on stderr and return `code`. */
int cli_error(const char *sub, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Path of a built guest image: $HVPROBE_GUESTS/NAME, else
 * <dir of hvprobe>/guests/NAME, else <dir>/../guests/NAME (the
 * sanitizer build lives in build/san).  Writes out; 1 if it exists. */
int cli_guest_path(const char *name, char *out, size_t n);

/* A channel address as users type it ("1235", "localhost:1235", a path)
 * in the form the library takes ("tcp:127.0.0.1:1235", "unix:PATH").
 * NULL in, NULL out; caller frees. */
char *cli_norm_addr(const char *a);

/* A number in C syntax (0x..., decimal); with `suffix`, K, M or G may
 * follow.  0, or -1 when it is not one (or overflows). */
int cli_parse_num(const char *s, uint64_t *v, int suffix);

/* RAM images (capture and run --capture): the long options below, their
 * codes, and cli_ram_option() that puts their values into o (printing
 * "hvprobe SUB: ..." and returning nonzero on a bad value). */
struct hvp_capture_opts;
struct hvp_snapshot;
enum { CLI_OPT_SAVE_RAM = 0x100, CLI_OPT_RAM_LIMIT, CLI_OPT_RAM_METHOD };
#define CLI_RAM_OPTIONS                                                    \
    { "save-ram", optional_argument, 0, CLI_OPT_SAVE_RAM },                \
    { "ram-limit", required_argument, 0, CLI_OPT_RAM_LIMIT },              \
    { "ram-method", required_argument, 0, CLI_OPT_RAM_METHOD }
#define CLI_RAM_LIMIT_DEFAULT (2ull << 30)
int cli_ram_option(const char *sub, int opt, const char *arg, struct hvp_capture_opts *o);
/* "SUB: RAM 0x60000000+128 MiB (vexpress.highmem) -> FILE, sha256 ..." lines. */
void cli_print_ram_images(const char *sub, const struct hvp_snapshot *s);

/* Subcommands: argv[0] is the subcommand name. */
int cmd_capture(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_kvmhost(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_matrix(int argc, char **argv);

#endif
