/*
 * fixture.h - the memory layout of hyp-fixture, shared by boot.S, vmm.c and
 * fixture.ld (all three are run through the C preprocessor), and quoted by
 * run-fixture and README.md.  Change a value here and there together.
 *
 * Physical memory on `-M virt -m 256M` (RAM 0x40000000-0x4fffffff):
 *
 *   0x40000000 +-----------------------------+  GUEST_RAM_BASE
 *              | guest RAM, 16 MiB           |  the only RAM in stage 2
 *              | (the guest ELF is loaded    |  (IPA == PA)
 *              |  here by QEMU's -kernel)    |
 *   0x41000000 +-----------------------------+
 *              | not mapped for the guest    |
 *   0x48000000 +-----------------------------+  FIXTURE_BASE
 *              | boot parameter page:        |  not part of the ELF:
 *              |   +0 guest entry point      |  written by -device loader,data=
 *              |   +4 option bits            |
 *              |   +0x100 trap record        |  written by the fixture on a trap
 *   0x48001000 +-----------------------------+
 *              | fixture code, data, stage-2 |  hyp-fixture.elf (-device loader,
 *              | tables, Hyp stack           |  file=...,cpu-num=0)
 *              +-----------------------------+
 */
#ifndef HYP_FIXTURE_H
#define HYP_FIXTURE_H

#define FIXTURE_BASE         0x48000000 /* start of the fixture's own RAM */
#define GUEST_ENTRY_SLOT     0x48000000 /* 32-bit LE guest entry; 0 = default */
#define FIXTURE_FLAGS_SLOT   0x48000004 /* 32-bit LE option bits; 0 = default */
/*
 * FIXTURE_SEL4_LIKE: behave like the seL4 VMM at every point a debugger
 * relies on (hvprobe's sel4 backend): the UART page is not mapped at start
 * but on demand at the guest's first access ("OnDemandInstall: ..."), a
 * trap the fixture resolves before the one it reports; and after the
 * report the CPU does not park in Hyp mode but runs a "VMM thread" in
 * Non-secure User mode with HCR.TGE=1 whose system calls (SVC) enter the
 * same Hyp trap vector as the guest's traps.  Set it with
 *   -device loader,addr=0x48000004,data=1,data-len=4
 */
#define FIXTURE_SEL4_LIKE    0x1
#define TRAP_RECORD          0x48000100 /* struct trap_record, see below */
#define FIXTURE_IMAGE_BASE   0x48001000 /* link address of hyp-fixture.elf */

#define GUEST_ENTRY_DEFAULT  0x40000000 /* tiny-*-virt guests start here */
#define GUEST_RAM_BASE       0x40000000 /* IPA (and PA) of the guest's RAM */
#define GUEST_RAM_SIZE       0x01000000 /* 16 MiB: 8 x 2 MiB stage-2 blocks */

#define GIC_BASE             0x08000000 /* GICv2 distributor (64 KiB) ... */
#define GIC_SIZE             0x00020000 /* ... + CPU interface at 0x08010000 */
#define UART_BASE            0x09000000 /* PL011 UART0, one 4 KiB page */
#define UART_SIZE            0x00001000

/*
 * The trap record: on every trap from the guest the fixture stores what it
 * reports here, as 32-bit little-endian words, magic last -- so a capture
 * can read the guest's state with a physical memory read (xp / pmemsave)
 * even though QEMU's gdbstub exposes neither ELR_hyp, SPSR_hyp nor the
 * guest's banked SP/LR.  Word offsets:
 *
 *    0 magic TRAP_MAGIC ("HYPF")   8-20 guest r0-r12
 *    1 HSR      2 HIFAR            21   guest sp  (banked for its mode)
 *    3 HDFAR    4 HPFAR            22   guest lr  (banked for its mode)
 *    5 IPA[31:0] (0 if not an abort)
 *    6 guest pc (ELR_hyp)  7 guest cpsr (SPSR_hyp)
 */
#define TRAP_MAGIC           0x46505948 /* bytes 'H' 'Y' 'P' 'F' */
#define TRAP_RECORD_WORDS    23

/* How the guest is entered: Non-secure SVC mode (M=0b10011) with the A, I
 * and F bits set (asynchronous aborts, IRQ, FIQ masked), ARM state. */
#define GUEST_SPSR           0x1d3

#endif
