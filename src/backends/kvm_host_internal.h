/*
 * kvm_host_internal.h - shared between kvm_host.c (apt, packages, the
 * library closure) and kvm_host_image.c (kernel modules, the cached
 * kernel, initramfs and manifest).  Not a public interface.
 */
#ifndef HVP_BACKENDS_KVM_HOST_INTERNAL_H
#define HVP_BACKENDS_KVM_HOST_INTERNAL_H

#include "hvprobe/kvmhost.h"
#include <limits.h>

#define MAXPKG 160
#define MAXLIB 128
#define MAXMOD 16

typedef struct build {
    const hvp_kvmhost_paths *p;
    hvp_kvmhost_progress cb;
    void *ctx;
    char log[700];
    char *apt_opts[20];
    int napt;
    char *pkgs[MAXPKG];         /* downloaded and extracted into work/x/NAME */
    int contributes[MAXPKG];    /* holds a file of the closure */
    int npkgs;
    char *sonames[MAXLIB], *libpath[MAXLIB];
    int nlibs;
    char interp[256], interp_path[PATH_MAX];
    char *mods[MAXMOD], *modpath[MAXMOD];
    int nmods;
    char kernel_pkg[96], kernel_ver[64], qemu_ver[64], busybox_ver[64];
} build;

/* Pick the virtio modules and their .modinfo dependencies from the
 * extracted kernel package (deps first). */
int hvp_kvmhost_pick_modules(build *b, hvp_error *err);
/* Write Image, host.cpio and manifest into the cache (atomically). */
int hvp_kvmhost_write(build *b, hvp_error *err);

#endif
