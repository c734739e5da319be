#!/usr/bin/env bash
# run-with-card itself: CMD's exit code comes back, CMD sees only the private pcscd and its
# virtual reader, the machine's /run/pcscd is untouched, and nothing is left running afterwards.
source "$(dirname "$0")/lib.sh"
can_unshare || skip "the virtual PIV harness needs root or unprivileged user namespaces"
command -v pcscd >/dev/null || skip "pcscd is not installed"
[[ -e /usr/lib/pcsc/drivers/serial/libifdvpcd.so ]] || skip "vsmartcard-vpcd is not installed"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
rwc="$VPIV_HERE/run-with-card"

step "the command's exit code is the harness's"
"$rwc" true || fail "true gave $?"
set +e
"$rwc" bash -c 'exit 7'
code=$?
set -e
[[ $code == 7 ]] || fail "exit 7 came back as $code"

step "inside: one virtual YubiKey reader with a card, a private /run/pcscd, no USB drivers"
host_run_pcscd=$(ls -A /run/pcscd 2>/dev/null | sort | tr '\n' ' ')
cat > "$WORK/inside.sh" <<'INSIDE'
set -e
opensc-tool --list-readers
findmnt -n -o FSTYPE /run/pcscd
findmnt -n -o FSTYPE /usr/lib/pcsc/drivers
ls -A /usr/lib/pcsc/drivers | wc -l
echo "links=$(ip -brief link | awk '{print $1}' | tr '\n' ' ')"
echo "dir=$VIRTUAL_PIV_DIR"
echo "root=$VIRTUAL_PIV_ROOT_CA"
cat /run/pcscd/pcscd.pid 2>/dev/null || pgrep -f -- "--config $VIRTUAL_PIV_DIR/pcsc" | head -1
cat "$VIRTUAL_PIV_DIR/card.pid"
INSIDE
PCSCLITE_CSOCK_NAME=/run/pcscd/elsewhere.comm "$rwc" bash "$WORK/inside.sh" > "$WORK/out" 2>&1 || { cat "$WORK/out"; fail "inside checks failed"; }
cat "$WORK/out"
[[ $(grep -c "Yubico YubiKey OTP+FIDO+CCID 00 00" "$WORK/out") == 1 ]] || fail "the virtual reader is not listed once"
grep -E "^0 +Yes +Yubico YubiKey OTP\+FIDO\+CCID 00 00" "$WORK/out" >/dev/null || fail "no card in the virtual reader"
[[ $(grep -c -E "^[0-9]+ +(Yes|No) " "$WORK/out") == 2 ]] || fail "readers other than vpcd's two slots are visible"
[[ $(grep -c '^tmpfs$' "$WORK/out") == 2 ]] || fail "/run/pcscd or the driver dir is not private"
grep -q '^0$' "$WORK/out" || fail "USB reader drivers are visible to the private pcscd"
grep -q '^links=lo $' "$WORK/out" || fail "the command sees network interfaces other than loopback"
dir=$(sed -n 's/^dir=//p' "$WORK/out")
root=$(sed -n 's/^root=//p' "$WORK/out")
[[ "$root" == "$dir/root-ca.pem" ]] || fail "VIRTUAL_PIV_ROOT_CA is $root"
step "afterwards: pcscd and the card are gone, the temp dir removed, the machine's /run/pcscd as before"
for pid in $(tail -2 "$WORK/out"); do
    if [[ -r /proc/$pid/cmdline ]] && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q -e pcscd -e virtual-piv; then
        fail "process $pid outlived the harness"
    fi
done
[[ ! -e "$dir" ]] || fail "$dir was left behind"
[[ "$(ls -A /run/pcscd 2>/dev/null | sort | tr '\n' ' ')" == "$host_run_pcscd" ]] || fail "/run/pcscd changed"

step "VIRTUAL_PIV_NETWORK=host keeps the machine's network"
VIRTUAL_PIV_NETWORK=host "$rwc" bash -c 'yubico-piv-tool -a status >/dev/null && ip -brief link' > "$WORK/out" 2>&1 ||
    { cat "$WORK/out"; fail "the card did not work with the host network"; }
[[ "$(ip -brief link | awk '{print $1}' | sort)" == "$(awk '{print $1}' "$WORK/out" | sort)" ]] ||
    fail "VIRTUAL_PIV_NETWORK=host did not keep the machine's interfaces"

step "restart-card --stop leaves an empty reader, --start brings the card back"
cat > "$WORK/unplug.sh" <<'INSIDE'
set -e
"$VPIV_HERE/restart-card" --stop
opensc-tool --list-readers | grep -E "^0 +No +Yubico YubiKey OTP\+FIDO\+CCID 00 00"
if yubico-piv-tool -a status; then echo "status worked without a card"; exit 1; fi
"$VPIV_HERE/restart-card" --start
yubico-piv-tool -a status
INSIDE
VPIV_HERE=$VPIV_HERE "$rwc" bash "$WORK/unplug.sh" > "$WORK/out" 2>&1 || { cat "$WORK/out"; fail "unplug and replug failed"; }

step "a failing command still cleans up"
set +e
"$rwc" bash -c 'echo "$VIRTUAL_PIV_DIR" > '"$WORK/dir"'; kill -TERM $$'
set -e
[[ ! -e "$(cat "$WORK/dir")" ]] || fail "the state dir survived a killed command"
echo PASS
