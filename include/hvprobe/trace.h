/*
 * hvprobe/trace.h - a streaming reader of exception traces: QEMU's `-d int`
 * log (32-bit ARM, QEMU 7.2, also when mixed with `cpu`, `exec`, `mmu`,
 * `in_asm` and `guest_errors` output) and serial-console logs carrying
 * seL4 fault reports (CAmkES VMM "Pagefault from [vm0]: ...", the older
 * "Page Fault at PC: 0x8", the kernel's "vm fault on data at address ..."
 * and "Halting...").
 *
 * Feed it bytes (hvp_trace_feed) or whole lines (hvp_trace_line), then
 * call hvp_trace_finish and read the summary.  Memory is fixed at
 * hvp_trace_new time: a line buffer (longer lines are cut and counted),
 * the first `first_n` events, a ring of the last few exceptions for loop
 * detection and a bounded list of loops.  Nothing grows with the input,
 * so a multi-GiB log costs the same memory as a small one.
 *
 * Pure: no I/O, no printing; the caller reads the log (a file, a pipe)
 * and feeds it.  Errors: HVP_E_NOMEM, HVP_E_INVAL (feeding after the
 * finish).  Ownership: the hvp_trace owns everything the summary points
 * to; free it with hvp_trace_free (NULL is a no-op); rendered text is the
 * caller's to free.  Thread-safety: one hvp_trace per thread; distinct
 * traces are independent.
 */
#ifndef HVPROBE_TRACE_H
#define HVPROBE_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include "hvprobe/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What a recognised line (or block of lines) is. */
typedef enum hvp_trace_kind {
    HVP_TRACE_EXCEPTION = 0,  /* QEMU "Taking exception N [NAME] on CPU C" + "..." lines */
    HVP_TRACE_MODE_SWITCH,    /* QEMU "AArch32 mode switch from svc to usr PC 0x..." */
    HVP_TRACE_EXC_RETURN,     /* QEMU "Exception return from AArch32 svc to usr PC 0x..." */
    HVP_TRACE_BAD_ACCESS,     /* QEMU "Invalid read at addr 0x..., size 4, region '...', reason: ..." */
    HVP_TRACE_VMM_FAULT,      /* seL4 VMM/sel4utils "Pagefault from [vm0]: read prefetch fault @ PC: ..." */
    HVP_TRACE_OLD_PAGE_FAULT, /* "Page Fault at PC: 0x8" (older VMM) */
    HVP_TRACE_KERNEL_VM_FAULT,/* seL4 kernel "vm fault on data|code at address 0x.. with status 0x.." */
    HVP_TRACE_HALT,           /* seL4 kernel "Halting..." */
    HVP_TRACE_VMM_MAP,        /* seL4 VMM "OnDemandInstall: Created device-backed|RAM-backed memory
                                 for addr 0x..": a guest stage-2 fault it resolved (name:
                                 "device" or "RAM", far: the IPA) */
    HVP_TRACE_KIND_COUNT
} hvp_trace_kind;

/* Static short name of a kind: "exception", "mode-switch", "return",
 * "invalid-access", "vmm-fault", "page-fault", "kernel-vm-fault", "halt",
 * "vmm-map". */
const char *hvp_trace_kind_name(hvp_trace_kind kind);

/* Which optional fields of an event were present in the log. */
enum {
    HVP_TEV_EL = 1u << 0,     /* from_el/to_el ("...from EL1 to EL1") */
    HVP_TEV_ESR = 1u << 1,    /* esr_ec/esr ("...with ESR 0x21/0x8600003f") */
    HVP_TEV_FSR = 1u << 2,    /* fsr (IFSR/DFSR; seL4 FSR/status) */
    HVP_TEV_FAR = 1u << 3,    /* far (IFAR/DFAR/FAR/HIFAR/HDFAR; seL4 IPA/vaddr/address) */
    HVP_TEV_PC = 1u << 4,     /* pc ("...to EL1 PC", mode switch PC, seL4 PC) */
    HVP_TEV_PSTATE = 1u << 5, /* pstate ("PSTATE 0x..", seL4 context cpsr) */
    HVP_TEV_ELR = 1u << 6,    /* elr ("...with ELR 0x..") */
    HVP_TEV_CONTEXT = 1u << 7 /* seL4 "Context:" register block seen */
};

