/*
 * qemu.h - the shared QEMU launcher under every QEMU-based backend: the
 * board facts, validating an image against a board, the private runtime
 * directory, the channel wiring (QMP, HMP and the gdbstub on unix sockets
 * in a 0700 directory; TCP only on request, and then bound to 127.0.0.1),
 * starting QEMU and stopping it.  A backend (backends/backend.h) describes
 * its QEMU in a hvp_qemu_spec and calls hvp_qemu_plan(); backends with
 * another shape (kvm-nested) use the pieces directly.
 *
 * Ownership: plans fill a caller-owned hvp_qemu and return an argv the
 * caller frees with hvp_argv_free().  hvp_qemu_stop() ends QEMU and
 * removes the runtime directory; QEMU also dies with hvprobe
 * (PR_SET_PDEATHSIG), so no orphan survives a crash of hvprobe.
 */
#ifndef HVP_BACKENDS_QEMU_H
#define HVP_BACKENDS_QEMU_H

#include <stdint.h>
#include <sys/types.h>
#include "backends/host.h"
#include "hvprobe/error.h"
#include "hvprobe/launch.h"

#define HVP_QEMU_MAXWARN 4

typedef struct hvp_qemu {
    pid_t pid;
    char rundir[256];
    char qmp[300], hmp[300], gdb[300];  /* channel addresses for capture */
    char serial[300];
    char trace[300];
    char stderr_path[300];
    int image_is_elf;
    char machine[32];
    char warnings[HVP_QEMU_MAXWARN][320];
    int nwarnings;
    /* The QEMU process hvprobe started answers QMP here (start waits for
     * it, stop quits through it): q->qmp unless the guest's QEMU runs
     * inside another (kvm-nested: the outer QEMU's). */
    char ctl_qmp[300];
    /* Where QEMU's last error line is read from: stderr_path unless set
     * (kvm-nested: the emulated host's console). */
    char errlog[300];
    char console[300];      /* kvm-nested: the host's console */
    char symbols[1024];     /* the hypervisor's ELF with symbols (sel4), or "" */
} hvp_qemu;

/* An argv under construction; push() records allocation failure in oom
 * and the plan reports it once at the end. */
