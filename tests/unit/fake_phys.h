/* fake_phys.h - a fake sparse physical memory for the page-table walker
 * tests (test_ptwalk.c, test_ptwalk64.c): 4 KiB pages created on first
 * write; reading a page never written fails, like a hole in the memory
 * map.  Include after cmocka.h; define FAKE_PAGES first for another
 * capacity (default 64).  Register reset() as each test's setup and
 * teardown; pass fake_read with &mem to the walkers. */
#ifndef HVP_TESTS_FAKE_PHYS_H
#define HVP_TESTS_FAKE_PHYS_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifndef FAKE_PAGES
#define FAKE_PAGES 64
#endif

typedef struct fake_mem {
    struct { uint64_t pa; uint8_t *data; } page[FAKE_PAGES];
    int npages;
    int reads;
} fake_mem;

static fake_mem mem;

static int reset(void **state)
{
    (void)state;
    for (int i = 0; i < mem.npages; i++)
        free(mem.page[i].data);
    memset(&mem, 0, sizeof mem);
    return 0;
}

static uint8_t *page_of(uint64_t pa, int create)
{
    uint64_t base = pa & ~0xFFFull;
    for (int i = 0; i < mem.npages; i++)
        if (mem.page[i].pa == base)
            return mem.page[i].data;
    if (!create)
        return NULL;
    assert_true(mem.npages < FAKE_PAGES);
    uint8_t *d = calloc(1, 4096);
    assert_non_null(d);
    mem.page[mem.npages].pa = base;
    mem.page[mem.npages].data = d;
    mem.npages++;
    return d;
}

/* n bytes of v at pa, little- or big-endian */
static void wbytes(uint64_t pa, uint64_t v, int n, int big_endian)
{
    uint8_t *p = page_of(pa, 1) + (pa & 0xFFF);
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * (big_endian ? n - 1 - i : i)));
}

static void touch(uint64_t pa) { (void)page_of(pa, 1); }   /* a zero-filled page */

static int fake_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
    fake_mem *m = ctx;
    uint8_t *out = buf;
    m->reads++;
    while (len) {
        size_t chunk = 4096 - (size_t)(pa & 0xFFF);
        if (chunk > len)
            chunk = len;
        uint8_t *p = page_of(pa, 0);
        if (!p)
            return -1;
        memcpy(out, p + (pa & 0xFFF), chunk);
        out += chunk;
        pa += chunk;
        len -= chunk;
    }
    return 0;
}

#endif
