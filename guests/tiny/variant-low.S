/*
 * low: leave the vector base at its reset value.  SCTLR.V=0 and VBAR=0, so
 * SVC fetches its handler from 0x8 -- which is not this image (that is at
 * RAM_BASE) but whatever the board maps at 0x0:
 *
 *   vexpress-a9: NOR flash alias (no -pflash file: zero-filled).  The CPU
 *                executes 0x00000000 = 'andeq r0,r0,r0' from 0x8 onwards
 *                and slides through flash; svc_handler never runs.
 *   virt:        QEMU's loader writes the generated device tree blob to
 *                0x0 (into the flash) because this ELF occupies the start
 *                of RAM, where a non-Linux ELF's DTB would otherwise go
 *                (measured: link the same image at 0x40100000 and the DTB
 *                lands at 0x40000000 instead, 0x0 reads zeros).  The
 *                magic 0xd00dfeed is big-endian: as a word, 0xedfe0dd0.  The CPU executes the DTB header as code: from 0x8
 *                'andmi', 'andlo', ..., then 0x0c1b0000 at 0x24 is UNDEFINED
 *                -> Undefined Instruction vector 0x4 -> the same words again:
 *                it loops in und32 between 0x4 and 0x24 for ever.
 */
        .macro  variant_setup
        .endm
