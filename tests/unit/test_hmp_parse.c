/* test_hmp_parse.c - parsers of QEMU 7.2 monitor text, on real captures
 * (tests/fixtures/hmp/<scenario>__<command>.txt, see capture.py). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "transport/hmp.h"
#include "transport/hmp_parse.h"
#include "unit/monitor_test_util.h"

static char *fx(const char *name)
{
    char rel[256];
    snprintf(rel, sizeof rel, "hmp/%s.txt", name);
    return fixture_load(rel, NULL);
}

/* Replace the first occurrence of `from` in a malloc'd string. */
static char *replace(char *s, const char *from, const char *to)
{
    char *at = strstr(s, from);
    assert_non_null(at);
    size_t a = (size_t)(at - s), fl = strlen(from), tl = strlen(to), n = strlen(s);
    char *o = malloc(n - fl + tl + 1);
    memcpy(o, s, a);
    memcpy(o + a, to, tl);
    memcpy(o + a + tl, at + fl, n - a - fl + 1);
    free(s);
    return o;
}

static void parse_ok(const char *name, hmp_regs *r)
{
    char *t = fx(name);
    hvp_error e = { 0 };
    int rc = hmp_parse_registers(t, r, &e);
    if (rc)
        fail_msg("%s: %s", name, e.msg);
    free(t);
}

/* ---- info registers ------------------------------------------------------- */

static void test_regs_vexpress_secure_svc(void **s)
{
    (void)s;
    hmp_regs r;
    parse_ok("vexpress-svc__info-registers", &r);
    assert_int_equal(r.cpu, 0);
    assert_int_equal(r.r[0], 0x600000fa);
    assert_int_equal(r.r[1], 0x10009000);
    assert_int_equal(r.r[13], 0x60000700);
    assert_int_equal(r.r[14], 0x6000004c);
    assert_int_equal(r.r[15], 0x60000050);
    assert_int_equal(r.psr, 0x600001d3);
    assert_string_equal(r.mode, "svc32");
    assert_int_equal(r.secure, 1);
    assert_string_equal(r.flags, "-ZC-");
    assert_int_equal(r.thumb, 0);
}

static void test_regs_virt_no_el3(void **s)
{
    (void)s;
    hmp_regs r;
    parse_ok("virt-svc__info-registers", &r);   /* "PSR=600001d3 -ZC- A svc32" */
    assert_string_equal(r.mode, "svc32");
    assert_int_equal(r.secure, -1);
    assert_int_equal(r.r[15], 0x40000050);
    parse_ok("virt-secure__info-registers", &r);   /* virt,secure=on */
    assert_int_equal(r.secure, 1);
    assert_string_equal(r.mode, "svc32");
}

static void test_regs_virt_hyp(void **s)
{
    (void)s;
    hmp_regs r;
    /* -M virt,virtualization=on: the ELF is entered in Hyp mode; its SVC
     * goes through HVBAR (0), so the guest never prints the handler. */
    parse_ok("virt-hyp__info-registers", &r);
    assert_string_equal(r.mode, "hyp32");
    assert_int_equal(r.psr & 0x1f, 0x1a);
    assert_int_equal(r.secure, -1);
}

static void test_regs_exception_modes(void **s)
{
    (void)s;
    hmp_regs r;
    parse_ok("vexpress-und__info-registers", &r);
    assert_string_equal(r.mode, "und32");
    assert_string_equal(r.flags, "-Z--");
    assert_int_equal(r.psr, 0x400001db);
    assert_int_equal(r.r[15], 0x60000004);      /* spinning in the und vector */
    parse_ok("vexpress-abt__info-registers", &r);
    assert_string_equal(r.mode, "abt32");
    assert_int_equal(r.r[15], 0x60000010);      /* dabt vector, VBAR set */
    assert_int_equal(r.secure, 1);
    parse_ok("vexpress-pabt__info-registers", &r);
    assert_string_equal(r.mode, "abt32");        /* VBAR 0, VA 0 unmapped */
    assert_int_equal(r.r[15], 0x0000000c);
    parse_ok("vexpress-mon__info-registers", &r);
    assert_string_equal(r.mode, "mon32");
    assert_int_equal(r.secure, -1);              /* QEMU omits S in mon32 */
    parse_ok("vexpress-ns__info-registers", &r);
    assert_string_equal(r.mode, "svc32");
    assert_int_equal(r.secure, 0);
}

