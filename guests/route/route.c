/*
 * route.c - the route guest: one timer interrupt, and which mode takes it
 * (guests/route/README in the Makefile).  One variant per build flag:
 *   ROUTE_PL1     (vexpress-a9)  SCR.IRQ=0: irq32 at VBAR+0x18
 *   ROUTE_MON     (vexpress-a9)  SCR.IRQ=1: mon32 at MVBAR+0x18
 *   ROUTE_MASKED  (vexpress-a9)  CPSR.I=1: the IRQ stays pending, not taken
 *   ROUTE_HYP     (virt, virtualization=on)  HCR.IMO=1: the physical IRQ in
 *                 hyp32 at HVBAR+0x18, which injects a virtual one (HCR.VI)
 *                 that the guest takes in irq32 at its VBAR+0x18
 * UART: "route: irq taken in MODE at BASE+0x18 ..." from the handler that
 * ran, then "route: done" (and the guest idles, for the capture).
 */
#include "../rtos/rtos.h"

#define REG(addr)  (*(volatile uint32_t *)(uintptr_t)(addr))

void enable_monitor_route(void);
uint32_t read_hcr(void);
void write_hcr(uint32_t v);

static volatile int irq_seen;

static uint32_t cpsr_mode(void)
{
    uint32_t v;
    __asm__ volatile("mrs %0, cpsr" : "=r"(v));
    return v & 0x1f;
}

static const char *mode_name(uint32_t m)
{
    switch (m) {
    case MODE_IRQ: return "irq32";
    case MODE_SVC: return "svc32";
    case 0x16: return "mon32";
    case MODE_HYP: return "hyp32";
    default: return "?";
    }
}

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

void route_pl1_irq(void)
{
#ifdef ROUTE_HYP
    kprintf("route: virtual irq taken in %s at VBAR+0x18 (injected by Hyp)\n", mode_name(cpsr_mode()));
    __asm__ volatile(".arch_extension virt\n\thvc #1");   /* ask Hyp to clear HCR.VI */
#else
    kprintf("route: irq taken in %s at VBAR+0x18\n", mode_name(cpsr_mode()));
    ack_timer();
#endif
    irq_seen = 1;
}

void route_mon_irq(void)
{
    kprintf("route: irq taken in %s at MVBAR+0x18 (SCR.IRQ=1)\n", mode_name(cpsr_mode()));
    ack_timer();
    irq_seen = 1;
}

void route_hyp_irq(void)
{
    kprintf("route: physical irq taken in %s at HVBAR+0x18 (HCR.IMO=1)\n", mode_name(cpsr_mode()));
    ack_timer();
    write_hcr(read_hcr() | (1u << 7));      /* HCR.VI: a virtual IRQ for the guest */
}

void route_hyp_hvc(void)
{
    write_hcr(read_hcr() & ~(1u << 7));
}

void route_main(void)
{
#ifdef ROUTE_MON
    enable_monitor_route();
#endif
    vConfigureTickInterrupt();
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
