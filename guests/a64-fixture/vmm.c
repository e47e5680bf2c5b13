/*
 * vmm.c - a64-fixture's C half: build the guest's stage-2 translation
 * tables, configure EL2 and the guest's EL1, and report what brings the
 * guest back to EL2.
 *
 * The policy reproduced is the seL4 VMM's: the guest physical (IPA) space
 * holds only what the VMM gave the guest -- its RAM window and the devices
 * passed through -- and nothing at IPA 0x0.  A guest that takes an
 * exception with VBAR_EL1 still 0 fetches its handler from IPA 0x0 + the
 * slot's offset (0x200 for an SVC from EL1h), which stage 2 does not
 * translate: the CPU takes a *stage-2* instruction abort to EL2
 * (lower_a64.sync), with
 *
 *   ESR_EL2[31:26]  EC 0x20 instruction abort from a lower EL (0x24: data)
 *   ESR_EL2[5:0]    IFSC/DFSC: 0b0001LL = translation fault at level LL
 *                   (0x6: level 2, see s2_build())
 *   FAR_EL2         the faulting *virtual* address (the guest's VA)
 *   HPFAR_EL2[43:4] FIPA = IPA[51:12]: IPA = FIPA << 12 | FAR_EL2[11:0]
 *   ELR_EL2         the guest PC of the faulting instruction
 *   SPSR_EL2        the guest's PSTATE
 *
 * and this file prints that the way the seL4 VMM (libsel4vm print_fault)
 * does, then boot.S halts in EL2.  Freestanding: no libc, no FP/SIMD
 * registers (-mgeneral-regs-only), no unaligned accesses (-mstrict-align:
 * with the EL2 MMU off, every data access is to Device memory).
 */
#include <stddef.h>
#include <stdint.h>
#include "fixture.h"

/* ---- PL011 output: the data register accepts bytes without set-up ---- */

static void putc_(char c)
{
    *(volatile uint32_t *)UART_BASE = (uint8_t)c;
}

static void puts_(const char *s)
{
    while (*s)
        putc_(*s++);
}

/* "0x" and the value in lower-case hex without leading zeros, like "%lx". */
static void puthex(uint64_t v)
{
    char buf[16];
    int n = 0;
    puts_("0x");
    do {
        buf[n++] = "0123456789abcdef"[v & 0xf];
        v >>= 4;
    } while (v);
    while (n)
        putc_(buf[--n]);
}

/* ---- system registers ------------------------------------------------ */

