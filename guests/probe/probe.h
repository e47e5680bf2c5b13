/*
 * probe.h - the matrix probe's build choices (guests/probe/probe.c):
 *   -DPROBE_EXC=EXC_...     the one exception the probe takes
 *   -DPROBE_PLACE=PLACE_... where its vector table is (or is not)
 * The names match `hvprobe matrix`'s rows (exception.placement).
 */
#ifndef PROBE_H
#define PROBE_H

#define EXC_SVC     1
#define EXC_UNDEF   2
#define EXC_PABT    3
#define EXC_DABT    4
#define EXC_IRQ     5
#define EXC_FIQ     6
#define EXC_SERROR  7

#define PLACE_VBAR  1   /* VBAR := the image's table                        */
#define PLACE_HIGH  2   /* SCTLR.V=1, MMU maps a copy of the table at 0xffff0000 */
#define PLACE_LOW   3   /* VBAR left at 0, MMU off: whatever the board has at 0 */
#define PLACE_MMU   4   /* VBAR 0, MMU on with VA 0 unmapped                */
#define PLACE_S2    5   /* VBAR 0, the probe's own Hyp maps nothing at IPA 0 */

#ifndef PROBE_EXC
#error "build with -DPROBE_EXC=EXC_..."
#endif
#ifndef PROBE_PLACE
#error "build with -DPROBE_PLACE=PLACE_..."
#endif

/* How long an interrupt probe waits, unmasked, before it says the
 * interrupt never came: on virt 2 s of the generic timer's virtual count
 * (real time under TCG and KVM alike); on vexpress-a9, which has no such
 * counter at PL1, PROBE_WAIT_LOOPS turns of a loop (about 1 s of TCG). */
#define PROBE_WAIT_S     2
#define PROBE_WAIT_LOOPS 200000000

#endif
