/*
 * arch/arm/fault.c - DFSR/IFSR/HSR decoding for ARMv7-A (VMSA with the
 * Large Physical Address and Virtualization Extensions).
 *
 * References (ARM DDI 0406C.c, "ARMv7-A and ARMv7-R Architecture Reference
 * Manual"):
 *   B3.13.3  Fault Status Register encodings:
 *            "Short-descriptor format FSR encodings" (Table B3-23) and
 *            "Long-descriptor format FSR encodings" (Table B3-24/B3-25;
 *            the table numbers differ between issues of the manual, the
 *            titles do not).
 *   B3.13.6  Reporting exceptions taken to Hyp mode (HSR, HPFAR).
 *   B4.1.95  HSR: EC encodings and the ISS of each class.
 * The ARMv8 ESR_EL2 encodings used by an AArch64 hypervisor for an AArch32
 * guest are a superset; the few v8-only ones we name are marked "(v8)".
 */
#include "arch/arm/fault.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- fault kinds --------------------------------------------------------- */

static const char *const kind_names[] = {
    [ARM_FAULT_RESERVED] = "reserved/unknown status",
    [ARM_FAULT_ALIGNMENT] = "alignment fault",
    [ARM_FAULT_ICACHE_MAINT] = "fault on instruction cache maintenance",
    [ARM_FAULT_TRANSLATION] = "translation fault",
    [ARM_FAULT_ACCESS_FLAG] = "access flag fault",
    [ARM_FAULT_DOMAIN] = "domain fault",
    [ARM_FAULT_PERMISSION] = "permission fault",
    [ARM_FAULT_ADDRESS_SIZE] = "address size fault",
    [ARM_FAULT_DEBUG] = "debug event",
    [ARM_FAULT_SYNC_EXTERNAL] = "synchronous external abort",
    [ARM_FAULT_SYNC_EXTERNAL_WALK] = "synchronous external abort on table walk",
    [ARM_FAULT_SYNC_PARITY] = "synchronous parity error on memory access",
    [ARM_FAULT_SYNC_PARITY_WALK] = "synchronous parity error on table walk",
    [ARM_FAULT_ASYNC_EXTERNAL] = "asynchronous external abort",
    [ARM_FAULT_ASYNC_PARITY] = "asynchronous parity error on memory access",
    [ARM_FAULT_TLB_CONFLICT] = "TLB conflict abort",
    [ARM_FAULT_LOCKDOWN] = "lockdown abort (IMPLEMENTATION DEFINED)",
    [ARM_FAULT_COPROC] = "coprocessor abort (IMPLEMENTATION DEFINED)",
    [ARM_FAULT_EXCLUSIVE] = "unsupported exclusive access fault",
};

const char *arm_fault_kind_name(arm_fault_kind kind)
{
    if ((unsigned)kind >= sizeof kind_names / sizeof kind_names[0] || !kind_names[kind])
        return kind_names[ARM_FAULT_RESERVED];
    return kind_names[kind];
}

int arm_fault_is_mmu(arm_fault_kind kind)
{
    return kind == ARM_FAULT_TRANSLATION || kind == ARM_FAULT_ACCESS_FLAG ||
           kind == ARM_FAULT_DOMAIN || kind == ARM_FAULT_PERMISSION ||
           kind == ARM_FAULT_ADDRESS_SIZE;
}

/* ---- short-descriptor format -------------------------------------------- */

/* FS[4:0] = {FSR[10], FSR[3:0]}.  Table "Short-descriptor format FSR
 * encodings" (DDI 0406C B3.13.3, Table B3-23).  `page` selects the
 * ", section" / ", page" suffix: 0 none, 1 section (first level),
 * 2 page (second level); `walk` selects ", level N" instead. */
typedef struct sfsc_entry {
    uint8_t fs;
    uint8_t kind;       /* arm_fault_kind */
    int8_t level;       /* -1 none */
    uint8_t dfsr_only;  /* reserved in IFSR */
    uint8_t walk;       /* suffix ", level N" rather than section/page */
} sfsc_entry;

