/*
 * sel4.c - the sel4 backend: a seL4 system image (the elfloader ELF with
 * its CPIO archive: the kernel, its DTB, the root server, the components
 * and the guest) on QEMU with the options seL4's build uses for the
 * platform the image was built for.  The platform is read from the image,
 * not assumed: the ELF machine (32-bit ARM: arm_hyp) and the DTB in the
 * archive (QEMU virt: compatible "linux,dummy-virt"; its CPU's
 * compatible gives -cpu).  QEMU is
 *   qemu-system-arm -machine virt,virtualization=on,highmem=off,secure=off
 *                   -cpu cortex-a15 -m 2048M -kernel IMAGE
 * with the debug channels of every backend.
 *
 * Guest traps: seL4 (arm_hyp) enters the same Hyp vector for its own
 * threads' system calls as for a guest's traps, so hvprobe does not stop
 * there; it stops where the kernel handles an abort
 * (c_handle_instruction_fault, c_handle_data_fault) or a vCPU fault
 * (c_handle_vcpu_fault, HVC and WFI), found in the kernel's symbols (the
 * image holds a stripped kernel: kernel.elf beside the image, or
 * --hyp-symbols), and keeps the stop only when the trapped thread is a
 * vCPU: HCR.TGE=0 (seL4 runs its own threads with TGE=1).  The guest's
 * registers at the trap are the ones seL4 saved in the current TCB
 * (ksCurThread -> tcbContext.registers[], the kernel's `register` enum:
 * r0-r12 0-12, SP 13, LR 14, NextIP 15, CPSR 16, FaultIP 17).
 */
#include "backends/backend.h"
#include "elf/elf_image.h"
#include "util/cpio.h"
#include "util/le.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What the image says about itself. */
typedef struct sel4_image {
    int elfclass, arm, a64;
    int have_kernel, have_dtb;
    char platform[64];      /* the DTB's root compatible */
    char cpu[64];           /* "cortex-a15" from "arm,cortex-a15" */
} sel4_image;

/* A string in the DTB blob that starts with `prefix` and continues with
 * `digits_only` ? only digits : anything (property values are
 * NUL-terminated strings; a plain search is enough for compatibles:
 * "arm,cortex-a15" is the CPU, "arm,cortex-a15-gic" its GIC). */
static int dtb_string(const unsigned char *d, size_t n, const char *prefix, int digits_only, char *out, size_t on)
{
    size_t pl = strlen(prefix);
    for (size_t i = 0; i + pl < n; i++) {
        if (memcmp(d + i, prefix, pl))
            continue;
        size_t l = strnlen((const char *)d + i, n - i), k = pl;
        while (digits_only && k < l && d[i + k] >= '0' && d[i + k] <= '9')
            k++;
        if (digits_only && (k != l || k == pl))
            continue;
        snprintf(out, on, "%.*s", (int)l, (const char *)d + i);
        return 1;
    }
    return 0;
}

static int inspect(const char *path, sel4_image *si, hvp_error *err)
{
    memset(si, 0, sizeof *si);
    FILE *f = fopen(path, "rb");
    if (!f)
        return hvp_fail(err, HVP_E_INPUT, "cannot open image '%s': %s", path, strerror(errno));
    unsigned char *buf = NULL;
    size_t n = 0, cap = 0, r;
    do {
        if (n + 65536 > cap) {
            unsigned char *nb = realloc(buf, cap = cap ? cap * 2 : 1 << 20);
            if (!nb) {
                free(buf);
                fclose(f);
                return hvp_fail(err, HVP_E_NOMEM, "out of memory");
            }
            buf = nb;
        }
    } while ((r = fread(buf + n, 1, cap - n, f)) > 0 && (n += r) < (256u << 20));
    fclose(f);
    int rc = HVP_OK;
    if (n < 20 || memcmp(buf, "\177ELF", 4))
        rc = hvp_fail(err, HVP_E_INPUT, "'%s' is not a seL4 system image: not an ELF file (give the image seL4's "
                      "build writes to images/, e.g. capdl-loader-image-arm-qemu-arm-virt)", path);
    if (!rc) {
        si->elfclass = buf[4] == 2 ? 64 : 32;
        si->arm = buf[18] == 40 && buf[19] == 0;   /* e_machine EM_ARM (little-endian) */
        si->a64 = buf[18] == 183 && buf[19] == 0;  /* EM_AARCH64 */
        const unsigned char *k, *dtb;
        size_t kl, dl;
        si->have_kernel = hvp_cpio_find(buf, n, "kernel.elf", &k, &kl);
        si->have_dtb = hvp_cpio_find(buf, n, "kernel.dtb", &dtb, &dl);
        if (si->have_dtb) {
            if (dl < 4 || memcmp(dtb, "\xd0\x0d\xfe\xed", 4))
                si->have_dtb = 0;
            else {
                dtb_string(dtb, dl, "linux,dummy-virt", 0, si->platform, sizeof si->platform);
                char c[64];
                if (dtb_string(dtb, dl, "arm,cortex-a", 1, c, sizeof c))
                    snprintf(si->cpu, sizeof si->cpu, "%.31s", c + 4);
            }
        }
        if (!si->have_kernel)
            rc = hvp_fail(err, HVP_E_INPUT, "'%s' is not a seL4 system image: it holds no archive with kernel.elf "
                          "(seL4's elfloader image from the build's images/ folder is expected)", path);
        else if (si->a64)
            rc = hvp_fail(err, HVP_E_ARCH, "'%s' is a seL4 image for AArch64: the sel4 backend runs 32-bit ARM "
                          "(arm_hyp) images", path);
        else if (si->elfclass == 64 || !si->arm)
            rc = hvp_fail(err, HVP_E_INPUT, "'%s' is a seL4 image for another architecture: the sel4 backend runs "
                          "32-bit ARM (arm_hyp) images", path);
        else if (!si->platform[0])
            rc = hvp_fail(err, HVP_E_INPUT, "'%s' is a seL4 image for another platform (its DTB is not QEMU "
                          "virt's, compatible \"linux,dummy-virt\"): the sel4 backend runs qemu-arm-virt images",
                          path);
    }
    free(buf);
    return rc;
}

