#!/usr/bin/env bash
# otasign key export / key list against a SoftHSM token made for this run.
set -uo pipefail
. "$OTASIGN_SOURCE_DIR/tests/lib/softhsm.sh"
if ! softhsm_available; then
    echo "notice: SoftHSM2 or pkcs11-tool is not installed; skipping"
    exit 77
fi
dir=$(mktemp -d)
trap 'softhsm_token_cleanup "$dir"' EXIT
softhsm_token_init "$dir" || { echo "FAIL: cannot create the SoftHSM token"; exit 1; }

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
otasign() { "$OTASIGN_BIN" "$@"; }

# export writes the token's public key and prints its key id (pkcs11-tool of OpenSC 0.23
# cannot export P-384 public keys, so the comparison uses P-256 and RSA)
for id_label in 01:p256 04:rsa2048; do
    id=${id_label%%:*} label=${id_label#*:}
    keyid=$(otasign key export --key "pkcs11:object=$label" --module "$SOFTHSM_MODULE" -o "$dir/$label.pem") ||
        fail "export of $label exited $?"
    pkcs11-tool --module "$SOFTHSM_MODULE" --read-object --type pubkey --id "$id" 2>/dev/null |
        openssl pkey -pubin -inform DER -outform PEM >"$dir/$label.expected.pem"
    [[ -s $dir/$label.expected.pem ]] || fail "pkcs11-tool did not export $label"
    cmp -s "$dir/$label.pem" "$dir/$label.expected.pem" || fail "exported PEM of $label differs from the token's public key"
    expected_id=$(openssl pkey -pubin -in "$dir/$label.pem" -outform DER | sha256sum | cut -d' ' -f1)
    [[ $keyid == "$expected_id" ]] || fail "key id '$keyid' is not sha256 of the SPKI DER '$expected_id'"
done
otasign key export --key 'pkcs11:object=p384' --module "$SOFTHSM_MODULE" -o "$dir/p384.pem" >/dev/null ||
    fail "export of p384 exited $?"
openssl pkey -pubin -in "$dir/p384.pem" -noout -text | grep -q "NIST CURVE: P-384" || fail "p384.pem is not a P-384 key"

# an existing file is never overwritten: exit 3 as everywhere (a refused output argument), file unchanged
echo "keep" >"$dir/existing.pem"
otasign key export --key 'pkcs11:object=p256' --module "$SOFTHSM_MODULE" -o "$dir/existing.pem" 2>"$dir/err"
rc=$?
[[ $rc == 3 ]] || fail "export over an existing file exited $rc, expected 3"
[[ $(cat "$dir/existing.pem") == keep ]] || fail "the existing file was changed"
grep -q "never overwrites" "$dir/err" || fail "no 'never overwrites' message: $(cat "$dir/err")"

# ambiguous and missing keys are token errors (exit 4) with candidates / tokens listed
otasign key export --key 'pkcs11:token=otasign-test' --module "$SOFTHSM_MODULE" -o "$dir/a.pem" 2>"$dir/err"
rc=$?
[[ $rc == 4 ]] || fail "ambiguous export exited $rc, expected 4"
grep -q "4 private keys match" "$dir/err" || fail "ambiguity not explained: $(cat "$dir/err")"
grep -q "pkcs11:.*id=%04;type=private" "$dir/err" || fail "candidates not listed with URIs"
[[ ! -e $dir/a.pem ]] || fail "a file was written despite the error"
otasign key export --key 'pkcs11:object=nothing' --module "$SOFTHSM_MODULE" -o "$dir/n.pem" 2>"$dir/err"
rc=$?
[[ $rc == 4 ]] || fail "missing key exited $rc, expected 4"
grep -q "otasign-test" "$dir/err" || fail "tokens seen not listed: $(cat "$dir/err")"

# a bad URI is a usage error
otasign key export --key 'pkcs11:object=p256?pin-value=123456' --module "$SOFTHSM_MODULE" -o "$dir/u.pem" 2>"$dir/err"
rc=$?
[[ $rc == 2 ]] || fail "pin-value URI exited $rc, expected 2"

# list shows every key with a URI that selects exactly that key
otasign key list --module "$SOFTHSM_MODULE" >"$dir/list" || fail "key list exited $?"
for label in p256 p384 p256-auth rsa2048; do
    # Keys found through their public key (SoftHSM before login) are selected by id: a public
    # object's label need not be its private key's.
    uri=$(grep -A1 "  key '$label' " "$dir/list" | grep -o "pkcs11:[^ ]*type=private" | head -1)
    [[ -n $uri ]] || { fail "key list shows no URI for $label"; continue; }
    otasign key export --key "$uri" --module "$SOFTHSM_MODULE" -o "$dir/$label.from-list.pem" >/dev/null ||
        fail "the listed URI of $label does not select it"
done
otasign key list --key 'pkcs11:object=p256' --module "$SOFTHSM_MODULE" >"$dir/list1" || fail "filtered list failed"
[[ $(grep -c "  key '" "$dir/list1") == 1 ]] || fail "filtered list shows $(grep -c "  key '" "$dir/list1") keys"

# --help carries an example
otasign key export --help | grep -q "Example" || fail "key export --help has no example"
otasign key list --help | grep -q "Example" || fail "key list --help has no example"

if ((failures)); then
    echo "$failures failure(s)"
    exit 1
fi
echo "ok"
