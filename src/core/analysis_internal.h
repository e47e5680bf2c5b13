/* analysis_internal.h - the per-architecture halves of hvp_analyse(). */
#ifndef HVP_CORE_ANALYSIS_INTERNAL_H
#define HVP_CORE_ANALYSIS_INTERNAL_H

#include "hvprobe/analysis.h"

#include <stdarg.h>
#include <stdio.h>

/* A one-line reason into buf, and a note appended to a->notes (dropped
 * once HVP_NNOTES are there): both halves word their findings with these. */
static inline void say(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static inline void say(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, n, fmt, ap);
    va_end(ap);
}

static inline void note(hvp_analysis *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline void note(hvp_analysis *a, const char *fmt, ...)
{
    if (a->nnotes >= HVP_NNOTES)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->notes[a->nnotes++], sizeof a->notes[0], fmt, ap);
    va_end(ap);
}

/* AArch64 (analysis64.c): a->label, secure and reduced are filled by the
 * caller; everything else here. */
int hvp_analyse_a64(const hvp_snapshot *s, hvp_analysis *a, hvp_error *err);

#endif
