/* registry.c - every backend, once, in the order lists are printed.
 * Adding a backend is one line here (and its file). */
#include "backends/backend.h"

#include <stdio.h>
#include <string.h>

const hvp_backend *const hvp_backends[] = {
    &hvp_backend_tcg,
    &hvp_backend_kvm,
    &hvp_backend_fixture,
    &hvp_backend_kvm_nested,
    &hvp_backend_sel4,
};
const size_t hvp_nbackends = sizeof hvp_backends / sizeof hvp_backends[0];

size_t hvp_backend_count(void)
{
    return hvp_nbackends;
}

const hvp_backend_desc *hvp_backend_at(size_t i)
{
    return i < hvp_nbackends ? &hvp_backends[i]->d : NULL;
}

const hvp_backend_desc *hvp_backend_find(const char *name)
{
    for (size_t i = 0; name && i < hvp_nbackends; i++)
        if (!strcmp(hvp_backends[i]->d.name, name))
            return &hvp_backends[i]->d;
    return NULL;
}

void hvp_backend_names(char *buf, size_t n, const char *conj)
{
    int sentence = strcmp(conj, " ") && strcmp(conj, "|");    /* "a, b or c" */
    size_t k = 0;
    if (n)
        buf[0] = '\0';
    for (size_t i = 0; i < hvp_nbackends && k < n; i++) {
        const char *sep = i == 0 ? "" : !sentence ? conj : i + 1 < hvp_nbackends ? ", " : NULL;
        int r = sep ? snprintf(buf + k, n - k, "%s%s", sep, hvp_backends[i]->d.name)
                    : snprintf(buf + k, n - k, " %s %s", conj, hvp_backends[i]->d.name);
        if (r < 0)
            break;
        k += (size_t)r;
    }
}

const hvp_backend *hvp_backend_lookup(const char *name, hvp_error *err)
{
    if (!name)
        return hvp_backends[0];
    for (size_t i = 0; i < hvp_nbackends; i++)
        if (!strcmp(hvp_backends[i]->d.name, name))
            return hvp_backends[i];
    char names[256];
    hvp_backend_names(names, sizeof names, "or");
    hvp_fail(err, HVP_E_INVAL, "unknown backend '%s' (%s)", name, names);
    return NULL;
}

int hvp_backend_machine(const hvp_backend *b, const char *name, const char **out, hvp_error *err)
{
    const char *const *m = b->d.machines;
    if (!name) {
        *out = m[0];
        return HVP_OK;
    }
    for (size_t i = 0; m[i]; i++)
        if (!strcmp(m[i], name)) {
            *out = m[i];
            return HVP_OK;
        }
    if (!m[1])
        return hvp_fail(err, HVP_E_INVAL, "the %s backend runs the %s machine only, not %s", b->d.name, m[0], name);
    char list[200] = "";
    size_t k = 0;
    for (size_t i = 0; m[i] && k < sizeof list; i++)
        k += (size_t)snprintf(list + k, sizeof list - k, "%s%s", i == 0 ? "" : m[i + 1] ? ", " : " or ", m[i]);
    return hvp_fail(err, HVP_E_INVAL, "unknown machine '%s' for the %s backend (%s)", name, b->d.name, list);
}
