/* test_trace.c - the streaming trace parser (core/trace.h) on real QEMU 7.2
 * `-d int,guest_errors` logs and seL4 serial logs (tests/fixtures/trace,
 * see its README), on every way of splitting the input, and on hostile
 * input: garbage, NUL bytes, megabyte lines, a log cut mid-line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>

#include "core/trace.h"

static char fixtures[PATH_MAX];

/* Find tests/fixtures/trace from the current directory or upwards from
 * the test binary (build/<dir>/tests/test_trace). */
static int find_fixtures(void **state)
{
    (void)state;
    char exe[PATH_MAX], probe[PATH_MAX + 64];
    if (access("tests/fixtures/trace/README", R_OK) == 0) {
        snprintf(fixtures, sizeof fixtures, "tests/fixtures/trace");
        return 0;
    }
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return -1;
    exe[n] = '\0';
    for (int up = 0; up < 5; up++) {
        char *slash = strrchr(exe, '/');
        if (!slash)
            break;
        *slash = '\0';
        snprintf(probe, sizeof probe, "%s/tests/fixtures/trace/README", exe);
        if (access(probe, R_OK) == 0) {
            snprintf(fixtures, sizeof fixtures, "%.*s/tests/fixtures/trace",
                     (int)(sizeof fixtures - 32), exe);
            return 0;
        }
    }
    fprintf(stderr, "cannot find tests/fixtures/trace (run from the repository root)\n");
    return -1;
}

static char *slurp(const char *name, size_t *len)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s", fixtures, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    buf[n] = '\0';
    *len = (size_t)n;
    return buf;
}

/* Parse `data` fed in pieces of `chunk` bytes (0: all at once). */
static hvp_trace *parse_mem(const char *data, size_t len, size_t chunk, const hvp_trace_opts *o)
{
    hvp_trace *t = NULL;
    hvp_error err = { 0 };
    assert_int_equal(hvp_trace_new(o, &t, &err), HVP_OK);
    if (!chunk)
        chunk = len ? len : 1;
    for (size_t off = 0; off < len; off += chunk)
        assert_int_equal(hvp_trace_feed(t, data + off, len - off < chunk ? len - off : chunk, &err), 0);
    assert_int_equal(hvp_trace_finish(t, &err), 0);
    return t;
}

static hvp_trace *parse_fixture(const char *name, size_t chunk)
{
    size_t len;
    char *data = slurp(name, &len);
    hvp_trace *t = parse_mem(data, len, chunk, NULL);
    free(data);
    return t;
}

static hvp_trace *parse_str(const char *s, const hvp_trace_opts *o)
{
    return parse_mem(s, strlen(s), 0, o);
}

static char *render(const hvp_trace *t, int json)
{
    hvp_buf b = { 0 };
    hvp_error err = { 0 };
    int rc = json ? hvp_trace_render_json(t, "x.log", &b, &err) : hvp_trace_render_text(t, "x.log", &b, &err);
    assert_int_equal(rc, HVP_OK);
    return hvp_buf_steal(&b);
}

/* ---- real QEMU logs ---------------------------------------------------- */