static const sfsc_entry sfsc_table[] = {
    { 0x01, ARM_FAULT_ALIGNMENT,          -1, 1, 0 },
    { 0x04, ARM_FAULT_ICACHE_MAINT,       -1, 1, 0 },
    { 0x0C, ARM_FAULT_SYNC_EXTERNAL_WALK,  1, 0, 1 },
    { 0x0E, ARM_FAULT_SYNC_EXTERNAL_WALK,  2, 0, 1 },
    { 0x1C, ARM_FAULT_SYNC_PARITY_WALK,    1, 0, 1 },
    { 0x1E, ARM_FAULT_SYNC_PARITY_WALK,    2, 0, 1 },
    { 0x05, ARM_FAULT_TRANSLATION,         1, 0, 0 },
    { 0x07, ARM_FAULT_TRANSLATION,         2, 0, 0 },
    { 0x03, ARM_FAULT_ACCESS_FLAG,         1, 0, 0 },
    { 0x06, ARM_FAULT_ACCESS_FLAG,         2, 0, 0 },
    { 0x09, ARM_FAULT_DOMAIN,              1, 0, 0 },
    { 0x0B, ARM_FAULT_DOMAIN,              2, 0, 0 },
    { 0x0D, ARM_FAULT_PERMISSION,          1, 0, 0 },
    { 0x0F, ARM_FAULT_PERMISSION,          2, 0, 0 },
    { 0x02, ARM_FAULT_DEBUG,              -1, 0, 0 },
    { 0x08, ARM_FAULT_SYNC_EXTERNAL,      -1, 0, 0 },
    { 0x19, ARM_FAULT_SYNC_PARITY,        -1, 0, 0 },
    { 0x16, ARM_FAULT_ASYNC_EXTERNAL,     -1, 1, 0 },
    { 0x18, ARM_FAULT_ASYNC_PARITY,       -1, 1, 0 },
    { 0x10, ARM_FAULT_TLB_CONFLICT,       -1, 0, 0 },
    { 0x14, ARM_FAULT_LOCKDOWN,           -1, 0, 0 },
    { 0x1A, ARM_FAULT_COPROC,             -1, 0, 0 },
};

static void set_reserved(arm_fsr_info *o)
{
    o->kind = ARM_FAULT_RESERVED;
    o->level = -1;
    snprintf(o->name, sizeof o->name, "reserved/unknown status 0x%02x", o->status);
}

static void decode_short(arm_fsr_info *o)
{
    o->status = ((o->raw >> 6) & 0x10) | (o->raw & 0xF);   /* FSR[10] -> FS[4] */
    for (size_t i = 0; i < sizeof sfsc_table / sizeof sfsc_table[0]; i++) {
        const sfsc_entry *e = &sfsc_table[i];
        if (e->fs != o->status)
            continue;
        if (e->dfsr_only && o->is_ifsr)
            break;
        o->kind = (arm_fault_kind)e->kind;
        o->level = e->level;
        const char *base = arm_fault_kind_name(o->kind);
        if (e->level < 0)
            snprintf(o->name, sizeof o->name, "%s", base);
        else if (e->walk)
            snprintf(o->name, sizeof o->name, "%s, level %d", base, e->level);
        else
            snprintf(o->name, sizeof o->name, "%s, %s", base,
                     e->level == 1 ? "section" : "page");
        return;
    }
    set_reserved(o);
}

/* ---- long-descriptor format --------------------------------------------- */

/* STATUS[5:0]; "Long-descriptor format FSR encodings" (DDI 0406C B3.13.3).
 * Codes of the form xxxxLL carry the lookup level in LL = bits 1:0.  Level
 * 0 does not exist in the ARMv7 long-descriptor walk; ARMv8 ESR_EL2 can
 * report level 0 for translation faults and walk aborts (a 4-level stage
 * 2 under an AArch64 hypervisor), so those are accepted; access flag and
 * permission faults at level 0 stay reserved (FEAT_LPA2 only). */
