/*
 * hvprobe/snapshot.h - the snapshot: everything a capture learned about
 * where the guest's exceptions go, as plain C data, and its versioned
 * JSON form (schema documented in docs/snapshot.md and
 * docs/snapshot.schema.json).
 *
 * Ownership: a hvp_snapshot owns every string and array it points to.
 * Create with hvp_snapshot_new(), free with hvp_snapshot_free() (NULL is a
 * no-op).  Loading returns a new snapshot the caller frees.  Nothing here
 * touches a live target: analysis works on snapshots, so old snapshots
 * benefit from newer analysis.
 *
 * Thread-safety: distinct snapshots may be used from distinct threads.
 */
#ifndef HVPROBE_SNAPSHOT_H
#define HVPROBE_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>
#include "hvprobe/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The newest schema this hvprobe reads and writes.  Version 2 added the
 * architecture: an AArch64 snapshot is written as version 2 (an older
 * hvprobe then refuses it instead of reading its registers as AArch32
 * ones); an AArch32 snapshot is still written as version 1. */
#define HVP_SNAPSHOT_SCHEMA_VERSION 2

/* The architecture a snapshot describes (JSON "arch"). */
typedef enum hvp_arch {
    HVP_ARCH_AARCH32 = 0,   /* ARMv7-A, or AArch32 state of an ARMv8 CPU as a
                               32-bit QEMU target shows it */
    HVP_ARCH_AARCH64 = 1
} hvp_arch;

/* "aarch32" / "aarch64". */
const char *hvp_arch_name(int arch);

/* Channels a capture used (bit set), serialised as names. */
enum hvp_channel {
    HVP_CH_QMP = 1u << 0,
    HVP_CH_HMP = 1u << 1,
    HVP_CH_GDB = 1u << 2
};

typedef enum hvp_space { HVP_SPACE_VIRTUAL = 0, HVP_SPACE_PHYSICAL = 1 } hvp_space;

/* A tri-state: known true, known false, unknown. */
enum { HVP_NO = 0, HVP_YES = 1, HVP_UNKNOWN = -1 };

/* A field the capture could not fill, and why (e.g. which channel would
 * have provided it). */
typedef struct hvp_unknown {
    char *field;    /* e.g. "cp15", "memory_map", "backend.machine" */
    char *reason;   /* e.g. "needs the gdbstub channel (--gdb)" */
} hvp_unknown;

typedef struct hvp_reg {
    char *name;     /* as the gdbstub names it: "VBAR_S", "SCTLR", ... */
    uint64_t value;
    int bits;       /* 32 or 64 */
} hvp_reg;

/* One memory read: either fully read (error == NULL, got == len), or
 * partially/not read (error set, got = bytes before the failure).
 * "Unreadable" is therefore always distinct from "zero". */
typedef struct hvp_memread {
    uint64_t addr;
    hvp_space space;
    size_t len;         /* bytes asked for */
    size_t got;         /* bytes read */
    uint8_t *bytes;     /* got bytes, guest order */
    char *error;        /* NULL or the failure, e.g. "Cannot access memory" */
    char *purpose;      /* why it was read: "low-vectors", "VBAR_S", ... */
    char *channel;      /* "gdb", "hmp" or "qmp" */
    int backed;         /* physical reads: HVP_YES/NO when QEMU's flat
                           memory map says whether a region backs addr
                           (QEMU reads unbacked physical memory as zeros
                           without an error), else HVP_UNKNOWN */
} hvp_memread;

/* One memory region from `info mtree` (flat == 0) or `info mtree -f`
 * (flat == 1: QEMU's resolved view, the winner at each address). */
