/*
 * hvprobe/analysis.h - what a snapshot says about each exception vector:
 * where the CPU fetches it, whether it can, what it finds there, and a
 * verdict with a one-line reason.  Computed from the snapshot alone, so
 * an old snapshot benefits from newer analysis.
 *
 * Ownership: hvp_analysis is a plain value (fixed-size strings); the
 * caller owns it, nothing to free.  Thread-safe.
 */
#ifndef HVPROBE_ANALYSIS_H
#define HVPROBE_ANALYSIS_H

#include <stdint.h>
#include "hvprobe/snapshot.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The closed vocabulary of vector verdicts. */
typedef enum hvp_verdict {
    HVP_V_VALID = 0,        /* branch/load to mapped, readable code */
    HVP_V_STUB,             /* b . or a handler that only loops */
    HVP_V_ZERO_FILLED,      /* 0x00000000: andeq r0,r0,r0, a no-op sled */
    HVP_V_ERASED,           /* 0xFFFFFFFF: erased flash */
    HVP_V_DATA,             /* recognisable non-code (device tree blob) */
    HVP_V_UNMAPPED,         /* the fetch address has no translation/memory */
    HVP_V_TARGET_UNMAPPED,  /* branch/load whose target is not mapped code */
    HVP_V_UNDEFINED,        /* not a valid instruction */
    HVP_V_UNKNOWN,          /* the snapshot lacks the evidence */
    HVP_V_COUNT
} hvp_verdict;

const char *hvp_verdict_name(hvp_verdict v);           /* "zero-filled" */
int hvp_verdict_parse(const char *s, hvp_verdict *out); /* HVP_E_INVAL */

#define HVP_NVEC 8

typedef struct hvp_vector_report {
    char name[8];           /* "reset", "undef", "svc", "pabt", "dabt", "hyp", "irq", "fiq" */
    uint32_t offset;        /* 0x00 .. 0x1c */
    char taken_to[8];       /* mode that takes it: "svc32", "hyp32", ... */
    int fetch_known;
    uint64_t fetch;         /* address of the vector word */
    char base_source[160];  /* "VBAR_S = 0x60000000 (Secure state, SCTLR_S.V=0)" */
    int have_word;
    uint32_t word;
    char insn[80];          /* capstone text, "" when no word */
    int have_target;
    uint64_t target;
    char target_sym[96];    /* "svc_handler+0x0" with --elf, else "" */
    char region[96];        /* region that backs the fetch address, or "" */
    hvp_verdict verdict;
    char reason[320];       /* one line */
    int masked;             /* irq, fiq: HVP_YES when the CPSR masks it now
                               (it stays pending until unmasked); HVP_NO;
                               HVP_UNKNOWN without a CPSR */
} hvp_vector_report;

#define HVP_NNOTES 8

typedef struct hvp_analysis {
    char label[64];
    char mode[8];           /* "svc32", "" when unknown */
    int secure;             /* HVP_YES/NO/UNKNOWN */
    int reduced;            /* evidence is reduced (imported snapshot) */
    int guest_view;         /* captured in Hyp mode: vectors are the guest's
                               view, walked through stage 2 */
    int hyp_thread;         /* captured in (or serving) one of the hypervisor's
                               own threads (HCR.TGE=1): the vectors are the
                               CPU's, not the guest's; compare concludes
                               nothing about the guest from it */
    hvp_vector_report vec[HVP_NVEC];
    char notes[HVP_NNOTES][320]; /* evidence warnings, one line each */
    int nnotes;
    char suggestion[512];   /* a fix to try, or "" */
} hvp_analysis;

/* Analyse one snapshot.  Never fails for lack of evidence (verdicts say
 * `unknown` and why); HVP_E_INTERNAL only if capstone is unusable. */
int hvp_analyse(const hvp_snapshot *s, hvp_analysis *out, hvp_error *err);

#ifdef __cplusplus
}
#endif
#endif