void arm_lfsc_decode(unsigned status, int is_ifsr, arm_fsr_info *o)
{
    unsigned ll = status & 3;
    arm_fault_kind k = ARM_FAULT_RESERVED;
    int level = -1;

    o->status = status & 0x3F;
    switch (o->status >> 2) {
    case 0x0: k = ARM_FAULT_ADDRESS_SIZE; level = (int)ll; break;        /* 0000LL */
    case 0x1: k = ARM_FAULT_TRANSLATION; level = (int)ll; break;         /* 0001LL */
    case 0x2: if (ll) { k = ARM_FAULT_ACCESS_FLAG; level = (int)ll; } break; /* 0010LL */
    case 0x3: if (ll) { k = ARM_FAULT_PERMISSION; level = (int)ll; } break;  /* 0011LL */
    case 0x5: k = ARM_FAULT_SYNC_EXTERNAL_WALK; level = (int)ll; break;  /* 0101LL */
    case 0x7: k = ARM_FAULT_SYNC_PARITY_WALK; level = (int)ll; break;    /* 0111LL */
    case 0xF: if (ll == 1 || ll == 2) { k = ARM_FAULT_DOMAIN; level = (int)ll; } break; /* 1111LL */
    default:
        switch (o->status) {
        case 0x10: k = ARM_FAULT_SYNC_EXTERNAL; break;                   /* 010000 */
        case 0x11: if (!is_ifsr) k = ARM_FAULT_ASYNC_EXTERNAL; break;    /* 010001 */
        case 0x18: k = ARM_FAULT_SYNC_PARITY; break;                     /* 011000 */
        case 0x19: if (!is_ifsr) k = ARM_FAULT_ASYNC_PARITY; break;      /* 011001 */
        case 0x21: if (!is_ifsr) k = ARM_FAULT_ALIGNMENT; break;         /* 100001 */
        case 0x22: k = ARM_FAULT_DEBUG; break;                           /* 100010 */
        case 0x30: k = ARM_FAULT_TLB_CONFLICT; break;                    /* 110000 */
        case 0x34: k = ARM_FAULT_LOCKDOWN; break;                        /* 110100 */
        case 0x35: k = ARM_FAULT_EXCLUSIVE; break;                       /* 110101 (v8) */
        case 0x3A: k = ARM_FAULT_COPROC; break;                          /* 111010 */
        default: break;
        }
    }
    if (k == ARM_FAULT_RESERVED) {
        set_reserved(o);
        return;
    }
    o->kind = k;
    o->level = level;
    if (level >= 0)
        snprintf(o->name, sizeof o->name, "%s, level %d", arm_fault_kind_name(k), level);
    else
        snprintf(o->name, sizeof o->name, "%s", arm_fault_kind_name(k));
}

/* Field layout shared by both formats (B4.1.52 DFSR, B4.1.96 IFSR):
 *   bit 13 CM (DFSR), bit 12 ExT, bit 11 WnR (DFSR), bit 9 LPAE,
 *   short: bit 10 FS[4], bits 7:4 Domain (DFSR), bits 3:0 FS[3:0];
 *   long:  bits 5:0 STATUS. */
int arm_fsr_decode(uint32_t fsr, int lpae, int is_ifsr, arm_fsr_info *out)
{
    if (!out)
        return HVP_E_INVAL;
    memset(out, 0, sizeof *out);
    out->raw = fsr;
    out->is_ifsr = is_ifsr ? 1 : 0;
    out->lpae = lpae < 0 ? (int)((fsr >> 9) & 1) : (lpae ? 1 : 0);
    out->ext = (int)((fsr >> 12) & 1);
    out->write = out->is_ifsr ? -1 : (int)((fsr >> 11) & 1);
    out->cm = out->is_ifsr ? 0 : (int)((fsr >> 13) & 1);
    out->domain = -1;
    if (out->lpae) {
        arm_lfsc_decode(fsr & 0x3F, out->is_ifsr, out);
    } else {
        decode_short(out);
        if (!out->is_ifsr)
            out->domain = (int)((fsr >> 4) & 0xF);
    }
    return HVP_OK;
}

