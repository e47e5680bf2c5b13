/*
 * arch/arm/fault.h - decode ARMv7-A fault status registers (DFSR, IFSR),
 * the Hyp Syndrome Register (HSR, the AArch32 view of ESR_EL2) and turn
 * an abort taken to Hyp mode into one English sentence.
 *
 * Pure functions on register values: no I/O, no allocation.  Every
 * returned `const char *` points to static storage; the `name` arrays
 * live inside the caller's struct.  Reference: ARM DDI 0406C.c (ARMv7-A/R
 * ARM), B3.13 "Exception reporting in a VMSA implementation" and B3.17
 * (HSR, HPFAR, HDFAR, HIFAR).
 *
 * Errors: HVP_E_INVAL for NULL outputs or a too-small text buffer.  An
 * encoding the architecture reserves is not an error: it decodes to
 * kind ARM_FAULT_RESERVED and the name "reserved/unknown status 0x..".
 */
#ifndef HVP_ARCH_ARM_FAULT_H
#define HVP_ARCH_ARM_FAULT_H

#include <stddef.h>
#include <stdint.h>
#include "hvprobe/error.h"

/* What kind of fault a status code names, independent of the format. */
typedef enum arm_fault_kind {
    ARM_FAULT_RESERVED = 0,    /* reserved or unknown encoding */
    ARM_FAULT_ALIGNMENT,
    ARM_FAULT_ICACHE_MAINT,    /* short-descriptor DFSR only */
    ARM_FAULT_TRANSLATION,
    ARM_FAULT_ACCESS_FLAG,
    ARM_FAULT_DOMAIN,
    ARM_FAULT_PERMISSION,
    ARM_FAULT_ADDRESS_SIZE,    /* long-descriptor only */
    ARM_FAULT_DEBUG,
    ARM_FAULT_SYNC_EXTERNAL,
    ARM_FAULT_SYNC_EXTERNAL_WALK,
    ARM_FAULT_SYNC_PARITY,
    ARM_FAULT_SYNC_PARITY_WALK,
    ARM_FAULT_ASYNC_EXTERNAL,  /* DFSR only */
    ARM_FAULT_ASYNC_PARITY,    /* DFSR only */
    ARM_FAULT_TLB_CONFLICT,
    ARM_FAULT_LOCKDOWN,        /* IMPLEMENTATION DEFINED */
    ARM_FAULT_COPROC,          /* IMPLEMENTATION DEFINED */
    ARM_FAULT_EXCLUSIVE        /* ARMv8 AArch32: unsupported exclusive */
} arm_fault_kind;

/* Static lower-case name of a kind, e.g. "translation fault". */
const char *arm_fault_kind_name(arm_fault_kind kind);

/* 1 for the faults a translation table walk itself produces (translation,
 * access flag, domain, permission, address size): the ones that say
 * "the MMU refused", as opposed to the bus, the debugger or alignment. */
int arm_fault_is_mmu(arm_fault_kind kind);

typedef struct arm_fsr_info {
    uint32_t raw;       /* the register value decoded */
    int lpae;           /* 1 long-descriptor format, 0 short */
    int is_ifsr;        /* 1 IFSR, 0 DFSR */
    unsigned status;    /* short: FS[4:0] (bit 10 -> FS[4]); long: STATUS[5:0] */
    arm_fault_kind kind;
    char name[64];      /* e.g. "translation fault, section",
                           "permission fault, level 3" */
    int level;          /* lookup level, -1 when the status has none; short
                           format: section/first level = 1, page = 2 */
    int write;          /* DFSR.WnR (bit 11): 1 write, 0 read; -1 for IFSR */
    int ext;            /* ExT (bit 12), IMPLEMENTATION DEFINED classification
                           of external aborts */
    int cm;             /* DFSR.CM (bit 13): fault on cache maintenance;
                           0 for IFSR */
    int domain;         /* short DFSR Domain (bits 7:4), -1 for IFSR and the
                           long format.  ARM deprecates relying on it: it is
                           only meaningful for domain, and section/page
                           permission and translation faults (B3.13.3) */
} arm_fsr_info;

