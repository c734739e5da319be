#!/usr/bin/env bash
# Attack class: a key of the wrong kind where another belongs. A bare public key (SPKI PEM) given
# wherever a certificate is expected (attestation roots and intermediates, the attestation file,
# the roots a policy embeds) must be refused as invalid input (exit 3) with the file named and
# nothing written; a certificate where a bare public key belongs (policy add-key) likewise. Each
# refusal has a positive control with the right kind, so the test fails if the command simply
# refuses everything.
set -euo pipefail
: "${OTASIGN_BIN:?}" "${OTASIGN_SOURCE_DIR:?}"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
otasign() { "$OTASIGN_BIN" "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
# expect CODE CMD...: CMD must exit with CODE.
expect() {
    local want=$1 rc=0; shift
    "$@" >out 2>err || rc=$?
    [[ $rc -eq $want ]] || { cat out err; fail "expected exit $want, got $rc: $*"; }
}
# unchanged FILE COPY: the refused command left FILE byte for byte as it was.
unchanged() { cmp -s "$1" "$2" || fail "$1 was changed by a refused command"; }
names() { grep -qF -- "$1" err || { cat err; fail "the error does not name $1"; }; }

V=$OTASIGN_SOURCE_DIR/schemas/vectors/cases/ok-attestation
NOW=2026-12-01T00:00:00Z
openssl ecparam -name prime256v1 -genkey -noout -out key.pem 2>/dev/null
openssl ec -in key.pem -pubout -out pub.pem 2>/dev/null
openssl req -new -x509 -key key.pem -subj /CN=not-a-key -days 1 -out cert.pem 2>/dev/null
# The vector's attestation root, and its attestation (slot certificate, then f9) from the statement.
jq -r '.attestationRoots[0]' "$V/policy.json" > root.pem
jq -r '.signatures[0].payload' "$V/manifest.json.sig" | base64 -d | jq -r '.approval.piv.attestation' > attestation.pem
grep -c 'BEGIN CERTIFICATE' attestation.pem | grep -qx 2 || fail "the vector's attestation is not two certificates"
mkdir roots-ok roots-key
cp root.pem roots-ok/
cp pub.pem roots-key/

# policy add-key: a bare key is accepted, a certificate is not.
otasign policy init policy.json >/dev/null
expect 0 otasign policy add-key policy.json --role manifest --name alice --public-key pub.pem
cp policy.json before.json
expect 3 otasign policy add-key policy.json --role release --name bob --public-key cert.pem
names cert.pem; unchanged policy.json before.json

# policy require-attestation: roots and intermediates must be certificates.
expect 3 otasign policy require-attestation policy.json --role manifest --root pub.pem
names pub.pem; unchanged policy.json before.json
expect 3 otasign policy require-attestation policy.json --role manifest --root root.pem --intermediate pub.pem
names pub.pem; unchanged policy.json before.json
expect 3 otasign policy require-attestation policy.json --role manifest --roots roots-key
names pub.pem; unchanged policy.json before.json
cat root.pem pub.pem > root-and-key.pem
expect 3 otasign policy require-attestation policy.json --role manifest --root root-and-key.pem
names root-and-key.pem; unchanged policy.json before.json
expect 0 otasign policy require-attestation policy.json --role manifest --roots roots-ok

# key verify-attestation: the file holds certificates, the roots are certificates.
expect 0 otasign key verify-attestation attestation.pem --roots roots-ok
cat pub.pem pub.pem > two-keys.pem
expect 3 otasign key verify-attestation two-keys.pem --roots roots-ok
names two-keys.pem
{ sed -n '1,/END CERTIFICATE/p' attestation.pem; cat pub.pem; } > cert-then-key.pem
expect 3 otasign key verify-attestation cert-then-key.pem --roots roots-ok
names cert-then-key.pem
expect 3 otasign key verify-attestation attestation.pem --roots roots-key
names pub.pem

# verify: a policy whose embedded attestation root is a bare key is not a valid policy.
expect 0 otasign verify "$V/manifest.json" --signature "$V/manifest.json.sig" --policy "$V/policy.json" --now "$NOW"
jq --rawfile k pub.pem '.attestationRoots[0] = $k' "$V/policy.json" > policy-key-root.json
expect 3 otasign verify "$V/manifest.json" --signature "$V/manifest.json.sig" --policy policy-key-root.json --now "$NOW"
names policy-key-root.json
# ... nor one whose root is a certificate followed by a key.
jq --rawfile k root-and-key.pem '.attestationRoots[0] = $k' "$V/policy.json" > policy-root-and-key.json
expect 3 otasign verify "$V/manifest.json" --signature "$V/manifest.json.sig" --policy policy-root-and-key.json --now "$NOW"
# (A bare key in place of the statement's attestation certificates is the signed conformance
# vector fail-attestation-other-pem-block: the signature does not count, exit 1.)
echo "PASS: a bare key is refused wherever a certificate belongs, and a certificate where a key belongs"
