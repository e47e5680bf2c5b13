/* disasm.c - capstone-backed decoding of vector-table instructions.
 *
 * capstone is loaded on first use (dlopen), not when the program starts:
 * Debian's libcapstone carries every architecture's tables, about 77,000
 * relocations that the dynamic loader must apply before main() - several
 * milliseconds, more than a whole capture's round trips.  A capture does
 * not need it (arm_quick_entry_target); compare, show and report do. */
#include "arch/arm/disasm.h"
#include "util/le.h"

#include <capstone/capstone.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef HVP_CAPSTONE_SONAME
#define HVP_CAPSTONE_SONAME "libcapstone.so.4"
#endif

static struct {
    void *lib;
    cs_err (*open)(cs_arch, cs_mode, csh *);
    cs_err (*option)(csh, cs_opt_type, size_t);
    cs_err (*close)(csh *);
    size_t (*disasm)(csh, const uint8_t *, size_t, uint64_t, size_t, cs_insn **);
    void (*free)(cs_insn *, size_t);
    char why[256];
} cs;
static pthread_once_t cs_once = PTHREAD_ONCE_INIT;

static void cs_load(void)
{
    void *lib = dlopen(HVP_CAPSTONE_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        const char *e = dlerror();
        snprintf(cs.why, sizeof cs.why, "%s", e ? e : "dlopen failed");
        return;
    }
    /* POSIX: a dlsym result converts to a function pointer. */
    *(void **)&cs.open = dlsym(lib, "cs_open");
    *(void **)&cs.option = dlsym(lib, "cs_option");
    *(void **)&cs.close = dlsym(lib, "cs_close");
    *(void **)&cs.disasm = dlsym(lib, "cs_disasm");
    *(void **)&cs.free = dlsym(lib, "cs_free");
    if (!cs.open || !cs.option || !cs.close || !cs.disasm || !cs.free) {
        snprintf(cs.why, sizeof cs.why, "%s lacks the cs_* functions hvprobe uses", HVP_CAPSTONE_SONAME);
        dlclose(lib);
        return;
    }
    cs.lib = lib;
}

struct arm_disasm {
    csh h;
    int thumb;
    int a64;
};

static int disasm_open(int thumb, int a64, arm_disasm **out, hvp_error *err)
{
    *out = NULL;
    pthread_once(&cs_once, cs_load);
    if (!cs.lib)
        return hvp_fail(err, HVP_E_INTERNAL, "cannot load capstone (%s): %s", HVP_CAPSTONE_SONAME, cs.why);
    arm_disasm *d = calloc(1, sizeof *d);
    if (!d)
        return hvp_fail(err, HVP_E_NOMEM, "out of memory");
    if (cs.open(a64 ? CS_ARCH_ARM64 : CS_ARCH_ARM, a64 ? CS_MODE_ARM : thumb ? CS_MODE_THUMB : CS_MODE_ARM,
                &d->h) != CS_ERR_OK) {
        free(d);
        return hvp_fail(err, HVP_E_INTERNAL, "capstone cannot open an %s disassembler", a64 ? "AArch64" : "ARM");
    }
    cs.option(d->h, CS_OPT_DETAIL, CS_OPT_ON);
    d->thumb = thumb;
    d->a64 = a64;
    *out = d;
    return HVP_OK;
}

int arm_disasm_new(int thumb, arm_disasm **out, hvp_error *err)
{
    return disasm_open(thumb, 0, out, err);
}

int arm_disasm_new_a64(arm_disasm **out, hvp_error *err)
{
    return disasm_open(0, 1, out, err);
}

