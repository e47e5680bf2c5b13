/* units.h - sizes as people read them: hvp_size_text() is public, in
 * hvprobe/snapshot.h (show and the CLI print sizes the snapshot records). */
#ifndef HVP_UTIL_UNITS_H
#define HVP_UTIL_UNITS_H

#include "hvprobe/snapshot.h"

#endif
