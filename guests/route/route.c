/*
 * route.c - the route guest: one timer interrupt, and which mode takes it
 * (guests/route/README in the Makefile).  One variant per build flag:
 *   ROUTE_PL1     (vexpress-a9)  SCR.IRQ=0: irq32 at VBAR+0x18
 *   ROUTE_MON     (vexpress-a9)  SCR.IRQ=1: mon32 at MVBAR+0x18
 *   ROUTE_MASKED  (vexpress-a9)  CPSR.I=1: the IRQ stays pending, not taken
 *   ROUTE_HYP     (virt, virtualization=on)  HCR.IMO=1: the physical IRQ in
 *                 hyp32 at HVBAR+0x18, which injects a virtual one (HCR.VI)
 *                 that the guest takes in irq32 at its VBAR+0x18
 *   ROUTE_FIQ     (vexpress-a9)  the timer as FIQ (GIC group 0, FIQEn):
 *                 fiq32 at VBAR+0x1c
 *   ROUTE_MONFIQ  (vexpress-a9)  SCR.FIQ=1: mon32 at MVBAR+0x1c
 *   ROUTE_TGE     (virt, virtualization=on)  HCR.TGE=1, the guest in User
 *                 mode: its SVC is a Hyp Trap, hyp32 at HVBAR+0x14
 *   ROUTE_VA      (virt, virtualization=on)  HCR.AMO=1, HCR.VA=1: the
 *                 virtual asynchronous abort, taken in abt32 at VBAR+0x10
 *                 once the guest clears CPSR.A
 *   ROUTE_FMO     (virt, virtualization=on)  HCR.FMO=1, the timer as FIQ:
 *                 hyp32 at HVBAR+0x1c, which injects a virtual FIQ (HCR.VF)
 *                 taken in fiq32 at VBAR+0x1c
 * UART: "route: irq taken in MODE at BASE+0x18 ..." from the handler that
 * ran, then "route: done" (and the guest idles, for the capture).
 */
#include "../rtos/rtos.h"
#include "../rtos/modes.h"

#define REG(addr)  (*(volatile uint32_t *)(uintptr_t)(addr))

void enable_monitor_route(uint32_t scr_bits);
uint32_t read_hcr(void);
void write_hcr(uint32_t v);

static volatile int irq_seen;

/* Acknowledge the GIC, silence the timer for good (one interrupt is the
 * whole experiment), end the interrupt. */
static void ack_timer(void)
{
    uint32_t id = REG(ulICCIAR);
#if defined(BOARD_VEXPRESS)
    REG(PERIPHBASE + 0x600u + 0x08u) = 0;   /* private timer off */
    REG(PERIPHBASE + 0x600u + 0x0cu) = 1;   /* clear its event */
#else
    __asm__ volatile("mcr p15, 0, %0, c14, c3, 1\n\tisb" :: "r"(0u));  /* CNTV_CTL off */
#endif
    REG(ulICCEOIR) = id;
}

/* A physical interrupt reached its handler: say where, end it. */
static void taken(const char *what, const char *where)
{
    kprintf("route: %s taken in %s at %s\n", what, mode_name(cpsr_mode()), where);
    ack_timer();
    irq_seen = 1;
}

void route_pl1_irq(void)
{
#ifdef ROUTE_HYP
    kprintf("route: virtual irq taken in %s at VBAR+0x18 (injected by Hyp)\n", mode_name(cpsr_mode()));
    __asm__ volatile(".arch_extension virt\n\thvc #1");   /* ask Hyp to clear HCR.VI */
    irq_seen = 1;
#else
    taken("irq", "VBAR+0x18");
#endif
}

void route_pl1_fiq(void)
{
#ifdef ROUTE_FMO
    kprintf("route: virtual fiq taken in %s at VBAR+0x1c (injected by Hyp)\n", mode_name(cpsr_mode()));
    __asm__ volatile(".arch_extension virt\n\thvc #3");   /* ask Hyp to clear HCR.VF */
    irq_seen = 1;
#else
    taken("fiq", "VBAR+0x1c");
#endif
}