/* mmu-virt: SVC, a Prefetch Abort at IFAR 0x8, then a storm at 0xc. */
static void test_mmu_virt(void **state)
{
    (void)state;
    hvp_trace *t = parse_fixture("qemu-mmu-virt.log", 0);
    const hvp_trace_summary *s = hvp_trace_summary_get(t);
    assert_int_equal(s->lines, 5003);
    assert_int_equal(s->recognised, 5003);
    assert_int_equal(s->exc_count[2], 1);
    assert_string_equal(s->exc_name[2], "SVC");
    assert_int_equal(s->exc_count[3], 1250);
    assert_string_equal(s->exc_name[3], "Prefetch Abort");
    assert_int_equal(s->faults, 1250);
    assert_true(s->have_first_fault);
    const hvp_trace_event *f = &s->first_fault;
    assert_int_equal(f->line, 4);
    assert_int_equal(f->excno, 3);
    assert_int_equal(f->cpu, 0);
    assert_int_equal(f->from_el, 1);
    assert_int_equal(f->to_el, 1);
    assert_true(f->have & HVP_TEV_ESR);
    assert_int_equal(f->esr_ec, 0x21);
    assert_int_equal(f->esr, 0x8600003f);
    assert_int_equal(f->fsr, 0x5);
    assert_true(f->fsr_is_ifsr);
    assert_string_equal(f->far_name, "IFAR");
    assert_int_equal(f->far, 0x8);
    assert_true(s->have_fault_cause);
    assert_string_equal(s->fault_cause.name, "SVC");
    assert_int_equal(s->nloops, 1);
    assert_int_equal(s->loops[0].period, 1);
    assert_int_equal(s->loops[0].repeats, 1249);
    assert_int_equal(s->loops[0].start_line, 8);
    assert_int_equal(s->loops[0].end_line, 5000);
    assert_int_equal(s->loops[0].returns, 0);
    assert_int_equal(s->loops[0].cycle[0].far, 0xc);
    assert_int_equal(s->timeline_len, 20);
    assert_int_equal(s->timeline[0].excno, 2);
    assert_int_equal(s->timeline[1].far, 0x8);
    assert_int_equal(s->timeline[2].far, 0xc);

    char *text = render(t, 0);
    assert_non_null(strstr(text, "first fault (line 4): Prefetch Abort at IFAR 0x8, IFSR 0x5 (translation fault, section)"));
    assert_non_null(strstr(text, "loop: Prefetch Abort at IFAR 0xc repeated 1249 times, starting at line 8"));
    assert_non_null(strstr(text, "the SVC vector with the vector base at 0x0"));
    assert_non_null(strstr(text, "Prefetch Abort vector (0xc) cannot be fetched"));
    free(text);
    hvp_trace_free(t);
}

/* mmu-vexpress: the same storm in Secure state, EL3 -> EL3. */
static void test_mmu_vexpress(void **state)
{
    (void)state;
    hvp_trace *t = parse_fixture("qemu-mmu-vexpress.log", 0);
    const hvp_trace_summary *s = hvp_trace_summary_get(t);
    assert_int_equal(s->exc_count[3], 100);
    assert_int_equal(s->first_fault.from_el, 3);
    assert_int_equal(s->first_fault.far, 0x8);
    assert_int_equal(s->nloops, 0);                  /* 99 repeats: not more than 100 */
    hvp_trace_free(t);

    hvp_trace_opts o = { .first_n = 5, .loop_threshold = 98 };
    size_t len;
    char *data = slurp("qemu-mmu-vexpress.log", &len);
    t = parse_mem(data, len, 0, &o);
    s = hvp_trace_summary_get(t);
    assert_int_equal(s->nloops, 1);
    assert_int_equal(s->loops[0].repeats, 99);
    assert_int_equal(s->timeline_len, 5);
    hvp_trace_free(t);
    o.loop_threshold = 99;                           /* "more than": 99 is not */
    t = parse_mem(data, len, 0, &o);
    assert_int_equal(hvp_trace_summary_get(t)->nloops, 0);
    hvp_trace_free(t);
    free(data);
}

/* hivecs-virt: SCTLR.V=1, every fetch at 0xffff00xx is rejected by the bus
 * (guest_errors) and raises a synchronous external abort. */
static void test_hivecs_virt(void **state)
{
    (void)state;
    hvp_trace *t = parse_fixture("qemu-hivecs-virt.log", 0);
    const hvp_trace_summary *s = hvp_trace_summary_get(t);
    assert_int_equal(s->exc_count[3], 500);
    assert_int_equal(s->kind_count[HVP_TRACE_BAD_ACCESS], 500);
    assert_int_equal(s->bad_guest, 500);
    assert_int_equal(s->bad_other, 0);
    assert_int_equal(s->first_fault.far, 0xffff0008);
    assert_int_equal(s->first_fault.fsr, 0x8);
    assert_int_equal(s->nloops, 1);
    assert_int_equal(s->loops[0].period, 1);        /* invalid accesses are not loop events */
    assert_int_equal(s->loops[0].cycle[0].far, 0xffff000c);
    assert_int_equal(s->timeline[1].kind, HVP_TRACE_BAD_ACCESS);
    assert_int_equal(s->timeline[1].far, 0xffff0008);
    assert_int_equal(s->timeline[1].size, 4);
    assert_string_equal(s->timeline[1].access, "read");
    assert_string_equal(s->timeline[1].region, "(null)");
    assert_string_equal(s->timeline[1].reason, "rejected");
    char *text = render(t, 0);
    assert_non_null(strstr(text, "synchronous external abort"));
    assert_non_null(strstr(text, "vector base at 0xffff0000"));
    free(text);
    hvp_trace_free(t);
}

