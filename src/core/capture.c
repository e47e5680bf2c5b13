/*
 * capture.c - hvp_capture(): drive a live target (target/target.h) and
 * fill a snapshot.  Order matters:
 *   1. monitor channels first, read the run state (gdb attach would halt);
 *   2. halt; attach the gdbstub;
 *   3. facts, core registers, system registers, memory at every vector
 *      base candidate (virtual and physical), memory map;
 *   4. resume only what we halted.
 */
#include "hvprobe/capture.h"
#include "arch/arm/disasm.h"
#include "arch/arm/exc_model.h"
#include "arch/arm/guest_view.h"
#include "target/target.h"
#include "core/capture_internal.h"
#include "core/ram_image.h"
#include "util/clock.h"
#include "util/le.h"
#include "core/memmap.h"
#include "core/placement.h"
#include "elf/elf_image.h"
#include "transport/hmp_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Names as QEMU 7.2's gdbstub spells them (cortex-a9, cortex-a15, with
 * and without EL2/EL3); absent names are simply skipped. */
const char *const hvp_capture_sysreg_names[] = {
    "SCTLR", "SCTLR_S", "VBAR", "VBAR_S", "MVBAR", "MVBAR_S",
    "HVBAR", "VBAR_EL2", "HSCTLR", "SCTLR_EL2",
    "TTBR0", "TTBR0_S", "TTBR0_EL1", "TTBR0_EL1_S",
    "TTBR1", "TTBR1_S", "TTBR1_EL1", "TTBR1_EL1_S",
    "TTBCR", "TTBCR_S", "DACR", "DACR_S",
    "DFSR", "DFSR_S", "IFSR", "IFSR_S", "DFAR", "DFAR_S", "IFAR", "IFAR_S",
    "HSR", "ESR_EL2", "HDFAR", "HIFAR", "FAR_EL2", "HPFAR",
    "VTTBR", "VTCR", "HCR", "HCR_EL2", "HTTBR", "HTCR", "TCR_EL2",
    "SCR", "SCR_S", "NSACR", "CONTEXTIDR", "CONTEXTIDR_S", "CONTEXTIDR_EL1",
    "PAR", "PAR_S", "MAIR0", "MAIR0_S", "MAIR1", "MAIR1_S",
    NULL
};

static const char *const core_names[17] = {
    "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10",
    "r11", "r12", "sp", "lr", "pc", "cpsr"
};

#define VEC_LEN 64u

static void note(const hvp_capture_opts *o, const char *fmt, const char *arg)
{
    if (!o->note)
        return;
    char buf[512];
    snprintf(buf, sizeof buf, fmt, arg);
    o->note(o->note_ctx, buf);
}

static char *iso_now(void)
{
    char buf[32];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return strdup(buf);
}

/* Core registers from the gdbstub, or else from `info registers`
 * (*info_regs: the monitor's text, fetched here when the gdbstub could
 * not give them and none was passed in; the caller frees it). */
static int capture_core(hvp_target *t, hvp_snapshot *s, char **info_regs, hvp_error *err)
{
    hvp_cpu_state *c = &s->cpu;
    if (hvp_target_channels(t) & HVP_CH_GDB) {
        uint64_t v[17];
        int ok[17];
        int rc = hvp_target_read_regs(t, core_names, 17, v, ok, err);
        if (rc)
            return rc;
        int all = 1;
        for (int i = 0; i < 17; i++)
            all &= ok[i];
        if (all) {
            for (int i = 0; i < 16; i++)
                c->r[i] = (uint32_t)v[i];
            c->cpsr = (uint32_t)v[16];
            c->have_core = 1;
            c->source = strdup("gdb");
        }
    }
    if (!c->have_core && !*info_regs)
        hvp_target_monitor(t, "info registers", info_regs, NULL);
    hmp_regs hr;
    if (*info_regs && !hmp_parse_registers(*info_regs, &hr, NULL)) {
        if (!c->have_core) {
            memcpy(c->r, hr.r, sizeof c->r);
            c->cpsr = hr.psr;
            c->have_core = 1;
            c->source = strdup("info registers");
        }
        if (hr.secure >= 0) {
            c->secure = hr.secure ? HVP_YES : HVP_NO;
            c->secure_source = strdup("info registers (PSR line shows S/NS)");
        }
    }
    if (!c->have_core)
        hvp_snapshot_add_unknown(s, "cpu.registers", "needs the gdbstub (--gdb) or a monitor channel (--qmp/--hmp)");
    return HVP_OK;
}