/* kernel.elf beside the image (seL4's build keeps it in kernel/ of the
 * build tree; the user's folder has it beside the image). */
static void default_symbols(const char *image, char *out, size_t n)
{
    const char *slash = strrchr(image, '/');
    int dl = slash ? (int)(slash - image) : 1;
    snprintf(out, n, "%.*s/kernel.elf", dl, slash ? image : ".");
}

static int sel4_plan(const hvp_launch_opts *o, const hvp_host *h, hvp_qemu *q, char ***argv, hvp_error *err)
{
    int rc;
    if (!o->image)
        return hvp_fail(err, HVP_E_INVAL, "no image given");
    sel4_image si;
    if ((rc = inspect(o->image, &si, err)))
        return rc;
    hvp_qemu_spec spec = {
        .backend = "sel4", .tool = HVP_TOOL_QEMU_ARM,
        .machine_arg = "virt,virtualization=on,highmem=off,secure=off",
        .cpu = si.cpu[0] ? si.cpu : "cortex-a15", .memory = "2048M", .elf_only = 1,
    };
    if ((rc = hvp_qemu_plan(&spec, o, h, q, argv, err)))
        return rc;
    if (o->hyp_symbols)
        snprintf(q->symbols, sizeof q->symbols, "%s", o->hyp_symbols);
    else
        default_symbols(o->image, q->symbols, sizeof q->symbols);
    return HVP_OK;
}

static void sel4_judge(const hvp_host *h, hvp_backend_verdict *v)
{
    hvp_qemu_judge(h, HVP_TOOL_QEMU_ARM,
                   "seL4 system images for qemu-arm-virt (arm_hyp) under QEMU TCG with virtualization=on", 0, v);
    snprintf(v->run, sizeof v->run, "hvprobe run SEL4-IMAGE --backend sel4 --capture snap.json");
}

/* The kernel's handlers, by trap kind. */
static int sel4_trap_points(const hvp_qemu *q, hvp_trap_kind kind, uint64_t *pcs, size_t max, size_t *n,
                            hvp_error *err)
{
    static const struct { const char *sym; unsigned kinds; } handlers[] = {
        { "c_handle_instruction_fault", 1u << HVP_TRAP_FAULT | 1u << HVP_TRAP_PABT | 1u << HVP_TRAP_ANY },
        { "c_handle_data_fault", 1u << HVP_TRAP_FAULT | 1u << HVP_TRAP_DABT | 1u << HVP_TRAP_ANY },
        { "c_handle_vcpu_fault", 1u << HVP_TRAP_HVC | 1u << HVP_TRAP_WFI | 1u << HVP_TRAP_ANY },
    };
    *n = 0;
    if (access(q->symbols, R_OK))
        return hvp_fail(err, HVP_E_INPUT, "guest-trap triggers need the seL4 kernel's symbols: %s is not readable "
                        "(the image holds a stripped kernel; give the build's kernel/kernel.elf with --hyp-symbols)",
                        q->symbols);
    for (size_t i = 0; i < sizeof handlers / sizeof handlers[0] && *n < max; i++) {
        if (!(handlers[i].kinds & 1u << kind))
            continue;
        int rc = hvp_elf_symbol_addr(q->symbols, handlers[i].sym, &pcs[*n], err);
        if (rc)
            return rc == HVP_E_INVAL ? hvp_fail(err, HVP_E_INPUT, "%s has no symbol %s: is it the kernel of this "
                                                "seL4 image (arm_hyp)?", q->symbols, handlers[i].sym) : rc;
        ++*n;
    }
    return HVP_OK;
}