typedef struct hvp_argv {
    char **v;
    size_t n, cap;
    int oom;
} hvp_argv;
void hvp_argv_push(hvp_argv *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Board facts (QEMU hw/arm/vexpress.c, hw/arm/virt.c). */
typedef struct hvp_board {
    const char *name, *cpu;
    uint64_t ram_base;
    uint64_t low_alias;     /* bytes of RAM/flash alias at 0x0 (vexpress) */
} hvp_board;
const hvp_board *hvp_board_find(const char *name);

/* How a backend runs QEMU (the fields hvp_qemu_plan cannot guess). */
typedef struct hvp_qemu_spec {
    const char *backend;        /* its name, for messages */
    int tool;                   /* HVP_TOOL_* of the QEMU binary */
    const char *const *accel;   /* arguments before -M (NULL-terminated), or NULL */
    const char *machine_arg;    /* -M value; NULL: the board's name */
    const char *cpu;            /* default -cpu; NULL: the board's */
    const char *memory;         /* default -m; NULL: 128M */
    int elf_only;               /* refuse raw images */
    int a64;                    /* also runs AArch64 guests: an AArch64 ELF or
                                   arm64 Image runs on qemu-system-aarch64,
                                   machine virt, -cpu cortex-a57 by default;
                                   0: such an image is refused (HVP_E_ARCH) */
    /* Push the arguments that load the image; NULL: an ELF goes in with
     * -kernel, a raw image with the generic loader at --load-addr.
     * `entry`: the ELF's entry point. */
    void (*load)(const hvp_launch_opts *o, uint64_t entry, hvp_argv *a);
} hvp_qemu_spec;

/* Validate the options (o->machine: resolved by the caller, one of the
 * backend's machines) against the host and the image, create the runtime directory and build QEMU's argv.  Errors:
 * HVP_E_INVAL (bad option, raw image without load address), HVP_E_INPUT
 * (image missing or not a 32-bit ARM ELF), HVP_E_UNSUPPORTED (QEMU
 * binary missing). */
int hvp_qemu_plan(const hvp_qemu_spec *spec, const hvp_launch_opts *o, const hvp_host *h, hvp_qemu *q,
                  char ***argv, hvp_error *err);

/* The verdict of a backend that needs only the QEMU binary `tool`:
 * v->can_run, and v->why = `what` (followed by the binary's version when
 * with_version) or how to install it. */
void hvp_qemu_judge(const hvp_host *h, int tool, const char *what, int with_version, hvp_backend_verdict *v);

/* What a guest image file is, from its first bytes. */
typedef enum hvp_image_kind {
    HVP_IMG_RAW = 0,        /* none of the below: a raw binary */
    HVP_IMG_ELF,
    HVP_IMG_ZIMAGE,         /* Linux zImage: magic 0x016f2818 at 0x24 */
    HVP_IMG_UIMAGE,         /* U-Boot legacy image: magic 0x27051956 at 0 */
    HVP_IMG_ARM64_IMAGE     /* arm64 Linux Image: "ARM\x64" at 0x38 */
} hvp_image_kind;

/* The kind of the image at path (>= 0), or HVP_E_INPUT when it cannot be
 * read. */
int hvp_image_kind_of(const char *path, hvp_error *err);
const char *hvp_image_kind_name(int kind);    /* "a Linux zImage", ... */

/* How QEMU loads the guest: paths as QEMU will see them. */
typedef struct hvp_qemu_load {
    const char *image;
    int kind;               /* hvp_image_kind */
    int linux_boot;         /* QEMU's Linux boot protocol (-kernel with
                               -dtb / -append / -initrd) */
    uint64_t load_addr;     /* raw images */
    const char *dtb, *append, *initrd;
    int a64;                /* an AArch64 guest: an ELF64 for AArch64 or an
                               arm64 Linux Image */
} hvp_qemu_load;

/* 1 when the image at path is an AArch64 guest (an AArch64 ELF or an
 * arm64 Linux Image), 0 when not or unreadable. */
int hvp_image_is_a64(const char *path);

/* The arguments that load the guest: an ELF with -kernel; a Linux image
 * with -kernel and its -dtb, -append, -initrd; a raw binary with the
 * generic loader exactly at load_addr, and a second loader setting CPU
 * 0's PC there (-kernel would treat it as a Linux zImage). */
void hvp_qemu_load_args(const hvp_qemu_load *l, hvp_argv *a);

/* What o->image is and how to load it, the Linux boot options checked
 * against it: fills l (image path as given).  HVP_E_INPUT for an image
 * that cannot be read or a missing --dtb/--initrd file,
 * HVP_E_INVAL for --dtb/--append/--initrd with an image that does not
 * boot as Linux. */
int hvp_qemu_load_plan(const hvp_launch_opts *o, hvp_qemu_load *l, hvp_error *err);

/* q->serial (o->serial_file, else serial.log in q->rundir), q->stderr_path
 * and, with trace events, q->trace. */
void hvp_qemu_wire_files(const hvp_launch_opts *o, hvp_qemu *q);


/* QEMU splits option strings at commas; a literal comma is ",,". */
const char *hvp_qemu_opt_escape(const char *s, char *buf, size_t n);

/* Parse "128M", "1G", "512K", "64" (MiB): bytes, 0 when malformed. */
uint64_t hvp_parse_size(const char *s);


void hvp_argv_free(char **argv);

/* Create q->rundir, private (0700): in $XDG_RUNTIME_DIR, else $TMPDIR,
 * else /tmp, whichever is writable first. */
int hvp_qemu_make_rundir(hvp_qemu *q, hvp_error *err);

/* Start QEMU and wait (up to timeout_ms) until its QMP socket answers.
 * HVP_E_TARGET when QEMU exits first (message: its last error line),
 * HVP_E_TIMEOUT when it never answers. */
int hvp_qemu_spawn(hvp_qemu *q, char *const *argv, int timeout_ms, hvp_error *err);

/* 1 while QEMU runs; 0 once it exited (*status = its wait status). */
int hvp_qemu_alive(hvp_qemu *q, int *status);

/* The last non-empty line QEMU wrote to stderr ("" if none). */
void hvp_qemu_last_error(const hvp_qemu *q, char *buf, unsigned n);

/* Ask QEMU to quit (QMP), then SIGTERM, then SIGKILL; reap it; remove
 * the runtime directory.  Safe to call twice. */
void hvp_qemu_stop(hvp_qemu *q);

/* Shell-quoted command line (caller frees). */
char *hvp_argv_join(char *const *argv);

#endif
