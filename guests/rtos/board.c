/*
 * board.c - the rtos guest's devices: PL011 output, the GIC, and the tick
 * timer of each board (rtos.h has the addresses).
 *
 * The GIC (v1 on the Cortex-A9 MPCore, v2 on virt -- the same registers for
 * what is used here) has two halves:
 *   distributor (GICD): which interrupts are enabled, their priority and
 *                       target CPU; forwards the highest pending one to ...
 *   CPU interface (GICC): per CPU; masks by priority (PMR), signals IRQ to
 *                       the core.  The handler reads GICC_IAR to learn the
 *                       ID (acknowledge) and writes it to GICC_EOIR (end).
 * The tick timers are private per-CPU peripherals, so their interrupts are
 * PPIs (IDs 16-31): always targeted at the CPU that owns them.
 */
#include <stdarg.h>
#include "rtos.h"

#define REG(addr)  (*(volatile uint32_t *)(uintptr_t)(addr))

/* ---- PL011: QEMU accepts bytes in the data register with no set-up ---- */

static void uart_putc(char c)
{
    REG(UART0_DR) = (uint8_t)c;
}

/*
 * kprintf: %s, %u, %x (always 8 hex digits), %c.  The whole line goes out
 * with IRQs masked, so the two tasks' lines never interleave.
 */
void kprintf(const char *fmt, ...)
{
    va_list ap;
    uint32_t saved = portENTER_CRITICAL();

    va_start(ap, fmt);
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            uart_putc(*p);
            continue;
        }
        switch (*++p) {
        case 's':
            for (const char *s = va_arg(ap, const char *); *s; s++)
                uart_putc(*s);
            break;
        case 'c':
            uart_putc((char)va_arg(ap, int));
            break;
        case 'x': {
            uint32_t v = va_arg(ap, uint32_t);
            for (int sh = 28; sh >= 0; sh -= 4)
                uart_putc("0123456789abcdef"[(v >> sh) & 0xf]);
            break;
        }
        case 'u': {
            char buf[10];
            int n = 0;
            uint32_t v = va_arg(ap, uint32_t);
            do {
                buf[n++] = (char)('0' + v % 10);
                v /= 10;
            } while (v);
            while (n)
                uart_putc(buf[--n]);
            break;
        }
        case '\0':
            p--;
            break;
        default:
            uart_putc(*p);
        }
    }
    va_end(ap);
    portEXIT_CRITICAL(saved);
}

/* ---- GIC ------------------------------------------------------------ */

#define GICD_CTLR           0x000   /* bit 0: forward interrupts to CPUs */
#define GICD_ISENABLER(n)   (0x100 + 4 * (n))   /* 1 bit per ID, set-enable */
#define GICD_IPRIORITYR     0x400   /* 1 byte per ID, lower = more urgent */
#define GICC_CTLR           0x000   /* bit 0: signal interrupts to the core */
#define GICC_PMR            0x004   /* only priorities below this pass */
#define GICC_IAR            0x00c
#define GICC_EOIR           0x010

/* Read/written by FreeRTOS_IRQ_Handler (vectors.S), as in FreeRTOS's port. */
const uint32_t ulICCIAR  = GICC_BASE + GICC_IAR;
const uint32_t ulICCEOIR = GICC_BASE + GICC_EOIR;

/* Enable the tick's PPI at a middle priority, open the CPU interface. */
void vGicInit(void)
{
    REG(GICD_BASE + GICD_CTLR) = 0;
    *(volatile uint8_t *)(uintptr_t)(GICD_BASE + GICD_IPRIORITYR + TICK_IRQ) = 0xa0;
    REG(GICD_BASE + GICD_ISENABLER(TICK_IRQ / 32)) = 1u << (TICK_IRQ % 32);
    REG(GICD_BASE + GICD_CTLR) = 1;
    REG(GICC_BASE + GICC_PMR) = 0xf0;
    REG(GICC_BASE + GICC_CTLR) = 1;
}

/* ---- tick timer ------------------------------------------------------ */
#if defined(BOARD_VEXPRESS)
/*
 * Cortex-A9 private timer: a down-counter that reloads itself.  QEMU
 * clocks it at 100 MHz (10 ns per count, prescaler 0); on silicon it runs
 * at PERIPHCLK = CPU clock / 2.  Its event flag (ISR bit 0) keeps PPI 29
 * asserted until written with 1.
 */
