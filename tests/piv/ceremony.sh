#!/usr/bin/env bash
# The key ceremony end to end on a new virtual YubiKey: check, init, generate, attest, record
# (signed by the new key, logged in a hash chain), verify-record, add-to-policy; and the
# refusals: a used card, a broken log, a tampered record.
source "$(dirname "$0")/lib.sh"
cd "$WORK"

# The factory management key: 3DES before firmware 5.7, AES-192 from 5.7 (same bytes).
case $VIRTUAL_PIV_FIRMWARE in 5.7.*) factory_alg=AES192 ;; *) factory_alg=TDES ;; esac
st=$("$B" token status --json)
[[ $(jq -r .management_key_algorithm <<<"$st") == "$factory_alg" ]] || fail "factory management key: $st"
"$B" token status | grep -q "management key:  factory default!, .*, $factory_alg" || fail "token status text: $("$B" token status)"
"$B" ceremony check | grep -q "management key is the factory default ($factory_alg)" || fail "ceremony check names the algorithm"
"$B" ceremony check >/dev/null || fail "a fresh card must pass 'ceremony check'"

"$B" ceremony init --new-pin-source "$(secret 24681357)" --new-puk-source "$(secret 97531864)" || fail "ceremony init"
st=$("$B" token status --json)
[[ $(jq -r .pin_default <<<"$st") == false ]] || fail "PIN still default"
[[ $(jq -r .puk_default <<<"$st") == false ]] || fail "PUK still default"
[[ $(jq -r .management_key_default <<<"$st") == false ]] || fail "management key still default"
[[ $(jq -r .management_key_mode <<<"$st") == pin-protected ]] || fail "management key not PIN-protected: $st"
# 5.4.2 and later get a random AES-192 key, whatever the factory one was; older ones 3DES.
IFS=. read -r fw_major fw_minor fw_patch <<<"$VIRTUAL_PIV_FIRMWARE"
set_alg=TDES
(( fw_major > 5 || (fw_major == 5 && (fw_minor > 4 || (fw_minor == 4 && fw_patch >= 2))) )) && set_alg=AES192
[[ $(jq -r .management_key_algorithm <<<"$st") == "$set_alg" ]] || fail "ceremony init did not set $set_alg: $st"
expect_rc 1 "$B" ceremony check
expect_rc 1 "$B" ceremony init --new-pin-source "$(secret 11112222)" --new-puk-source "$(secret 33334444)"

key_id=$("$B" ceremony generate --pin-source "$(secret 24681357)") || fail "ceremony generate"
slot=$("$B" token status --json | jq -c '.slots[] | select(.slot=="9c")')
[[ $(jq -r .key.key_id <<<"$slot") == "$key_id" && $(jq -r .key.touch_policy <<<"$slot") == always ]] || fail "9c: $slot"
# The old default management key no longer works.
expect_rc 4 "$B" key generate --slot 9a --management-key-source default --pin-source "$(secret 24681357)"

"$B" ceremony attest -o att.pem --roots "$FIXTURE_ROOTS" || fail "ceremony attest"
# The Yubico roots otasign ships do not trust the test card (a build tree has none installed:
# they are passed from the checkout, never searched for).
SHIPPED_ROOTS=$OTASIGN_SOURCE_DIR/ceremony/roots
expect_rc 1 "$B" ceremony attest -o att2.pem --roots "$SHIPPED_ROOTS"

mkdir -p records
"$B" ceremony record --attestation att.pem --operator alice --witness bob --location "test lab" \
    -o records/one.json --log ceremony.log --roots "$FIXTURE_ROOTS" --pin-source "$(secret 24681357)" || fail "ceremony record"
expect_rc 2 "$B" ceremony record --attestation att.pem --operator alice --witness alice \
    -o records/same.json --log ceremony.log --roots "$FIXTURE_ROOTS" --pin-source "$(secret 24681357)"
"$B" ceremony record --attestation att.pem --operator carol --witness dave \
    -o records/two.json --log ceremony.log --roots "$FIXTURE_ROOTS" --pin-source "$(secret 24681357)" || fail "second record"