static void capture_sysregs(hvp_target *t, hvp_snapshot *s)
{
    if (!(hvp_target_channels(t) & HVP_CH_GDB)) {
        hvp_snapshot_add_unknown(s, "cp15", "CP15 registers are only exposed by the gdbstub (--gdb)");
        return;
    }
    const char *names[64];
    size_t n = 0;
    for (size_t i = 0; hvp_capture_sysreg_names[i] && n < 64; i++)
        if (hvp_target_reg_bits(t, hvp_capture_sysreg_names[i]))
            names[n++] = hvp_capture_sysreg_names[i];
    uint64_t vals[64];
    int ok[64];
    if (n && hvp_target_read_regs(t, names, n, vals, ok, NULL) == HVP_OK)
        for (size_t i = 0; i < n; i++)
            if (ok[i])
                hvp_snapshot_add_reg(s, names[i], vals[i], hvp_target_reg_bits(t, names[i]));
    /* Security state from SCR.NS when the monitor did not show it. */
    if (s->cpu.secure == HVP_UNKNOWN && s->cpu.have_core) {
        const hvp_reg *scr = arm_reg_any(s, "SCR", "SCR_S");
        if ((s->cpu.cpsr & 0x1f) == 0x16) {
            s->cpu.secure = HVP_YES;
            s->cpu.secure_source = strdup("Monitor mode is always Secure");
        } else if (scr) {
            s->cpu.secure = (scr->value & 1) ? HVP_NO : HVP_YES;
            s->cpu.secure_source = strdup("SCR.NS");
        } else {
            s->cpu.secure = HVP_NO;
            s->cpu.secure_source = strdup("no SCR register: the CPU has no Security Extensions");
        }
    }
}

/* Does QEMU's flat view of the system address space ("memory") have a
 * region at physical `addr`?  HVP_UNKNOWN without a flat view. */
static int phys_backed(const hvp_snapshot *s, uint64_t addr)
{
    if (!hvp_map_has_flat(s, "memory"))
        return HVP_UNKNOWN;
    return hvp_map_flat_at(s, "memory", addr) ? HVP_YES : HVP_NO;
}

int hvp_snapshot_add_mtree(hvp_snapshot *s, const char *text, hvp_error *err)
{
    hmp_region *r = NULL;
    size_t nr = 0;
    int rc = hmp_parse_mtree(text, &r, &nr, err);
    if (rc)
        return rc;
    hvp_region *out = calloc(nr ? nr : 1, sizeof *out);
    for (size_t k = 0; out && k < nr; k++) {
        /* hmp_region and hvp_region carry the same fields: move them. */
        out[k].address_space = r[k].address_space;
        out[k].section = r[k].mr_section;
        out[k].start = r[k].start;
        out[k].end = r[k].end;
        out[k].prio = r[k].prio;
        out[k].kind = r[k].kind;
        out[k].name = r[k].name;
        out[k].is_alias = r[k].is_alias;
        out[k].alias_target = r[k].alias_target;
        out[k].alias_offset = r[k].alias_offset;
        out[k].depth = r[k].depth;
        out[k].parent = r[k].parent;
        out[k].enabled = r[k].enabled;
        out[k].flat = r[k].flat;
        r[k].address_space = r[k].mr_section = r[k].kind = r[k].name = NULL;
        r[k].alias_target = r[k].parent = NULL;
    }
    hmp_regions_free(r, nr);
    if (!out)
        return hvp_fail(err, HVP_E_NOMEM, "out of memory");
    return hvp_snapshot_add_regions(s, out, nr);
}