/* ---- HSR ----------------------------------------------------------------- */

/* HSR.EC, bits 31:26 (DDI 0406C B4.1.95, "HSR.EC encodings"; ARMv8
 * ESR_EL2.EC for the entries marked (v8)). */
static const struct { uint8_t ec; const char *name; } ec_names[] = {
    { ARM_EC_UNKNOWN,     "unknown reason" },
    { ARM_EC_WFX,         "WFI or WFE trapped" },
    { ARM_EC_CP15_32,     "MCR/MRC to CP15 trapped" },
    { ARM_EC_CP15_64,     "MCRR/MRRC to CP15 trapped" },
    { ARM_EC_CP14_32,     "MCR/MRC to CP14 trapped" },
    { ARM_EC_CP14_LS,     "LDC/STC to CP14 trapped" },
    { ARM_EC_HCPTR,       "CP0-CP13 (FP/Advanced SIMD) access trapped by HCPTR" },
    { ARM_EC_CP10_ID,     "MRC/VMRS to CP10 trapped (ID registers, HCR.TID0)" },
    { ARM_EC_CP14_64,     "MRRC to CP14 trapped" },
    { ARM_EC_ILLEGAL,     "illegal execution state (v8)" },
    { ARM_EC_SVC32,       "SVC from AArch32 (taken to Hyp)" },
    { ARM_EC_HVC32,       "HVC executed" },
    { ARM_EC_SMC32,       "SMC trapped (HCR.TSC)" },
    { ARM_EC_SVC64,       "SVC from AArch64 (v8)" },
    { ARM_EC_HVC64,       "HVC from AArch64 (v8)" },
    { ARM_EC_SMC64,       "SMC from AArch64 (v8)" },
    { ARM_EC_SYS64,       "MSR/MRS/system instruction trapped (v8)" },
    { ARM_EC_IABT_LOWER,  "prefetch abort from a lower level" },
    { ARM_EC_IABT_HYP,    "prefetch abort taken in Hyp mode" },
    { ARM_EC_PC_ALIGN,    "PC alignment fault (v8)" },
    { ARM_EC_DABT_LOWER,  "data abort from a lower level" },
    { ARM_EC_DABT_HYP,    "data abort taken in Hyp mode" },
    { ARM_EC_SP_ALIGN,    "SP alignment fault (v8)" },
    { ARM_EC_FP32,        "floating-point exception from AArch32 (v8)" },
    { ARM_EC_FP64,        "floating-point exception from AArch64 (v8)" },
    { ARM_EC_SERROR,      "SError interrupt (v8)" },
    { ARM_EC_BKPT_LOWER,  "breakpoint from a lower level (v8)" },
    { ARM_EC_BKPT_CUR,    "breakpoint at the current level (v8)" },
    { ARM_EC_SSTEP_LOWER, "software step from a lower level (v8)" },
    { ARM_EC_SSTEP_CUR,   "software step at the current level (v8)" },
    { ARM_EC_WPT_LOWER,   "watchpoint from a lower level (v8)" },
    { ARM_EC_WPT_CUR,     "watchpoint at the current level (v8)" },
    { ARM_EC_BKPT32,      "BKPT from AArch32 (v8)" },
    { ARM_EC_BRK64,       "BRK from AArch64 (v8)" },
};

const char *arm_hsr_class_name(unsigned ec)
{
    for (size_t i = 0; i < sizeof ec_names / sizeof ec_names[0]; i++)
        if (ec_names[i].ec == ec)
            return ec_names[i].name;
    return "unallocated exception class";
}

