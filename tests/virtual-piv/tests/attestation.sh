#!/usr/bin/env bash
# yubico-piv-tool attest on the virtual card: the certificate chains to the harness's root CA
# through the card's f9 certificate and carries Yubico's extensions (firmware, serial, policies).
source "$(dirname "$0")/lib.sh"
enter_card_session "$@"
new_workdir


step "generate P-384 in 9c with PIN policy always and touch policy always"
expect_success yubico-piv-tool -a generate -s 9c -A ECCP384 --pin-policy=always --touch-policy=always -o "$WORK/pub.pem"
step "attest it"
expect_success yubico-piv-tool -a attest -s 9c -o "$WORK/att.pem"
step "the chain root CA -> f9 -> attestation verifies"
expect_success yubico-piv-tool -a read-certificate -s f9 -o "$WORK/f9.pem"
cmp <(openssl x509 -in "$WORK/f9.pem" -outform DER) <(openssl x509 -in "$VIRTUAL_PIV_ATTESTATION_CERT" -outform DER) ||
    fail "the f9 certificate on the card is not the harness's"
expect_success openssl verify -CAfile "$VIRTUAL_PIV_ROOT_CA" -untrusted "$WORK/f9.pem" "$WORK/att.pem"
step "another root does not verify it"
openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/other.key" \
    -out "$WORK/other.pem" -subj "/CN=Virtual PIV Test Root CA" -days 2 2>/dev/null
expect_failure openssl verify -CAfile "$WORK/other.pem" -untrusted "$WORK/f9.pem" "$WORK/att.pem"
step "the attested key is the generated key"
cmp <(openssl x509 -in "$WORK/att.pem" -pubkey -noout) "$WORK/pub.pem" || fail "attested key differs"
expect_success openssl x509 -in "$WORK/att.pem" -noout -subject -issuer
expect_output "subject=CN = YubiKey PIV Attestation 9c"
expect_output "issuer=CN = Yubico PIV Attestation"
step "signed by the f9 key with SHA-256, RSA by default as on a YubiKey"
expect_success openssl x509 -in "$WORK/att.pem" -noout -text
if [[ "${VIRTUAL_PIV_ATTESTATION_KEY:-rsa}" == ec ]]; then
    expect_output "Signature Algorithm: ecdsa-with-SHA256"
else
    expect_output "Signature Algorithm: sha256WithRSAEncryption"
fi
step "Yubico extensions: firmware 5.4.3, serial, PIN policy always (3), touch policy always (2)"
openssl x509 -in "$WORK/att.pem" -outform DER -out "$WORK/att.der"
openssl asn1parse -inform DER -in "$WORK/att.der" > "$WORK/asn1"
ext_value() {  # the OCTET STRING that follows the OID line
    grep -A1 ":$1\$" "$WORK/asn1" | tail -1 | sed -E 's/.*\[HEX DUMP\]://'
}
[[ "$(ext_value 1.3.6.1.4.1.41482.3.3)" == 050403 ]] || fail "firmware extension: $(ext_value 1.3.6.1.4.1.41482.3.3)"
[[ "$(ext_value 1.3.6.1.4.1.41482.3.8)" == 0302 ]] || fail "policy extension: $(ext_value 1.3.6.1.4.1.41482.3.8)"
serial_der=$(ext_value 1.3.6.1.4.1.41482.3.7)
[[ $(( 16#${serial_der:4} )) == "$VIRTUAL_PIV_SERIAL" ]] || fail "serial extension $serial_der, want $VIRTUAL_PIV_SERIAL"
step "selfsign-certificate: works, or fails inside yubico-piv-tool 2.2 before reaching the card"
applets_before=$(grep -c '^> 0087149c' "$VIRTUAL_PIV_DIR/card.log" || true)
if yubico-piv-tool -a verify-pin -P 123456 -a selfsign-certificate -s 9c -S "/CN=self/" -i "$WORK/pub.pem" \
        -o "$WORK/self.pem" > "$WORK/out" 2>&1; then
    expect_success openssl verify -CAfile "$WORK/self.pem" "$WORK/self.pem"
else
    expect_output "Failed signing certificate"
    [[ $(grep -c '^> 0087149c' "$VIRTUAL_PIV_DIR/card.log" || true) == "$applets_before" ]] ||
        fail "selfsign reached the card and failed there"
    echo "NOTICE: yubico-piv-tool selfsign-certificate is broken with OpenSSL 3 (Yubico/yubico-piv-tool#388)"
fi

step "ykcs11 finds the key without a certificate, through attestation"
expect_success pkcs11-tool --module "$YKCS11_MODULE" --list-objects
expect_output "YubiKey PIV Attestation 9c"
expect_output "Public Key Object; EC  EC_POINT 384 bits"
step "a second attestation is a new certificate for the same key"
expect_success yubico-piv-tool -a attest -s 9c -o "$WORK/att2.pem"
cmp <(openssl x509 -in "$WORK/att2.pem" -pubkey -noout) "$WORK/pub.pem" || fail "attested key differs"
rm -f "$WORK/other.key"
echo PASS
