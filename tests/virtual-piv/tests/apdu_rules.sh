#!/usr/bin/env bash
# APDU-level rules of the virtual YubiKey, sent through OpenSC's opensc-tool in one card session:
# PIN policies (always: one VERIFY per signature; once: for the session), security status,
# GET METADATA encoding, attestation limits, object access, GET RESPONSE chaining.
source "$(dirname "$0")/lib.sh"
enter_card_session "$@"
new_workdir

# apdus APDU=SW ...: sends the APDUs in one session and checks each status word in turn.
apdus() {
    local args=() expected=() pair
    for pair in "$@"; do
        args+=(-s "${pair%%=*}")
        expected+=("${pair##*=}")
    done
    opensc-tool "${args[@]}" > "$WORK/out" 2>&1 || true
    mapfile -t got < <(grep -o 'SW1=0x[0-9A-F]*, SW2=0x[0-9A-F]*' "$WORK/out" |
                       sed -E 's/SW1=0x([0-9A-F]+), SW2=0x([0-9A-F]+)/\1 \2/' |
                       while read -r sw1 sw2; do printf '%02x%02x\n' "0x$sw1" "0x$sw2"; done)
    local i
    for i in "${!expected[@]}"; do
        [[ "${got[$i]:-none}" == "${expected[$i],,}" ]] ||
            { cat "$WORK/out"; fail "APDU $((i + 1)) (${args[$((2 * i + 1))]}): SW ${got[$i]:-none}, want ${expected[$i]}"; }
    done
}
select_piv=00a4040005a000000308=9000
verify_pin=0020008008313233343536ffff=9000
digest32=$(printf '%064x' 7)
sign9c="0087119c267c2482008120${digest32}"
sign9a="0087119a267c2482008120${digest32}"

step "version, serial and metadata of PIN, PUK and management key"
serial_hex=$(printf '%08x' "$VIRTUAL_PIV_SERIAL")
apdus $select_piv 00fd000000=9000 00f8000000=9000 00f70080=9000 00f70081=9000 00f7009b=9000
expect_output "05 04 03"
expect_output "$(echo "$serial_hex" | sed -E 's/(..)/\1 /g; s/ $//' | tr a-f A-F)"
expect_output "01 01 FF 05 01 01 06 02 03 03"
expect_output "01 01 03 02 02 00 01 05 01 01"

step "unknown objects are 6A82, the discovery object is built in, writes need the management key"
apdus $select_piv 00cb3fff055c035fc10500=6a82 00cb3fff035c017e00=9000 \
    00db3fff0a5c035fc10853037001ff=6982
expect_output "7E 12 4F 0B A0 00 00 03 08 00 00 10 00 01 00 5F"

step "an empty slot cannot sign or attest"
apdus $select_piv $verify_pin "$sign9c=6a88" 00f99c00=6a88

step "PIN policy always: each signature needs its own VERIFY"
expect_success yubico-piv-tool -a generate -s 9c -A ECCP256 -o "$WORK/pub9c.pem"
apdus $select_piv "$sign9c=6982" $verify_pin "$sign9c=9000" "$sign9c=6982" $verify_pin "$sign9c=9000"
step "metadata of a generated key: algorithm, policies (always, never), origin generated, public point"
apdus $select_piv 00f7009c=9000
expect_output "01 01 11 02 02 03 01 03 01 01 04 43 86 41 04"

step "PIN policy once: one VERIFY serves the session, a new session needs another"
expect_success yubico-piv-tool -a generate -s 9a -A ECCP256 --pin-policy=once -o "$WORK/pub9a.pem"
apdus $select_piv "$sign9a=6982" $verify_pin "$sign9a=9000" "$sign9a=9000"
# A new OpenSC session starts with OpenSC's card drivers selecting their AIDs; like a YubiKey,
# the card drops the PIV security status when another AID is selected.
apdus $select_piv "$sign9a=6982"
step "re-selecting the PIV applet keeps the security status, selecting another AID ends it"
apdus $select_piv $verify_pin $select_piv "$sign9a=9000" 00a4040006d27600012401=6a82 $select_piv "$sign9a=6982"
step "PIN policy never"
expect_success yubico-piv-tool -a generate -s 9e -A ECCP256 --pin-policy=never -o "$WORK/pub9e.pem"
apdus $select_piv "0087119e267c2482008120${digest32}=9000"

step "the signature is DER ECDSA over the raw digest"
apdus $select_piv $verify_pin "$sign9c=9000"
# The response data: 7C len 82 len DER-signature (short lengths for P-256).
resp=$(sed -n '/Sending: 00 87/,$p' "$WORK/out" | sed -n '3,$p' | grep -E '^[0-9A-F]{2} ' | cut -c1-48 | tr -d ' \n')
[[ ${resp:0:2} == 7C && ${resp:4:2} == 82 ]] || fail "not a 7C/82 template: $resp"
hex_to_file() { printf '%b' "$(sed -E 's/(..)/\\x\1/g' <<< "$1")" > "$2"; }
hex_to_file "${resp:8:$(( 16#${resp:6:2} * 2 ))}" "$WORK/sig.der"
hex_to_file "$digest32" "$WORK/digest"
expect_success openssl pkeyutl -verify -pubin -inkey "$WORK/pub9c.pem" -in "$WORK/digest" -sigfile "$WORK/sig.der"

step "an imported key: metadata says imported, attestation is refused"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$WORK/import.key" 2>/dev/null
expect_success yubico-piv-tool -a import-key -s 9d -i "$WORK/import.key" --pin-policy=once
apdus $select_piv 00f7009d=9000 00f99d00=6a80
expect_output "01 01 11 02 02 02 01 03 01 02"

step "an imported RSA 2048 key signs (yubico-piv-tool test-signature checks it against its certificate)"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/rsa.key" 2>/dev/null
expect_success yubico-piv-tool -a import-key -s 9e -i "$WORK/rsa.key"
openssl pkey -in "$WORK/rsa.key" -pubout -out "$WORK/rsa.pub"
rm -f "$WORK/rsa.key"
make_cert_for "$WORK/rsa.pub" "$WORK/rsa-cert.pem" "imported rsa"
expect_success yubico-piv-tool -a import-certificate -s 9e -i "$WORK/rsa-cert.pem"
expect_success yubico-piv-tool -a test-signature -s 9e -i "$WORK/rsa-cert.pem"
expect_output "Successful RSA verification"

step "a certificate larger than one response comes back through GET RESPONSE"
head -c 2000 /dev/urandom > "$WORK/big"
expect_success yubico-piv-tool -a write-object --id 0x5fc10d -i "$WORK/big" -f binary
expect_success yubico-piv-tool -a read-object --id 0x5fc10d -o "$WORK/big.back" -f binary
cmp "$WORK/big" "$WORK/big.back" || fail "object read back differs"
grep -q '^> 00c00000' "$VIRTUAL_PIV_DIR/card.log" || fail "no GET RESPONSE was needed for a 2000-byte object"
rm -f "$WORK/import.key"
echo PASS
