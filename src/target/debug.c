/* debug.c - breakpoints and stops through a gdbstub (hvprobe/debug.h). */
#include "arch/arm/exc_model.h"
#include "elf/elf_image.h"
#include "elf/elf_scan.h"
#include "hvprobe/debug.h"
#include "transport/rsp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXBP 16

struct hvp_debug {
    rsp_client *c;
    int hw;
    uint64_t bp[MAXBP];
    size_t nbp;
};

int hvp_debug_open(const hvp_debug_opts *o, hvp_debug **out, hvp_error *err)
{
    *out = NULL;
    if (!o || !o->gdb)
        return hvp_fail(err, HVP_E_INVAL, "no gdbstub address given");
    hvp_debug *d = calloc(1, sizeof *d);
    if (!d)
        return hvp_fail(err, HVP_E_NOMEM, "out of memory");
    d->hw = o->hw_breakpoints;
    int rc = rsp_open(o->gdb, o->timeout_ms > 0 ? o->timeout_ms : 5000, &d->c, err);
    if (rc) {
        free(d);
        return rc;
    }
    *out = d;
    return HVP_OK;
}

int hvp_debug_halt(hvp_debug *d, hvp_error *err)
{
    return rsp_interrupt(d->c, err);
}

int hvp_debug_resume(hvp_debug *d, hvp_error *err)
{
    return rsp_continue(d->c, err);
}

/* Insert or remove a breakpoint: software (Z0) normally; hardware (Z1,
 * kind 4) when asked, which KVM implements with the CPU's breakpoint
 * registers (six on the emulated Cortex-A57 of kvm-nested). */
static int set_breakpoint(hvp_debug *d, int insert, uint64_t addr, hvp_error *err)
{
    if (!d->hw)
        return rsp_breakpoint(d->c, insert, addr, err);
    char pkt[48], *reply = NULL;
    snprintf(pkt, sizeof pkt, "%c1,%llx,4", insert ? 'Z' : 'z', (unsigned long long)addr);
    int rc = rsp_request(d->c, pkt, &reply, err);
    if (!rc && strcmp(reply, "OK"))
        rc = hvp_fail(err, reply[0] ? HVP_E_TARGET : HVP_E_UNSUPPORTED, "%s hardware breakpoint at 0x%llx: %s",
                      insert ? "inserting a" : "removing the", (unsigned long long)addr,
                      reply[0] ? reply : "the gdbstub does not support Z1");
    free(reply);
    return rc;
}

int hvp_debug_break_at(hvp_debug *d, uint64_t addr, hvp_error *err)
{
    for (size_t i = 0; i < d->nbp; i++)
        if (d->bp[i] == addr)
            return HVP_OK;
    if (d->nbp == MAXBP)
        return hvp_fail(err, HVP_E_INVAL, "at most %d breakpoints per session", MAXBP);
    int rc = set_breakpoint(d, 1, addr, err);
    if (!rc)
        d->bp[d->nbp++] = addr;
    return rc;
}

int hvp_debug_exception_parse(const char *name, int *exc, hvp_error *err)
{
    int e = name ? arm_exc_parse(name) : -1;
    if (e < 0 || e == ARM_EXC_RESET || e == ARM_EXC_HYP)
        return hvp_fail(err, HVP_E_INVAL, "wants svc, undef, pabt, dabt, irq or fiq, not '%s'", name ? name : "");
    *exc = e;
    return HVP_OK;
}

/* AArch64: the kind's slot (svc, undef, aborts: sync; irq; fiq) in the
 * current-level-SPx and lower-AArch64 groups, the ones a kernel at EL1 and
 * its EL0 use, of VBAR_EL1, VBAR_EL2 and the image's own table: few
 * enough for the hardware breakpoints kvm-nested needs. */
static int break_at_a64(hvp_debug *d, int exc, const char *elf, hvp_error *err)
{
    unsigned kind = exc == ARM_EXC_IRQ ? 1 : exc == ARM_EXC_FIQ ? 2 : 0;
    uint64_t bases[4];
    size_t nb = 0;
    static const char *const regs[] = { "VBAR", "VBAR_EL1", "VBAR_EL2" };
    for (size_t i = 0; i < sizeof regs / sizeof regs[0]; i++) {
        uint64_t v;
        if (rsp_reg_find(d->c, regs[i]) && rsp_read_reg(d->c, regs[i], &v, NULL) == HVP_OK)
            bases[nb++] = v & ~0x7ffull;
    }
    uint64_t tables[1];
    size_t nt = 0;
    if (elf && hvp_elf_find_a64_vector_tables(elf, tables, 1, &nt, NULL) == HVP_OK && nt)
        bases[nb++] = tables[0];
    int rc = HVP_OK;
    for (size_t i = 0; i < nb && !rc; i++) {
        int dup = 0;
        for (size_t k = 0; k < i; k++)
            dup |= bases[k] == bases[i];
        for (unsigned g = 1; g <= 2 && !rc && !dup; g++)   /* cur_spx, lower_a64 */
            rc = hvp_debug_break_at(d, bases[i] + 0x200u * g + 0x80u * kind, err);
    }
    return rc;
}

