/*
 * arch/arm64/esr.c - ESR_ELx decoding and the one-sentence description.
 *
 * References (Arm DDI 0487, Arm Architecture Reference Manual for
 * A-profile architecture):
 *   ESR_EL1, ESR_EL2, ESR_EL3 (AArch64 System Register Descriptions;
 *           chapter numbers vary between issues): "EC, bits [31:26]"
 *           (the table of exception classes) and the ISS encodings of
 *           each class:
 *           "ISS encoding for an exception from a Data Abort" /
 *           "... an Instruction Abort" (DFSC/IFSC tables), "... from an
 *           SVC, HVC or SMC instruction", "... from MSR, MRS, or System
 *           instruction execution in AArch64 state", "... a WF*
 *           instruction", "... an SError interrupt", "... a BRK
 *           instruction".
 *   "Exception entry" (the AArch64 exception model chapter) and the
 *           FAR_ELx description: which classes set FAR_ELx.
 * The shared HSR-shaped fields come from arch/arm/fault.c.
 */
#include "arch/arm64/esr.h"
#include "util/line.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- exception classes --------------------------------------------------- */

static const struct { uint8_t ec; const char *name; } ec_names[] = {
    { 0x00, "unknown reason (e.g. an undefined instruction, UDF)" },
    { 0x01, "WFI/WFE instruction trapped" },
    { 0x03, "MCR/MRC to CP15 trapped (AArch32)" },
    { 0x04, "MCRR/MRRC to CP15 trapped (AArch32)" },
    { 0x05, "MCR/MRC to CP14 trapped (AArch32)" },
    { 0x06, "LDC/STC to CP14 trapped (AArch32)" },
    { 0x07, "SVE, Advanced SIMD or floating-point access trapped" },
    { 0x08, "VMRS access trapped (AArch32 ID group)" },
    { 0x09, "pointer authentication instruction trapped" },
    { 0x0A, "LD64B/ST64B instruction trapped" },
    { 0x0C, "MRRC to CP14 trapped (AArch32)" },
    { 0x0D, "branch target exception (BTI)" },
    { 0x0E, "illegal execution state" },
    { 0x11, "SVC instruction from AArch32" },
    { 0x12, "HVC instruction from AArch32" },
    { 0x13, "SMC instruction from AArch32" },
    { 0x15, "SVC instruction from AArch64" },
    { 0x16, "HVC instruction from AArch64" },
    { 0x17, "SMC instruction from AArch64" },
    { 0x18, "MSR/MRS/system instruction trap" },
    { 0x19, "SVE access trapped" },
    { 0x1A, "ERET/ERETAA/ERETAB trapped" },
    { 0x1C, "pointer authentication failure" },
    { 0x1D, "SME access trapped" },
    { 0x1F, "IMPLEMENTATION DEFINED exception to EL3" },
    { 0x20, "instruction abort from a lower Exception level" },
    { 0x21, "instruction abort taken without a change in Exception level" },
    { 0x22, "PC alignment fault" },
    { 0x24, "data abort from a lower Exception level" },
    { 0x25, "data abort taken without a change in Exception level" },
    { 0x26, "SP alignment fault" },
    { 0x27, "memory copy/set (MOPS) exception" },
    { 0x28, "floating-point exception from AArch32" },
    { 0x2C, "floating-point exception from AArch64" },
    { 0x2F, "SError interrupt" },
    { 0x30, "breakpoint from a lower Exception level" },
    { 0x31, "breakpoint taken without a change in Exception level" },
    { 0x32, "software step from a lower Exception level" },
    { 0x33, "software step taken without a change in Exception level" },
    { 0x34, "watchpoint from a lower Exception level" },
    { 0x35, "watchpoint taken without a change in Exception level" },
    { 0x38, "BKPT instruction from AArch32" },
    { 0x3A, "vector catch from AArch32" },
    { 0x3C, "BRK instruction from AArch64" },
};

const char *a64_esr_class_name(unsigned ec)
{
    for (size_t i = 0; i < sizeof ec_names / sizeof ec_names[0]; i++)
        if (ec_names[i].ec == ec)
            return ec_names[i].name;
    return "unallocated exception class";
}