/* hivecs-vexpress: no abort at all, the CPU slides through rejected reads. */
static void test_hivecs_vexpress_sweep(void **state)
{
    (void)state;
    hvp_trace *t = parse_fixture("qemu-hivecs-vexpress.log", 0);
    const hvp_trace_summary *s = hvp_trace_summary_get(t);
    assert_int_equal(s->faults, 0);
    assert_int_equal(s->kind_count[HVP_TRACE_BAD_ACCESS], 1000);
    assert_int_equal(s->bad_other, 1000);
    assert_int_equal(s->sweep_count, 1000);
    assert_int_equal(s->sweep_first, 0xffff0008);
    assert_int_equal(s->sweep_last, 0xffff0008 + 999 * 4);
    assert_int_equal(s->sweep_line, 4);
    assert_true(s->have_first_bad_other);
    assert_int_equal(s->first_bad_other.line, 4);
    char *text = render(t, 0);
    assert_non_null(strstr(text, "consecutive addresses 0xffff0008..0xffff0fa4"));
    assert_non_null(strstr(text, "debugger's or monitor's own reads"));
    free(text);
    hvp_trace_free(t);
}

/* low-virt: VBAR 0, the DTB at 0x0 is not code: Undefined Instruction loop
 * with no address in the log. */
static void test_low_virt(void **state)
{
    (void)state;
    hvp_trace *t = parse_fixture("qemu-low-virt.log", 0);
    const hvp_trace_summary *s = hvp_trace_summary_get(t);
    assert_int_equal(s->exc_count[1], 1000);
    assert_string_equal(s->exc_name[1], "Undefined Instruction");
    assert_int_equal(s->first_fault.excno, 1);
    assert_false(s->first_fault.have & HVP_TEV_FAR);
    assert_int_equal(s->nloops, 1);
    assert_int_equal(s->loops[0].repeats, 1000);
    assert_int_equal(s->loops[0].start_line, 4);
    char *text = render(t, 0);
    assert_non_null(strstr(text, "loop: Undefined Instruction (no address logged, ESR 0x0/0x2000000) repeated 1000 times"));
    assert_non_null(strstr(text, "came straight after SVC"));
    free(text);
    hvp_trace_free(t);
}

static void test_vbar_and_undef(void **state)
{
    (void)state;
    hvp_trace *t = parse_fixture("qemu-vbar-virt.log", 0);
    const hvp_trace_summary *s = hvp_trace_summary_get(t);
    assert_int_equal(s->lines, 3);
    assert_int_equal(s->exc_count[2], 1);
    assert_int_equal(s->timeline[0].esr, 0x46000000);
    assert_int_equal(s->faults, 0);
    assert_false(s->have_first_fault);
    char *text = render(t, 0);
    assert_non_null(strstr(text, "no faults"));
    free(text);
    hvp_trace_free(t);

    t = parse_fixture("qemu-undef-virt.log", 0);
    s = hvp_trace_summary_get(t);
    assert_int_equal(s->faults, 1);
    assert_int_equal(s->first_fault.excno, 1);
    assert_int_equal(s->first_fault.line, 4);
    assert_int_equal(s->nloops, 0);
    hvp_trace_free(t);
}

/* modes: mode switches, returns, an attributed invalid read + Data Abort;
 * the same run logged with cpu,exec,in_asm,mmu mixed in must give the same
 * events (only the line numbers differ). */
