# tests/integration/matrix.sh - `hvprobe matrix`, the exception-routing
# matrix, run for real: every probe guest (guests/probe: one exception
# under one vector placement, reporting the handler that ran) under tcg
# (vexpress-a9 and virt) and the fixture hypervisor.  The whole tcg+fixture
# matrix is the self-test: every cell where the guest's word and hvprobe's
# verdict can be compared must agree, so a wrong routing rule in hvprobe's
# model fails this test.  Also: the table, the JSON and the page; skipped
# backends; --emit-jobs run through GNU parallel and --merge; --resume
# after Ctrl-C; the per-cell timeout; bad input.  Opt-in, the real seL4
# VMM: HVP_SEL4_PROBES=DIR of per-probe seL4 images (see below).
. tests/lib/tap.sh
T=$HVP_TEST_TMP/matrix
rm -rf "$T"
mkdir -p "$T"
export TMPDIR=$T
trap 'pkill -KILL -f "qemu-system.*$T" 2>/dev/null' EXIT
cd "$T" || exit 1

qemus() { pgrep -f "qemu-system.*$T" | wc -l; }
# cell DIR ID EXPR: a field of one cell's result
cell() {
    python3 -c "import json,sys; c=json.load(open(sys.argv[1])); g=c['guest']; h=c.get('hvprobe',{}); print($3)" \
        "$1/cells/$2.json"
}

# ---- bad input -------------------------------------------------------
"$HVPROBE" matrix -o bad --backends tcg,xen >out.txt 2>err.txt
expect_eq "an unknown backend: exit 2" "$?" 2
expect_match "... naming it and the valid ones" "$(cat err.txt)" "unknown backend 'xen' \(tcg, tcg-vexpress, tcg-virt, fixture, kvm-nested, sel4\)"
"$HVPROBE" matrix -o bad --exceptions svc,nmi 2>err.txt
expect_eq "an unknown exception: exit 2" "$?" 2
expect_match "... naming it" "$(cat err.txt)" "unknown exception 'nmi'"
"$HVPROBE" matrix -o bad --placements nowhere 2>err.txt
expect_match "an unknown placement: exit 2, named" "$? $(cat err.txt)" "^2 .*unknown placement 'nowhere'"
"$HVPROBE" matrix --cell svc.vbar -o bad 2>err.txt
expect_match "a malformed cell id: exit 2" "$? $(cat err.txt)" "^2 .*not a cell \(EXCEPTION.PLACEMENT@BACKEND"
"$HVPROBE" matrix --resume nowhere 2>err.txt
expect_match "--resume of a directory with no matrix: exit 2" "$? $(cat err.txt)" "^2 .*nowhere holds no matrix"
"$HVPROBE" matrix --merge nowhere -o x 2>err.txt
expect_match "--merge with -o: exit 2, the plan decides" "$? $(cat err.txt)" "^2 .*leave out -o"
HVPROBE_GUESTS=$T/none "$HVPROBE" matrix -o bad 2>err.txt
expect_match "no probe guests built: exit 2, says make" "$? $(cat err.txt)" "^2 .*probe guests are not built .*run make"
"$HVPROBE" matrix -o bad -j 0 2>err.txt
expect_match "-j 0: exit 2" "$? $(cat err.txt)" "^2 .*--jobs takes a number from 1 to 256"
"$HVPROBE" matrix -o bad --sel4-images "$T/none" 2>err.txt
expect_match "--sel4-images that is no directory: exit 2" "$? $(cat err.txt)" "^2 .*--sel4-images .*/none: no such directory"
ok_if "--help teaches the rows, columns and the jobs workflow" sh -c \
    "'$HVPROBE' matrix --help | grep -q 'parallel < jobs.txt' && '$HVPROBE' matrix --help | grep -q 's2    VBAR 0, the probe'"

