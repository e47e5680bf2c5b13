/*
 * capture64.c - the AArch64 part of a capture: core registers (x0-x30,
 * sp, pc, PSTATE), the system registers that decide where exceptions go,
 * and for each vector base VBAR_EL1/2/3 the whole 16-slot table (0x800
 * bytes) where the CPU would fetch it: virtual (the gdbstub translates
 * through the regime the CPU is in, so only for that regime's table) and
 * physical, at the address hvprobe's own walk of that level's tables
 * gives (every descriptor read kept in the snapshot, so analysis repeats
 * the walk from the snapshot alone).  Then 16 bytes at each handler a
 * slot branches to.
 */
#include "core/capture_internal.h"
#include "arch/arm/disasm.h"
#include "arch/arm64/exc64.h"
#include "arch/arm64/xlate64.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Names as QEMU's gdbstub spells them for an AArch64 CPU (7.2: VBAR_EL1
 * is "VBAR", SCTLR_EL1 "SCTLR"); absent names are skipped. */
const char *const hvp_capture_sysreg64_names[] = {
    "VBAR", "VBAR_EL1", "VBAR_EL2", "VBAR_EL3",
    "SCTLR", "SCTLR_EL1", "SCTLR_EL2", "SCTLR_EL3",
    "TCR_EL1", "TTBR0_EL1", "TTBR1_EL1", "MAIR_EL1",
    "TCR_EL2", "TTBR0_EL2", "TTBR1_EL2", "TCR_EL3", "TTBR0_EL3",
    "HCR_EL2", "SCR_EL3", "VTCR_EL2", "VTTBR_EL2", "HPFAR_EL2",
    "ESR_EL1", "ESR_EL2", "ESR_EL3", "FAR_EL1", "FAR_EL2", "FAR_EL3",
    "ELR_EL1", "ELR_EL2", "ELR_EL3", "SPSR_EL1", "SPSR_EL2", "SPSR_EL3",
    "SP_EL0", "SP_EL1", "SP_EL2", "ID_AA64MMFR0_EL1", "ID_AA64PFR0_EL1",
    NULL
};

int hvp_capture_core64(hvp_target *t, hvp_snapshot *s, hvp_error *err)
{
    static const char *const names[34] = {
        "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15",
        "x16", "x17", "x18", "x19", "x20", "x21", "x22", "x23", "x24", "x25", "x26", "x27", "x28", "x29", "x30",
        "sp", "pc", "cpsr"
    };
    uint64_t v[34];
    int ok[34];
    int rc = hvp_target_read_regs(t, names, 34, v, ok, err);
    if (rc)
        return rc;
    for (int i = 0; i < 34; i++)
        if (!ok[i])
            return hvp_fail(err, HVP_E_ARCH, "the gdbstub's AArch64 target description has no register '%s': "
                            "hvprobe cannot read the CPU's state (is this a QEMU AArch64 target?)", names[i]);
    memcpy(s->cpu.x, v, sizeof s->cpu.x);
    s->cpu.sp = v[31];
    s->cpu.pc = v[32];
    s->cpu.pstate = (uint32_t)v[33];
    s->cpu.have_core = 1;
    s->cpu.source = strdup("gdb");
    return HVP_OK;
}

int hvp_capture_sysregs64(hvp_target *t, hvp_snapshot *s, hvp_error *err)
{
    const char *names[64];
    size_t n = 0;
    for (size_t i = 0; hvp_capture_sysreg64_names[i] && n < 64; i++)
        if (hvp_target_reg_bits(t, hvp_capture_sysreg64_names[i]))
            names[n++] = hvp_capture_sysreg64_names[i];
    uint64_t vals[64];
    int ok[64];
    int rc = n ? hvp_target_read_regs(t, names, n, vals, ok, err) : HVP_OK;
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++)
        if (ok[i])
            hvp_snapshot_add_reg(s, names[i], vals[i], hvp_target_reg_bits(t, names[i]));
    /* The vector base of the level whose table matters must be there:
     * without it nothing can be said, and that is the target's doing. */
    a64_state st;
    a64_state_from(s, &st);
    int el = a64_table_el(&st), have;
    a64_vbar(s, el ? el : 1, &have);
    if (!have)
        return hvp_fail(err, HVP_E_ARCH, "the gdbstub's target description has no VBAR_EL%d (QEMU 7.2 names "
                        "VBAR_EL1 \"VBAR\" in its system-register feature): hvprobe cannot tell where this "
                        "CPU's exceptions go", el ? el : 1);
    /* Security state: SCR_EL3.NS when EL3 exists, else fixed. */
    const hvp_reg *scr = a64_reg(s, "SCR_EL3");
    if (st.have && st.el == 3) {
        s->cpu.secure = HVP_YES;
        s->cpu.secure_source = strdup("EL3 is always Secure");
    } else if (scr) {
        s->cpu.secure = (scr->value & 1) ? HVP_NO : HVP_YES;
        s->cpu.secure_source = strdup("SCR_EL3.NS");
    } else {
        /* Without EL3 the security state is fixed by the implementation;
         * QEMU's CPUs without EL3 are Non-secure (arm_is_secure() is false). */
        s->cpu.secure = HVP_NO;
        s->cpu.secure_source = strdup("no EL3 (no SCR_EL3): QEMU runs a CPU without EL3 in Non-secure state");
    }
    return HVP_OK;
}

typedef struct want {
    uint64_t va;
    size_t len;
    int el;
    int virt;           /* also read it virtually (the current regime) */
    char why[64];
} want;

/* Read each wanted range: virtually when it is in the regime the CPU is
 * in, and physically where hvprobe's walk puts it. */
