/* cmd_kvmhost.c - `hvprobe kvm-host build|status|clean`: the cached
 * arm64 KVM host that the kvm-nested backend boots under QEMU TCG. */
#include "hvprobe/kvmhost.h"
#include "cli/cli.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

static const char help[] =
    "usage: hvprobe kvm-host build [--force] | status [--json] | clean   [-q|-v]\n"
    "\n"
    "KVM runs 32-bit ARM guests only on an arm64 host. The kvm-nested backend makes\n"
    "real Linux KVM available on any host: QEMU emulates an arm64 machine with EL2\n"
    "(virt,virtualization=on, cortex-a57), Debian's arm64 kernel brings up KVM in it,\n"
    "and an arm64 qemu-system-aarch64 inside runs your guest with -enable-kvm.\n"
    "\n"
    "  build    prepare that host once: Debian's arm64 kernel, busybox-static as /init,\n"
    "           qemu-system-aarch64 and the closure of its shared libraries (read from\n"
    "           DT_NEEDED), virtio modules. Fetched with 'apt-get download' through a\n"
    "           private arm64 apt state in the cache: nothing is installed, no root is\n"
    "           needed, the system's dpkg architectures are untouched. Does nothing when\n"
    "           the host is ready (--force rebuilds it).\n"
    "  status   what the cache holds: versions, sizes, when it was built (--json: as JSON)\n"
    "  clean    remove the cache\n"
    "\n"
    "Cache: $XDG_CACHE_HOME/hvprobe/kvm-host (default ~/.cache/hvprobe/kvm-host).\n"
    "Then: hvprobe run IMAGE --backend kvm-nested [--capture SNAP.json --at-serial TEXT]\n"
    "\n"
    "Exit: 0 done (status: the host is ready), 1 status: not prepared, 2 usage,\n"
    "3 a download or tool failed (the message quotes apt), 5 the cache cannot be written.\n";

static void show(void *ctx, const char *msg)
{
    (void)ctx;
    cli_note("kvm-host", "%s", msg);
}

int cmd_kvmhost(int argc, char **argv)
{
    static const struct option opts[] = {
        { "force", no_argument, 0, 'f' }, { "json", no_argument, 0, 'j' }, CLI_COMMON_OPTS, { 0, 0, 0, 0 }
    };
    int force = 0, json = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "fqvh", opts, NULL)) != -1) {
        if (cli_common_opt(c))
            continue;
        if (c == 'f')
            force = 1;
        else if (c == 'j')
            json = 1;
        else if (c == 'h') {
            return cli_help(help);
        } else
            return cli_error("kvm-host", EXIT_USAGE, "unknown or incomplete option '%s' (see --help)", argv[optind - 1]);
    }
    if (optind != argc - 1)
        return cli_error("kvm-host", EXIT_USAGE, "say build, status or clean (see --help)");
    const char *what = argv[optind];
    hvp_kvmhost_paths p;
    hvp_error err = { 0 };
    if (hvp_kvmhost_paths_get(&p, &err))
        return cli_error("kvm-host", EXIT_OUTPUT, "%s", err.msg);
    if (!strcmp(what, "build")) {
        long t0 = cli_now_ms();
        int rc = hvp_kvmhost_build(&p, force, show, NULL, &err);
        if (rc)
            return cli_error("kvm-host", rc == HVP_E_IO ? EXIT_TARGET : cli_exit_for(rc), "%s", err.msg);
        cli_note("kvm-host", "ready in %.1f s", (cli_now_ms() - t0) / 1000.0);
        what = "status";
    }
    if (!strcmp(what, "status")) {
        hvp_kvmhost_status st;
        hvp_kvmhost_status_get(&p, &st, NULL);
        if (json) {
            json_t *o = json_pack("{s:s,s:b}", "cache", p.dir, "ready", st.ready);
            if (st.ready)
                json_object_update_new(o, json_pack("{s:s,s:{s:s,s:s,s:s,s:I},s:{s:s,s:I,s:s,s:s,s:i,s:i},s:I}",
                    "built_at", st.built_at, "kernel", "package", st.kernel_pkg, "version", st.kernel_version,
                    "path", p.kernel, "bytes", (json_int_t)st.kernel_bytes, "initramfs", "path", p.initrd, "bytes",
                    (json_int_t)st.initrd_bytes, "busybox_version", st.busybox_version, "qemu_version",
                    st.qemu_version, "shared_libraries", st.nlibs, "kernel_modules", st.nmodules, "cache_bytes",
                    (json_int_t)st.cache_bytes));
            int rc = cli_print_json(o);
            return rc ? rc : st.ready ? EXIT_OK : EXIT_NEGATIVE;
        }
        printf("cache       %s\n", p.dir);
        if (!st.ready) {
            printf("state       not prepared (hvprobe kvm-host build)\n");
            return EXIT_NEGATIVE;
        }
        printf("state       ready (built %s)\n", st.built_at);
        printf("kernel      %s %s, %s (%.1f MiB)\n", st.kernel_pkg, st.kernel_version, p.kernel,
               st.kernel_bytes / 1048576.0);
        printf("initramfs   %s (%.1f MiB): busybox-static %s, qemu-system-aarch64 %s,\n"
               "            %d shared libraries, %d kernel modules\n", p.initrd, st.initrd_bytes / 1048576.0,
               st.busybox_version, st.qemu_version, st.nlibs, st.nmodules);
        printf("total       %.1f MiB in the cache\n", st.cache_bytes / 1048576.0);
        return EXIT_OK;
    }
    if (!strcmp(what, "clean")) {
        if (hvp_kvmhost_clean(&p, &err))
            return cli_error("kvm-host", EXIT_OUTPUT, "%s", err.msg);
        cli_note("kvm-host", "removed %s", p.dir);
        return EXIT_OK;
    }
    return cli_error("kvm-host", EXIT_USAGE, "unknown action '%s': build, status or clean", what);
}