/* The trapped thread's registers as seL4 saved them: ksCurThread points
 * at its TCB, whose first words are tcbContext.registers[] (arm_hyp,
 * 32-bit: r0-r12, SP, LR, NextIP, CPSR, FaultIP). */
static int sel4_guest_regs(const hvp_qemu *q, hvp_debug *d, uint64_t regs[16], uint64_t *cpsr, char *how,
                           size_t hown, hvp_error *err)
{
    uint64_t cur;
    int rc = hvp_elf_symbol_addr(q->symbols, "ksCurThread", &cur, err);
    uint8_t p[4] = { 0 }, ctx[17 * 4];
    if (!rc)
        rc = hvp_debug_read_mem(d, cur, 4, p, err);
    uint32_t tcb = hvp_le32(p);
    if (!rc)
        rc = hvp_debug_read_mem(d, tcb, sizeof ctx, ctx, err);
    if (rc)
        return rc;
    for (int i = 0; i < 16; i++)    /* [15] is NextIP: for an abort, the faulting PC */
        regs[i] = hvp_le32(ctx + 4 * i);
    *cpsr = hvp_le32(ctx + 4 * 16);
    snprintf(how, hown, "the guest's registers are the ones seL4 saved in the trapped vCPU thread's TCB "
             "(ksCurThread 0x%08llx -> TCB 0x%08x: registers[0..16], NextIP as pc; sp and lr are its "
             "user/system-mode copies)", (unsigned long long)cur, tcb);
    return HVP_OK;
}

/* camkes-vm's VM_Arm, built with VmOnDemandDeviceInstall (its default):
 * unhandled_mem_fault_callback() maps any faulting page on demand (a
 * device frame at that address, else fresh RAM) except address 0's
 * page, for which it returns FAULT_ERROR, and the fault is reported. */
static void sel4_fault_policy(uint64_t ipa, size_t nresolved, char *out, size_t n)
{
    const char *seen = nresolved ? "as it did earlier in this run" : "if built so; no earlier trap shows it";
    if (ipa < 0x1000)
        snprintf(out, n, "the seL4 VMM (VmOnDemandDeviceInstall) maps any page the guest touches on demand (%s) "
                 "except page 0; IPA 0x%llx is in page 0, so it reports the fault and stops the VM", seen,
                 (unsigned long long)ipa);
    else
        snprintf(out, n, "the seL4 VMM (VmOnDemandDeviceInstall) maps any page the guest touches on demand (%s) "
                 "except page 0; IPA 0x%llx is not in page 0, yet it could not map it", seen,
                 (unsigned long long)ipa);
}

static const char *const sel4_machines[] = { "virt", NULL };

const hvp_backend hvp_backend_sel4 = {
    .d = {
        .name = "sel4",
        .summary = "a seL4 system image (arm_hyp, qemu-arm-virt) with its VMM and guest, under QEMU TCG",
        .help = "a seL4 system image (the elfloader image of a seL4/CAmkES VM build for\n"
                "qemu-arm-virt, arm_hyp) on QEMU virt with virtualization=on, as seL4's build\n"
                "runs it. --capture without a trigger captures the guest at the trap the VMM\n"
                "reports (--at-guest-trap fault); the kernel's symbols come from kernel.elf\n"
                "beside the image (or --hyp-symbols FILE)\n",
        .machines = sel4_machines,
        .flags = HVP_BACKEND_ELF_ONLY | HVP_BACKEND_GUEST_TRAPS | HVP_BACKEND_SYSTEM_IMAGE,
        .cannot = "the guest cannot be given directly: it is inside the image",
    },
    .plan = sel4_plan,
    .judge = sel4_judge,
    .trap_points = sel4_trap_points,
    .guest_regs = sel4_guest_regs,
    .report_text = "Pagefault from [",
    .resolve_text = "OnDemandInstall: ",
    .fault_policy = sel4_fault_policy,
    .thread_note = "seL4 runs its own user threads (the VMM among them) with HCR.TGE=1: the CPU is in a seL4 "
                   "thread, not in the guest",
};