void hvp_capture_add_phys(hvp_snapshot *s, uint64_t pa, size_t len, const uint8_t *buf, size_t got,
                          const char *etext, const char *purpose, const char *channel)
{
    int backed = phys_backed(s, pa);
    if (backed == HVP_NO && !etext) {
        /* QEMU answers zeros here; record the truth instead. */
        got = 0;
        etext = "no memory region backs this physical address (QEMU reads it as zeros without an error)";
    }
    if (hvp_snapshot_add_mem(s, pa, HVP_SPACE_PHYSICAL, len, buf, got,
                             etext ? etext : (got < len ? "short read" : NULL), purpose, channel) == HVP_OK)
        s->memory[s->nmemory - 1].backed = backed;
}

typedef struct cand {
    uint64_t addr;
    char purpose[96];
} cand;

static void add_cand(cand *c, size_t *n, uint64_t addr, const char *why)
{
    for (size_t i = 0; i < *n; i++)
        if (c[i].addr == addr) {
            size_t l = strlen(c[i].purpose);
            snprintf(c[i].purpose + l, sizeof c[i].purpose - l, ",%s", why);
            return;
        }
    c[*n].addr = addr;
    snprintf(c[*n].purpose, sizeof c[*n].purpose, "%s", why);
    (*n)++;
}

/* 0x00-0x3F, then 64 bytes at each vector base candidate, each virtual
 * and physical.  A read the target refuses is recorded with its error;
 * a channel failure aborts the capture. */
static int capture_memory(hvp_target *t, hvp_snapshot *s, hvp_error *err)
{
    cand c[16];
    size_t n = 0;
    add_cand(c, &n, 0x0, "low-vectors");
    add_cand(c, &n, 0xffff0000u, "high-vectors");
    static const char *const bases[] = { "VBAR", "VBAR_S", "HVBAR", "VBAR_EL2", "MVBAR", "MVBAR_S" };
    for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++) {
        const hvp_reg *r = hvp_snapshot_reg(s, bases[i]);
        if (r)
            add_cand(c, &n, r->value & ~(uint64_t)0x1f, bases[i]);
    }
    uint8_t buf[16][2][VEC_LEN];
    hvp_target_memreq r[32];
    for (size_t i = 0; i < n; i++)
        for (int sp = 0; sp < 2; sp++)
            r[2 * i + sp] = (hvp_target_memreq){ .addr = c[i].addr, .len = VEC_LEN, .buf = buf[i][sp],
                                                  .space = sp ? HVP_SPACE_PHYSICAL : HVP_SPACE_VIRTUAL };
    int rc = hvp_target_read_mems(t, r, 2 * n, err);
    for (size_t i = 0; i < n; i++)
        for (int sp = 0; sp < 2; sp++) {
            hvp_target_memreq *q = &r[2 * i + sp];
            if (!rc && sp)
                hvp_capture_add_phys(s, q->addr, VEC_LEN, q->buf, q->got, q->errtext, c[i].purpose, q->channel);
            else if (!rc)
                hvp_snapshot_add_mem(s, q->addr, HVP_SPACE_VIRTUAL, VEC_LEN, q->buf, q->got,
                                     q->errtext ? q->errtext : (q->got < VEC_LEN ? "short read" : NULL),
                                     c[i].purpose, q->channel);
            free(q->errtext);
        }
    if (rc)
        return hvp_wrap(err, rc, "reading memory at the vector base candidates");
    return HVP_OK;
}

/* The successful read of `space` that holds 4 bytes at addr, or NULL. */
static const hvp_memread *read_holding(const hvp_snapshot *s, uint64_t addr, hvp_space space)
{
    for (size_t i = 0; i < s->nmemory; i++) {
        const hvp_memread *m = &s->memory[i];
        if (m->space == space && addr >= m->addr && addr + 4 <= m->addr + m->got)
            return m;
    }
    return NULL;
}

