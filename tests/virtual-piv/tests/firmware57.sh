#!/usr/bin/env bash
# A virtual YubiKey 5.7: the AES-192 default management key as GET METADATA reports it, the 6A80
# a real 5.7 key answers to the 3DES authentication of yubico-piv-tool/libykpiv 2.2 (so Debian
# 12's tool fails on it exactly as on hardware), what still works without the management key,
# the attestation chain through an intermediate, and a reset that brings the AES default back.
source "$(dirname "$0")/lib.sh"
export VIRTUAL_PIV_FIRMWARE=${VIRTUAL_PIV_FIRMWARE:-5.7.1}
enter_card_session "$@"
new_workdir
PIV_AID="00 A4 04 00 05 A0 00 00 03 08"

step "yubico-piv-tool sees firmware 5.7.1"
expect_success yubico-piv-tool -a version
expect_output "5\.7\.1"

step "GET METADATA of 9b: AES-192 (0A), touch never, factory default"
expect_success opensc-tool -r "$VIRTUAL_PIV_READER" -s "$PIV_AID" -s "00 F7 00 9B"
expect_output "01 01 0A 02 02 00 01 05 01 01"

step "3DES GENERAL AUTHENTICATE against the AES key: 6A80, as a real 5.7 key answers"
expect_success opensc-tool -r "$VIRTUAL_PIV_READER" -s "$PIV_AID" -s "00 87 03 9B 04 7C 02 80 00"
expect_output "SW1=0x6A, SW2=0x80"
step "AES-192 GENERAL AUTHENTICATE: a 16-byte (AES block) witness"
expect_success opensc-tool -r "$VIRTUAL_PIV_READER" -s "$PIV_AID" -s "00 87 0A 9B 04 7C 02 80 00"
expect_output "Received \(SW1=0x90, SW2=0x00\)"
expect_output "^7C 12 80 10 "

step "yubico-piv-tool 2.2's management operations fail on the AES default (expected: no AES support)"
expect_failure yubico-piv-tool -a generate -s 9a -A ECCP256
expect_output "Failed authentication with the application"
expect_failure yubico-piv-tool -a set-mgm-key -n 0102030405060708010203040506070801020304050607AA
expect_output "Failed authentication with the application"
grep -q "^> 0087039b" "$VIRTUAL_PIV_DIR/card.log" || fail "yubico-piv-tool did not send 3DES (P1=03) GENERAL AUTHENTICATE"
grep -A1 "^> 0087039b" "$VIRTUAL_PIV_DIR/card.log" | grep -q "^< 6a80" || { tail -20 "$VIRTUAL_PIV_DIR/card.log"; fail "card did not answer 6A80"; }
expect_success opensc-tool -r "$VIRTUAL_PIV_READER" -s "$PIV_AID" -s "00 F7 00 9B"
expect_output "05 01 01"   # still the factory default: nothing changed

step "what needs no management key still works with 2.2: status, PIN"
expect_success yubico-piv-tool -a status
expect_output "Version:[[:space:]]+5\.7\.1"
expect_success yubico-piv-tool -a verify-pin -P 123456

step "attestation chain: root -> intermediate -> f9 (Yubico's 5.7.4+ shape)"
[[ -s "$VIRTUAL_PIV_INTERMEDIATE_CA" ]] || fail "no intermediate for a 5.7 card"
[[ -s "$VIRTUAL_PIV_ROOTS/intermediates/intermediate.pem" && -s "$VIRTUAL_PIV_ROOTS/root.pem" ]] || fail "roots folder"
expect_success openssl verify -CAfile "$VIRTUAL_PIV_ROOT_CA" -untrusted "$VIRTUAL_PIV_INTERMEDIATE_CA" "$VIRTUAL_PIV_ATTESTATION_CERT"
expect_failure openssl verify -CAfile "$VIRTUAL_PIV_ROOT_CA" "$VIRTUAL_PIV_ATTESTATION_CERT"

step "a reset (PIN and PUK blocked) restores the AES-192 default"
for _ in 1 2 3; do yubico-piv-tool -a verify-pin -P 999999 >/dev/null 2>&1 || true; done
for _ in 1 2 3; do yubico-piv-tool -a unblock-pin -P 99999999 -N 123456 >/dev/null 2>&1 || true; done
expect_success yubico-piv-tool -a reset
expect_success opensc-tool -r "$VIRTUAL_PIV_READER" -s "$PIV_AID" -s "00 F7 00 9B"
expect_output "01 01 0A 02 02 00 01 05 01 01"
echo "firmware57: all checks passed"
