#!/usr/bin/env bash
# Issue 10, across the air gap, end to end on two SoftHSM workstations (each its own token and
# ledger): manifest create -> request create -> sign on A -> sign on B -> bundle merge -> verify
# at threshold 2; the fake-previous attack refused without explicit acceptance; ledger
# regressions refused; and, one named case each, inputs that must leave nothing persisted.
#   airgap.sh e2e | CASE
source "$(dirname "$0")/common.sh"
CASE=${1:-e2e}

# Workstation B: its own token with its own key.
SOFTHSM_LABEL=ws-b softhsm_token_add ws-b
SOFTHSM_LABEL=ws-b softhsm_keygen b-key 11 EC:secp256r1
otasign key export "${MOD[@]}" --key "pkcs11:token=ws-b;object=b-key" -o b.pem >/dev/null 2>&1
KEY_A=$(key_uri p256)
KEY_B="pkcs11:token=ws-b;object=b-key"

otasign policy init policy.json >/dev/null
otasign policy add-key policy.json --role manifest --public-key p256.pem >/dev/null
otasign policy add-key policy.json --role manifest --public-key b.pem >/dev/null
otasign policy threshold policy.json --role manifest 2 >/dev/null

# The pipeline: a template per release (everything but artifacts and created), artifacts built.
EXPIRES=$(date -u -d '+60 days' +%Y-%m-%dT%H:%M:%SZ)
mkdir -p artifacts/images
head -c 200000 /dev/urandom > artifacts/images/system.img
head -c 4096 /dev/urandom > artifacts/images/boot.img
# template VERSION ROLLBACK PERCENT > FILE
template() {
    jq --arg v "$1" --argjson rb "$2" --argjson p "$3" --arg e "$EXPIRES" '
        del(.artifacts, .created) | .release.version = $v | .release.channel = "stable"
        | .rollbackIndex = $rb | .expires = $e
        | .rollout = {percentage: $p}
        | .artifactRoles = {"images/system.img": "system-image", "images/boot.img": "boot-image"}' \
        release-1.json
}
# make NAME VERSION ROLLBACK PERCENT [--previous OLD]: a manifest from the pipeline.
make() {
    local name=$1 v=$2 rb=$3 p=$4; shift 4
    template "$v" "$rb" "$p" > "$name.tpl.json"
    otasign manifest create --template "$name.tpl.json" --artifacts artifacts "$@" -o "$name.json" >/dev/null
}
# sign_req WS REQ RESPONSE [extra]: sign a request on workstation WS (a or b) with its ledger.
sign_req() {
    local ws=$1 req=$2 resp=$3; shift 3
    local key=$KEY_A
    [[ $ws == b ]] && key=$KEY_B
    otasign sign --request "$req" "${MOD[@]}" --key "$key" --ledger "ledger-$ws" --response "$resp" \
        --policy policy.json --approve "$(jq -r '"sha256:" + .manifest.sha256' "$req")" \
        --pin-source file:pin --operator "op-$ws" "$@"
}
# release NAME [--previous OLD]: request, sign on A and B, merge, verify at threshold 2.
release() {
    local name=$1; shift
    expect 0 otasign request create "$name.json" "$@" --policy policy.json --pipeline "ci/$name" -o "$name.req"
    expect 0 sign_req a "$name.req" "$name.a.sig"
    expect 0 sign_req b "$name.req" "$name.b.sig"
    expect 0 otasign bundle merge --manifest "$name.json" --policy policy.json -o "$name.json.sig" "$name.a.sig" "$name.b.sig"
    expect 0 otasign verify "$name.json" --policy policy.json --signature "$name.json.sig" --json
    [[ $(jq -r .ok out) == true && $(jq '[.signatures[] | select(.ok)] | length' out) == 2 ]] \
        || { cat out; fail "$name: not two counting signatures"; }
}

make r1 1.4.0 41 10
release r1
make r2 1.5.0 41 25 --previous r1.json
release r2 --previous r1.json

# nothing_written CMD...: CMD fails with the expected code and changes no file.
nothing_written() {
    local want=$1; shift
    local before after
    before=$(snapshot)
    expect "$want" "$@"
    after=$(snapshot)
    [[ $before == "$after" ]] || { diff <(echo "$before") <(echo "$after"); fail "files changed: $*"; }
}

