/*
 * host.h - internal side of the host probe (the public part, hvp_host,
 * is in hvprobe/host.h).
 */
#ifndef HVP_BACKENDS_HOST_H
#define HVP_BACKENDS_HOST_H

#include "hvprobe/host.h"

/* Full path of `prog` in PATH into out; 1 when found, else 0 ("" in out). */
int hvp_which(const char *prog, char *out, unsigned outsz);

#endif