int hvp_debug_break_at_exception(hvp_debug *d, int exc, const char *elf, size_t *n, hvp_error *err)
{
    if (exc < 0 || exc >= ARM_EXC_COUNT || exc == ARM_EXC_RESET || exc == ARM_EXC_HYP)
        return hvp_fail(err, HVP_E_INVAL, "no breakpoint can wait for exception %d", exc);
    rsp_load_registers(d->c, NULL);     /* names are unknown until loaded */
    const rsp_reg *x0 = rsp_reg_find(d->c, "x0");
    /* QEMU describes every CPU of an AArch64 class with x0..x30, even one
     * running AArch32 (KVM's -cpu host,aarch64=off); `info registers`
     * tells the state: PSTATE= in AArch64, PSR= in AArch32. */
    int a64 = x0 && x0->bitsize == 64;
    if (a64) {
        static const char *const ir[] = { "info registers" };
        char *text = NULL;
        if (rsp_monitor_many(d->c, ir, 1, &text, NULL) == HVP_OK && text && !strstr(text, "PSTATE=") &&
            strstr(text, "R00="))
            a64 = 0;
        free(text);
    }
    if (a64) {
        size_t before = d->nbp;
        int rc = break_at_a64(d, exc, elf, err);
        if (n)
            *n = d->nbp - before;
        return rc;
    }
    /* Its slot in every table the CPU could use: 0x0, 0xffff0000, the
     * VBAR banks the gdbstub shows now, and the image's own tables. */
    uint64_t bases[8], off = 4u * (unsigned)exc;
    size_t nb = 0, before = d->nbp;
    bases[nb++] = 0;
    bases[nb++] = 0xffff0000u;
    static const char *const regs[] = { "VBAR", "VBAR_S", "MVBAR", "VBAR_EL2", "HVBAR" };
    for (size_t i = 0; i < sizeof regs / sizeof regs[0]; i++) {
        uint64_t v;
        if (rsp_reg_find(d->c, regs[i]) && rsp_read_reg(d->c, regs[i], &v, NULL) == HVP_OK)
            bases[nb++] = v & ~0x1full;
    }
    uint64_t tables[4];
    size_t nt = 0;
    if (elf && hvp_elf_find_vector_tables(elf, tables, 4, &nt, NULL) == HVP_OK)
        for (size_t i = 0; i < nt && nb < 8; i++)
            bases[nb++] = tables[i];
    int rc = HVP_OK;
    for (size_t i = 0; i < nb && !rc; i++)
        rc = hvp_debug_break_at(d, bases[i] + off, err);
    if (n)
        *n = d->nbp - before;
    return rc;
}

int hvp_debug_clear(hvp_debug *d, hvp_error *err)
{
    int rc = HVP_OK;
    while (d->nbp && !rc)
        if (!(rc = set_breakpoint(d, 0, d->bp[d->nbp - 1], err)))
            d->nbp--;
    return rc;
}

int hvp_debug_wait_stop(hvp_debug *d, int wait_ms, hvp_error *err)
{
    return rsp_wait_stop(d->c, wait_ms, err);
}

int hvp_debug_pc(hvp_debug *d, uint64_t *pc, hvp_error *err)
{
    return rsp_read_reg(d->c, "pc", pc, err);
}

int hvp_debug_detach(hvp_debug *d, hvp_error *err)
{
    int rc = rsp_detach(d->c, err);
    hvp_debug_close(d);
    return rc;
}

void hvp_debug_close(hvp_debug *d)
{
    if (!d)
        return;
    rsp_close(d->c);
    free(d);
}

int hvp_elf_symbol_addr(const char *path, const char *name, uint64_t *addr, hvp_error *err)
{
    hvp_image *img = NULL;
    int rc = hvp_elf_load(path, 0, &img, err);
    if (rc)
        return rc;
    rc = hvp_fail(err, HVP_E_INVAL, "'%s' is not a symbol of %s", name, path);
    for (size_t i = 0; i < img->nsymbols; i++)
        if (!strcmp(img->symbols[i].name, name)) {
            *addr = img->symbols[i].addr;
            rc = HVP_OK;
            break;
        }
    hvp_image_free(img);
    return rc;
}

int hvp_debug_read_regs(hvp_debug *d, const char *const *names, size_t n, uint64_t *vals, int *ok,
                        hvp_error *err)
{
    return rsp_read_regs(d->c, names, n, vals, ok, err);   /* loads the register table itself */
}

int hvp_debug_read_mem(hvp_debug *d, uint64_t addr, size_t len, uint8_t *buf, hvp_error *err)
{
    return rsp_read_mem(d->c, addr, len, buf, err);
}

int hvp_debug_step(hvp_debug *d, hvp_error *err)
{
    char *reply = NULL;
    int rc = rsp_request(d->c, "s", &reply, err);
    if (!rc && reply[0] != 'T' && reply[0] != 'S')
        rc = hvp_fail(err, reply[0] ? HVP_E_TARGET : HVP_E_UNSUPPORTED, "single step: the gdbstub answered '%.20s'",
                      reply);
    free(reply);
    return rc;
}
