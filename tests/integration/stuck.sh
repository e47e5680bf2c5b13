# tests/integration/stuck.sh - `run --capture F --when-stuck` and
# `--on-exit`: a guest that is stuck or about to disappear is captured
# before the evidence is gone, the snapshot says which condition fired,
# and compare names it.  Every condition comes from a real guest under
# QEMU doing it for real (guests/tiny variants):
#   wfi     tiny-vbar-virt: done, waits in `idle: wfi` with IRQs masked
#   spin    tiny-stubs-vexpress: its SVC vector is `b .`
#   storm   tiny-low-virt: executes virt's device tree, re-enters the
#           undefined-instruction vector; tiny-mmu-vexpress: prefetch
#           aborts at its unmapped vector, again and again
#   slide   tiny-low-vexpress: slides through zero-filled flash
#   poweroff tiny-poweroff-{virt,vexpress}: PSCI SYSTEM_OFF / SYS_CFGCTRL
. tests/lib/tap.sh
. tests/lib/json.sh
T=$HVP_TEST_TMP/stuck
mkdir -p "$T"
export TMPDIR=$T
trap 'pkill -KILL -f "qemu-system.*$T" 2>/dev/null' EXIT
rundirs() { find "$T" -maxdepth 1 -name 'hvprobe-*' | wc -l; }
cond() { jget "$1" 'd["context"]["condition"]["name"]'; }

# stuck NAME VARIANT-BOARD MACHINE [ARGS]: run it until stuck, capture.
stuck() {
    local name=$1 guest=$2 machine=$3
    shift 3
    timeout 60 "$HVPROBE" run "$GUESTS/tiny-$guest.elf" --machine "$machine" --capture "$T/$name.json" \
        --label "$name" -q "$@"
}

stuck wfi vbar-virt virt --when-stuck; rc=$?
expect_eq "wfi: captured (exit 0)" "$rc" 0
expect_eq "wfi: the condition is wfi" "$(cond "$T/wfi.json")" wfi
expect_eq "wfi: the PC is after the WFI in idle" "$(jget "$T/wfi.json" 'd["context"]["condition"]["pc_hi"]')" \
    "$(printf '0x%08x' $(( $(arm-none-eabi-nm "$GUESTS/tiny-vbar-virt.elf" | awk '$3 == "idle" {print "0x"$1}') + 4 )))"
expect_eq "wfi: the snapshot's CPSR has IRQs masked" "$(jget "$T/wfi.json" 'd["cpu"]["cpsr"]["irq_masked"]')" true

stuck spin stubs-vexpress vexpress-a9 --when-stuck=0.5; rc=$?
expect_eq "spin: captured with --when-stuck=0.5 (exit 0)" "$rc" 0
expect_eq "spin: the condition is spin" "$(cond "$T/spin.json")" spin
expect_eq "spin: the PC window is the stub's one instruction" \
    "$(jget "$T/spin.json" 'd["context"]["condition"]["pc_lo"] == d["context"]["condition"]["pc_hi"] == d["cpu"]["registers"]["pc"]')" true

stuck storm low-virt virt --when-stuck; rc=$?
expect_eq "storm: captured (exit 0)" "$rc" 0
expect_eq "storm: the condition is storm" "$(cond "$T/storm.json")" storm
expect_eq "storm: of undefined instructions" "$(jget "$T/storm.json" 'd["context"]["condition"]["exception"]')" \
    "Undefined Instruction"
expect_eq "storm: many a second (>= 1000)" "$(jget "$T/storm.json" 'd["context"]["condition"]["rate"] >= 1000')" true
expect_eq "storm: the CPU sits in und32 at the undef vector" \
    "$(jget "$T/storm.json" 'd["cpu"]["cpsr"]["mode"] + " " + d["cpu"]["registers"]["pc"]')" "und32 0x00000004"

stuck pstorm mmu-vexpress vexpress-a9 --when-stuck; rc=$?
expect_eq "prefetch-abort storm: captured (exit 0)" "$rc" 0
expect_eq "prefetch-abort storm: the condition is storm" "$(cond "$T/pstorm.json")" storm
expect_match "prefetch-abort storm: names the exception and its fault address" \
    "$(jget "$T/pstorm.json" 'd["context"]["condition"]["how"]')" 'the same Prefetch Abort exception at fault address 0xc '

stuck slide low-vexpress vexpress-a9 --when-stuck; rc=$?
expect_eq "slide: captured (exit 0)" "$rc" 0
expect_eq "slide: the condition is slide" "$(cond "$T/slide.json")" slide
expect_eq "slide: the PC went up through memory" \
    "$(jget "$T/slide.json" 'int(d["context"]["condition"]["pc_hi"], 16) > int(d["context"]["condition"]["pc_lo"], 16) + 0x1000')" true

# What compare makes of them.
OUT=$("$HVPROBE" compare "$T/wfi.json" "$T/spin.json" "$T/storm.json" "$T/pstorm.json" "$T/slide.json"); rc=$?
expect_eq "compare of the stuck captures: exit 0" "$rc" 0
expect_match "compare: the WFI, in the symbol it sits in" "$OUT" '^  wfi: stuck: waiting in WFI in idle at 0x[0-9a-f]+ with IRQs masked'
expect_match "compare: the spin, with its address" "$OUT" '^  spin: stuck: spinning (in [a-z_]+ )?at 0x600000[0-9a-f]{2}-0x600000[0-9a-f]{2} for'
expect_match "compare: the storm re-enters the undefined-instruction vector, which holds the device tree" "$OUT" \
    '^  storm: stuck: re-entering the undefined-instruction vector [0-9,]+ times a second .*; that vector is data: inside the device tree blob'