/* HSR layout: EC 31:26, IL 25, ISS 24:0.  Abort ISS (B3.13.6, "ISS
 * encoding for Data/Prefetch Abort exceptions taken to Hyp mode"):
 *   24 ISV, 23:22 SAS, 21 SSE, 19:16 SRT      (data aborts only)
 *   9 EA, 8 CM (data), 7 S1PTW, 6 WnR (data), 5:0 IFSC/DFSC (long format).
 * SAS: 00 byte, 01 halfword, 10 word, 11 reserved (doubleword in v8). */
int arm_hsr_decode(uint32_t hsr, arm_hsr_info *out)
{
    if (!out)
        return HVP_E_INVAL;
    memset(out, 0, sizeof *out);
    out->raw = hsr;
    out->ec = hsr >> 26;
    out->class_name = arm_hsr_class_name(out->ec);
    out->il = (int)((hsr >> 25) & 1);
    out->iss = hsr & 0x1FFFFFF;
    out->wnr = -1;
    out->imm16 = -1;
    out->fsc.lpae = 1;
    out->fsc.level = -1;
    out->fsc.write = -1;
    out->fsc.domain = -1;

    switch (out->ec) {
    case ARM_EC_IABT_LOWER: case ARM_EC_IABT_HYP:
    case ARM_EC_DABT_LOWER: case ARM_EC_DABT_HYP: {
        uint32_t iss = out->iss;
        out->is_abort = 1;
        out->is_data = out->ec == ARM_EC_DABT_LOWER || out->ec == ARM_EC_DABT_HYP;
        out->from_lower = out->ec == ARM_EC_IABT_LOWER || out->ec == ARM_EC_DABT_LOWER;
        out->fsc.raw = iss & 0x3F;
        out->fsc.lpae = 1;
        out->fsc.is_ifsr = !out->is_data;
        out->fsc.write = out->is_data ? (int)((iss >> 6) & 1) : -1;
        out->fsc.domain = -1;
        arm_lfsc_decode(iss & 0x3F, !out->is_data, &out->fsc);
        out->s1ptw = (int)((iss >> 7) & 1);
        out->ea = (int)((iss >> 9) & 1);
        out->fsc.ext = out->ea;
        if (out->is_data) {
            out->wnr = (int)((iss >> 6) & 1);
            out->cm = (int)((iss >> 8) & 1);
            out->fsc.cm = out->cm;
            out->isv = (int)((iss >> 24) & 1);
            if (out->isv) {
                out->access_size = 1u << ((iss >> 22) & 3);
                out->sse = (int)((iss >> 21) & 1);
                out->srt = (iss >> 16) & 0xF;
            }
        }
        break;
    }
    case ARM_EC_SVC32: case ARM_EC_HVC32:
    case ARM_EC_SVC64: case ARM_EC_HVC64:
        out->imm16 = (long)(out->iss & 0xFFFF);
        break;
    default:
        break;
    }
    return HVP_OK;
}

uint64_t arm_hpfar_ipa(uint32_t hpfar, uint32_t far)
{
    return ((uint64_t)(hpfar >> 4) << 12) | (far & 0xFFFu);
}

int arm_abort_is_stage2(const arm_hsr_info *h)
{
    if (!h || !h->is_abort || !h->from_lower)
        return 0;
    if (h->s1ptw)
        return 1;
    switch (h->fsc.kind) {
    case ARM_FAULT_TRANSLATION:
    case ARM_FAULT_ACCESS_FLAG:
    case ARM_FAULT_PERMISSION:
        return 1;
    default:
        return 0;
    }
}

/* ---- one sentence -------------------------------------------------------- */

typedef struct text {
    char *buf;
    size_t n, len;
    int overflow;
} text;

