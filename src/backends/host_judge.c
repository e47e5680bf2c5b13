/* host_judge.c - which backend can run on a probed host, and why
 * (see hvprobe/host.h): each backend judges itself (backend.h). */
#include "backends/backend.h"

#include <stdio.h>
#include <string.h>

int hvp_backend_index(const char *name)
{
    for (size_t i = 0; name && i < hvp_nbackends; i++)
        if (!strcmp(name, hvp_backends[i]->d.name))
            return (int)i;
    return -1;
}

size_t hvp_host_judge(const hvp_host *h, hvp_backend_verdict *v, size_t n, int *recommended)
{
    int best = -1, best_pref = 0;
    size_t k = 0;
    for (; k < n && k < hvp_nbackends; k++) {
        const hvp_backend *b = hvp_backends[k];
        memset(&v[k], 0, sizeof v[k]);
        v[k].name = b->d.name;
        snprintf(v[k].run, sizeof v[k].run, "hvprobe run IMAGE --backend %s", b->d.name);
        b->judge(h, &v[k]);     /* may say another run line */
        if (v[k].can_run && b->d.preference > best_pref) {
            best = (int)k;
            best_pref = b->d.preference;
        }
    }
    if (recommended)
        *recommended = best;
    return k;
}
