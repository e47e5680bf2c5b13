# tests/integration/report.sh - `hvprobe report`: Markdown byte for byte
# against tests/golden/report.md; HTML parsed (well-formed, every label
# and vector present, nothing external, strings from snapshots escaped);
# exit codes and atomic output; the demo's report rendered in headless
# Chromium (PNG of the expected size, not blank, verdict badges and the
# memory map visible).  Regenerate the golden file and the README's
# screenshot (docs/report-demo.png) after an intended change with
#   UPDATE_GOLDEN=1 BUILD=build tests/run report
# and review the diff like code.
. tests/lib/tap.sh
S=tests/fixtures/snapshots
G=tests/golden
T=$HVP_TEST_TMP/report
mkdir -p "$T"
export TMPDIR=$T
[ -n "${GUESTS:-}" ] && [ -d "$GUESTS" ] && export HVPROBE_GUESTS=$GUESTS
trap 'pkill -KILL -f "qemu-system.*$T" 2>/dev/null' EXIT
SNAPS="$S/low-vexpress.json $S/vbar-vexpress.json $S/mmu-vexpress.json $S/low-virt.json"
EXPECT="--expect low-vexpress:svc=zero-filled --expect vbar-vexpress:svc=valid --expect mmu-vexpress:svc=unmapped --expect low-virt:svc=data"

