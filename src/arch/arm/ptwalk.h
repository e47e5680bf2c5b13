/*
 * arch/arm/ptwalk.h - a software ARMv7-A translation table walker over a
 * caller-supplied physical-memory reader.  It answers "what does this VA
 * (or IPA) translate to, and if it does not, which descriptor says so":
 * every descriptor read is kept as evidence in the result.
 *
 * Formats (ARM DDI 0406C.c):
 *   - short-descriptor stage 1 (B3.5): TTBCR.N split, sections,
 *     supersections, second-level ("coarse") tables, small/large pages;
 *   - long-descriptor (LPAE) stage 1 (B3.6): TTBCR.EAE=1, T0SZ/T1SZ split,
 *     4 KiB granule, 1 GiB / 2 MiB blocks, 4 KiB pages;
 *   - long-descriptor stage 2 (B3.6, VTTBR/VTCR): IPA -> PA, starting at
 *     level 1 or 2 (VTCR.SL0), concatenated first-level tables.
 *
 * What a walk decides: translation faults, access flag faults (long
 * format always; short format only with SCTLR.AFE=1), address size faults
 * (long format: output or table address bits 47:40 non-zero), and "table
 * unreadable" when the reader fails.  It does NOT decide permission or
 * domain faults: those depend on the access (read/write/fetch, PL0/PL1)
 * and on DACR; the final descriptor's AP/XN/PXN/domain are reported so
 * the caller can.  TLBs, caches and TTBCR/TTBR values other than those
 * passed in play no part: this is what a walk of memory *now* finds.
 *
 * Descriptors are read little-endian unless a function says otherwise.
 * Errors: HVP_E_INVAL for NULL pointers and impossible configurations;
 * a walk that ends in a fault is a successful call (r->ok = 0).
 */
#ifndef HVP_ARCH_ARM_PTWALK_H
#define HVP_ARCH_ARM_PTWALK_H

#include <stddef.h>
#include <stdint.h>
#include "hvprobe/error.h"

/* Read `len` bytes of physical memory at `pa` into `buf`: 0 on success,
 * negative when the memory cannot be read (the walk then reports
 * "table unreadable" at that descriptor's address). */
typedef int (*arm_phys_read_fn)(void *ctx, uint64_t pa, void *buf, size_t len);

/* One descriptor read: the evidence chain of a walk. */
typedef struct arm_walk_step {
    int level;          /* short: 1 first level, 2 second level; long: 1..3 */
    uint64_t table_pa;  /* base of the table that was indexed */
    uint64_t desc_pa;   /* address of the descriptor */
    uint64_t desc;      /* its value (0 when unreadable) */
    const char *kind;   /* static: "invalid", "section", "supersection",
                           "page table", "small page", "large page",
                           "table", "block", "page", "reserved",
                           "unreadable" */
} arm_walk_step;

#define ARM_WALK_MAX_STEPS 8

typedef struct arm_walk_result {
    const char *regime;   /* static: "short-descriptor", "long-descriptor
                             stage 1", "long-descriptor stage 2",
                             "MMU off" */
    uint64_t in_addr;     /* VA or IPA walked */
    int ttbr;             /* base register used: 0 TTBR0, 1 TTBR1,
                             -1 VTTBR or none */
    int ok;               /* 1 = translated */
    uint64_t out_addr;    /* when ok: PA (or IPA, for a stage-1 walk of a
                             guest under a hypervisor) */
    int fault_level;      /* when !ok: level of the failing lookup */
    const char *fault;    /* when !ok: "translation fault", "access flag
                             fault", "address size fault", "table
                             unreadable"; NULL when ok */
    const char *why;      /* static detail or NULL, e.g. "TTBCR.PD0 is
                             set: TTBR0 walks disabled" */
    /* Attributes of the final descriptor, -1 where not meaningful. */
    uint64_t block_size;  /* bytes it maps: 4K/64K/1M/16M, 4K/2M/1G */
    int ap;               /* short: AP[2:0] = {AP[2], AP[1:0]};
                             long stage 1: AP[2:1] (bits 7:6);
                             stage 2: HAP[2:1] (bits 7:6) */
    int ap_table;         /* long stage 1: OR of APTable[1:0] (bits 62:61)
                             over the table descriptors; else 0 */
    int xn;               /* includes XNTable (long stage 1) */
    int pxn;              /* includes PXNTable; -1 for stage 2 */
    int ns;               /* short: NS of the section/L1 table; long stage 1:
                             NS | NSTable; -1 for stage 2 */
    int domain;           /* short only (supersections: 0) */
    int af;               /* access flag: long bit 10; short AP[0] only when
                             SCTLR.AFE=1 */
    arm_walk_step steps[ARM_WALK_MAX_STEPS];
    int nsteps;
} arm_walk_result;

