/*
 * capture_ram.c - a capture's RAM images (hvp_capture_opts.save_ram):
 * which RAM blocks the memory map has, saving each once while the guest
 * is halted, and hashing them once it runs again.  See ram_image.h.
 *
 * A RAM block is a tree-view region of the system address space
 * ("memory") of kind "ram" that is not an alias; an alias of kind "ram"
 * (vexpress.lowmem at 0x0 -> vexpress.highmem) is recorded with the block
 * it shows, never saved twice.  A block reachable only through aliases
 * is saved through the first of them.  Physical reads go through QEMU's
 * flat view, so a block is saved only where the flat view shows that
 * block over the whole range (never a device's registers read by
 * pmemsave, never another region's bytes under the block's name).
 */
#include "core/ram_image.h"
#include "core/dump_internal.h"
#include "core/memmap.h"
#include "hvprobe/dump.h"
#include "util/outfile.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define SYS_AS "memory"
#define MAX_SEL 64

/* One item of ram_select. */
typedef struct ram_sel {
    char name[128];         /* a name, or "" */
    uint64_t addr, len;     /* an address (len 0) or a range */
} ram_sel;

/* A block to save (or an explicit range). */
typedef struct ram_plan {
    const char *name;       /* the block's name (borrowed from the map), or NULL */
    uint64_t addr, len;     /* where it is read */
    uint64_t block_off;     /* offset of addr inside the block */
} ram_plan;

static double mib(uint64_t n)
{
    return (double)n / 1048576.0;
}

static void ram_note(const hvp_capture_opts *o, const char *msg)
{
    if (o->note)
        o->note(o->note_ctx, msg);
}

/* "16M", "0x1000", "4096", "2G" -> bytes. */
static int parse_size(const char *s, uint64_t *v)
{
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 0);
    if (errno || end == s || *s == '-')
        return -1;
    int sh = 0;
    if (*end) {
        sh = *end == 'K' || *end == 'k' ? 10 : *end == 'M' || *end == 'm' ? 20 : *end == 'G' || *end == 'g' ? 30 : -1;
        if (sh < 0 || end[1] || (sh && x > (~0ull >> sh)))
            return -1;
    }
    *v = (uint64_t)x << sh;
    return 0;
}

/* Split o->ram_select into items; HVP_E_INVAL names a bad one. */
static int parse_select(const char *spec, ram_sel *sel, size_t *n, hvp_error *err)
{
    *n = 0;
    if (!spec)
        return HVP_OK;
    const char *p = spec;
    while (*p) {
        size_t k = strcspn(p, ",");
        char item[160];
        if (k == 0 || k >= sizeof item)
            return hvp_fail(err, HVP_E_INVAL, "--save-ram wants REGION[,REGION...] (a name, an address or "
                            "ADDRESS+SIZE), not '%s'", spec);
        if (*n == MAX_SEL)
            return hvp_fail(err, HVP_E_INVAL, "--save-ram: more than %d regions", MAX_SEL);
        memcpy(item, p, k);
        item[k] = '\0';
        ram_sel *s = &sel[(*n)++];
        memset(s, 0, sizeof *s);
        if (item[0] >= '0' && item[0] <= '9') {
            char *plus = strchr(item, '+');
            if (plus)
                *plus = '\0';
            char *end;
            errno = 0;
            unsigned long long a = strtoull(item, &end, 0);
            if (errno || *end || (plus && (parse_size(plus + 1, &s->len) || !s->len)) ||
                (s->len && a + s->len - 1 < a))
                return hvp_fail(err, HVP_E_INVAL, "--save-ram: '%.*s' is neither an address nor ADDRESS+SIZE "
                                "(e.g. 0x60000000 or 0x60000000+16M)", (int)k, p);
            s->addr = a;
        } else if (k >= sizeof s->name) {
            return hvp_fail(err, HVP_E_INVAL, "--save-ram: region name '%s' is too long", item);
        } else {
            memcpy(s->name, item, k + 1);
        }
        p += k;
        if (*p == ',')
            p++;
    }
    return HVP_OK;
}

