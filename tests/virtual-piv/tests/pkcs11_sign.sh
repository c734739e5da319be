#!/usr/bin/env bash
# pkcs11-tool through a real PKCS#11 module (opensc: OpenSC's opensc-pkcs11.so, ykcs11: Yubico's
# libykcs11.so) lists the card's objects and signs with ECDSA P-256 and P-384 keys in slot 9c
# (PIN policy "always": a context-specific login before each signature); openssl verifies.
source "$(dirname "$0")/lib.sh"
enter_card_session "$@"
case "${1:-}" in
    opensc) module=$OPENSC_MODULE ;;
    ykcs11) module=$YKCS11_MODULE ;;
    *) fail "usage: pkcs11_sign.sh opensc|ykcs11" ;;
esac
new_workdir
p11() { pkcs11-tool --module "$module" "$@"; }
head -c 3000 /dev/urandom > "$WORK/data"

sign_and_verify() {  # ALG-BITS SHA
    local sha=$2
    step "$1: sign with ECDSA-${sha^^} through $(basename "$module") and verify with openssl"
    expect_success p11 --login --pin 123456 --sign --id 02 -m "ECDSA-${sha^^}" --signature-format openssl \
        -i "$WORK/data" -o "$WORK/sig.der"
    expect_success openssl dgst "-$sha" -verify "$WORK/pub.pem" -signature "$WORK/sig.der" "$WORK/data"
    expect_output "Verified OK"
    step "$1: raw ECDSA over a digest computed by the host"
    openssl dgst "-$sha" -binary "$WORK/data" > "$WORK/digest"
    expect_success p11 --login --pin 123456 --sign --id 02 -m ECDSA --signature-format openssl \
        -i "$WORK/digest" -o "$WORK/sig2.der"
    expect_success openssl pkeyutl -verify -pubin -inkey "$WORK/pub.pem" -in "$WORK/digest" -sigfile "$WORK/sig2.der"
    step "$1: a wrong PIN signs nothing"
    expect_failure p11 --login --pin 000000 --sign --id 02 -m "ECDSA-${sha^^}" -i "$WORK/data" -o "$WORK/bad.der"
    expect_success yubico-piv-tool -a verify-pin -P 123456
}

step "P-256 key in 9c (default PIN policy for 9c: always) with a certificate"
expect_success yubico-piv-tool -a generate -s 9c -A ECCP256 -o "$WORK/pub.pem"
make_cert_for "$WORK/pub.pem" "$WORK/cert.pem" "signing key"
expect_success yubico-piv-tool -a import-certificate -s 9c -i "$WORK/cert.pem"
step "the module lists the certificate and the private key"
expect_success p11 --list-objects
expect_output "CN=signing key"
expect_success p11 --login --pin 123456 --list-objects --type privkey
expect_output "Private Key Object; EC"
sign_and_verify P-256 sha256

step "P-384 key in 9c, PIN policy always, touch policy always (touch given by the fixture), by provision"
expect_success "$VPIV_HERE/provision" 9c ECCP384 always always
cp "$VIRTUAL_PIV_DIR/slot-9c.pub.pem" "$WORK/pub.pem"
expect_success p11 --list-objects
expect_output "CN=Virtual PIV slot 9c"
sign_and_verify P-384 sha384
grep -q "touch: .* given automatically" "$VIRTUAL_PIV_DIR/card.log" || fail "the card was never asked for a touch"

step "RSA 2048 key in 9a (PIN policy once): the module pads, the card does the raw RSA operation"
expect_success yubico-piv-tool -a generate -s 9a -A RSA2048 -o "$WORK/rsa.pem"
make_cert_for "$WORK/rsa.pem" "$WORK/rsa-cert.pem" "rsa key"
expect_success yubico-piv-tool -a import-certificate -s 9a -i "$WORK/rsa-cert.pem"
expect_success p11 --login --pin 123456 --sign --id 01 -m SHA256-RSA-PKCS -i "$WORK/data" -o "$WORK/rsa.sig"
expect_success openssl dgst -sha256 -verify "$WORK/rsa.pem" -signature "$WORK/rsa.sig" "$WORK/data"

step "ECDH with a P-256 key in 9d gives the secret openssl computes from the other side"
expect_success yubico-piv-tool -a generate -s 9d -A ECCP256 -o "$WORK/kex.pem"
make_cert_for "$WORK/kex.pem" "$WORK/kex-cert.pem" "key agreement"
expect_success yubico-piv-tool -a import-certificate -s 9d -i "$WORK/kex-cert.pem"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$WORK/peer.key" 2>/dev/null
openssl pkey -in "$WORK/peer.key" -pubout -outform DER -out "$WORK/peer.der"
expect_success p11 --login --pin 123456 --derive -m ECDH1-DERIVE --id 03 -i "$WORK/peer.der" -o "$WORK/secret"
cmp "$WORK/secret" <(openssl pkeyutl -derive -inkey "$WORK/peer.key" -peerkey "$WORK/kex.pem") ||
    fail "the card's ECDH secret differs"
rm -f "$WORK/peer.key"
echo PASS
