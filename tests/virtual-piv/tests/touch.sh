#!/usr/bin/env bash
# Touch policies with VIRTUAL_PIV_TOUCH=manual: a signature waits for tests/virtual-piv/touch,
# fails with SW 6982 when no touch comes within VIRTUAL_PIV_TOUCH_TIMEOUT (shortened here), and
# touch policy "cached" needs one touch for signatures that follow within 15 s.
source "$(dirname "$0")/lib.sh"
export VIRTUAL_PIV_TOUCH=manual VIRTUAL_PIV_TOUCH_TIMEOUT=2
enter_card_session "$@"
new_workdir
head -c 1000 /dev/urandom > "$WORK/data"
sign_opensc() {  # OUT
    pkcs11-tool --module "$OPENSC_MODULE" --login --pin 123456 --sign --id 02 -m ECDSA-SHA256 \
        --signature-format openssl -i "$WORK/data" -o "$1"
}

step "P-256 key in 9c with touch policy always"
expect_success yubico-piv-tool -a generate -s 9c -A ECCP256 --touch-policy=always -o "$WORK/pub.pem"
make_cert_for "$WORK/pub.pem" "$WORK/cert.pem"
expect_success yubico-piv-tool -a import-certificate -s 9c -i "$WORK/cert.pem"

step "the signature waits for the touch, then succeeds"
sign_opensc "$WORK/sig.der" > "$WORK/sign.log" 2>&1 &
signer=$!
"$VPIV_HERE/touch" 10 || { kill "$signer"; fail "the card never asked for a touch"; }
wait "$signer" || { cat "$WORK/sign.log"; fail "signing with a touch failed"; }
expect_success openssl dgst -sha256 -verify "$WORK/pub.pem" -signature "$WORK/sig.der" "$WORK/data"

step "the same through ykcs11"
pkcs11-tool --module "$YKCS11_MODULE" --login --pin 123456 --sign --id 02 -m ECDSA-SHA256 \
    --signature-format openssl -i "$WORK/data" -o "$WORK/sig-yk.der" > "$WORK/sign.log" 2>&1 &
signer=$!
"$VPIV_HERE/touch" 10 || { kill "$signer"; fail "the card never asked for a touch"; }
wait "$signer" || { cat "$WORK/sign.log"; fail "signing with a touch failed through ykcs11"; }
expect_success openssl dgst -sha256 -verify "$WORK/pub.pem" -signature "$WORK/sig-yk.der" "$WORK/data"

step "without a touch the card answers 6982 (security status not satisfied)"
expect_failure yubico-piv-tool -v2 -a verify-pin -P 123456 -a test-signature -s 9c -i "$WORK/cert.pem"
expect_output "69 82"
grep -q "touch: timed out" "$VIRTUAL_PIV_DIR/card.log" || fail "the card log does not show the timeout"
step "the same through OpenSC fails too"
expect_failure sign_opensc "$WORK/sig2.der"

step "touch policy cached: one touch serves the next signature"
expect_success yubico-piv-tool -a generate -s 9c -A ECCP256 --touch-policy=cached -o "$WORK/pub.pem"
make_cert_for "$WORK/pub.pem" "$WORK/cert.pem"
expect_success yubico-piv-tool -a import-certificate -s 9c -i "$WORK/cert.pem"
# libykpiv resets the card on disconnect, which ends the touch cache: sign twice in one session.
sign_opensc "$WORK/sig3.der" > "$WORK/sign.log" 2>&1 &
signer=$!
"$VPIV_HERE/touch" 10 || { kill "$signer"; fail "the card never asked for a touch"; }
wait "$signer" || { cat "$WORK/sign.log"; fail "signing with a touch failed"; }
pending_before=$(grep -c "touch: waiting" "$VIRTUAL_PIV_DIR/card.log")
expect_success sign_opensc "$WORK/sig4.der"
[[ $(grep -c "touch: waiting" "$VIRTUAL_PIV_DIR/card.log") == "$pending_before" ]] ||
    fail "a cached touch was asked for again"
expect_success openssl dgst -sha256 -verify "$WORK/pub.pem" -signature "$WORK/sig4.der" "$WORK/data"
echo PASS
