/* units.h - sizes as people read them. */
#ifndef HVP_UTIL_UNITS_H
#define HVP_UTIL_UNITS_H

#include <stddef.h>
#include <stdint.h>

/* "128 MiB", "64 KiB" (exact multiples only), else "100 bytes", into
 * buf; returns buf. */
const char *hvp_size_text(uint64_t n, char *buf, size_t cap);

#endif
