/*
 * rtos.h - the rtos guest's board constants and the interfaces between its
 * files.  One build flag picks the board (-DBOARD_VEXPRESS or -DBOARD_VIRT)
 * and one the variant (-DVARIANT_VBAR, _LOW, _HIVECS, _MMU); see
 * guests/rtos/README.md.  The names follow FreeRTOS's Cortex-A9 port
 * (portable/GCC/ARM_CA9 and the Xilinx Zynq demo) wherever the guest does
 * what that code does, so that hvprobe sees the symbols it would see in a
 * real FreeRTOS image.
 */
#ifndef RTOS_H
#define RTOS_H

/* ---- boards --------------------------------------------------------- */
#if defined(BOARD_VEXPRESS)
/*
 * vexpress-a9: Cortex-A9 MPCore.  Its private peripherals sit at
 * PERIPHBASE (CBAR; QEMU: 0x1e000000): SCU +0x0, GIC CPU interface +0x100,
 * private timer +0x600, GIC distributor +0x1000.  The private timer's
 * interrupt is PPI 13 = interrupt ID 29.  QEMU starts -kernel ELFs here in
 * Secure svc32.
 */
#define BOARD_NAME      "vexpress-a9"
#define UART0_DR        0x10009000u     /* PL011 UART0 data register */
#define PERIPHBASE      0x1e000000u
#define GICD_BASE       (PERIPHBASE + 0x1000u)
#define GICC_BASE       (PERIPHBASE + 0x0100u)
#define PTIMER_BASE     (PERIPHBASE + 0x0600u)
#define TICK_IRQ        29u             /* A9 private timer, PPI 13 */
#define TICK_SOURCE     "Cortex-A9 private timer"
#elif defined(BOARD_VIRT)
/*
 * virt -cpu cortex-a15: GICv2 distributor 0x08000000, CPU interface
 * 0x08010000; the ARM generic timer is in the CPU (CP15 c14).  Its four
 * timers are PPIs (QEMU's virt DT "arm,armv7-timer"): secure physical 29,
 * non-secure physical 30 (CNTP), virtual 27 (CNTV), hyp 26.  QEMU starts
 * -kernel ELFs here in Non-secure svc32 (no EL3); under hyp-fixture the
 * guest also runs at NS PL1 with the GIC pages passed through.
 * -DTICK_CNTP selects the physical timer, default is the virtual one.
 */
#define BOARD_NAME      "virt"
#define UART0_DR        0x09000000u
#define GICD_BASE       0x08000000u
#define GICC_BASE       0x08010000u
#ifdef TICK_CNTP
#define TICK_IRQ        30u             /* CNTP: non-secure physical timer */
#define TICK_SOURCE     "generic timer CNTP"
#else
#define TICK_IRQ        27u             /* CNTV: virtual timer */
#define TICK_SOURCE     "generic timer CNTV"
#endif
#else
#error "build with -DBOARD_VEXPRESS or -DBOARD_VIRT"
#endif

#define configTICK_RATE_HZ   100u       /* one tick = 10 ms */

/* CPSR mode field values (ARMv7-A ARM B1.3.1) */
#define MODE_USR  0x10
#define MODE_FIQ  0x11
#define MODE_IRQ  0x12
#define MODE_SVC  0x13
#define MODE_ABT  0x17
#define MODE_HYP  0x1a
#define MODE_UND  0x1b
#define MODE_SYS  0x1f

#ifndef __ASSEMBLER__
#include <stdint.h>

/* ---- board.c: UART, GIC, tick timer -------------------------------- */
void kprintf(const char *fmt, ...);     /* %s %u %x (8 digits) %c */
void vGicInit(void);
void vConfigureTickInterrupt(void);     /* FreeRTOS configSETUP_TICK_INTERRUPT */
void vClearTickInterrupt(void);         /* FreeRTOS configCLEAR_TICK_INTERRUPT */
extern const uint32_t ulICCIAR;         /* GICC_IAR address (read by vectors.S) */
extern const uint32_t ulICCEOIR;        /* GICC_EOIR address (written by vectors.S) */

/* ---- port.c: tasks and the scheduler ------------------------------- */
typedef void (*TaskFunction_t)(void *);
void xTaskCreate(TaskFunction_t fn, const char *name, uint32_t *stack,
                 uint32_t stack_words, void *param);
void vTaskStartScheduler(void);         /* does not return */
uint32_t xTaskGetTickCount(void);
void vPortInstallFreeRTOSVectorTable(void);
uint32_t ulPortCpsr(void);
const char *pcPortModeName(uint32_t cpsr);

/* taskYIELD(): the task traps into FreeRTOS_SWI_Handler (vectors.S). */
#define taskYIELD()  __asm__ volatile("svc #0" ::: "memory")

/* Critical sections: mask IRQ, restore the caller's I bit afterwards. */
static inline uint32_t portENTER_CRITICAL(void)
{
    uint32_t cpsr;
    __asm__ volatile("mrs %0, cpsr\n\tcpsid i" : "=r"(cpsr) :: "memory");
    return cpsr;
}
static inline void portEXIT_CRITICAL(uint32_t cpsr)
{
    __asm__ volatile("msr cpsr_c, %0" :: "r"(cpsr) : "memory");
}

/* ---- CP15 ---------------------------------------------------------- */
#define CP15_RW(name, op1, crn, crm, op2)                                    \
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
                         "\n\tisb" :: "r"(v) : "memory");                    \
    }
CP15_RW(sctlr, 0, c1,  c0, 0)   /* SCTLR: M bit 0, V bit 13          */
CP15_RW(vbar,  0, c12, c0, 0)   /* VBAR (VBAR_S in Secure state)     */
CP15_RW(dfsr,  0, c5,  c0, 0)
CP15_RW(ifsr,  0, c5,  c0, 1)
CP15_RW(dfar,  0, c6,  c0, 0)
CP15_RW(ifar,  0, c6,  c0, 2)
#define SCTLR_M  (1u << 0)
#define SCTLR_V  (1u << 13)
#endif /* __ASSEMBLER__ */
#endif