static void test_regs_multi_cpu(void **s)
{
    (void)s;
    char *t = fx("vexpress-smp2__info-registers-a");
    hmp_regs r;
    hvp_error e = { 0 };
    assert_int_equal(hmp_count_cpus(t), 2);
    assert_int_equal(hmp_parse_registers(t, &r, &e), 0);
    assert_int_equal(r.cpu, 0);
    assert_int_equal(hmp_parse_registers_cpu(t, 1, &r, &e), 0);
    assert_int_equal(r.cpu, 1);
    assert_string_equal(r.mode, "svc32");
    assert_int_equal(hmp_parse_registers_cpu(t, 2, &r, &e), HVP_E_INPUT);
    assert_non_null(strstr(e.msg, "CPU#2"));
    free(t);
    /* "cpu 1" on the HMP socket: plain "info registers" there shows only
     * CPU#1, but QMP's human-monitor-command has its own current CPU */
    size_t len;
    char *raw = fixture_load("hmp/vexpress-smp2__info-registers.raw", &len);
    t = hmp_clean(raw, len, "info registers");
    free(raw);
    assert_int_equal(hmp_count_cpus(t), 1);
    assert_int_equal(hmp_parse_registers(t, &r, &e), 0);
    assert_int_equal(r.cpu, 1);
    free(t);
    t = fx("vexpress-smp2__info-registers");
    assert_int_equal(hmp_parse_registers(t, &r, &e), 0);
    assert_int_equal(r.cpu, 0);
    free(t);
}

static void test_regs_lf_and_headerless(void **s)
{
    (void)s;
    hmp_regs r;
    hvp_error e = { 0 };
    const char *t =
        "R00=00000001 R01=00000002 R02=00000003 R03=00000004\n"
        "R04=00000000 R05=00000000 R06=00000000 R07=00000000\n"
        "R08=00000000 R09=00000000 R10=00000000 R11=00000000\n"
        "R12=00000000 R13=00000000 R14=00000000 R15=80001000\n"
        "PSR=a00001f0 N-C- T usr32\n";
    assert_int_equal(hmp_parse_registers(t, &r, &e), 0);
    assert_int_equal(r.cpu, -1);
    assert_int_equal(r.thumb, 1);
    assert_string_equal(r.flags, "N-C-");
    assert_string_equal(r.mode, "usr32");
    assert_int_equal(r.r[3], 4);
    assert_int_equal(r.r[15], 0x80001000);

    /* A reserved mode (M = 0x14): QEMU prints "???32", and nothing else
     * may stand there (a fuzz finding: any name was accepted). */
    const char *head =
        "R00=00000001 R01=00000002 R02=00000003 R03=00000004\n"
        "R04=00000000 R05=00000000 R06=00000000 R07=00000000\n"
        "R08=00000000 R09=00000000 R10=00000000 R11=00000000\n"
        "R12=00000000 R13=00000000 R14=00000000 R15=80001000\n";
    char buf[512];
    snprintf(buf, sizeof buf, "%sPSR=a00001d4 N-C- A ???32\n", head);
    assert_int_equal(hmp_parse_registers(buf, &r, &e), 0);
    assert_string_equal(r.mode, "???32");
    snprintf(buf, sizeof buf, "%sPSR=a00001d4 N-C- A svc32\n", head);
    assert_int_equal(hmp_parse_registers(buf, &r, &e), HVP_E_INPUT);
    assert_non_null(strstr(e.msg, "???32"));
}