/* Read each address in addrs[0..n) (len bytes, virtual) into the
 * snapshot, labelled why[k]. */
static int read_virtual(hvp_target *t, hvp_snapshot *s, const uint64_t *addrs, char (*why)[64], size_t n,
                        size_t len, hvp_error *err)
{
    uint8_t buf[32][16];
    hvp_target_memreq r[32];
    for (size_t k = 0; k < n; k++)
        r[k] = (hvp_target_memreq){ .addr = addrs[k], .len = len, .buf = buf[k], .space = HVP_SPACE_VIRTUAL };
    int rc = n ? hvp_target_read_mems(t, r, n, err) : HVP_OK;
    for (size_t k = 0; k < n; k++) {
        if (!rc)
            hvp_snapshot_add_mem(s, addrs[k], HVP_SPACE_VIRTUAL, len, buf[k], r[k].got,
                                 r[k].errtext ? r[k].errtext : (r[k].got < len ? "short read" : NULL), why[k],
                                 r[k].channel);
        free(r[k].errtext);
    }
    return rc;
}

/* Where the vector entries send the CPU, so analysis can judge every
 * slot from the snapshot alone: for each LDR PC entry of a virtual
 * candidate read whose literal lies outside it (Linux: the SVC slot at
 * 0xffff0008 loads from the stubs page at 0xffff1000), the literal; then
 * for each B / LDR PC entry, 16 bytes at its target, to tell a real
 * handler from `b .` or unmapped memory. */
static int capture_targets(hvp_target *t, hvp_snapshot *s, hvp_error *err)
{
    uint64_t addrs[32];
    char why[32][64];
    size_t nbase = s->nmemory;
    for (int round = 0; round < 2; round++) {
        size_t n = 0;
        for (size_t i = 0; i < nbase && n < 32; i++) {
            const hvp_memread *m = &s->memory[i];
            if (m->space != HVP_SPACE_VIRTUAL)
                continue;
            for (size_t off = 0; off + 4 <= m->got && off < 32 && n < 32; off += 4) {
                uint64_t a, lit;
                int is_lit = arm_quick_literal(m->bytes, m->got, m->addr, m->addr + off, &lit);
                if (round == 0) {
                    if (!is_lit || read_holding(s, lit, HVP_SPACE_VIRTUAL))
                        continue;
                    a = lit;
                } else if (!arm_quick_entry_target(m->bytes, m->got, m->addr, m->addr + off, &a)) {
                    const hvp_memread *l = is_lit ? read_holding(s, lit, HVP_SPACE_VIRTUAL) : NULL;
                    if (!l)
                        continue;
                    a = hvp_le32(l->bytes + (lit - l->addr)) & ~1u;
                }
                int dup = read_holding(s, a, HVP_SPACE_VIRTUAL) != NULL;
                for (size_t k = 0; k < n && !dup; k++)
                    dup = addrs[k] == a;
                if (dup)
                    continue;
                snprintf(why[n], sizeof why[n], "%s:0x%llx+0x%zx", round ? "target" : "literal",
                         (unsigned long long)m->addr, off);
                addrs[n++] = a;
            }
        }
        int rc = read_virtual(t, s, addrs, why, n, round ? 16 : 4, err);
        if (rc)
            return hvp_wrap(err, rc, round ? "reading the handlers the vector tables jump to"
                                           : "reading the literals the vector tables load PC from");
    }
    return HVP_OK;
}

/* With --elf: the first bytes of each loadable segment where it was
 * linked to load, and 0x10000 above (where QEMU's -kernel puts a raw
 * binary it takes for a Linux zImage), physical, so analysis can tell an
 * image running where it was linked from one that is not. */