#define PTIMER_LOAD   0x00
#define PTIMER_CTRL   0x08          /* bit 0 enable, 1 auto-reload, 2 IRQ */
#define PTIMER_ISR    0x0c
#define PTIMER_HZ     100000000u    /* QEMU's fixed rate */

void vConfigureTickInterrupt(void)
{
    vGicInit();
    REG(PTIMER_BASE + PTIMER_CTRL) = 0;
    REG(PTIMER_BASE + PTIMER_ISR) = 1;
    REG(PTIMER_BASE + PTIMER_LOAD) = PTIMER_HZ / configTICK_RATE_HZ - 1;
    REG(PTIMER_BASE + PTIMER_CTRL) = 0x7;
    kprintf("rtos: tick: %s at 0x%x, GIC PPI %u, %u Hz; GICD 0x%x GICC 0x%x\n",
            TICK_SOURCE, PTIMER_BASE, TICK_IRQ, configTICK_RATE_HZ, GICD_BASE, GICC_BASE);
}

void vClearTickInterrupt(void)
{
    REG(PTIMER_BASE + PTIMER_ISR) = 1;
}

#else
/*
 * ARM generic timer (CP15 c14).  CNTFRQ says how fast the counter runs
 * (QEMU: 62.5 MHz).  Each timer compares the count with its CVAL and
 * asserts its PPI while count >= CVAL and CTL.ENABLE=1, CTL.IMASK=0: the
 * tick handler moves CVAL one period on, which drops the line.
 *   CNTV: counts CNTVCT = CNTPCT - CNTVOFF (a hypervisor sets CNTVOFF;
 *         hyp-fixture sets 0); always usable at PL1.
 *   CNTP: counts CNTPCT; at NS PL1 under a hypervisor only if CNTHCTL
 *         allows it (hyp-fixture sets CNTHCTL = 3: it does).
 */
static uint32_t frq, period;
static uint64_t cval;

static inline uint32_t read_cntfrq(void)
{
    uint32_t v;
    __asm__ volatile("mrc p15, 0, %0, c14, c0, 0" : "=r"(v));
    return v;
}

#ifdef TICK_CNTP
static inline uint64_t read_cnt(void)
{
    uint64_t v;
    __asm__ volatile("isb\n\tmrrc p15, 0, %Q0, %R0, c14" : "=r"(v));    /* CNTPCT */
    return v;
}
static inline void write_cval(uint64_t v)
{
    __asm__ volatile("mcrr p15, 2, %Q0, %R0, c14\n\tisb" :: "r"(v));    /* CNTP_CVAL */
}
static inline void write_ctl(uint32_t v)
{
    __asm__ volatile("mcr p15, 0, %0, c14, c2, 1\n\tisb" :: "r"(v));    /* CNTP_CTL */
}
#else
static inline uint64_t read_cnt(void)
{
    uint64_t v;
    __asm__ volatile("isb\n\tmrrc p15, 1, %Q0, %R0, c14" : "=r"(v));    /* CNTVCT */
    return v;
}
static inline void write_cval(uint64_t v)
{
    __asm__ volatile("mcrr p15, 3, %Q0, %R0, c14\n\tisb" :: "r"(v));    /* CNTV_CVAL */
}
static inline void write_ctl(uint32_t v)
{
    __asm__ volatile("mcr p15, 0, %0, c14, c3, 1\n\tisb" :: "r"(v));    /* CNTV_CTL */
}
#endif

void vConfigureTickInterrupt(void)
{
    vGicInit();
    frq = read_cntfrq();
    if (frq == 0)
        frq = 62500000u;            /* no firmware set CNTFRQ: QEMU's rate */
    period = frq / configTICK_RATE_HZ;
    write_ctl(0);
    cval = read_cnt() + period;
    write_cval(cval);
    write_ctl(1);                   /* ENABLE, IMASK = 0 */
    kprintf("rtos: tick: %s (CNTFRQ %u), GIC PPI %u, %u Hz; GICD 0x%x GICC 0x%x\n",
            TICK_SOURCE, frq, TICK_IRQ, configTICK_RATE_HZ, GICD_BASE, GICC_BASE);
}

void vClearTickInterrupt(void)
{
    uint64_t now = read_cnt();
    cval += period;
    if (cval <= now)                /* fell behind (host hiccup): re-arm */
        cval = now + period;
    write_cval(cval);
}
#endif
