/*
 * vmm.c - hyp-fixture's C half: build the guest's stage-2 translation
 * tables, start it, and report what brings it back to Hyp mode.
 *
 * The policy reproduced is the seL4 VMM's: the guest physical (IPA) space
 * contains only what the VMM gave the guest -- its RAM window and the
 * devices passed through -- and nothing at IPA 0x0.  A guest that takes an
 * exception with its vector base still at 0 fetches its handler from IPA
 * 0x0 + offset, which stage 2 does not translate: the CPU takes a
 * *stage-2* prefetch abort to Hyp mode (HSR.EC 0x20), with
 *
 *   HSR[31:26]  EC   0x20 prefetch abort from a lower level (0x24: data)
 *   HSR[5:0]    IFSC/DFSC, long-descriptor status: 0b0001LL = translation
 *                    fault at level LL (0x6: level 2, see s2_build())
 *   HIFAR/HDFAR the faulting *virtual* address (the guest's VA)
 *   HPFAR[31:4] IPA[39:12] of the fault: IPA = HPFAR<<8 | HxFAR[11:0]
 *   ELR_hyp     the guest PC of the faulting instruction
 *   SPSR_hyp    the guest CPSR
 *
 * and this file prints that the way the CAmkES VMM (libsel4vm print_fault,
 * print_ctx_regs) does, then parks.  Freestanding: no libc.
 */
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

/* "0x" and the value in lower-case hex without leading zeros, like "%x". */
static void puthex(uint64_t v)
{
    char buf[17];
    int n = 0;
    puts_("0x");
    do {
        buf[n++] = "0123456789abcdef"[v & 0xf];
        v >>= 4;
    } while (v);
    while (n)
        putc_(buf[--n]);
}

/* ---- CP15 registers used (AArch32 encodings; QEMU gdbstub names) ---- */

#define SYSREG_RW(name, op1, crn, crm, op2)                                  \
    static inline uint32_t read_##name(void)                                 \
    {                                                                        \
        uint32_t v;                                                          \
        __asm__ volatile("mrc p15, " #op1 ", %0, " #crn ", " #crm ", " #op2  \
                         : "=r"(v));                                         \
        return v;                                                            \
    }                                                                        \
    static inline void write_##name(uint32_t v)                              \
    {                                                                        \
        __asm__ volatile("mcr p15, " #op1 ", %0, " #crn ", " #crm ", " #op2  \
                         :: "r"(v) : "memory");                              \
    }

SYSREG_RW(hcr,     4, c1,  c1, 0)   /* HCR      (gdb: HCR_EL2)   */
SYSREG_RW(vtcr,    4, c2,  c1, 2)   /* VTCR     (gdb: VTCR_EL2)  */
SYSREG_RW(hsr,     4, c5,  c2, 0)   /* HSR      (gdb: ESR_EL2)   */
SYSREG_RW(hdfar,   4, c6,  c0, 0)   /* HDFAR                     */
SYSREG_RW(hifar,   4, c6,  c0, 2)   /* HIFAR                     */
SYSREG_RW(hpfar,   4, c6,  c0, 4)   /* HPFAR                     */
SYSREG_RW(hvbar,   4, c12, c0, 0)   /* HVBAR    (gdb: VBAR_EL2)  */
SYSREG_RW(cnthctl, 4, c14, c1, 0)   /* CNTHCTL                   */

static inline void write_vttbr(uint64_t v)  /* VTTBR: 64-bit, MCRR */
{
    __asm__ volatile("mcrr p15, 6, %Q0, %R0, c2" :: "r"(v) : "memory");
}

static inline void write_cntvoff(uint64_t v)
{
    __asm__ volatile("mcrr p15, 4, %Q0, %R0, c14" :: "r"(v) : "memory");
}

/* TLBIALLNSNH: invalidate all Non-secure non-Hyp (i.e. guest) TLB entries */
static inline void tlbi_guest(void)
{
    __asm__ volatile("mcr p15, 4, %0, c8, c7, 4\n\tdsb\n\tisb" :: "r"(0) : "memory");
}