/* A64: branches with an immediate target, register branches, returns. */
static void decode_a64(const cs_insn *in, arm_decoded *out)
{
    const cs_arm64 *a = &in->detail->arm64;
    out->conditional = a->cc != ARM64_CC_AL && a->cc != ARM64_CC_NV && a->cc != ARM64_CC_INVALID;
    out->flow = ARM_FLOW_OTHER;
    switch (in->id) {
    case ARM64_INS_B:
    case ARM64_INS_BL:
    case ARM64_INS_CBZ:
    case ARM64_INS_CBNZ:
    case ARM64_INS_TBZ:
    case ARM64_INS_TBNZ:
        /* the target is the last operand, an absolute address */
        if (a->op_count >= 1 && a->operands[a->op_count - 1].type == ARM64_OP_IMM) {
            out->flow = ARM_FLOW_BRANCH;
            out->target = (uint64_t)a->operands[a->op_count - 1].imm;
        }
        if (in->id != ARM64_INS_B && in->id != ARM64_INS_BL)
            out->conditional = 1;
        break;
    case ARM64_INS_BR:
    case ARM64_INS_BLR:
    case ARM64_INS_RET:     /* to x30: a register, not an exception return */
        out->flow = ARM_FLOW_MOV_PC;
        break;
    case ARM64_INS_ERET:
        out->flow = ARM_FLOW_RETURN;
        break;
    case ARM64_INS_HLT:
        out->flow = ARM_FLOW_UNDEFINED;
        break;
    default:
        break;
    }
}

void arm_disasm_free(arm_disasm *d)
{
    if (!d)
        return;
    cs.close(&d->h);
    free(d);
}

void arm_decode(arm_disasm *d, const uint8_t *bytes, size_t len, uint64_t addr, arm_decoded *out)
{
    memset(out, 0, sizeof *out);
    cs_insn *in = NULL;
    size_t n = cs.disasm(d->h, bytes, len, addr, 1, &in);
    if (n == 0) {
        out->flow = ARM_FLOW_UNDEFINED;
        out->size = d->thumb ? 2 : 4;
        snprintf(out->text, sizeof out->text, "(undefined)");
        return;
    }
    out->size = in->size;
    snprintf(out->text, sizeof out->text, "%.31s%s%.46s", in->mnemonic, in->op_str[0] ? " " : "", in->op_str);
    if (d->a64) {
        decode_a64(in, out);
        cs.free(in, n);
        return;
    }
    cs_arm *a = &in->detail->arm;
    out->conditional = a->cc != ARM_CC_AL && a->cc != ARM_CC_INVALID;
    out->flow = ARM_FLOW_OTHER;
    int writes_pc = a->op_count > 0 && a->operands[0].type == ARM_OP_REG && a->operands[0].reg == ARM_REG_PC;
    switch (in->id) {
    case ARM_INS_UDF:
        out->flow = ARM_FLOW_UNDEFINED;
        break;
    case ARM_INS_B:
    case ARM_INS_BL:
    case ARM_INS_BLX:
        if (a->op_count == 1 && a->operands[0].type == ARM_OP_IMM) {
            out->flow = ARM_FLOW_BRANCH;
            out->target = (uint32_t)a->operands[0].imm; /* capstone gives the absolute target */
        }
        break;
    case ARM_INS_BX:
        out->flow = ARM_FLOW_MOV_PC;
        break;
    case ARM_INS_ERET:
        out->flow = ARM_FLOW_RETURN;
        break;
    case ARM_INS_LDR:
        if (writes_pc && a->op_count == 2 && a->operands[1].type == ARM_OP_MEM &&
            a->operands[1].mem.base == ARM_REG_PC && a->operands[1].mem.index == ARM_REG_INVALID) {
            /* PC reads as addr+8 (ARM) or Align(addr+4, 4) (Thumb). */
            uint64_t pc = d->thumb ? ((addr + 4) & ~3ull) : addr + 8;
            out->literal = (uint32_t)(pc + (int64_t)a->operands[1].mem.disp);
            out->flow = ARM_FLOW_LOAD_PC;
        } else if (writes_pc) {
            out->flow = ARM_FLOW_MOV_PC; /* loads PC from a register-relative address */
        }
        break;
    case ARM_INS_MOV:
        if (writes_pc) {
            /* MOVS PC, LR is an exception return; MOV PC, Rn a jump. */
            out->flow = (a->update_flags && a->operands[1].type == ARM_OP_REG && a->operands[1].reg == ARM_REG_LR)
                        ? ARM_FLOW_RETURN : ARM_FLOW_MOV_PC;
        }
        break;
    case ARM_INS_SUB:
        if (writes_pc)
            out->flow = a->update_flags ? ARM_FLOW_RETURN : ARM_FLOW_MOV_PC;
        break;
    default:
        /* Anything else that writes PC (pop {pc}, ldm ...{pc}, add pc, ...)
         * jumps somewhere only known at run time. */
        for (uint8_t k = 0; k < a->op_count; k++)
            if (a->operands[k].type == ARM_OP_REG && a->operands[k].reg == ARM_REG_PC &&
                (a->operands[k].access & CS_AC_WRITE))
                out->flow = ARM_FLOW_MOV_PC;
        break;
    }
    if (out->flow == ARM_FLOW_OTHER && (in->id == ARM_INS_POP || in->id == ARM_INS_LDM || in->id == ARM_INS_LDMIB ||
                                        in->id == ARM_INS_LDMDA || in->id == ARM_INS_LDMDB))
        for (uint8_t k = 0; k < a->op_count; k++)
            if (a->operands[k].type == ARM_OP_REG && a->operands[k].reg == ARM_REG_PC)
                out->flow = ARM_FLOW_MOV_PC;
    cs.free(in, n);
}

