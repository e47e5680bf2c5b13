/*
 * matrix_plan.c - the files of a matrix directory, for cmd_matrix.c:
 * DIR/plan.json (which rows and columns, and the settings the cells run
 * with) and DIR/cells/ID.json (one per cell, hvprobe/matrix.h).
 */
#include "cli/cli.h"
#include "cli/matrix_plan.h"
#include "hvprobe/report.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int parse_list(const char *what, const char *list, int *on, int n, int (*parse)(const char *),
               const char *valid)
{
    if (!list || !strcmp(list, "all")) {
        for (int i = 0; i < n; i++)
            on[i] = 1;
        return 0;
    }
    char *dup = strdup(list), *save = NULL;
    int rc = dup ? 0 : -1;
    for (char *t = dup ? strtok_r(dup, ",", &save) : NULL; t && !rc; t = strtok_r(NULL, ",", &save)) {
        int i = parse(t);
        if (i >= 0)
            on[i] = 1;
        else if (!strcmp(what, "backend") && !strcmp(t, "tcg"))
            on[0] = on[1] = 1;
        else
            rc = cli_error("matrix", EXIT_USAGE, "unknown %s '%s' (%s)", what, t, valid);
    }
    free(dup);
    return rc;
}

/* ---- plan.json ------------------------------------------------------ */

int write_plan(const char *dir, const sel *s, const settings *st)
{
    json_t *p = json_object(), *e = json_array(), *pl = json_array(), *c = json_array();
    for (int i = 0; i < HVP_MX_NEXC; i++)
        if (s->exc[i])
            json_array_append_new(e, json_string(hvp_matrix_exc_name(i)));
    for (int i = 0; i < HVP_MX_NPLACE; i++)
        if (s->place[i])
            json_array_append_new(pl, json_string(hvp_matrix_place_name(i)));
    for (int i = 0; i < HVP_MX_NCOL; i++)
        if (s->col[i])
            json_array_append_new(c, json_string(hvp_matrix_column_at(i)->name));
    json_object_set_new(p, "format", json_string("hvprobe-matrix-plan"));
    json_object_set_new(p, "version", json_integer(1));
    json_object_set_new(p, "exceptions", e);
    json_object_set_new(p, "placements", pl);
    json_object_set_new(p, "backends", c);
    json_object_set_new(p, "settings", json_pack("{s:s,s:s,s:s,s:f}", "guests", st->guests, "fixture", st->fixture,
                                                 "sel4_images", st->sel4, "wait", st->wait));
    char *t = json_dumps(p, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(p);
    char path[PATH_MAX];
    pathf(path, sizeof path, "%s/plan.json", dir);
    hvp_error err = { 0 };
    int rc = t ? hvp_document_save(path, t, &err) : HVP_E_NOMEM;
    free(t);
    return rc ? cli_error("matrix", EXIT_OUTPUT, "cannot write %s: %s", path, err.msg) : 0;
}

int read_plan(const char *dir, sel *s, settings *st)
{
    char path[PATH_MAX];
    pathf(path, sizeof path, "%s/plan.json", dir);
    json_error_t je;
    json_t *p = json_load_file(path, 0, &je);
    const char *fmt = p ? json_string_value(json_object_get(p, "format")) : NULL;
    if (!p || !fmt || strcmp(fmt, "hvprobe-matrix-plan")) {
        json_decref(p);
        return cli_error("matrix", EXIT_USAGE, "%s holds no matrix (no readable %s: %s)", dir, path,
                         p ? "not a matrix plan" : je.text);
    }
    memset(s, 0, sizeof *s);
    static const char *const keys[] = { "exceptions", "placements", "backends" };
    int (*parsers[])(const char *) = { hvp_matrix_exc_parse, hvp_matrix_place_parse, hvp_matrix_column_parse };
    int *ons[] = { s->exc, s->place, s->col };
    int rc = 0;
    for (int k = 0; k < 3 && !rc; k++) {
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(p, keys[k]), i, v) {
            int x = parsers[k](json_string_value(v));
            if (x < 0)
                rc = cli_error("matrix", EXIT_USAGE, "%s: unknown %s entry", path, keys[k]);
            else
                ons[k][x] = 1;
        }
    }
    json_t *set = json_object_get(p, "settings");
    static const char *const skeys[] = { "guests", "fixture", "sel4_images" };
    char *souts[] = { st->guests, st->fixture, st->sel4 };
    for (int k = 0; k < 3; k++) {
        const char *v = json_string_value(json_object_get(set, skeys[k]));
        snprintf(souts[k], PATH_MAX, "%s", v ? v : "");
    }
    st->wait = json_number_value(json_object_get(set, "wait"));
    json_decref(p);
    return rc;
}

/* snprintf for paths: a path too long for PATH_MAX is cut (and then
 * not found, which the caller reports). */
void pathf(char *out, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, n, fmt, ap);
    va_end(ap);
}

void cell_path(const char *dir, int e, int p, int k, const char *suffix, char *out, size_t n)
{
    char id[96];
    hvp_matrix_cell_id(e, p, k, id, sizeof id);
    pathf(out, n, "%s/cells/%s%s", dir, id, suffix);
}

/* Load every cell result the plan names (missing ones stay have = 0). */
int load_matrix(const char *dir, const sel *s, hvp_matrix *m)
{
    memset(m, 0, sizeof *m);
    memcpy(m->exc_on, s->exc, sizeof m->exc_on);
    memcpy(m->place_on, s->place, sizeof m->place_on);
    memcpy(m->col_on, s->col, sizeof m->col_on);
    char path[PATH_MAX];
    for (int e = 0; e < HVP_MX_NEXC; e++)
        for (int p = 0; p < HVP_MX_NPLACE; p++)
            for (int k = 0; k < HVP_MX_NCOL; k++) {
                if (!s->exc[e] || !s->place[p] || !s->col[k])
                    continue;
                cell_path(dir, e, p, k, ".json", path, sizeof path);
                if (access(path, F_OK))
                    continue;
                hvp_error err = { 0 };
                if (hvp_matrix_cell_load(path, &m->cells[e][p][k], &err))
                    return cli_error("matrix", EXIT_USAGE, "%s", err.msg);
                m->have[e][p][k] = 1;
            }
    return 0;
}

int dir_has_plan(const char *dir)
{
    char path[PATH_MAX];
    pathf(path, sizeof path, "%s/plan.json", dir);
    return access(path, F_OK) == 0;
}

