/*
 * hvprobe/kvmhost.h - the cached arm64 KVM host for the kvm-nested backend.
 *
 * KVM runs 32-bit ARM guests only on an arm64 host.  On any other host
 * hvprobe emulates one: QEMU TCG `virt,virtualization=on` (so the CPU has
 * EL2) boots Debian's arm64 kernel (CONFIG_KVM=y) with an initramfs that
 * holds busybox-static as /init, the arm64 qemu-system-aarch64 and the
 * closure of its DT_NEEDED libraries, and the virtio modules for
 * networking and a console.  This module prepares that host once and
 * caches it under $XDG_CACHE_HOME/hvprobe/kvm-host (default
 * ~/.cache/hvprobe/kvm-host):
 *   Image       the arm64 kernel
 *   host.cpio   the initramfs (uncompressed newc: TCG unpacks it faster
 *               than it would gunzip it)
 *   manifest    key=value lines: versions, counts, sizes, build time
 * Packages come from Debian's arm64 archive through `apt-get download`
 * with a private apt state (lists, cache, empty dpkg status) inside the
 * cache directory: nothing is installed, no root is needed, and the
 * system's dpkg architectures are not changed.
 *
 * The library never prints: progress goes through the callback.
 * Ownership: paths and status are plain caller-owned values, nothing to
 * free.  Thread-safety: building, cleaning and reading the same cache
 * from two threads (or processes) at once is not supported.
 */
#ifndef HVPROBE_KVMHOST_H
#define HVPROBE_KVMHOST_H

#include "hvprobe/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hvp_kvmhost_paths {
    char dir[512];          /* .../hvprobe/kvm-host */
    char kernel[600];       /* dir/Image */
    char initrd[600];       /* dir/host.cpio */
    char manifest[600];     /* dir/manifest */
    char work[600];         /* dir/work: private apt state, downloads */
} hvp_kvmhost_paths;

typedef struct hvp_kvmhost_status {
    int ready;              /* kernel, initramfs and manifest present */
    char kernel_pkg[96];    /* linux-image-6.1.0-56-arm64 */
    char kernel_version[64];
    char qemu_version[64];
    char busybox_version[64];
    char built_at[32];
    int nlibs, nmodules;
    long long kernel_bytes, initrd_bytes, cache_bytes;
} hvp_kvmhost_status;

typedef void (*hvp_kvmhost_progress)(void *ctx, const char *msg);

/* The cache paths.  HVP_E_IO when neither XDG_CACHE_HOME nor HOME is set. */
int hvp_kvmhost_paths_get(hvp_kvmhost_paths *p, hvp_error *err);

/* What the cache holds (st->ready == 0 when it is not prepared). */
int hvp_kvmhost_status_get(const hvp_kvmhost_paths *p, hvp_kvmhost_status *st, hvp_error *err);

/* Prepare the host (nothing to do when it is ready, unless `force`).
 * Errors: HVP_E_UNSUPPORTED (apt-get/dpkg-deb missing, package not
 * found), HVP_E_IO (download, extraction or writing failed; the message
 * quotes apt's last line), HVP_E_INPUT (a library or module the host
 * needs is in no downloaded package). */
int hvp_kvmhost_build(const hvp_kvmhost_paths *p, int force, hvp_kvmhost_progress cb, void *ctx, hvp_error *err);

/* Remove the cached host and its apt state. */
int hvp_kvmhost_clean(const hvp_kvmhost_paths *p, hvp_error *err);

#ifdef __cplusplus
}
#endif
#endif