/* One recognised event.  Strings are NUL-terminated and may be cut. */
typedef struct hvp_trace_event {
    hvp_trace_kind kind;
    uint64_t line;        /* 1-based line number where it starts */
    unsigned have;        /* HVP_TEV_* bits */
    int excno;            /* QEMU exception number; -1 otherwise */
    int cpu;              /* QEMU CPU index; -1 otherwise */
    char name[32];        /* exception name ("Prefetch Abort"); seL4: "prefetch fault",
                             "fault", "data", "code"; mode switch/return: "" */
    int from_el, to_el;   /* with HVP_TEV_EL */
    uint32_t esr_ec;      /* with HVP_TEV_ESR: QEMU's syndrome class ... */
    uint32_t esr;         /* ... and full syndrome */
    uint32_t fsr;         /* with HVP_TEV_FSR */
    int fsr_is_ifsr;      /* 1 IFSR / instruction fault, 0 DFSR / data */
    char far_name[8];     /* "IFAR", "DFAR", "FAR", "HIFAR", "HDFAR", "IPA", "vaddr", "address" */
    uint64_t far;         /* with HVP_TEV_FAR */
    uint64_t pc;          /* with HVP_TEV_PC */
    uint32_t pstate;      /* with HVP_TEV_PSTATE */
    uint64_t elr;         /* with HVP_TEV_ELR */
    char from_mode[8];    /* mode switch / return: "svc" */
    char to_mode[8];      /*                        "usr" */
    char access[8];       /* invalid access: "read"/"write"; seL4: "read"/"write" */
    unsigned size;        /* invalid access size */
    char region[32];      /* invalid access region ("(null)") */
    char reason[24];      /* invalid access reason ("rejected", "unaligned", ...) */
    char vm[32];          /* seL4 VMM: the faulting thread or VM ("vm0") */
    uint32_t lr, sp;      /* seL4 context r14 and sp (with HVP_TEV_CONTEXT) */
    int psci;             /* QEMU "...handled as PSCI call" */
} hvp_trace_event;

/* 1 for events that are faults: Undefined Instruction, Prefetch Abort,
 * Data Abort (and other QEMU aborts), and every seL4 fault report. */
int hvp_trace_event_is_fault(const hvp_trace_event *e);

/* The fault address of an event and its register's name ("IFAR", "IPA",
 * "PC"...): FAR when logged, else PC.  Returns 0 when it has neither. */
int hvp_trace_event_addr(const hvp_trace_event *e, uint64_t *addr, const char **what);

/* A loop: the same exception (period 1) or a short cycle of them
 * (period 2..HVP_TRACE_MAX_PERIOD) repeating back to back. */
#define HVP_TRACE_MAX_PERIOD 8
typedef struct hvp_trace_loop {
    unsigned period;                          /* events per cycle */
    uint64_t repeats;                         /* full cycles seen (>= 2) */
    uint64_t start_line;                      /* line of the first event of the first cycle */
    uint64_t end_line;                        /* line of the last event in the loop */
    uint64_t returns;                         /* exception returns logged during the loop */
    hvp_trace_event cycle[HVP_TRACE_MAX_PERIOD]; /* one cycle, in order */
} hvp_trace_loop;

/* Counts per QEMU exception number (0..HVP_TRACE_MAX_EXCNO-1; names as
 * QEMU printed them), and per event kind. */
#define HVP_TRACE_MAX_EXCNO 32
#define HVP_TRACE_MAX_LOOPS 16