# ---- the self-test: every probe under tcg and the fixture --------------
"$HVPROBE" matrix -o full --backends tcg,fixture >full.txt 2>full.err
expect_eq "tcg + fixture matrix: exit 0 (no cell disagrees)" "$?" 0
expect_match "105 cells, none disagrees" "$(tail -n1 full.txt)" "^105 cells: 83 agree, 0 disagree, 22 without a route to compare"
expect_match "the low-vector rows are where the backends differ (6 rows: serror has no fixture cell)" \
    "$(tail -n1 full.txt)" "; 6 rows where the backends differ;"
expect_match "the table: svc under low vectors -- zeros on vexpress, the DTB on virt, a fault report under the fixture" \
    "$(grep '^svc low ' full.txt)" '^svc low +silent zero-filled +silent data +hv-fault unmapped +\*$'
expect_match "the table: svc with VBAR set is taken in svc32 everywhere" "$(grep '^svc vbar ' full.txt)" \
    '^svc vbar +svc32 valid +svc32 valid +svc32 valid$'
expect_match "the table: irq with high vectors, irq32" "$(grep '^irq high ' full.txt)" '^irq high +irq32 valid +irq32 valid +irq32 valid$'
expect_match "the table: s2 runs only where the probe gets Hyp mode" "$(grep '^svc s2 ' full.txt)" '^svc s2 +n/a +hyp-trap unmapped +n/a$'
expect_eq "svc.vbar@tcg-virt: the guest's handler ran in svc32 at VBAR+0x8, hvprobe says valid there, they agree" \
    "$(cell full svc.vbar@tcg-virt 'g["outcome"], g["slot"], g["mode"], g["address"], h["verdict"], h["taken_to"], h["fetch"], c["agree"]')" \
    "entered svc svc32 0x40000008 valid svc32 0x40000008 True"
expect_eq "svc.low@tcg-vexpress: no handler ran; hvprobe: zero-filled (the flash at 0)" \
    "$(cell full svc.low@tcg-vexpress 'g["outcome"], h["verdict"], c["agree"]')" "silent zero-filled True"
expect_match "svc.low@fixture: the hypervisor's fault report is the ground truth" \
    "$(cell full svc.low@fixture 'g["outcome"], g["line"], h["verdict"], c["agree"]')" \
    "^hypervisor Pagefault from \[vm0\]: read prefetch fault @ PC: 0x8 IPA: 0x8, FSR: 0x6 unmapped True$"
expect_match "svc.s2@tcg-virt: the probe's own Hyp took the stage-2 fault at IPA 0, HIFAR 0x8" \
    "$(cell full svc.s2@tcg-virt 'g["outcome"], g["line"], h["verdict"]')" \
    "^trapped probe: trapped to hyp32 at HVBAR\+0x14 \(HSR 0x80000006, EC 0x20: prefetch abort from the guest; HPFAR IPA 0x00000000, HIFAR 0x00000008.* unmapped$"
expect_eq "dabt.mmu@tcg-vexpress: MMU on, VA 0 unmapped: silent, hvprobe says unmapped" \
    "$(cell full dabt.mmu@tcg-vexpress 'g["outcome"], h["verdict"], c["agree"]')" "silent unmapped True"
expect_eq "fiq.vbar@tcg-vexpress: the FIQ handler ran in fiq32 at VBAR+0x1c" \
    "$(cell full fiq.vbar@tcg-vexpress 'g["mode"], g["address"], h["taken_to"], h["masked"], c["agree"]')" \
    "fiq32 0x6000001c fiq32 False True"
expect_eq "serror.vbar@tcg-virt: the virtual abort enters at the data-abort slot in abt32" \
    "$(cell full serror.vbar@tcg-virt 'g["slot"], g["mode"], h["taken_to"], c["agree"]')" "dabt abt32 abt32 True"
expect_match "serror under vexpress-a9: n/a, the reason given without running it" \
    "$(cell full serror.vbar@tcg-vexpress 'g["outcome"], g["line"]')" "^n/a .*Cortex-A9 has no virtualization extensions"
ok_if "every cell that ran kept its snapshot and serial output" sh -c \
    "test \$(ls full/cells/*.snapshot.json | wc -l) -eq 83 && test \$(ls full/cells/*.serial.txt | wc -l) -eq 83"
