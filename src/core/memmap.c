/* memmap.c - memory-map lookups on snapshots (see memmap.h). */
#include "core/memmap.h"

#include <string.h>

int hvp_region_in_as(const hvp_region *r, const char *as)
{
    const char *p = r->address_space;
    size_t n = strlen(as);
    while (p && *p) {
        size_t k = strcspn(p, ",");
        if (k == n && !strncmp(p, as, n))
            return 1;
        p += k;
        p += strspn(p, ", ");
    }
    return 0;
}

int hvp_map_has_flat(const hvp_snapshot *s, const char *as)
{
    for (size_t i = 0; i < s->nmemory_map; i++)
        if (s->memory_map[i].flat && hvp_region_in_as(&s->memory_map[i], as))
            return 1;
    return 0;
}

const hvp_region *hvp_map_flat_at(const hvp_snapshot *s, const char *as, uint64_t addr)
{
    for (size_t i = 0; i < s->nmemory_map; i++) {
        const hvp_region *r = &s->memory_map[i];
        if (r->flat && r->enabled && addr >= r->start && addr <= r->end && hvp_region_in_as(r, as))
            return r;
    }
    return NULL;
}

size_t hvp_map_tree_at(const hvp_snapshot *s, const char *as, uint64_t addr,
                       const hvp_region **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < s->nmemory_map; i++) {
        const hvp_region *r = &s->memory_map[i];
        if (r->flat || !r->enabled || addr < r->start || addr > r->end || !hvp_region_in_as(r, as))
            continue;
        /* Skip containers: a later region nested inside this one (greater
         * depth, directly following in output order) also matches. */
        int container = 0;
        for (size_t j = i + 1; j < s->nmemory_map; j++) {
            const hvp_region *c = &s->memory_map[j];
            if (c->flat || c->depth <= r->depth || !hvp_region_in_as(c, as))
                break;
            if (c->enabled && addr >= c->start && addr <= c->end) {
                container = 1;
                break;
            }
        }
        if (!container && n < max)
            out[n++] = r;
    }
    return n;
}
