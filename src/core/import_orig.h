/* import_orig.h - the original capture script's snapshot format (see
 * import_orig.c).  Called by the snapshot loader when a document has
 * "hypervisor" and "data" but no "schema_version". */
#ifndef HVP_CORE_IMPORT_ORIG_H
#define HVP_CORE_IMPORT_ORIG_H

#include <jansson.h>
#include "hvprobe/snapshot.h"

/* New snapshot in *out (caller frees), imported_from set. */
int hvp_import_original(json_t *root, hvp_snapshot **out, hvp_error *err);

#endif