static int capture_image_segments(hvp_target *t, hvp_snapshot *s, hvp_error *err)
{
    arm_guest_ctx gc;
    if (!s->image || arm_guest_ctx_from(s, &gc, NULL, 0))
        return HVP_OK;  /* under stage 2 the image's addresses are IPAs */
    uint8_t buf[16][32];
    hvp_target_memreq r[16];
    char why[16][48];
    size_t n = 0;
    for (size_t i = 0; i < s->image->nsegments && n + 2 <= 16; i++) {
        const hvp_segment *g = &s->image->segments[i];
        if (g->filesz < 4)
            continue;
        for (int k = 0; k < 2; k++) {
            uint64_t a = g->paddr + (k ? HVP_ZIMAGE_SHIFT : 0);
            size_t len = g->filesz < sizeof buf[n] ? (size_t)g->filesz : sizeof buf[n];
            snprintf(why[n], sizeof why[n], "image-segment:%zu%s", i, k ? "+0x10000" : "");
            r[n] = (hvp_target_memreq){ .addr = a, .len = len, .buf = buf[n], .space = HVP_SPACE_PHYSICAL };
            n++;
        }
    }
    int rc = n ? hvp_target_read_mems(t, r, n, err) : HVP_OK;
    for (size_t k = 0; k < n; k++) {
        if (!rc)
            hvp_capture_add_phys(s, r[k].addr, r[k].len, buf[k], r[k].got, r[k].errtext, why[k], r[k].channel);
        free(r[k].errtext);
    }
    return rc ? hvp_wrap(err, rc, "reading the image's segments in guest memory") : HVP_OK;
}

/* The memory map from `info mtree` and `info mtree -f` (texts[0..1]). */
static void capture_map(hvp_snapshot *s, char *const *texts)
{
    static const char *const cmds[] = { "info mtree", "info mtree -f" };
    if (!texts[0] || !texts[1]) {
        hvp_snapshot_add_unknown(s, "memory_map", (s->channels & (HVP_CH_QMP | HVP_CH_HMP))
                                 ? "`info mtree` gave no answer"
                                 : "`info mtree` needs a monitor channel (--qmp or --hmp) or a gdbstub "
                                   "that runs monitor commands (qRcmd)");
        return;
    }
    for (int i = 0; i < 2; i++) {
        hvp_error pe = { 0 };
        if (hvp_snapshot_add_mtree(s, texts[i], &pe) != HVP_OK) {
            char why[HVP_ERROR_MSG_MAX + 48];
            snprintf(why, sizeof why, "could not parse `%s`: %s", cmds[i], pe.msg);
            hvp_snapshot_add_unknown(s, "memory_map", why);
        }
    }
}

