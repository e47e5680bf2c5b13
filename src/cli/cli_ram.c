/* cli_ram.c - the RAM image options shared by `capture` and `run --capture`. */
#include "cli/cli.h"
#include "hvprobe/capture.h"
#include "hvprobe/dump.h"
#include "hvprobe/snapshot.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

int cli_ram_option(const char *sub, int opt, const char *arg, hvp_capture_opts *o)
{
    switch (opt) {
    case CLI_OPT_SAVE_RAM:
        o->save_ram = 1;
        o->ram_select = arg; /* NULL: every RAM block */
        if (arg && !*arg)
            return cli_error(sub, EXIT_USAGE, "--save-ram= wants REGION[,REGION...] (or no '=' for all RAM)");
        return 0;
    case CLI_OPT_RAM_LIMIT: {
        uint64_t v;
        if (cli_parse_num(arg, &v, 1))
            return cli_error(sub, EXIT_USAGE, "--ram-limit wants a size such as 512M, 4G or 0 (no limit), not '%s'",
                             arg);
        o->ram_limit = v;
        return 0;
    }
    case CLI_OPT_RAM_METHOD:
        if (!strcmp(arg, "auto"))
            o->ram_method = HVP_DUMP_AUTO;
        else if (!strcmp(arg, "qmp"))
            o->ram_method = HVP_DUMP_QMP;
        else if (!strcmp(arg, "gdb") || !strcmp(arg, "rsp"))
            o->ram_method = HVP_DUMP_RSP;
        else
            return cli_error(sub, EXIT_USAGE, "--ram-method wants auto, qmp or gdb, not '%s'", arg);
        return 0;
    }
    return 1;
}

void cli_print_ram_images(const char *sub, const hvp_snapshot *s)
{
    for (size_t i = 0; i < s->nram_images; i++) {
        const hvp_ram_image *m = &s->ram_images[i];
        char sz[32];
        fprintf(stderr, "hvprobe %s: RAM 0x%08llx+%s%s%s%s -> %s (%s), sha256 %s\n", sub,
                (unsigned long long)m->addr, hvp_size_text(m->len, sz, sizeof sz), m->region ? " (" : "",
                m->region ? m->region : "", m->region ? ")" : "", m->file, m->method ? m->method : "?", m->sha256);
    }
}