expect_match "compare: the prefetch-abort storm, and that vector's verdict" "$OUT" \
    '^  pstorm: stuck: re-entering the prefetch-abort vector [0-9,]+ times a second .*; that vector is unmapped'
expect_match "compare: the slide through zeros" "$OUT" '^  slide: stuck: sliding through zero-filled memory'
ok_if "the stuck snapshots validate against the schema" tests/lib/validate-snapshot "$T"/wfi.json "$T"/spin.json \
    "$T"/storm.json "$T"/pstorm.json "$T"/slide.json

# --on-exit: the guest powers off; QEMU holds it, it is captured as it was.
for B in virt:virt vexpress:vexpress-a9; do
    timeout 30 "$HVPROBE" run "$GUESTS/tiny-poweroff-${B%%:*}.elf" --machine "${B#*:}" -q; rc=$?
    expect_eq "poweroff/${B%%:*} without --on-exit: the guest ends QEMU (exit 0)" "$rc" 0
    stuck "off-${B%%:*}" "poweroff-${B%%:*}" "${B#*:}" --on-exit; rc=$?
    expect_eq "poweroff/${B%%:*} --on-exit: captured (exit 0)" "$rc" 0
    expect_eq "poweroff/${B%%:*}: the condition is poweroff" "$(cond "$T/off-${B%%:*}.json")" poweroff
    expect_match "poweroff/${B%%:*}: QEMU's reason is the guest's" \
        "$(jget "$T/off-${B%%:*}.json" 'd["context"]["condition"]["how"]')" "shutdown reason: guest-shutdown"
    expect_match "poweroff/${B%%:*}: the PC is in the guest's powered_off loop" \
        "$(jget "$T/off-${B%%:*}.json" 'd["cpu"]["registers"]["pc"]')" \
        "^0x$(arm-none-eabi-nm "$GUESTS/tiny-poweroff-${B%%:*}.elf" | awk '$3 == "powered_off" {print substr($1, 1, 6)}')"
done
OUT=$("$HVPROBE" compare "$T/off-virt.json")
expect_match "compare names the poweroff" "$OUT" '^  off-virt: the guest powered off \(QEMU.s shutdown reason: guest-shutdown\)'
# --on-exit with --when-stuck: whichever comes first (here the poweroff).
stuck both poweroff-virt virt --on-exit --when-stuck; rc=$?
expect_eq "--on-exit with --when-stuck: captured (exit 0)" "$rc" 0
expect_eq "... at the poweroff" "$(cond "$T/both.json")" poweroff
# Real KVM: no -d int there, the PC samples still see the WFI.
timeout 120 "$HVPROBE" run "$GUESTS/tiny-vbar-virt.elf" --backend kvm-nested --capture "$T/kvm.json" \
    --when-stuck -q; rc=$?
expect_eq "kvm-nested --when-stuck: captured (exit 0)" "$rc" 0
expect_eq "kvm-nested: the condition is wfi" "$(cond "$T/kvm.json")" wfi

# A guest that is not stuck: the FreeRTOS-like guest keeps printing.
ERR=$(timeout 30 "$HVPROBE" run "$GUESTS/rtos-vbar-vexpress.elf" --capture "$T/never.json" --when-stuck --timeout 3 -q 2>&1); rc=$?
expect_eq "a busy guest with --timeout 3: exit 6" "$rc" 6
expect_match "... says it did not get stuck" "$ERR" 'the guest did not get stuck within 3.0 s'
ok_if "... and writes no snapshot" test ! -e "$T/never.json"

# QEMU killed while watched: one sentence, exit 3, nothing written.
( sleep 2; pkill -KILL -f "qemu-system.*$T.*rtos-vbar-vexpress" ) &
ERR=$(timeout 30 "$HVPROBE" run "$GUESTS/rtos-vbar-vexpress.elf" --capture "$T/killed.json" --when-stuck --on-exit -q 2>&1); rc=$?
wait
expect_eq "QEMU killed during --when-stuck --on-exit: exit 3" "$rc" 3
expect_match "... says QEMU exited first (and not QEMU's audio chatter)" "$ERR" \
    '^hvprobe run: QEMU exited \(status 137\) before the capture trigger fired$'
ok_if "... and writes no snapshot" test ! -e "$T/killed.json"

# Bad input: one sentence, exit 2.
ERR=$("$HVPROBE" run "$GUESTS/tiny-vbar-virt.elf" --machine virt --capture "$T/x.json" --when-stuck --at-exception svc -q 2>&1); rc=$?
expect_eq "--when-stuck with a breakpoint trigger: exit 2" "$rc" 2
expect_match "... says why" "$ERR" "--when-stuck cannot be combined with a breakpoint trigger \\(QEMU's gdbstub serves one client\\)"
ERR=$("$HVPROBE" run "$GUESTS/tiny-vbar-virt.elf" --capture "$T/x.json" --when-stuck=0.1 2>&1); rc=$?
expect_eq "--when-stuck=0.1: exit 2" "$rc" 2
expect_match "... says the range" "$ERR" "--when-stuck=SECONDS wants 0.3 to 3600 seconds"
ERR=$("$HVPROBE" run "$GUESTS/tiny-vbar-virt.elf" --on-exit 2>&1); rc=$?
expect_eq "--on-exit without --capture: exit 2" "$rc" 2
expect_eq "no QEMU and no runtime directory left" "$(pgrep -f "qemu-system.*$T" | wc -l) $(rundirs)" "0 0"
done_testing
