/*
 * tdesc.h - GDB target description XML (the text a stub serves through
 * qXfer:features:read) turned into a register table, parsed with expat.
 *
 * Understood: <architecture>, <feature name=>, <reg name= bitsize=
 * regnum= type= group=>, and <xi:include href=> (resolved through a
 * caller-supplied fetch callback at the point where it appears, so that
 * register numbering follows document order).  Types (<vector>, <union>,
 * <flags>, ...) are ignored.
 *
 * Numbering follows GDB's rule: a <reg> without regnum gets the previous
 * register's number + 1 (the first register gets 0), across features and
 * included files.  Note that names are not unique in real QEMU 7.2 XML
 * (arm-neon.xml lists "q10" twice, system-registers.xml has several
 * "DUMMY"); tdesc_find() returns the first in document order.
 *
 * Ownership: tdesc_load() allocates *out, tdesc_free() releases it and
 * every string reachable from it (NULL is a no-op).  Pointers returned by
 * tdesc_at()/tdesc_find() live as long as the tdesc.
 */
#ifndef HVP_TRANSPORT_TDESC_H
#define HVP_TRANSPORT_TDESC_H

#include <stddef.h>

#include "hvprobe/error.h"

typedef struct tdesc_reg {
    const char *name;
    int regnum;
    int bitsize;
    const char *type;     /* "" when absent */
    const char *group;    /* "" when absent */
    const char *feature;  /* name of the enclosing <feature>, or "" */
} tdesc_reg;

typedef struct tdesc tdesc;

/* Fetch one XML document by name ("target.xml", "arm-core.xml", ...).
 * On success set *data to a malloc'd buffer (the caller of the callback,
 * i.e. tdesc, frees it) and *len to its length, and return HVP_OK; on
 * failure return a negative HVP_E_* code and fill err. */
typedef int (*tdesc_fetch_fn)(void *ctx, const char *name, char **data,
                              size_t *len, hvp_error *err);

/* Parse the document `root` and everything it includes.  Errors:
 * whatever fetch returns, HVP_E_INPUT (not well-formed XML, a <reg>
 * without name or with a bad bitsize/regnum, includes nested deeper than
 * 8 or looping), HVP_E_NOMEM. */
int tdesc_load(const char *root, tdesc_fetch_fn fetch, void *ctx,
               tdesc **out, hvp_error *err);

size_t tdesc_count(const tdesc *t);
const tdesc_reg *tdesc_at(const tdesc *t, size_t i);      /* NULL if out of range */
const tdesc_reg *tdesc_find(const tdesc *t, const char *name); /* exact, first match */
const char *tdesc_arch(const tdesc *t);  /* <architecture> text, "" if absent */
void tdesc_free(tdesc *t);

#endif
