/*
 * probe.c - a matrix probe: one exception (PROBE_EXC) under one vector
 * placement (PROBE_PLACE), reported by the guest itself (probe.h has the
 * choices, probe.S the tables).  UART lines, all starting "probe: ":
 *   probe: svc with vectors vbar on virt, from svc32     what it will do
 *   probe: raise svc                                     right before it
 *   probe: took svc in svc32 at 0x40000000+0x08 (...)    a PL1 handler ran
 *   probe: trapped to hyp32 at HVBAR+0x14 (HSR ...)      its own Hyp ran
 *   probe: not taken: ...                                it never came
 *   probe: n/a: ...                                      cannot run here
 *   probe: end                                           after took/trapped/not taken
 * Silence after "raise" means no handler of the probe ran (the CPU went
 * somewhere else: zero-filled memory, an abort loop, a hypervisor).
 */
#include "../rtos/rtos.h"
#include "probe.h"
#include "../rtos/modes.h"

#define REG(addr)  (*(volatile uint32_t *)(uintptr_t)(addr))

extern char _vectors[], _vectors_end[], _bss_end[];
void probe_raise_exception(void);
void probe_idle(void) __attribute__((noreturn));

static const char *const exc_name[] = {
    [EXC_SVC] = "svc", [EXC_UNDEF] = "undef", [EXC_PABT] = "pabt", [EXC_DABT] = "dabt",
    [EXC_IRQ] = "irq", [EXC_FIQ] = "fiq", [EXC_SERROR] = "serror",
};
static const char *const place_name[] = {
    [PLACE_VBAR] = "vbar", [PLACE_HIGH] = "high", [PLACE_LOW] = "low", [PLACE_MMU] = "mmu", [PLACE_S2] = "s2",
};
static const char *const slot_name[] = { "reset", "undef", "svc", "pabt", "dabt", "hyp", "irq", "fiq" };

#define NEEDS_HYP (PROBE_PLACE == PLACE_S2 || PROBE_EXC == EXC_SERROR)

/* Set in Hyp mode before the probe drops to svc32 (RAM starts zeroed). */
static volatile uint32_t started_in_hyp;

#define CP15_R(op1, crn, crm, op2)                                                    \
    ({ uint32_t v_; __asm__ volatile("mrc p15, " #op1 ", %0, " #crn ", " #crm ", " #op2 \
                                     : "=r"(v_)); v_; })
#define CP15_W(op1, crn, crm, op2, v)                                                 \
    __asm__ volatile("mcr p15, " #op1 ", %0, " #crn ", " #crm ", " #op2 "\n\tisb"     \
                     :: "r"((uint32_t)(v)) : "memory")

/* ---- the GIC: v1/v2 (memory-mapped CPU interface; vexpress-a9, virt
 * under TCG) or v3 (system-register CPU interface, redistributors; virt
 * under KVM on a GICv3 host picks one).  A CPU without the GIC system
 * registers (ID_PFR1.GIC = 0) has a v1/v2; else GICD_PIDR2.ArchRev, at
 * the v3 offset (in a GICv2's 4 KiB distributor that offset is not
 * backed, and reading it would abort), says which. */
static int gic_is_v3;

static void gic_probe(void)
{
#if defined(BOARD_VIRT)
    if ((CP15_R(0, c0, c1, 1) >> 28) & 0xf)             /* ID_PFR1.GIC */
        gic_is_v3 = ((REG(GICD_BASE + 0xffe8) >> 4) & 0xf) >= 3;
#endif
}

static int gic_v3(void)
{
    return gic_is_v3;
}

