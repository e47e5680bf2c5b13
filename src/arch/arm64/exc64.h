/*
 * arch/arm64/exc64.h - AArch64 exception routing, computed from a
 * snapshot: for each kind of exception (synchronous, IRQ, FIQ, SError)
 * raised in the captured state, which Exception level takes it, which of
 * the 16 slots of that level's vector table the CPU enters, the address
 * it fetches, and whether the exception is masked now.
 *
 * Rules (Arm ARM DDI 0487, D1.10 "Exception entry", D1.11 "Exception
 * return"; the routing tables for asynchronous exceptions, and
 * the register descriptions of HCR_EL2 and SCR_EL3):
 *  - An exception is never taken to a lower Exception level.  A
 *    synchronous exception (SVC, UDF, aborts the current stage 1 raises)
 *    is taken to the current level, from EL0 to EL1 -- or to EL2 when
 *    HCR_EL2.TGE=1 (EL2 enabled in the current security state).
 *  - IRQ / FIQ / SError: SCR_EL3.IRQ / FIQ / EA send them to EL3; else
 *    from EL0/EL1 HCR_EL2.IMO / FMO / AMO (or TGE) send them to EL2; else
 *    they target EL1.  One that targets a level below the current one is
 *    not taken: it stays pending until the CPU drops to that level.
 *  - The vector base is VBAR_ELn of the target level n (bits 10:0 RES0).
 *    The table has four groups of four 0x80-byte slots: current level
 *    with SP_EL0 (0x000), current level with SP_ELn (0x200), lower level
 *    in AArch64 (0x400), lower level in AArch32 (0x600); within a group
 *    synchronous +0x00, IRQ +0x80, FIQ +0x100, SError +0x180.  "Lower"
 *    is decided by the execution state of the level just below the
 *    target (EL1: HCR_EL2.RW when the exception comes from EL0 to EL2;
 *    SCR_EL3.RW for EL3 without EL2).
 *  - Masks: PSTATE.I/F/A mask an interrupt taken to the current level;
 *    one taken to a higher level is not masked by them (D1.3.6).
 * QEMU's gdbstub names VBAR_EL1 "VBAR" and SCTLR_EL1 "SCTLR" (registers
 * shared with AArch32); a64_reg() accepts both spellings.
 */
#ifndef HVP_ARCH_ARM64_EXC64_H
#define HVP_ARCH_ARM64_EXC64_H

#include <stdint.h>
#include "hvprobe/snapshot.h"

typedef enum a64_kind { A64_SYNC = 0, A64_IRQ, A64_FIQ, A64_SERROR, A64_NKINDS } a64_kind;
typedef enum a64_group { A64_CUR_SP0 = 0, A64_CUR_SPX, A64_LOWER_A64, A64_LOWER_A32, A64_NGROUPS } a64_group;

#define A64_NSLOTS 16
#define A64_SLOT_SIZE 0x80u
#define A64_TABLE_SIZE 0x800u

const char *a64_kind_name(a64_kind k);      /* "sync", "irq", "fiq", "serror" */
const char *a64_group_name(a64_group g);    /* "cur_sp0", "cur_spx", "lower_a64", "lower_a32" */
/* "cur_spx.sync" for slot 4 (group * 4 + kind). */
const char *a64_slot_name(int slot);
/* "cur_spx.sync", "lower_a64.irq", or an offset "0x200"; -1 when unknown. */
int a64_slot_parse(const char *s);

/* The register `name` in its architectural spelling ("VBAR_EL1") or in
 * QEMU's ("VBAR"); NULL when the snapshot lacks it. */
const hvp_reg *a64_reg(const hvp_snapshot *s, const char *name);

/* What the captured PSTATE and control registers say. */
typedef struct a64_state {
    int have;               /* PSTATE known */
    int el;                 /* current Exception level */
    int spsel;              /* 1: SP_ELn, 0: SP_EL0 */
    int aarch32;            /* PSTATE.nRW: the CPU executes in AArch32 state */
    uint32_t daif;          /* PSTATE bits 9:6 */
    int have_el2, have_el3; /* the snapshot has HCR_EL2 / SCR_EL3 */
    int el2_enabled;        /* EL2 exists and is enabled in the current
                               security state */
    uint64_t hcr, scr;      /* 0 when absent */
    int guest_view;         /* captured at EL2 serving a guest (HCR_EL2.VM=1,
                               TGE=0): routes are computed as if raised in
                               the guest's EL1 (EL1h).  HCR_EL2 alone says
                               so: a hypervisor that keeps VM=1 while it runs
                               its own code (Xen) is taken for its guest */
    int have_guest_pstate;  /* guest view: SPSR_EL2 holds the guest's PSTATE */
    uint32_t guest_daif;
    int guest_aarch32;      /* guest view: the guest's EL1 is AArch32 */
} a64_state;

void a64_state_from(const hvp_snapshot *s, a64_state *st);

typedef struct a64_route {
    a64_kind kind;
    int taken;              /* 1: taken now (maybe masked); 0: not taken
                               from this level (why says so), or unknown */
    int target_el;
    int slot;               /* 0..15 in the target level's table */
    int known;              /* base and fetch valid */
    uint64_t base, fetch;
    char vbar[12];          /* "VBAR_EL1" */
    char source[120];       /* "VBAR_EL1 = 0x40081000" */
    char why[240];          /* the routing in words: "taken to EL1 (the
                               current level) with SP_EL1: cur_spx.sync" */
    int masked;             /* HVP_YES / HVP_NO / HVP_UNKNOWN */
    char mask_why[96];
} a64_route;

/* Routes of the four kinds raised in the captured state (or, in a guest
 * view, in the guest's EL1h).  Never fails: a route the snapshot cannot
 * decide has known = 0 and `why` says what is missing. */
void a64_route_exceptions(const hvp_snapshot *s, const a64_state *st, a64_route out[A64_NKINDS]);

/* The Exception level whose table hvprobe shows slot by slot: the one
 * that takes a synchronous exception raised now (EL1 from EL0 or EL1,
 * EL2 with TGE, EL1 in a guest view).  0 when PSTATE is unknown. */
int a64_table_el(const a64_state *st);

/* VBAR_ELn of `el`, masked to its base; 0 and *ok = 0 when absent. */
uint64_t a64_vbar(const hvp_snapshot *s, int el, int *ok);

/* The translation regime's registers for fetches at `el` (1: EL1&0,
 * 2: EL2 (E2H selects the two-range form), 3: EL3).  Returns 1 when the
 * snapshot has SCTLR_ELn (its MMU bit decides) and, with the MMU on, the
 * TCR and TTBRs the walk needs; else 0 and why[] says what is missing. */
typedef struct a64_regime {
    int el;
    int walk_regime;        /* A64_REGIME_* of arch/arm64/ptwalk64.h */
    int mmu;
    uint64_t sctlr, tcr, ttbr0, ttbr1;
    int stage2;             /* EL1&0 with HCR_EL2.VM=1: fetches go through
                               stage 2 as well */
    uint64_t vtcr, vttbr;
    char granule_note[200]; /* a TCR granule the CPU does not implement
                               (ID_AA64MMFR0_EL1), walked as QEMU does, or "" */
} a64_regime;
int a64_regime_of(const hvp_snapshot *s, int el, a64_regime *r, char *why, size_t whyn);

#endif
