/* fixture.c - the fixture backend: guests/hyp-fixture, a minimal ARMv7
 * Hyp-mode hypervisor with the seL4 VMM's stage-2 policy (nothing mapped
 * at IPA 0), on qemu-system-arm -M virt,virtualization=on -cpu cortex-a15.
 * guests/hyp-fixture/run-fixture documents the argument list. */
#include "backends/backend.h"
#include "elf/elf_image.h"
#include "util/le.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The guest is QEMU's -kernel (so the DTB lands where it would without
 * the fixture), the fixture is loaded by the generic loader and takes CPU
 * 0's reset PC, and the guest's entry point goes into the fixture's boot
 * parameter word at 0x48000000. */
static void fixture_load_words(const hvp_launch_opts *o, uint64_t entry, hvp_argv *a, int bytes)
{
    char esc[4096];
    hvp_argv_push(a, "-kernel");
    hvp_argv_push(a, "%s", o->image);
    hvp_argv_push(a, "-device");
    hvp_argv_push(a, "loader,file=%s,cpu-num=0", hvp_qemu_opt_escape(o->fixture_elf, esc, sizeof esc));
    hvp_argv_push(a, "-device");
    hvp_argv_push(a, "loader,addr=0x48000000,data=0x%llx,data-len=%d", (unsigned long long)entry, bytes);
}

static void fixture_load(const hvp_launch_opts *o, uint64_t entry, hvp_argv *a)
{
    fixture_load_words(o, entry, a, 4);
}

/* AArch64 (guests/a64-fixture): the same layout, a 64-bit entry word. */
static void fixture_load64(const hvp_launch_opts *o, uint64_t entry, hvp_argv *a)
{
    fixture_load_words(o, entry, a, 8);
}

static int fixture_plan(const hvp_launch_opts *o, const hvp_host *h, hvp_qemu *q, char ***argv, hvp_error *err)
{
    static const hvp_qemu_spec spec = {
        .backend = "fixture", .tool = HVP_TOOL_QEMU_ARM, .machine_arg = "virt,virtualization=on",
        .memory = "256M", .elf_only = 1, .load = fixture_load,
    };
    static const hvp_qemu_spec spec64 = {
        .backend = "fixture", .tool = HVP_TOOL_QEMU_AARCH64, .machine_arg = "virt,virtualization=on",
        .memory = "256M", .elf_only = 1, .load = fixture_load64, .a64 = 1,
    };
    /* An AArch64 guest runs under the AArch64 fixture, a64-fixture.elf,
     * found beside the 32-bit one unless the given hypervisor is one. */
    int a64 = o->image && hvp_image_is_a64(o->image);
    char path[4096];
    hvp_launch_opts lo = *o;
    if (a64 && o->fixture_elf && !hvp_image_is_a64(o->fixture_elf)) {
        const char *slash = strrchr(o->fixture_elf, '/');
        snprintf(path, sizeof path, "%.*sa64-fixture.elf", slash ? (int)(slash - o->fixture_elf + 1) : 0,
                 o->fixture_elf);
        lo.fixture_elf = path;
    }
    if (!lo.fixture_elf || access(lo.fixture_elf, R_OK))
        return hvp_fail(err, HVP_E_INPUT, "the fixture backend needs the hypervisor image %s (build it with make)",
                        lo.fixture_elf ? lo.fixture_elf : "hyp-fixture.elf");
    int rc = hvp_qemu_plan(a64 ? &spec64 : &spec, &lo, h, q, argv, err);
    if (!rc)
        snprintf(q->symbols, sizeof q->symbols, "%s", lo.fixture_elf);
    return rc;
}

/* Every guest trap goes through vmm_trap_recorded(rec), called right after
 * the fixture wrote its trap record (guests/hyp-fixture/vmm.c). */
static int fixture_trap_points(const hvp_qemu *q, hvp_trap_kind kind, uint64_t *pcs, size_t max, size_t *n,
                               hvp_error *err)
{
    (void)kind;
    *n = 0;
    if (!max)
        return HVP_OK;
    int rc = hvp_elf_symbol_addr(q->symbols, "vmm_trap_recorded", &pcs[0], err);
    if (rc)
        return rc == HVP_E_INVAL ? hvp_fail(err, HVP_E_INPUT, "%s has no symbol vmm_trap_recorded: rebuild the "
                                            "fixture (make)", q->symbols) : rc;
    *n = 1;
    return HVP_OK;
}

/* The trap record at the first argument of vmm_trap_recorded.
 * guests/hyp-fixture/fixture.h (AArch32): 32-bit words, 0 magic "HYPF",
 * 6 pc (ELR_hyp), 7 cpsr (SPSR_hyp), 8-20 r0-r12, 21 sp and 22 lr banked
 * for the guest's mode.  guests/a64-fixture/fixture.h (AArch64): 64-bit
 * words, 0 magic "A64FIXTR", 1-31 x0-x30, 32 ELR_EL2, 33 SPSR_EL2, 37 the
 * guest's SP; given as x0-x12, sp, x30 (the link register) and pc. */