# A witness countersigns with their own key (a SoftHSM token stands in for it).
source "$OTASIGN_SOURCE_DIR/tests/lib/softhsm.sh"
if softhsm_available; then
    softhsm_config "$WORK/hsm" && softhsm_token_add "$SOFTHSM_LABEL" && softhsm_keygen witness 01 EC:secp256r1 \
        || fail "SoftHSM witness token"
    "$B" ceremony record --attestation att.pem --operator erin --witness frank -o records/witnessed.json \
        --log ceremony.log --roots "$FIXTURE_ROOTS" --pin-source "$(secret 24681357)" \
        --witness-key "pkcs11:token=$SOFTHSM_LABEL;object=witness" --witness-module "$SOFTHSM_MODULE" \
        --witness-pin-source "$(secret "$SOFTHSM_USER_PIN")" || fail "witnessed record"
    [[ $(jq -r '[.signatures[].role] | join(",")' records/witnessed.json) == "ceremony-key,witness" ]] || fail "witness signature missing"
    "$B" ceremony verify-record records/witnessed.json --log ceremony.log --roots "$FIXTURE_ROOTS" | grep -q "ceremony-key witness" \
        || fail "witnessed record does not verify"
    jq '.signatures[1].signature = .signatures[0].signature' records/witnessed.json > records/bad-witness.json
    expect_rc 1 "$B" ceremony verify-record records/bad-witness.json --log '' --roots "$FIXTURE_ROOTS"
    lines=3
else
    echo "notice: SoftHSM not installed, witness countersignature not tested" >&2
    lines=2
fi
[[ $(wc -l < ceremony.log) == "$lines" ]] || fail "log should have $lines lines"
[[ $(sed -n 2p ceremony.log | jq -r .prev) == $(head -1 ceremony.log | tr -d '\n' | sha256sum | cut -d' ' -f1) ]] \
    || fail "second log line does not chain to the first"
[[ $(jq -r .key_id < <(head -1 ceremony.log)) == "$key_id" ]] || fail "log names another key"

out=$("$B" ceremony verify-record records/one.json --log ceremony.log --roots "$FIXTURE_ROOTS") || fail "verify-record: $out"
grep -q "$lines entries, chain intact" <<<"$out" || fail "verify-record output: $out"
payload=$(jq -r .payload records/one.json | base64 -d)
[[ $(jq -r .operator <<<"$payload") == alice && $(jq -r .witness <<<"$payload") == bob ]] || fail "names in record"
[[ $(jq -r .key.origin <<<"$payload") == generated && $(jq -r .key.pin_policy <<<"$payload") == always ]] || fail "key facts"

# A broken chain is detected, and never extended.
cp ceremony.log ceremony.log.bak
sed -i '1s/"serial":[0-9]*/"serial":1/' ceremony.log
expect_rc 1 "$B" ceremony verify-record records/one.json --log ceremony.log --roots "$FIXTURE_ROOTS"
expect_rc 1 "$B" ceremony record --attestation att.pem --operator alice --witness bob \
    -o records/three.json --log ceremony.log --roots "$FIXTURE_ROOTS" --pin-source "$(secret 24681357)"
[[ ! -e records/three.json ]] || fail "a record was written although the log is broken"
cmp -s <(sed '1s/"serial":1/"serial":X/' ceremony.log) <(sed '1s/"serial":[0-9]*/"serial":X/' ceremony.log.bak) || fail "broken log was modified"
mv ceremony.log.bak ceremony.log

# A tampered record (payload changed) no longer verifies.
jq --arg p "$(jq -c '.operator="mallory"' <<<"$payload" | base64 -w0)" '.payload=$p' records/one.json > records/forged.json
expect_rc 1 "$B" ceremony verify-record records/forged.json --log '' --roots "$FIXTURE_ROOTS"

# Step 6: into the trust policy, pinned to the card serial.
"$B" policy init policy.json >/dev/null || fail "policy init"
"$B" ceremony add-to-policy records/one.json --policy policy.json --role manifest --name ota-signing \
    --roots "$SHIPPED_ROOTS" || fail "add-to-policy"
"$B" policy show policy.json | grep -q "ota-signing" || fail "policy does not name the key: $("$B" policy show policy.json)"
expect_rc 3 "$B" ceremony add-to-policy records/one.json --policy policy.json --role manifest --name again \
    --roots "$SHIPPED_ROOTS"

echo "ceremony: all checks passed"