static void test_modes_and_mixed(void **state)
{
    (void)state;
    hvp_trace *a = parse_fixture("qemu-modes-virt.log", 0);
    hvp_trace *b = parse_fixture("qemu-modes-mixed.log", 0);
    const hvp_trace_summary *s = hvp_trace_summary_get(a), *m = hvp_trace_summary_get(b);
    assert_int_equal(s->kind_count[HVP_TRACE_MODE_SWITCH], 3);
    assert_int_equal(s->kind_count[HVP_TRACE_EXC_RETURN], 4);
    assert_int_equal(s->exc_count[4], 1);
    assert_int_equal(s->bad_guest, 1);
    assert_int_equal(s->bad_other, 0);
    const hvp_trace_event *e = &s->timeline[0];
    assert_int_equal(e->kind, HVP_TRACE_MODE_SWITCH);
    assert_string_equal(e->from_mode, "svc");
    assert_string_equal(e->to_mode, "sys");
    assert_int_equal(e->pc, 0x40000030);
    e = &s->timeline[4];
    assert_int_equal(e->kind, HVP_TRACE_EXC_RETURN);
    assert_int_equal(e->pc, 0x4000004c);
    assert_int_equal(s->first_fault.excno, 4);
    assert_string_equal(s->first_fault.far_name, "DFAR");
    assert_int_equal(s->first_fault.far, 0xe000000);
    assert_int_equal(s->first_fault.fsr, 0x8);
    assert_false(s->first_fault.fsr_is_ifsr);
    assert_int_equal(s->first_fault.from_el, 0);
    assert_false(s->have_fault_cause);             /* the SVC had returned */
    /* last line: "Exception return ... PC 0x40000060qemu-system-arm: terminating ..." */
    assert_int_equal(s->timeline[s->timeline_len - 1].pc, 0x40000060);

    assert_true(m->lines > 200);
    assert_int_equal(m->recognised, s->recognised);
    assert_int_equal(m->timeline_len, s->timeline_len);
    for (size_t i = 0; i < s->timeline_len; i++) {
        hvp_trace_event x, y;
        memcpy(&x, &s->timeline[i], sizeof x);
        memcpy(&y, &m->timeline[i], sizeof y);
        x.line = y.line = 0;
        assert_memory_equal(&x, &y, sizeof x);
    }
    char *text = render(a, 0);
    assert_non_null(strstr(text, "handlers ran and returned"));
    free(text);
    hvp_trace_free(a);
    hvp_trace_free(b);
}

/* gdb's own reads of unmapped memory are logged like the guest's. */
static void test_debugger_reads(void **state)
{
    (void)state;
    hvp_trace *t = parse_fixture("qemu-debugger-reads.log", 0);
    const hvp_trace_summary *s = hvp_trace_summary_get(t);
    assert_int_equal(s->kind_count[HVP_TRACE_BAD_ACCESS], 2);
    assert_int_equal(s->bad_other, 2);
    assert_int_equal(s->first_bad_other.far, 0xffff0000);
    assert_int_equal(s->sweep_count, 1);
    hvp_trace_free(t);
}

/* ---- seL4 serial logs ------------------------------------------------ */

static void test_sel4_vmm(void **state)
{
    (void)state;
    hvp_trace *t = parse_fixture("sel4-vmm-serial.log", 0);
    const hvp_trace_summary *s = hvp_trace_summary_get(t);
    assert_int_equal(s->kind_count[HVP_TRACE_VMM_FAULT], 1);
    const hvp_trace_event *f = &s->first_fault;
    assert_int_equal(f->kind, HVP_TRACE_VMM_FAULT);
    assert_int_equal(f->line, 10);
    assert_string_equal(f->vm, "vm0");
    assert_string_equal(f->access, "read");
    assert_string_equal(f->name, "prefetch fault");
    assert_true(f->fsr_is_ifsr);
    assert_int_equal(f->pc, 0x8);
    assert_string_equal(f->far_name, "IPA");
    assert_int_equal(f->far, 0x8);
    assert_int_equal(f->fsr, 0x6);
    assert_true(f->have & HVP_TEV_CONTEXT);
    assert_int_equal(f->pstate, 0x600001d3);
    assert_int_equal(f->lr, 0x60000f04);
    assert_int_equal(f->sp, 0x60014000);
    assert_int_equal(s->recognised, 19);            /* report + Context: + 17 registers */
    char *text = render(t, 0);
    assert_non_null(strstr(text, "seL4 VMM: [vm0] read prefetch fault at PC 0x8, IPA 0x8, FSR 0x6"));
    assert_non_null(strstr(text, "the SVC vector"));
    free(text);
    hvp_trace_free(t);
}

