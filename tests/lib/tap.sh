# tests/lib/tap.sh - minimal TAP output for shell tests (source me).
#   ok_if DESC CMD...     run CMD; "ok N - DESC" or "not ok N - DESC"
#   expect_eq DESC GOT WANT
#   expect_match DESC TEXT REGEX   (grep -E)
#   done_testing          exit 1 if anything failed
TAP_N=0
TAP_FAILED=0

tap_result() {
    TAP_N=$((TAP_N + 1))
    if [ "$1" = 0 ]; then echo "ok $TAP_N - $2"; else
        echo "not ok $TAP_N - $2"; TAP_FAILED=$((TAP_FAILED + 1)); fi
}

ok_if() {
    local desc=$1; shift
    if "$@" >/tmp/tap.$$ 2>&1; then tap_result 0 "$desc"; else
        tap_result 1 "$desc"; sed 's/^/#   /' /tmp/tap.$$ | head -20; fi
    rm -f /tmp/tap.$$
}

expect_eq() {
    if [ "$2" = "$3" ]; then tap_result 0 "$1"; else
        tap_result 1 "$1"; echo "#   got:  $2"; echo "#   want: $3"; fi
}

expect_match() {
    if printf '%s\n' "$2" | grep -Eq -- "$3"; then tap_result 0 "$1"; else
        tap_result 1 "$1"; echo "#   wanted /$3/ in:"; printf '%s\n' "$2" | head -20 | sed 's/^/#   /'; fi
}

done_testing() {
    [ "$TAP_FAILED" = 0 ]
}