case $CASE in
e2e)
    # The response holds only the new signature; merge drops identical duplicates and keeps order.
    [[ $(jq '.signatures | length' r2.a.sig) == 1 ]] || fail "a response holds more than its one signature"
    expect 0 otasign bundle merge --manifest r2.json -o r2.json.sig r2.a.sig r2.b.sig
    grep -q "2 kept, 0 added, 2 identical duplicates dropped" err || { cat err; fail "duplicates not dropped"; }
    # Each ledger holds both releases, signed there once each.
    expect 0 otasign ledger list --ledger ledger-a --json
    [[ $(jq length out) == 2 && $(jq -r '.[1].version' out) == 1.5.0 && $(jq '.[1].signatures | length' out) == 1 ]] \
        || { cat out; fail "ledger list"; }
    # The request decodes to what the pipeline packed.
    expect 0 otasign request show r2.req --json
    [[ $(jq -r .manifest.sha256 out) == $(otasign digest r2.json | cut -d: -f2) && $(jq -r .previous.release.version out) == 1.4.0 \
       && $(jq -r .pipeline.identity out) == ci/r2 && $(jq -r .policySha256 out) == "$(jq -r .policySha256 r2.req)" ]] \
        || { cat out; fail "request show --json"; }
    # Each response is recorded at the position it commits to in its own workstation's log.
    expect 0 otasign evidence verify ledger-a/evidence.log.jsonl --bundle r1.a.sig --bundle r2.a.sig
    expect 0 otasign evidence verify ledger-b/evidence.log.jsonl --bundle r2.b.sig
    expect 0 otasign ledger show --ledger ledger-b "sha256:$(jq -r .manifest.sha256 r2.req)"
    [[ $(jq -r .manifest.release.version out) == 1.5.0 ]] || fail "ledger show"
    expect 0 otasign ledger status --ledger ledger-a --expiring-within 90 --json
    [[ $(jq length out) == 1 && $(jq -r '.[0].version' out) == 1.5.0 ]] || { cat out; fail "status lists the last release"; }
    expect 0 otasign ledger status --ledger ledger-a --expiring-within 7 --json
    [[ $(jq length out) == 0 ]] || fail "status lists a release far from expiry"

    # The fake-previous attack: r3 widens the rollout to 100 %; the pipeline hides it behind a
    # forged previous r2 at 100 %. Refused unless the operator accepts the mismatch by name.
    make r3 1.6.0 41 100 --previous r2.json
    jq '.rollout = {percentage: 100}' r2.json > fake-r2.json
    expect 0 otasign request create r3.json --previous fake-r2.json --policy policy.json -o r3.req
    nothing_written 5 sign_req a r3.req r3.a.sig
    grep -q "ledger-previous-mismatch" err || fail "mismatch not named"
    # The review is against the ledger's r2: the widened rollout shows as the risk it is.
    expect 0 otasign sign --request r3.req "${MOD[@]}" --key "$KEY_A" --ledger ledger-a --response r3.a.sig \
        --policy policy.json --approve "$(jq -r '"sha256:" + .manifest.sha256' r3.req)" --pin-source file:pin \
        --accept-risk ledger-previous-mismatch $(otasign diff r2.json r3.json --json | jq -r '.diff.risks[] | select(.severity == "high") | "--accept-risk\n" + .code')
    grep -q "MISMATCH" err && grep -q "the ledger's is eos-2026.11-r1 1.5.0" err || { cat err; fail "both previous releases not shown"; }
    grep -q "rollout-jump: rollout jumps from 25% to 100%" err || { cat err; fail "the widening hidden by the fake previous is not shown"; }
    payload=$(jq -r '.signatures[0].payload' r3.a.sig | base64 -d)
    [[ $(jq -r '.approval.acceptedRisks | index("ledger-previous-mismatch")' <<<"$payload") != null ]] || fail "acceptance not in the statement"
    [[ $(jq -r .previousManifest.sha256 <<<"$payload") == $(otasign digest r2.json | cut -d: -f2) ]] \
        || fail "the statement does not bind the ledger's previous"

    # Ledger regressions: a lower rollback index, a version not above the channel's last.
    make low-rb 1.7.0 40 100
    expect 1 otasign request create low-rb.json --previous r3.json -o low-rb.req  # the pipeline refuses too
    otasign request create low-rb.json -o low-rb.req >/dev/null
    nothing_written 1 sign_req a low-rb.req low-rb.a.sig
    grep -q "below 41, the highest this workstation's ledger holds" err || { cat err; fail "rollback regression"; }
    make old-v 1.5.5 41 25
    otasign request create old-v.json -o old-v.req >/dev/null
    nothing_written 1 sign_req a old-v.req old-v.a.sig
    grep -q "is not above eos-2026.11-r1 1.6.0" err || { cat err; fail "version regression"; }
    # The same key twice on one manifest: refused; another key is a co-signature.
    nothing_written 1 sign_req a r2.req r2.again.sig
    grep -q "on this workstation already" err || fail "same key twice"

    # A new workstation seeded from verified releases gets the same protection.
    expect 0 otasign ledger import --ledger ledger-c r2.json r2.json.sig --policy policy.json
    expect 1 otasign ledger import --ledger ledger-c r3.json r3.a.sig --policy policy.json
    nothing_written 5 otasign sign --request r3.req "${MOD[@]}" --key "$KEY_B" --ledger ledger-c --response r3.c.sig \
        --policy policy.json --approve "$(jq -r '"sha256:" + .manifest.sha256' r3.req)" --pin-source file:pin
    grep -q "ledger-previous-mismatch" err || { cat err; fail "imported ledger: no mismatch"; }
    ;;