static void test_regs_rejects(void **s)
{
    (void)s;
    hmp_regs r;
    hvp_error e = { 0 };
    char *t = fx("vexpress-svc__info-mtree");
    assert_int_equal(hmp_parse_registers(t, &r, &e), HVP_E_INPUT);
    free(t);
    assert_int_equal(hmp_parse_registers("", &r, &e), HVP_E_INPUT);
    assert_int_equal(hmp_parse_registers("00000000: Cannot access memory\n", &r, &e), HVP_E_INPUT);

    t = replace(fx("vexpress-svc__info-registers"), "S svc32", "S usr32");
    assert_int_equal(hmp_parse_registers(t, &r, &e), HVP_E_INPUT);
    assert_non_null(strstr(e.msg, "usr32"));
    free(t);
    t = replace(fx("vexpress-svc__info-registers"), "-ZC-", "NZC-");
    assert_int_equal(hmp_parse_registers(t, &r, &e), HVP_E_INPUT);
    free(t);
    t = replace(fx("vexpress-svc__info-registers"), " A S", " T S");
    assert_int_equal(hmp_parse_registers(t, &r, &e), HVP_E_INPUT);
    free(t);
    t = replace(fx("vexpress-svc__info-registers"), "R07=", "Q07=");
    assert_int_equal(hmp_parse_registers(t, &r, &e), HVP_E_INPUT);
    assert_non_null(strstr(e.msg, "R07"));
    free(t);
    t = replace(fx("vexpress-svc__info-registers"), "PSR=", "XSR=");
    assert_int_equal(hmp_parse_registers(t, &r, &e), HVP_E_INPUT);
    free(t);
    t = replace(fx("vexpress-svc__info-registers"), "R05=00000000", "R05=0000zz00");
    assert_int_equal(hmp_parse_registers(t, &r, &e), HVP_E_INPUT);
    free(t);
    assert_int_equal(hmp_parse_registers("CPU#0\n PC=0000000040000000 X00=0000000000000000\n",
                                         &r, &e), HVP_E_UNSUPPORTED);
}

/* ---- x / xp ------------------------------------------------------------------ */

static const uint8_t vec_bytes[16] = {   /* the tiny guest's vector table */
    0x06, 0x00, 0x00, 0xea, 0x17, 0x00, 0x00, 0xea,
    0x11, 0x00, 0x00, 0xea, 0x16, 0x00, 0x00, 0xea,
};

static int parse_x(const char *name, uint64_t addr, uint8_t *buf, size_t cap,
                   size_t *got, char **etext, hvp_error *e)
{
    char *t = fx(name);
    int rc = hmp_parse_x(t, addr, buf, cap, got, etext, e);
    free(t);
    return rc;
}

static void test_x_words_halfwords_bytes_giants(void **s)
{
    (void)s;
    uint8_t buf[64];
    size_t got;
    char *et;
    hvp_error e = { 0 };
    assert_int_equal(parse_x("vexpress-svc__xp-8wx-0x60000000", 0x60000000, buf, sizeof buf,
                             &got, &et, &e), 0);
    assert_int_equal(got, 32);
    assert_null(et);
    assert_memory_equal(buf, vec_bytes, 16);
    const char *forms[] = { "vexpress-svc__x-16bx-0x60000000", "vexpress-svc__x-8hx-0x60000000",
                            "vexpress-svc__x-2gx-0x60000000" };
    for (size_t i = 0; i < 3; i++) {
        memset(buf, 0xaa, sizeof buf);
        assert_int_equal(parse_x(forms[i], 0x60000000, buf, sizeof buf, &got, &et, &e), 0);
        assert_int_equal(got, 16);
        assert_memory_equal(buf, vec_bytes, 16);
    }
    /* vexpress-a9: VA 0 = NOR flash, zero-filled: readable but no vectors */
    memset(buf, 0xaa, sizeof buf);
    assert_int_equal(parse_x("vexpress-svc__x-8wx-0x0", 0, buf, sizeof buf, &got, &et, &e), 0);
    assert_int_equal(got, 32);
    for (size_t i = 0; i < 32; i++)
        assert_int_equal(buf[i], 0);
    assert_int_equal(parse_x("vexpress-svc__xp-8bx-0x0", 0, buf, sizeof buf, &got, &et, &e), 0);
    assert_int_equal(got, 8);
    /* virt: 0x0 is flash too, and holds the DTB QEMU put there */
    assert_int_equal(parse_x("virt-svc__x-4wx-0x0", 0, buf, sizeof buf, &got, &et, &e), 0);
    assert_int_equal(got, 16);
    assert_memory_equal(buf, "\xd0\x0d\xfe\xed", 4);
}