/* Decode a DFSR (is_ifsr = 0) or IFSR (is_ifsr = 1).  `lpae` selects the
 * format: 0 short-descriptor, 1 long-descriptor, -1 take it from FSR bit 9
 * (the LPAE bit, present when the CPU implements LPAE).  Encodings marked
 * "DFSR only" in the tables decode as reserved when is_ifsr is set. */
int arm_fsr_decode(uint32_t fsr, int lpae, int is_ifsr, arm_fsr_info *out);

/* Decode a 6-bit long-descriptor status code (STATUS, or HSR IFSC/DFSC)
 * on its own.  Never fails; `out` must not be NULL. */
void arm_lfsc_decode(unsigned status, int is_ifsr, arm_fsr_info *out);

/* ---- HSR ----------------------------------------------------------------- */

/* HSR.EC values (HSR bits 31:26; DDI 0406C B3.17 "HSR", table of EC
 * encodings).  Values marked (v8) exist only in ESR_EL2 of ARMv8. */
enum arm_hsr_ec {
    ARM_EC_UNKNOWN      = 0x00,
    ARM_EC_WFX          = 0x01,
    ARM_EC_CP15_32      = 0x03,
    ARM_EC_CP15_64      = 0x04,
    ARM_EC_CP14_32      = 0x05,
    ARM_EC_CP14_LS      = 0x06,
    ARM_EC_HCPTR        = 0x07,
    ARM_EC_CP10_ID      = 0x08,
    ARM_EC_CP14_64      = 0x0C,
    ARM_EC_ILLEGAL      = 0x0E, /* (v8) */
    ARM_EC_SVC32        = 0x11,
    ARM_EC_HVC32        = 0x12,
    ARM_EC_SMC32        = 0x13,
    ARM_EC_SVC64        = 0x15, /* (v8) */
    ARM_EC_HVC64        = 0x16, /* (v8) */
    ARM_EC_SMC64        = 0x17, /* (v8) */
    ARM_EC_SYS64        = 0x18, /* (v8) */
    ARM_EC_IABT_LOWER   = 0x20,
    ARM_EC_IABT_HYP     = 0x21,
    ARM_EC_PC_ALIGN     = 0x22, /* (v8) */
    ARM_EC_DABT_LOWER   = 0x24,
    ARM_EC_DABT_HYP     = 0x25,
    ARM_EC_SP_ALIGN     = 0x26, /* (v8) */
    ARM_EC_FP32         = 0x28, /* (v8) */
    ARM_EC_FP64         = 0x2C, /* (v8) */
    ARM_EC_SERROR       = 0x2F, /* (v8) */
    ARM_EC_BKPT_LOWER   = 0x30, /* (v8) */
    ARM_EC_BKPT_CUR     = 0x31, /* (v8) */
    ARM_EC_SSTEP_LOWER  = 0x32, /* (v8) */
    ARM_EC_SSTEP_CUR    = 0x33, /* (v8) */
    ARM_EC_WPT_LOWER    = 0x34, /* (v8) */
    ARM_EC_WPT_CUR      = 0x35, /* (v8) */
    ARM_EC_BKPT32       = 0x38, /* (v8) */
    ARM_EC_BRK64        = 0x3C  /* (v8) */
};

/* Static name of an exception class, e.g. "HVC executed" for 0x12 or
 * "prefetch abort from a lower level" for 0x20.  Values not listed in
 * enum arm_hsr_ec return "unallocated exception class". */
const char *arm_hsr_class_name(unsigned ec);