static int capture_live(const hvp_capture_opts *o, hvp_target *t, hvp_snapshot *s,
                        int *halted_by_us, long *halt_start, hvp_error *err)
{
    int rc, running = HVP_UNKNOWN;
    char *state = NULL;
    hvp_error e = { 0 };
    if (hvp_target_channels(t) & (HVP_CH_QMP | HVP_CH_HMP)) {
        if ((rc = hvp_target_run_state(t, &running, &state, err)))
            return rc;
    } else {
        state = strdup("unknown (gdbstub only: QEMU halts the guest when gdb attaches)");
    }
    s->backend.run_state = state;
    s->backend.was_running = running;
    if (running == HVP_YES) {
        /* Attaching the gdbstub halts the guest (and detaching resumes
         * it): with --gdb that is the halt, no monitor `stop` needed. */
        *halt_start = hvp_now_ms();
        if ((rc = o->gdb ? hvp_target_attach_gdb(t, err) : hvp_target_halt(t, err)))
            return rc;
        *halted_by_us = 1;
    }
    if (o->gdb) {
        if (running == HVP_UNKNOWN)
            *halt_start = hvp_now_ms();
        if ((rc = hvp_target_attach_gdb(t, err)))
            return rc;
        if (running == HVP_UNKNOWN)
            *halted_by_us = 1;
    }
    s->channels = hvp_target_channels(t);
    hvp_target_facts(t, &s->backend, s, &e);

    /* The monitor's three texts in one pipeline: through the gdbstub's
     * qRcmd when attached (so the gdbstub alone gives the memory map
     * too), else QMP / HMP.  Without a monitor channel a gdbstub that
     * cannot run them leaves the map unknown; with one, failing is an
     * error. */
    static const char *const mcmds[] = { "info registers", "info mtree", "info mtree -f" };
    char *mon[3] = { NULL, NULL, NULL };
    int have_mon = (s->channels & (HVP_CH_QMP | HVP_CH_HMP)) != 0, gdb = (s->channels & HVP_CH_GDB) != 0;
    /* With the gdbstub the core registers come from 'g' and the security
     * state from SCR: `info registers` is asked for only if 'g' fails. */
    if (have_mon && (rc = hvp_target_monitor_many(t, mcmds + gdb, 3 - gdb, mon + gdb, err)))
        return hvp_wrap(err, rc, "info registers / info mtree");
    if (!have_mon && gdb)
        hvp_target_monitor_many(t, mcmds + 1, 2, mon + 1, NULL);  /* a broken link fails the reads below */
    /* An AArch64 CPU in AArch64 state.  QEMU's gdbstub describes every CPU
     * of an AArch64 class with 64-bit x0..x30, even one running AArch32
     * (KVM's -cpu host,aarch64=off: "cpsr" is then wrong); `info
     * registers` tells the state: PSTATE= and X00= in AArch64, PSR= and
     * R00= in AArch32, which the AArch32 capture then uses. */
    int a64 = gdb && hvp_target_reg_bits(t, "x0") == 64;
    if (a64 && !mon[0])
        hvp_target_monitor(t, "info registers", &mon[0], NULL);
    if (a64 && mon[0] && !strstr(mon[0], "PSTATE=") && strstr(mon[0], "R00=")) {
        a64 = 0;
        /* An AArch64 CPU (its description has AArch64 system registers;
         * KVM's aarch64=off vCPU has none) running AArch32 code. */
        if (hvp_target_reg_bits(t, "TCR_EL1"))
            hvp_snapshot_add_unknown(s, "arch", "the CPU has AArch64 but runs AArch32 now (EL0 or EL1 under an "
                                     "AArch64 level): its exceptions enter the lower_a32 slots of the AArch64 "
                                     "level above, which this AArch32 capture does not model; capture it while "
                                     "it runs in AArch64 (e.g. at a kernel symbol)");
    }
    if (!gdb && mon[0] && strstr(mon[0], "PSTATE=")) {
        /* AArch64 through a monitor only: no registers by name */
        s->arch = HVP_ARCH_AARCH64;
        hvp_snapshot_add_unknown(s, "cpu.registers", "an AArch64 CPU's registers and system registers need the "
                                 "gdbstub (--gdb)");
        capture_map(s, mon + 1);
        for (int i = 0; i < 3; i++)
            free(mon[i]);
        return HVP_OK;
    }
    if (a64) {
        s->arch = HVP_ARCH_AARCH64;
        rc = hvp_capture_core64(t, s, err);
        if (!rc)
            rc = hvp_capture_sysregs64(t, s, err);
        if (!rc)
            capture_map(s, mon + 1);
        for (int i = 0; i < 3; i++)
            free(mon[i]);
        if (!rc)
            rc = hvp_capture_vectors64(t, s, err);
        if (!rc && o->save_ram)
            rc = hvp_capture_ram_save(o, t, s, err);
        return rc;
    }
    rc = capture_core(t, s, &mon[0], err);
    if (!rc) {
        capture_sysregs(t, s);
        /* The map before memory: physical reads are checked against it. */
        capture_map(s, mon + 1);
    }
    for (int i = 0; i < 3; i++)
        free(mon[i]);
    if (rc)
        return rc;
    if ((rc = capture_memory(t, s, err)))
        return rc;
    if ((rc = capture_targets(t, s, err)))
        return rc;
    if ((rc = hvp_capture_guest_view(t, s, err)))
        return rc;
    if ((rc = hvp_capture_stage1_walk(t, s, err)))
        return rc;
    if ((rc = capture_image_segments(t, s, err)))
        return rc;
    /* A hypervisor's own thread (HCR.TGE=1): the snapshot says so itself,
     * so no reader takes its registers or stage 2 for a guest's.  (A
     * capture at a guest's trap gets its context from the session.) */
    if (arm_hyp_thread(s)) {
        s->context.kind = strdup("hypervisor-thread");
        s->context.how = strdup("HCR.TGE=1 with the CPU in User mode, or in Hyp mode serving such a thread: a "
                                "hypervisor runs its own threads this way (seL4 every user thread, the VMM "
                                "included), never a guest's vCPU; the registers, VBAR and stage-2 tables here are "
                                "the hypervisor's, and nothing in this snapshot tells where the guest's exceptions "
                                "go. Capture the guest at its trap instead (run --backend sel4 --capture FILE)");
        if (!s->context.kind || !s->context.how)
            return hvp_fail(err, HVP_E_NOMEM, "out of memory");
    }
    /* Last, in the same halt: the RAM images (capture_ram.c). */
    return o->save_ram ? hvp_capture_ram_save(o, t, s, err) : HVP_OK;
}

