/*
 * low: leave VBAR_EL1 at its reset value, 0.  The SVC is taken to
 * VBAR_EL1 + 0x200 = physical 0x200 (MMU off) -- not this image (that is at
 * 0x40080000) but virt's flash0 (0x0-0x3ffffff), which without -bios or
 * -pflash is empty and reads as zeros.
 *
 * Measured on QEMU 7.2 (monitor xp, -d int; cortex-a53, cortex-a57, max):
 * 0x0 and 0x200 hold 0x00000000, and no device tree is anywhere in the
 * flash or RAM (QEMU's DTB is 1 MiB; it only goes below the image when the
 * gap from 0x40000000 is that large, and silently stays out otherwise: see
 * start.S).  0x00000000 is `udf #0` in A64: the fetch at 0x200 raises an
 * Undefined Instruction exception (ESR_EL1 0x02000000: EC 0 "unknown
 * reason", IL 1; ELR_EL1 0x200), taken from EL1h to the same slot,
 * VBAR_EL1 + 0x200 = 0x200, which is the same udf: the CPU loops there
 * for ever, PC = ELR_EL1 = 0x200.  No handler line, no "back from svc".
 *
 * (Linked at 0x40000000 instead, the image would push the DTB into the
 * flash at 0x0 -- as for the 32-bit tiny guests -- and 0x200 would be a
 * DTB word that happens to be 0x00000000 too, followed by the string
 * "qemu,platform": the same udf loop.)
 */
        .macro  variant_setup
        .endm
