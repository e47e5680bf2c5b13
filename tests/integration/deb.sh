# tests/integration/deb.sh - `make deb`: the three Debian packages it leaves
# in the tree's top directory pass lintian, unpack to Debian's paths, the
# unpacked tool runs, and external programs build against the unpacked
# library with pkg-config (shared and static) and run, capstone included.
# Runs the real `make deb` (about half a minute); removes the .debs after.
. tests/lib/tap.sh
T=$HVP_TEST_TMP/deb
R=$T/root
mkdir -p "$R"
MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
L=$R/usr/lib/$MA
debs() { ls hvprobe_*.deb libhvprobe[0-9]*_*.deb libhvprobe-dev_*.deb 2>/dev/null; }
trap 'rm -f $(debs)' EXIT

untracked() { git status --porcelain --untracked-files=all | grep '^??'; }
untracked >"$T/untracked.before"
make --no-print-directory deb >"$T/make.log" 2>&1; rc=$?
expect_eq "make deb exits 0" "$rc" 0
[ "$rc" = 0 ] || sed 's/^/#   /' "$T/make.log" | tail -n 30
expect_match "make deb says where the packages are" "$(cat "$T/make.log")" '^  OUT    \./hvprobe_[^ ]+\.deb$'
CLI=$(ls hvprobe_*.deb 2>/dev/null) LIBPKG=$(ls libhvprobe[0-9]*_*.deb 2>/dev/null) DEV=$(ls libhvprobe-dev_*.deb 2>/dev/null)
expect_eq "it leaves exactly hvprobe, libhvprobeN and libhvprobe-dev .debs" "$(debs | sed 's/_.*//' | LC_ALL=C sort | tr '\n' ' ')" "hvprobe libhvprobe-dev libhvprobe4 "
VERSION=$(sed -n 's/^VERSION *:= *//p' Makefile)
expect_match "the package version is the Makefile's plus a Debian revision" "$(dpkg-deb -f "$CLI" Version)" "^$VERSION-[0-9]+$"
expect_eq "make deb adds no file git would see" "$(untracked | diff "$T/untracked.before" - | grep '^>')" ""
expect_eq "the .debs are ignored by git" "$(git status --porcelain --ignored=no -- '*.deb' | wc -l)" 0

LINT=$(lintian "$CLI" "$LIBPKG" "$DEV" 2>&1); rc=$?
expect_eq "lintian exits 0" "$rc" 0
expect_eq "lintian reports no errors" "$(printf '%s\n' "$LINT" | grep -c '^E:')" 0
printf '%s\n' "$LINT" | grep -E '^[EW]:' | sed 's/^/#   /'

DEP=$(dpkg-deb -f "$LIBPKG" Depends)
expect_match "libhvprobe4 depends on capstone, which it dlopen()s" "$DEP" '(^|, )libcapstone[0-9]+($|,| )'
expect_match "hvprobe depends on capstone too (it links libhvprobe statically)" "$(dpkg-deb -f "$CLI" Depends)" '(^|, )libcapstone[0-9]+($|,| )'
expect_match "hvprobe recommends QEMU" "$(dpkg-deb -f "$CLI" Recommends)" 'qemu-system-arm'
expect_match "libhvprobe-dev depends on this very libhvprobe4 and the -dev packages of hvprobe.pc's Requires.private" \
    "$(dpkg-deb -f "$DEV" Depends)" "^libhvprobe4 \\(= $(dpkg-deb -f "$LIBPKG" Version)\\), libjansson-dev, libelf-dev, libexpat1-dev, nettle-dev"

for d in "$CLI" "$LIBPKG" "$DEV"; do dpkg -x "$d" "$R" || echo "not ok - dpkg -x $d"; done
for f in usr/bin/hvprobe usr/share/man/man1/hvprobe.1.gz usr/share/bash-completion/completions/hvprobe \
         usr/share/hvprobe/snapshot.schema.json usr/share/doc/hvprobe/copyright usr/share/doc/hvprobe/examples/tiny/start.S \
         usr/lib/$MA/libhvprobe.so.4 usr/lib/$MA/libhvprobe.so usr/lib/$MA/libhvprobe.a usr/lib/$MA/pkgconfig/hvprobe.pc \
         usr/include/hvprobe/hvprobe.h usr/share/doc/libhvprobe-dev/examples/run-capture.c; do
    ok_if "unpacked: $f" test -e "$R/$f"
done
expect_eq "each file is in exactly one package" "$(for d in "$CLI" "$LIBPKG" "$DEV"; do dpkg-deb -c "$d"; done | awk '$1 !~ /^d/ {print $6}' | sort | uniq -d)" ""
SONAME=$(objdump -p "$L/libhvprobe.so" | awk '/SONAME/ {print $2}')
expect_eq "the runtime package is named after the library's soname" "$(echo "$SONAME" | sed 's/\.so\.//')" "$(dpkg-deb -f "$LIBPKG" Package)"
expect_eq "libhvprobe4 holds the soname's link" "$(readlink "$L/$SONAME")" "$(basename "$(ls "$L"/libhvprobe.so.*.*.*)")"
expect_eq "no RPATH/RUNPATH in the binary or the library" "$(objdump -p "$R/usr/bin/hvprobe" "$L/$SONAME" | grep -cE 'R(UN)?PATH')" 0
expect_match "hvprobe.pc points at the multiarch directory" "$(cat "$L/pkgconfig/hvprobe.pc")" "^libdir=\\\$\\{prefix\\}/lib/$MA"'$'

