/*
 * poweroff: point VBAR at the image's table (as vbar), then ask the board
 * to power off instead of issuing SVC: on virt PSCI SYSTEM_OFF (hvc, the
 * conduit QEMU's virt gives a guest without EL2), on vexpress-a9 the
 * motherboard's SYS_CFGCTRL shutdown function.  QEMU then exits, unless
 * told to hold the guest (-no-shutdown, what `run --on-exit` does), which
 * leaves the CPU in the wfi loop below.  UART: "tiny: powering off".
 */
        .macro  variant_setup
        ldr     r0, =_vectors
        SET_VBAR r0
        PUTS    "tiny: powering off\n"
#if UART_BASE == 0x10009000
        ldr     r0, =0x100000a4         @ SYS_CFGCTRL
        ldr     r1, =0xc0800000         @ start | write | function 8 (shutdown)
        str     r1, [r0]
#else
        .arch_extension virt
        ldr     r0, =0x84000008         @ PSCI SYSTEM_OFF
        hvc     #0
#endif
        .global powered_off
powered_off:
        wfi
        b       powered_off
        .endm
