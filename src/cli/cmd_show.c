/* cmd_show.c - `hvprobe show`: a readable summary of one snapshot. */
#include "cli/cli.h"
#include "hvprobe/snapshot.h"

#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char help[] =
    "usage: hvprobe show [--json] SNAP.json\n"
    "\n"
    "Print what a snapshot holds: where and how it was taken (channels, QEMU,\n"
    "machine, accelerator, run state), the CPU mode and security state, the\n"
    "registers that choose the vector base (SCTLR.V, VBAR and its banks), the\n"
    "first eight words at every address read (virtual and physical, with\n"
    "'unreadable' distinct from zero), the memory-map regions that hold 0x0, the\n"
    "image, the RAM images saved beside it (capture --save-ram: whether each file is\n"
    "there with the recorded size), and every field the capture could not fill.\n"
    "\n"
    "  --json   print the snapshot as hvprobe reads it (normalised JSON)\n"
    "\n"
    "Example:  hvprobe show tcg.json\n"
    "Exit: 0 shown, 2 the file is missing or not a valid snapshot.\n";

static const char *tri_s(int v, const char *yes, const char *no)
{
    return v == HVP_YES ? yes : v == HVP_NO ? no : "unknown";
}

static const char *or_unknown(const char *s)
{
    return s ? s : "unknown";
}

static void show_cpu(const hvp_snapshot *s)
{
    const hvp_cpu_state *c = &s->cpu;
    if (!c->have_core) {
        printf("cpu         unknown (no core registers)\n");
        return;
    }
    if (s->arch == HVP_ARCH_AARCH64) {
        uint32_t p = c->pstate;
        printf("cpu         %s, %s%s%s%s, AArch64\n", hvp_a64_mode_name(p),
               c->secure == HVP_YES ? "Secure" : c->secure == HVP_NO ? "Non-secure" : "security state unknown",
               c->secure_source ? " (from " : "", c->secure_source ? c->secure_source : "",
               c->secure_source ? ")" : "");
        printf("            pc 0x%016llx  sp 0x%016llx  x30 0x%016llx\n            pstate 0x%08x [%c%c%c%c "
               "%c%c%c%c]\n", (unsigned long long)c->pc, (unsigned long long)c->sp, (unsigned long long)c->x[30],
               p, (p >> 31) & 1 ? 'N' : 'n', (p >> 30) & 1 ? 'Z' : 'z', (p >> 29) & 1 ? 'C' : 'c',
               (p >> 28) & 1 ? 'V' : 'v', (p >> 9) & 1 ? 'D' : 'd', (p >> 8) & 1 ? 'A' : 'a',
               (p >> 7) & 1 ? 'I' : 'i', (p >> 6) & 1 ? 'F' : 'f');
        printf("            registers from %s\n", or_unknown(c->source));
        return;
    }
    uint32_t p = c->cpsr;
    printf("cpu         %s, %s%s%s%s, %s state\n", hvp_arm_mode_name(p),
           c->secure == HVP_YES ? "Secure" : c->secure == HVP_NO ? "Non-secure" : "security state unknown",
           c->secure_source ? " (from " : "", c->secure_source ? c->secure_source : "",
           c->secure_source ? ")" : "", (p >> 5) & 1 ? "Thumb" : "ARM");
    printf("            pc 0x%08x  lr 0x%08x  sp 0x%08x  cpsr 0x%08x [%c%c%c%c %s%s%s]\n",
           c->r[15], c->r[14], c->r[13], p, (p >> 31) & 1 ? 'N' : 'n', (p >> 30) & 1 ? 'Z' : 'z',
           (p >> 29) & 1 ? 'C' : 'c', (p >> 28) & 1 ? 'V' : 'v', (p >> 8) & 1 ? "A" : "a",
           (p >> 7) & 1 ? "I" : "i", (p >> 6) & 1 ? "F" : "f");
    printf("            registers from %s\n", or_unknown(c->source));
}

