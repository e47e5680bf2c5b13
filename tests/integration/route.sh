# tests/integration/route.sh - asynchronous routing, each rule taken for
# real: the route guest (guests/route/) raises one timer interrupt, and
# the handler that runs says on the UART which mode took it and through
# which vector base.  The snapshot taken afterwards must give the same
# route for the IRQ vector (mode, base register, address) and say whether
# the CPSR masks it now -- hvprobe's model against the guest's own word.
#   pl1     SCR.IRQ=0            irq32 at VBAR+0x18
#   mon     SCR.IRQ=1            mon32 at MVBAR+0x18
#   masked  CPSR.I=1             pending, not taken
#   hyp     HCR.IMO=1 (virt, virtualization=on): the physical IRQ in hyp32
#           at HVBAR+0x18; the virtual one it injects in irq32 at VBAR+0x18
#   fiq     the timer as FIQ: fiq32 at VBAR+0x1c
#   monfiq  SCR.FIQ=1: mon32 at MVBAR+0x1c
#   tge     HCR.TGE=1, the guest in User mode: its SVC is a Hyp Trap,
#           hyp32 at HVBAR+0x14
#   fmo     HCR.FMO=1, the timer as FIQ: hyp32 at HVBAR+0x1c, then the
#           virtual FIQ in fiq32 at VBAR+0x1c
#   va      HCR.AMO=1 and HCR.VA=1: the virtual asynchronous abort, abt32
#           at VBAR+0x10 once the guest clears CPSR.A
. tests/lib/tap.sh
. tests/lib/json.sh
T=$HVP_TEST_TMP/route
mkdir -p "$T"
export TMPDIR=$T
trap 'pkill -KILL -f "qemu-system.*$T" 2>/dev/null' EXIT

# vec N FILE EXPR: a field of vector N (2 svc, 6 irq, 7 fiq) as compare
# --json reports it; irq FILE EXPR: of the IRQ vector
vec() {
    "$HVPROBE" compare --json "$2" | python3 -c "import json,sys; v=json.load(sys.stdin)['snapshots'][0]['vectors'][$1]; print($3)"
}
irq() { vec 6 "$@"; }
# cap NAME GUEST [RUN ARGS]: run to "route: done", capture
cap() {
    local name=$1 guest=$2
    shift 2
    timeout 60 "$HVPROBE" run "$GUESTS/route-$guest.elf" --capture "$T/$name.json" --label "$name" \
        --serial "$T/$name.txt" -q "$@"
}

cap pl1 pl1-vexpress --at-serial 'route: done'
expect_eq "pl1: captured (exit 0)" "$?" 0
expect_match "pl1: the guest took its IRQ in irq32 at VBAR+0x18" "$(cat "$T/pl1.txt")" '^route: irq taken in irq32 at VBAR\+0x18$'
expect_eq "pl1: hvprobe routes IRQ to irq32 through VBAR_S, unmasked" \
    "$(irq "$T/pl1.json" 'v["taken_to"], v["base_source"].split(" ")[0], v["masked"]')" "irq32 VBAR_S False"
expect_eq "pl1: at VBAR_S + 0x18, to the guest's handler (valid)" \
    "$(irq "$T/pl1.json" 'int(v["fetch"], 16) - int(v["base_source"].split(" ")[2], 16), v["verdict"], v["target_symbol"]')" \
    "24 valid pl1_irq+0x0"

cap mon mon-vexpress --at-serial 'route: done'
expect_eq "mon: captured (exit 0)" "$?" 0
expect_match "mon: the guest took its IRQ in mon32 at MVBAR+0x18" "$(cat "$T/mon.txt")" '^route: irq taken in mon32 at MVBAR\+0x18 \(SCR.IRQ=1\)$'
expect_eq "mon: hvprobe routes IRQ to mon32 through MVBAR (SCR.IRQ=1), unmasked" \
    "$(irq "$T/mon.json" 'v["taken_to"], v["base_source"].split(" ")[0], v["masked"]')" "mon32 MVBAR False"
