#!/usr/bin/env bash
# yubico-piv-tool (libykpiv 2.2) against the virtual card: status, PIN and PUK life cycle,
# management key change, and the applet reset that only a fully blocked card accepts.
source "$(dirname "$0")/lib.sh"
enter_card_session "$@"
new_workdir

step "status shows the YubiKey 5 firmware and serial"
expect_success yubico-piv-tool -a status
expect_output "Version:[[:space:]]+5\.4\.3"
expect_output "Serial Number:[[:space:]]+$VIRTUAL_PIV_SERIAL"
expect_output "PIN tries left:[[:space:]]+3"

step "the default PIN verifies; a wrong one counts down"
expect_success yubico-piv-tool -a verify-pin -P 123456
expect_failure yubico-piv-tool -a verify-pin -P 654321
expect_output "2 tries left"
expect_success yubico-piv-tool -a status
expect_output "PIN tries left:[[:space:]]+2"
step "ykcs11 reports the low PIN counter as a token flag"
expect_success pkcs11-tool --module "$YKCS11_MODULE" --list-token-slots
expect_output "user PIN count low"
step "a correct PIN restores the counter"
expect_success yubico-piv-tool -a verify-pin -P 123456
expect_success yubico-piv-tool -a status
expect_output "PIN tries left:[[:space:]]+3"

step "change-pin needs the current PIN"
expect_failure yubico-piv-tool -a change-pin -P 000000 -N 24681357
expect_success yubico-piv-tool -a change-pin -P 123456 -N 24681357
expect_failure yubico-piv-tool -a verify-pin -P 123456
expect_success yubico-piv-tool -a verify-pin -P 24681357
step "a PIN shorter than 6 is refused"
expect_failure yubico-piv-tool -a change-pin -P 24681357 -N 12345

step "three wrong PINs block it"
for attempt in 1 2 3; do expect_failure yubico-piv-tool -a verify-pin -P 999999; done
expect_failure yubico-piv-tool -a verify-pin -P 24681357
expect_output "blocked"
for module in "$OPENSC_MODULE" "$YKCS11_MODULE"; do
    expect_success pkcs11-tool --module "$module" --list-token-slots
    expect_output "user PIN locked"
done
step "the PUK unblocks it with a new PIN"
expect_failure yubico-piv-tool -a unblock-pin -P 87654321 -N 112233
expect_output "2 tries left"
expect_success yubico-piv-tool -a unblock-pin -P 12345678 -N 112233
expect_success yubico-piv-tool -a verify-pin -P 112233

step "change-puk"
expect_success yubico-piv-tool -a change-puk -P 12345678 -N 87654321
expect_failure yubico-piv-tool -a unblock-pin -P 12345678 -N 123456

step "management key: the default authenticates, a new one replaces it"
new_key=0f0e0d0c0b0a09080706050403020100f1e2d3c4b5a69788
expect_success yubico-piv-tool -a set-mgm-key -n "$new_key"
expect_failure yubico-piv-tool -a generate -s 9a -o "$WORK/pub.pem"
expect_success yubico-piv-tool -k"$new_key" -a generate -s 9a -A ECCP256 -o "$WORK/pub.pem"

step "CHUID and CCC can be written and show in status"
expect_success yubico-piv-tool -k"$new_key" -a set-chuid -a set-ccc
expect_success yubico-piv-tool -a status
expect_output "CHUID:[[:space:]]+30"
expect_output "CCC:[[:space:]]+f0"

step "pin-retries sets new counts and puts PIN and PUK back to their defaults"
expect_success yubico-piv-tool -k"$new_key" -a verify-pin -P 112233 -a pin-retries --pin-retries=5 --puk-retries=4
expect_success yubico-piv-tool -a status
expect_output "PIN tries left:[[:space:]]+5"
expect_success yubico-piv-tool -a verify-pin -P 123456
expect_success yubico-piv-tool -a change-puk -P 12345678 -N 87654321

step "reset is refused while the PIN or PUK still works"
expect_failure yubico-piv-tool -a reset
step "with PIN and PUK blocked, reset restores the defaults and keeps the attestation key"
for attempt in 1 2 3 4 5; do yubico-piv-tool -a verify-pin -P 999999 >/dev/null 2>&1 || true; done
for attempt in 1 2 3 4; do yubico-piv-tool -a unblock-pin -P 99999999 -N 999999 >/dev/null 2>&1 || true; done
expect_success yubico-piv-tool -a reset
expect_success yubico-piv-tool -a status
expect_output "PIN tries left:[[:space:]]+3"
expect_success yubico-piv-tool -a verify-pin -P 123456
expect_success yubico-piv-tool -a generate -s 9a -A ECCP256 -o "$WORK/pub.pem"
expect_success yubico-piv-tool -a attest -s 9a -o "$WORK/att.pem"
expect_success openssl verify -CAfile "$VIRTUAL_PIV_ROOT_CA" -untrusted "$VIRTUAL_PIV_ATTESTATION_CERT" "$WORK/att.pem"
echo PASS