static void test_x_cannot_access(void **s)
{
    (void)s;
    uint8_t buf[64];
    size_t got;
    char *et;
    hvp_error e = { 0 };
    /* one line reads, the next crosses the end of RAM */
    assert_int_equal(parse_x("vexpress-svc__x-8wx-0x67fffff0", 0x67fffff0, buf, sizeof buf,
                             &got, &et, &e), HVP_E_TARGET);
    assert_int_equal(got, 16);
    assert_string_equal(et, "Cannot access memory");
    assert_non_null(strstr(e.msg, "0x68000000"));
    free(et);
    assert_int_equal(parse_x("vexpress-svc__xp-8wx-0x67fffff0", 0x67fffff0, buf, sizeof buf,
                             &got, &et, &e), HVP_E_TARGET);
    assert_int_equal(got, 16);
    free(et);
    assert_int_equal(parse_x("vexpress-svc__x-3wx-0xfffffff8", 0xfffffff8, buf, sizeof buf,
                             &got, &et, &e), HVP_E_TARGET);
    assert_int_equal(got, 0);
    assert_string_equal(et, "Cannot access memory");
    free(et);
    assert_int_equal(parse_x("vexpress-svc__xp-4wx-0x90000000", 0x90000000, buf, sizeof buf,
                             &got, &et, &e), HVP_E_TARGET);
    free(et);
    /* MMU on, VA 0 unmapped: x fails, xp reads the flash, VA 1 MiB maps */
    assert_int_equal(parse_x("vexpress-mmu__x-4wx-0x0", 0, buf, sizeof buf, &got, &et, &e),
                     HVP_E_TARGET);
    assert_int_equal(got, 0);
    free(et);
    assert_int_equal(parse_x("vexpress-mmu__xp-4wx-0x0", 0, buf, sizeof buf, &got, &et, &e), 0);
    assert_int_equal(got, 16);
    assert_null(et);
    assert_int_equal(parse_x("vexpress-mmu__x-4wx-0x100000", 0x100000, buf, sizeof buf, &got,
                             &et, &e), 0);
    assert_int_equal(parse_x("vexpress-pabt__x-8wx-0x0", 0, buf, sizeof buf, &got, &et, &e),
                     HVP_E_TARGET);
    free(et);
}

static void test_x_rejects(void **s)
{
    (void)s;
    uint8_t buf[64];
    size_t got;
    char *et = NULL;
    hvp_error e = { 0 };
    /* wrong start address */
    assert_int_equal(parse_x("vexpress-svc__xp-8wx-0x60000000", 0x60000004, buf, sizeof buf,
                             &got, &et, &e), HVP_E_INPUT);
    assert_null(et);
    /* more output than room */
    assert_int_equal(parse_x("vexpress-svc__xp-8wx-0x60000000", 0x60000000, buf, 20, &got,
                             &et, &e), HVP_E_INPUT);
    /* a gap between lines */
    const char *gap = "60000000: 0x00000001 0x00000002 0x00000003 0x00000004\n"
                      "60000020: 0x00000005\n";
    assert_int_equal(hmp_parse_x(gap, 0x60000000, buf, sizeof buf, &got, &et, &e), HVP_E_INPUT);
    assert_int_equal(got, 16);
    /* monitor errors without an address */
    assert_int_equal(hmp_parse_x("unknown command: 'xx'\n", 0, buf, sizeof buf, &got, &et, &e),
                     HVP_E_TARGET);
    assert_string_equal(et, "unknown command: 'xx'");
    free(et);
    /* other formats */
    assert_int_equal(hmp_parse_x("60000000: 1 2 3 4\n", 0x60000000, buf, sizeof buf, &got, &et,
                                 &e), HVP_E_INPUT);
    assert_int_equal(hmp_parse_x("0x60000000:  ea000006  b        #0x60000020\n", 0x60000000,
                                 buf, sizeof buf, &got, &et, &e), HVP_E_INPUT);
    assert_int_equal(hmp_parse_x("60000000: 0x06 0x0000\n", 0x60000000, buf, sizeof buf, &got,
                                 &et, &e), HVP_E_INPUT);
    assert_int_equal(hmp_parse_x("60000000: 0x0g\n", 0x60000000, buf, sizeof buf, &got, &et,
                                 &e), HVP_E_INPUT);
    /* empty output (x/0wx) is fine; NULL error_text is allowed */
    assert_int_equal(hmp_parse_x("", 0, buf, sizeof buf, &got, NULL, &e), 0);
    assert_int_equal(got, 0);
    assert_int_equal(hmp_parse_x("0: Cannot access memory\n", 0, buf, sizeof buf, &got, NULL,
                                 &e), HVP_E_TARGET);
}

