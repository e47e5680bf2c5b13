/* capture_internal.h - pieces shared by capture.c and capture_guest.c. */
#ifndef HVP_CORE_CAPTURE_INTERNAL_H
#define HVP_CORE_CAPTURE_INTERNAL_H

#include "target/target.h"
#include "hvprobe/snapshot.h"

/* Record a physical read, checked against QEMU's flat memory map: an
 * address no region backs becomes an error, never QEMU's zeros. */
void hvp_capture_add_phys(hvp_snapshot *s, uint64_t pa, size_t len, const uint8_t *buf, size_t got,
                          const char *etext, const char *purpose, const char *channel);

/* Parse `info mtree` / `info mtree -f` text and append its regions to the
 * snapshot's memory map.  HVP_E_INPUT when the text is not mtree output. */
int hvp_snapshot_add_mtree(hvp_snapshot *s, const char *text, hvp_error *err);

/* The guest's view when the CPU was captured in Hyp mode (stage 2 on). */
int hvp_capture_guest_view(hvp_target *t, hvp_snapshot *s, hvp_error *err);

/* With the MMU on at PL1: the stage-1 descriptors of the vector base, so
 * analysis can name the physical region behind a virtual vector base. */
int hvp_capture_stage1_walk(hvp_target *t, hvp_snapshot *s, hvp_error *err);

/* A physical reader for the walkers during a capture: answered from the
 * snapshot's reads when they hold the bytes, else read from the target
 * and recorded (purpose "walk"); rc keeps the first channel failure,
 * which aborts the capture (capture_guest.c). */
typedef struct hvp_capture_rec {
    hvp_target *t;
    hvp_snapshot *s;
    int rc;
    hvp_error *err;
} hvp_capture_rec;
int hvp_capture_rec_read(void *ctx, uint64_t pa, void *buf, size_t len);

/* AArch64 (capture64.c): core registers, system registers (HVP_E_ARCH
 * when the target description lacks what the model needs), and the
 * vector tables with their handlers' first bytes. */
int hvp_capture_core64(hvp_target *t, hvp_snapshot *s, hvp_error *err);
int hvp_capture_sysregs64(hvp_target *t, hvp_snapshot *s, hvp_error *err);
int hvp_capture_vectors64(hvp_target *t, hvp_snapshot *s, hvp_error *err);
extern const char *const hvp_capture_sysreg64_names[];

#endif