/* The VMM's on-demand mappings (VmOnDemandDeviceInstall, CR-LF line ends
 * as the real console writes them): resolved stage-2 faults, in the
 * timeline before the fault it could not resolve, and never faults. */
static void test_sel4_on_demand(void **state)
{
    (void)state;
    hvp_trace *t = parse_str("Loading Kernel: 'linux'\r\n"
                             "OnDemandInstall: Created device-backed memory for addr 0x9000000\r\n"
                             "guest: hello\r\n"
                             "OnDemandInstall: Created RAM-backed memory for addr 0x8040000\r\n"
                             "--------\r\n"
                             "\033[31;1mPagefault from [vm0]: read prefetch fault @ PC: 0x8 IPA: 0x8, FSR: 0x6\r\n"
                             "Halting...\r\n", NULL);
    const hvp_trace_summary *s = hvp_trace_summary_get(t);
    assert_int_equal(s->kind_count[HVP_TRACE_VMM_MAP], 2);
    assert_int_equal(s->faults, 1);
    assert_int_equal(s->first_fault.kind, HVP_TRACE_VMM_FAULT);
    assert_int_equal(s->first_fault.line, 6);
    assert_string_equal(hvp_trace_kind_name(HVP_TRACE_VMM_MAP), "vmm-map");
    char *text = render(t, 0);
    const char *a = strstr(text, "2  seL4 VMM: mapped device memory on demand at IPA 0x9000000 (a guest stage-2 "
                                 "fault it resolved)");
    const char *b = strstr(text, "4  seL4 VMM: mapped RAM memory on demand at IPA 0x8040000");
    const char *c = strstr(text, "6  seL4 VMM: [vm0] read prefetch fault at PC 0x8, IPA 0x8");
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(c);
    assert_true(a < b && b < c);
    free(text);
    hvp_trace_free(t);
}

static void test_sel4_kernel(void **state)
{
    (void)state;
    hvp_trace *t = parse_fixture("sel4-kernel-serial.log", 0);
    const hvp_trace_summary *s = hvp_trace_summary_get(t);
    assert_int_equal(s->kind_count[HVP_TRACE_OLD_PAGE_FAULT], 1);
    assert_int_equal(s->kind_count[HVP_TRACE_KERNEL_VM_FAULT], 2);
    assert_int_equal(s->halt_line, 12);
    assert_int_equal(s->first_fault.kind, HVP_TRACE_OLD_PAGE_FAULT);
    assert_int_equal(s->first_fault.pc, 0x8);
    const hvp_trace_event *k = &s->timeline[1];
    assert_string_equal(k->name, "code");
    assert_true(k->fsr_is_ifsr);
    assert_int_equal(k->far, 0x8);
    assert_int_equal(k->fsr, 0x6);
    assert_int_equal(k->pc, 0x8);                    /* from "in thread ... at address" */
    k = &s->timeline[2];
    assert_string_equal(k->name, "data");
    assert_int_equal(k->far, 0x1c090000);
    assert_int_equal(k->pc, 0x60000f20);
    char *text = render(t, 0);
    assert_non_null(strstr(text, "HSR: "));         /* 0x93c08006 has an exception class */
    assert_non_null(strstr(text, "Halting"));
    free(text);
    hvp_trace_free(t);
}

/* ---- streaming ---------------------------------------------------------- */