/* ---- info mtree --------------------------------------------------------------- */

static const hmp_region *find(const hmp_region *r, size_t n, const char *name, int flat,
                              const char *as)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(r[i].name, name) && r[i].flat == flat &&
            (as ? hmp_region_in_as(&r[i], as) : r[i].address_space == NULL))
            return &r[i];
    return NULL;
}

static void test_mtree_vexpress(void **s)
{
    (void)s;
    char *t = fx("vexpress-svc__info-mtree");
    hmp_region *r;
    size_t n;
    hvp_error e = { 0 };
    assert_int_equal(hmp_parse_mtree(t, &r, &n, &e), 0);
    free(t);
    const hmp_region *fa = find(r, n, "vexpress.flashalias", 0, "memory");
    const hmp_region *lm = find(r, n, "vexpress.lowmem", 0, "memory");
    assert_non_null(fa);
    assert_non_null(lm);
    /* three address spaces share the tree */
    assert_string_equal(fa->address_space, "cpu-memory-0, cpu-secure-memory-0, memory");
    assert_true(hmp_region_in_as(fa, "cpu-secure-memory-0"));
    assert_false(hmp_region_in_as(fa, "cpu-memory"));
    /* the overlap at 0: same range, same priority, both aliases */
    assert_int_equal(fa->start, 0);
    assert_int_equal(fa->end, 0x3ffffff);
    assert_int_equal(lm->start, 0);
    assert_int_equal(lm->end, 0x3ffffff);
    assert_int_equal(fa->prio, lm->prio);
    assert_true(fa->is_alias && lm->is_alias);
    assert_string_equal(fa->alias_target, "vexpress.flash0");
    assert_string_equal(lm->alias_target, "vexpress.highmem");
    assert_string_equal(fa->kind, "romd");
    assert_string_equal(lm->kind, "ram");
    assert_int_equal(fa->alias_offset, 0);
    assert_int_equal(fa->depth, 1);
    assert_string_equal(fa->parent, "system");
    assert_true(fa->enabled);
    /* root, nesting, names with spaces */
    const hmp_region *sys = find(r, n, "system", 0, "memory");
    assert_int_equal(sys->depth, 0);
    assert_null(sys->parent);
    assert_int_equal(sys->end, UINT64_MAX);
    const hmp_region *scu = find(r, n, "a9-scu", 0, "memory");
    assert_int_equal(scu->depth, 2);
    assert_string_equal(scu->parent, "a9mp-priv-container");
    const hmp_region *gt = find(r, n, "a9gtimer shared", 0, "memory");
    assert_non_null(gt);
    assert_int_equal(gt->start, 0x1e000200);
    const hmp_region *io = find(r, n, "io", 0, "I/O");
    assert_non_null(io);
    assert_string_equal(io->address_space, "I/O");
    /* memory-region sections (alias targets) */
    const hmp_region *f0 = find(r, n, "vexpress.flash0", 0, NULL);
    assert_non_null(f0);
    assert_string_equal(f0->mr_section, "vexpress.flash0");
    assert_int_equal(f0->start, 0x40000000);
    const hmp_region *hm = find(r, n, "vexpress.highmem", 0, NULL);
    assert_string_equal(hm->mr_section, "vexpress.highmem");
    assert_int_equal(hm->end, 0x67ffffff);
    hmp_regions_free(r, n);
}

