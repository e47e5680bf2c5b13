# tests/integration/install.sh - `make install` into a DESTDIR, an external
# program built against the installed library through pkg-config, the man
# page, completion, and `make uninstall` leaving nothing behind.
. tests/lib/tap.sh
. tests/lib/json.sh
T=$HVP_TEST_TMP/install
R=$T/root
mkdir -p "$T"
make -s BUILD="$BUILD" install DESTDIR="$R" PREFIX=/usr/local >"$T/make.log" 2>&1
expect_eq "make install DESTDIR=... PREFIX=/usr/local exits 0" "$?" 0
for f in bin/hvprobe lib/libhvprobe.a lib/libhvprobe.so lib/libhvprobe.so.4 lib/libhvprobe.so.4.0.0 include/hvprobe/hvprobe.h \
         include/hvprobe/snapshot.h include/hvprobe/launch.h include/hvprobe/debug.h include/hvprobe/host.h \
         include/hvprobe/trace.h include/hvprobe/report.h include/hvprobe/kvmhost.h include/hvprobe/session.h include/hvprobe/backend.h lib/pkgconfig/hvprobe.pc share/man/man1/hvprobe.1 \
         share/hvprobe/snapshot.schema.json share/bash-completion/completions/hvprobe \
         share/doc/hvprobe/examples/tiny/start.S; do
    ok_if "installed: $f" test -e "$R/usr/local/$f"
done
expect_match "the shared library has a soname" "$(objdump -p "$R/usr/local/lib/libhvprobe.so" | awk '/SONAME/ {print $2}')" '^libhvprobe\.so\.4$'
expect_eq "the soname's symlink points at the installed file" "$(readlink "$R/usr/local/lib/libhvprobe.so.4")" libhvprobe.so.4.0.0
expect_match "hvprobe.pc names the prefix installed to" "$(sed -n 1p "$R/usr/local/lib/pkgconfig/hvprobe.pc")" '^prefix=/usr/local$'
expect_match "installed binary runs" "$("$R/usr/local/bin/hvprobe" --version)" '^hvprobe [0-9]+\.[0-9]+\.[0-9]+'

cat >"$T/base.c" <<'C'
#include <stdio.h>
#include <hvprobe/hvprobe.h>