static void same_summary(const hvp_trace_summary *a, const hvp_trace_summary *b)
{
    assert_int_equal(a->lines, b->lines);
    assert_int_equal(a->bytes, b->bytes);
    assert_int_equal(a->recognised, b->recognised);
    assert_memory_equal(a->kind_count, b->kind_count, sizeof a->kind_count);
    assert_memory_equal(a->exc_count, b->exc_count, sizeof a->exc_count);
    assert_int_equal(a->nloops, b->nloops);
    for (size_t i = 0; i < a->nloops; i++) {
        assert_int_equal(a->loops[i].repeats, b->loops[i].repeats);
        assert_int_equal(a->loops[i].start_line, b->loops[i].start_line);
    }
    assert_int_equal(a->timeline_len, b->timeline_len);
    assert_memory_equal(a->timeline, b->timeline, a->timeline_len * sizeof a->timeline[0]);
    assert_memory_equal(&a->first_fault, &b->first_fault, sizeof a->first_fault);
}

/* Any split of the bytes gives the same result, also via hvp_trace_line. */
static void test_chunking(void **state)
{
    (void)state;
    static const char *const names[] = {
        "qemu-hivecs-virt.log", "qemu-modes-mixed.log", "sel4-vmm-serial.log", "sel4-kernel-serial.log",
    };
    static const size_t chunks[] = { 1, 3, 7, 64, 4095, 65536 };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        size_t len;
        char *data = slurp(names[i], &len);
        hvp_trace *whole = parse_mem(data, len, 0, NULL);
        for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
            hvp_trace *t = parse_mem(data, len, chunks[c], NULL);
            same_summary(hvp_trace_summary_get(whole), hvp_trace_summary_get(t));
            hvp_trace_free(t);
        }
        hvp_trace *t = NULL;
        assert_int_equal(hvp_trace_new(NULL, &t, NULL), 0);
        for (char *p = data, *nl; p < data + len; p = nl + 1) {
            nl = memchr(p, '\n', (size_t)(data + len - p));
            if (!nl)
                nl = data + len;
            assert_int_equal(hvp_trace_line(t, p, (size_t)(nl - p), NULL), 0);
        }
        assert_int_equal(hvp_trace_finish(t, NULL), 0);
        same_summary(hvp_trace_summary_get(whole), hvp_trace_summary_get(t));
        hvp_trace_free(t);
        hvp_trace_free(whole);
        free(data);
    }
}

/* A 2 MiB line is cut at the buffer, counted, and does not hide the next. */
static void test_long_line(void **state)
{
    (void)state;
    size_t big = 2u << 20;
    char *data = malloc(big + 200);
    assert_non_null(data);
    memset(data, 'x', big);
    memcpy(data, "Taking exception 3 [Prefetch Abort] on CPU 0", 44);
    strcpy(data + big, "\n...with IFSR 0x5 IFAR 0xc\nTaking exception 2 [SVC] on CPU 0\n");
    hvp_trace_opts o = { .first_n = 4, .max_line = 256 };
    hvp_trace *t = parse_mem(data, strlen(data), 4096, &o);
    const hvp_trace_summary *s = hvp_trace_summary_get(t);
    assert_int_equal(s->lines, 3);
    assert_int_equal(s->long_lines, 1);
    assert_int_equal(s->exc_count[3], 1);
    assert_int_equal(s->first_fault.far, 0xc);      /* the cut line still started an event */
    assert_int_equal(s->exc_count[2], 1);
    hvp_trace_free(t);
    free(data);
}