/* Banked registers of other modes, readable from Hyp mode (MRS banked). */
#define MRS(reg)                                                             \
    ({ uint32_t v_; __asm__ volatile("mrs %0, " #reg : "=r"(v_)); v_; })

/* ---- stage 2 -------------------------------------------------------- */

/*
 * LPAE stage-2 tables, 32-bit IPA space (VTCR.T0SZ=0), starting at level 1
 * (VTCR.SL0=1): 4 level-1 entries of 1 GiB, level-2 entries of 2 MiB,
 * level-3 entries of 4 KiB.
 *
 *   l1[0] IPA 0x00000000-0x3fffffff -> table l2_low
 *           l2_low[0]  (IPA 0x0-0x1fffff)      0: invalid  <- 0x8 faults
 *                                                 here: level 2, FSC 0x6
 *           l2_low[64] (IPA 0x08000000-...)    -> table l3_gic: 32 pages
 *           l2_low[72] (IPA 0x09000000-...)    -> table l3_uart: 1 page
 *   l1[1] IPA 0x40000000-0x7fffffff -> table l2_ram: 8 x 2 MiB blocks
 *   l1[2], l1[3]: invalid
 *
 * The level-1 entry for IPA 0 is a *table* (it must be, to pass the UART
 * and the GIC through), so a fetch from IPA 0x8 faults at level 2 -- the
 * same FSR, 0x6, as the seL4 VMM's "Pagefault ... FSR: 0x6".
 */
typedef uint64_t s2pte;
#define S2_INVALID     0x0ULL
#define S2_BLOCK       0x1ULL          /* level 1/2 block          [1:0]    */
#define S2_TABLE       0x3ULL          /* level 1/2 next table     [1:0]    */
#define S2_PAGE        0x3ULL          /* level 3 page             [1:0]    */
#define S2_MEM_NORMAL  (0xfULL << 2)   /* MemAttr: Normal, outer+inner WB   */
#define S2_MEM_DEVICE  (0x1ULL << 2)   /* MemAttr: Device                   */
#define S2_AP_RW       (0x3ULL << 6)   /* S2AP: read/write                  */
#define S2_SH_INNER    (0x3ULL << 8)   /* inner shareable                   */
#define S2_AF          (0x1ULL << 10)  /* access flag (no AF faults)        */
#define S2_XN          (0x1ULL << 54)  /* execute never                     */

#define S2_RAM_BLOCK   (S2_BLOCK | S2_MEM_NORMAL | S2_AP_RW | S2_SH_INNER | S2_AF)
#define S2_DEV_PAGE    (S2_PAGE | S2_MEM_DEVICE | S2_AP_RW | S2_AF | S2_XN)

#define SZ_4K          0x1000u
#define SZ_2M          0x200000u
#define L2_INDEX(ipa)  (((ipa) >> 21) & 511)
#define L3_INDEX(ipa)  (((ipa) >> 12) & 511)

#define S2_TABLE_ATTR  __attribute__((aligned(4096), section(".bss.s2")))
static s2pte s2_l1[4]        S2_TABLE_ATTR;
static s2pte s2_l2_low[512]  S2_TABLE_ATTR;
static s2pte s2_l2_ram[512]  S2_TABLE_ATTR;
static s2pte s2_l3_gic[512]  S2_TABLE_ATTR;
static s2pte s2_l3_uart[512] S2_TABLE_ATTR;

_Static_assert(GUEST_RAM_BASE >= 0x40000000 && GUEST_RAM_BASE + GUEST_RAM_SIZE <= 0x80000000,
               "guest RAM must lie in level-1 entry 1");
_Static_assert(GUEST_RAM_BASE % SZ_2M == 0 && GUEST_RAM_SIZE % SZ_2M == 0,
               "guest RAM is mapped with 2 MiB blocks");
_Static_assert(GIC_BASE / SZ_2M == (GIC_BASE + GIC_SIZE - 1) / SZ_2M &&
               UART_BASE / SZ_2M != GIC_BASE / SZ_2M,
               "one level-3 table each for the GIC and the UART");
_Static_assert(FIXTURE_BASE >= GUEST_RAM_BASE + GUEST_RAM_SIZE,
               "the fixture must be outside the guest's RAM window");

/* Map [pa, pa+size) at the same IPA as device pages through table l3. */
static void s2_map_device(s2pte *l3, uint32_t pa, uint32_t size)
{
    s2_l2_low[L2_INDEX(pa)] = (uintptr_t)l3 | S2_TABLE;
    for (uint32_t a = pa; a < pa + size; a += SZ_4K)
        l3[L3_INDEX(a)] = a | S2_DEV_PAGE;
}

static uint32_t fixture_flags;         /* FIXTURE_FLAGS_SLOT at start */

static void s2_build(void)
{
    s2_l1[0] = (uintptr_t)s2_l2_low | S2_TABLE;
    s2_l1[1] = (uintptr_t)s2_l2_ram | S2_TABLE;
    for (uint32_t a = GUEST_RAM_BASE; a < GUEST_RAM_BASE + GUEST_RAM_SIZE; a += SZ_2M)
        s2_l2_ram[L2_INDEX(a)] = a | S2_RAM_BLOCK;    /* identity: IPA == PA */
    s2_map_device(s2_l3_gic, GIC_BASE, GIC_SIZE);
    if (fixture_flags & FIXTURE_SEL4_LIKE)  /* the table only: pages on demand */
        s2_l2_low[L2_INDEX(UART_BASE)] = (uintptr_t)s2_l3_uart | S2_TABLE;
    else
        s2_map_device(s2_l3_uart, UART_BASE, UART_SIZE);
}

#define VTCR_RES1      (1u << 31)
#define VTCR_SL0_L1    (1u << 6)       /* start the walk at level 1        */
#define VTCR_T0SZ_32   0u              /* IPA size 2^(32-0): 4 GiB          */
#define VMID           1ULL            /* VTTBR[55:48]                      */
#define HCR_VM         (1u << 0)       /* stage 2 on for NS PL0/PL1         */
#define CNTHCTL_PL1PCTEN (1u << 0)     /* guest may read CNTPCT ...         */
#define CNTHCTL_PL1PCEN  (1u << 1)     /* ... and use the physical timer    */

/*
 * vmm_main: called once from boot.S in Hyp mode with HVBAR set.  Builds
 * and switches on stage 2 for the guest, prints what it did, and returns
 * the guest entry point for enter_guest.  Table walks are non-cacheable
 * (VTCR IRGN0/ORGN0 = 0): the fixture runs with its own MMU and caches
 * off, so its table writes are visible to the walker without maintenance.
 */
uint32_t vmm_main(void)
{
    uint32_t entry = *(volatile uint32_t *)GUEST_ENTRY_SLOT;
    if (entry == 0)
        entry = GUEST_ENTRY_DEFAULT;
    *(volatile uint32_t *)TRAP_RECORD = 0;  /* RAM survives a system_reset */
    fixture_flags = *(volatile uint32_t *)FIXTURE_FLAGS_SLOT;

    s2_build();
    write_vtcr(VTCR_RES1 | VTCR_SL0_L1 | VTCR_T0SZ_32);
    write_vttbr(VMID << 48 | (uintptr_t)s2_l1);
    write_cnthctl(CNTHCTL_PL1PCTEN | CNTHCTL_PL1PCEN);
    write_cntvoff(0);
    write_hcr(HCR_VM);          /* IMO/FMO/AMO = 0: interrupts go to the guest */
    tlbi_guest();

    puts_("vmm: hyp-fixture: stage 2 maps IPA ");
    puthex(GUEST_RAM_BASE); putc_('-'); puthex(GUEST_RAM_BASE + GUEST_RAM_SIZE - 1);
    puts_(" RAM, ");
    puthex(GIC_BASE); putc_('-'); puthex(GIC_BASE + GIC_SIZE - 1);
    puts_(" GIC, ");
    puthex(UART_BASE); putc_('-'); puthex(UART_BASE + UART_SIZE - 1);
    if (fixture_flags & FIXTURE_SEL4_LIKE)
        puts_(" UART on demand (seL4-like); nothing else\n");
    else
        puts_(" UART; nothing else\n");
    if (entry < GUEST_RAM_BASE || entry >= GUEST_RAM_BASE + GUEST_RAM_SIZE) {
        puts_("vmm: warning: guest entry ");
        puthex(entry);
        puts_(" is outside guest RAM\n");
    }
    puts_("vmm: entering guest at ");
    puthex(entry);
    puts_(" (NS svc32, MMU off, VBAR 0)\n");
    return entry;
}

/* ---- traps ---------------------------------------------------------- */

/* What boot.S does after vmm_trap(): park in Hyp mode, ERET back to the
 * guest, or (seL4-like mode) run the VMM thread. */
enum { VMM_PARK = 0, VMM_RESUME = 1, VMM_THREAD = 2 };

/* What boot.S pushes on Hyp trap entry: the guest's r0-r12 and LR_usr. */
struct guest_frame {
    uint32_t r[13];
    uint32_t lr_usr;
};

/* The guest register context as the VMM prints it (seL4_UserContext). */
struct guest_ctx {
    uint32_t r[13], pc, lr, sp, cpsr;
};

/*
 * Fill ctx from the trap frame, ELR_hyp, SPSR_hyp, and the SP/LR banked
 * for the mode the guest was in (for FIQ mode also r8-r12): i.e. the
 * registers the guest itself would see as sp and lr at the faulting
 * instruction.  (For a guest that took an SVC and faulted fetching the
 * vector, that is svc32: lr = the SVC's address + 4, sp = SP_svc.)
 */
static void guest_ctx_read(struct guest_ctx *c, const struct guest_frame *f)
{
    for (int i = 0; i < 13; i++)
        c->r[i] = f->r[i];
    c->pc = MRS(ELR_hyp);
    __asm__ volatile("mrs %0, spsr" : "=r"(c->cpsr));   /* SPSR_hyp */
    switch (c->cpsr & 0x1f) {
    case 0x11:                                          /* fiq */
        c->sp = MRS(SP_fiq); c->lr = MRS(LR_fiq);
        c->r[8] = MRS(r8_fiq); c->r[9] = MRS(r9_fiq); c->r[10] = MRS(r10_fiq);
        c->r[11] = MRS(r11_fiq); c->r[12] = MRS(r12_fiq);
        break;
    case 0x12: c->sp = MRS(SP_irq); c->lr = MRS(LR_irq); break;
    case 0x13: c->sp = MRS(SP_svc); c->lr = MRS(LR_svc); break;
    case 0x17: c->sp = MRS(SP_abt); c->lr = MRS(LR_abt); break;
    case 0x1b: c->sp = MRS(SP_und); c->lr = MRS(LR_und); break;
    default:   c->sp = MRS(SP_usr); c->lr = f->lr_usr; break;  /* usr, sys */
    }
}

/* Store the trap in the record at TRAP_RECORD (fixture.h), magic last. */
static void trap_record(uint32_t hsr, uint32_t ipa, const struct guest_ctx *c)
{
    volatile uint32_t *rec = (volatile uint32_t *)TRAP_RECORD;
    rec[0] = 0;
    rec[1] = hsr;
    rec[2] = read_hifar();
    rec[3] = read_hdfar();
    rec[4] = read_hpfar();
    rec[5] = ipa;
    rec[6] = c->pc;
    rec[7] = c->cpsr;
    for (int i = 0; i < 13; i++)
        rec[8 + i] = c->r[i];
    rec[21] = c->sp;
    rec[22] = c->lr;
    __asm__ volatile("dsb" ::: "memory");
    rec[0] = TRAP_MAGIC;
}

/*
 * vmm_trap_recorded(rec): called with the trap record just written.  It
 * does nothing; it is where a debugger stops to see each guest trap as it
 * happens (hvprobe's --at-guest-trap plants its breakpoint here and reads
 * the record at r0), the fixture's counterpart of seL4's
 * c_handle_*_fault.  noinline and an empty asm keep the call.
 */
__attribute__((noinline)) void vmm_trap_recorded(volatile uint32_t *rec)
{
    __asm__ volatile("" ::"r"(rec) : "memory");
}

static void reg_line(const char *name, uint32_t v)
{
    puts_(name);
    puts_(": ");
    puthex(v);
    putc_('\n');
}

/* libsel4vm print_ctx_regs(): r0..r12, pc, r14, sp, cpsr, one a line. */
static void print_ctx(const struct guest_ctx *c)
{
    static const char *const names[13] = {
        "r0", "r1", "r2", "r3", "r4", "r5", "r6",
        "r7", "r8", "r9", "r10", "r11", "r12",
    };
    puts_("Context:\n");
    for (int i = 0; i < 13; i++)
        reg_line(names[i], c->r[i]);
    reg_line("pc", c->pc);
    reg_line("r14", c->lr);
    reg_line("sp", c->sp);
    reg_line("cpsr", c->cpsr);
}

#define HCR_TGE        (1u << 27)      /* trap general exceptions to Hyp */
#define EC_SVC_HYP     0x11            /* SVC taken to Hyp (TGE=1)       */
#define EC_PABT_LOWER  0x20            /* prefetch abort from the guest */
#define EC_DABT_LOWER  0x24            /* data abort from the guest     */
#define ISS_DABT_WNR   (1u << 6)       /* data abort: 1 = write         */

/*
 * vmm_trap: every exception the guest takes to Hyp (HVBAR + 0x14).  A
 * stage-2 abort prints the CAmkES VMM's report (libsel4vm print_fault(),
 * then the VMM's fatal "Failed to run VM"); anything else prints
 * "vmm: unexpected trap HSR=...".  Either way the same facts go to the
 * trap record (fixture.h) first.  Then boot.S parks the CPU in Hyp mode
 * with all of it still in the registers.
 */
int vmm_trap(const struct guest_frame *f)
{
    struct guest_ctx c;
    uint32_t hsr = read_hsr(), ec = hsr >> 26;

    /* The VMM thread's own system call (seL4-like mode, HCR.TGE=1): the
     * same Hyp trap vector as the guest's traps; nothing to report. */
    if ((read_hcr() & HCR_TGE) && ec == EC_SVC_HYP)
        return VMM_RESUME;
    guest_ctx_read(&c, f);
    if (ec == EC_PABT_LOWER || ec == EC_DABT_LOWER) {
        int prefetch = ec == EC_PABT_LOWER;
        uint32_t far = prefetch ? read_hifar() : read_hdfar();
        uint64_t ipa = (uint64_t)(read_hpfar() >> 4) << 12 | (far & 0xfff);
        int write = !prefetch && (hsr & ISS_DABT_WNR);

        trap_record(hsr, (uint32_t)ipa, &c);
        vmm_trap_recorded((volatile uint32_t *)TRAP_RECORD);
        /* seL4-like: the UART page is mapped on demand (the seL4 VMM maps
         * any page but page 0 so; the fixture, the UART's) and the guest
         * retries the access. */
        if ((fixture_flags & FIXTURE_SEL4_LIKE) && (ipa & ~(uint64_t)(SZ_4K - 1)) == UART_BASE) {
            s2_map_device(s2_l3_uart, UART_BASE, UART_SIZE);
            tlbi_guest();
            puts_("OnDemandInstall: Created device-backed memory for addr ");
            puthex(UART_BASE);
            putc_('\n');
            return VMM_RESUME;
        }

        puts_("--------\n");
        puts_("Pagefault from [vm0]: ");
        puts_(write ? "write" : "read");
        puts_(prefetch ? " prefetch fault" : " fault");
        puts_(" @ PC: ");
        puthex(c.pc);
        puts_(" IPA: ");
        puthex(ipa);
        puts_(", FSR: ");
        puthex(hsr & 0x3f);                 /* IFSC / DFSC */
        putc_('\n');
        print_ctx(&c);
        puts_("--------\n");
        puts_("main_continued@main.c:1310 Failed to run VM\n");
    } else {
        trap_record(hsr, 0, &c);
        vmm_trap_recorded((volatile uint32_t *)TRAP_RECORD);
        puts_("vmm: unexpected trap HSR=");
        puthex(hsr);
        puts_(" (EC ");
        puthex(ec);
        puts_(") @ PC: ");
        puthex(c.pc);
        putc_('\n');
        print_ctx(&c);
    }
    puts_("Halting...\n");
    return (fixture_flags & FIXTURE_SEL4_LIKE) ? VMM_THREAD : VMM_PARK;
}

/*
 * vmm_thread_enter: seL4-like mode, after the report: make the fixture's
 * own RAM reachable through stage 2 (seL4 runs its threads with stage 2
 * on) and set HCR.TGE, so boot.S can ERET to vmm_thread in User mode.
 */
void vmm_thread_enter(void)
{
    s2_l2_ram[L2_INDEX(FIXTURE_BASE)] = FIXTURE_BASE | S2_RAM_BLOCK;
    write_hcr(HCR_VM | HCR_TGE);
    tlbi_guest();
}

/* An exception taken from Hyp mode itself (a fixture bug). */
void vmm_hyp_exception(uint32_t vector_offset)
{
    puts_("vmm: unexpected Hyp-mode exception at HVBAR+");
    puthex(vector_offset);
    puts_(" HSR=");
    puthex(read_hsr());
    puts_(" ELR_hyp=");
    puthex(MRS(ELR_hyp));
    puts_(" HVBAR=");
    puthex(read_hvbar());
    puts_("\nHalting...\n");
}

/* Started in a mode other than Hyp: nothing to virtualize with. */
void vmm_not_hyp(void)
{
    uint32_t cpsr;
    __asm__ volatile("mrs %0, cpsr" : "=r"(cpsr));
    puts_("vmm: hyp-fixture needs Hyp mode, but started with CPSR ");
    puthex(cpsr);
    puts_(" (run it with -M virt,virtualization=on -cpu cortex-a15)\nHalting...\n");
}
