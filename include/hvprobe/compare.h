/*
 * hvprobe/compare.h - compare any number of snapshots: a side-by-side
 * table, a diagnosis (what differs, what is the same, the most likely
 * root cause with its evidence chain, untrustworthy evidence called
 * out), and hypothesis checks (--expect LABEL:VECTOR=VERDICT).
 *
 * Ownership: hvp_compare() returns rendered text in *out (caller frees).
 * Thread-safety: no shared state; the snapshots are only read.
 */
#ifndef HVPROBE_COMPARE_H
#define HVPROBE_COMPARE_H

#include <stddef.h>
#include "hvprobe/analysis.h"
#include "hvprobe/snapshot.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hvp_format { HVP_FMT_TEXT = 0, HVP_FMT_MARKDOWN, HVP_FMT_JSON } hvp_format;

typedef struct hvp_expect {
    char label[64];         /* snapshot label (or file name) */
    int vec;                /* AArch32 0..7: reset, undef, svc, pabt, dabt, hyp,
                               irq, fiq; AArch64 (a64 set) 0..15: the slot */
    int a64;                /* names an AArch64 slot ("cur_spx.sync") */
    hvp_verdict verdict;
} hvp_expect;

/* Parse "LABEL:VECTOR=VERDICT", e.g. "kvm:svc=valid", "sel4:0x8=unmapped",
 * "a64:cur_spx.sync=valid", "a64:lower_a64.irq=unmapped".
 * HVP_E_INVAL with a sentence naming the bad part. */
int hvp_expect_parse(const char *spec, hvp_expect *out, hvp_error *err);

typedef struct hvp_compare_opts {
    hvp_format format;
    int brief;              /* markdown: table and diagnosis only, without
                               the per-vector reasons */
    const hvp_expect *expect;
    size_t nexpect;
    /* Text: the answer first (one line per snapshot, the root cause, the
     * fix, the vector table, the expectations); detail = 1 adds each
     * vector's reason, the evidence chain, every difference and the notes
     * (hvprobe compare -v).  width: wrap prose and split the table to fit
     * this many columns; 0 = no limit (piped output). */
    int detail;
    int width;
} hvp_compare_opts;

/* Analyse and compare snaps[0..n) (names[i]: shown when a snapshot has
 * no label).  *failed = number of expectations that did not hold
 * (an expectation naming no snapshot fails, and says so). */
int hvp_compare(const hvp_snapshot *const *snaps, const char *const *names, size_t n,
                const hvp_compare_opts *o, char **out, size_t *failed, hvp_error *err);

#ifdef __cplusplus
}
#endif
#endif