typedef struct hvp_trace_summary {
    uint64_t lines;          /* lines read (a final line without '\n' counts) */
    uint64_t bytes;          /* bytes read */
    uint64_t recognised;     /* lines that belonged to an event */
    uint64_t long_lines;     /* lines longer than the line buffer (cut) */
    uint64_t kind_count[HVP_TRACE_KIND_COUNT];
    uint64_t exc_count[HVP_TRACE_MAX_EXCNO];
    char exc_name[HVP_TRACE_MAX_EXCNO][32];
    uint64_t exc_other;      /* exceptions with a number outside the table */
    uint64_t faults;         /* events for which hvp_trace_event_is_fault() */

    int have_first_fault;
    hvp_trace_event first_fault;
    /* The exception taken just before the first fault with no exception
     * return in between: the fault happened in its vector or handler. */
    int have_fault_cause;
    hvp_trace_event fault_cause;

    /* Timeline: the first `first_n` events (timeline_len of them). */
    const hvp_trace_event *timeline;
    size_t timeline_len;

    /* Loops that repeated more than `loop_threshold` times, in the order
     * they ended; loops_dropped counts those beyond HVP_TRACE_MAX_LOOPS. */
    hvp_trace_loop loops[HVP_TRACE_MAX_LOOPS];
    size_t nloops;
    uint64_t loops_dropped;

    /* Invalid accesses (guest_errors): those followed by an abort with
     * the same fault address came from the guest; the others may be a
     * debugger's or monitor's own reads (gdb x, monitor x/xp) or guest
     * accesses the bus rejected without raising an abort. */
    uint64_t bad_guest;      /* followed by an abort at the same address */
    uint64_t bad_other;      /* not followed by one */
    int have_first_bad_other;
    hvp_trace_event first_bad_other;
    /* Longest run of invalid accesses at consecutive addresses (addr ==
     * previous addr + size): a CPU executing through unbacked memory, or
     * a debugger dumping a range. */
    uint64_t sweep_count;
    uint64_t sweep_first, sweep_last, sweep_line;

    uint64_t halt_line;      /* first "Halting..." line, 0 if none */
} hvp_trace_summary;

typedef struct hvp_trace_opts {
    size_t first_n;          /* timeline length (default 20; max 100000) */
    uint64_t loop_threshold; /* report loops repeating more than this (default 100) */
    size_t max_line;         /* line buffer, longer lines are cut (default 4096, min 128) */
    /* Optional: called for every event as it completes (after
     * continuation lines).  A non-zero return stops the parse: feed,
     * line and finish return that value from then on. */
    int (*on_event)(const hvp_trace_event *e, void *arg);
    void *arg;
} hvp_trace_opts;

typedef struct hvp_trace hvp_trace;

/* A new parser; `opts` may be NULL for the defaults.  HVP_E_NOMEM. */
int hvp_trace_new(const hvp_trace_opts *opts, hvp_trace **out, hvp_error *err);
void hvp_trace_free(hvp_trace *t);

/* Feed n bytes of log (any split, '\n' or "\r\n" line ends).  Returns 0,
 * or the non-zero value an on_event callback returned. */
int hvp_trace_feed(hvp_trace *t, const void *data, size_t n, hvp_error *err);

/* Feed one complete line (no line end needed; one is stripped). */
int hvp_trace_line(hvp_trace *t, const char *line, size_t len, hvp_error *err);

/* End of input: flush a last line without '\n', close open events and
 * loops.  Further feeding is an HVP_E_INVAL error. */
int hvp_trace_finish(hvp_trace *t, hvp_error *err);

/* The summary so far (complete after hvp_trace_finish).  Owned by t. */
const hvp_trace_summary *hvp_trace_summary_get(const hvp_trace *t);

/* ---- rendering ---------------------------------------------------------- */

/* The summary as a readable report (json == 0: counts, first fault
 * decoded, loops, invalid accesses, a short reading of what happened,
 * the timeline) or as an indented JSON document (json != 0).  `source`
 * names the input ("mmu.log"; NULL: JSON says null, text says "(standard
 * input)").  *out: NUL-terminated, caller frees.  HVP_E_NOMEM. */
int hvp_trace_render(const hvp_trace *t, const char *source, int json, char **out, hvp_error *err);

#ifdef __cplusplus
}
#endif
#endif