# --- the HTML checker: python3's html.parser, no third-party modules ---
cat >"$T/check_html.py" <<'EOF'
import sys, re
from html.parser import HTMLParser
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
SVG_EMPTY = {"rect", "line", "path", "circle", "pattern", "stop"}
class P(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.text, self.tags, self.attrs = [], [], [], {}, []
        self.th = []
        self.in_th = False
    def handle_starttag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
        self.attrs += attrs
        if tag == "th":
            self.in_th = True
            self.th.append("")
        if tag not in VOID:
            self.stack.append(tag)
    def handle_startendtag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
        self.attrs += attrs
    def handle_endtag(self, tag):
        if tag == "th":
            self.in_th = False
        if not self.stack or self.stack[-1] != tag:
            self.errors.append("</%s> closes <%s> at line %d" % (tag, self.stack[-1] if self.stack else "nothing", self.getpos()[0]))
        else:
            self.stack.pop()
    def handle_data(self, d):
        self.text.append(d)
        if self.in_th:
            self.th[-1] += d
path, labels = sys.argv[1], sys.argv[2:]
raw = open(path, encoding="utf-8").read()
p = P()
p.feed(raw)
p.close()
fail = list(p.errors)
if p.stack:
    fail.append("unclosed: " + " ".join(p.stack))
if not raw.startswith("<!DOCTYPE html>"):
    fail.append("no doctype")
text = "".join(p.text)
for l in labels:
    if l not in text:
        fail.append("label %r missing" % l)
ths = [t.strip() for t in p.th]
if any(t.startswith("cur_spx.sync") for t in ths):   # AArch64: 16 slots
    rows = [("%s.%s" % (g, k), 0x200 * gi + 0x80 * ki) for gi, g in enumerate(("cur_sp0", "cur_spx", "lower_a64", "lower_a32"))
            for ki, k in enumerate(("sync", "irq", "fiq", "serror"))]
else:
    rows = (("reset", 0), ("undef", 4), ("svc", 8), ("pabt", 12), ("dabt", 16), ("hyp", 20), ("irq", 24), ("fiq", 28))
for v, off in rows:
    if not any(t.startswith(v) and ("0x%02x" % off) in t for t in ths):
        fail.append("vector %s +0x%02x missing" % (v, off))
cells = p.tags.get("td", 0)
for bad in ("http://", "https://", "<script", "<link", "@import", "<iframe", "<object", "<img"):
    if bad in raw:
        fail.append("external reference or script: %r" % bad)
if re.search(r"<[^>]*\ssrc\s*=", raw):
    fail.append("a src= attribute")
for k, v in p.attrs:
    if k in ("src", "srcset", "data", "action", "poster"):
        fail.append("external resource attribute %s=%r" % (k, v))
    if k in ("href", "xlink:href") and v and not v.startswith("#"):
        fail.append("non-local link %r" % v)
if re.search(r"url\((?!#)", raw):
    fail.append("url() to something other than a local fragment")
if p.tags.get("svg", 0) < 1 and "--no-svg" not in labels:
    fail.append("no inline svg")
if fail:
    print("\n".join(fail))
    sys.exit(1)
print("ok: %d tags, %d svg, %d td" % (sum(p.tags.values()), p.tags.get("svg", 0), cells))
EOF

# --- a PNG reader on zlib alone: size, distinct colours, colour presence ---
cat >"$T/check_png.py" <<'EOF'
import sys, zlib, struct
path, want_w, want_h = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
colours = [tuple(int(c[i:i + 2], 16) for i in (0, 2, 4)) for c in sys.argv[4:]]
d = open(path, "rb").read()
assert d[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat = 8, b""
while pos < len(d):
    n, = struct.unpack(">I", d[pos:pos + 4])
    t, c = d[pos + 4:pos + 8], d[pos + 8:pos + 8 + n]
    pos += 12 + n
    if t == b"IHDR":
        w, h, depth, ct, _, _, inter = struct.unpack(">IIBBBBB", c)
    elif t == b"IDAT":
        idat += c
if (w, h) != (want_w, want_h):
    print("size %dx%d, want %dx%d" % (w, h, want_w, want_h)); sys.exit(1)
assert depth == 8 and inter == 0 and ct in (2, 6), "unexpected PNG format"
bpp = 3 if ct == 2 else 4
raw, stride = zlib.decompress(idat), w * bpp
prev, i, seen = bytearray(stride), 0, set()
for y in range(h):
    f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
    i += 1 + stride
    if f == 1:
        for x in range(bpp, stride): line[x] = (line[x] + line[x - bpp]) & 255
    elif f == 2:
        line = bytearray((a + b) & 255 for a, b in zip(line, prev))
    elif f == 3:
        for x in range(stride):
            line[x] = (line[x] + (((line[x - bpp] if x >= bpp else 0) + prev[x]) >> 1)) & 255
    elif f == 4:
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b, c = prev[x], (prev[x - bpp] if x >= bpp else 0)
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    seen.update(bytes(line[x:x + 3]) for x in range(0, stride, bpp * 2))
    prev = line
fail = []
if len(seen) < 50:
    fail.append("only %d distinct colours: blank?" % len(seen))
for c in colours:
    if not any(abs(s[0] - c[0]) + abs(s[1] - c[1]) + abs(s[2] - c[2]) <= 12 for s in seen):
        fail.append("colour #%02x%02x%02x not drawn" % c)
if fail:
    print("\n".join(fail)); sys.exit(1)
print("ok: %dx%d, %d distinct colours" % (w, h, len(seen)))
EOF

# --- help, usage errors ---
OUT=$("$HVPROBE" report --help); rc=$?
expect_eq "report --help exits 0" "$rc" 0
expect_match "report --help explains the scale" "$OUT" 'log2'
"$HVPROBE" help report >/dev/null
expect_eq "hvprobe help report exits 0" "$?" 0
"$HVPROBE" report "$S/low-vexpress.json" 2>"$T/err"; rc=$?
expect_eq "no -o: exit 2" "$rc" 2
expect_match "no -o: says how" "$(cat "$T/err")" '-o FILE'
"$HVPROBE" report -o "$T/x.html" 2>/dev/null
expect_eq "no snapshot: exit 2" "$?" 2
"$HVPROBE" report --format pdf -o "$T/x.html" "$S/low-vexpress.json" 2>/dev/null
expect_eq "--format pdf: exit 2" "$?" 2
"$HVPROBE" report --expect nonsense -o "$T/x.html" "$S/low-vexpress.json" 2>/dev/null
expect_eq "malformed --expect: exit 2" "$?" 2
ok_if "usage errors write nothing" test ! -e "$T/x.html"

# --- Markdown, golden ---
# shellcheck disable=SC2086
"$HVPROBE" report --format markdown $EXPECT -o "$T/report.md" $SNAPS; rc=$?
expect_eq "report --format markdown exits 0 (every expectation holds)" "$rc" 0
if [ -n "${UPDATE_GOLDEN:-}" ]; then cp "$T/report.md" "$G/report.md"; fi
ok_if "report --format markdown matches $G/report.md" diff -u "$G/report.md" "$T/report.md"
# shellcheck disable=SC2086
"$HVPROBE" report --format markdown $EXPECT -o - $SNAPS >"$T/stdout.md"
ok_if "-o - writes the same document to standard output" cmp "$T/report.md" "$T/stdout.md"
MD=$(cat "$T/report.md")
expect_match "markdown: the flash alias wins over the RAM alias at 0x0" "$MD" \
    'vexpress.{0,2}flashalias.*\*\*wins\*\*'
expect_match "markdown: the RAM alias is hidden" "$MD" 'lowmem .*hidden'
expect_match "markdown: expectations table" "$MD" '^4 of 4 held\.'
expect_match "markdown: root cause section" "$MD" '^### Most likely root cause'
ok_if "markdown: no HTML tags" sh -c "! grep -q '<[a-z]' '$T/report.md'"

# --- HTML on the fixtures ---
# shellcheck disable=SC2086
"$HVPROBE" report $EXPECT --title 'Fixture snapshots' -o "$T/report.html" $SNAPS; rc=$?
expect_eq "report (HTML) exits 0" "$rc" 0
ok_if "HTML: well-formed, every label and vector, nothing external" \
    python3 "$T/check_html.py" "$T/report.html" low-vexpress vbar-vexpress mmu-vexpress low-virt
H=$(cat "$T/report.html")
expect_match "HTML: --title used" "$H" '<title>Fixture snapshots</title>'
expect_eq "HTML: one memory map per snapshot" "$(grep -c '<svg class="map"' "$T/report.html")" 4
expect_match "HTML: the winner of the overlap at 0x0 is marked" "$H" 'vexpress.flashalias .*wins'
expect_match "HTML: vector base marker" "$H" 'vector base 0x60000000 \(VBAR_S\)'
expect_match "HTML: PC marker" "$H" 'PC 0x[0-9a-f]{8} \(svc32\)'
expect_match "HTML: load segment marker" "$H" 'LOAD r-x 0x60000000-0x600001a7'
expect_match "HTML: verdict badges" "$H" '<span class="v v-zero-filled">zero-filled</span>'
ok_if "HTML file is mode 0644, not mkstemp's 0600" test "$(stat -c %a "$T/report.html")" = 644
ok_if "no temporary file left next to the report" sh -c "! ls -A '$T' | grep -q '^\.hvprobe-report'"

# --- exit codes and atomic output ---
"$HVPROBE" report --expect low-vexpress:svc=valid -o "$T/fail.html" "$S/low-vexpress.json" 2>"$T/err"; rc=$?
expect_eq "an expectation fails: exit 1" "$rc" 1
ok_if "an expectation fails: the report is still written" test -s "$T/fail.html"
expect_match "an expectation fails: the report says FAIL" "$(cat "$T/fail.html")" 'v-fail">FAIL'
expect_match "an expectation fails: stderr says so" "$(cat "$T/err")" 'did not hold'
"$HVPROBE" report --expect nobody:svc=valid -o "$T/fail2.md" --format markdown "$S/low-vexpress.json" 2>/dev/null
expect_eq "an expectation naming no snapshot: exit 1" "$?" 1
printf '{"schema_version": 1, "label": ' >"$T/bad.json"
cp "$T/report.html" "$T/keep.html"
"$HVPROBE" report -o "$T/keep.html" "$T/bad.json" 2>"$T/err"; rc=$?
expect_eq "malformed snapshot: exit 2" "$rc" 2
ok_if "malformed snapshot: the existing report is untouched" cmp "$T/report.html" "$T/keep.html"
"$HVPROBE" report -o "$T/missing.html" "$T/no-such.json" 2>/dev/null
expect_eq "missing snapshot: exit 2" "$?" 2
"$HVPROBE" report -o "$T/no-such-dir/r.html" "$S/low-vexpress.json" 2>"$T/err"; rc=$?
expect_eq "unwritable output: exit 5" "$rc" 5
ok_if "unwritable output: nothing written" test ! -e "$T/no-such-dir"
mkdir -p "$T/ro" && chmod 0555 "$T/ro"
if [ "$(id -u)" != 0 ]; then
    "$HVPROBE" report -o "$T/ro/r.html" "$S/low-vexpress.json" 2>/dev/null
    expect_eq "read-only directory: exit 5" "$?" 5
fi
ln -s report.html "$T/link.html"
"$HVPROBE" report -o "$T/link.html" "$S/low-virt.json"
expect_eq "a symbolic link as output: exit 0" "$?" 0
ok_if "a symbolic link as output stays a link, its target is replaced" \
    sh -c "test -L '$T/link.html' && grep -q 'low-virt' '$T/report.html' && ! grep -q 'mmu-vexpress' '$T/report.html'"
"$HVPROBE" report -o /dev/full --format markdown "$S/low-vexpress.json" 2>/dev/null
expect_eq "/dev/full (a full disk): exit 5" "$?" 5

# --- escaping: hostile strings from a snapshot ---
python3 - "$S/low-vexpress.json" "$T/evil.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["label"] = "<script>alert(1)</script>|&\"x'"
d["backend"]["machine"] = "<img src=x onerror=alert(1)>"
for r in d["memory_map"]:
    if r["name"] == "vexpress.flashalias":
        r["name"] = "<b>evil</b>"
json.dump(d, open(sys.argv[2], "w"))
EOF
"$HVPROBE" report -o "$T/evil.html" "$T/evil.json"
expect_eq "hostile snapshot: report written" "$?" 0
E=$(cat "$T/evil.html")
ok_if "hostile snapshot: no injected tag survives" sh -c "! grep -Eq '<script|<img|<b>evil' '$T/evil.html'"
expect_match "hostile snapshot: the label is shown escaped" "$E" '&lt;script&gt;alert\(1\)&lt;/script&gt;\|&amp;&quot;x&#39;'
ok_if "hostile snapshot: still well-formed" python3 "$T/check_html.py" "$T/evil.html" "<script>alert(1)</script>|&\"x'"
"$HVPROBE" report --format markdown -o "$T/evil.md" "$T/evil.json"
expect_match "hostile snapshot, markdown: pipes and tags escaped" "$(cat "$T/evil.md")" \
    '\\<script>alert\(1\)\\</script>\\\|'

# --- the demo's report in headless Chromium ---
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
shot() { # shot HTML PNG HEIGHT
    timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --disable-sync --no-first-run --user-data-dir="$(mktemp -d "$T/chr.XXXXXX")" \
        --screenshot="$2" --window-size=1400,"$3" "file://$1" >"$T/chromium.log" 2>&1
}
if [ -z "$CHROMIUM" ]; then
    tap_result 0 "# SKIP chromium not installed (scripts/install-deps installs it)"
elif [ ! -f "${GUESTS:-build/guests}/tiny-low-virt.elf" ]; then
    tap_result 0 "# SKIP the test guests are not built (make guests)"
else
    # The TCG and stage-2 fixture rows (the kvm-nested rows take 20 s more
    # and need their host image; the report does not depend on them).
    timeout 180 "$HVPROBE" demo -q --no-kvm -o "$T/demo" >/dev/null 2>"$T/demo.err"
    expect_eq "demo writes ten snapshots (six AArch32, four AArch64)" "$(ls "$T/demo"/*.json 2>/dev/null | wc -l)" 10
    A32=$(ls "$T/demo"/*.json | grep -v -- -a64-)
    A64=$(ls "$T/demo"/*-a64-*.json)
    # shellcheck disable=SC2086
    "$HVPROBE" report --title 'hvprobe demo: the same two guests under QEMU TCG and a stage-2 fixture' \
        --expect tcg-vexpress-low:svc=zero-filled --expect tcg-vexpress-vbar:svc=valid \
        --expect fixture-low:svc=unmapped -o "$T/demo.html" $A32; rc=$?
    expect_eq "report on the demo's AArch32 snapshots: exit 0" "$rc" 0
    # shellcheck disable=SC2046
    ok_if "demo HTML: well-formed, every label and vector, nothing external" python3 "$T/check_html.py" \
        "$T/demo.html" $(for f in $A32; do basename "$f" .json; done)
    # shellcheck disable=SC2086
    "$HVPROBE" report --expect fixture-a64-low:cur_spx.sync=unmapped --expect tcg-a64-low:cur_spx.sync=zero-filled \
        -o "$T/demo64.html" $A64; rc=$?
    expect_eq "report on the demo's AArch64 snapshots: exit 0" "$rc" 0
    # shellcheck disable=SC2046
    ok_if "AArch64 HTML: well-formed, every label, nothing external" python3 "$T/check_html.py" \
        "$T/demo64.html" $(for f in $A64; do basename "$f" .json; done)
    D=$(cat "$T/demo64.html")
    expect_match "AArch64 HTML: the 16 slots" "$D" 'lower_a32\.serror'
    expect_match "AArch64 HTML: PSTATE, not CPSR" "$D" 'PSTATE 0x[0-9a-f]{8} \(EL[12]h\)'
    expect_match "AArch64 HTML: the map marks the whole 0x800-byte table" "$D" 'VBAR_ELn \+ 0x000\.\.0x7ff'
    expect_match "AArch64 HTML: its evidence chain is the synchronous slot's" "$D" 'Evidence chain \(synchronous\)'
    ok_if "report refuses the whole demo set, AArch32 and AArch64 mixed (exit 7)" \
        sh -c '"$1" report -o "$2" "$3"/*.json 2>/dev/null; [ $? = 7 ]' sh "$HVPROBE" "$T/mixed.html" "$T/demo"
    D=$(cat "$T/demo.html")
    expect_match "demo HTML: the stage-2 map is flagged as host memory" "$D" 'Stage 2 was on: the map is QEMU'
    expect_match "demo HTML: the suggested fix from the image" "$D" 'write it to VBAR'
    expect_match "demo HTML: the stage-2 fault in the evidence chain" "$D" 'fixture-low: svc -&gt; .*IPA 0x8'
    case $T in /*) A=$T ;; *) A=$PWD/$T ;; esac
    shot "$A/demo.html" "$T/demo.png" 2000
    ok_if "chromium rendered the demo report to a PNG" test -s "$T/demo.png"
    # Verdict badges: valid (green), unmapped (red), zero-filled (orange).
    ok_if "demo PNG: 1400x2000, not blank, verdict badges drawn" \
        python3 "$T/check_png.py" "$T/demo.png" 1400 2000 2e7d32 c62828 ef6c00
    # One snapshot: the memory map is within the first screen; flash
    # (ROM colour), RAM, I/O and the vector-table marker must be drawn.
    "$HVPROBE" report -o "$T/one.html" "$S/low-vexpress.json"
    shot "$A/one.html" "$T/one.png" 3200
    ok_if "one-snapshot PNG: the SVG memory map is rendered (ROM, RAM, I/O colours)" \
        python3 "$T/check_png.py" "$T/one.png" 1400 3200 f6d28b b8e0b0 b9d4ee
    if [ -n "${UPDATE_GOLDEN:-}" ]; then cp "$T/demo.png" docs/report-demo.png; fi
fi
done_testing
