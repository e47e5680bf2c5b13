/*
 * hvprobe/hvprobe.h - the umbrella header of libhvprobe.
 *
 *   #include <hvprobe/hvprobe.h>      cc ... $(pkg-config --cflags --libs hvprobe)
 *
 * What the library offers (each header documents ownership, errors and
 * thread-safety):
 *   error.h     status codes and the hvp_error every call can fill
 *   snapshot.h  the snapshot model; load/save its versioned JSON
 *   capture.h   capture a live QEMU through QMP / HMP / gdbstub addresses
 *   analysis.h  where each exception goes and a verdict per vector
 *   compare.h   compare snapshots: table, diagnosis, expectations
 *   dump.h      guest memory to a file
 *   report.h    one HTML or Markdown report of snapshots (maps, vectors, diagnosis)
 *   trace.h     read a QEMU -d int or seL4 serial log: faults, loops, timeline
 *   host.h      what this host can run: KVM, QEMU, a verdict per backend
 *   launch.h    run a guest under a backend (tcg, kvm, kvm-nested, fixture)
 *               with private debug channels; capture it
 *   debug.h     halt, resume, breakpoints (address, symbol, exception
 *               vectors) and stops through a gdbstub
 *   kvmhost.h   the cached arm64 KVM host of the kvm-nested backend
 *   text.h      prose wrapped for a terminal, as compare prints it
 * The library never prints and never exits; functions return HVP_OK or a
 * negative HVP_E_* code.  Distinct objects may be used from distinct
 * threads; one object must not be used from two threads at once.
 */
#ifndef HVPROBE_HVPROBE_H
#define HVPROBE_HVPROBE_H

#include "hvprobe/error.h"
#include "hvprobe/snapshot.h"
#include "hvprobe/capture.h"
#include "hvprobe/analysis.h"
#include "hvprobe/compare.h"
#include "hvprobe/dump.h"
#include "hvprobe/report.h"
#include "hvprobe/trace.h"
#include "hvprobe/backend.h"
#include "hvprobe/host.h"
#include "hvprobe/launch.h"
#include "hvprobe/debug.h"
#include "hvprobe/session.h"
#include "hvprobe/kvmhost.h"
#include "hvprobe/text.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The library's version, e.g. "0.2.0" (static string). */
const char *hvp_version(void);

#ifdef __cplusplus
}
#endif
#endif
