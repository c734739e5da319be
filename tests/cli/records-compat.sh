#!/usr/bin/env bash
# Nothing that worked before is lost: a bundle and an evidence log written before statement
# version 2 (tests/cli/fixtures/v1) still verify, and a co-signature extends them with a
# version-2 signature and entry.
source "$(dirname "$0")/common.sh"

NOW=(--now 2026-12-01T00:00:00Z)
cp "$OTASIGN_SOURCE_DIR"/tests/cli/fixtures/v1/{release-2.json.sig,evidence.log.jsonl} .
fixture="$OTASIGN_SOURCE_DIR/tests/cli/fixtures/v1"
[[ $(jq -r '.signatures[0].payload | @base64d | fromjson | .statementVersion' release-2.json.sig) == 1 ]] ||
    fail "the fixture is not version 1"

otasign policy init policy.json >/dev/null
otasign policy add-key policy.json --role manifest --public-key "$fixture/p256.pem" --name alice >/dev/null
otasign policy add-key policy.json --role manifest --public-key "$fixture/p384.pem" --name bob >/dev/null
otasign policy add-key policy.json --role manifest --public-key p256-auth.pem --name dave >/dev/null
expect 0 otasign policy threshold policy.json --role manifest 2
expect 0 otasign verify release-2.json --policy policy.json "${NOW[@]}" --previous release-1.json
expect 0 otasign evidence verify evidence.log.jsonl --policy policy.json --bundle release-2.json.sig
grep -q "2 version-1 signatures commit to no entry" out || fail "version-1 signatures not reported as unchecked"
expect 0 otasign evidence show evidence.log.jsonl --index 0
grep -q "entry version   1" out && grep -q "recorded" out || fail "evidence show: version-1 entry"

# a third signer extends the version-1 bundle and log with version 2
expect 0 sign_approved release-2.json p256-auth dave --previous release-1.json --policy policy.json --accept-risk channel-widened
[[ $(jq -r '.signatures[2].payload | @base64d | fromjson | .log.index' release-2.json.sig) == 2 ]] ||
    fail "the co-signature does not commit to entry 2"
[[ $(tail -1 evidence.log.jsonl | jq -r .entryVersion) == 2 ]] || fail "the new entry is not version 2"
expect 0 otasign evidence verify evidence.log.jsonl --policy policy.json --bundle release-2.json.sig
grep -q "1 signature found at the entry it commits to; 2 version-1" out || fail "mixed bundle report"
expect 0 otasign verify release-2.json --policy policy.json "${NOW[@]}" --previous release-1.json
# an unsigned field of a version-1 entry can still be edited undetected: that is why version 2
# exists; the edit must not, however, pass once a version-2 entry follows (its prev breaks)
sed '1s/"recorded":"[^"]*"/"recorded":"2000-01-01T00:00:00Z"/' evidence.log.jsonl > e.jsonl
rechain e.jsonl edited.jsonl
expect 1 otasign evidence verify edited.jsonl
grep -q "edited.jsonl:3: prev" err || fail "an edit before a version-2 entry is not caught by its signed prev"
echo "PASS: version-1 bundles and logs verify and are extended with version 2"