/* ---- fault status codes -------------------------------------------------- */

static void set_fsc(arm_fsr_info *f, arm_fault_kind kind, int level, const char *name)
{
    f->kind = kind;
    f->level = level;
    snprintf(f->name, sizeof f->name, "%s", name);
}

/* IFSC/DFSC: the AArch32 long-descriptor table (arm_lfsc_decode), then the
 * codes AArch64 defines differently or additionally. */
static void decode_fsc(unsigned code, int is_data, arm_fsr_info *f)
{
    arm_lfsc_decode(code, !is_data, f);
    switch (code & 0x3F) {
    case 0x08: set_fsc(f, ARM_FAULT_ACCESS_FLAG, 0, "access flag fault, level 0"); break;
    case 0x0C: set_fsc(f, ARM_FAULT_PERMISSION, 0, "permission fault, level 0"); break;
    case 0x11:
        if (is_data)
            set_fsc(f, ARM_FAULT_RESERVED, -1, "synchronous tag check fault");
        else
            set_fsc(f, ARM_FAULT_RESERVED, -1, "reserved/unknown status 0x11");
        break;
    case 0x13:
        set_fsc(f, ARM_FAULT_SYNC_EXTERNAL_WALK, -1,
                "synchronous external abort on table walk, level -1");
        break;
    case 0x19: set_fsc(f, ARM_FAULT_RESERVED, -1, "reserved/unknown status 0x19"); break;
    case 0x1B:
        set_fsc(f, ARM_FAULT_SYNC_PARITY_WALK, -1,
                "synchronous parity error on table walk, level -1");
        break;
    case 0x29: set_fsc(f, ARM_FAULT_ADDRESS_SIZE, -1, "address size fault, level -1"); break;
    case 0x2B: set_fsc(f, ARM_FAULT_TRANSLATION, -1, "translation fault, level -1"); break;
    case 0x31:
        set_fsc(f, ARM_FAULT_RESERVED, -1, "unsupported atomic hardware update fault");
        break;
    default: break;
    }
}

/* ---- decode -------------------------------------------------------------- */

int a64_esr_decode(uint64_t esr, a64_esr_info *out)
{
    if (!out)
        return HVP_E_INVAL;
    arm_hsr_info h;
    arm_hsr_decode((uint32_t)esr, &h);

    memset(out, 0, sizeof *out);
    out->raw = esr;
    out->ec = h.ec;
    out->class_name = a64_esr_class_name(h.ec);
    out->il = h.il;
    out->iss = h.iss;
    out->iss2 = (uint32_t)((esr >> 32) & 0x1F);
    out->fsc = h.fsc;
    out->wnr = -1;

    switch (h.ec) {
    case 0x21: case 0x25: case 0x31: case 0x33: case 0x35: out->same_el = 1; break;
    case 0x20: case 0x24: case 0x30: case 0x32: case 0x34: out->same_el = 0; break;
    default: out->same_el = -1; break;
    }

    if (h.is_abort) {
        uint32_t iss = h.iss;
        out->is_abort = 1;
        out->is_data = h.is_data;
        decode_fsc(iss & 0x3F, h.is_data, &out->fsc);
        out->s1ptw = h.s1ptw;
        out->ea = h.ea;
        out->fnv = (int)((iss >> 10) & 1);
        if (h.is_data) {
            out->wnr = h.wnr;
            out->cm = h.cm;
            out->isv = h.isv;
            if (h.isv) {
                out->access_size = h.access_size;
                out->sse = h.sse;
                out->srt = (iss >> 16) & 0x1F;     /* 5 bits in AArch64 */
                out->sf = (int)((iss >> 15) & 1);
                out->ar = (int)((iss >> 14) & 1);
            }
        }
    }

    switch (h.ec) {
    case 0x11: case 0x12: case 0x15: case 0x16: case 0x17: case 0x38: case 0x3C:
        out->has_imm16 = 1;
        out->imm16 = h.iss & 0xFFFF;
        break;
    default:
        break;
    }
    return HVP_OK;
}

/* ---- one sentence -------------------------------------------------------- */