typedef struct hvp_region {
    char *address_space;    /* names sharing the view, ", "-joined, e.g.
                               "cpu-memory-0, memory"; NULL in a section */
    char *section;          /* "memory-region: NAME" section (alias
                               targets listed apart), else NULL */
    uint64_t start, end;    /* inclusive */
    int prio;
    char *kind;             /* "ram", "rom", "romd", "i/o", ... */
    char *name;
    int is_alias;
    char *alias_target;     /* NULL unless is_alias */
    uint64_t alias_offset;  /* start offset inside alias_target */
    int depth;              /* nesting in the tree (0 = root) */
    char *parent;           /* containing region or NULL */
    int enabled;
    int flat;
} hvp_region;

typedef struct hvp_segment {
    uint64_t vaddr, paddr, filesz, memsz;
    uint32_t flags;         /* PF_R|PF_W|PF_X */
} hvp_segment;

typedef struct hvp_symbol {
    char *name;
    uint64_t addr, size;
    char type;              /* 'F' function, 'O' object, 'N' other */
} hvp_symbol;

typedef struct hvp_image {
    char *path;
    char sha256[65];
    uint64_t entry;
    char *machine;          /* "ARM", or what the ELF says */
    int elfclass;           /* 32 or 64 */
    hvp_segment *segments;
    size_t nsegments;
    hvp_symbol *symbols;
    size_t nsymbols;
} hvp_image;

/* Raw text of one command issued to a channel, verbatim. */
typedef struct hvp_raw {
    char *channel;
    char *command;
    char *text;
} hvp_raw;

typedef struct hvp_backend_facts {
    char *qemu_version;     /* "7.2.22" */
    char *target;           /* "arm" */
    char *machine;          /* "vexpress-a9" */
    char *accelerator;      /* "tcg" or "kvm" */
    int kvm_enabled;        /* HVP_YES/NO/UNKNOWN */
    int kvm_present;
    char *cpu_model;        /* "cortex-a9" */
    char *run_state;        /* run state found when the capture began */
    int was_running;        /* HVP_YES/NO/UNKNOWN */
    int resumed;            /* capture resumed the guest afterwards */
    long halted_ms;         /* how long the capture kept a running guest
                               halted (-1: it did not halt it) */
} hvp_backend_facts;

/* Another place the same RAM block appears in the system address space
 * (a QEMU alias region, e.g. vexpress.lowmem at 0x0 -> vexpress.highmem). */
typedef struct hvp_ram_alias {
    char *name;             /* the alias region's name */
    uint64_t addr, len;     /* where it is mapped, how many bytes */
    uint64_t offset;        /* offset of addr inside the saved image */
    int visible;            /* HVP_YES when QEMU's flat view shows the RAM
                               there, HVP_NO when another region wins,
                               HVP_UNKNOWN without a flat view */
} hvp_ram_alias;

/* One RAM block saved to a file beside the snapshot (capture with
 * save_ram; JSON "ram_images").  Physical addresses, always. */
typedef struct hvp_ram_image {
    char *file;             /* file name, relative to the snapshot's
                               directory: "snap.ram-0x60000000.bin" */
    char *region;           /* QEMU's name of the RAM block, or NULL for an
                               explicit range captured without a map */
    uint64_t addr, len;     /* physical base, bytes */
    char sha256[65];
    char *method;           /* "qmp" (QEMU wrote it: pmemsave) or "rsp"
                               (streamed gdbstub reads) */
    hvp_ram_alias *aliases;
    size_t naliases;
    char *tmp_path;         /* a fresh capture only: the temporary file
                               holding the bytes until hvp_snapshot_save()
                               renames it; NULL once saved or loaded */
} hvp_ram_image;

typedef struct hvp_cpu_state {
    int have_core;          /* AArch32: r[] and cpsr valid;
                               AArch64: x[], sp, pc and pstate valid */
    uint32_t r[16];         /* AArch32: r0..r12, sp, lr, pc */
    uint32_t cpsr;
    uint64_t x[31];         /* AArch64: x0..x30 */
    uint64_t sp, pc;        /* AArch64: the SP of the current EL and SPSel */
    uint32_t pstate;        /* AArch64: PSTATE in SPSR layout, as QEMU's
                               gdbstub "cpsr" shows it: M[3:2] the EL,
                               M[0] SPSel, M[4] 1 = AArch32 state, DAIF
                               in bits 9:6 */
    int secure;             /* HVP_YES/NO/UNKNOWN: security state */
    char *secure_source;    /* where `secure` came from */
    char *source;           /* channel the core registers came from */
} hvp_cpu_state;

