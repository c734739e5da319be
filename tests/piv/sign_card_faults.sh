#!/usr/bin/env bash
# A card that holds the signing key but fails while sign reads its facts (an APDU answered with SW
# 6F00, injected by an LD_PRELOAD shim on libykpiv's transmit; libsign/signing/piv_facts.hpp):
# - it cannot attest the key: sign still signs, and says the evidence carries no attestation and
#   why; a policy that requires attestation refuses, naming the card's error rather than
#   blaming the key; without the fault the same policy signs;
# - its status cannot be read: sign refuses before any PIN, since the PIN retry count is unknown.
# Usage: sign_card_faults.sh SHIM.so
source "$(dirname "$0")/lib.sh"
SHIM=${1:?the fail_apdu shim}
cd "$WORK"
MODULE=/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so
URI="pkcs11:id=%02;type=private"  # OpenSC's id of slot 9c
cp "$OTASIGN_SOURCE_DIR/schemas/examples/release-1.json" "$OTASIGN_SOURCE_DIR/schemas/examples/release-2.json" .
pin=$(secret 123456)
"$B" key generate --slot 9c --algorithm ECCP256 --pin-policy always --touch-policy always \
    --pin-source "$pin" >/dev/null 2>&1 || fail "generate 9c"
digest=$("$B" digest release-2.json) || fail "digest"
# sign_with NAME [POLICY...]: signs into NAME.sig with its own ledger.
sign_with() {
    local name=$1; shift
    "$B" sign release-2.json --previous release-1.json --key "$URI" --module "$MODULE" "$@" \
        --signature "$name.sig" --evidence-log "$name.log" --ledger "ledger-$name" \
        --approve "$digest" --accept-risk channel-widened --pin-source "$pin" --operator tester
}
# faulty_ins INS CMD...: runs CMD with the card failing every APDU with that INS byte (hex).
faulty_ins() {
    local ins=$1; shift
    LD_PRELOAD=$SHIM OTASIGN_TEST_FAIL_INS=$ins "$@"
}
faulty() { faulty_ins f9 "$@"; }  # ATTEST

# No policy: signed, with the slot's facts but no attestation, and a warning naming the cause.
expect_rc 0 faulty sign_with plain >/dev/null 2>plain.err
grep -q "otasign: warning: card .*: the key's attestation could not be read (.*); the evidence carries none" plain.err ||
    { cat plain.err >&2; fail "no warning about the unread attestation"; }
piv=$(jq -r '.signatures[0].payload' plain.sig | base64 -d | jq -c .approval.piv)
[[ $(jq -r .slot <<<"$piv") == 9c && $(jq -r .origin <<<"$piv") == generated ]] || fail "PIV evidence: $piv"
[[ $(jq -r '.attestation // "none"' <<<"$piv") == none ]] || fail "an attestation in the evidence: $piv"

# A policy that requires attestation: refused before the PIN, naming the card's error.
"$B" key export --key "$URI" --module "$MODULE" -o card.pub.pem >/dev/null || fail "key export"
"$B" policy init policy.json >/dev/null && "$B" policy add-key policy.json --role manifest \
    --public-key card.pub.pem --name card >/dev/null &&
    "$B" policy require-attestation policy.json --role manifest "${ROOT_ARGS[@]}" >/dev/null ||
    fail "policy"
expect_rc 1 faulty sign_with required --policy policy.json >/dev/null 2>required.err
grep -q "requires a PIV attestation, and this key's does not satisfy it: .*(the card's attestation could not be read: " required.err ||
    { cat required.err >&2; fail "the refusal does not name the card's error"; }
[[ ! -e required.sig ]] || fail "a bundle was written"

# The same policy and card without the fault: signed.
expect_rc 0 sign_with control --policy policy.json >/dev/null 2>control.err ||
    { cat control.err >&2; fail "control sign"; }

# GET SERIAL fails: the card's status is unknown, so is its PIN retry count: refused (exit 4).
expect_rc 4 faulty_ins f8 sign_with status >/dev/null 2>status.err
grep -q "holds the signing key, but its status (firmware, PIN retry count) could not be read: .*; nothing was signed" status.err ||
    { cat status.err >&2; fail "the status refusal"; }
[[ ! -e status.sig ]] || fail "a bundle was written without the card's status"
echo "sign_card_faults: all checks passed"
