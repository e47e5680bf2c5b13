# tests/integration/run.sh - `hvprobe run` and `hvprobe check` with real QEMU:
# command lines, captures at triggers, refusals, and process hygiene when
# QEMU or hvprobe is killed.
. tests/lib/tap.sh
. tests/lib/json.sh
. tests/lib/qemu.sh
T=$HVP_TEST_TMP/run
mkdir -p "$T"
export TMPDIR=$T          # runtime directories land here, so leftovers are visible
ELF=$GUESTS/tiny-vbar-vexpress.elf
cleanup() { pkill -KILL -f "qemu-system.*$T" 2>/dev/null; }
trap cleanup EXIT
rundirs() { find "$T" -maxdepth 1 -name 'hvprobe-*' | wc -l; }

# ---- check
OUT=$("$HVPROBE" check); rc=$?
expect_match "check: host architecture" "$OUT" "^host +$(uname -m)$"
if [ "$(uname -m)" = x86_64 ]; then
    expect_eq "check: kvm cannot run on x86-64 -> exit 1" "$rc" 1
    expect_match "check: says why and what instead" "$OUT" "kvm +CANNOT run: KVM runs only guests of the host's own architecture"
fi
expect_match "check: recommends an exact run line" "$OUT" '^recommended: hvprobe run IMAGE --backend '
"$HVPROBE" check --backend tcg >/dev/null; expect_eq "check --backend tcg: exit 0" "$?" 0
expect_eq "check --json: tcg can run" "$("$HVPROBE" check --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["backends"]["tcg"]["can_run"])')" True

# ---- dry run: the exact command line, channels private
CMD=$("$HVPROBE" run "$ELF" --dry-run); rc=$?
expect_eq "dry-run exits 0" "$rc" 0
expect_match "dry-run: QMP/HMP/gdb on unix sockets in a private directory" "$CMD" \
    "-qmp unix:$T/hvprobe-[A-Za-z0-9]{6}/qmp.sock,server=on,wait=off .*-gdb unix:$T/hvprobe-[A-Za-z0-9]{6}/gdb.sock"
expect_match "dry-run: no default devices, no display" "$CMD" '-nodefaults -display none'
expect_eq "dry-run leaves no runtime directory" "$(rundirs)" 0
CMD=$("$HVPROBE" run "$ELF" --dry-run --gdb-port 1235 --monitor-port 55556 -- -d int)
expect_match "--gdb-port/--monitor-port bind 127.0.0.1 only" "$CMD" '-monitor tcp:127.0.0.1:55556,server=on,wait=off -gdb tcp:127.0.0.1:1235,server=on,wait=off'
expect_match "arguments after -- go to QEMU" "$CMD" ' -d int$'
CMD=$("$HVPROBE" run "$GUESTS/tiny-vbar-virt.elf" --machine virt --dry-run)
expect_match "virt: cortex-a15 by default" "$CMD" '-M virt -cpu cortex-a15'
ERR=$("$HVPROBE" run "$ELF" --machine virt --dry-run 2>&1 >/dev/null)
expect_match "an ELF linked for vexpress on virt: warned" "$ERR" 'warning: .*load segment 0x60000000-.* lies outside virt.s RAM'

# ---- refusals: one sentence, distinct exit codes
ERR=$("$HVPROBE" run "$ELF" --backend kvm 2>&1); rc=$?
if [ "$(uname -m)" = x86_64 ]; then
    expect_eq "kvm backend on x86-64: refused, exit 3" "$rc" 3
    expect_match "kvm refusal: says why and what would work" "$ERR" "cannot run here: KVM runs only guests.*Use --backend tcg"
fi
arm-none-eabi-objcopy -O binary "$ELF" "$T/guest.bin"
ERR=$("$HVPROBE" run "$T/guest.bin" 2>&1); rc=$?
expect_eq "raw image without --load-addr: exit 2" "$rc" 2
expect_match "raw image: explains -kernel's zImage placement" "$ERR" 'raw binary: give --load-addr ADDR.*RAM base \+ 0x10000 \(0x60010000 on vexpress-a9\)'
ERR=$("$HVPROBE" run /bin/true 2>&1); rc=$?
expect_eq "x86-64 ELF: exit 2" "$rc" 2
expect_match "x86-64 ELF: says what it is" "$ERR" 'not an ARM image'
ERR=$("$HVPROBE" run "$T/missing.elf" 2>&1); rc=$?
expect_eq "missing image: exit 2" "$rc" 2
head -c 100 "$ELF" >"$T/trunc.elf"
ERR=$("$HVPROBE" run "$T/trunc.elf" 2>&1); rc=$?
expect_eq "truncated ELF: exit 2" "$rc" 2
expect_eq "no runtime directory left by refusals" "$(rundirs)" 0

