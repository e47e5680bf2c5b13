/*
 * matrix_plan.h - a matrix directory's files (cli/matrix_plan.c): the plan
 * (DIR/plan.json: rows, columns, settings) and the cells' results
 * (DIR/cells/ID.json).  Errors are printed ("hvprobe matrix: ...") and
 * returned as exit codes.
 */
#ifndef HVP_CLI_MATRIX_PLAN_H
#define HVP_CLI_MATRIX_PLAN_H

#include <limits.h>
#include <stddef.h>
#include "hvprobe/matrix.h"

/* Which rows and columns a matrix has. */
typedef struct sel {
    int exc[HVP_MX_NEXC], place[HVP_MX_NPLACE], col[HVP_MX_NCOL];
} sel;

/* What the cells were run with, kept in the plan so that --resume runs the
 * rest the same way ("" / 0: the default). */
typedef struct settings {
    char guests[PATH_MAX], fixture[PATH_MAX], sel4[PATH_MAX];
    double wait;
} settings;

/* Parse a comma list into on[] with parse(); "all" or NULL: everything;
 * "tcg" as a backend: both tcg columns.  0 or EXIT_USAGE (printed). */
int parse_list(const char *what, const char *list, int *on, int n, int (*parse)(const char *), const char *valid);

/* DIR/plan.json.  0, EXIT_OUTPUT / EXIT_USAGE (printed). */
int write_plan(const char *dir, const sel *s, const settings *st);
int read_plan(const char *dir, sel *s, settings *st);
int dir_has_plan(const char *dir);

/* snprintf for paths (a path too long for PATH_MAX is cut, then not found). */
void pathf(char *out, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* DIR/cells/ID<suffix> */
void cell_path(const char *dir, int e, int p, int k, const char *suffix, char *out, size_t n);

/* Every cell result the plan names (missing ones: have = 0).  0 or EXIT_USAGE. */
int load_matrix(const char *dir, const sel *s, hvp_matrix *m);

#endif
