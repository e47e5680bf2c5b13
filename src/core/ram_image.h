/*
 * ram_image.h - RAM images saved beside a snapshot (hvp_ram_image):
 * pieces shared by the capture (capture_ram.c), the model (snapshot.c)
 * and the writer (snapshot_json.c).
 */
#ifndef HVP_CORE_RAM_IMAGE_H
#define HVP_CORE_RAM_IMAGE_H

#include "hvprobe/capture.h"
#include "hvprobe/snapshot.h"
#include "target/target.h"

/* Free what m owns and zero it; an uncommitted temporary file is removed. */
void hvp_ram_image_clear(hvp_ram_image *m);

/* Capture hooks, called by hvp_capture():
 *   _check   before the guest is touched: the options make sense;
 *   _save    with the guest halted, after the memory map was read: pick
 *            the RAM blocks and write each to a temporary file beside
 *            o->ram_path (no resume in between);
 *   _finish  after the guest was resumed: fsync and sha256 each file. */
int hvp_capture_ram_check(const hvp_capture_opts *o, hvp_error *err);
int hvp_capture_ram_save(const hvp_capture_opts *o, hvp_target *t, hvp_snapshot *s, hvp_error *err);
int hvp_capture_ram_finish(hvp_snapshot *s, hvp_error *err);

/* Commit a snapshot's uncommitted RAM images and write the snapshot to
 * `path` (see hvp_snapshot_save). */
int hvp_ram_commit_and_save(const hvp_snapshot *s, const char *path, const char *text, size_t len,
                            hvp_error *err);

#endif
