/*
 * kvm_nested.h - the kvm-nested backend: real Linux KVM on any host.
 *
 * The child process is an outer qemu-system-aarch64 (TCG, virt with
 * virtualization=on and GICv3, cortex-a57) booting the cached arm64 KVM
 * host (backends/kvm_host.h).  The guest image and a /guest/run script
 * go in as a second cpio archive appended to the cached initramfs at run
 * time (the kernel unpacks concatenated archives), so nothing is rebuilt
 * per image.  /guest/run starts the inner
 *   qemu-system-aarch64 -enable-kvm -M virt -cpu host,aarch64=off
 * whose QMP, HMP and gdbstub listen in the host and are forwarded by the
 * outer QEMU's user-mode network (restrict=on: no other traffic) to
 * 127.0.0.1 ports on this machine, and whose serial goes to a virtio
 * console that the outer QEMU writes to a file in the runtime directory.
 *
 * Known facts of this setup (QEMU 7.2, measured): the inner gdbstub shows
 * an AArch64 register view of the aarch64=off vCPU (x0-x30, wrong cpsr)
 * and gdb software breakpoints would write AArch64 BRK into the 32-bit
 * guest.  Capture still works through all three channels: with no r0-r15
 * in the gdbstub it takes the core registers from `info registers` (the
 * correct 32-bit view) and the CP15 registers from the gdbstub's system
 * registers (synchronised from KVM).  Breakpoint triggers use hardware
 * breakpoints (Z1), which KVM implements with the CPU's breakpoint
 * registers.  Timers run late under nested KVM.
 */
#ifndef HVP_BACKENDS_KVM_NESTED_H
#define HVP_BACKENDS_KVM_NESTED_H

#include "backends/qemu.h"
#include "hvprobe/launch.h"
#include "hvprobe/snapshot.h"

/* Like hvp_run_plan() for backend "kvm-nested": q->nested is set.
 * HVP_E_UNSUPPORTED when the host is not prepared (the message says
 * `hvprobe kvm-host build`) or qemu-system-aarch64 is missing. */
int hvp_kvm_nested_plan(const hvp_run_opts *o, const hvp_host *h, hvp_qemu *q, char ***argv, hvp_error *err);

/* After hvp_qemu_spawn(): wait until the host booted and the inner QEMU's
 * QMP answers.  `ev` (may be NULL) gets progress lines and is asked
 * whether to give up.  HVP_E_TARGET when the host or the inner QEMU
 * failed (the message quotes the host's console), HVP_E_TIMEOUT after
 * timeout_ms, HVP_E_CANCELLED. */
int hvp_kvm_nested_wait(hvp_qemu *q, int timeout_ms, const hvp_launch_events *ev, hvp_error *err);

/* The host's "ready" line facts: seconds to /init's readiness, and the
 * host CPU's MIDR_EL1 (what KVM presents to the guest).  0 if known. */
int hvp_kvm_nested_host_facts(const hvp_qemu *q, double *ready_s, uint64_t *midr);

/* Record in a snapshot taken from this backend what proves and qualifies
 * the KVM run: the guest's MIDR (as cp15 "MIDR") and a note (raw entry,
 * channel "hvprobe", command "kvm-nested"). */
int hvp_kvm_nested_annotate(const hvp_qemu *q, hvp_snapshot *s, hvp_error *err);

#endif