int arm_entry_target(const arm_decoded *d, const uint8_t *bytes, size_t len, uint64_t base, uint64_t *target)
{
    if (d->flow == ARM_FLOW_BRANCH) {
        *target = d->target;
        return 1;
    }
    if (d->flow == ARM_FLOW_LOAD_PC && d->literal >= base && d->literal + 4 <= base + len) {
        const uint8_t *p = bytes + (d->literal - base);
        /* bit 0 of a loaded PC selects Thumb; the code starts at target & ~1 */
        *target = hvp_le32(p) & ~1u;
        return 1;
    }
    return 0;
}

int arm_quick_literal(const uint8_t *bytes, size_t len, uint64_t base, uint64_t addr, uint64_t *literal)
{
    if (addr < base || addr - base + 4 > len)
        return 0;
    uint32_t w = hvp_le32(bytes + (addr - base)), cond = w >> 28;
    if (cond == 0xf || (w & 0x0f5ff000u) != 0x051ff000u)
        return 0;
    /* LDR PC, [PC, #+-imm12] (pre-indexed; the UNPREDICTABLE writeback
     * form too, as capstone reads it) */
    uint32_t pc = (uint32_t)addr + 8, imm = w & 0xfffu;
    *literal = (w >> 23) & 1 ? (uint32_t)(pc + imm) : (uint32_t)(pc - imm);
    return 1;
}

int arm_quick_entry_target(const uint8_t *bytes, size_t len, uint64_t base, uint64_t addr,
                           uint64_t *target)
{
    if (addr < base || addr - base + 4 > len)
        return 0;
    uint32_t w = hvp_le32(bytes + (addr - base)), cond = w >> 28;
    uint32_t pc = (uint32_t)addr + 8;
    if ((w & 0x0e000000u) == 0x0a000000u) {
        /* B/BL (cond != 1111) or BLX (cond == 1111, H = bit 24) imm24 */
        int32_t off = (int32_t)((w & 0x00ffffffu) << 8) >> 6;
        uint32_t h = cond == 0xf ? ((w >> 24) & 1) << 1 : 0;
        *target = (uint32_t)(pc + (uint32_t)off + h);
        return 1;
    }
    uint64_t lit;
    if (!arm_quick_literal(bytes, len, base, addr, &lit) || lit < base || lit - base + 4 > len)
        return 0;
    *target = hvp_le32(bytes + (lit - base)) & ~1u;
    return 1;
}

int arm_quick_a64_branch(const uint8_t *bytes, size_t len, uint64_t base, uint64_t addr, uint64_t *target)
{
    if (addr < base || addr - base + 4 > len)
        return 0;
    uint32_t w = hvp_le32(bytes + (addr - base));
    if ((w & 0x7c000000u) != 0x14000000u)
        return 0;
    /* B / BL imm26 (bit 31 = link): target = addr + SignExtend(imm26:'00') */
    int64_t off = (int64_t)((int32_t)(w << 6) >> 4);
    *target = addr + (uint64_t)off;
    return 1;
}
