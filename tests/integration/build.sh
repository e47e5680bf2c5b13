# tests/integration/build.sh - the build says one short line per step and
# everything with V=1; the guests' Makefile takes V=1 too (it once read V as
# the variant's name and looked for variant-1.S); `make demo` builds no
# tests; install-deps knows its groups.
. tests/lib/tap.sh
T=$HVP_TEST_TMP/build
mkdir -p "$T"
unset MAKEFLAGS MFLAGS MAKELEVEL    # as a user types it, not as a sub-make of `make check`
OUT=$(make --no-print-directory BUILD="$T/b" "$T/b/obj/src/util/units.o" 2>&1); rc=$?
expect_eq "make: an object builds" "$rc" 0
expect_eq "make: one short line for it" "$OUT" "  CC     src/util/units.o"
rm -rf "$T/b"
OUT=$(make --no-print-directory V=1 BUILD="$T/b" "$T/b/obj/src/util/units.o" 2>&1)
expect_match "make V=1: the full command" "$OUT" "^cc .* -c src/util/units.c -o $T/b/obj/src/util/units.o$"
OUT=$(make --no-print-directory -C guests BUILD="$T/g" "$T/g/tiny-low-virt.elf" 2>&1); rc=$?
expect_eq "guests: a guest builds" "$rc" 0
expect_eq "guests: one short line for it" "$OUT" "  GUEST  tiny-low-virt.elf"
rm -rf "$T/g"
OUT=$(make --no-print-directory -C guests V=1 BUILD="$T/g" "$T/g/tiny-low-virt.elf" 2>&1); rc=$?
expect_eq "guests V=1: builds (V is not the variant)" "$rc" 0
expect_match "guests V=1: the full command, with the variant's own file" "$OUT" "VARIANT_FILE='\"variant-low.S\"'"
OUT=$(make --no-print-directory -n demo 2>&1)
expect_match "make demo installs the demo's packages only" "$OUT" "scripts/install-deps demo"
expect_eq "make demo builds the tool and the guests, not the tests" \
    "$(printf '%s\n' "$OUT" | grep -c 'SILENT=1 .*hvprobe guests$')" 1
expect_eq "make demo builds no unit test" "$(printf '%s\n' "$OUT" | grep -c 'tests/unit')" 0
OUT=$(scripts/install-deps bogus 2>&1); rc=$?
expect_eq "install-deps with an unknown group: exit 2" "$rc" 2
expect_match "it says how to call it" "$OUT" "usage: scripts/install-deps \\[demo\\|deb\\|check\\]"
expect_eq "install-deps demo: nothing missing here, nothing printed" "$(scripts/install-deps demo 2>&1)" ""
done_testing