# The packaged tool: it carries libhvprobe inside (static), so it must not
# need the unpacked shared library; it runs from the unpacked tree.
expect_eq "the packaged hvprobe links libhvprobe statically (no NEEDED libhvprobe)" \
    "$(objdump -p "$R/usr/bin/hvprobe" | grep -c 'NEEDED.*libhvprobe')" 0
expect_match "usr/bin/hvprobe --version" "$(LD_LIBRARY_PATH=$L "$R/usr/bin/hvprobe" --version)" "^hvprobe $VERSION( |\$)"
OUT=$(LD_LIBRARY_PATH=$L "$R/usr/bin/hvprobe" compare tests/fixtures/snapshots/vbar-vexpress.json 2>&1); rc=$?
expect_eq "the packaged hvprobe compares a snapshot (capstone loaded)" "$rc" 0
expect_match "and names the SVC handler" "$OUT" 'valid: handler svc_handler'
ok_if "its man page renders" sh -c "man -l '$R/usr/share/man/man1/hvprobe.1.gz' >/dev/null 2>&1 || zcat '$R/usr/share/man/man1/hvprobe.1.gz' | groff -man -Tutf8 >/dev/null"

# The library from outside, built with pkg-config against the unpacked files.
cat >"$T/svc.c" <<'C'
#include <stdio.h>
#include <hvprobe/hvprobe.h>

/* The library's version and the SVC vector's instruction (capstone). */
int main(int argc, char **argv)
{
    hvp_snapshot *s = NULL;
    hvp_error err = { 0 };
    hvp_analysis a;
    if (argc != 2 || hvp_snapshot_load(argv[1], &s, &err) || hvp_analyse(s, &a, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 2;
    }
    printf("libhvprobe %s: svc %s: %s\n", hvp_version(), hvp_verdict_name(a.vec[2].verdict), a.vec[2].insn);
    hvp_snapshot_free(s);
    return 0;
}
C
export PKG_CONFIG_SYSROOT_DIR=$R PKG_CONFIG_PATH=$L/pkgconfig
expect_eq "pkg-config finds the unpacked hvprobe.pc" "$(pkg-config --modversion hvprobe 2>&1)" "$VERSION"
ok_if "a program builds with pkg-config --cflags --libs hvprobe against the unpacked files" \
    cc -std=c11 -Wall -Wextra -Werror -o "$T/svc" "$T/svc.c" $(pkg-config --cflags --libs hvprobe)
expect_match "it links the packaged shared library" "$(LD_LIBRARY_PATH=$L ldd "$T/svc")" "libhvprobe\\.so\\.[0-9]+ => $L/libhvprobe\\.so\\.[0-9]+"
OUT=$(LD_LIBRARY_PATH=$L "$T/svc" tests/fixtures/snapshots/vbar-vexpress.json 2>&1); rc=$?
expect_eq "it runs" "$rc" 0
expect_match "it disassembles the SVC vector through the dlopen()ed capstone" "$OUT" "^libhvprobe $VERSION: svc valid: b(al)? "
ok_if "a program links libhvprobe.a with pkg-config --static (Requires.private resolves)" \
    cc -std=c11 -o "$T/svc-static" "$T/svc.c" $(pkg-config --cflags hvprobe) "$L/libhvprobe.a" \
    $(pkg-config --static --libs hvprobe | sed 's/-lhvprobe//')
expect_eq "the static program needs no libhvprobe.so" "$(objdump -p "$T/svc-static" | grep -c 'NEEDED.*libhvprobe')" 0
expect_match "and runs alike" "$("$T/svc-static" tests/fixtures/snapshots/vbar-vexpress.json 2>&1)" "^libhvprobe $VERSION: svc valid: "

# The packaged example: run a guest to its first SVC and capture it.
ok_if "libhvprobe-dev's run-capture.c builds with pkg-config alone" \
    cc -std=c11 -Wall -Wextra -Werror -o "$T/run-capture" "$R/usr/share/doc/libhvprobe-dev/examples/run-capture.c" \
    $(pkg-config --cflags --libs hvprobe)
OUT=$(LD_LIBRARY_PATH=$L TMPDIR=$T "$T/run-capture" "$GUESTS/tiny-low-vexpress.elf" tcg exception:svc "$T/rc.json" 2>&1); rc=$?
expect_eq "it runs a guest to its first SVC through the packaged library" "$rc" 0
expect_match "and captures it" "$OUT" 'captured .*rc.json after [0-9]+ ms at a breakpoint'

rm -rf "$T"
done_testing