/* Random bytes, NULs, half lines: nothing found, nothing crashes. */
static void test_garbage(void **state)
{
    (void)state;
    size_t n = 1 << 20;
    unsigned char *data = malloc(n);
    assert_non_null(data);
    srand(42);
    for (size_t i = 0; i < n; i++)
        data[i] = (unsigned char)rand();
    hvp_trace *t = parse_mem((char *)data, n, 1000, NULL);
    const hvp_trace_summary *s = hvp_trace_summary_get(t);
    assert_int_equal(s->recognised, 0);
    assert_int_equal(s->bytes, n);
    char *text = render(t, 0);
    assert_non_null(strstr(text, "nothing recognised"));
    free(text);
    hvp_trace_free(t);
    free(data);

    static const char *const tricky[] = {
        "Taking exception \n", "Taking exception 99999999999999 [\n", "Taking exception 3 [no close\n",
        "...with ESR 0x\n", "...with IFSR\n", "...from EL\n", "Invalid read at addr\n",
        "AArch32 mode switch from \n", "Exception return from AArch32 svc to\n",
        "Pagefault from [\n", "Pagefault from [vm0]: \n", "OnDemandInstall: Created \n",
        "OnDemandInstall: Created RAM-backed memory for addr 0x\n", "Page Fault at PC:\n", "vm fault on \n",
        "Context:\n", "r0:\n", "\033[\n", "\033[1;31", "...\n", "Taking exception 3 [X] on CPU 0\n...with ESR 0x1/\n",
    };
    for (size_t i = 0; i < sizeof tricky / sizeof tricky[0]; i++) {
        t = parse_str(tricky[i], NULL);
        text = render(t, 1);
        json_t *j = json_loads(text, 0, NULL);
        assert_non_null(j);
        json_decref(j);
        free(text);
        hvp_trace_free(t);
    }
}

/* A period-2 cycle, a loop that ends and another that starts, and the
 * bounded list of loops. */
static void test_cycles(void **state)
{
    (void)state;
    hvp_buf b = { 0 };
    for (int i = 0; i < 50; i++)
        hvp_buf_printf(&b, "Taking exception 4 [Data Abort] on CPU 0\n...with DFSR 0x5 DFAR 0x100\n"
                           "Taking exception 3 [Prefetch Abort] on CPU 0\n...with IFSR 0x5 IFAR 0x200\n");
    for (int i = 0; i < 30; i++)
        hvp_buf_printf(&b, "Taking exception 1 [Undefined Instruction] on CPU 0\n"
                           "Exception return from AArch32 und to svc PC 0x40000010\n");
    hvp_trace_opts o = { .first_n = 1, .loop_threshold = 10 };
    hvp_trace *t = parse_mem(b.data, b.len, 0, &o);
    const hvp_trace_summary *s = hvp_trace_summary_get(t);
    assert_int_equal(s->nloops, 2);
    assert_int_equal(s->loops[0].period, 2);
    assert_int_equal(s->loops[0].repeats, 50);
    assert_int_equal(s->loops[0].start_line, 1);
    assert_int_equal(s->loops[0].cycle[0].far, 0x100);
    assert_int_equal(s->loops[0].cycle[1].far, 0x200);
    assert_int_equal(s->loops[1].period, 1);
    assert_int_equal(s->loops[1].repeats, 30);
    assert_int_equal(s->loops[1].returns, 29);
    char *text = render(t, 0);
    assert_non_null(strstr(text, "loop: a cycle of 2 exceptions (Data Abort at DFAR 0x100, Prefetch Abort at IFAR 0x200) repeated 50 times"));
    assert_non_null(strstr(text, "29 exception returns in between"));
    free(text);
    hvp_trace_free(t);

    hvp_buf_reset(&b);
    for (int k = 0; k < 20; k++)
        for (int i = 0; i < 5; i++)
            hvp_buf_printf(&b, "Taking exception 3 [Prefetch Abort] on CPU 0\n...with IFSR 0x5 IFAR 0x%x\n", k * 4);
    o.loop_threshold = 3;
    t = parse_mem(b.data, b.len, 0, &o);
    s = hvp_trace_summary_get(t);
    assert_int_equal(s->nloops, HVP_TRACE_MAX_LOOPS);
    assert_int_equal(s->loops_dropped, 20 - HVP_TRACE_MAX_LOOPS);
    hvp_trace_free(t);
    hvp_buf_free(&b);
}

static int stop_at_second(const hvp_trace_event *e, void *arg)
{
    (void)e;
    return ++*(int *)arg == 2 ? 7 : 0;
}