int hvp_capture_ram_check(const hvp_capture_opts *o, hvp_error *err)
{
    if (!o->save_ram)
        return HVP_OK;
    if (!o->ram_path || !strcmp(o->ram_path, "-"))
        return hvp_fail(err, HVP_E_INVAL, "RAM images are saved beside the snapshot: give the snapshot a file "
                        "name (-o SNAP.json), not standard output");
    struct stat st;
    if (stat(o->ram_path, &st) == 0 && !S_ISREG(st.st_mode))
        return hvp_fail(err, HVP_E_INVAL, "RAM images are saved beside the snapshot: '%s' is not a regular file",
                        o->ram_path);
    if (!o->qmp && !o->gdb)
        return hvp_fail(err, HVP_E_INVAL, "saving RAM needs --qmp (QEMU writes the files) or --gdb (streamed reads)");
    if (o->ram_method == HVP_DUMP_QMP && !o->qmp)
        return hvp_fail(err, HVP_E_INVAL, "saving RAM through QMP needs --qmp");
    if (o->ram_method == HVP_DUMP_RSP && !o->gdb)
        return hvp_fail(err, HVP_E_INVAL, "saving RAM through the gdbstub needs --gdb");
    if (o->ram_method < HVP_DUMP_AUTO || o->ram_method > HVP_DUMP_RSP)
        return hvp_fail(err, HVP_E_INVAL, "unknown RAM save method %d", o->ram_method);
    ram_sel sel[MAX_SEL];
    size_t n;
    int rc = parse_select(o->ram_select, sel, &n, err);
    if (rc)
        return rc;
    /* The gdbstub alone also gives the map (qRcmd); a stub that cannot is
     * told after the capture, with what would work. */
    char *d = strdup(o->ram_path);
    int ok = d && access(dirname(d), W_OK) == 0;
    free(d);
    if (!ok)
        return hvp_fail(err, HVP_E_OUTPUT, "cannot write RAM images beside '%s': its directory is missing or "
                        "not writable", o->ram_path);
    return HVP_OK;
}

/* Tree-view regions of the system address space of kind "ram". */
static int is_sys_ram(const hvp_region *r)
{
    return !r->flat && r->enabled && r->kind && !strcmp(r->kind, "ram") && hvp_region_in_as(r, SYS_AS);
}

/* Is the block's byte at block offset `off` what a physical read of `addr`
 * returns, over [addr, addr+len)?  HVP_UNKNOWN without a flat view; when
 * not, *winner names what QEMU shows instead. */
static int flat_shows(const hvp_snapshot *s, const char *block, uint64_t addr, uint64_t len, uint64_t off,
                      const hvp_region **winner)
{
    *winner = NULL;
    if (!hvp_map_has_flat(s, SYS_AS))
        return HVP_UNKNOWN;
    uint64_t end = addr + len - 1;
    for (uint64_t a = addr;;) {
        const hvp_region *f = hvp_map_flat_at(s, SYS_AS, a);
        if (!f || !f->kind || strcmp(f->kind, "ram") || !f->name || strcmp(f->name, block) ||
            f->alias_offset + (a - f->start) != off + (a - addr)) {
            *winner = f;
            return HVP_NO;
        }
        if (f->end >= end)
            return HVP_YES;
        a = f->end + 1;
    }
}

/* The RAM blocks of the map, each once: direct mappings first, then
 * blocks only reachable through an alias.  *n counts them. */
