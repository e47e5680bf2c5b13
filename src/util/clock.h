/* clock.h - a monotonic clock in milliseconds, for timeouts and progress. */
#ifndef HVP_UTIL_CLOCK_H
#define HVP_UTIL_CLOCK_H

/* Milliseconds of CLOCK_MONOTONIC (never jumps with the wall clock). */
long hvp_now_ms(void);

#endif