/* Which software the captured CPU state belongs to, and how hvprobe knows
 * (schema 1 field "context", optional).  A hypervisor's own thread runs
 * with stage 2 on too, so HCR.VM=1 alone does not mean "the guest". */
/* A trap of the guest's that the hypervisor resolved (and resumed the
 * guest) before the one in the context: schema field
 * context.earlier_traps[]. */
typedef struct hvp_trap_seen {
    char *trap;             /* "data-abort", ... */
    uint64_t pc, ipa, syndrome;
    char *resolved_by;      /* the hypervisor's line about it (e.g.
                               "OnDemandInstall: Created device-backed
                               memory for addr 0x9000000"), or NULL */
} hvp_trap_seen;

/* What made `run --when-stuck` / `--on-exit` capture (schema field
 * context.condition, optional). */
typedef struct hvp_condition {
    char *name;             /* "spin", "slide", "wfi", "storm", "poweroff", "reset",
                               "panic"; NULL: another trigger fired */
    char *how;              /* one sentence: what was seen */
    double seconds;         /* how long the condition held before the capture */
    int have_window;
    uint64_t pc_lo, pc_hi;  /* spin, wfi: the PC stayed within [lo, hi] */
    double rate;            /* storm: exceptions per second */
    char *exception;        /* storm: QEMU's name, "Undefined Instruction" */
    uint64_t vector;        /* storm: the address it was taken to */
} hvp_condition;

typedef struct hvp_context {
    char *kind;             /* "guest-trap": the guest's state at a trap the
                               hypervisor took (CPU in Hyp mode, guest's CP15
                               live, guest registers from the hypervisor's save
                               area); "guest": the CPU runs the guest;
                               "hypervisor": the hypervisor's kernel (Hyp
                               mode, no trap recorded); "hypervisor-thread":
                               one of its user threads (e.g. the seL4 VMM);
                               NULL: not determined */
    char *how;              /* one or two sentences: the evidence, and what
                               can and cannot be concluded */
    char *trap;             /* "prefetch-abort", "data-abort", "hvc", "wfi", or NULL */
    char *report;           /* the hypervisor's report line of this trap, or NULL */
    int have_regs;          /* guest registers at the trap */
    uint64_t regs[16];      /* r0..r12, sp, lr, pc (sp/lr: as the hypervisor saved them) */
    uint64_t cpsr;          /* the guest's CPSR (SPSR_hyp) */
    int have_syndrome;
    uint64_t syndrome;      /* HSR / ESR_EL2 */
    uint64_t fault_addr;    /* HIFAR or HDFAR */
    uint64_t ipa;           /* from HPFAR: the intermediate physical address */
    char *policy;           /* what the hypervisor does with such a fault,
                               as far as the backend knows, and what this
                               run showed of it (one or two sentences), or
                               NULL */
    hvp_trap_seen *earlier; /* traps it resolved before this one, oldest
                               first */
    size_t nearlier;
    hvp_condition condition;
} hvp_context;

typedef struct hvp_snapshot {
    int schema_version;
    int arch;               /* hvp_arch; schema 1 files are AArch32 */
    char *hvprobe_version;
    char *captured_at;      /* ISO 8601 UTC */
    char *label;
    unsigned channels;      /* enum hvp_channel bits */
    hvp_backend_facts backend;
    hvp_cpu_state cpu;
    hvp_reg *cp15;
    size_t ncp15;
    hvp_memread *memory;
    size_t nmemory;
    hvp_region *memory_map;
    size_t nmemory_map;
    hvp_image *image;       /* NULL without --elf */
    hvp_raw *raw;
    size_t nraw;
    hvp_unknown *unknown;
    size_t nunknown;
    char *imported_from;    /* NULL for a capture; else the format it was
                               imported from (reduced evidence) */
    hvp_ram_image *ram_images;  /* saved RAM blocks (optional, may be 0) */
    size_t nram_images;
    hvp_context context;
} hvp_snapshot;

