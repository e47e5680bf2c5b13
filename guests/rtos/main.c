/*
 * main.c - the rtos guest's application: two tasks, and the one thing the
 * variants change -- where the vector base points when the scheduler's
 * first SVC is taken.
 *
 * Flow (UART lines in quotes; tests/integration/rtos.sh checks them):
 *   _start (vectors.S) -> main, svc32, IRQs masked    "rtos: boot on ..."
 *   variant_setup                                     "rtos: vbar: ..." etc.
 *   create tasks A and B                              "rtos: tasks A and B created"
 *   vTaskStartScheduler: GIC + tick timer on          "rtos: tick: ..."
 *                                                     "rtos: scheduler starting"
 *   vPortStartFirstTask: SVC #0  -> vector base + 0x8
 *     table installed: FreeRTOS_SWI_Handler starts task A (RFE: sys32, IRQs on)
 *     otherwise: whatever is at 0x8 runs -- nothing more is printed, or a
 *     hypervisor reports the fetch from 0x8
 *   every 10 ms: tick IRQ -> vector base + 0x18 -> FreeRTOS_IRQ_Handler:
 *     GIC ack, timer cleared, switch to the other task
 *   tasks busy-wait for their next period (10 ticks), print
 *                                                     "task A: tick N"
 *                                                     "task B: tick N"
 *   task A yields every second period:                "rtos: yield via svc (task A)"
 *     SVC -> FreeRTOS_SWI_Handler -> task B ...       "task A: back from yield"
 *   Task B never yields: only the tick interrupt ever takes the CPU from
 *   it, so "task A" lines after a "task B" line prove the IRQ path works.
 */
#include "rtos.h"

/* ---- variants -------------------------------------------------------- */
#if defined(VARIANT_VBAR)
/* VBAR := _freertos_vector_table: the SVC finds 'ldr pc, _swi'. */
#define VARIANT_NAME "vbar"
static void variant_setup(void)
{
    vPortInstallFreeRTOSVectorTable();
    kprintf("rtos: vbar: VBAR := 0x%x (_freertos_vector_table)\n", read_vbar());
}
#elif defined(VARIANT_LOW)
/*
 * The user's bug: VBAR stays 0, as if the image were linked at 0x0.  The
 * first SVC fetches from 0x8: on vexpress-a9 zero-filled NOR flash (the CPU
 * slides through 'andeq r0,r0,r0'), on virt the device tree blob QEMU put
 * at 0x0 (executed as code until an undefined instruction, which loops),
 * under hyp-fixture / the seL4 VMM nothing at IPA 0x8: a stage-2 fault.
 */
#define VARIANT_NAME "low"
static void variant_setup(void)
{
    kprintf("rtos: low: VBAR left at 0x%x, vectors assumed at 0x0\n", read_vbar());
}
#elif defined(VARIANT_HIVECS)
/* SCTLR.V = 1: the base is 0xffff0000 whatever VBAR says (neither board
 * has memory there). */
#define VARIANT_NAME "hivecs"
static void variant_setup(void)
{
    vPortInstallFreeRTOSVectorTable();
    write_sctlr(read_sctlr() | SCTLR_V);
    kprintf("rtos: hivecs: SCTLR.V=1, vectors at 0xffff0000 (VBAR 0x%x ignored)\n", read_vbar());
}
#elif defined(VARIANT_MMU)
/*
 * MMU on with a flat section map of what the guest uses -- RAM, the UART,
 * the GIC and timer -- and nothing at VA 0x0-0xfffff; VBAR stays 0.  The
 * SVC's fetch from VA 0x8 is a translation fault (Prefetch Abort, IFSR
 * 0x5), taken to VA 0xc, which faults the same way: an abt32 loop the
 * hypervisor never sees.  Short-descriptor section entry: PA[31:20] |
 * AP=0b11 (bits 11:10) | C,B (bits 3:2) | 0b10.
 */
#define VARIANT_NAME "mmu"
#define SECT_NORMAL  0x00000c0eu    /* AP=11, C=1, B=1 */
#define SECT_DEVICE  0x00000c06u    /* AP=11, B=1: shared device */
static uint32_t ttb[4096] __attribute__((aligned(16384)));

static void map_section(uint32_t addr, uint32_t attr)
{
    ttb[addr >> 20] = (addr & 0xfff00000u) | attr;
}

static void variant_setup(void)
{
    extern char _freertos_vector_table[];
    uint32_t ram = (uint32_t)(uintptr_t)_freertos_vector_table & 0xfff00000u;

    for (uint32_t mb = 0; mb < 16; mb++)
        map_section(ram + (mb << 20), SECT_NORMAL);
    map_section(UART0_DR, SECT_DEVICE);
    map_section(GICD_BASE, SECT_DEVICE);    /* also GICC and, on vexpress, */
    map_section(GICC_BASE, SECT_DEVICE);    /* the private timer           */
    __asm__ volatile(
        "mcr p15, 0, %0, c2, c0, 2\n\t"     /* TTBCR := 0: TTBR0, short descr. */
        "mcr p15, 0, %1, c2, c0, 0\n\t"     /* TTBR0 := ttb */
        "mcr p15, 0, %2, c3, c0, 0\n\t"     /* DACR: domain 0 client */
        "mcr p15, 0, %0, c8, c7, 0\n\t"     /* TLBIALL */
        "dsb\n\tisb"
        :: "r"(0), "r"(ttb), "r"(1) : "memory");
    write_sctlr(read_sctlr() | SCTLR_M);
    kprintf("rtos: mmu: on, VA 0x0-0xfffff unmapped, VBAR left at 0x%x\n", read_vbar());
}
#else
#error "build with -DVARIANT_VBAR, -DVARIANT_LOW, -DVARIANT_HIVECS or -DVARIANT_MMU"
#endif

/* ---- the tasks -------------------------------------------------------- */
#define TASK_PERIOD_TICKS  10       /* a line per task every 100 ms */
#define STACK_WORDS        512

struct demo_task {
    const char *name;
    uint32_t yield_every;           /* periods between yields; 0: never */
};

static void vDemoTask(void *pv)
{
    const struct demo_task *t = pv;
    uint32_t n = 0, next = xTaskGetTickCount();

    for (;;) {
        next += TASK_PERIOD_TICKS;
        while ((int32_t)(xTaskGetTickCount() - next) < 0)
            ;                       /* busy: the tick preempts us */
        kprintf("task %s: tick %u\n", t->name, ++n);
        if (t->yield_every && n % t->yield_every == 0) {
            kprintf("rtos: yield via svc (task %s)\n", t->name);
            taskYIELD();
            kprintf("task %s: back from yield\n", t->name);
        }
    }
}

static const struct demo_task task_a = { "A", 2 }, task_b = { "B", 0 };
static uint32_t stack_a[STACK_WORDS] __attribute__((aligned(8)));
static uint32_t stack_b[STACK_WORDS] __attribute__((aligned(8)));

int main(void)
{
    kprintf("rtos: boot on %s, variant %s, %s\n", BOARD_NAME, VARIANT_NAME,
            pcPortModeName(ulPortCpsr()));
    variant_setup();
    xTaskCreate(vDemoTask, "A", stack_a, STACK_WORDS, (void *)&task_a);
    xTaskCreate(vDemoTask, "B", stack_b, STACK_WORDS, (void *)&task_b);
    kprintf("rtos: tasks A and B created\n");
    vTaskStartScheduler();
    return 0;
}