/* "x3", "w3", "xzr", "wzr" */
static void put_reg(hvp_line *t, unsigned r, int x)
{
    if (r == 31)
        hvp_line_put(t, "%s", x ? "xzr" : "wzr");
    else
        hvp_line_put(t, "%c%u", x ? 'x' : 'w', r);
}

/* "instruction fetch", "cache maintenance", "4-byte write from w3",
 * "sign-extending 2-byte read into x5", "read", "write" */
static void put_access(hvp_line *t, const a64_esr_info *e)
{
    if (!e->is_data) {
        hvp_line_put(t, "instruction fetch");
    } else if (e->cm) {
        hvp_line_put(t, "cache maintenance");
    } else if (e->isv && e->wnr) {
        hvp_line_put(t, "%u-byte write from ", e->access_size);
        put_reg(t, e->srt, e->sf);
    } else if (e->isv) {
        hvp_line_put(t, "%s%u-byte read into ", e->sse ? "sign-extending " : "", e->access_size);
        put_reg(t, e->srt, e->sf);
    } else {
        hvp_line_put(t, "%s", e->wnr ? "write" : "read");
    }
}

/* EC 0x18: "MRS x1, S3_3_C14_C0_2", "MSR S3_0_C1_C0_0, x0",
 * "SYS #0, C7, C6, #1, x0" (Op0 = 1: DC/IC/AT/TLBI and friends). */
static void put_sysreg(hvp_line *t, uint32_t iss)
{
    unsigned op0 = (iss >> 20) & 3, op2 = (iss >> 17) & 7, op1 = (iss >> 14) & 7;
    unsigned crn = (iss >> 10) & 0xF, rt = (iss >> 5) & 0x1F, crm = (iss >> 1) & 0xF;
    int read = (int)(iss & 1);
    if (op0 == 1) {
        hvp_line_put(t, "%s #%u, C%u, C%u, #%u, ", read ? "SYSL" : "SYS", op1, crn, crm, op2);
        put_reg(t, rt, 1);
    } else if (read) {
        hvp_line_put(t, "MRS ");
        put_reg(t, rt, 1);
        hvp_line_put(t, ", S%u_%u_C%u_C%u_%u", op0, op1, crn, crm, op2);
    } else {
        hvp_line_put(t, "MSR S%u_%u_C%u_C%u_%u, ", op0, op1, crn, crm, op2);
        put_reg(t, rt, 1);
    }
}

/* SError ISS: IDS 24 (IMPLEMENTATION DEFINED syndrome in 23:0), AET
 * 12:10 and DFSC 5:0 (0x00 uncategorized, 0x11 asynchronous SError). */
static void put_serror(hvp_line *t, uint32_t iss)
{
    static const char *const aet[8] = {
        "uncontainable (UC)", "unrecoverable state (UEU)", "restartable state (UEO)",
        "recoverable state (UER)", "AET 0b100", "AET 0b101", "corrected (CE)", "AET 0b111",
    };
    if (iss & (1u << 24)) {
        hvp_line_put(t, ", IMPLEMENTATION DEFINED syndrome 0x%06x", (unsigned)(iss & 0xFFFFFF));
        return;
    }
    unsigned dfsc = iss & 0x3F;
    if (dfsc == 0x00)
        hvp_line_put(t, ", uncategorized");
    else if (dfsc == 0x11)
        hvp_line_put(t, ", asynchronous SError, %s", aet[(iss >> 10) & 7]);
    else
        hvp_line_put(t, ", DFSC 0x%02x", dfsc);
    if (iss & (1u << 9))
        hvp_line_put(t, " (EA=1)");
}

static int is_mmu_fault(arm_fault_kind k)
{
    return k == ARM_FAULT_TRANSLATION || k == ARM_FAULT_ACCESS_FLAG ||
           k == ARM_FAULT_PERMISSION || k == ARM_FAULT_ADDRESS_SIZE;
}

static void put_far(hvp_line *t, const a64_esr_info *e, int have_far, uint64_t far,
                    const char *el)
{
    if (e->fnv)
        hvp_line_put(t, ", FAR_%s not valid (FnV=1)", el);
    else if (have_far)
        hvp_line_put(t, ", at FAR_%s 0x%llx", el, (unsigned long long)far);
}