/* A new, empty snapshot (schema_version set, everything else unknown);
 * NULL on allocation failure. */
hvp_snapshot *hvp_snapshot_new(void);
/* Frees everything; a fresh capture's RAM images that were never saved
 * (tmp_path set) have their temporary files removed. */
void hvp_snapshot_free(hvp_snapshot *s);
void hvp_image_free(hvp_image *img);

/* Builders: copy their string arguments; return HVP_OK or HVP_E_NOMEM. */
int hvp_snapshot_add_reg(hvp_snapshot *s, const char *name, uint64_t value, int bits);
int hvp_snapshot_add_mem(hvp_snapshot *s, uint64_t addr, hvp_space space,
                         size_t len, const uint8_t *bytes, size_t got,
                         const char *error, const char *purpose,
                         const char *channel);
int hvp_snapshot_add_raw(hvp_snapshot *s, const char *channel,
                         const char *command, const char *text);
int hvp_snapshot_add_unknown(hvp_snapshot *s, const char *field,
                             const char *reason);
/* Takes ownership of regions[0..n) (and the array itself). */
int hvp_snapshot_add_regions(hvp_snapshot *s, hvp_region *regions, size_t n);

/* Lookups (NULL when absent). */
const hvp_reg *hvp_snapshot_reg(const hvp_snapshot *s, const char *name);
const hvp_memread *hvp_snapshot_mem(const hvp_snapshot *s, uint64_t addr,
                                    hvp_space space);

/* A size as people read it: "128 MiB", "64 KiB" (exact multiples only),
 * else "100 bytes", written into buf (cap bytes); returns buf. */
const char *hvp_size_text(uint64_t n, char *buf, size_t cap);

/* ARM CPSR.M[4:0] -> "usr32", "svc32", ... ("???" when reserved). */
const char *hvp_arm_mode_name(uint32_t cpsr);

/* AArch64 PSTATE (SPSR layout) -> "EL1h", "EL0t", "EL2h", ... or, with
 * M[4] set (AArch32 state), the AArch32 mode name. */
const char *hvp_a64_mode_name(uint32_t pstate);

/* The snapshot's mode at capture in its architecture's words ("svc32",
 * "EL1h"), or NULL without core registers. */
const char *hvp_snapshot_mode(const hvp_snapshot *s);

/* Serialise to a JSON string (caller frees) / write atomically to `path`
 * (temp file in the same directory + fsync + rename: never a partial
 * file; on failure nothing is left behind).  "-" writes to stdout.
 * A fresh capture's RAM images are committed with the snapshot: their
 * temporary files are renamed to their names beside `path` (which must
 * then be a regular file in the directory the capture wrote them to), the
 * snapshot last; if anything fails, none of the files appears and files
 * they would have replaced are restored.  Errors: HVP_E_IO (the file
 * could not be written) or HVP_E_OUTPUT (a snapshot with RAM images: the
 * set could not be committed); both mean "output not written". */
char *hvp_snapshot_to_json(const hvp_snapshot *s, hvp_error *err);
int hvp_snapshot_save(const hvp_snapshot *s, const char *path, hvp_error *err);

/* Load and validate a snapshot file.  Malformed JSON is reported with
 * line and column; a valid JSON document that is not a snapshot names
 * the offending field.  Errors: HVP_E_IO (cannot read), HVP_E_INPUT. */
int hvp_snapshot_load(const char *path, hvp_snapshot **out, hvp_error *err);
int hvp_snapshot_from_json(const char *text, size_t len, hvp_snapshot **out,
                           hvp_error *err);

#ifdef __cplusplus
}
#endif
#endif
