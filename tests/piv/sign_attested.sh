#!/usr/bin/env bash
# The PIV issue end to end through OpenSC on a fresh virtual YubiKey: key ceremony, attestation
# export and check, a trust policy that requires attestation (origin generated, PIN and touch
# always, the fixture root embedded), `sign` with PIN and touch putting the attestation and the
# slot's policies into the signed statement, and `verify` enforcing it: the card's signature
# passes, a SoftHSM signature by a key of the same role does not.
source "$(dirname "$0")/lib.sh"
cd "$WORK"
MODULE=/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so
cp "$OTASIGN_SOURCE_DIR/schemas/examples/release-1.json" "$OTASIGN_SOURCE_DIR/schemas/examples/release-2.json" .
PIN=24681357

# Ceremony: check, init, generate (9c, ECCP384, PIN always, touch always), attest, record.
"$B" ceremony check >/dev/null || fail "ceremony check"
"$B" ceremony init --new-pin-source "$(secret $PIN)" --new-puk-source "$(secret 97531864)" >/dev/null || fail "ceremony init"
key_id=$("$B" ceremony generate --pin-source "$(secret $PIN)") || fail "ceremony generate"
"$B" ceremony attest -o ceremony-att.pem --roots "$FIXTURE_ROOTS" >/dev/null || fail "ceremony attest"
"$B" ceremony record --attestation ceremony-att.pem --operator alice --witness bob -o record.json \
    --log ceremony.log --roots "$FIXTURE_ROOTS" --pin-source "$(secret $PIN)" >/dev/null || fail "ceremony record"

# The slot's attestation, exported and checked against the virtual card's root.
"$B" key attest --slot 9c -o att.pem >/dev/null || fail "key attest"
att=$("$B" key verify-attestation att.pem --roots "$FIXTURE_ROOTS" --json) || fail "verify-attestation: $att"
[[ $(jq -r .key_id <<<"$att") == "$key_id" ]] || fail "attested key is not the ceremony key: $att"

# Trust policy: the card key, exported through PKCS#11, in the manifest role; attestation required.
"$B" key export --key "pkcs11:id=%02;type=private" --module "$MODULE" -o card.pub.pem >/dev/null || fail "key export"
"$B" policy init policy.json >/dev/null || fail "policy init"
"$B" policy add-key policy.json --role manifest --public-key card.pub.pem --name card >/dev/null || fail "policy add-key"
"$B" policy require-attestation policy.json --role manifest "${ROOT_ARGS[@]}" \
    --pin-policy always --touch-policy always >/dev/null || fail "policy require-attestation"
[[ $(jq -r '.roles.manifest.requireAttestation.touchPolicy[0]' policy.json) == always ]] || fail "requirement not written"
[[ $(jq -r '.attestationRoots | length' policy.json) == 1 ]] || fail "root not embedded"
"$B" policy show policy.json | grep -q "requires PIV attestation" || fail "policy show"

# Sign with PIN and touch (the harness approves the touch).
digest=$("$B" digest release-2.json) || fail "digest"
"$B" sign release-2.json --previous release-1.json --policy policy.json --key "pkcs11:id=%02;type=private" \
    --module "$MODULE" --approve "$digest" --accept-risk channel-widened --pin-source "$(secret $PIN)" --operator tester > out 2> err \
    || { cat err >&2; fail "sign"; }
grep -q "Touch the key now" err || { cat err >&2; fail "no touch prompt"; }
grep -q "3 retries left" err || { cat err >&2; fail "the exact PIN retry count is not shown"; }
st=$(jq -r '.signatures[0].payload' release-2.json.sig | base64 -d)
piv=$(jq -c .approval.piv <<<"$st")
[[ $(jq -r .slot <<<"$piv") == 9c && $(jq -r .pinPolicy <<<"$piv") == always && $(jq -r .touchPolicy <<<"$piv") == always \
    && $(jq -r .origin <<<"$piv") == generated ]] || fail "PIV evidence: $piv"
[[ $(jq -r .serial <<<"$piv") == $("$B" token status --json | jq -r .serial) ]] || fail "serial in evidence: $piv"
[[ $(jq -r .approval.pinRetriesLeft <<<"$st") == 3 ]] || fail "pinRetriesLeft: $st"
jq -r .attestation <<<"$piv" | grep -c "BEGIN CERTIFICATE" | grep -qx 2 || fail "attestation bundle not embedded"
# The statement is canonical (the signature covers every byte of it).
[[ $(jq -jcS . <<<"$st" | sha256sum) == $(printf '%s' "$st" | sha256sum) ]] || fail "statement not canonical"

out=$("$B" verify release-2.json --policy policy.json --json) || fail "verify failed: $out"
[[ $(jq -r '.signatures[0].attestation.ok' <<<"$out") == true ]] || fail "attestation check: $out"
[[ $(jq -r '.signatures[0].attestation.touchPolicy' <<<"$out") == always ]] || fail "attestation details: $out"
"$B" verify release-2.json --policy policy.json | grep -q "attestation: ok" || fail "text output lacks the attestation check"