static void show_sysregs(const hvp_snapshot *s)
{
    static const char *const key[] = {
        "SCTLR", "SCTLR_S", "VBAR", "VBAR_S", "MVBAR", "HVBAR", "VBAR_EL2", "HSCTLR", "SCTLR_EL2",
        "SCR", "DFSR", "IFSR", "DFAR", "IFAR", "HSR", "ESR_EL2", "HIFAR", "HPFAR", "HCR", "HCR_EL2",
        "VTTBR", "VTCR", NULL
    };
    /* AArch64, as QEMU names them (VBAR is VBAR_EL1, SCTLR is SCTLR_EL1) */
    static const char *const key64[] = {
        "VBAR", "VBAR_EL2", "VBAR_EL3", "SCTLR", "SCTLR_EL2", "SCTLR_EL3", "TCR_EL1", "HCR_EL2", "SCR_EL3",
        "VTCR_EL2", "VTTBR_EL2", "ESR_EL1", "FAR_EL1", "ESR_EL2", "FAR_EL2", "HPFAR_EL2", "ESR_EL3", NULL
    };
    int a64 = s->arch == HVP_ARCH_AARCH64;
    if (!s->ncp15) {
        printf("%s none captured\n", a64 ? "sysregs    " : "cp15       ");
        return;
    }
    if (a64) {
        printf("sysregs     %zu registers; those that route exceptions:\n", s->ncp15);
        for (size_t i = 0; key64[i]; i++) {
            const hvp_reg *r = hvp_snapshot_reg(s, key64[i]);
            if (!r)
                continue;
            const char *alias = !strcmp(r->name, "VBAR") ? " (VBAR_EL1)" : !strcmp(r->name, "SCTLR") ? " (SCTLR_EL1)"
                                                                                                  : "";
            printf("              %-10s 0x%016llx%s", r->name, (unsigned long long)r->value, alias);
            if (!strncmp(r->name, "SCTLR", 5))
                printf("  (M=%d: MMU %s)", (int)(r->value & 1), r->value & 1 ? "on" : "off");
            else if (!strcmp(r->name, "HCR_EL2"))
                printf("  (VM=%d TGE=%d IMO=%d FMO=%d AMO=%d RW=%d)", (int)(r->value & 1),
                       (int)((r->value >> 27) & 1), (int)((r->value >> 4) & 1), (int)((r->value >> 3) & 1),
                       (int)((r->value >> 5) & 1), (int)((r->value >> 31) & 1));
            putchar('\n');
        }
        return;
    }
    printf("cp15        %zu registers; those that route exceptions:\n", s->ncp15);
    for (size_t i = 0; key[i]; i++) {
        const hvp_reg *r = hvp_snapshot_reg(s, key[i]);
        if (!r)
            continue;
        printf("              %-10s 0x%0*llx", r->name, r->bits > 32 ? 16 : 8, (unsigned long long)r->value);
        if (!strncmp(r->name, "SCTLR", 5) && strcmp(r->name, "SCTLR_EL2"))
            printf("  (V=%d: %s vectors, M=%d: MMU %s)", (int)((r->value >> 13) & 1),
                   (r->value >> 13) & 1 ? "high 0xffff0000" : "low/VBAR", (int)(r->value & 1),
                   r->value & 1 ? "on" : "off");
        putchar('\n');
    }
}

static void show_memory(const hvp_snapshot *s)
{
    printf("memory      %zu reads (first 8 words of each):\n", s->nmemory);
    for (size_t i = 0; i < s->nmemory; i++) {
        const hvp_memread *m = &s->memory[i];
        printf("  0x%08llx %-8s %-3s  ", (unsigned long long)m->addr,
               m->space == HVP_SPACE_PHYSICAL ? "physical" : "virtual", or_unknown(m->channel));
        size_t words = m->got / 4 < 8 ? m->got / 4 : 8;
        for (size_t w = 0; w < words; w++) {
            const uint8_t *b = m->bytes + 4 * w;
            printf("%02x%02x%02x%02x ", b[3], b[2], b[1], b[0]);
        }
        if (m->error)
            printf("%sunreadable: %s", words ? "then " : "", m->error);
        printf("  [%s]\n", or_unknown(m->purpose));
    }
}

static void show_map(const hvp_snapshot *s)
{
    size_t flat = 0;
    for (size_t i = 0; i < s->nmemory_map; i++)
        flat += s->memory_map[i].flat;
    printf("memory map  %zu regions (%zu in QEMU's flat view)\n", s->nmemory_map, flat);
    for (size_t i = 0; i < s->nmemory_map; i++) {
        const hvp_region *r = &s->memory_map[i];
        if (r->start != 0 || !r->enabled || !r->address_space || !strstr(r->address_space, "memory") ||
            (r->kind && !strcmp(r->kind, "i/o") && !r->is_alias && r->depth == 0))
            continue;
        printf("  at 0x0: %-5s %-26s %-5s prio %d%s%s\n", r->flat ? "flat" : "tree", or_unknown(r->name),
               or_unknown(r->kind), r->prio, r->is_alias ? " -> " : "", r->is_alias ? or_unknown(r->alias_target) : "");
    }
}

static void show_image(const hvp_image *img)
{
    printf("image       %s\n            sha256 %s, entry 0x%08llx, %zu load segments, %zu symbols\n",
           or_unknown(img->path), img->sha256, (unsigned long long)img->entry, img->nsegments, img->nsymbols);
    for (size_t i = 0; i < img->nsegments; i++)
        printf("              load 0x%08llx..0x%08llx (%llu bytes)\n", (unsigned long long)img->segments[i].paddr,
               (unsigned long long)(img->segments[i].paddr + img->segments[i].memsz),
               (unsigned long long)img->segments[i].memsz);
}

