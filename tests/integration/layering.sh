# tests/integration/layering.sh - the CLI is a client of the public API:
# src/cli/* includes no project header but "cli/..." and "hvprobe/...";
# the public headers include only each other and system headers (so an
# installed <hvprobe/hvprobe.h> compiles alone), and each compiles on its
# own, as C11 and as C++.
. tests/lib/tap.sh
T=$HVP_TEST_TMP/layering
mkdir -p "$T"

BAD=$(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' src/cli/*.c src/cli/*.h |
      grep -vE '#[[:space:]]*include[[:space:]]*"(cli|hvprobe)/[A-Za-z0-9_]+\.h"')
expect_eq "src/cli includes only \"cli/...\" and \"hvprobe/...\" project headers" "$BAD" ""
BAD=$(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' include/hvprobe/*.h |
      grep -vE '#[[:space:]]*include[[:space:]]*"hvprobe/[A-Za-z0-9_]+\.h"')
expect_eq "public headers include only \"hvprobe/...\" headers" "$BAD" ""
# Arrows go one way: cli -> session -> core / backends -> target -> arch,
# elf, transport -> util.  Each folder may include its own headers, the
# public ones, and those of the folders below it, never one above.
allowed() {
    case $1 in
        cli) echo "cli" ;;
        session) echo "session backends core target arch elf transport util" ;;
        core) echo "core target arch elf transport util" ;;
        backends) echo "backends target elf transport util" ;;
        target) echo "target arch elf transport util" ;;
        arch) echo "arch util" ;;
        elf|transport) echo "$1 util" ;;
        util) echo "util" ;;
        *) echo "?" ;;
    esac
}
for d in src/*/; do
    d=$(basename "$d")
    ok=$(allowed "$d")
    expect_eq "src/$d is a known layer" "$([ "$ok" = "?" ] && echo unknown)" ""
    pat=$(echo "hvprobe $ok" | tr ' ' '|')
    BAD=$(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "src/$d" |
          grep -vE "#[[:space:]]*include[[:space:]]*\"($pat)/[A-Za-z0-9_/]+\.h\"")
    expect_eq "src/$d includes only its own, public and lower layers' headers ($ok)" "$BAD" ""
done
BIG=$(find src include -name '*.[ch]' -exec awk 'END { if (NR > 800) print FILENAME ": " NR " lines" }' {} \;)
expect_eq "no source file is over 800 lines" "$BIG" ""

for h in include/hvprobe/*.h; do
    n=$(basename "$h")
    ok_if "hvprobe/$n compiles alone (C11, -Wall -Wextra -Werror)" \
        sh -c "printf '#include <hvprobe/$n>\n' | cc -std=c11 -Wall -Wextra -Werror -Iinclude -fsyntax-only -x c -"
done
for h in include/hvprobe/*.h; do
    head=$(sed -n '1,/\*\//p' "$h")
    expect_match "hvprobe/$(basename "$h") documents ownership and thread-safety" \
        "$(printf '%s' "$head" | grep -ciE 'ownership|owns') $(printf '%s' "$head" | grep -ciE 'thread')" '^[1-9][0-9]* [1-9]'
done
if command -v c++ >/dev/null; then
    ok_if "hvprobe/hvprobe.h compiles as C++" \
        sh -c "printf '#include <hvprobe/hvprobe.h>\nint main(){return hvp_version()!=0;}\n' | c++ -Wall -Iinclude -fsyntax-only -x c++ -"
fi
done_testing