# ---- run + capture at triggers
OUT=$(timeout 30 "$HVPROBE" run "$ELF" --capture "$T/at-serial.json" --at-serial 'svc: handler ran' --label tcg 2>"$T/err"); rc=$?
expect_eq "--capture --at-serial: exit 0" "$rc" 0
expect_match "serial output streamed to the terminal" "$OUT" 'svc: handler ran'
expect_eq "capture at serial text: VBAR_S" "$(jget "$T/at-serial.json" 'd["cp15"]["VBAR_S"]')" 0x60000000
expect_eq "capture has the image" "$(jget "$T/at-serial.json" 'd["image"]["entry"]')" \
    "$(printf '0x%08x' "$(arm-none-eabi-readelf -h "$ELF" | awk '/Entry/ {print $4}')")"
timeout 30 "$HVPROBE" run "$T/guest.bin" --load-addr 0x60000000 --capture "$T/raw.json" --after 0.5 -q; rc=$?
expect_eq "raw image with --load-addr, --after: exit 0" "$rc" 0
expect_eq "raw image loaded where asked: SVC vector valid" \
    "$("$HVPROBE" compare --format json "$T/raw.json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["snapshots"][0]["vectors"][2]["verdict"])')" valid
timeout 30 "$HVPROBE" run "$ELF" --serial "$T/serial.txt" --capture "$T/s.json" --after 0.5 -q
expect_match "--serial FILE receives the output" "$(cat "$T/serial.txt")" 'svc: handler ran'
expect_eq "no runtime directory left after runs" "$(rundirs)" 0
expect_eq "no QEMU left after runs" "$(pgrep -f "qemu-system.*$T" | wc -l)" 0

# ---- breakpoint triggers: QEMU starts halted, the capture shows the CPU at the spot
timeout 30 "$HVPROBE" run "$GUESTS/tiny-mmu-vexpress.elf" -q --capture "$T/exc.json" --at-exception svc --label mmu; rc=$?
expect_eq "--at-exception svc: exit 0" "$rc" 0
expect_eq "--at-exception svc: PC at the SVC vector, still svc32 (before the abort loop)" \
    "$(jget "$T/exc.json" 'd["cpu"]["registers"]["pc"]+" "+d["cpu"]["cpsr"]["mode"]')" "0x00000008 svc32"
"$HVPROBE" compare --expect mmu:svc=unmapped "$T/exc.json" >/dev/null
expect_eq "--at-exception svc on the mmu guest: svc=unmapped" "$?" 0
timeout 30 "$HVPROBE" run "$ELF" -q --capture "$T/vexc.json" --at-exception svc; rc=$?
expect_eq "--at-exception svc on the vbar guest (VBAR set after start): caught at the image's table" \
    "$rc:$(jget "$T/vexc.json" 'd["cpu"]["registers"]["pc"]')" "0:0x60000008"
timeout 30 "$HVPROBE" run "$ELF" -q --capture "$T/sym.json" --at-symbol svc_handler; rc=$?
SYM=$(arm-none-eabi-nm "$ELF" | awk '$3=="svc_handler" {print $1}')
expect_eq "--at-symbol svc_handler: PC there" "$rc:$(jget "$T/sym.json" 'd["cpu"]["registers"]["pc"]')" "0:0x$SYM"
timeout 30 "$HVPROBE" run "$ELF" -q --capture "$T/pc.json" --at-pc "0x$SYM"; rc=$?
expect_eq "--at-pc ADDR: PC there" "$rc:$(jget "$T/pc.json" 'd["cpu"]["registers"]["pc"]')" "0:0x$SYM"
ERR=$("$HVPROBE" run "$ELF" --capture "$T/x.json" --at-symbol no_such_symbol 2>&1); rc=$?
expect_eq "--at-symbol unknown: exit 2" "$rc" 2
expect_match "--at-symbol unknown: says so" "$ERR" "'no_such_symbol' is not a symbol"
ERR=$("$HVPROBE" run "$ELF" --capture "$T/x.json" --after 1 --at-pc 0x0 2>&1); rc=$?
expect_eq "two triggers: exit 2" "$rc" 2
expect_eq "no runtime directory left after breakpoint runs" "$(rundirs)" 0