ok_if "the snapshots validate against the schema" sh -c "'$OLDPWD/tests/lib/validate-snapshot' full/cells/*.snapshot.json"
expect_eq "matrix.json: the format, 105 cells, 0 disagreements, the diverging rows named" \
    "$(python3 -c "import json; m=json.load(open('full/matrix.json')); s=m['summary']; print(m['format'], len(m['cells']), s['disagree'], ' '.join(s['diverging_rows']))")" \
    "hvprobe-matrix 105 0 svc.low undef.low pabt.low dabt.low irq.low fiq.low"
ok_if "matrix.html: the divergent rows marked, no disagreeing cell, cells linked to their snapshots" sh -c \
    "test \$(grep -c '<tr class=\"div\">' full/matrix.html) -eq 6 && ! grep -q 'class=\"bad\"' full/matrix.html && grep -q 'href=\"cells/svc.vbar@tcg-virt.snapshot.json\"' full/matrix.html"
"$HVPROBE" matrix -o full >/dev/null 2>err.txt
expect_match "running into a directory that holds a matrix is refused (nothing lost)" "$? $(cat err.txt)" \
    "^2 .*full holds a matrix already: continue it with --resume full"
"$HVPROBE" matrix --merge full --json >merged.json 2>/dev/null
expect_eq "--merge of the finished matrix: exit 0, the same 105 cells" \
    "$? $(python3 -c "import json; print(len(json.load(open('merged.json'))['cells']))")" "0 105"

# ---- a backend this host cannot run: listed, with the reason -----------
"$HVPROBE" matrix -o skip --backends tcg-virt,sel4 --exceptions svc --placements vbar >skip.txt 2>skip.err
expect_eq "with sel4 (no per-probe image): exit 0" "$?" 0
expect_match "the table lists sel4 as skipped, with the reason" "$(cat skip.txt)" "Skipped sel4: a seL4 system image carries its one guest"
expect_match "... and the JSON says so" \
    "$(python3 -c "import json; print([ (b['name'], b['status']) for b in json.load(open('skip/matrix.json'))['backends']])")" \
    "\('tcg-virt', 'ran'\), \('sel4', 'skipped'\)"

# ---- the real seL4 VMM (opt-in): HVP_SEL4_PROBES names a directory of seL4
# system images, one per probe (probe-EXC-PLACE-virt.img, each built with
# that probe's binary as its guest, ../shared/sel4/BUILD.md) and kernel.elf
if [ -n "${HVP_SEL4_PROBES:-}" ] && [ -f "$HVP_SEL4_PROBES/probe-svc-low-virt.img" ]; then
    "$HVPROBE" matrix -o sel4 --backends sel4,fixture --exceptions svc --placements vbar,low \
        --sel4-images "$HVP_SEL4_PROBES" >sel4.txt 2>/dev/null
    expect_eq "seL4: exit 0, no disagreement" "$?" 0
    expect_match "seL4: svc with VBAR set is taken in svc32 under the seL4 VMM, as under the fixture" \
        "$(grep '^svc vbar ' sel4.txt)" '^svc vbar +svc32 valid +svc32 valid$'
    expect_eq "seL4: with low vectors the VMM reports the user's fault, and hvprobe says unmapped" \
        "$(cell sel4 svc.low@sel4 'g["outcome"], g["line"], h["verdict"], c["agree"]')" \
        "hypervisor Pagefault from [vm0]: read prefetch fault @ PC: 0x8 IPA: 0x8, FSR: 0x6 unmapped True"
fi

# ---- --emit-jobs, GNU parallel, --merge --------------------------------
SEL="--backends tcg-virt,tcg-vexpress --exceptions svc,undef --placements vbar,low"
"$HVPROBE" matrix --emit-jobs jobs.txt -o emitted $SEL 2>emit.err
expect_eq "--emit-jobs: exit 0, one line per cell (8)" "$? $(wc -l <jobs.txt)" "0 8"
expect_match "each job is a self-contained command (absolute paths)" "$(head -n1 jobs.txt)" \
    "^'/[^']*hvprobe' 'matrix' '--cell' '[a-z]+\.[a-z0-9]+@tcg-[a-z]+' '-o' '/[^']*/emitted' '--guests' '/"