expect_eq "mon: at MVBAR + 0x18, to the monitor's handler (valid)" \
    "$(irq "$T/mon.json" 'int(v["fetch"], 16) - int(v["base_source"].split(" ")[2], 16), v["verdict"], v["target_symbol"]')" \
    "24 valid mon_irq+0x0"
OUT=$("$HVPROBE" compare "$T/pl1.json" "$T/mon.json")
expect_match "compare shows the Monitor route in the table" "$OUT" '^irq   0x18 +valid +valid \(mon32\)$'

cap masked masked-vexpress --at-serial 'route: done'
expect_eq "masked: captured (exit 0)" "$?" 0
expect_match "masked: the guest saw its IRQ pending, not taken" "$(cat "$T/masked.txt")" '^route: irq pending with CPSR.I=1: not taken$'
expect_eq "masked: hvprobe says masked now" "$(irq "$T/masked.json" 'v["masked"]')" True
expect_match "masked: and why, in the reason" "$(irq "$T/masked.json" 'v["reason"]')" \
    '\[masked now \(CPSR.I=1\): a pending IRQ waits until it is unmasked, then goes here\]$'

cap hyp hyp-virt --machine virt --at-serial 'route: done' -- -machine virtualization=on
expect_eq "hyp: captured (exit 0)" "$?" 0
S=$(cat "$T/hyp.txt")
expect_match "hyp: the physical IRQ was taken in hyp32 at HVBAR+0x18" "$S" '^route: physical irq taken in hyp32 at HVBAR\+0x18 \(HCR.IMO=1\)$'
expect_match "hyp: the virtual one in irq32 at the guest's VBAR+0x18" "$S" '^route: virtual irq taken in irq32 at VBAR\+0x18 \(injected by Hyp\)$'
expect_eq "hyp (guest's view): the IRQ vector is the guest's own, through VBAR, unmasked" \
    "$(irq "$T/hyp.json" 'v["taken_to"], v["base_source"].split(" ")[0], v["masked"], v["target_symbol"]')" \
    "irq32 VBAR False pl1_irq+0x0"
expect_match "hyp: and the physical route to Hyp is named" "$(irq "$T/hyp.json" 'v["base_source"]')" \
    'virtual IRQ: physical ones go to Hyp \(HCR.IMO=1\)$'
cap inhyp hyp-virt --machine virt --at-symbol route_hyp_irq -- -machine virtualization=on
expect_eq "hyp: captured inside the Hyp IRQ handler (exit 0)" "$?" 0
expect_eq "in Hyp mode: IRQ goes to hyp32 through HVBAR (VBAR_EL2), masked while handling" \
    "$(irq "$T/inhyp.json" 'v["taken_to"], v["base_source"].split(" ")[0], v["masked"], v["target_symbol"]')" \
    "hyp32 VBAR_EL2 True hyp_irq+0x0"
cap fiq fiq-vexpress --at-serial 'route: done'
expect_eq "fiq: captured (exit 0)" "$?" 0
expect_match "fiq: the guest took its FIQ in fiq32 at VBAR+0x1c" "$(cat "$T/fiq.txt")" '^route: fiq taken in fiq32 at VBAR\+0x1c$'
expect_eq "fiq: hvprobe routes FIQ to fiq32 through VBAR_S + 0x1c, to pl1_fiq, unmasked" \
    "$(vec 7 "$T/fiq.json" 'v["taken_to"], v["base_source"].split(" ")[0], int(v["fetch"], 16) - int(v["base_source"].split(" ")[2], 16), v["target_symbol"], v["masked"]')" \
    "fiq32 VBAR_S 28 pl1_fiq+0x0 False"

cap monfiq monfiq-vexpress --at-serial 'route: done'
expect_eq "monfiq: captured (exit 0)" "$?" 0
expect_match "monfiq: the guest took its FIQ in mon32 at MVBAR+0x1c" "$(cat "$T/monfiq.txt")" '^route: fiq taken in mon32 at MVBAR\+0x1c \(SCR.FIQ=1\)$'
expect_eq "monfiq: hvprobe routes FIQ to mon32 through MVBAR + 0x1c, to mon_fiq (SCR.FIQ=1)" \
    "$(vec 7 "$T/monfiq.json" 'v["taken_to"], v["base_source"].split(" ")[0], int(v["fetch"], 16) - int(v["base_source"].split(" ")[2], 16), v["target_symbol"]')" \
    "mon32 MVBAR 28 mon_fiq+0x0"
