/*
 * arch/arm64/esr.h - decode ESR_EL1 / ESR_EL2 / ESR_EL3 (the AArch64
 * Exception Syndrome Registers) and, with the FAR, turn an exception into
 * one sentence a person reads.
 *
 * Layout (Arm DDI 0487, "ESR_EL1, Exception Syndrome Register (EL1)" in
 * the AArch64 System Register Descriptions, and the exception model's
 * "Exception entry"): EC 31:26, IL 25, ISS 24:0,
 * ISS2 36:32 (FEAT_LS64 and later; bits 63:37 RES0).  The low 32 bits have
 * the layout of the AArch32 HSR, so arm_hsr_decode() and arm_lfsc_decode()
 * of arch/arm/fault.h do the shared work; this file supplies AArch64
 * names (EC 0x21/0x25 are "taken without a change in Exception level",
 * not "taken in Hyp mode") and the fields AArch64 widens:
 *   data/instruction abort ISS (EC 0x20, 0x21, 0x24, 0x25):
 *     24 ISV, 23:22 SAS, 21 SSE, 20:16 SRT (5 bits), 15 SF, 14 AR,
 *     10 FnV (FAR not valid), 9 EA, 8 CM, 7 S1PTW, 6 WnR, 5:0 xFSC;
 *   DFSC codes that differ from the AArch32 long-descriptor FSR:
 *     0x11 synchronous tag check fault (FEAT_MTE2; AArch32: asynchronous
 *     external abort), 0x19 reserved (AArch32: asynchronous parity error;
 *     AArch64 reports asynchronous errors as SError, EC 0x2F), 0x31
 *     unsupported atomic hardware update, 0x13/0x1B/0x29/0x2B level -1
 *     (FEAT_LPA2; named "..., level -1", level field -1), 0x08/0x0C
 *     access flag / permission fault, level 0 (FEAT_LPA2).  Codes that
 *     arm_fault_kind has no value for (tag check, unsupported atomic
 *     update) keep kind ARM_FAULT_RESERVED but get their proper name;
 *   SVC/HVC/SMC (EC 0x15/0x16/0x17) and BRK (0x3C): imm16 in ISS 15:0;
 *   MSR/MRS/system instruction (EC 0x18): Op0 21:20, Op2 19:17, Op1
 *     16:14, CRn 13:10, Rt 9:5, CRm 4:1, Direction 0 (1 = read, MRS);
 *   SError (EC 0x2F): IDS 24, AET 12:10, EA 9, DFSC 5:0.
 *
 * Pure functions: no I/O, no allocation, static strings.  Which stage an
 * abort came from is not in ESR: S1PTW=1 means a stage-2 fault on a
 * stage-1 walk; a translation/access flag/permission/address size fault
 * taken to EL2 from a lower EL is stage 2 when HCR_EL2.TGE=0 (the
 * sentence says "stage 2 unless HCR_EL2.TGE=1"; HPFAR_EL2 then holds
 * the IPA page, which this API does not take).
 */
#ifndef HVP_ARCH_ARM64_ESR_H
#define HVP_ARCH_ARM64_ESR_H

#include <stddef.h>
#include <stdint.h>
#include "arch/arm/fault.h"
#include "hvprobe/error.h"

typedef struct a64_esr_info {
    uint64_t raw;
    unsigned ec;             /* bits 31:26 */
    const char *class_name;  /* static, AArch64 wording, e.g. "data abort
                                taken without a change in Exception level";
                                "unallocated exception class" if unknown */
    int il;                  /* bit 25: 1 = 32-bit instruction (or RES1) */
    uint32_t iss;            /* bits 24:0 */
    uint32_t iss2;           /* bits 36:32 */

    /* Aborts (EC 0x20, 0x21, 0x24, 0x25); 0 or -1 otherwise. */
    int is_abort;
    int is_data;             /* 1 data abort, 0 instruction abort */
    int same_el;             /* 1 taken without a change in Exception level
                                (EC 0x21, 0x25, 0x31, 0x33, 0x35), 0 from a
                                lower EL (0x20, 0x24, 0x30, 0x32, 0x34),
                                -1 the class does not say */
    arm_fsr_info fsc;        /* IFSC/DFSC (ISS 5:0) with AArch64 names; for
                                other classes kind RESERVED, name "" */
    int wnr;                 /* data aborts: ISS 6, 1 = write; else -1 */
    int s1ptw;               /* ISS 7: stage-2 fault on a stage-1 walk */
    int cm;                  /* data aborts: ISS 8, cache maintenance */
    int ea;                  /* ISS 9: external abort type */
    int fnv;                 /* ISS 10: 1 = FAR not valid */
    int isv;                 /* data aborts: ISS 24, fields below valid */
    unsigned access_size;    /* bytes from SAS (23:22) when isv, else 0 */
    int sse;                 /* when isv: ISS 21, sign-extending load */
    unsigned srt;            /* when isv: ISS 20:16, 31 = xzr/wzr */
    int sf;                  /* when isv: ISS 15, 1 = 64-bit register */
    int ar;                  /* when isv: ISS 14, acquire/release */

    /* SVC/HVC (AArch32 and AArch64), SMC64, BRK, BKPT: ISS 15:0. */
    int has_imm16;
    unsigned imm16;
} a64_esr_info;

/* Static AArch64 name of an exception class, e.g. "SVC instruction from
 * AArch64" for 0x15, "unallocated exception class" for unknown values. */
const char *a64_esr_class_name(unsigned ec);

/* Decode an ESR_ELx value.  HVP_E_INVAL when `out` is NULL. */
int a64_esr_decode(uint64_t esr, a64_esr_info *out);

/* One sentence (no trailing period) for an exception taken to `elname`
 * ("EL1", "EL2", "EL3"; NULL prints "ELx"), naming the register and its
 * value first.  The FAR is printed for the classes that set it (aborts
 * unless FnV=1, PC alignment faults, watchpoints) when have_far is set.
 * Examples:
 *   "ESR_EL1 0x96000004: data abort taken without a change in Exception
 *    level, translation fault, level 0 (DFSC 0x04), read, at FAR_EL1 0x0"
 *   "ESR_EL1 0x56000000: SVC #0x0 executed in AArch64"
 *   "ESR_EL2 0x93810045: data abort from a lower Exception level,
 *    translation fault, level 1 (DFSC 0x05, stage 2 unless HCR_EL2.TGE=1),
 *    4-byte write from w1, at FAR_EL2 0x9000000"
 * HVP_E_INVAL when buf is NULL, n is 0 or the text did not fit (buf then
 * holds it truncated). */
int a64_esr_describe(uint64_t esr, int have_far, uint64_t far, const char *elname,
                     char *buf, size_t n, hvp_error *err);

#endif