static void put(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(text *t, const char *fmt, ...)
{
    va_list ap;
    size_t room = t->len < t->n ? t->n - t->len : 0;
    va_start(ap, fmt);
    int w = vsnprintf(t->buf + (t->len < t->n ? t->len : t->n - 1),
                      room ? room : 1, fmt, ap);
    va_end(ap);
    if (w < 0) {
        t->overflow = 1;
        return;
    }
    if ((size_t)w >= room)
        t->overflow = 1;
    t->len += (size_t)w;
}

/* "instruction fetch from", "4-byte write from r3 to", "read from", ... */
static void put_access(text *t, const arm_hsr_info *h)
{
    if (!h->is_data) {
        put(t, "instruction fetch from");
        return;
    }
    if (h->cm) {
        put(t, "cache maintenance of");
        return;
    }
    if (h->isv) {
        if (h->wnr)
            put(t, "%u-byte write from r%u to", h->access_size, h->srt);
        else
            put(t, "%s%u-byte read into r%u from", h->sse ? "sign-extending " : "",
                h->access_size, h->srt);
        return;
    }
    put(t, h->wnr ? "write to" : "read from");
}

/* Build the sentence in pieces: what (stage + status), then on what access,
 * then which address.  See arm_abort_is_stage2() for what the stage claim
 * rests on. */
int arm_describe_abort(uint32_t hsr, uint32_t far, const uint32_t *hpfar,
                       char *buf, size_t n, hvp_error *err)
{
    if (!buf || n == 0)
        return hvp_fail(err, HVP_E_INVAL, "arm_describe_abort: no output buffer");
    buf[0] = '\0';

    arm_hsr_info h;
    arm_hsr_decode(hsr, &h);
    text t = { buf, n, 0, 0 };

    if (!h.is_abort) {
        if (h.imm16 >= 0)
            put(&t, "%s, #0x%lx", h.class_name, (unsigned long)h.imm16);
        else
            put(&t, "%s (EC 0x%02x, ISS 0x%07x)", h.class_name, h.ec, (unsigned)h.iss);
    } else {
        int s2 = arm_abort_is_stage2(&h);
        int mmu = arm_fault_is_mmu(h.fsc.kind);
        if (s2)
            put(&t, "stage-2 %s", h.fsc.name);
        else if (mmu && !h.from_lower)
            put(&t, "Hyp-mode stage-1 %s", h.fsc.name);
        else if (h.fsc.kind == ARM_FAULT_DOMAIN)
            /* stage 2 has no domains: a stage-1 fault routed by HCR.TGE */
            put(&t, "stage-1 %s (routed to Hyp)", h.fsc.name);
        else    /* incl. address size faults: HSR does not say which stage */
            put(&t, "%s", h.fsc.name);
        if (h.ea && (h.fsc.kind == ARM_FAULT_SYNC_EXTERNAL ||
                     h.fsc.kind == ARM_FAULT_SYNC_EXTERNAL_WALK ||
                     h.fsc.kind == ARM_FAULT_ASYNC_EXTERNAL))
            put(&t, " (EA=1)");

        if (s2 && h.s1ptw) {
            /* HPFAR names the IPA of the stage-1 descriptor being fetched,
             * not of the access; the FAR is the VA that was being
             * translated. */
            put(&t, ", on the stage-1 table walk for ");
            put_access(&t, &h);
            put(&t, " VA 0x%x", (unsigned)far);
            if (hpfar)
                put(&t, " (descriptor in IPA page 0x%llx)",
                    (unsigned long long)arm_hpfar_ipa(*hpfar, 0));
        } else {
            put(&t, ", on ");
            put_access(&t, &h);
            if (s2 && hpfar)
                put(&t, " IPA 0x%llx (VA 0x%x)",
                    (unsigned long long)arm_hpfar_ipa(*hpfar, far), (unsigned)far);
            else if (s2)
                put(&t, " VA 0x%x (IPA unknown: HPFAR not captured)", (unsigned)far);
            else
                put(&t, " VA 0x%x", (unsigned)far);
        }
    }
    if (t.overflow)
        return hvp_fail(err, HVP_E_INVAL,
                        "arm_describe_abort: buffer of %zu bytes too small (need %zu)",
                        n, t.len + 1);
    return HVP_OK;
}