static size_t list_blocks(const hvp_snapshot *s, ram_plan *out, size_t max)
{
    size_t n = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < s->nmemory_map && n < max; i++) {
            const hvp_region *r = &s->memory_map[i];
            if (!is_sys_ram(r) || r->is_alias != pass || (pass && !r->alias_target))
                continue;
            const char *name = pass ? r->alias_target : r->name;
            int dup = !name;
            for (size_t k = 0; k < n && !dup; k++)
                dup = !strcmp(out[k].name, name);
            if (dup)
                continue;
            out[n].name = name;
            out[n].addr = r->start;
            out[n].len = r->end - r->start + 1;
            out[n].block_off = pass ? r->alias_offset : 0;
            n++;
        }
    return n;
}

/* The block a selector names: a block or alias name, the base of one. */
static const ram_plan *find_block(const hvp_snapshot *s, const ram_plan *b, size_t nb, const ram_sel *q)
{
    for (size_t k = 0; k < nb; k++)
        if (q->name[0] ? !strcmp(b[k].name, q->name) : b[k].addr == q->addr)
            return &b[k];
    for (size_t i = 0; i < s->nmemory_map; i++) {
        const hvp_region *r = &s->memory_map[i];
        if (!is_sys_ram(r) || !r->is_alias || !r->alias_target ||
            (q->name[0] ? !r->name || strcmp(r->name, q->name) : r->start != q->addr))
            continue;
        for (size_t k = 0; k < nb; k++)
            if (!strcmp(b[k].name, r->alias_target))
                return &b[k];
    }
    return NULL;
}

static void list_names(const ram_plan *b, size_t nb, char *out, size_t cap)
{
    size_t l = 0;
    out[0] = '\0';
    for (size_t k = 0; k < nb && l + 1 < cap; k++) {
        int w = snprintf(out + l, cap - l, "%s%s at 0x%llx (%.0f MiB)", k ? ", " : "", b[k].name,
                         (unsigned long long)b[k].addr, mib(b[k].len));
        if (w < 0)
            break;
        l += (size_t)w;
    }
    if (!nb)
        snprintf(out, cap, "none");
}

/* Decide what to save.  Blocks the flat view does not show where they
 * are mapped are left out with an `unknown` entry when taken by default,
 * refused when named. */
static int plan_ram(const hvp_capture_opts *o, hvp_snapshot *s, ram_plan *plan, size_t *np, hvp_error *err)
{
    ram_sel sel[MAX_SEL];
    size_t nsel;
    int rc = parse_select(o->ram_select, sel, &nsel, err);
    if (rc)
        return rc;
    ram_plan blocks[MAX_SEL];
    size_t nb = list_blocks(s, blocks, MAX_SEL);
    int have_map = s->nmemory_map > 0;
    char names[1024];
    list_names(blocks, nb, names, sizeof names);
    *np = 0;
    if (!nsel) {
        if (!nb)
            return hvp_fail(err, HVP_E_INVAL, "the memory map has no RAM region to save%s",
                            have_map ? "" : " (it could not be read: add --qmp or --hmp, or give explicit ranges "
                                            "such as --save-ram=0x60000000+128M)");
        for (size_t k = 0; k < nb; k++) {
            const hvp_region *w;
            if (flat_shows(s, blocks[k].name, blocks[k].addr, blocks[k].len, blocks[k].block_off, &w) == HVP_NO) {
                char why[400];
                snprintf(why, sizeof why, "RAM %s at 0x%llx was not saved: QEMU's flat view shows %s there, so a "
                         "physical read would not return this RAM", blocks[k].name,
                         (unsigned long long)blocks[k].addr, w && w->name ? w->name : "no region");
                hvp_snapshot_add_unknown(s, "ram_images", why);
                continue;
            }
            plan[(*np)++] = blocks[k];
        }
        return HVP_OK;
    }
    for (size_t i = 0; i < nsel; i++) {
        ram_plan p = { 0 };
        const ram_plan *b = NULL;
        if (sel[i].len) {
            /* An explicit range: inside one block when there is a map. */
            p.addr = sel[i].addr;
            p.len = sel[i].len;
            for (size_t k = 0; k < nb && !b; k++)
                if (p.addr >= blocks[k].addr && p.addr + p.len - 1 <= blocks[k].addr + blocks[k].len - 1)
                    b = &blocks[k];
            if (have_map && !b)
                return hvp_fail(err, HVP_E_INVAL, "--save-ram: 0x%llx+0x%llx is not inside one RAM region (RAM: %s)",
                                (unsigned long long)p.addr, (unsigned long long)p.len, names);
            if (b) {
                p.name = b->name;
                p.block_off = b->block_off + (p.addr - b->addr);
            }
        } else {
            b = find_block(s, blocks, nb, &sel[i]);
            if (!b) {
                char what[160];
                if (sel[i].name[0])
                    snprintf(what, sizeof what, "'%s'", sel[i].name);
                else
                    snprintf(what, sizeof what, "at 0x%llx", (unsigned long long)sel[i].addr);
                return hvp_fail(err, HVP_E_INVAL, "--save-ram: no RAM region %s (RAM: %s; part of one: "
                                "ADDRESS+SIZE)", what, names);
            }
            p = *b;
        }
        const hvp_region *w;
        if (p.name && flat_shows(s, p.name, p.addr, p.len, p.block_off, &w) == HVP_NO)
            return hvp_fail(err, HVP_E_INVAL, "--save-ram: RAM %s at 0x%llx cannot be read there: QEMU's flat "
                            "view shows %s", p.name, (unsigned long long)p.addr, w && w->name ? w->name : "no region");
        for (size_t k = 0; k < *np; k++)
            if (plan[k].addr == p.addr)
                return hvp_fail(err, HVP_E_INVAL, "--save-ram: the region at 0x%llx is selected twice",
                                (unsigned long long)p.addr);
        plan[(*np)++] = p;
    }
    if (!have_map)
        ram_note(o, "no memory map (no --qmp/--hmp): the RAM ranges were not checked; QEMU reads physical "
                    "addresses that no region backs as zeros");
    return HVP_OK;
}

