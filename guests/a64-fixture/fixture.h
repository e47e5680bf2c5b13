/*
 * fixture.h - the memory layout of a64-fixture, shared by boot.S, vmm.c and
 * fixture.ld (all three go through the C preprocessor), and quoted by
 * run-fixture and README.md.  Change a value here and there together.
 *
 * Physical memory on `-M virt -m 256M` (RAM 0x40000000-0x4fffffff):
 *
 *   0x00000000  flash0 (empty without -bios/-pflash)  NOT in stage 2
 *   0x08000000  GICv2 distributor + CPU interface     stage 2: device pages
 *   0x09000000  PL011 UART0                           stage 2: device page
 *   0x40000000 +-----------------------------+  GUEST_RAM_BASE
 *              | guest RAM, 128 MiB          |  stage 2: 64 x 2 MiB normal
 *              |   0x40080000: the a64       |  memory blocks, IPA == PA
 *              |   guests (QEMU's -kernel)   |
 *   0x48000000 +-----------------------------+  FIXTURE_BASE, GUEST_RAM_END
 *              | boot parameter page:        |  not part of the ELF, not in
 *              |   +0     guest entry (u64)  |  stage 2: written by
 *              |   +0x100 trap record        |  -device loader,data= and by
 *              |                             |  the fixture on a trap
 *   0x48001000 +-----------------------------+  FIXTURE_IMAGE_BASE
 *              | fixture code, data, stage-2 |  a64-fixture.elf
 *              | tables, EL2 stack           |  (-device loader,file=...,cpu-num=0)
 *              +-----------------------------+
 *   0x50000000  end of RAM with -m 256M (-m 128M would end at 0x48000000,
 *               where the fixture goes: it needs more than 128 MiB)
 */
#ifndef A64_FIXTURE_H
#define A64_FIXTURE_H

#define FIXTURE_BASE         0x48000000 /* start of the fixture's own RAM */
#define GUEST_ENTRY_SLOT     0x48000000 /* 64-bit LE guest entry; 0 = default */
#define TRAP_RECORD          0x48000100 /* vmm_trap_record, see below */
#define FIXTURE_IMAGE_BASE   0x48001000 /* link address of a64-fixture.elf */

#define GUEST_ENTRY_DEFAULT  0x40080000 /* guests/a64 are linked here */
#define GUEST_RAM_BASE       0x40000000 /* IPA (and PA) of the guest's RAM */
#define GUEST_RAM_END        0x48000000 /* exclusive: the fixture's RAM follows */

#define GIC_BASE             0x08000000 /* GICv2 distributor (64 KiB) ... */
#define GIC_SIZE             0x00020000 /* ... + CPU interface at 0x08010000 */
#define UART_BASE            0x09000000 /* PL011 UART0 data register, 4 KiB page */
#define UART_SIZE            0x00001000

/*
 * The trap record, vmm_trap_record: on every exception the guest takes to
 * EL2 the fixture stores, as 64-bit little-endian words,
 *
 *    0  magic TRAP_MAGIC (written last; 0 while the record is being written)
 *    1-31  the guest's x0-x30, as they were when it trapped
 *   32  ELR_EL2    the guest PC: the faulting instruction; after an HVC the
 *                  next one
 *   33  SPSR_EL2   the guest's PSTATE (M[3:0] 0b0101 = EL1h)
 *   34  ESR_EL2    EC [31:26], IL [25], ISS [24:0] (stale for IRQ/FIQ: the
 *                  architecture does not write ESR for interrupts)
 *   35  FAR_EL2    the guest *virtual* address of an abort
 *   36  HPFAR_EL2  FIPA [43:4] = IPA[51:12] of a stage-2 abort
 *   37  the guest's SP (SP_EL1 if SPSR_EL2.M[0] is 1, else SP_EL0)
 *   38  the vector offset the exception came through (VBAR_EL2 + 0x400
 *       lower_a64.sync, 0x480 irq, 0x500 fiq, 0x580 serror; 0x600+ the same
 *       from AArch32)
 *
 * then calls vmm_trap_recorded(&vmm_trap_record), where a debugger can stop.
 * A capture reads it with a physical memory read: QEMU's gdbstub shows
 * ELR_EL2/SPSR_EL2, but once the fixture runs, x0-x30 are its own.
 */
#define TRAP_MAGIC           0x5254584946343641 /* bytes "A64FIXTR" */
#define TRAP_WORDS           39
#define TRAP_X(n)            (1 + (n))
#define TRAP_ELR             32
#define TRAP_SPSR            33
#define TRAP_ESR             34
#define TRAP_FAR             35
#define TRAP_HPFAR           36
#define TRAP_SP              37
#define TRAP_VECTOR          38

/*
 * How the guest is entered: SPSR_EL2 M[3:0] = 0b0101 (EL1h: EL1 with
 * SP_EL1), M[4] = 0 (AArch64), D, A, I and F masked (bits 9-6): the state
 * a CPU resets into, which is how a VMM starts a VCPU.
 */
#define GUEST_SPSR           0x3c5

#endif
