/*
 * port.c - the rtos guest's scheduler: task control blocks, the first
 * stack frame of a task, round-robin vTaskSwitchContext, the tick, and the
 * C side of the IRQ and fault handlers in vectors.S.  A few dozen lines of
 * what FreeRTOS's tasks.c and ARM_CA9 port.c do, with the same names.
 */
#include "rtos.h"

/* A TCB starts with the task's saved SP (vectors.S relies on offset 0). */
typedef struct tskTCB {
    volatile uint32_t *pxTopOfStack;
    const char *pcTaskName;
} TCB_t;

#define MAX_TASKS 2
static TCB_t tasks[MAX_TASKS];
static uint32_t ntasks;

TCB_t *volatile pxCurrentTCB;           /* NULL until the first task runs */
volatile uint32_t ulPortYieldRequired;  /* set by the tick, read by vectors.S */
static volatile uint32_t xTickCount;

/* A new task starts in System mode, ARM state, IRQ and FIQ enabled. */
#define portINITIAL_SPSR  MODE_SYS

static void prvTaskExitError(void)
{
    kprintf("rtos: a task returned\n");
    for (;;)
        __asm__ volatile("wfi");
}

/*
 * pxPortInitialiseStack: build the frame portRESTORE_CONTEXT expects at
 * the top of a new task's stack, as if the task had been interrupted just
 * before its first instruction: r0 = its parameter, r1-r12 = recognisable
 * fill (0x01010101 * n, as FreeRTOS does), lr = prvTaskExitError, then
 * pc = the task function and cpsr = portINITIAL_SPSR for RFE.
 */
static uint32_t *pxPortInitialiseStack(uint32_t *top, TaskFunction_t fn, void *param)
{
    top = (uint32_t *)((uintptr_t)top & ~7u);
    top -= 16;
    top[0] = (uint32_t)(uintptr_t)param;
    for (int i = 1; i <= 12; i++)
        top[i] = 0x01010101u * (uint32_t)i;
    top[13] = (uint32_t)(uintptr_t)prvTaskExitError;
    top[14] = (uint32_t)(uintptr_t)fn;
    top[15] = portINITIAL_SPSR;
    return top;
}

void xTaskCreate(TaskFunction_t fn, const char *name, uint32_t *stack,
                 uint32_t stack_words, void *param)
{
    if (ntasks == MAX_TASKS)
        return;
    tasks[ntasks].pcTaskName = name;
    tasks[ntasks].pxTopOfStack = pxPortInitialiseStack(stack + stack_words, fn, param);
    ntasks++;
}

/* Round robin; called from vectors.S with IRQs masked.  The first call
 * (pxCurrentTCB == NULL, from vPortStartFirstTask's SVC) picks task 0. */
void vTaskSwitchContext(void)
{
    if (pxCurrentTCB == 0) {
        pxCurrentTCB = &tasks[0];
        return;
    }
    uint32_t i = (uint32_t)(pxCurrentTCB - tasks);
    pxCurrentTCB = &tasks[(i + 1) % ntasks];
}

uint32_t xTaskGetTickCount(void)
{
    return xTickCount;
}

/* The tick: acknowledge the timer, count, and ask for a time slice switch
 * (configUSE_PREEMPTION with time slicing: every tick). */
static void FreeRTOS_Tick_Handler(void)
{
    vClearTickInterrupt();
    xTickCount++;
    ulPortYieldRequired = 1;
}

/*
 * vApplicationIRQHandler: called by FreeRTOS_IRQ_Handler with the value it
 * read from GICC_IAR (bits 9:0 the interrupt ID; 1023 = spurious, nothing
 * to do).  The device must stop asserting its line before the handler
 * writes GICC_EOIR.
 */
void vApplicationIRQHandler(uint32_t ulICCIAR_value)
{
    uint32_t id = ulICCIAR_value & 0x3ffu;

    if (id == TICK_IRQ)
        FreeRTOS_Tick_Handler();
    else if (id != 1023u)
        kprintf("rtos: unexpected interrupt %u\n", id);
}

/* vTaskStartScheduler: start the tick, then the first task. */
void vTaskStartScheduler(void)
{
    extern void vPortStartFirstTask(void);

    vConfigureTickInterrupt();
    kprintf("rtos: scheduler starting\n");
    vPortStartFirstTask();              /* SVC: does not return */
}

/* Point VBAR at the image's table (the Zynq port's function of this name).
 * In Secure state this writes VBAR_S.  SCTLR.V must be 0 for it to count. */
void vPortInstallFreeRTOSVectorTable(void)
{
    extern char _freertos_vector_table[];
    write_vbar((uint32_t)(uintptr_t)_freertos_vector_table);
}

uint32_t ulPortCpsr(void)
{
    uint32_t cpsr;
    __asm__ volatile("mrs %0, cpsr" : "=r"(cpsr));
    return cpsr;
}

const char *pcPortModeName(uint32_t cpsr)
{
    switch (cpsr & 0x1f) {
    case MODE_USR: return "usr32";
    case MODE_FIQ: return "fiq32";
    case MODE_IRQ: return "irq32";
    case MODE_SVC: return "svc32";
    case MODE_ABT: return "abt32";
    case MODE_HYP: return "hyp32";
    case MODE_UND: return "und32";
    case MODE_SYS: return "sys32";
    default:       return "mode?";
    }
}

/* A fault reached one of this image's own handlers (vectors.S): say which,
 * where, and the fault registers, then vectors.S parks the CPU. */
void vPortFault(uint32_t vector, uint32_t lr, uint32_t spsr)
{
    static const char *const names[8] = {
        "reset", "undefined instruction", "svc", "prefetch abort",
        "data abort", "0x14", "irq", "fiq",
    };
    kprintf("rtos: %s exception (vector 0x%x) lr 0x%x spsr 0x%x "
            "DFSR 0x%x DFAR 0x%x IFSR 0x%x IFAR 0x%x\n",
            names[(vector >> 2) & 7], vector, lr, spsr,
            read_dfsr(), read_dfar(), read_ifsr(), read_ifar());
}
