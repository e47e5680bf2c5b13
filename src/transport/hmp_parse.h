/*
 * hmp_parse.h - pure parsers of QEMU monitor text (QEMU 7.2 formats), as
 * returned by hmp_command() or qmp_hmp(): "\n" or "\r\n" line ends are
 * both accepted.  No I/O.  Errors: HVP_E_INPUT with a sentence naming the
 * offending line; HVP_E_NOMEM.
 */
#ifndef HVP_TRANSPORT_HMP_PARSE_H
#define HVP_TRANSPORT_HMP_PARSE_H

#include <stddef.h>
#include <stdint.h>
#include "hvprobe/error.h"

/* ---- info registers (AArch32) ------------------------------------------- */

/* One CPU's core registers from `info registers`.  QEMU 7.2 prints
 *     CPU#0
 *     R00=600000fa R01=10009000 R02=00000000 R03=00000000
 *     ...
 *     PSR=600001d3 -ZC- A S svc32
 * where the PSR line is: value, NZCV as letter-or-'-', 'A' (ARM) or 'T'
 * (Thumb), "S "/"NS " only when the CPU has EL3 *and* is not in Monitor
 * mode, then the mode name + "32". */
typedef struct hmp_regs {
    int cpu;            /* N of the "CPU#N" header, -1 if there was none */
    uint32_t r[16];     /* R00..R15 (R13 sp, R14 lr, R15 pc) */
    uint32_t psr;       /* CPSR */
    char mode[16];      /* "usr32","fiq32","irq32","svc32","mon32","abt32",
                           "hyp32","und32","sys32" as printed */
    int secure;         /* 1 "S", 0 "NS", -1 not shown (no EL3, or mon32:
                           Monitor mode is always Secure) */
    char flags[8];      /* NZCV as printed, e.g. "-ZC-" */
    int thumb;          /* 1 'T', 0 'A' */
} hmp_regs;

/* Parse the first CPU block of `info registers` output: CPU#0 for
 * `info registers -a`, the monitor's current CPU (see HMP `cpu N`) for
 * plain `info registers`, or the whole text when it has no "CPU#" line.
 * The NZCV letters, A/T and the mode name are checked against the PSR
 * value.  HVP_E_INPUT when it is not ARM32 register output (a missing
 * R register or PSR line, a PSR line whose mode contradicts its value);
 * HVP_E_UNSUPPORTED for an AArch64 dump (PC=/X00=). */
int hmp_parse_registers(const char *text, hmp_regs *out, hvp_error *err);

/* The same for the block headed "CPU#cpu" (HVP_E_INPUT if absent). */
int hmp_parse_registers_cpu(const char *text, int cpu, hmp_regs *out, hvp_error *err);

/* Number of "CPU#N" blocks in the text (0 if none). */
size_t hmp_count_cpus(const char *text);

/* ---- x / xp ------------------------------------------------------------- */

/* Parse `x/Nfx ADDR` or `xp/Nfx ADDR` output with f one of b, h, w, g
 * (unit width is taken from the digits of each value: 0x06 byte, 0x0006
 * halfword, 0x00000006 word, 16 digits giant).  Line address prefixes
 * are hex of any width ("60000000:" for x on a 32-bit target,
 * "0000000060000000:" for xp) and must run contiguously from `addr`.
 * Values are stored little-endian (ARM LE guests) into buf[0..cap).
 *
 * *got = bytes stored.  When the monitor printed an error instead of
 * values ("68000000: Cannot access memory", or any line that is not
 * values, e.g. "unknown command: 'x'"), *error_text = that message
 * without the address (caller frees), *got = the bytes before it, and
 * the result is HVP_E_TARGET with err saying where.  Otherwise
 * *error_text = NULL.  HVP_E_INPUT: address mismatch, a bad value,
 * more than cap bytes, non-hex formats (/d, /i ...). */
int hmp_parse_x(const char *text, uint64_t addr, uint8_t *buf, size_t cap,
                size_t *got, char **error_text, hvp_error *err);

/* ---- info mtree / info mtree -f ----------------------------------------- */

/* One region line.  Owned strings; free the array with hmp_regions_free.
 *
 * Tree view (`info mtree`):
 *   address-space: cpu-memory-0          <- several names may share
 *   address-space: memory                   the tree that follows
 *     0000000000000000-ffffffffffffffff (prio 0, i/o): system
 *       0000000000000000-0000000003ffffff (prio 0, romd): alias
 *           vexpress.flashalias @vexpress.flash0 0000000000000000-0000000003ffffff
 *   memory-region: vexpress.flash0       <- alias targets, listed apart
 *     0000000040000000-0000000043ffffff (prio 0, romd): vexpress.flash0
 * Flat view (`info mtree -f`), flat = 1:
 *   FlatView #1
 *    AS "memory", root: system
 *    Root memory region: system
 *     0000000000000000-0000000003ffffff (prio 0, romd): vexpress.flash0
 *     0000000010000000-000000003efeffff (prio 0, i/o): gpex_mmio_window @0000000010000000
 * The flat view is QEMU's own answer to "what is at this address": where
 * tree regions overlap with equal priority (vexpress-a9 at 0x0) it names
 * the winner. */
typedef struct hmp_region {
    char *address_space;   /* names sharing this tree / flat view, joined
                              by ", " ("cpu-memory-0, memory"); NULL in a
                              memory-region section */
    char *mr_section;      /* NAME of "memory-region: NAME", else NULL */
    uint64_t start, end;   /* inclusive, absolute addresses as printed */
    int prio;
    char *kind;            /* as printed: "ram", "rom", "romd", "i/o",
                              "ramd", "nv-ram", ... */
    char *name;            /* region name (may contain spaces) */
    int is_alias;          /* "alias NAME @TARGET TSTART-TEND" */
    char *alias_target;    /* TARGET, or NULL */
    uint64_t alias_offset; /* TSTART (tree), or the "@OFFSET" (flat) */
    int depth;             /* 0 = root of its tree; flat: 0 */
    char *parent;          /* enclosing region's name; flat: the view's
                              root region; NULL for a tree root */
    int enabled;           /* 0 when "[disabled]" */
    int flat;              /* 1 = line of a FlatView */
    char *tags;            /* other bracketed notes, e.g. "ROM" (flat
                              "[ROM]" read-only override), else NULL */
} hmp_region;

/* Parse `info mtree` and/or `info mtree -f` text into *out (n entries,
 * in output order).  HVP_E_INPUT on text that is not mtree output or on
 * a malformed region line. */
int hmp_parse_mtree(const char *text, hmp_region **out, size_t *n, hvp_error *err);
void hmp_regions_free(hmp_region *r, size_t n);   /* NULL is a no-op */

/* 1 if `as` is one of r->address_space's names. */
int hmp_region_in_as(const hmp_region *r, const char *as);

/* The flat-view region covering addr in address space `as` (e.g.
 * "memory", "cpu-memory-0"), or NULL. */
const hmp_region *hmp_flat_lookup(const hmp_region *r, size_t n, const char *as,
                                  uint64_t addr);

#endif