#define READ_SYSREG(r)                                                       \
    ({ uint64_t v_; __asm__ volatile("mrs %0, " #r : "=r"(v_)); v_; })
#define WRITE_SYSREG(r, v)                                                   \
    __asm__ volatile("msr " #r ", %0" :: "r"((uint64_t)(v)) : "memory")
#define ISB()          __asm__ volatile("isb" ::: "memory")

/* ---- stage 2 --------------------------------------------------------- */

/*
 * 4 KiB granule, 32-bit IPA space (VTCR_EL2.T0SZ = 32), walks starting at
 * level 1 (VTCR_EL2.SL0 = 1): 4 level-1 entries of 1 GiB (IPA[31:30]),
 * level-2 entries of 2 MiB (IPA[29:21]), level-3 entries of 4 KiB
 * (IPA[20:12]).
 *
 *   l1[0] IPA 0x00000000-0x3fffffff -> table s2_l2_low
 *           s2_l2_low[0]  (IPA 0x0-0x1fffff)     0: invalid  <- 0x200 faults
 *                                                   here: level 2, FSC 0x6
 *           s2_l2_low[64] (IPA 0x08000000-...)   -> s2_l3_gic: 32 pages
 *           s2_l2_low[72] (IPA 0x09000000-...)   -> s2_l3_uart: 1 page
 *   l1[1] IPA 0x40000000-0x7fffffff -> table s2_l2_ram: 64 x 2 MiB blocks,
 *           0x40000000-0x47ffffff; entry 64 on (the fixture) invalid
 *   l1[2], l1[3]: invalid (an IPA >= 0x80000000 faults at level 1: FSC 0x5)
 *
 * The level-1 entry for IPA 0 is a *table* (it must be, to pass the GIC
 * and the UART through), so a fetch from IPA 0x200 faults at level 2 --
 * FSC 0x6, the value in the seL4 VMM's "Pagefault ... FSR: 0x6".
 */
typedef uint64_t s2pte;
#define S2_BLOCK       0x1ULL          /* level 1/2 block          [1:0]    */
#define S2_TABLE       0x3ULL          /* level 1/2 next table     [1:0]    */
#define S2_PAGE        0x3ULL          /* level 3 page             [1:0]    */
#define S2_MEM_NORMAL  (0xfULL << 2)   /* MemAttr 0b1111: Normal, outer+inner WB */
#define S2_MEM_DEVICE  (0x1ULL << 2)   /* MemAttr 0b0001: Device-nGnRE      */
#define S2_AP_RW       (0x3ULL << 6)   /* S2AP: read/write                  */
#define S2_SH_INNER    (0x3ULL << 8)   /* inner shareable                   */
#define S2_AF          (0x1ULL << 10)  /* access flag (no access-flag faults) */
#define S2_XN          (0x1ULL << 54)  /* XN[1]: no execution at EL1 or EL0 */

#define S2_RAM_BLOCK   (S2_BLOCK | S2_MEM_NORMAL | S2_AP_RW | S2_SH_INNER | S2_AF)
#define S2_DEV_PAGE    (S2_PAGE | S2_MEM_DEVICE | S2_AP_RW | S2_AF | S2_XN)

#define SZ_4K          0x1000ULL
#define SZ_2M          0x200000ULL
#define SZ_1G          0x40000000ULL
#define L1_INDEX(ipa)  (((ipa) >> 30) & 3)
#define L2_INDEX(ipa)  (((ipa) >> 21) & 511)
#define L3_INDEX(ipa)  (((ipa) >> 12) & 511)

/* Page-aligned tables in .bss (zeroed by boot.S: all entries invalid).
 * The level-1 table needs only 4 entries, but VTTBR_EL2.BADDR must be
 * aligned to the table's size; a whole page keeps that trivially true. */
#define S2_TABLE_ATTR  __attribute__((aligned(4096), section(".bss.s2")))
s2pte s2_l1[512]       S2_TABLE_ATTR;
s2pte s2_l2_low[512]   S2_TABLE_ATTR;
s2pte s2_l2_ram[512]   S2_TABLE_ATTR;
s2pte s2_l3_gic[512]   S2_TABLE_ATTR;
s2pte s2_l3_uart[512]  S2_TABLE_ATTR;

_Static_assert(GUEST_RAM_BASE / SZ_1G == 1 && (GUEST_RAM_END - 1) / SZ_1G == 1,
               "guest RAM must lie in level-1 entry 1");
_Static_assert(GUEST_RAM_BASE % SZ_2M == 0 && GUEST_RAM_END % SZ_2M == 0,
               "guest RAM is mapped with 2 MiB blocks");
_Static_assert(GIC_BASE / SZ_2M == (GIC_BASE + GIC_SIZE - 1) / SZ_2M &&
               UART_BASE / SZ_2M != GIC_BASE / SZ_2M && GIC_BASE / SZ_2M != 0 &&
               UART_BASE < SZ_1G && GIC_BASE < SZ_1G,
               "one level-3 table each for the GIC and the UART, in level-1 entry 0, "
               "away from IPA 0");
_Static_assert(FIXTURE_BASE >= GUEST_RAM_END, "the fixture must be outside the guest's RAM window");

/* Map [pa, pa+size) at the same IPA as device pages through table l3. */
static void s2_map_device(s2pte *l3, uint64_t pa, uint64_t size)
{
    s2_l2_low[L2_INDEX(pa)] = (uintptr_t)l3 | S2_TABLE;
    for (uint64_t a = pa; a < pa + size; a += SZ_4K)
        l3[L3_INDEX(a)] = a | S2_DEV_PAGE;
}

static void s2_build(void)
{
    s2_l1[L1_INDEX(0ULL)] = (uintptr_t)s2_l2_low | S2_TABLE;
    s2_l1[L1_INDEX(GUEST_RAM_BASE)] = (uintptr_t)s2_l2_ram | S2_TABLE;
    for (uint64_t a = GUEST_RAM_BASE; a < GUEST_RAM_END; a += SZ_2M)
        s2_l2_ram[L2_INDEX(a)] = a | S2_RAM_BLOCK;      /* identity: IPA == PA */
    s2_map_device(s2_l3_gic, GIC_BASE, GIC_SIZE);
    s2_map_device(s2_l3_uart, UART_BASE, UART_SIZE);
    /* Nothing at IPA 0: s2_l2_low[0] stays 0. */
}

/*
 * VTCR_EL2: T0SZ 32 (4 GiB of IPA), SL0 1 (start at level 1), TG0 0
 * (4 KiB), PS 0 (32-bit output addresses: everything the guest gets is
 * below 4 GiB, and every CPU implements at least that), IRGN0/ORGN0/SH0 0:
 * table walks are Non-cacheable.  The fixture writes the tables with its
 * own MMU off, i.e. as Device memory, so the walker sees them without any
 * cache maintenance.  Bit 31 is RES1.
 */
#define VTCR_RES1      (1ULL << 31)
#define VTCR_SL0_L1    (1ULL << 6)
#define VTCR_T0SZ_32   32ULL
#define VTCR_VALUE     (VTCR_RES1 | VTCR_SL0_L1 | VTCR_T0SZ_32)
#define VMID           1ULL            /* VTTBR_EL2[55:48]; 0 is fine too */

/*
 * HCR_EL2: VM (stage 2 on for EL1&0), FMO/IMO/AMO (physical FIQ, IRQ and
 * SError go to EL2, as under seL4 and KVM; virtual ones would go to the
 * guest), RW (EL1 is AArch64).  TGE stays 0: the guest's own exceptions
 * go to its EL1.  HCD 0: HVC is enabled, and traps to EL2.
 */
#define HCR_VM         (1ULL << 0)
#define HCR_FMO        (1ULL << 3)
#define HCR_IMO        (1ULL << 4)
#define HCR_AMO        (1ULL << 5)
#define HCR_RW         (1ULL << 31)
#define HCR_VALUE      (HCR_VM | HCR_FMO | HCR_IMO | HCR_AMO | HCR_RW)

#define CNTHCTL_EL1PCTEN (1ULL << 0)   /* guest may read CNTPCT_EL0 ...     */
#define CNTHCTL_EL1PCEN  (1ULL << 1)   /* ... and use the physical timer    */
/* CPTR_EL2 (E2H 0): only its RES1 bits (13, 12, 9, 7:0) and TZ (8: SVE
 * instructions trap to EL2, a guest here has no business with them); TFP
 * 0: FP/SIMD stays the guest's own (CPACR_EL1 decides, at EL1). */
#define CPTR_VALUE     0x33ffULL
/* SCTLR_EL1 for the guest: its RES1 bits in Armv8.0 (11, 20, 22, 23, 28,
 * 29), MMU, caches and alignment checks off, little-endian at EL1 and EL0. */
#define SCTLR_EL1_VALUE 0x30d00800ULL

static void guest_el1_reset(void)
{
    /* The guest reads MIDR_EL1/MPIDR_EL1 through these once stage 2 is on;
     * their reset values are architecturally UNKNOWN. */
    WRITE_SYSREG(vpidr_el2, READ_SYSREG(midr_el1));
    WRITE_SYSREG(vmpidr_el2, READ_SYSREG(mpidr_el1));
    /* A fresh seL4 VCPU is zero-filled: VBAR_EL1 0.  (KVM instead resets it
     * to a poison value; a real CPU's reset value is UNKNOWN.) */
    WRITE_SYSREG(sctlr_el1, SCTLR_EL1_VALUE);
    WRITE_SYSREG(vbar_el1, 0);
    WRITE_SYSREG(cnthctl_el2, CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN);
    WRITE_SYSREG(cntvoff_el2, 0);
    WRITE_SYSREG(cptr_el2, CPTR_VALUE);
    WRITE_SYSREG(hstr_el2, 0);          /* no AArch32 CP15 traps */
    ISB();
}

/*
 * Stage 2 on, in the order the architecture needs: tables written and
 * complete (DSB) before anything can walk them; VTTBR_EL2/VTCR_EL2 in place
 * (ISB) before the TLB invalidation; every EL1&0 TLB entry, stage 1 and 2,
 * of any VMID, invalidated (TLBI ALLE1: TLB contents are not
 * architecturally defined at reset, and RAM -- hence old tables -- survives
 * a system_reset) and that complete (DSB); then HCR_EL2.VM (ISB).  The
 * guest runs only after the ERET, which is itself context-synchronizing.
 */
static void s2_enable(void)
{
    __asm__ volatile("dsb ishst" ::: "memory");
    WRITE_SYSREG(vttbr_el2, VMID << 48 | (uintptr_t)s2_l1);
    WRITE_SYSREG(vtcr_el2, VTCR_VALUE);
    ISB();
    __asm__ volatile("tlbi alle1\n\tdsb ish\n\tisb" ::: "memory");
    WRITE_SYSREG(hcr_el2, HCR_VALUE);
    ISB();
}

/* ---- the trap record ------------------------------------------------- */

struct trap_record {
    uint64_t magic;
    uint64_t x[31];
    uint64_t elr, spsr, esr, far, hpfar, sp, vector;
};
_Static_assert(sizeof(struct trap_record) == TRAP_WORDS * 8, "TRAP_WORDS");
_Static_assert(offsetof(struct trap_record, x) == TRAP_X(0) * 8 &&
               offsetof(struct trap_record, elr) == TRAP_ELR * 8 &&
               offsetof(struct trap_record, spsr) == TRAP_SPSR * 8 &&
               offsetof(struct trap_record, esr) == TRAP_ESR * 8 &&
               offsetof(struct trap_record, far) == TRAP_FAR * 8 &&
               offsetof(struct trap_record, hpfar) == TRAP_HPFAR * 8 &&
               offsetof(struct trap_record, sp) == TRAP_SP * 8 &&
               offsetof(struct trap_record, vector) == TRAP_VECTOR * 8,
               "struct trap_record must match fixture.h's word offsets");

/* At TRAP_RECORD (fixture.ld places .trap_record there, in no segment). */
__attribute__((section(".trap_record"), used)) volatile struct trap_record vmm_trap_record;

/*
 * vmm_trap_recorded(rec): called with the trap record just written.  It
 * does nothing; it is where a debugger stops to see each guest trap as it
 * happens (hvprobe plants its breakpoint here and reads the record at x0),
 * the fixture's counterpart of seL4's fault handlers.  noinline and the
 * empty asm keep the call and the argument.
 */
__attribute__((noinline)) void vmm_trap_recorded(volatile struct trap_record *rec)
{
    __asm__ volatile("" :: "r"(rec) : "memory");
}

/* ---- start ----------------------------------------------------------- */

static const char *el_name(uint64_t el)
{
    return el == 1 ? "EL1" : el == 3 ? "EL3" : el == 2 ? "EL2" : "EL0";
}

/*
 * vmm_main: called once from boot.S at EL2 with VBAR_EL2 set.  Builds and
 * switches on stage 2, sets up the guest's EL1, prints the boot line, and
 * returns the guest's entry point for enter_guest.
 */
uint64_t vmm_main(void)
{
    uint64_t entry = *(volatile uint64_t *)GUEST_ENTRY_SLOT;
    if (entry == 0)
        entry = GUEST_ENTRY_DEFAULT;
    vmm_trap_record.magic = 0;         /* RAM survives a system_reset */

    s2_build();
    guest_el1_reset();
    s2_enable();

    puts_("a64-fixture: EL2, stage 2 on (nothing at IPA 0), entering the guest at ");
    puthex(entry);
    puts_(" in EL1h\n");
    puts_("a64-fixture: stage 2 maps IPA ");
    puthex(GUEST_RAM_BASE); putc_('-'); puthex(GUEST_RAM_END - 1);
    puts_(" RAM, ");
    puthex(GIC_BASE); putc_('-'); puthex(GIC_BASE + GIC_SIZE - 1);
    puts_(" GIC, ");
    puthex(UART_BASE); putc_('-'); puthex(UART_BASE + UART_SIZE - 1);
    puts_(" UART; nothing else (VTCR_EL2 ");
    puthex(READ_SYSREG(vtcr_el2));
    puts_(", HCR_EL2 ");
    puthex(READ_SYSREG(hcr_el2));
    puts_(")\n");
    if (entry < GUEST_RAM_BASE || entry >= GUEST_RAM_END) {
        puts_("a64-fixture: warning: the guest entry ");
        puthex(entry);
        puts_(" is outside guest RAM: the first fetch will fault in stage 2\n");
    }
    return entry;
}

/*
 * vmm_not_el2: started in EL1 or EL3 (x0 = CurrentEL.EL), with nothing to
 * virtualize with, or not from the EL a hypervisor runs in.  QEMU resets
 * the CPU into its highest implemented EL: EL1 without virtualization=on,
 * EL3 with secure=on.
 */
void vmm_not_el2(uint64_t el)
{
    puts_("a64-fixture: started in ");
    puts_(el_name(el));
    puts_(", not EL2: ");
    if (el == 3)
        puts_("EL3 exists (-M virt,secure=on), so QEMU starts there; "
              "run it with -M virt,virtualization=on and without secure=on");
    else
        puts_("this CPU has no EL2 (QEMU gives it one only with -M virt,virtualization=on)");
    puts_("\nHalting...\n");
}

/* ---- traps ----------------------------------------------------------- */

/* What boot.S saved on the EL2 stack: the guest's x0-x30 (and padding). */
struct guest_frame {
    uint64_t x[31];
    uint64_t pad;
};

#define EC_IABT_LOWER  0x20
#define EC_DABT_LOWER  0x24
#define ISS_WNR        (1ULL << 6)     /* data abort: 1 = write            */
#define HPFAR_FIPA     0x00000ffffffffff0ULL   /* HPFAR_EL2[43:4]          */

static const char *const slot_names[16] = {
    "cur_sp0.sync", "cur_sp0.irq", "cur_sp0.fiq", "cur_sp0.serror",
    "cur_spx.sync", "cur_spx.irq", "cur_spx.fiq", "cur_spx.serror",
    "lower_a64.sync", "lower_a64.irq", "lower_a64.fiq", "lower_a64.serror",
    "lower_a32.sync", "lower_a32.irq", "lower_a32.fiq", "lower_a32.serror",
};

/* A few exception classes by name (ESR_EL2[31:26]). */
static const char *ec_name(uint64_t ec)
{
    switch (ec) {
    case 0x00: return "unknown reason";
    case 0x01: return "WFI/WFE";
    case 0x07: return "FP/SIMD access";
    case 0x0e: return "illegal execution state";
    case 0x12: return "HVC from AArch32";
    case 0x13: return "SMC from AArch32";
    case 0x16: return "HVC from AArch64";
    case 0x17: return "SMC from AArch64";
    case 0x18: return "MSR/MRS/system instruction";
    case 0x19: return "SVE access";
    case 0x20: return "instruction abort from a lower EL";
    case 0x22: return "PC alignment fault";
    case 0x24: return "data abort from a lower EL";
    case 0x26: return "SP alignment fault";
    case 0x2f: return "SError";
    default:   return "other";
    }
}

/*
 * vmm_trap(vector offset, frame): every exception the guest takes to EL2.
 * Writes the trap record (magic last), calls vmm_trap_recorded(), then
 * prints: for a stage-2 abort the seL4 VMM's line
 *
 *   Pagefault from [vm0]: read prefetch fault @ PC: 0x200 IPA: 0x200, FSR: 0x6
 *
 * ("read fault"/"write fault" for a data abort, from ESR_EL2.WnR; FSR is
 * the IFSC/DFSC, ESR_EL2[5:0]), for anything else one line naming it;
 * then "Halting...".  boot.S halts at vmm_halt after the return.
 */
void vmm_trap(uint64_t off, const struct guest_frame *f)
{
    volatile struct trap_record *rec = &vmm_trap_record;
    uint64_t esr = READ_SYSREG(esr_el2), far = READ_SYSREG(far_el2);
    uint64_t hpfar = READ_SYSREG(hpfar_el2), elr = READ_SYSREG(elr_el2);
    uint64_t spsr = READ_SYSREG(spsr_el2), ec = esr >> 26 & 0x3f;
    uint64_t type = off >> 7 & 3;      /* 0 sync, 1 irq, 2 fiq, 3 serror */

    rec->magic = 0;
    __asm__ volatile("dsb sy" ::: "memory");
    for (int i = 0; i < 31; i++)
        rec->x[i] = f->x[i];
    rec->elr = elr;
    rec->spsr = spsr;
    rec->esr = esr;
    rec->far = far;
    rec->hpfar = hpfar;
    rec->sp = (spsr & 1) ? READ_SYSREG(sp_el1) : READ_SYSREG(sp_el0);
    rec->vector = off;
    __asm__ volatile("dsb sy" ::: "memory");
    rec->magic = TRAP_MAGIC;
    __asm__ volatile("dsb sy" ::: "memory");
    vmm_trap_recorded(rec);

    if (type == 0 && (ec == EC_IABT_LOWER || ec == EC_DABT_LOWER)) {
        int prefetch = ec == EC_IABT_LOWER;
        uint64_t ipa = (hpfar & HPFAR_FIPA) << 8 | (far & 0xfff);
        puts_("Pagefault from [vm0]: ");
        puts_(!prefetch && (esr & ISS_WNR) ? "write" : "read");
        puts_(prefetch ? " prefetch fault" : " fault");
        puts_(" @ PC: ");
        puthex(elr);
        puts_(" IPA: ");
        puthex(ipa);
        puts_(", FSR: ");
        puthex(esr & 0x3f);             /* IFSC / DFSC */
        putc_('\n');
    } else {
        puts_("a64-fixture: guest ");
        switch (type) {
        case 0: puts_(ec_name(ec)); break;
        case 1: puts_("IRQ, routed to EL2 by HCR_EL2.IMO"); break;
        case 2: puts_("FIQ, routed to EL2 by HCR_EL2.FMO"); break;
        default: puts_("SError, routed to EL2 by HCR_EL2.AMO"); break;
        }
        puts_(" (VBAR_EL2+");
        puthex(off);
        putc_(' ');
        puts_(slot_names[off >> 7 & 15]);
        puts_("): EC ");
        puthex(ec);
        puts_(", ESR_EL2 ");
        puthex(esr);
        if (type == 1 || type == 2)
            puts_(" (stale: not written for interrupts)");
        puts_(" @ PC: ");
        puthex(elr);
        putc_('\n');
    }
    puts_("Halting...\n");
}

/* An exception taken from EL2 itself (a fixture bug). */
void vmm_el2_exception(uint64_t off)
{
    puts_("a64-fixture: exception in EL2 itself at VBAR_EL2+");
    puthex(off);
    putc_(' ');
    puts_(slot_names[off >> 7 & 15]);
    puts_(": ESR_EL2 ");
    puthex(READ_SYSREG(esr_el2));
    puts_(" ELR_EL2 ");
    puthex(READ_SYSREG(elr_el2));
    puts_(" FAR_EL2 ");
    puthex(READ_SYSREG(far_el2));
    puts_("\nHalting...\n");
}
