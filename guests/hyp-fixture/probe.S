/*
 * probe.S - three one-instruction guests that exercise hyp-fixture's other
 * trap paths (the tiny guests only ever produce stage-2 *prefetch* aborts).
 * Built for virt as hyp-probe-<PROBE>-virt.elf (RAM 0x40000000, linked with
 * tiny/tiny.ld), with -DPROBE=<n>:
 *
 *   1 write  str to IPA 0x10000004 (virt's PCIe MMIO window: harmless
 *            without a hypervisor, absent from the fixture's stage 2)
 *            -> "Pagefault from [vm0]: write fault @ PC: <probe_insn>
 *                IPA: 0x10000004, FSR: 0x6" (HSR.EC 0x24, WnR=1)
 *   2 read   ldr from 0x48001000: physical RAM that exists, but holds the
 *            fixture and was not given to the guest
 *            -> "... read fault ... IPA: 0x48001000, FSR: 0x6"
 *   3 hvc    hvc #0x42 -> HSR.EC 0x12: "vmm: unexpected trap HSR=..."
 *
 * Without a hypervisor (plain virt) 1 and 2 complete and print
 * "probe: survived"; 3 is UNDEFINED at PL1 without EL2.
 */
        .syntax unified
        .arm
        .arch_extension virt

#include "../tiny/puts.S"

        .section .text.vectors, "ax"
        .global _start
_start:
        ldr     sp, =stack_top
        PUTS    "probe: start\n"
        ldr     r0, =0x10000004
        ldr     r1, =0x48001000
        ldr     r2, =0xdeadbeef
        .global probe_insn
probe_insn:
#if PROBE == 1
        str     r2, [r0]
#elif PROBE == 2
        ldr     r2, [r1]
#elif PROBE == 3
        hvc     #0x42
#else
#error "PROBE must be 1 (write), 2 (read) or 3 (hvc)"
#endif
        PUTS    "probe: survived\n"
1:      wfi
        b       1b

        .bss
        .align  3
        .space  512
stack_top:
