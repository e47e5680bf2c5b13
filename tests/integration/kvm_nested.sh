# tests/integration/kvm_nested.sh - the kvm-nested backend: real Linux KVM
# inside an emulated arm64 host, on this (x86-64) machine.  The same guest
# under tcg and kvm-nested; the KVM snapshot must show the accelerator
# enabled and the host CPU's MIDR; the low guest's verdict under KVM must
# agree with its UART (the ground truth); nothing may be left running.
# Uses the cached host ($XDG_CACHE_HOME/hvprobe/kvm-host), building it if
# it is missing (about 100 MB from Debian's arm64 archive).
. tests/lib/tap.sh
. tests/lib/json.sh
T=$HVP_TEST_TMP/kvm-nested
mkdir -p "$T"
export TMPDIR=$T
# Only our QEMUs: their command lines carry our runtime directory.
cleanup() { pkill -KILL -f "qemu-system-aarch64 .*$T/" 2>/dev/null; }
trap cleanup EXIT
ours() { pgrep -f "qemu-system-aarch64 .*$T/" | wc -l; }
rm -rf "$T"/hvprobe-*

# ---- the cached host
timeout 900 "$HVPROBE" kvm-host build >"$T/build.out" 2>"$T/build.err"; rc=$?
expect_eq "kvm-host build: exit 0 (cached or built)" "$rc" 0
OUT=$("$HVPROBE" kvm-host status); rc=$?
expect_eq "kvm-host status: ready -> exit 0" "$rc" 0
expect_match "status: Debian's arm64 kernel" "$OUT" '^kernel +linux-image-[0-9.]+-[0-9]+-arm64 '
expect_match "status: busybox and qemu-system-aarch64" "$OUT" 'busybox-static .*qemu-system-aarch64 '
expect_match "status: the library closure and the modules" "$OUT" '[0-9]+ shared libraries, [0-9]+ kernel modules'
OUT=$("$HVPROBE" kvm-host build 2>&1); rc=$?
expect_match "build again: idempotent, says it is already prepared" "$OUT" 'already prepared'
OUT=$(XDG_CACHE_HOME=$T/empty-cache "$HVPROBE" kvm-host status); rc=$?
expect_eq "status of an empty cache: exit 1" "$rc" 1
expect_match "status of an empty cache: says how to prepare it" "$OUT" 'not prepared \(hvprobe kvm-host build\)'
OUT=$(XDG_CACHE_HOME=$T/empty-cache "$HVPROBE" run "$GUESTS/tiny-low-virt.elf" --backend kvm-nested 2>&1); rc=$?
expect_eq "run without a prepared host: exit 3" "$rc" 3
expect_match "run without a prepared host: says kvm-host build" "$OUT" "run 'hvprobe kvm-host build' once"
OUT=$("$HVPROBE" check --backend kvm-nested); rc=$?
expect_eq "check --backend kvm-nested: can run -> exit 0" "$rc" 0
expect_match "check: real KVM available this way" "$OUT" '^real KVM via kvm-nested: yes'

# ---- refusals with reasons, the command line
OUT=$("$HVPROBE" run "$GUESTS/tiny-low-virt.elf" --backend kvm-nested --machine vexpress-a9 2>&1); rc=$?
expect_match "kvm-nested runs virt only" "$OUT" 'virt machine only'
CMD=$("$HVPROBE" run "$GUESTS/tiny-low-virt.elf" --backend kvm-nested --dry-run)
expect_match "dry run: the outer host with EL2, GICv3, cortex-a57" "$CMD" \
    '^qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu cortex-a57 '
expect_match "dry run: channels forwarded to 127.0.0.1 only, restricted network" "$CMD" \
    'user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:[0-9]+-:4444,hostfwd=tcp:127.0.0.1:[0-9]+-:4445,hostfwd=tcp:127.0.0.1:[0-9]+-:4446'
expect_eq "dry run leaves no runtime directory" "$(find "$T" -maxdepth 1 -name 'hvprobe-*' | wc -l)" 0

# ---- the same guest under tcg and under real KVM
timeout 60 "$HVPROBE" run "$GUESTS/tiny-low-virt.elf" --machine virt -q --capture "$T/tcg.json" \
    --at-serial 'issuing svc' --label tcg; rc=$?
expect_eq "tcg: run --capture: exit 0" "$rc" 0
start=$(date +%s%N)
timeout 180 "$HVPROBE" run "$GUESTS/tiny-low-virt.elf" --backend kvm-nested --serial "$T/kvm-serial.log" \
    --capture "$T/kvm.json" --at-serial 'issuing svc' --label kvm >"$T/run.out" 2>"$T/run.err"; rc=$?
wall=$(( ($(date +%s%N) - start) / 1000000 ))
echo "# kvm-nested run --capture took ${wall} ms"
expect_eq "kvm-nested: run --capture: exit 0" "$rc" 0
expect_match "kvm-nested: progress says the host is up with /dev/kvm" "$(cat "$T/run.err")" \
    'arm64 host up after [0-9.]+ s .*/dev/kvm present'
S=$T/kvm.json
expect_eq "kvm snapshot: query-kvm enabled" "$(jget "$S" 'd["backend"]["kvm"]["enabled"]')" true
expect_eq "kvm snapshot: accelerator kvm" "$(jget "$S" 'd["backend"]["accelerator"]')" kvm
expect_eq "tcg snapshot: accelerator tcg" "$(jget "$T/tcg.json" 'd["backend"]["accelerator"]')" tcg
expect_eq "kvm snapshot: the host CPU's MIDR (Cortex-A57), not TCG's" "$(jget "$S" 'd["cp15"]["MIDR"]')" 0x411fd070
expect_match "kvm snapshot: the kvm-nested note (late timers, register views)" \
    "$(jget "$S" '[r["text"] for r in d["raw"] if r["command"]=="kvm-nested"][0]')" \
    'real Linux KVM .*Timers run late under nested KVM'
expect_eq "kvm snapshot: VBAR read through KVM" "$(jget "$S" 'd["cp15"]["VBAR"]')" 0x00000000
ok_if "kvm snapshot validates against the schema" tests/lib/validate-snapshot "$S"

# The UART is the ground truth: under KVM the low guest's SVC reaches no
# handler (nothing after 'issuing svc')...
expect_match "UART under KVM: the guest issued its SVC" "$(cat "$T/kvm-serial.log")" 'issuing svc'
expect_eq "UART under KVM: no handler ran" "$(grep -c 'handler ran\|back from svc' "$T/kvm-serial.log")" 0
# ...and hvprobe's verdict agrees: the vector at 0x8 is data (virt's flash
# holds the device tree at 0x0), exactly as under TCG virt.
OUT=$("$HVPROBE" compare -v --expect kvm:svc=data --expect tcg:svc=data "$T/tcg.json" "$S"); rc=$?
expect_eq "compare: svc=data under both tcg and KVM" "$rc" 0
expect_match "compare: KVM's vector base holds the device tree" "$OUT" \
    'kvm +svc .*data: inside the device tree blob that starts at the vector base 0x0'

# ---- the vbar guest under KVM reaches its handler (UART and verdict)
timeout 180 "$HVPROBE" run "$GUESTS/tiny-vbar-virt.elf" --backend kvm-nested --serial "$T/vbar-serial.log" -q \
    --capture "$T/vbar.json" --at-serial 'back from svc' --label kvm-vbar; rc=$?
expect_eq "kvm-nested vbar: run --capture: exit 0" "$rc" 0
expect_match "UART under KVM: the vbar guest's handler ran" "$(cat "$T/vbar-serial.log")" 'handler ran'
"$HVPROBE" compare -v --expect kvm-vbar:svc=valid "$T/vbar.json" >/dev/null
expect_eq "compare: svc=valid under KVM for vbar" "$?" 0

# ---- breakpoint trigger under KVM: hardware breakpoints (Z1) on every
# address the SVC vector can be fetched from; the capture shows the CPU at
# 0x8 in svc32, the instant the SVC was taken
timeout 180 "$HVPROBE" run "$GUESTS/tiny-low-virt.elf" --backend kvm-nested --serial "$T/exc-serial.log" \
    --capture "$T/exc.json" --at-exception svc --label kvm-svc 2>"$T/exc.err"; rc=$?
expect_eq "kvm-nested --at-exception svc: exit 0" "$rc" 0
expect_match "stopped at the SVC vector" "$(cat "$T/exc.err")" 'stopped at 0x00000008'
expect_eq "captured in svc32 at PC 0x8" "$(jget "$T/exc.json" 'd["cpu"]["cpsr"]["mode"]+" "+d["cpu"]["registers"]["pc"]')" \
    "svc32 0x00000008"
"$HVPROBE" compare -v --expect kvm-svc:svc=data "$T/exc.json" >/dev/null
expect_eq "at the SVC under KVM: svc=data" "$?" 0
expect_eq "the guest was not corrupted by a software breakpoint (UART intact)" \
    "$(grep -c 'issuing svc' "$T/exc-serial.log")" 1

# ---- an AArch64 guest under real KVM (-cpu host, AArch64 left on)
timeout 180 "$HVPROBE" run "$GUESTS/a64-vbar-virt.elf" --backend kvm-nested -q --serial "$T/a64v.log" \
    --capture "$T/a64v.json" --at-serial 'back from svc' --label kvm-a64-vbar; rc=$?
expect_eq "AArch64 vbar guest under KVM: run --capture: exit 0" "$rc" 0
expect_match "UART under KVM: its cur_spx.sync handler ran" "$(cat "$T/a64v.log")" \
    'a64: took sync at VBAR_EL1\+0x200 \(cur_spx.sync\), ESR_EL1 0x56000000'
timeout 180 "$HVPROBE" run "$GUESTS/a64-low-virt.elf" --backend kvm-nested -q --serial "$T/a64l.log" \
    --capture "$T/a64l.json" --at-serial 'issuing svc' --label kvm-a64-low; rc=$?
expect_eq "AArch64 low guest under KVM: run --capture: exit 0" "$rc" 0
expect_eq "UART under KVM: no handler after the low guest's SVC" "$(grep -c 'took \|back from svc' "$T/a64l.log")" 0
expect_eq "AArch64 snapshots under KVM: schema 2, aarch64, accelerator kvm" \
    "$(jget "$T/a64v.json" '[d["schema_version"], d["arch"], d["backend"]["accelerator"]]')" '[2, "aarch64", "kvm"]'
expect_match "the kvm-nested note says -cpu host, registers from the gdbstub" \
    "$(jget "$T/a64v.json" '[r["text"] for r in d["raw"] if r["command"]=="kvm-nested"][0]')" \
    '-cpu host, inside .*Core and system registers come from the gdbstub'
OUT=$("$HVPROBE" compare -v --expect kvm-a64-vbar:cur_spx.sync=valid --expect kvm-a64-low:cur_spx.sync=zero-filled \
    "$T/a64v.json" "$T/a64l.json"); rc=$?
expect_eq "compare: cur_spx.sync valid with VBAR_EL1 set, zero-filled (UDF #0 in flash) without" "$rc" 0
expect_match "... and the low guest is caught in the loop: ESR_EL1 says undefined instruction" "$OUT" \
    'kvm-a64-low: last exception taken to EL1: ESR_EL1 0x02000000: unknown reason \(e.g. an undefined instruction'
ok_if "AArch64 KVM snapshots validate against the schema" tests/lib/validate-snapshot "$T/a64v.json" "$T/a64l.json"

# ---- teardown: nothing left
expect_eq "no QEMU of ours left running" "$(ours)" 0
expect_eq "no runtime directories left" "$(find "$T" -maxdepth 1 -name 'hvprobe-*' | wc -l)" 0
# Interrupted while the host boots: both VMs go (the inner one lives in
# the outer one; the outer one is our child with PDEATHSIG).
"$HVPROBE" run "$GUESTS/tiny-low-virt.elf" --backend kvm-nested -q --serial "$T/int.log" &
pid=$!
for _ in $(seq 50); do [ "$(ours)" -gt 0 ] && break; sleep 0.1; done
expect_eq "interrupt test: the outer QEMU started" "$(ours)" 1
sleep 2
kill -INT $pid
wait $pid; rc=$?
expect_eq "Ctrl-C: exit 130" "$rc" 130
for _ in $(seq 30); do [ "$(ours)" = 0 ] && break; sleep 0.1; done
expect_eq "Ctrl-C: no QEMU of ours left" "$(ours)" 0
"$HVPROBE" run "$GUESTS/tiny-low-virt.elf" --backend kvm-nested -q --serial "$T/kill.log" &
pid=$!
for _ in $(seq 50); do [ "$(ours)" -gt 0 ] && break; sleep 0.1; done
kill -KILL $pid
wait $pid 2>/dev/null
for _ in $(seq 50); do [ "$(ours)" = 0 ] && break; sleep 0.1; done
expect_eq "hvprobe killed: the outer QEMU dies with it (PDEATHSIG)" "$(ours)" 0
rm -rf "$T"/hvprobe-* # a killed hvprobe cannot remove its runtime directory
done_testing