static int fixture_guest_regs(const hvp_qemu *q, hvp_debug *d, uint64_t regs[16], uint64_t *cpsr, char *how,
                              size_t hown, hvp_error *err)
{
    (void)q;
    static const char *const arg0[] = { "r0", "x0" };
    uint64_t at[2] = { 0, 0 };
    int ok[2] = { 0, 0 };
    uint8_t rec[39 * 8];
    int rc = hvp_debug_read_regs(d, arg0, 2, at, ok, err);
    if (!rc && !ok[0] && !ok[1])
        rc = hvp_fail(err, HVP_E_UNSUPPORTED, "the gdbstub shows neither r0 nor x0");
    int a64 = !ok[0];
    if (!rc)
        rc = hvp_debug_read_mem(d, at[a64], a64 ? 39 * 8 : 23 * 4, rec, err);
    if (rc)
        return rc;
    if (a64) {
        if (hvp_le64(rec) != 0x5254584946343641ull)
            return hvp_fail(err, HVP_E_TARGET, "no AArch64 trap record at 0x%llx (magic 0x%016llx): is this "
                            "a64-fixture?", (unsigned long long)at[1], (unsigned long long)hvp_le64(rec));
        for (int i = 0; i < 13; i++)
            regs[i] = hvp_le64(rec + 8 * (1 + i));
        regs[13] = hvp_le64(rec + 8 * 37);
        regs[14] = hvp_le64(rec + 8 * 31);
        regs[15] = hvp_le64(rec + 8 * 32);
        *cpsr = hvp_le64(rec + 8 * 33) & 0xffffffffu;
        snprintf(how, hown, "the guest's registers are the AArch64 fixture's trap record at 0x%llx (x0-x12, its "
                 "SP, x30, ELR_EL2 as pc, SPSR_EL2 as pstate)", (unsigned long long)at[1]);
        return HVP_OK;
    }
    if (hvp_le32(rec) != 0x46505948)
        return hvp_fail(err, HVP_E_TARGET, "no trap record at 0x%08llx (magic 0x%08x): is this hyp-fixture?",
                        (unsigned long long)at[0], hvp_le32(rec));
    for (int i = 0; i < 13; i++)
        regs[i] = hvp_le32(rec + 4 * (8 + i));
    regs[13] = hvp_le32(rec + 4 * 21);
    regs[14] = hvp_le32(rec + 4 * 22);
    regs[15] = hvp_le32(rec + 4 * 6);
    *cpsr = hvp_le32(rec + 4 * 7);
    snprintf(how, hown, "the guest's registers are the fixture's trap record at 0x%08llx (ELR_hyp as pc, "
             "SPSR_hyp as cpsr, sp and lr banked for the guest's mode)", (unsigned long long)at[0]);
    return HVP_OK;
}

static void fixture_judge(const hvp_host *h, hvp_backend_verdict *v)
{
    hvp_qemu_judge(h, HVP_TOOL_QEMU_ARM, "stage-2 hypervisor fixture under QEMU TCG (virt, virtualization=on)", 0, v);
}

/* guests/hyp-fixture/vmm.c: stage 2 maps guest RAM, the GIC and the
 * UART; in its seL4-like mode the UART page only on demand. */
static void fixture_fault_policy(uint64_t ipa, size_t nresolved, char *out, size_t n)
{
    snprintf(out, n, "the fixture's stage 2 maps guest RAM, the GIC and the UART%s, nothing else: any other "
             "stage-2 fault (IPA 0x%llx here) is reported and stops the guest",
             nresolved ? " (the UART page on demand, as this run shows)" : "", (unsigned long long)ipa);
}

static const char *const fixture_machines[] = { "virt", NULL };

const hvp_backend hvp_backend_fixture = {
    .d = {
        .name = "fixture",
        .summary = "a stage-2 hypervisor that maps nothing at IPA 0, like the seL4 VMM (QEMU TCG)",
        .help = "a stage-2 hypervisor (guests/hyp-fixture) that maps no memory at IPA 0,\n"
                "like the seL4 VMM, on QEMU virt with virtualization=on\n",
        .machines = fixture_machines,
        .flags = HVP_BACKEND_ELF_ONLY | HVP_BACKEND_GUEST_TRAPS,
    },
    .plan = fixture_plan,
    .judge = fixture_judge,
    .trap_points = fixture_trap_points,
    .guest_regs = fixture_guest_regs,
    .report_text = "Pagefault from [",
    .resolve_text = "OnDemandInstall: ",
    .fault_policy = fixture_fault_policy,
};