/* The alias regions that show (part of) the saved bytes elsewhere. */
static int add_aliases(const hvp_snapshot *s, hvp_ram_image *m, const ram_plan *p)
{
    for (size_t i = 0; p->name && i < s->nmemory_map; i++) {
        const hvp_region *r = &s->memory_map[i];
        if (!is_sys_ram(r) || !r->is_alias || !r->alias_target || strcmp(r->alias_target, p->name) ||
            r->start == p->addr)
            continue;
        uint64_t len = r->end - r->start + 1;
        if (r->alias_offset < p->block_off || r->alias_offset + len > p->block_off + p->len)
            continue; /* shows bytes outside this image */
        hvp_ram_alias *a = realloc(m->aliases, (m->naliases + 1) * sizeof *a);
        if (!a)
            return HVP_E_NOMEM;
        m->aliases = a;
        a = &a[m->naliases];
        const hvp_region *w;
        a->name = r->name ? strdup(r->name) : NULL;
        a->addr = r->start;
        a->len = len;
        a->offset = r->alias_offset - p->block_off;
        a->visible = flat_shows(s, p->name, r->start, len, r->alias_offset, &w);
        m->naliases++;
    }
    return HVP_OK;
}

/* "dir/snap.json" -> "snap"; the images are "snap.ram-0x60000000.bin". */
static void file_name(const char *path, uint64_t addr, char *out, size_t cap)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    if (n > 5 && !strcmp(base + n - 5, ".json"))
        n -= 5;
    snprintf(out, cap, "%.*s.ram-0x%08llx.bin", (int)n, base, (unsigned long long)addr);
}