# The ceremony's add-to-policy can set the same requirement; its key is pinned to the card serial,
# which OpenSC's token serial is not, so the card serial in the statement's evidence must count.
"$B" policy init ceremony-policy.json >/dev/null || fail "policy init (ceremony)"
"$B" ceremony add-to-policy record.json --policy ceremony-policy.json --role manifest --name ota \
    --require-attestation --roots "$FIXTURE_ROOTS" >/dev/null || fail "ceremony add-to-policy --require-attestation"
[[ $(jq -r '.roles.manifest.keys[0].tokenSerial' ceremony-policy.json) == $(jq -r .serial <<<"$piv") ]] || fail "tokenSerial"
[[ $(jq -r '.roles.manifest.requireAttestation.pinPolicy[0]' ceremony-policy.json) == always ]] || fail "ceremony requirement"
out=$("$B" verify release-2.json --policy ceremony-policy.json --json) || fail "verify against the ceremony policy: $out"

# Another root: the same bundle no longer verifies.
openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout other.key -out other.pem \
    -subj /CN=other -days 10 2>/dev/null || fail "other root"
cp policy.json other-policy.json
"$B" policy require-attestation other-policy.json --role manifest --root other.pem >/dev/null || fail "other root policy"
expect_rc 1 "$B" verify release-2.json --policy other-policy.json

# A stricter requirement the card's key does not meet (PIN policy once only).
cp policy.json once-policy.json
"$B" policy require-attestation once-policy.json --role manifest "${ROOT_ARGS[@]}" --pin-policy once >/dev/null \
    || fail "once policy"
out=$("$B" verify release-2.json --policy once-policy.json --json); rc=$?
[[ $rc == 1 ]] || fail "PIN policy once: expected exit 1, got $rc"
jq -r '.signatures[0].detail' <<<"$out" | grep -q "PIN policy is always" || fail "detail: $out"

# A signature from a SoftHSM key of the same role carries no attestation: it does not count.
source "$OTASIGN_SOURCE_DIR/tests/lib/softhsm.sh"
if softhsm_available; then
    softhsm_config "$WORK/hsm" && softhsm_token_add "$SOFTHSM_LABEL" && softhsm_keygen soft 01 EC:secp256r1 || fail "SoftHSM"
    SOFT="pkcs11:token=$SOFTHSM_LABEL;object=soft;type=private"
    "$B" key export --key "$SOFT" --module "$SOFTHSM_MODULE" -o soft.pub.pem >/dev/null || fail "soft export"
    cp policy.json soft-policy.json
    "$B" policy add-key soft-policy.json --role manifest --public-key soft.pub.pem --name soft >/dev/null || fail "soft add-key"
    # sign --policy refuses it up front, before the PIN, writing nothing.
    "$B" sign release-2.json --policy soft-policy.json --key "$SOFT" --module "$SOFTHSM_MODULE" --approve "$digest" \
        --operator tester --pin-source "$(secret "$SOFTHSM_USER_PIN")" --signature soft.sig --evidence-log soft.log > out 2> err
    rc=$?
    [[ $rc == 1 ]] || { cat err >&2; fail "sign --policy with an unattested key: expected exit 1, got $rc"; }
    grep -q "requires a PIV attestation" err || { cat err >&2; fail "unattested refusal message"; }
    [[ ! -e soft.sig && ! -e soft.log ]] || fail "a refused sign wrote files"
    # Without --policy it signs; verify is where the requirement must hold.
    "$B" sign release-2.json --key "$SOFT" --module "$SOFTHSM_MODULE" --approve "$digest" --operator tester \
        --pin-source "$(secret "$SOFTHSM_USER_PIN")" --signature soft.sig --evidence-log soft.log > out 2> err \
        || { cat err >&2; fail "SoftHSM sign"; }
    ! jq -r '.signatures[0].payload' soft.sig | base64 -d | jq -e .approval.piv >/dev/null || fail "SoftHSM statement has PIV evidence"
    out=$("$B" verify release-2.json --policy soft-policy.json --signature soft.sig --json); rc=$?
    [[ $rc == 1 ]] || fail "SoftHSM signature under an attestation policy: expected exit 1, got $rc: $out"
    jq -r '.signatures[0].detail' <<<"$out" | grep -q "no PIV attestation" || fail "SoftHSM detail: $out"
    # Without the requirement the same SoftHSM signature counts.
    jq 'del(.roles.manifest.requireAttestation)' soft-policy.json > plain-policy.json
    expect_rc 0 "$B" verify release-2.json --policy plain-policy.json --signature soft.sig >/dev/null
else
    echo "notice: SoftHSM not installed, the unattested-signature refusal is not tested" >&2
fi
echo "sign_attested: all checks passed"