typedef struct arm_hsr_info {
    uint32_t raw;
    unsigned ec;            /* bits 31:26 */
    const char *class_name; /* arm_hsr_class_name(ec) */
    int il;                 /* bit 25: 1 = 32-bit instruction trapped */
    uint32_t iss;           /* bits 24:0 */

    /* Aborts (EC 0x20, 0x21, 0x24, 0x25); zero/-1 otherwise. */
    int is_abort;
    int is_data;            /* 1 data abort, 0 prefetch abort */
    int from_lower;         /* 1 EC 0x20/0x24 (taken from PL0/PL1),
                               0 EC 0x21/0x25 (taken from Hyp mode) */
    arm_fsr_info fsc;       /* IFSC/DFSC, ISS 5:0, long-descriptor format;
                               for other classes kind RESERVED, name "" */
    int wnr;                /* ISS bit 6, data aborts: 1 write; -1 otherwise */
    int s1ptw;              /* ISS bit 7: stage-2 fault on a stage-1 walk */
    int cm;                 /* ISS bit 8, data aborts: cache maintenance */
    int ea;                 /* ISS bit 9: external abort type */
    int isv;                /* ISS bit 24, data aborts: 1 = SAS/SSE/SRT valid */
    unsigned access_size;   /* bytes from SAS (ISS 23:22) when isv, else 0 */
    int sse;                /* ISS bit 21: sign-extended load (when isv) */
    unsigned srt;           /* ISS 19:16: transfer register (when isv) */

    /* SVC/HVC (EC 0x11, 0x12, 0x15, 0x16): ISS 15:0.  -1 otherwise. */
    long imm16;
} arm_hsr_info;

/* Decode an HSR value.  HVP_E_INVAL when `out` is NULL. */
int arm_hsr_decode(uint32_t hsr, arm_hsr_info *out);

/* IPA of a stage-2 fault: HPFAR bits 31:4 hold IPA[39:12] (FIPA) and the
 * page offset comes from HIFAR/HDFAR: ((hpfar >> 4) << 12) | (far & 0xfff).
 * Only meaningful when arm_abort_is_stage2() says so and S1PTW is 0 (on a
 * stage-1 walk fault the IPA is that of the table entry, whose offset
 * the FAR does not carry). */
uint64_t arm_hpfar_ipa(uint32_t hpfar, uint32_t far);

/* Does this decoded HSR describe a stage-2 fault (so HPFAR is valid)?
 *
 * What the architecture lets us conclude (DDI 0406C B3.12.7, B3.13.6):
 *   - EC 0x21/0x25 (abort taken from Hyp mode) is a fault of the Hyp
 *     stage-1 regime (HTTBR); there is no stage 2: returns 0.
 *   - EC 0x20/0x24 with S1PTW=1: a stage-2 fault on an access made by the
 *     stage-1 walk: returns 1 (HPFAR holds the table entry's IPA page).
 *   - EC 0x20/0x24 with a translation, access flag or permission fault:
 *     stage 2, *unless* HCR.TGE was 1 and the guest was in PL0, in which
 *     case stage-1 faults of PL0 are routed to Hyp too.  HSR does not say
 *     which; a caller that knows HCR.TGE=0 (the normal case for a running
 *     guest) can trust the answer.  Returns 1.
 *   - Domain faults never come from stage 2 (it has no domains), and
 *     alignment, debug and external aborts are not translation faults of
 *     either stage: returns 0 and HPFAR is UNKNOWN for them.
 *   - Address size faults can come from either stage and HSR does not
 *     say which: returns 0, so HPFAR is not used for them. */
int arm_abort_is_stage2(const arm_hsr_info *h);

/* One English sentence (no trailing period) describing an exception taken
 * to Hyp mode.  `far` is HIFAR for prefetch aborts, HDFAR for data aborts
 * (ignored for other classes); `hpfar` may be NULL when it was not
 * captured.  Examples:
 *   "stage-2 translation fault, level 2, on instruction fetch from
 *    IPA 0x8 (VA 0x8)"
 *   "stage-2 permission fault, level 3, on 4-byte write from r3 to
 *    IPA 0x1c090000 (VA 0x1c090000)"
 *   "HVC executed, #0x0"
 * Fails with HVP_E_INVAL when buf is NULL, n is 0 or the text did not fit
 * (then buf holds the truncated, NUL-terminated sentence). */
int arm_describe_abort(uint32_t hsr, uint32_t far, const uint32_t *hpfar,
                       char *buf, size_t n, hvp_error *err);

#endif
