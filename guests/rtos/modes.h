/*
 * modes.h - the current CPU mode and its name as hvprobe prints it
 * ("svc32"), for the guests that report which mode a handler ran in
 * (guests/route, guests/probe).  Include after rtos.h.
 */
#ifndef GUEST_MODES_H
#define GUEST_MODES_H

static inline uint32_t cpsr_mode(void)
{
    uint32_t v;
    __asm__ volatile("mrs %0, cpsr" : "=r"(v));
    return v & 0x1f;
}

static inline const char *mode_name(uint32_t m)
{
    switch (m) {
    case MODE_USR: return "usr32";
    case MODE_FIQ: return "fiq32";
    case MODE_IRQ: return "irq32";
    case MODE_SVC: return "svc32";
    case 0x16: return "mon32";
    case MODE_ABT: return "abt32";
    case MODE_HYP: return "hyp32";
    case MODE_UND: return "und32";
    case MODE_SYS: return "sys32";
    default: return "?";
    }
}

#endif
