#!/usr/bin/env bash
# The card's state survives a restart of the card (restart-card, like unplugging it) and a new
# run-with-card session on the same VIRTUAL_PIV_DIR: keys, certificates, PIN, retry counter,
# management key and policies; the session (verified PIN) does not.
source "$(dirname "$0")/lib.sh"
new_key=0f0e0d0c0b0a09080706050403020100f1e2d3c4b5a69788

sign_and_verify() {
    head -c 500 /dev/urandom > "$WORK/data"
    expect_success pkcs11-tool --module "$OPENSC_MODULE" --login --pin 24681357 --sign --id 01 -m ECDSA-SHA256 \
        --signature-format openssl -i "$WORK/data" -o "$WORK/sig.der"
    expect_success openssl dgst -sha256 -verify "$VIRTUAL_PIV_DIR/pub9a.pem" -signature "$WORK/sig.der" "$WORK/data"
}

check_state() {
    step "status: the certificate, the PIN counter (2 left) and the serial are back"
    expect_success yubico-piv-tool -a status
    expect_output "Subject DN:[[:space:]]+CN=persistent key"
    expect_output "PIN tries left:[[:space:]]+2"
    expect_output "Serial Number:[[:space:]]+$VIRTUAL_PIV_SERIAL"
    step "the old PIN is still wrong, the new one right, the key still signs"
    expect_failure yubico-piv-tool -a verify-pin -P 123456
    expect_output "1 tries left"
    expect_success yubico-piv-tool -a verify-pin -P 24681357
    sign_and_verify
    step "the management key is the new one; the PIN policy of 9e is still never"
    expect_failure yubico-piv-tool -a generate -s 9d -A ECCP256 -o "$WORK/x.pem"
    expect_success yubico-piv-tool -k"$new_key" -a generate -s 9d -A ECCP256 -o "$WORK/x.pem"
    expect_success opensc-tool -s 00a4040005a000000308 -s 00f7009e
    expect_output "01 01 14 02 02 01 01 03 01 01"
    yubico-piv-tool -a verify-pin -P 999999 > /dev/null 2>&1 || true  # back to 2 tries left
}

case "${1:-outer}" in
outer)
    can_unshare || skip "the virtual PIV harness needs root or unprivileged user namespaces"
    command -v pcscd >/dev/null || skip "pcscd is not installed"
    export VIRTUAL_PIV_DIR
    VIRTUAL_PIV_DIR=$(mktemp -d /tmp/virtual-piv-persist.XXXXXX)
    trap 'rm -rf "$VIRTUAL_PIV_DIR"' EXIT
    "$VPIV_HERE/run-with-card" bash "$0" first || fail "first session failed"
    [[ -f "$VIRTUAL_PIV_DIR/card.json" ]] || fail "no state file"
    if grep -q '"pin": "313233343536ffff"' "$VIRTUAL_PIV_DIR/card.json"; then fail "the PIN change was not saved"; fi
    step "a second run-with-card session on the same directory"
    "$VPIV_HERE/run-with-card" bash "$0" second || fail "second session failed"
    echo PASS
    ;;
first)
    new_workdir
    step "set up: key and certificate in 9a, P-384 key in 9e, new PIN, one wrong PIN, new management key"
    expect_success yubico-piv-tool -a generate -s 9a -A ECCP256 -o "$VIRTUAL_PIV_DIR/pub9a.pem"
    make_cert_for "$VIRTUAL_PIV_DIR/pub9a.pem" "$WORK/cert.pem" "persistent key"
    expect_success yubico-piv-tool -a import-certificate -s 9a -i "$WORK/cert.pem"
    expect_success yubico-piv-tool -a generate -s 9e -A ECCP384 -o "$WORK/pub9e.pem"
    expect_success yubico-piv-tool -a change-pin -P 123456 -N 24681357
    expect_success yubico-piv-tool -a set-mgm-key -n "$new_key"
    step "after a card restart the PIN is no longer verified"
    expect_success opensc-tool -s 00a4040005a000000308 -s 0020008008323436383133353700 -s 00200080
    "$VPIV_HERE/restart-card" || fail "the card did not come back"
    expect_success opensc-tool -s 00a4040005a000000308 -s 00200080
    expect_output "SW1=0x63, SW2=0xC3"
    expect_failure yubico-piv-tool -a verify-pin -P 999999
    "$VPIV_HERE/restart-card" || fail "the card did not come back"
    check_state
    ;;
second)
    new_workdir
    check_state
    ;;
esac