expect_eq "monfiq: IRQ still goes to irq32 (SCR.IRQ=0)" "$(irq "$T/monfiq.json" 'v["taken_to"]')" irq32

cap tge tge-virt --machine virt --at-serial 'route: done' -- -machine virtualization=on
expect_eq "tge: captured (exit 0)" "$?" 0
expect_match "tge: the guest's User-mode SVC was a Hyp Trap at HVBAR+0x14" "$(cat "$T/tge.txt")" \
    '^route: svc from usr32 taken in hyp32 at HVBAR\+0x14 \(HCR.TGE=1, HSR EC 0x00000011\)$'
expect_eq "tge: hvprobe routes SVC to hyp32 at HVBAR + 0x14 (the Hyp Trap entry), to hyp_trap" \
    "$(vec 2 "$T/tge.json" 'v["taken_to"], v["base_source"].split(" ")[0], int(v["fetch"], 16) - int(v["base_source"].split(" ")[2], 16), v["target_symbol"]')" \
    "hyp32 VBAR_EL2 20 hyp_trap+0x0"
cap fmo fmo-virt --machine virt --at-serial 'route: done' -- -machine virtualization=on
expect_eq "fmo: captured (exit 0)" "$?" 0
expect_match "fmo: the physical FIQ was taken in hyp32 at HVBAR+0x1c" "$(cat "$T/fmo.txt")" '^route: physical fiq taken in hyp32 at HVBAR\+0x1c \(HCR.FMO=1\)$'
expect_match "fmo: the virtual one in fiq32 at the guest's VBAR+0x1c" "$(cat "$T/fmo.txt")" '^route: virtual fiq taken in fiq32 at VBAR\+0x1c \(injected by Hyp\)$'
expect_eq "fmo (guest's view): the FIQ vector is the guest's own, through VBAR + 0x1c, to pl1_fiq" \
    "$(vec 7 "$T/fmo.json" 'v["taken_to"], v["base_source"].split(" ")[0], int(v["fetch"], 16) - int(v["base_source"].split(" ")[2], 16), v["target_symbol"]')" \
    "fiq32 VBAR 28 pl1_fiq+0x0"
expect_match "fmo: and the physical route to Hyp is named" "$(vec 7 "$T/fmo.json" 'v["base_source"]')" \
    'virtual FIQ: physical ones go to Hyp \(HCR.FMO=1\)$'

cap va va-virt --machine virt --at-serial 'route: done' -- -machine virtualization=on
expect_eq "va: captured (exit 0)" "$?" 0
expect_match "va: the guest took the virtual abort in abt32 at VBAR+0x10, asynchronous (DFSR bit 10)" \
    "$(cat "$T/va.txt")" '^route: asynchronous abort taken in abt32 at VBAR\+0x10 \(DFSR 0x00000406\)$'
expect_eq "va: hvprobe routes the data-abort vector to abt32 at VBAR + 0x10, to pl1_dabt" \
    "$(vec 4 "$T/va.json" 'v["taken_to"], v["base_source"].split(" ")[0], int(v["fetch"], 16) - int(v["base_source"].split(" ")[2], 16), v["target_symbol"]')" \
    "abt32 VBAR 16 pl1_dabt+0x0"
expect_match "va: and says where asynchronous aborts go, and that CPSR.A no longer masks them" \
    "$(vec 4 "$T/va.json" 'v["reason"]')" \
    '\[asynchronous aborts: physical ones go to Hyp \(HCR.AMO=1\), whatever CPSR.A; a virtual one \(HCR.VA\) is taken here, unmasked \(CPSR.A=0\)\]$'
ok_if "the route snapshots validate against the schema" tests/lib/validate-snapshot "$T"/pl1.json "$T"/mon.json \
    "$T"/masked.json "$T"/hyp.json "$T"/inhyp.json "$T"/fiq.json "$T"/monfiq.json "$T"/tge.json "$T"/va.json "$T"/fmo.json
done_testing