request-tampered)
    # Manifest bytes swapped under the request's digest.
    jq --arg c "$(otasign canonicalize r1.json | base64 -w0)" '.manifest.canonical = $c' r2.req > bad.req
    nothing_written 3 sign_req a bad.req bad.sig
    grep -q "the request says" err || { cat err; fail "tampered manifest bytes"; }
    ;;
request-noncanonical)
    # The right digest of bytes that are not canonical: refused, since they are not what is signed.
    pretty=$(jq . r2.json)
    jq --arg c "$(printf '%s' "$pretty" | base64 -w0)" --arg d "$(printf '%s' "$pretty" | sha256sum | cut -d' ' -f1)" \
        --argjson n "$(printf '%s' "$pretty" | wc -c)" '.manifest = {sha256: $d, size: $n, canonical: $c}' r2.req > bad.req
    nothing_written 3 sign_req a bad.req bad.sig
    grep -q "not in RFC 8785 canonical form" err || { cat err; fail "canonical form"; }
    ;;
request-unknown-member)
    jq '.approved = true' r2.req > bad.req
    nothing_written 3 sign_req a bad.req bad.sig
    ;;
request-policy-mismatch)
    cp policy.json other.json
    otasign policy threshold other.json --role manifest 1 >/dev/null
    make r3 1.6.0 41 25 --previous r2.json
    otasign request create r3.json --previous r2.json --policy other.json -o r3.req >/dev/null
    nothing_written 1 sign_req a r3.req r3.a.sig
    grep -q "expects the trust policy" err || { cat err; fail "policy mismatch"; }
    ;;
request-declined)
    make r3 1.6.0 41 25 --previous r2.json
    otasign request create r3.json --previous r2.json -o r3.req >/dev/null
    nothing_written 5 otasign sign --request r3.req "${MOD[@]}" --key "$KEY_A" --ledger ledger-a \
        --approve "sha256:$ZEROS" --pin-source file:pin
    ;;
response-exists)
    make r3 1.6.0 41 25 --previous r2.json
    otasign request create r3.json --previous r2.json -o r3.req >/dev/null
    nothing_written 3 sign_req a r3.req r2.a.sig
    ;;
