/* clock.c - see clock.h. */
#include "util/clock.h"

#include <time.h>

long hvp_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}