/* Print the effective vector base of a snapshot and its SVC verdict. */
int main(int argc, char **argv)
{
    hvp_snapshot *s = NULL;
    hvp_error err = { 0 };
    if (argc != 2 || hvp_snapshot_load(argv[1], &s, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 2;
    }
    hvp_analysis a;
    hvp_analyse(s, &a, &err);
    const hvp_vector_report *svc = &a.vec[2];
    printf("libhvprobe %s: vector base 0x%08llx (%s), svc %s\n", hvp_version(),
           (unsigned long long)(svc->fetch - svc->offset), svc->base_source, hvp_verdict_name(svc->verdict));
    hvp_snapshot_free(s);
    return 0;
}
C
SAN=""
nm "$HVPROBE" 2>/dev/null | grep -q __asan_init && SAN="-fsanitize=address,undefined"
export PKG_CONFIG_PATH=$R/usr/local/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$R
ok_if "pkg-config knows hvprobe" pkg-config --exists hvprobe
ok_if "an external program builds with pkg-config --cflags --libs hvprobe" \
    cc $SAN -o "$T/base" "$T/base.c" $(pkg-config --cflags --libs hvprobe)
OUT=$(LD_LIBRARY_PATH=$R/usr/local/lib "$T/base" tests/fixtures/snapshots/vbar-vexpress.json); rc=$?
expect_eq "the external program runs against the installed shared library" "$rc" 0
expect_match "it prints the effective vector base" "$OUT" 'vector base 0x60000000 \(VBAR_S = 0x60000000 \(Secure state, SCTLR_S.V=0\)\), svc valid'

# The launch API from outside: plan a guest (nothing runs), print its QEMU line.
cat >"$T/plan.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <hvprobe/hvprobe.h>

int main(int argc, char **argv)
{
    hvp_host h;
    hvp_backend_verdict v[HVP_MAX_BACKENDS];
    int rec;
    hvp_host_probe(&h);
    hvp_host_judge(&h, v, HVP_MAX_BACKENDS, &rec);
    hvp_launch_opts o = { 0 };
    o.image = argc > 1 ? argv[1] : "";
    o.host = &h;
    hvp_guest *g = NULL;
    hvp_error err = { 0 };
    if (hvp_launch_plan(&o, &g, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 3;
    }
    hvp_guest_info gi;
    hvp_guest_get_info(g, &gi);
    char *line = hvp_guest_command_line(g);
    printf("tcg %s; %s %s: %s\n", v[hvp_backend_index("tcg")].can_run ? "can run" : "cannot run", gi.backend, gi.machine, line);
    free(line);
    hvp_guest_free(g);
    return 0;
}
C
ok_if "a program using hvprobe/launch.h builds with pkg-config" \
    cc $SAN -std=c11 -Wall -Wextra -Werror -o "$T/plan" "$T/plan.c" $(pkg-config --cflags --libs hvprobe)
OUT=$(LD_LIBRARY_PATH=$R/usr/local/lib TMPDIR=$T "$T/plan" "$GUESTS/tiny-vbar-vexpress.elf"); rc=$?
expect_eq "it plans a guest through the installed library" "$rc" 0
expect_match "it prints the QEMU command line with private channels" "$OUT" \
    '^tcg can run; tcg vexpress-a9: qemu-system-arm .*-qmp unix:.*/qmp.sock'
expect_eq "planning without running leaves no runtime directory" "$(find "$T" -maxdepth 1 -name 'hvprobe-*' | wc -l)" 0
ok_if "the man page renders" sh -c "man -l '$R/usr/local/share/man/man1/hvprobe.1' >/dev/null 2>&1 || groff -man -Tutf8 '$R/usr/local/share/man/man1/hvprobe.1' >/dev/null"
expect_eq "the man page has the same text as 'hvprobe help capture'" \
    "$(grep -c -F -- "$("$HVPROBE" help capture | sed -n 5p)" "$R/usr/local/share/man/man1/hvprobe.1")" 1
expect_match "bash completion loads" "$(bash -c ". '$R/usr/local/share/bash-completion/completions/hvprobe'; complete -p hvprobe")" '_hvprobe hvprobe'

# The library does what the tool does: run a guest to a trigger and capture
# it, from the installed example, built with pkg-config, no internal header.
ok_if "examples/run-capture.c is installed" test -f "$R/usr/local/share/doc/hvprobe/examples/run-capture.c"
ok_if "it builds against the installed library with pkg-config alone" \
    cc $SAN -std=c11 -Wall -Wextra -Werror -o "$T/run-capture" "$R/usr/local/share/doc/hvprobe/examples/run-capture.c" \
    $(pkg-config --cflags --libs hvprobe)
OUT=$(LD_LIBRARY_PATH=$R/usr/local/lib TMPDIR=$T "$T/run-capture" "$GUESTS/tiny-low-vexpress.elf" tcg exception:svc "$T/rc.json" 2>&1); rc=$?
expect_eq "it runs a guest to its first SVC and captures it" "$rc" 0
expect_match "it stopped at a breakpoint" "$OUT" 'captured .*rc.json after [0-9]+ ms at a breakpoint'
expect_eq "the snapshot shows the CPU at the SVC vector" "$(jget "$T/rc.json" 'd["cpu"]["registers"]["pc"]')" 0x00000008
OUT=$(LD_LIBRARY_PATH=$R/usr/local/lib TMPDIR=$T "$T/run-capture" "$GUESTS/tiny-vbar-vexpress.elf" tcg "serial:issuing svc" "$T/rs.json" 2>&1); rc=$?
expect_eq "a serial trigger works the same way" "$rc" 0
OUT=$(LD_LIBRARY_PATH=$R/usr/local/lib TMPDIR=$T "$T/run-capture" "$GUESTS/tiny-vbar-virt.elf" nosuch after:1 "$T/x.json" 2>&1); rc=$?
expect_eq "an unknown backend fails" "$rc" 1
expect_match "with the list of backends from the registry" "$OUT" "unknown backend 'nosuch' \\(tcg, kvm, fixture, kvm-nested or sel4\\)"
ok_if "and writes nothing" test ! -e "$T/x.json"
expect_eq "no runtime directory is left" "$(find "$T" -maxdepth 1 -name 'hvprobe-*' | wc -l)" 0

# A staged install for a distribution: the .pc file names the final prefix.
make -s BUILD="$BUILD" install DESTDIR="$T/usr-root" PREFIX=/usr >"$T/make.log" 2>&1
expect_match "make install PREFIX=/usr writes prefix=/usr into hvprobe.pc" \
    "$(sed -n 1p "$T/usr-root/usr/lib/pkgconfig/hvprobe.pc")" '^prefix=/usr$'

make -s BUILD="$BUILD" uninstall DESTDIR="$R" PREFIX=/usr/local >"$T/make.log" 2>&1
expect_eq "make uninstall exits 0" "$?" 0
expect_eq "make uninstall leaves no files" "$(find "$R" -type f -o -type l | wc -l)" 0
done_testing