ledger-tampered)
    # A ledger copy edited behind otasign's back: refused before anything is signed.
    make r3 1.6.0 41 25 --previous r2.json
    otasign request create r3.json --previous r2.json -o r3.req >/dev/null
    f=$(ls ledger-a/manifests/*.json | head -1)
    chmod u+w "$f"; jq -c '.rollbackIndex = 1' "$f" | tr -d '\n' > t && cat t > "$f" && rm t
    nothing_written 1 sign_req a r3.req r3.a.sig
    grep -q "not the digest it is filed under" err || { cat err; fail "tampered ledger"; }
    ;;
merge-other-manifest)
    cp r2.json.sig keep.sig
    nothing_written 1 otasign bundle merge --manifest r2.json --policy policy.json -o r2.json.sig r1.a.sig
    grep -q "belongs to another manifest" err || { cat err; fail "foreign response"; }
    ;;
merge-outside-policy)
    # Signed by a key that is not in the policy's manifest role (p384 on A's token).
    make r3 1.6.0 41 25 --previous r2.json
    otasign request create r3.json --previous r2.json -o r3.req >/dev/null
    expect 0 otasign sign --request r3.req "${MOD[@]}" --key "$(key_uri p384)" --ledger ledger-x --response x.sig \
        --approve "$(otasign digest r3.json)" --pin-source file:pin
    nothing_written 1 otasign bundle merge --manifest r3.json --policy policy.json -o r3.json.sig x.sig
    [[ ! -e r3.json.sig ]] || fail "a refused merge wrote a bundle"
    ;;
merge-tampered)
    # A response whose statement was edited: its signature no longer verifies.
    jq -c '.signatures[0].payload |= (@base64d | fromjson | .approval.operator = "mallory" | tojson | @base64)' r2.a.sig > bad.sig
    nothing_written 1 otasign bundle merge --manifest r2.json -o new.sig bad.sig
    [[ ! -e new.sig ]] || fail "merge wrote a bundle with a forged signature"
    ;;
plain-sign-ledger)
    # `sign MANIFEST` (no request) answers to the same ledger: regressions refused, the ledger's
    # last release is the base of the diff, an operator's --previous that is not the ledger's is
    # the high risk ledger-previous-mismatch, and what is signed is recorded.
    make old-v 1.4.5 41 25
    nothing_written 1 sign_approved old-v.json p256 alice --ledger ledger-a
    grep -q "is not above eos-2026.11-r1 1.5.0" err || { cat err; fail "plain sign: version regression"; }
    make low-rb 1.8.0 40 25
    nothing_written 1 sign_approved low-rb.json p256 alice --ledger ledger-a
    grep -q "below 41, the highest this workstation's ledger holds" err || { cat err; fail "plain sign: rollback regression"; }
    # No --previous: the ledger's r2 is the base, and the statement binds it.
    make r3 1.6.0 41 25 --previous r2.json
    expect 0 sign_approved r3.json p256 alice --ledger ledger-a
    grep -q "base        the ledger's last release in stable" err || { cat err; fail "plain sign: base not the ledger's"; }
    [[ $(jq -r '.signatures[0].payload' r3.json.sig | base64 -d | jq -r .previousManifest.sha256) == $(otasign digest r2.json | cut -d: -f2) ]] \
        || fail "plain sign: the statement does not bind the ledger's previous"
    expect 0 otasign ledger list --ledger ledger-a --json
    [[ $(jq length out) == 3 && $(jq -r '.[2].version' out) == 1.6.0 ]] || { cat out; fail "plain sign: not recorded in the ledger"; }
    # A forged --previous hiding a widened rollout: refused unless accepted by name.
    make r4 1.7.0 41 100 --previous r3.json
    jq '.rollout = {percentage: 100}' r3.json > fake-r3.json
    nothing_written 5 sign_approved r4.json p256 alice --ledger ledger-a --previous fake-r3.json \
        $(otasign diff r3.json r4.json --json | jq -r '.diff.risks[] | select(.severity == "high") | "--accept-risk\n" + .code')
    grep -q "the high risk ledger-previous-mismatch was not accepted" err || { cat err; fail "plain sign: mismatch not raised"; }
    expect 0 sign_approved r4.json p256 alice --ledger ledger-a --previous fake-r3.json --accept-risk ledger-previous-mismatch \
        $(otasign diff r3.json r4.json --json | jq -r '.diff.risks[] | select(.severity == "high") | "--accept-risk\n" + .code')
    grep -q "rollout-jump: rollout jumps from 25% to 100%" err || { cat err; fail "plain sign: the widening is not shown"; }
    ;;
*) fail "unknown case $CASE" ;;
esac
echo "airgap $CASE: all checks passed"
