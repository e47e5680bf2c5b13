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

/* Vectors in an analysis: 8 for AArch32, 16 slots for AArch64
 * (hvp_analysis.nvec says which). */
#define HVP_NVEC 16
#define HVP_NVEC_A32 8
#define HVP_NVEC_A64 16

typedef struct hvp_vector_report {
    char name[20];          /* AArch32: "reset", "undef", "svc", "pabt", "dabt",
                               "hyp", "irq", "fiq"; AArch64: "cur_sp0.sync" ..
                               "lower_a32.serror" (group.kind) */
    uint32_t offset;        /* AArch32 0x00 .. 0x1c; AArch64 0x000 .. 0x780 */
    char taken_to[8];       /* mode that takes it: "svc32", "hyp32", "EL1h" ... */
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
    int have_pa;            /* AArch64: pa is the fetch's physical address,
                               from hvprobe's walk of the snapshot's tables
                               (for a guest under a hypervisor: the host's) */
    uint64_t pa;
    unsigned raised_here;   /* AArch64: bit k set when an exception of kind k
                               (0 sync, 1 irq, 2 fiq, 3 serror) raised in the
                               captured state enters this slot */
} hvp_vector_report;

/* AArch64: where each kind of exception raised in the captured state
 * goes (its table may be another level's than vec[]'s). */
typedef struct hvp_route_report {
    char kind[8];           /* "sync", "irq", "fiq", "serror" */
    int taken;              /* 0: not taken from this level (why says so) */
    int el;                 /* the level that takes it */
    char slot[20];          /* "cur_spx.sync", or "" */
    int fetch_known;
    uint64_t fetch;
    hvp_verdict verdict;    /* of that slot */
    char why[400];          /* the routing in words (and, for another
                               level's table, that slot's reason) */
    int masked;             /* HVP_YES / HVP_NO / HVP_UNKNOWN */
} hvp_route_report;

#define HVP_NNOTES 8

typedef struct hvp_analysis {
    char label[64];
    int arch;               /* hvp_arch of the snapshot */
    int nvec;               /* vectors in vec[]: 8 (AArch32) or 16 (AArch64) */
    int key;                /* the vector a one-line answer is about: AArch32
                               svc (2); AArch64 the slot a synchronous
                               exception raised now enters (cur_spx.sync,
                               4, when it stays at the level) */
    int table_el;           /* AArch64: the level whose table vec[] is */
    char table_base[96];    /* AArch64: "VBAR_EL1 = 0x40080800 (vectors)", or why
                               unknown */
    hvp_route_report routes[4]; /* AArch64 */
    int nroutes;
    char mode[8];           /* "svc32", "EL1h", "" when unknown */
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
