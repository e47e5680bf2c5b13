/* analysis_internal.h - the per-architecture halves of hvp_analyse(). */
#ifndef HVP_CORE_ANALYSIS_INTERNAL_H
#define HVP_CORE_ANALYSIS_INTERNAL_H

#include "hvprobe/analysis.h"

/* AArch64 (analysis64.c): a->label, secure and reduced are filled by the
 * caller; everything else here. */
int hvp_analyse_a64(const hvp_snapshot *s, hvp_analysis *a, hvp_error *err);

#endif