#define GICR_SGI   0x080b0000u   /* virt: CPU 0's redistributor, SGI/PPI frame */
#define ICC_W(crm, op2, v) \
    __asm__ volatile("mcr p15, 0, %0, c12, " #crm ", " #op2 "\n\tisb" :: "r"((uint32_t)(v)) : "memory")
#define ICC_R(crm, op2) \
    ({ uint32_t v_; __asm__ volatile("mrc p15, 0, %0, c12, " #crm ", " #op2 : "=r"(v_)); v_; })

/* Enable the timer's PPI, as IRQ (group 1) or FIQ (group 0). */
static void __attribute__((unused)) gic_init(int fiq)
{
    gic_probe();
    if (!gic_v3()) {
        vGicInit();
        if (fiq)
            REG(GICC_BASE) = (1u << 3) | 1u;            /* GICC_CTLR: FIQEn, EnableGrp0 */
        return;
    }
    REG(GICD_BASE) = (1u << 4) | 3u;                    /* GICD_CTLR: ARE, EnableGrp0/1 */
    REG(GICR_SGI - 0x10000u + 0x14) &= ~2u;             /* GICR_WAKER: ProcessorSleep off */
    while (REG(GICR_SGI - 0x10000u + 0x14) & 4u)        /* ... until ChildrenAsleep clears */
        ;
    if (fiq)
        REG(GICR_SGI + 0x80) &= ~(1u << TICK_IRQ);      /* GICR_IGROUPR0: group 0 */
    else
        REG(GICR_SGI + 0x80) |= 1u << TICK_IRQ;         /* group 1 */
    *(volatile uint8_t *)(uintptr_t)(GICR_SGI + 0x400 + TICK_IRQ) = 0xa0;
    REG(GICR_SGI + 0x100) = 1u << TICK_IRQ;             /* GICR_ISENABLER0 */
    ICC_W(c12, 5, ICC_R(c12, 5) | 1u);                  /* ICC_SRE: system registers */
    __asm__ volatile("mcr p15, 0, %0, c4, c6, 0\n\tisb" :: "r"(0xf0u));   /* ICC_PMR */
    if (fiq)
        ICC_W(c12, 6, 1);                               /* ICC_IGRPEN0 */
    else
        ICC_W(c12, 7, 1);                               /* ICC_IGRPEN1 */
}

/* Acknowledge and end the interrupt in the handler: its ID. */
static uint32_t gic_ack(int fiq)
{
    uint32_t id;
    if (!gic_v3()) {
        id = REG(GICC_BASE + 0x0c);                     /* GICC_IAR */
        REG(GICC_BASE + 0x10) = id;                     /* GICC_EOIR */
    } else if (fiq) {
        id = ICC_R(c8, 0);                              /* ICC_IAR0 */
        ICC_W(c8, 1, id);                               /* ICC_EOIR0 */
    } else {
        id = ICC_R(c12, 0);                             /* ICC_IAR1 */
        ICC_W(c12, 1, id);                              /* ICC_EOIR1 */
    }
    return id & 0xffffff;
}

static int __attribute__((unused)) gic_pending(void)
{
    return !!((gic_v3() ? REG(GICR_SGI + 0x200) : REG(GICD_BASE + 0x200)) & (1u << TICK_IRQ));
}

/* ---- the interrupt source: a timer 10 ms from now, once -------------- */
#if defined(BOARD_VEXPRESS)
#define PTIMER_LOAD 0x00
#define PTIMER_CTRL 0x08
#define PTIMER_ISR  0x0c
static void __attribute__((unused)) timer_arm(void)
{
    REG(PTIMER_BASE + PTIMER_CTRL) = 0;
    REG(PTIMER_BASE + PTIMER_ISR) = 1;
    REG(PTIMER_BASE + PTIMER_LOAD) = 100000000u / 100; /* 10 ms at QEMU's 100 MHz */
    REG(PTIMER_BASE + PTIMER_CTRL) = 0x5;              /* enable, IRQ, one shot */
}
static void timer_stop(void)
{
    REG(PTIMER_BASE + PTIMER_CTRL) = 0;
    REG(PTIMER_BASE + PTIMER_ISR) = 1;
}
#else
static void __attribute__((unused)) timer_arm(void)
{
    uint32_t frq = CP15_R(0, c14, c0, 0);               /* CNTFRQ */
    uint32_t lo, hi;
    if (frq == 0)
        frq = 62500000u;
    __asm__ volatile("isb\n\tmrrc p15, 1, %0, %1, c14" : "=r"(lo), "=r"(hi));   /* CNTVCT */
    uint64_t cval = ((uint64_t)hi << 32 | lo) + frq / 100;   /* 10 ms */
    __asm__ volatile("mcrr p15, 3, %Q0, %R0, c14" :: "r"(cval));             /* CNTV_CVAL */
    CP15_W(0, c14, c3, 1, 1);                           /* CNTV_CTL: enable */
}
static void timer_stop(void)
{
    CP15_W(0, c14, c3, 1, 0);
}
#endif

/* Wait for the interrupt (or the abort), unmasked; return when it has not
 * come (probe.S goes on to probe_not_taken). */
void probe_wait(void)
{
#if PROBE_EXC == EXC_IRQ || PROBE_EXC == EXC_FIQ
    timer_arm();
#endif
#if defined(BOARD_VEXPRESS)
    for (volatile uint32_t n = PROBE_WAIT_LOOPS / 4; n; n--)
        ;
#else
    uint32_t frq = CP15_R(0, c14, c0, 0), lo, hi;
    if (frq == 0)
        frq = 62500000u;
    __asm__ volatile("isb\n\tmrrc p15, 1, %0, %1, c14" : "=r"(lo), "=r"(hi));
    uint64_t end = ((uint64_t)hi << 32 | lo) + (uint64_t)frq * PROBE_WAIT_S, now;
    do {
        __asm__ volatile("isb\n\tmrrc p15, 1, %0, %1, c14" : "=r"(lo), "=r"(hi));
        now = (uint64_t)hi << 32 | lo;
    } while (now < end);
#endif
}

/* ---- Hyp: placement s2 and exception serror -------------------------- */
#if NEEDS_HYP
#define HCR_VM   (1u << 0)
#define HCR_AMO  (1u << 5)
#define HCR_VA   (1u << 8)
#if PROBE_PLACE == PLACE_S2
/* LPAE stage 2, 32-bit IPA space starting at level 1: IPA 0-1 GiB through
 * 2 MiB device blocks, except block 0 (IPA 0x0-0x1fffff: nothing, so the
 * vector fetch at IPA 0x8 faults); IPA 1-2 GiB (RAM) one normal block. */
typedef uint64_t s2pte;
#define S2_BLOCK   0x1ULL
#define S2_TABLE   0x3ULL
#define S2_AP_RW   (0x3ULL << 6)
#define S2_AF      (0x1ULL << 10)
#define S2_DEVICE  (S2_BLOCK | (0x1ULL << 2) | S2_AP_RW | S2_AF)
#define S2_NORMAL  (S2_BLOCK | (0xfULL << 2) | S2_AP_RW | S2_AF | (0x3ULL << 8))
static s2pte s2_l1[4] __attribute__((aligned(4096)));
static s2pte s2_l2[512] __attribute__((aligned(4096)));

static void s2_on(void)
{
    s2_l2[0] = 0;                                       /* IPA 0-2 MiB: nothing */
    for (uint32_t i = 1; i < 512; i++)
        s2_l2[i] = ((uint64_t)i << 21) | S2_DEVICE;
    s2_l1[0] = (uintptr_t)s2_l2 | S2_TABLE;
    s2_l1[1] = 0x40000000ULL | S2_NORMAL;
    s2_l1[2] = s2_l1[3] = 0;
    CP15_W(4, c2, c1, 2, (1u << 31) | (1u << 6));       /* VTCR: RES1, SL0 = level 1, T0SZ 0 */
    uint64_t vttbr = (1ULL << 48) | (uintptr_t)s2_l1;   /* VMID 1 */
    __asm__ volatile("mcrr p15, 6, %Q0, %R0, c2\n\tisb" :: "r"(vttbr));
}
#endif

void probe_hyp_setup(void)
{
    uint32_t hcr = 0;
    started_in_hyp = 1;
#if PROBE_PLACE == PLACE_S2
    s2_on();
    hcr |= HCR_VM;
#endif
#if PROBE_EXC == EXC_SERROR
    hcr |= HCR_AMO | HCR_VA;    /* a virtual asynchronous abort, pending */
#endif
    CP15_W(4, c1, c1, 0, hcr);                          /* HCR */
    CP15_W(4, c14, c1, 0, 3);                           /* CNTHCTL: PL1 timer access */
    __asm__ volatile("mcr p15, 4, %0, c8, c7, 4\n\tdsb\n\tisb" :: "r"(0));   /* TLBIALLNSNH */
}
#else
void probe_hyp_setup(void)
{
    started_in_hyp = 1;         /* HCR stays 0: nothing is trapped */
}
#endif

void probe_hyp_report(uint32_t off)
{
    uint32_t hsr = CP15_R(4, c5, c2, 0), ec = hsr >> 26;
    uint32_t hpfar = CP15_R(4, c6, c0, 4);
    const char *what = ec == 0x20 ? "prefetch abort from the guest" :
                       ec == 0x24 ? "data abort from the guest" : "other";
    kprintf("probe: trapped to %s at HVBAR+0x%c%c (HSR 0x%x, EC 0x%c%c: %s; HPFAR IPA 0x%x, HIFAR 0x%x, "
            "HDFAR 0x%x)\n",
            mode_name(cpsr_mode()), "0123456789abcdef"[off >> 4], "0123456789abcdef"[off & 15], hsr,
            "0123456789abcdef"[ec >> 4], "0123456789abcdef"[ec & 15], what, (hpfar >> 4) << 12,
            CP15_R(4, c6, c0, 2), CP15_R(4, c6, c0, 0));
    kprintf("probe: end\n");
    probe_idle();
}

/* ---- PL1: the handler that ran --------------------------------------- */
void probe_report(uint32_t off, uint32_t lr)
{
    uint32_t sctlr = CP15_R(0, c1, c0, 0);
    uint32_t base = (sctlr & (1u << 13)) ? 0xffff0000u : CP15_R(0, c12, c0, 0);
    const char *slot = slot_name[(off >> 2) & 7];
    uint32_t id = off >= 0x18 ? gic_ack(off == 0x1c) : 0;
    timer_stop();
    kprintf("probe: took %s in %s at 0x%x+0x%c%c (", slot, mode_name(cpsr_mode()), base,
            "0123456789abcdef"[off >> 4], "0123456789abcdef"[off & 15]);
    switch (off) {
    case 0x0c:
        kprintf("IFSR 0x%x, IFAR 0x%x", CP15_R(0, c5, c0, 1), CP15_R(0, c6, c0, 2));
        break;
    case 0x10:
        kprintf("DFSR 0x%x, DFAR 0x%x", CP15_R(0, c5, c0, 0), CP15_R(0, c6, c0, 0));
        break;
    case 0x18:
    case 0x1c:
        kprintf("GIC%s interrupt %u", gic_v3() ? "v3" : "", id);
        break;
    default:
        kprintf("return address 0x%x", lr);
    }
    kprintf(")\nprobe: end\n");
    probe_idle();
}

void probe_not_taken(void)
{
    timer_stop();
#if PROBE_EXC == EXC_SERROR
    kprintf("probe: not taken: HCR.VA was set, CPSR.A cleared, and no abort came\n");
#elif PROBE_EXC == EXC_IRQ || PROBE_EXC == EXC_FIQ
    kprintf("probe: not taken: the timer's interrupt %u is %s in the GIC%s, and no %s came\n", TICK_IRQ,
            gic_pending() ? "pending" : "not pending", gic_v3() ? "v3" : "", exc_name[PROBE_EXC]);
#else
    kprintf("probe: not taken: the raising instruction completed without an exception\n");
#endif
    kprintf("probe: end\n");
    probe_idle();
}

/* ---- placements ----------------------------------------------------- */
#if PROBE_PLACE == PLACE_HIGH || PROBE_PLACE == PLACE_MMU
/* Short-descriptor sections, identity, strongly-ordered (no caches are
 * on), domain 0 as manager. */
static uint32_t l1[4096] __attribute__((aligned(16384)));

static void mmu_on(void)
{
    for (uint32_t i = 0; i < 4096; i++)
        l1[i] = (i << 20) | 0xc02;
#if PROBE_PLACE == PLACE_MMU
    l1[0] = 0;                                  /* VA 0-1 MiB: nothing */
#else
    /* VA 0xfff00000 -> this image's MiB; the table's copy at +0xf0000 is
     * then at 0xffff0000. */
    uint32_t mib = (uintptr_t)_vectors & 0xfff00000u;
    uint32_t *dst = (uint32_t *)(uintptr_t)(mib + 0xf0000u);
    const uint32_t *src = (const uint32_t *)_vectors;
    if ((uintptr_t)_bss_end > mib + 0xf0000u)
        kprintf("probe: warning: the image reaches the copy's page\n");
    for (uint32_t i = 0; i < (uint32_t)(_vectors_end - _vectors) / 4; i++)
        dst[i] = src[i];
    l1[0xfff] = mib | 0xc02;
#endif
    CP15_W(0, c3, c0, 0, 3);                            /* DACR: domain 0 manager */
    CP15_W(0, c2, c0, 2, 0);                            /* TTBCR: TTBR0 only */
    CP15_W(0, c2, c0, 0, (uintptr_t)l1);                /* TTBR0 */
    CP15_W(0, c8, c7, 0, 0);                            /* TLBIALL */
    uint32_t sctlr = CP15_R(0, c1, c0, 0) | 1u;         /* M */
#if PROBE_PLACE == PLACE_HIGH
    sctlr |= 1u << 13;                                  /* V: vectors at 0xffff0000 */
#endif
    CP15_W(0, c1, c0, 0, sctlr);
}
#endif

static void place_vectors(void)
{
#if PROBE_PLACE == PLACE_VBAR
    CP15_W(0, c12, c0, 0, (uintptr_t)_vectors);
#else
    CP15_W(0, c12, c0, 0, 0);
#endif
#if PROBE_PLACE == PLACE_HIGH || PROBE_PLACE == PLACE_MMU
    mmu_on();
#endif
}

void probe_main(void)
{
    kprintf("probe: %s with vectors %s on %s, from %s%s\n", exc_name[PROBE_EXC], place_name[PROBE_PLACE], BOARD_NAME,
            mode_name(cpsr_mode()), started_in_hyp ? " (started in hyp32)" : "");
#if NEEDS_HYP
    if (!started_in_hyp) {
        kprintf("probe: n/a: %s needs the probe's own Hyp mode, and it started in %s\n",
                PROBE_PLACE == PLACE_S2 ? "placement s2" : "exception serror (HCR.VA)",
                mode_name(cpsr_mode()));
        return;
    }
#endif
#if PROBE_EXC == EXC_IRQ || PROBE_EXC == EXC_FIQ
    gic_init(PROBE_EXC == EXC_FIQ);
#endif
    place_vectors();
    kprintf("probe: raise %s\n", exc_name[PROBE_EXC]);
    probe_raise_exception();
}
