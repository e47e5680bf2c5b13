/*
 * hvprobe/backend.h - the backends hvprobe can run a guest under, as data:
 * each has a name, a one-line summary, a help paragraph, the machines it
 * runs and what it cannot do.  Every list of backends the tool prints
 * (`run --help`, `check`, `demo`, the bash completion, the man page, error
 * messages) is generated from this registry, so a new backend appears
 * everywhere by being registered once (src/backends/registry.c).
 *
 * Ownership: every pointer returned is static (never freed, valid for
 * the life of the process).  Thread-safety: read-only data; any thread.
 */
#ifndef HVPROBE_BACKEND_H
#define HVPROBE_BACKEND_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What a backend needs or cannot do (hvp_backend_desc.flags). */
enum {
    HVP_BACKEND_HW_BREAKPOINTS = 1u << 0,   /* breakpoints must be hardware ones (Z1) */
    HVP_BACKEND_NO_TRACE = 1u << 1,         /* QEMU -d tracing is not available */
    HVP_BACKEND_ELF_ONLY = 1u << 2,         /* the image must be an ELF file */
    HVP_BACKEND_RAM_VIA_GDB = 1u << 3,      /* RAM images are read through the gdbstub */
    HVP_BACKEND_SLOW_START = 1u << 4,       /* boots a host first (seconds) */
    HVP_BACKEND_SYSTEM_IMAGE = 1u << 6,     /* the image is a whole system (hypervisor
                                               and guest): its symbols and vector
                                               tables are not the guest's */
    HVP_BACKEND_GUEST_TRAPS = 1u << 5,      /* knows its hypervisor's trap handlers:
                                               HVP_TRIGGER_GUEST_TRAP works, and is
                                               `run --capture`'s default trigger */
};

typedef struct hvp_backend_desc {
    const char *name;               /* "tcg" */
    const char *summary;            /* one line, no final period */
    const char *help;               /* a paragraph for `run --help`; lines end in '\n' */
    const char *const *machines;    /* NULL-terminated; machines[0] is the default */
    unsigned flags;                 /* HVP_BACKEND_* */
    const char *cannot;             /* what it cannot do, one sentence, or NULL */
    int preference;                 /* `check` recommends the runnable backend with
                                       the highest; 0: never recommended */
    const char *check_label;        /* a line of its own in `check`'s host facts,
                                       e.g. "real KVM via kvm-nested", or NULL ... */
    const char *check_yes, *check_no;   /* ... reading these when it can run / not */
} hvp_backend_desc;

/* Number of registered backends, the i-th (NULL past the end), and the
 * one named `name` (NULL when unknown). */
size_t hvp_backend_count(void);
const hvp_backend_desc *hvp_backend_at(size_t i);
const hvp_backend_desc *hvp_backend_find(const char *name);

/* The backend names as a sentence fragment, "tcg, kvm, kvm-nested or
 * fixture" (conj = "or"), or separated by `conj` alone when it is " " or
 * "|" ("tcg|kvm|kvm-nested|fixture").  Truncated to n bytes. */
void hvp_backend_names(char *buf, size_t n, const char *conj);

#ifdef __cplusplus
}
#endif
#endif