static void test_api(void **state)
{
    (void)state;
    hvp_error err = { 0 };
    hvp_trace *t = NULL;
    assert_int_equal(hvp_trace_new(NULL, NULL, &err), HVP_E_INVAL);
    int calls = 0;
    hvp_trace_opts o = { .on_event = stop_at_second, .arg = &calls };
    assert_int_equal(hvp_trace_new(&o, &t, &err), 0);
    const char *log = "Taking exception 2 [SVC] on CPU 0\nTaking exception 2 [SVC] on CPU 0\n"
                      "Taking exception 2 [SVC] on CPU 0\nTaking exception 2 [SVC] on CPU 0\n";
    assert_int_equal(hvp_trace_feed(t, log, strlen(log), &err), 7);
    assert_int_equal(calls, 2);
    assert_int_equal(hvp_trace_finish(t, &err), 7);
    hvp_trace_free(t);

    assert_int_equal(hvp_trace_new(NULL, &t, &err), 0);
    /* a last line without '\n' is still read (QEMU killed mid-write) */
    log = "Taking exception 2 [SVC] on CPU 0qemu-system-arm: terminating on signal 15";
    assert_int_equal(hvp_trace_feed(t, log, strlen(log), &err), 0);
    assert_int_equal(hvp_trace_finish(t, &err), 0);
    assert_int_equal(hvp_trace_summary_get(t)->exc_count[2], 1);
    assert_int_equal(hvp_trace_summary_get(t)->lines, 1);
    assert_int_equal(hvp_trace_feed(t, "x", 1, &err), HVP_E_INVAL);
    assert_int_equal(err.code, HVP_E_INVAL);
    assert_int_equal(hvp_trace_line(t, "x", 1, NULL), HVP_E_INVAL);
    hvp_trace_free(t);
    hvp_trace_free(NULL);
    assert_string_equal(hvp_trace_kind_name(HVP_TRACE_VMM_FAULT), "vmm-fault");
    assert_string_equal(hvp_trace_kind_name((hvp_trace_kind)99), "unknown");
}

/* The JSON document parses and carries the essentials. */
static void test_json(void **state)
{
    (void)state;
    hvp_trace *t = parse_fixture("qemu-mmu-virt.log", 0);
    char *text = render(t, 1);
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    assert_non_null(j);
    assert_int_equal(json_integer_value(json_object_get(j, "faults")), 1250);
    json_t *ff = json_object_get(j, "first_fault");
    assert_string_equal(json_string_value(json_object_get(ff, "far")), "0x8");
    assert_string_equal(json_string_value(json_object_get(ff, "fsr_decoded")), "translation fault, section");
    json_t *loop = json_array_get(json_object_get(j, "loops"), 0);
    assert_int_equal(json_integer_value(json_object_get(loop, "repeats")), 1249);
    assert_int_equal(json_integer_value(json_object_get(loop, "start_line")), 8);
    assert_int_equal(json_array_size(json_object_get(j, "timeline")), 20);
    assert_true(json_array_size(json_object_get(j, "reading")) >= 2);
    json_t *ex = json_array_get(json_object_get(j, "exceptions"), 1);
    assert_string_equal(json_string_value(json_object_get(ex, "name")), "Prefetch Abort");
    json_decref(j);
    free(text);
    hvp_trace_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mmu_virt),
        cmocka_unit_test(test_mmu_vexpress),
        cmocka_unit_test(test_hivecs_virt),
        cmocka_unit_test(test_hivecs_vexpress_sweep),
        cmocka_unit_test(test_low_virt),
        cmocka_unit_test(test_vbar_and_undef),
        cmocka_unit_test(test_modes_and_mixed),
        cmocka_unit_test(test_debugger_reads),
        cmocka_unit_test(test_sel4_vmm),
        cmocka_unit_test(test_sel4_on_demand),
        cmocka_unit_test(test_sel4_kernel),
        cmocka_unit_test(test_chunking),
        cmocka_unit_test(test_long_line),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_cycles),
        cmocka_unit_test(test_api),
        cmocka_unit_test(test_json),
    };
    return cmocka_run_group_tests(tests, find_fixtures, NULL);
}
