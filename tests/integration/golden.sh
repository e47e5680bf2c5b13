# tests/integration/golden.sh - `hvprobe compare` output in all three
# formats, byte for byte, on snapshots captured from the real test guests
# (tests/fixtures/snapshots/, image paths rewritten so the output does not
# depend on a build).  Regenerate after an intended change with
#   UPDATE_GOLDEN=1 BUILD=build tests/run golden
# and review the diff of tests/golden/ like code.
. tests/lib/tap.sh
S=tests/fixtures/snapshots
G=tests/golden
ARGS="--expect low-vexpress:svc=zero-filled --expect vbar-vexpress:svc=valid --expect mmu-vexpress:svc=unmapped --expect low-virt:svc=data
      $S/low-vexpress.json $S/vbar-vexpress.json $S/mmu-vexpress.json $S/low-virt.json"
for fmt in text markdown json; do
    ext=$fmt; [ $fmt = markdown ] && ext=md; [ $fmt = text ] && ext=txt
    # shellcheck disable=SC2086
    "$HVPROBE" compare --format $fmt $ARGS >"$HVP_TEST_TMP/golden.$ext"
    expect_eq "compare --format $fmt exits 0 (every expectation holds)" "$?" 0
    if [ -n "${UPDATE_GOLDEN:-}" ]; then cp "$HVP_TEST_TMP/golden.$ext" "$G/compare.$ext"; fi
    ok_if "compare --format $fmt matches $G/compare.$ext" diff -u "$G/compare.$ext" "$HVP_TEST_TMP/golden.$ext"
done
# The terminal view at 80 columns with every detail (-v): wrapping, the
# table split into groups, the merged fix lines.
# shellcheck disable=SC2086
COLUMNS=80 "$HVPROBE" compare -v $ARGS >"$HVP_TEST_TMP/golden-v80.txt"
expect_eq "compare -v at 80 columns exits 0" "$?" 0
if [ -n "${UPDATE_GOLDEN:-}" ]; then cp "$HVP_TEST_TMP/golden-v80.txt" "$G/compare-v80.txt"; fi
ok_if "compare -v at 80 columns matches $G/compare-v80.txt" diff -u "$G/compare-v80.txt" "$HVP_TEST_TMP/golden-v80.txt"
expect_eq "no line of it is wider than 80 columns" "$(awk 'length > 80' "$HVP_TEST_TMP/golden-v80.txt")" ""
ok_if "golden snapshots validate against the schema" tests/lib/validate-snapshot $S/*.json
done_testing