static void test_mtree_flat_vexpress_overlap(void **s)
{
    (void)s;
    char *t = fx("vexpress-svc__info-mtree-f");
    hmp_region *r;
    size_t n;
    hvp_error e = { 0 };
    assert_int_equal(hmp_parse_mtree(t, &r, &n, &e), 0);
    free(t);
    /* QEMU's answer for the 0x0 overlap: the flash wins */
    const hmp_region *w = hmp_flat_lookup(r, n, "memory", 0x8);
    assert_non_null(w);
    assert_string_equal(w->name, "vexpress.flash0");
    assert_string_equal(w->kind, "romd");
    assert_true(w->flat);
    assert_string_equal(w->parent, "system");
    assert_int_equal(w->alias_offset, 0);
    w = hmp_flat_lookup(r, n, "cpu-secure-memory-0", 0x60000000);
    assert_non_null(w);
    assert_string_equal(w->name, "vexpress.highmem");
    assert_null(hmp_flat_lookup(r, n, "memory", 0x50000000));
    assert_null(hmp_flat_lookup(r, n, "nosuch", 0x8));
    w = hmp_flat_lookup(r, n, "I/O", 0x10);
    assert_string_equal(w->name, "io");
    hmp_regions_free(r, n);
}

static void test_mtree_virt(void **s)
{
    (void)s;
    char *t = fx("virt-svc__info-mtree");
    hmp_region *r;
    size_t n;
    hvp_error e = { 0 };
    assert_int_equal(hmp_parse_mtree(t, &r, &n, &e), 0);
    free(t);
    const hmp_region *f0 = find(r, n, "virt.flash0", 0, "memory");
    assert_non_null(f0);
    assert_false(f0->is_alias);
    assert_int_equal(f0->start, 0);
    const hmp_region *pm = find(r, n, "pcie-mmio", 0, "cpu-memory-0");
    assert_true(pm->is_alias);
    assert_string_equal(pm->alias_target, "gpex_mmio_window");
    assert_int_equal(pm->alias_offset, 0x10000000);
    assert_int_equal(pm->start, 0x10000000);
    assert_int_equal(pm->end, 0x3efeffff);
    const hmp_region *hi = find(r, n, "pcie-mmio-high", 0, "memory");
    assert_int_equal(hi->start, 0x8000000000ULL);
    assert_int_equal(hi->alias_offset, 0x8000000000ULL);
    const hmp_region *pb = find(r, n, "platform bus", 0, "memory");
    assert_non_null(pb);
    const hmp_region *iop = find(r, n, "gpex_ioport", 0, "memory");
    assert_string_equal(iop->parent, "gpex_ioport_window");
    /* the "memory-region: system" section repeats the tree */
    size_t in_mr = 0;
    for (size_t i = 0; i < n; i++)
        in_mr += r[i].mr_section && !strcmp(r[i].mr_section, "system");
    assert_int_equal(in_mr, 51);
    hmp_regions_free(r, n);

    t = fx("virt-svc__info-mtree-f");
    assert_int_equal(hmp_parse_mtree(t, &r, &n, &e), 0);
    free(t);
    const hmp_region *w = hmp_flat_lookup(r, n, "memory", 0x20000000);
    assert_string_equal(w->name, "gpex_mmio_window");
    assert_int_equal(w->alias_offset, 0x10000000);   /* "@0000000010000000" */
    w = hmp_flat_lookup(r, n, "cpu-memory-0", 0);
    assert_string_equal(w->name, "virt.flash0");
    w = hmp_flat_lookup(r, n, "memory", 0x40000000);
    assert_string_equal(w->name, "mach-virt.ram");
    assert_string_equal(w->kind, "ram");
    /* "gpex-root" has no rendered view */
    assert_null(hmp_flat_lookup(r, n, "gpex-root", 0));
    hmp_regions_free(r, n);
}