int hvp_capture_ram_save(const hvp_capture_opts *o, hvp_target *t, hvp_snapshot *s, hvp_error *err)
{
    ram_plan plan[MAX_SEL];
    size_t np = 0;
    int rc = plan_ram(o, s, plan, &np, err);
    if (rc)
        return rc;
    uint64_t total = 0;
    for (size_t k = 0; k < np; k++)
        total += plan[k].len;
    if (o->ram_limit && total > o->ram_limit)
        return hvp_fail(err, HVP_E_INVAL, "the RAM to save is %.0f MiB, more than the limit of %.0f MiB: raise it "
                        "(--ram-limit SIZE, 0 = none) or choose regions (--save-ram=REGION,...)", mib(total),
                        mib(o->ram_limit));
    char *dcopy = strdup(o->ram_path);
    if (!dcopy)
        return hvp_fail(err, HVP_E_NOMEM, "out of memory");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", dirname(dcopy));
    free(dcopy);
    struct statvfs v;
    if (statvfs(dir, &v) == 0 && (uint64_t)v.f_bavail * v.f_frsize < total)
        return hvp_fail(err, HVP_E_OUTPUT, "not enough space for the RAM images in %s: %.1f MiB needed, %.1f MiB "
                        "free", dir, mib(total), mib((uint64_t)v.f_bavail * v.f_frsize));
    int use_qmp = o->ram_method == HVP_DUMP_QMP ||
                  (o->ram_method == HVP_DUMP_AUTO && (hvp_target_channels(t) & HVP_CH_QMP));
    char msg[1400];
    int l = snprintf(msg, sizeof msg, "saving %.1f MiB of RAM via %s while the guest stays halted:", mib(total),
                     use_qmp ? "QMP pmemsave" : "the gdbstub");
    for (size_t k = 0; k < np && l > 0 && (size_t)l < sizeof msg; k++)
        l += snprintf(msg + l, sizeof msg - (size_t)l, "%s %s 0x%llx+%.1f MiB", k ? "," : "",
                      plan[k].name ? plan[k].name : "range", (unsigned long long)plan[k].addr, mib(plan[k].len));
    ram_note(o, msg);

    hvp_ram_image *imgs = calloc(np ? np : 1, sizeof *imgs);
    if (!imgs)
        return hvp_fail(err, HVP_E_NOMEM, "out of memory");
    s->ram_images = imgs;
    for (size_t k = 0; k < np && !rc; k++) {
        hvp_ram_image *m = &imgs[k];
        char fname[512], tmp[4200];
        file_name(o->ram_path, plan[k].addr, fname, sizeof fname);
        snprintf(tmp, sizeof tmp, "%s/.hvprobe-ram.XXXXXX", dir);
        int fd = mkstemp(tmp);
        if (fd < 0)
            return hvp_fail(err, HVP_E_OUTPUT, "cannot create a file in %s: %s", dir, strerror(errno));
        s->nram_images++; /* from here on, freeing the snapshot removes tmp */
        m->tmp_path = strdup(tmp);
        m->file = strdup(fname);
        m->region = plan[k].name ? strdup(plan[k].name) : NULL;
        m->method = strdup(use_qmp ? "qmp" : "rsp");
        m->addr = plan[k].addr;
        m->len = plan[k].len;
        if (!m->tmp_path || !m->file || !m->method || (plan[k].name && !m->region) || add_aliases(s, m, &plan[k])) {
            if (!m->tmp_path)
                unlink(tmp);
            close(fd);
            return hvp_fail(err, HVP_E_NOMEM, "out of memory");
        }
        rc = hvp_dump_fill(t, m->addr, m->len, HVP_SPACE_PHYSICAL, use_qmp, fd, tmp, fname, err);
        if (rc && rc != HVP_E_OUTPUT)
            hvp_wrap(err, rc, "saving RAM at 0x%llx", (unsigned long long)m->addr);
    }
    return rc;
}

int hvp_capture_ram_finish(hvp_snapshot *s, hvp_error *err)
{
    for (size_t k = 0; k < s->nram_images; k++) {
        hvp_ram_image *m = &s->ram_images[k];
        int rc = m->tmp_path ? hvp_dump_sync_sha256(m->tmp_path, m->file, m->sha256, err) : HVP_OK;
        if (rc)
            return rc;
    }
    return HVP_OK;
}