static void put_abort(hvp_line *t, const a64_esr_info *e, int have_far, uint64_t far,
                      const char *el)
{
    hvp_line_put(t, "%s, %s (%cFSC 0x%02x", e->class_name, e->fsc.name, e->is_data ? 'D' : 'I',
        (unsigned)(e->iss & 0x3F));
    if (e->ea)
        hvp_line_put(t, ", EA=1");
    /* Taken to EL2 from below: with HCR_EL2.TGE=0 every stage-1 fault of
     * EL1&0 goes to EL1, so an MMU fault here is a stage-2 one. */
    if (!e->s1ptw && !e->same_el && is_mmu_fault(e->fsc.kind) && !strcmp(el, "EL2"))
        hvp_line_put(t, ", stage 2 unless HCR_EL2.TGE=1");
    hvp_line_put(t, ")");
    if (e->s1ptw)
        hvp_line_put(t, ", stage-2 fault on the stage-1 table walk");
    hvp_line_put(t, ", ");
    put_access(t, e);
    put_far(t, e, have_far, far, el);
}

int a64_esr_describe(uint64_t esr, int have_far, uint64_t far, const char *elname,
                     char *buf, size_t n, hvp_error *err)
{
    if (!buf || n == 0)
        return hvp_fail(err, HVP_E_INVAL, "a64_esr_describe: no output buffer");
    buf[0] = '\0';
    const char *el = elname ? elname : "ELx";
    a64_esr_info e;
    a64_esr_decode(esr, &e);
    hvp_line t = { buf, n, 0, 0 };

    hvp_line_put(&t, "ESR_%s 0x%08llx: ", el, (unsigned long long)esr);
    switch (e.ec) {
    case 0x20: case 0x21: case 0x24: case 0x25:
        put_abort(&t, &e, have_far, far, el);
        break;
    case 0x11: case 0x12: case 0x15: case 0x16: case 0x17: case 0x38: case 0x3C: {
        const char *mn = e.ec == 0x11 || e.ec == 0x15 ? "SVC" :
                         e.ec == 0x12 || e.ec == 0x16 ? "HVC" :
                         e.ec == 0x17 ? "SMC" : e.ec == 0x38 ? "BKPT" : "BRK";
        hvp_line_put(&t, "%s #0x%x executed in %s", mn, e.imm16,
            e.ec == 0x11 || e.ec == 0x12 || e.ec == 0x38 ? "AArch32" : "AArch64");
        break;
    }
    case 0x18:
        hvp_line_put(&t, "%s: ", e.class_name);
        put_sysreg(&t, e.iss);
        break;
    case 0x01: {
        static const char *const wf[4] = { "WFI", "WFE", "WFIT", "WFET" };
        hvp_line_put(&t, "%s: %s", e.class_name, wf[e.iss & 3]);
        break;
    }
    case 0x22:
        hvp_line_put(&t, "%s", e.class_name);
        if (have_far)
            hvp_line_put(&t, ", at FAR_%s 0x%llx", el, (unsigned long long)far);
        break;
    case 0x34: case 0x35:
        hvp_line_put(&t, "%s, %s", e.class_name, (e.iss >> 6) & 1 ? "write" : "read");
        if (have_far)
            hvp_line_put(&t, ", at FAR_%s 0x%llx", el, (unsigned long long)far);
        break;
    case 0x2F:
        hvp_line_put(&t, "%s", e.class_name);
        put_serror(&t, e.iss);
        break;
    default:
        hvp_line_put(&t, "%s", e.class_name);
        if (!strcmp(e.class_name, "unallocated exception class"))
            hvp_line_put(&t, " (EC 0x%02x, ISS 0x%07x)", e.ec, (unsigned)e.iss);
        else if (e.iss)
            hvp_line_put(&t, " (ISS 0x%07x)", (unsigned)e.iss);
        break;
    }
    if (t.overflow)
        return hvp_fail(err, HVP_E_INVAL,
                        "a64_esr_describe: buffer of %zu bytes too small (need %zu)",
                        n, t.len + 1);
    return HVP_OK;
}