(cd / && parallel -j2 <"$T/jobs.txt" >"$T/parallel.out" 2>&1)
expect_eq "GNU parallel runs the jobs (from another directory): exit 0" "$?" 0
"$HVPROBE" matrix --merge emitted >merged.txt 2>/dev/null
expect_eq "--merge: exit 0" "$?" 0
"$HVPROBE" matrix -o direct $SEL >direct.txt 2>/dev/null
expect_eq "the merged table is the direct run's table" "$(sed '$d' merged.txt)" "$(sed '$d' direct.txt)"
expect_match "the merged summary has no timing (it is unknown), the direct one has" \
    "$(tail -n1 merged.txt) | $(tail -n1 direct.txt)" "^8 cells: 8 agree, .*differ\. \| 8 cells: 8 agree, .* s with 2 jobs\.$"

# ---- Ctrl-C, then --resume ---------------------------------------------
"$HVPROBE" matrix -o resumed --backends tcg-virt,tcg-vexpress --exceptions svc,undef --placements vbar,low,mmu \
    >/dev/null 2>int.err &
PID=$!
for i in $(seq 100); do
    [ "$(ls resumed/cells/*@*.json 2>/dev/null | grep -vc snapshot)" -ge 3 ] && break
    sleep 0.1
done
kill -INT $PID
wait $PID
expect_eq "Ctrl-C: exit 130" "$?" 130
expect_match "... one sentence: what is kept, how to go on" "$(tail -n1 int.err)" \
    "interrupted: [0-9]+ of 12 cells have results in resumed; hvprobe matrix --resume resumed runs the rest"
sleep 0.5
expect_eq "no QEMU left" "$(qemus)" 0
ok_if "no partial file left" sh -c "! ls -a resumed/cells | grep -q '^\.hvprobe-'"
KEPT=$(ls resumed/cells/ | grep -c '@[a-z-]*\.json$')
ok_if "the finished cells are kept ($KEPT)" test "$KEPT" -ge 3 -a "$KEPT" -lt 12
"$HVPROBE" matrix --resume resumed >resumed.txt 2>resume.err
expect_eq "--resume: exit 0" "$?" 0
expect_match "... runs only the rest" "$(cat resume.err)" "resuming resumed: $((12 - KEPT)) of 12 cells to run"
expect_match "... and the matrix is whole" "$(tail -n1 resumed.txt)" "^12 cells: 12 agree, 0 disagree"

# ---- a cell that takes too long ----------------------------------------
"$HVPROBE" matrix -o slow --backends tcg-virt --exceptions svc --placements vbar,low --cell-timeout 0.2 >slow.txt 2>/dev/null
expect_eq "cells over --cell-timeout: exit 3" "$?" 3
expect_match "each is marked TIMEOUT with the reason, the rest of the matrix goes on" "$(cat slow.txt)" \
    "TIMEOUT svc.vbar@tcg-virt: stopped after 0.2 s \(the cell timeout\)"
expect_match "the summary counts them" "$(tail -n1 slow.txt)" "2 timed out"
sleep 0.5
expect_eq "no QEMU left after the timeouts" "$(qemus)" 0
"$HVPROBE" matrix --resume slow >slow2.txt 2>slow2.err
expect_eq "--resume runs the timed-out cells again (the timeout was for that run): exit 0" "$?" 0
expect_match "... both now agree" "$(tail -n1 slow2.txt)" "^2 cells: 2 agree, 0 disagree"
expect_eq "the plan keeps the settings the cells ran with" \
    "$(python3 -c "import json; s=json.load(open('slow/plan.json'))['settings']; print(s['guests'] == '$GUESTS' or s['guests'].endswith('/guests'), s['wait'])")" \
    "True 0.0"
done_testing