static void test_mtree_synthetic_and_rejects(void **s)
{
    (void)s;
    hmp_region *r;
    size_t n;
    hvp_error e = { 0 };
    const char *t =
        "address-space: memory\n"
        "  0000000000000000-ffffffffffffffff (prio 0, i/o): system\n"
        "    0000000000000000-0000000000000fff (prio -1000, nv-ram): x [disabled]\n"
        "    0000000000001000-0000000000001fff (prio 5, ramd): alias a b @c d 0000000000000010-000000000000100f [disabled]\n"
        "\n"
        "FlatView #0\n"
        " AS \"memory\", root: system\n"
        " Root memory region: system\n"
        "  0000000000000000-0000000000000fff (prio 0, ram): rom0 @0000000000000100 [ROM]\n";
    assert_int_equal(hmp_parse_mtree(t, &r, &n, &e), 0);
    assert_int_equal(n, 4);
    assert_int_equal(r[1].prio, -1000);
    assert_string_equal(r[1].kind, "nv-ram");
    assert_false(r[1].enabled);
    assert_string_equal(r[1].name, "x");
    assert_true(r[2].is_alias);
    assert_string_equal(r[2].name, "a b");
    assert_string_equal(r[2].alias_target, "c d");
    assert_int_equal(r[2].alias_offset, 0x10);
    assert_false(r[2].enabled);
    assert_true(r[3].flat);
    assert_string_equal(r[3].name, "rom0");
    assert_int_equal(r[3].alias_offset, 0x100);
    assert_string_equal(r[3].tags, "ROM");
    hmp_regions_free(r, n);

    char *regs = fx("vexpress-svc__info-registers");
    assert_int_equal(hmp_parse_mtree(regs, &r, &n, &e), HVP_E_INPUT);
    assert_null(r);
    free(regs);
    assert_int_equal(hmp_parse_mtree("", &r, &n, &e), HVP_E_INPUT);
    assert_int_equal(hmp_parse_mtree("address-space: m\n  0000-zz (prio 0, ram): a\n", &r, &n, &e),
                     HVP_E_INPUT);
    assert_int_equal(hmp_parse_mtree("address-space: m\n  0000-0fff (prio x, ram): a\n", &r, &n, &e),
                     HVP_E_INPUT);
    assert_int_equal(hmp_parse_mtree("address-space: m\n  0000-0fff (prio 0, ram) a\n", &r, &n, &e),
                     HVP_E_INPUT);
    assert_int_equal(hmp_parse_mtree("address-space: m\n      0000-0fff (prio 0, ram): deep\n",
                                     &r, &n, &e), HVP_E_INPUT);
    assert_non_null(strstr(e.msg, "deep"));
    assert_int_equal(hmp_parse_mtree("  0000-0fff (prio 0, ram): orphan\n", &r, &n, &e),
                     HVP_E_INPUT);
    hmp_regions_free(NULL, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_regs_vexpress_secure_svc),
        cmocka_unit_test(test_regs_virt_no_el3),
        cmocka_unit_test(test_regs_virt_hyp),
        cmocka_unit_test(test_regs_exception_modes),
        cmocka_unit_test(test_regs_multi_cpu),
        cmocka_unit_test(test_regs_lf_and_headerless),
        cmocka_unit_test(test_regs_rejects),
        cmocka_unit_test(test_x_words_halfwords_bytes_giants),
        cmocka_unit_test(test_x_cannot_access),
        cmocka_unit_test(test_x_rejects),
        cmocka_unit_test(test_mtree_vexpress),
        cmocka_unit_test(test_mtree_flat_vexpress_overlap),
        cmocka_unit_test(test_mtree_virt),
        cmocka_unit_test(test_mtree_synthetic_and_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
