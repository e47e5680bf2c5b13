/* guest.h - the session layer's own view of a hvp_guest (launch.c):
 * its backend and QEMU, for run.c's backend-specific triggers. */
#ifndef HVP_SESSION_GUEST_H
#define HVP_SESSION_GUEST_H

#include "backends/backend.h"

const hvp_backend *hvp_guest_backend(const hvp_guest *g);
const hvp_qemu *hvp_guest_qemu(const hvp_guest *g);

#endif