void route_hyp_fiq(void)
{
    kprintf("route: physical fiq taken in %s at HVBAR+0x1c (HCR.FMO=1)\n", mode_name(cpsr_mode()));
    ack_timer();
    write_hcr(read_hcr() | (1u << 6));      /* HCR.VF: a virtual FIQ for the guest */
}

void route_mon_fiq(void)
{
    taken("fiq", "MVBAR+0x1c (SCR.FIQ=1)");
}

void route_mon_irq(void)
{
    taken("irq", "MVBAR+0x18 (SCR.IRQ=1)");
}

void route_hyp_irq(void)
{
    kprintf("route: physical irq taken in %s at HVBAR+0x18 (HCR.IMO=1)\n", mode_name(cpsr_mode()));
    ack_timer();
    write_hcr(read_hcr() | (1u << 7));      /* HCR.VI: a virtual IRQ for the guest */
}

void route_pl1_dabt(uint32_t dfsr)
{
    kprintf("route: %s abort taken in %s at VBAR+0x10 (DFSR 0x%x)\n", (dfsr & 0x400) ? "asynchronous" : "data",
            mode_name(cpsr_mode()), dfsr);
#ifdef ROUTE_VA
    __asm__ volatile(".arch_extension virt\n\thvc #2");   /* ask Hyp to clear HCR.VA */
#endif
    irq_seen = 1;
}

/* The Hyp Trap entry (HVBAR+0x14): HSR says why (EC, bits 31:26). */
void route_hyp_trap(uint32_t hsr)
{
    uint32_t ec = hsr >> 26;
    if (ec == 0x12) {                   /* HVC: the guest took the virtual IRQ / abort */
        write_hcr(read_hcr() & ~((1u << 6) | (1u << 7) | (1u << 8)));
        return;
    }
    kprintf("route: %s from usr32 taken in %s at HVBAR+0x14 (HCR.TGE=1, HSR EC 0x%x)\n",
            ec == 0x11 ? "svc" : "exception", mode_name(cpsr_mode()), ec);
}

/* ROUTE_TGE: the guest in User mode (MMU off, so the UART is reachable). */
void route_usr(void)
{
    kprintf("route: usr32 issuing svc\n");
    __asm__ volatile("svc #0" ::: "memory");
    kprintf("route: done\n");
    for (;;)
        ;
}

void route_main(void)
{
#if defined(ROUTE_MON)
    enable_monitor_route(1u << 1);      /* SCR.IRQ */
#elif defined(ROUTE_MONFIQ)
    enable_monitor_route(1u << 2);      /* SCR.FIQ */
#endif
#ifdef ROUTE_VA
    kprintf("route: unmasking asynchronous aborts (HCR.VA=1 pending)\n");
    __asm__ volatile("cpsie a" ::: "memory");
    while (!irq_seen)
        ;
    kprintf("route: done\n");
    return;
#endif
    vConfigureTickInterrupt();
#if defined(ROUTE_FIQ) || defined(ROUTE_MONFIQ) || defined(ROUTE_FMO)
    /* Group 0 (the reset group) interrupts signalled as FIQ. */
    REG(GICC_BASE) = (1u << 3) | 1u;    /* GICC_CTLR: FIQEn, EnableGrp0 */
    __asm__ volatile("cpsie f" ::: "memory");
    while (!irq_seen)
        __asm__ volatile("wfi");
    kprintf("route: done\n");
    return;
#endif
#ifdef ROUTE_MASKED
    /* IRQs stay masked: wait until the GIC has the timer's IRQ pending. */
    while (!(REG(GICD_BASE + 0x200u) & (1u << TICK_IRQ)))     /* GICD_ISPENDR0 */
        ;
    kprintf("route: irq pending with CPSR.I=1: not taken\n");
#else
    __asm__ volatile("cpsie i" ::: "memory");
    while (!irq_seen)
        __asm__ volatile("wfi");
    /* IRQs stay enabled (the timer is off): captured after "done", the
     * CPU shows the route an IRQ would take now, unmasked. */
#endif
    kprintf("route: done\n");
}