# ---- two runs at once never collide (private runtime directories)
timeout 60 "$HVPROBE" run "$ELF" -q --capture "$T/par1.json" --at-serial 'handler ran' --label one &
P1=$!
timeout 60 "$HVPROBE" run "$GUESTS/tiny-vbar-virt.elf" --machine virt -q --capture "$T/par2.json" --at-serial 'handler ran' --label two &
P2=$!
wait $P1; r1=$?; wait $P2; r2=$?
expect_eq "two concurrent runs both succeed" "$r1$r2" 00
expect_eq "each captured its own guest" "$(jget "$T/par1.json" 'd["cp15"]["VBAR_S"]') $(jget "$T/par2.json" 'd["cp15"]["VBAR"]')" "0x60000000 0x40000000"

# ---- QEMU killed under hvprobe: clear error, clean exit
"$HVPROBE" run "$ELF" -q >"$T/out" 2>"$T/err" &
HV=$!
for i in $(seq 50); do QP=$(pgrep -f "qemu-system.*$T"); [ -n "$QP" ] && break; sleep 0.1; done
sleep 0.3; kill -9 "$QP"; wait "$HV"; rc=$?
expect_eq "QEMU killed -9 during run: hvprobe exits 3" "$rc" 3
expect_match "QEMU killed: says so" "$(cat "$T/err")" 'QEMU exited with status 137'
expect_eq "QEMU killed: runtime directory removed" "$(rundirs)" 0

# ---- hvprobe stopped by SIGTERM: QEMU stopped, directory removed
"$HVPROBE" run "$ELF" -q >"$T/out" 2>"$T/err" &
HV=$!
for i in $(seq 50); do pgrep -f "qemu-system.*$T" >/dev/null && break; sleep 0.1; done
sleep 0.3; kill -TERM "$HV"; wait "$HV"; rc=$?
expect_eq "SIGTERM to hvprobe run: exit 130" "$rc" 130
expect_eq "SIGTERM: QEMU gone" "$(pgrep -f "qemu-system.*$T" | wc -l)" 0
expect_eq "SIGTERM: runtime directory removed" "$(rundirs)" 0

# ---- hvprobe killed -9: QEMU must not survive it
"$HVPROBE" run "$ELF" -q >"$T/out" 2>"$T/err" &
HV=$!
for i in $(seq 50); do pgrep -f "qemu-system.*$T" >/dev/null && break; sleep 0.1; done
sleep 0.3; kill -KILL "$HV"; wait "$HV" 2>/dev/null
for i in $(seq 30); do pgrep -f "qemu-system.*$T" >/dev/null || break; sleep 0.1; done
expect_eq "hvprobe killed -9: QEMU dies with it (no orphan)" "$(pgrep -f "qemu-system.*$T" | wc -l)" 0
rm -rf "$T"/hvprobe-*   # the killed hvprobe could not clean up; that is expected

# ---- a port already in use
BUSY=$(free_port)
python3 -c 'import socket,sys,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); time.sleep(15)' "$BUSY" &
PY=$!
sleep 0.5
ERR=$(timeout 20 "$HVPROBE" run "$ELF" --gdb-port "$BUSY" -q 2>&1); rc=$?
kill $PY 2>/dev/null
expect_eq "gdb port in use: exit 3" "$rc" 3
expect_match "port in use: QEMU's reason is shown" "$ERR" 'QEMU exited at start.*(Address already in use|Failed to bind)'
expect_eq "port in use: runtime directory removed" "$(rundirs)" 0
# The reader of the serial stream goes away (`run ... | head`): hvprobe
# stops as for Ctrl-C, cleaning up, instead of dying of SIGPIPE and leaving
# its runtime directory (and QEMU) behind.
before=$(rundirs)
OUT=$(timeout 30 "$HVPROBE" run "$GUESTS/rtos-vbar-virt.elf" --machine virt 2>"$T/pipe.err" | head -2; echo "rc=${PIPESTATUS[0]}")
expect_match "run | head -2: the first two lines came through" "$OUT" "^rtos: boot on virt"
expect_match "run | head -2: then hvprobe stopped (exit 130), not killed by SIGPIPE or the timeout" "$OUT" "rc=130$"
expect_eq "run | head -2: no runtime directory left" "$(rundirs)" "$before"
expect_eq "run | head -2: no QEMU left" "$(pgrep -fc "qemu-system.*$T" || true)" 0
done_testing