/* Same directory?  (The temporary files must be renamed, not copied.) */
static int same_dir(const char *a_file, const char *b_file)
{
    char *a = strdup(a_file), *b = strdup(b_file);
    struct stat sa, sb;
    int same = a && b && stat(dirname(a), &sa) == 0 && stat(dirname(b), &sb) == 0 && sa.st_dev == sb.st_dev &&
               sa.st_ino == sb.st_ino;
    free(a);
    free(b);
    return same;
}

/* Put the image files in place, the snapshot last.  Undo on failure:
 * each image goes back to its temporary name (the snapshot still owns
 * it), each file it replaced comes back. */
int hvp_ram_commit_and_save(const hvp_snapshot *s, const char *path, const char *text, size_t len, hvp_error *err)
{
    size_t pending = 0;
    for (size_t k = 0; k < s->nram_images; k++)
        pending += s->ram_images[k].tmp_path != NULL;
    if (!pending)
        return hvp_write_output(path, "snapshot", text, len, err);
    struct stat st;
    if (!strcmp(path, "-") || (stat(path, &st) == 0 && !S_ISREG(st.st_mode)))
        return hvp_fail(err, HVP_E_INVAL, "a snapshot with RAM images must be saved as a regular file beside them, "
                        "not '%s'", path);
    char *dcopy = strdup(path);
    if (!dcopy)
        return hvp_fail(err, HVP_E_NOMEM, "out of memory");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", dirname(dcopy));
    free(dcopy);
    size_t n = s->nram_images;
    char (*final)[4600] = calloc(n, sizeof *final), (*old)[4600] = calloc(n, sizeof *old);
    int *done = calloc(n, sizeof *done);
    int rc = final && old && done ? HVP_OK : hvp_fail(err, HVP_E_NOMEM, "out of memory");
    size_t k;
    for (k = 0; !rc && k < n; k++) {
        hvp_ram_image *m = &s->ram_images[k];
        if (!m->tmp_path)
            continue;
        if (!same_dir(m->tmp_path, path)) {
            rc = hvp_fail(err, HVP_E_INVAL, "the RAM images were captured beside another path: save the snapshot "
                          "in the directory given to the capture");
            break;
        }
        snprintf(final[k], sizeof final[k], "%s/%s", dir, m->file);
        if (lstat(final[k], &st) == 0) {
            /* Keep what is there until the snapshot is in place. */
            snprintf(old[k], sizeof old[k], "%s/.hvprobe-ram-old.XXXXXX", dir);
            int fd = mkstemp(old[k]);
            if (fd < 0 || close(fd) || rename(final[k], old[k])) {
                rc = hvp_fail(err, HVP_E_OUTPUT, "cannot replace '%s': %s", final[k], strerror(errno));
                if (fd >= 0)
                    unlink(old[k]);
                old[k][0] = '\0';
                break;
            }
        }
        if (rename(m->tmp_path, final[k])) {
            rc = hvp_fail(err, HVP_E_OUTPUT, "cannot create '%s': %s", final[k], strerror(errno));
            break;
        }
        done[k] = 1;
    }
    if (!rc)
        rc = hvp_write_output(path, "snapshot", text, len, err);
    if (rc == HVP_E_IO)
        rc = err ? (err->code = HVP_E_OUTPUT) : HVP_E_OUTPUT;
    for (k = 0; final && old && done && k < n; k++) {
        hvp_ram_image *m = &s->ram_images[k];
        if (rc && done[k])
            rename(final[k], m->tmp_path); /* back to pending */
        if (old[k][0]) {
            if (rc)
                rename(old[k], final[k]);
            else
                unlink(old[k]);
        }
        if (!rc && done[k]) {
            free(m->tmp_path);
            m->tmp_path = NULL;
        }
    }
    free(final);
    free(old);
    free(done);
    return rc;
}