int hvp_capture(const hvp_capture_opts *o, hvp_snapshot **out, hvp_error *err)
{
    *out = NULL;
    if (!o->qmp && !o->hmp && !o->gdb)
        return hvp_fail(err, HVP_E_INVAL, "no channel given: use at least one of --qmp, --hmp, --gdb");
    hvp_snapshot *s = hvp_snapshot_new();
    if (!s)
        return hvp_fail(err, HVP_E_NOMEM, "out of memory");
    s->hvprobe_version = strdup(HVP_VERSION);
    s->captured_at = iso_now();
    s->label = o->label ? strdup(o->label) : NULL;
    int rc = HVP_OK;
    /* Check the image and the RAM options before touching the guest: a
     * bad --elf costs nothing. */
    if ((rc = hvp_capture_ram_check(o, err)) || (o->elf && (rc = hvp_elf_load(o->elf, HVP_ELF_ARM, &s->image, err)))) {
        hvp_snapshot_free(s);
        return rc;
    }
    hvp_target_opts to = { o->qmp, o->hmp, o->gdb, o->timeout_ms };
    hvp_target *t = NULL;
    if ((rc = hvp_target_open(&to, &t, err))) {
        hvp_snapshot_free(s);
        return rc;
    }
    int halted_by_us = 0;
    long halt_start = 0;
    rc = capture_live(o, t, s, &halted_by_us, &halt_start, err);

    /* Resume what we halted, even after a failure (best effort then). */
    if (halted_by_us && !o->keep_halted) {
        hvp_error re = { 0 };
        int rrc = hvp_target_resume(t, rc ? NULL : &re);
        if (!rc && rrc) {
            rc = rrc;
            if (err)
                *err = re;
            hvp_wrap(err, rc, "resuming the guest");
        } else if (!rrc) {
            s->backend.resumed = HVP_YES;
            s->backend.halted_ms = hvp_now_ms() - halt_start;
            if (s->backend.was_running == HVP_UNKNOWN)
                note(o, "%s", "the gdbstub cannot tell whether the guest was running before it attached; "
                              "hvprobe detached, which resumes it (use --keep-halted to leave it halted, "
                              "or add --qmp/--hmp so the prior state is known)");
        }
    }
    for (size_t i = 0; !rc && i < hvp_target_raw_count(t); i++) {
        const hvp_raw *r = hvp_target_raw_at(t, i);
        if (hvp_snapshot_add_raw(s, r->channel, r->command, r->text))
            rc = hvp_fail(err, HVP_E_NOMEM, "out of memory");
    }
    hvp_target_close(t);
    /* The guest runs again: now fsync and hash the RAM images. */
    if (!rc && o->save_ram)
        rc = hvp_capture_ram_finish(s, err);
    if (rc) {
        hvp_snapshot_free(s); /* also removes unsaved RAM images */
        return rc;
    }
    *out = s;
    return HVP_OK;
}
