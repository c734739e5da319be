#!/usr/bin/env bash
# The attested sign through Yubico's ykcs11 instead of OpenSC: the key URI comes from
# `otasign key list`, the evidence and the attestation requirement work the same way.
source "$(dirname "$0")/lib.sh"
cd "$WORK"
MODULE=/usr/lib/x86_64-linux-gnu/libykcs11.so
[[ -r $MODULE ]] || { echo "SKIP: $MODULE not installed" >&2; exit 77; }
cp "$OTASIGN_SOURCE_DIR/schemas/examples/release-1.json" "$OTASIGN_SOURCE_DIR/schemas/examples/release-2.json" .
pin=$(secret 123456)

key_id=$("$B" key generate --slot 9c --algorithm ECCP256 --pin-policy always --touch-policy always --pin-source "$pin" 2>/dev/null) \
    || fail "generate 9c"
list=$("$B" key list --module "$MODULE") || fail "key list: $list"
# The URI key list prints just before the line with the 9c key's id.
uri=$(awk -v id="$key_id" '$1 == "uri:" { u = $2 } $1 == "key" && $2 == "id:" && $3 == id { print u; exit }' <<<"$list")
[[ -n $uri ]] || fail "no URI for the 9c key $key_id in: $list"

"$B" key export --key "$uri" --module "$MODULE" -o card.pub.pem >/dev/null || fail "key export $uri"
[[ $(openssl pkey -pubin -in card.pub.pem -outform DER | sha256sum | cut -d' ' -f1) == "$key_id" ]] || fail "exported key is not 9c"
"$B" policy init policy.json >/dev/null && "$B" policy add-key policy.json --role manifest --public-key card.pub.pem >/dev/null \
    && "$B" policy require-attestation policy.json --role manifest "${ROOT_ARGS[@]}" >/dev/null || fail "policy"

digest=$("$B" digest release-2.json) || fail "digest"
"$B" sign release-2.json --previous release-1.json --policy policy.json --key "$uri" --module "$MODULE" \
    --approve "$digest" --accept-risk channel-widened --pin-source "$pin" --operator tester > out 2> err || { cat err >&2; fail "sign via ykcs11"; }
grep -q "Touch the key now" err || { cat err >&2; fail "no touch prompt"; }
piv=$(jq -r '.signatures[0].payload' release-2.json.sig | base64 -d | jq -c .approval.piv)
[[ $(jq -r .slot <<<"$piv") == 9c && $(jq -r .origin <<<"$piv") == generated ]] || fail "PIV evidence: $piv"
out=$("$B" verify release-2.json --policy policy.json --json) || fail "verify: $out"
[[ $(jq -r '.signatures[0].attestation.ok' <<<"$out") == true ]] || fail "attestation: $out"
echo "sign_ykcs11: all checks passed"