/* RAM images: files are named relative to the snapshot's directory. */
static void show_ram_images(const hvp_snapshot *s, const char *path)
{
    printf("ram images  %zu saved beside the snapshot (sha256 of each file in the snapshot):\n", s->nram_images);
    char *d = strdup(path);
    const char *dir = d ? dirname(d) : ".";
    for (size_t i = 0; i < s->nram_images; i++) {
        const hvp_ram_image *m = &s->ram_images[i];
        char file[4600];
        snprintf(file, sizeof file, "%s/%s", dir, m->file);
        struct stat st;
        const char *state = stat(file, &st) ? "MISSING" : (uint64_t)st.st_size != m->len ? "WRONG SIZE" : "present";
        char sz[32], at[64];
        snprintf(at, sizeof at, "0x%08llx+%s", (unsigned long long)m->addr, hvp_size_text(m->len, sz, sizeof sz));
        printf("  %-22s %-18s %-4s %s (%s)\n              sha256 %s\n", at, or_unknown(m->region),
               or_unknown(m->method), m->file, state, m->sha256);
        for (size_t k = 0; k < m->naliases; k++) {
            const hvp_ram_alias *a = &m->aliases[k];
            printf("              also at 0x%08llx+%s as %s (image offset 0x%llx)%s\n",
                   (unsigned long long)a->addr, hvp_size_text(a->len, sz, sizeof sz), or_unknown(a->name),
                   (unsigned long long)a->offset,
                   a->visible == HVP_NO ? ": hidden there, another region wins in QEMU's flat view"
                   : a->visible == HVP_YES ? ": visible there" : "");
        }
    }
    free(d);
}

int cmd_show(int argc, char **argv)
{
    static const struct option opts[] = {
        { "json", no_argument, 0, 'j' }, CLI_COMMON_OPTS, { 0, 0, 0, 0 }
    };
    int json = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "qvh", opts, NULL)) != -1) {
        if (cli_common_opt(c))
            continue;
        if (c == 'j')
            json = 1;
        else if (c == 'h') {
            return cli_help(help);
        } else
            return cli_error("show", EXIT_USAGE, "unknown or incomplete option '%s' (see --help)", argv[optind - 1]);
    }
    if (optind != argc - 1)
        return cli_error("show", EXIT_USAGE, "give exactly one snapshot file (see --help)");
    const char *path = argv[optind];
    hvp_snapshot *s = NULL;
    hvp_error err = { 0 };
    int rc = hvp_snapshot_load(path, &s, &err);
    if (rc)
        return cli_error("show", cli_exit_for(rc == HVP_E_IO ? HVP_E_INPUT : rc), "%s", err.msg);
    if (json) {
        rc = hvp_snapshot_save(s, "-", &err);
        hvp_snapshot_free(s);
        return rc ? cli_error("show", EXIT_OUTPUT, "%s", err.msg) : EXIT_OK;
    }
    const hvp_backend_facts *b = &s->backend;
    printf("snapshot    %s (schema %d, hvprobe %s, captured %s)\n", path, s->schema_version,
           or_unknown(s->hvprobe_version), or_unknown(s->captured_at));
    if (s->imported_from)
        printf("imported    from %s: reduced evidence\n", s->imported_from);
    printf("label       %s\n", s->label ? s->label : "(none)");
    printf("channels    %s%s%s\n", s->channels & HVP_CH_QMP ? "qmp " : "", s->channels & HVP_CH_HMP ? "hmp " : "",
           s->channels & HVP_CH_GDB ? "gdb" : "");
    printf("backend     QEMU %s, target %s, machine %s, cpu %s\n", or_unknown(b->qemu_version),
           or_unknown(b->target), or_unknown(b->machine), or_unknown(b->cpu_model));
    printf("accel       %s (KVM %s, %s)\n", or_unknown(b->accelerator),
           tri_s(b->kvm_enabled, "enabled", "disabled"), tri_s(b->kvm_present, "present", "not present"));
    if (!s->imported_from)
        printf("run state   %s before capture; %s afterwards", or_unknown(b->run_state),
               b->resumed == HVP_YES ? "resumed" : "left halted");
    if (!s->imported_from && b->halted_ms >= 0)
        printf(" (halted for %ld ms)", b->halted_ms);
    if (!s->imported_from)
        putchar('\n');
    show_cpu(s);
    show_sysregs(s);
    show_memory(s);
    show_map(s);
    if (s->image)
        show_image(s->image);
    if (s->nram_images)
        show_ram_images(s, path);
    for (size_t i = 0; i < s->nunknown; i++)
        printf("unknown     %s: %s\n", s->unknown[i].field, s->unknown[i].reason);
    hvp_snapshot_free(s);
    return EXIT_OK;
}
