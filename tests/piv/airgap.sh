#!/usr/bin/env bash
# Issue 10 on the virtual PIV card: workstation A signs signing requests with a card key (through
# Yubico's ykcs11), workstation B with a SoftHSM key, each with its own ledger; the responses are
# merged and verify at threshold 2. A's ledger then refuses a regression and, without explicit
# acceptance, a request whose previous release is not the ledger's.
source "$(dirname "$0")/lib.sh"
cd "$WORK"
MODULE=/usr/lib/x86_64-linux-gnu/libykcs11.so
[[ -r $MODULE ]] || { echo "SKIP: $MODULE not installed" >&2; exit 77; }
# shellcheck source=../lib/softhsm.sh
source "$OTASIGN_SOURCE_DIR/tests/lib/softhsm.sh"
softhsm_available || { echo "SKIP: SoftHSM2 is not installed" >&2; exit 77; }
softhsm_config "$WORK/hsm" && softhsm_token_add "$SOFTHSM_LABEL" && softhsm_keygen p256 01 EC:secp256r1 \
    || fail "SoftHSM token"
cp "$OTASIGN_SOURCE_DIR/schemas/examples/release-1.json" "$OTASIGN_SOURCE_DIR/schemas/examples/release-2.json" .
pin=$(secret 123456)
printf '%s\n' "$SOFTHSM_USER_PIN" > hsm-pin && chmod 600 hsm-pin

key_id=$("$B" key generate --slot 9c --algorithm ECCP256 --pin-policy always --touch-policy always --pin-source "$pin" 2>/dev/null) \
    || fail "generate 9c"
list=$("$B" key list --module "$MODULE") || fail "key list: $list"
CARD=$(awk -v id="$key_id" '$1 == "uri:" { u = $2 } $1 == "key" && $2 == "id:" && $3 == id { print u; exit }' <<<"$list")
[[ -n $CARD ]] || fail "no URI for the 9c key $key_id in: $list"
HSM="pkcs11:token=$SOFTHSM_LABEL;object=p256"
"$B" key export --key "$CARD" --module "$MODULE" -o card.pem >/dev/null || fail "export card key"
"$B" key export --key "$HSM" --module "$SOFTHSM_MODULE" -o hsm.pem >/dev/null || fail "export SoftHSM key"
"$B" policy init policy.json >/dev/null && "$B" policy add-key policy.json --role manifest --public-key card.pem >/dev/null \
    && "$B" policy add-key policy.json --role manifest --public-key hsm.pem >/dev/null \
    && "$B" policy threshold policy.json --role manifest 2 >/dev/null || fail "policy"

# sign_on WS REQ OUT [extra]: A is the card, B the SoftHSM token; each has its own ledger.
sign_on() {
    local ws=$1 req=$2 out=$3; shift 3
    local args=(--key "$CARD" --module "$MODULE" --pin-source "$pin")
    [[ $ws == b ]] && args=(--key "$HSM" --module "$SOFTHSM_MODULE" --pin-source file:hsm-pin)
    "$B" sign --request "$req" "${args[@]}" --ledger "ledger-$ws" --response "$out" --policy policy.json \
        --approve "sha256:$(jq -r .manifest.sha256 "$req")" --operator "op-$ws" "$@" > out 2> err
}
for r in 1 2; do
    prev=() risks=()
    [[ $r == 2 ]] && prev=(--previous release-1.json) && risks=(--accept-risk channel-widened)
    "$B" request create "release-$r.json" "${prev[@]}" --policy policy.json --pipeline ci -o "r$r.req" >/dev/null || fail "request $r"
    sign_on a "r$r.req" "r$r.a.sig" "${risks[@]}" || { cat err >&2; fail "release $r on the card"; }
    sign_on b "r$r.req" "r$r.b.sig" "${risks[@]}" || { cat err >&2; fail "release $r on SoftHSM"; }
    "$B" bundle merge --manifest "release-$r.json" --policy policy.json -o "release-$r.json.sig" "r$r.a.sig" "r$r.b.sig" >/dev/null 2>&1 \
        || fail "merge $r"
    "$B" verify "release-$r.json" "${prev[@]}" --policy policy.json > out 2>&1 || { cat out >&2; fail "verify $r at threshold 2"; }
done
piv=$(jq -r '.signatures[0].payload' r2.a.sig | base64 -d | jq -r .approval.piv.slot)
[[ $piv == 9c ]] || fail "the card's response carries no PIV evidence"

snap() { find ledger-a -type f ! -name '*.lock' -print0 | sort -z | xargs -0 sha256sum; }
before=$(snap)
# A version not above the ledger's last in the channel: refused, nothing written.
jq '.release.version = "1.4.9"' release-2.json > old.json
"$B" request create old.json -o old.req >/dev/null || fail "request old"
expect_rc 1 sign_on a old.req old.a.sig
# The pipeline claims release-1 as the previous of a stable 1.6.0; the ledger's is release-2.
jq '.release.version = "1.6.0"' release-2.json > r3.json
"$B" request create r3.json --previous release-1.json -o r3.req >/dev/null || fail "request r3"
expect_rc 5 sign_on a r3.req r3.a.sig
grep -q "ledger-previous-mismatch" err || { cat err >&2; fail "mismatch not raised"; }
[[ $(snap) == "$before" ]] || fail "a refused request changed the ledger"
[[ ! -e old.a.sig && ! -e r3.a.sig ]] || fail "a refused request wrote a response"
sign_on a r3.req r3.a.sig --accept-risk ledger-previous-mismatch || { cat err >&2; fail "accepted mismatch"; }
echo "piv airgap: all checks passed"
