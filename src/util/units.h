/* units.h - sizes as people read them: hvp_size_text() is public, in
 * hvprobe/snapshot.h (show and the CLI print sizes the snapshot records). */
#ifndef HVP_UTIL_UNITS_H
#define HVP_UTIL_UNITS_H

#include <stddef.h>
#include "hvprobe/snapshot.h"

/* A count as people read it: 163320 -> "163,320" (rounded; in buf). */
const char *hvp_count_text(double v, char *buf, size_t n);

#endif
