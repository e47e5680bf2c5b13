/* stuck.h - watch a running guest for being stuck or about to disappear
 * (run --when-stuck, --on-exit), so it is captured before the evidence
 * is gone.  Conditions:
 *   spin      the PC stays in a 256-byte window for the whole period
 *             (sampled through the gdbstub every 100 ms)
 *   slide     every PC sampled holds 0x00000000 and the PC only rises:
 *             the CPU executes zero-filled memory (vexpress flash at 0x0)
 *   wfi       the PC stays at a WFI with IRQs masked (CPSR.I=1)
 *   storm     the same fault (exception, fault address) is taken 3+ times
 *             a second for the whole period (from QEMU's -d int log)
 * All of them also need the serial output quiet for the period.
 *   poweroff, reset, panic   the guest asked QEMU to end (QEMU holds it
 *             with -no-shutdown -no-reboot; seen on QMP)
 * When one fires the guest is left halted for the capture. */
#ifndef HVP_SESSION_STUCK_H
#define HVP_SESSION_STUCK_H

#include "hvprobe/error.h"
#include "hvprobe/launch.h"
#include "hvprobe/snapshot.h"

typedef struct hvp_stuck hvp_stuck;

/* stuck_s > 0: watch for spin, slide, wfi and storm (storm needs
 * gi->trace); on_exit: watch for the end.  Opens the gdbstub (stuck_s)
 * and QMP (on_exit) channels, which it holds until it fires or ends.
 * start: the guest waits halted (QEMU -S) so that QMP sees its end even
 * when it comes at once: start it. */
int hvp_stuck_begin(const hvp_guest_info *gi, double stuck_s, int on_exit, int start, hvp_stuck **out,
                    hvp_error *err);

/* 1 when a condition fired (the guest is halted and the channels are
 * released), 0 not yet, < 0 a channel error.  serial_total: the bytes of
 * serial output so far (a guest that prints is not stuck). */
int hvp_stuck_poll(hvp_stuck *s, uint64_t serial_total, hvp_error *err);

/* What fired: the condition's name ("spin", ...), and a sentence. */
const char *hvp_stuck_condition(const hvp_stuck *s);
const char *hvp_stuck_how(const hvp_stuck *s);

/* Record what fired in the snapshot's context.condition. */
int hvp_stuck_annotate(const hvp_stuck *s, hvp_snapshot *snap, hvp_error *err);

void hvp_stuck_end(hvp_stuck *s);

#endif