static int read_wanted(hvp_capture_rec *r, const want *w, size_t n, hvp_error *err)
{
    hvp_target_memreq q[40];
    uint8_t *bufs[40];
    char why[40][80];
    size_t nq = 0;
    for (size_t i = 0; i < n && nq + 2 <= 40; i++) {
        if (w[i].virt) {
            bufs[nq] = malloc(w[i].len);
            snprintf(why[nq], sizeof why[nq], "%s", w[i].why);
            q[nq] = (hvp_target_memreq){ .addr = w[i].va, .len = w[i].len, .buf = bufs[nq],
                                         .space = HVP_SPACE_VIRTUAL };
            nq++;
        }
        a64_regime rg;
        char rwhy[200];
        a64_xlate x;
        if (!a64_regime_of(r->s, w[i].el, &rg, rwhy, sizeof rwhy) ||
            a64_translate(&rg, w[i].va, hvp_capture_rec_read, r, &x, NULL) || !x.ok)
            continue;   /* analysis repeats the walk and says why */
        if (r->rc)
            break;
        bufs[nq] = malloc(w[i].len);
        snprintf(why[nq], sizeof why[nq], "%s:phys", w[i].why);
        q[nq] = (hvp_target_memreq){ .addr = x.pa, .len = w[i].len, .buf = bufs[nq], .space = HVP_SPACE_PHYSICAL };
        nq++;
    }
    int rc = r->rc;
    if (rc && err && r->err != err)
        *err = *r->err;
    for (size_t k = 0; k < nq && !rc; k++)
        if (!q[k].buf)
            rc = hvp_fail(err, HVP_E_NOMEM, "out of memory");
    if (!rc && nq)
        rc = hvp_target_read_mems(r->t, q, nq, err);
    for (size_t k = 0; k < nq; k++) {
        if (!rc && q[k].space == HVP_SPACE_PHYSICAL)
            hvp_capture_add_phys(r->s, q[k].addr, q[k].len, q[k].buf, q[k].got, q[k].errtext, why[k], q[k].channel);
        else if (!rc)
            hvp_snapshot_add_mem(r->s, q[k].addr, HVP_SPACE_VIRTUAL, q[k].len, q[k].buf, q[k].got,
                                 q[k].errtext ? q[k].errtext : (q[k].got < q[k].len ? "short read" : NULL), why[k],
                                 q[k].channel);
        free(q[k].errtext);
        free(bufs[k]);
    }
    return rc;
}

/* The bytes of `va` the capture read for level `el` (physical reads
 * first, at the walk's address; else a virtual read). */
static const uint8_t *bytes_at(const hvp_snapshot *s, const char *why, uint64_t va, size_t *avail)
{
    size_t wl = strlen(why);
    for (size_t i = 0; i < s->nmemory; i++) {
        const hvp_memread *m = &s->memory[i];
        if (!m->purpose || strncmp(m->purpose, why, wl) || m->got < 4)
            continue;
        /* a table read: bytes at the same offset from its start */
        *avail = m->got;
        (void)va;
        return m->bytes;
    }
    return NULL;
}

int hvp_capture_vectors64(hvp_target *t, hvp_snapshot *s, hvp_error *err)
{
    a64_state st;
    a64_state_from(s, &st);
    int cur = st.el < 1 ? 1 : st.el;
    hvp_capture_rec r = { t, s, 0, err };
    want w[8];
    size_t n = 0;
    for (int el = 1; el <= 3; el++) {
        int have;
        uint64_t base = a64_vbar(s, el, &have);
        if (!have)
            continue;
        w[n] = (want){ .va = base, .len = A64_TABLE_SIZE, .el = el, .virt = el == cur && !st.guest_view };
        snprintf(w[n].why, sizeof w[n].why, "VBAR_EL%d", el);
        n++;
    }
    int rc = read_wanted(&r, w, n, err);
    if (rc)
        return hvp_wrap(err, rc, "reading the AArch64 vector tables");
    /* The handlers the slots branch to: the first unconditional B in each
     * slot that leaves the slot. */
    want h[48];     /* three tables of 16 slots */
    size_t nh = 0;
    for (size_t i = 0; i < n; i++) {
        size_t avail = 0;
        char pw[80];
        snprintf(pw, sizeof pw, "%s:phys", w[i].why);
        const uint8_t *b = bytes_at(s, pw, w[i].va, &avail);
        if (!b)
            b = bytes_at(s, w[i].why, w[i].va, &avail);
        for (int slot = 0; b && slot < A64_NSLOTS && nh < 48; slot++) {
            uint64_t sa = w[i].va + (uint64_t)slot * A64_SLOT_SIZE;
            for (uint64_t a = sa; a < sa + A64_SLOT_SIZE && a + 4 <= w[i].va + avail; a += 4) {
                uint64_t tg;
                if (!arm_quick_a64_branch(b, avail, w[i].va, a, &tg))  /* B and BL */
                    continue;
                if (tg >= sa && tg < sa + A64_SLOT_SIZE)
                    continue;
                int dup = 0;
                for (size_t k = 0; k < nh && !dup; k++)
                    dup = h[k].va == tg && h[k].el == w[i].el;
                if (!dup) {
                    h[nh] = (want){ .va = tg, .len = 16, .el = w[i].el, .virt = w[i].virt };
                    snprintf(h[nh].why, sizeof h[nh].why, "target:%s+0x%x", w[i].why, (unsigned)(a - w[i].va));
                    nh++;
                }
                break;
            }
        }
    }
    r.rc = 0;
    for (size_t off = 0; off < nh && !rc; off += 16)
        rc = read_wanted(&r, h + off, nh - off < 16 ? nh - off : 16, err);
    return rc ? hvp_wrap(err, rc, "reading the handlers the AArch64 vector slots branch to") : HVP_OK;
}