/* Short-descriptor walk (TTBCR.EAE=0), as if SCTLR.AFE=0 and SCTLR.EE=0.
 * TTBCR.N (bits 2:0) splits the VA space: VA[31:32-N] == 0 uses TTBR0
 * (table of 16 KiB >> N), anything else TTBR1; TTBCR.PD0/PD1 (bits 4/5)
 * disable walks of either half (translation fault, level 1).  A
 * first-level descriptor of type 0b11 is taken as a section with PXN=1,
 * which CPUs without the PXN extension (Cortex-A9) treat as a fault: the
 * result's `why` says so. */
int arm_walk_short(uint32_t ttbr0, uint32_t ttbr1, uint32_t ttbcr, uint32_t va,
                   arm_phys_read_fn rd, void *ctx, arm_walk_result *r,
                   hvp_error *err);

/* Long-descriptor stage-1 walk.  `ttbcr` must have EAE (bit 31) set;
 * T0SZ bits 2:0, EPD0 bit 7, T1SZ bits 18:16, EPD1 bit 23 are used.  TTBR
 * values are the 64-bit form (BADDR bits 39:x, ASID 55:48 ignored), as
 * QEMU's gdbstub shows TTBR0_EL1/TTBR1_EL1.  A VA in neither the TTBR0 nor
 * the TTBR1 region is a translation fault at level 1 with no step. */
int arm_walk_lpae_s1(uint64_t ttbr0, uint64_t ttbr1, uint32_t ttbcr, uint32_t va,
                     arm_phys_read_fn rd, void *ctx, arm_walk_result *r,
                     hvp_error *err);

/* Long-descriptor stage-2 walk of an IPA.  VTCR: T0SZ bits 3:0 (signed,
 * IPA size 32 - T0SZ = 25..40 bits), S bit 4 (must equal T0SZ[3]), SL0
 * bits 7:6 (0 start at level 2 with T0SZ -2..7, 1 start at level 1 with
 * T0SZ -8..1).  HVP_E_INVAL for VTCR.S != T0SZ[3], SL0 = 2/3, or an SL0
 * that does not fit T0SZ (hardware would fault every access).  An IPA
 * beyond the configured size is a translation fault at the start level. */
int arm_walk_lpae_s2(uint64_t vttbr, uint32_t vtcr, uint64_t ipa,
                     arm_phys_read_fn rd, void *ctx, arm_walk_result *r,
                     hvp_error *err);

/* The stage-1 walk the CPU would do: SCTLR.M (bit 0) clear -> flat (VA is
 * the output, regime "MMU off", no steps); else TTBCR.EAE (bit 31) picks
 * arm_walk_lpae_s1() or the short-descriptor walk, which here also honours
 * SCTLR.AFE (bit 29: AP[0] is an access flag) and SCTLR.EE (bit 25:
 * big-endian descriptors).  For the short format only the low 32 bits
 * of ttbr0/ttbr1 are used. */
int arm_walk_stage1(uint32_t sctlr, uint64_t ttbr0, uint64_t ttbr1, uint32_t ttbcr,
                    uint32_t va, arm_phys_read_fn rd, void *ctx,
                    arm_walk_result *r, hvp_error *err);

/* A reader of guest-physical (IPA) memory for a stage-1 walk of a guest
 * under a hypervisor: each read is translated through stage 2 and then
 * read with `rd`.  Use arm_s2_read as the arm_phys_read_fn and a pointer
 * to this struct as its ctx.  `last` holds the stage-2 walk of the most
 * recent read, so a caller can show why a stage-1 table was unreadable. */
typedef struct arm_s2_reader {
    uint64_t vttbr;
    uint32_t vtcr;
    arm_phys_read_fn rd;
    void *ctx;
    arm_walk_result last;
} arm_s2_reader;

int arm_s2_read(void *ctx, uint64_t ipa, void *buf, size_t len);

/* One line for a report, e.g.
 *   "VA 0x60000000 maps to 0x60000000 via TTBR0: section, 1 MiB, AP=0b011
 *    XN=0 PXN=0 NS=0 domain 0"
 *   "VA 0x8: translation fault, level 1 (TTBR0; level-1 descriptor at
 *    0x60004000 = 0x00000000)"
 * HVP_E_INVAL for NULL arguments or when the line did not fit (buf then
 * holds it truncated). */
int arm_walk_describe(const arm_walk_result *r, char *buf, size_t n, hvp_error *err);

#endif
