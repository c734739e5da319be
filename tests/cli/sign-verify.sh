#!/usr/bin/env bash
# Sign, co-sign and verify round trips against SoftHSM: thresholds, roles, tampering, reformatted
# manifests, rollback, expiry, artifacts, the evidence log and verify --json.
source "$(dirname "$0")/common.sh"

NOW=(--now 2026-12-01T00:00:00Z)

# --- policy: manifest role alice (p256) + bob (p384), release role rel (rsa2048)
expect 0 otasign policy init policy.json
expect 3 otasign policy init policy.json   # never overwrites
expect 0 otasign policy add-key policy.json --role manifest --public-key p256.pem --name alice
expect 0 otasign policy add-key policy.json --role manifest --public-key p384.pem --name bob
expect 0 otasign policy add-key policy.json --role release --public-key rsa2048.pem --name rel
# duplicate key in both roles -> refused; a hand-made policy with it is invalid (exit 3)
expect 3 otasign policy add-key policy.json --role release --public-key p256.pem --name again
grep -q "distinct keys" err || fail "no hint about distinct authorities"
jq '.roles.release.keys += [.roles.manifest.keys[0]]' policy.json > both-roles.json
expect 3 otasign policy show both-roles.json
grep -q "both the manifest and the release role" err || fail "both-roles policy: unclear error"
expect 3 otasign policy threshold policy.json --role manifest 3   # more than its keys
expect 0 otasign policy show policy.json

# --- 1-of-2: alice signs release-2 (previous release-1)
expect 0 sign_approved release-2.json p256 alice --previous release-1.json --policy policy.json --accept-risk channel-widened
[[ -f release-2.json.sig && -f evidence.log.jsonl ]] || fail "sign wrote no bundle or no log"
expect 0 otasign verify release-2.json --policy policy.json "${NOW[@]}"

# --- shown.diffSha256 is the diff recomputed as SIGNATURE-FORMAT.md section 3 says (issue 15,
# gap 12): PREV and M at approval.time, with the policy's maxExpiryDays (90 without one)
st=$(jq -r '.signatures[0].payload | @base64d' release-2.json.sig)
at=$(jq -r .approval.time <<<"$st")
days=$(jq -r '.options.maxExpiryDays // 90' policy.json)
expect 0 otasign diff release-1.json release-2.json --json --at "$at" --max-expiry-days "$days"
jq .diff out > shown-diff.json
[[ $(otasign digest shown-diff.json) == "sha256:$(jq -r .shown.diffSha256 <<<"$st")" ]] ||
    fail "shown.diffSha256 is not the diff recomputed from approval.time and maxExpiryDays"
# the settings are part of what was shown: another maxExpiryDays gives another digest
expect 0 otasign diff release-1.json release-2.json --json --at "$at" --max-expiry-days 1
jq .diff out > other-diff.json
[[ $(otasign digest other-diff.json) != "$(otasign digest shown-diff.json)" ]] ||
    fail "the diff digest does not depend on maxExpiryDays"

# --- 2-of-2: one signature is not enough, a co-signature by bob is
expect 0 otasign policy threshold policy.json --role manifest 2
expect 1 otasign verify release-2.json --policy policy.json "${NOW[@]}"
grep -q "FAIL  threshold" out || fail "threshold failure not reported"
cp release-2.json.sig one.sig
expect 0 sign_approved release-2.json p384 bob --previous release-1.json --policy policy.json --accept-risk channel-widened
n=$(($(stat -c%s one.sig) - 4))
cmp -s <(head -c "$n" one.sig) <(head -c "$n" release-2.json.sig) || fail "co-signing rewrote the earlier signature"
[[ $(jq '.signatures | length' release-2.json.sig) == 2 ]] || fail "co-sign did not append"
expect 0 otasign verify release-2.json --policy policy.json "${NOW[@]}" --previous release-1.json

# --- two signatures by one key count once
jq '.signatures = [.signatures[0], .signatures[0]]' release-2.json.sig > same-key.sig
expect 1 otasign verify release-2.json --policy policy.json --signature same-key.sig "${NOW[@]}"
# ... also when the copy claims another key id
jq --arg k "$(jq -r '.signatures[1].keyid' release-2.json.sig)" \
   '.signatures = [.signatures[0], (.signatures[0] | .keyid = $k)]' release-2.json.sig > two-ids.sig
expect 1 otasign verify release-2.json --policy policy.json --signature two-ids.sig "${NOW[@]}"

# --- same key signing twice is refused, files untouched
before=$(snapshot)
expect 1 sign_approved release-2.json p256 alice --policy policy.json
grep -q "already by this key" err || fail "same-key co-sign: unclear error"
[[ $(snapshot) == "$before" ]] || fail "a refused co-sign changed files"

# --- a reformatted but equivalent manifest still verifies
jq -S . release-2.json > reformatted.json
cp release-2.json.sig reformatted.json.sig
expect 0 otasign verify reformatted.json --policy policy.json "${NOW[@]}"

# --- a tampered manifest fails (exit 1)
jq '.eligibility.regions += ["US"]' release-2.json > tampered.json
cp release-2.json.sig tampered.json.sig
expect 1 otasign verify tampered.json --policy policy.json "${NOW[@]}"

# --- tampered evidence inside the bundle fails (exit 1)
jq '.signatures[0].payload |= (@base64d | sub("\"operator\":\"alice\""; "\"operator\":\"mallory\"") | @base64)' \
   release-2.json.sig > evil.sig
[[ $(jq -r '.signatures[0].payload' evil.sig) != $(jq -r '.signatures[0].payload' release-2.json.sig) ]] || fail "tamper did nothing"
expect 1 otasign verify release-2.json --policy policy.json --signature evil.sig "${NOW[@]}"
# a malformed bundle is exit 3, with file:line:column and pointer
printf '{"mediaType":"application/vnd.enigm.otasign.bundle+json;version=1","signatures":[{"payload":1}]}\n' > bad.sig
expect 3 otasign verify release-2.json --policy policy.json --signature bad.sig
grep -q "bad.sig:1:" err && grep -q "/signatures/0" err || fail "malformed bundle error lacks position or pointer"

# --- wrong role: a release key cannot sign for the manifest role
expect 1 sign_approved release-2.json rsa2048 rel --policy policy.json --signature rel.sig
grep -q "not a key of the manifest role" err || fail "wrong-role refusal unclear"
[[ ! -e rel.sig ]] || fail "wrong-role sign wrote a bundle"
expect 0 sign_approved release-2.json rsa2048 rel --signature rel.sig
expect 1 otasign verify release-2.json --policy policy.json --signature rel.sig "${NOW[@]}"
expect 0 otasign verify release-2.json --policy policy.json --signature rel.sig --role release "${NOW[@]}"
grep -q "not counted" <(otasign verify release-2.json --policy policy.json --signature rel.sig "${NOW[@]}" || true) \
    || fail "a release-role signature is not reported as not counted for the manifest role"
# a bundle carrying both authorities' signatures passes for each role (2-of-2 manifest, 1-of-1 release)
jq --slurpfile r rel.sig '.signatures += $r[0].signatures' release-2.json.sig > both.sig
expect 0 otasign verify release-2.json --policy policy.json --signature both.sig "${NOW[@]}"
expect 0 otasign verify release-2.json --policy policy.json --signature both.sig --role release "${NOW[@]}"

# --- the always-authenticate key (like PIV 9c) signs too
expect 0 sign_approved release-1.json p256-auth dave --signature r1-auth.sig --evidence-log auth.log
grep -q . r1-auth.sig || fail "no bundle from the always-authenticate key"

# --- rollback and expiry
expect 0 otasign verify release-2.json --policy policy.json "${NOW[@]}" --min-rollback-index 42
expect 1 otasign verify release-2.json --policy policy.json "${NOW[@]}" --min-rollback-index 43
grep -q "FAIL  rollback" out || fail "rollback failure not reported"
expect 1 otasign verify release-2.json --policy policy.json --now 2027-03-01T00:00:00Z
grep -q "FAIL  expiry" out || fail "expiry failure not reported"
cp r1-auth.sig release-1.json.sig
expect 1 otasign verify release-1.json --policy policy.json "${NOW[@]}" --previous release-2.json
grep -q "FAIL  rollback: rollbackIndex 41 is below 42" out || fail "rollback against --previous not reported"

# --- artifacts: a manifest over real files
mkdir -p art/images
head -c 100000 /dev/urandom > art/images/system.img
head -c 5000 /dev/urandom > art/images/boot.img
jq --arg s1 "$(sha256sum < art/images/system.img | cut -d' ' -f1)" \
   --arg s5 "$(sha512sum < art/images/system.img | cut -d' ' -f1)" \
   --arg s2 "$(sha256sum < art/images/boot.img | cut -d' ' -f1)" \
   '.artifacts = [{"path":"images/system.img","role":"system-image","size":100000,"sha256":$s1,"sha512":$s5},
                  {"path":"images/boot.img","role":"boot-image","size":5000,"sha256":$s2}]' release-2.json > small.json
expect 0 otasign policy threshold policy.json --role manifest 1
expect 0 sign_approved small.json p256 alice --evidence-log small.log
expect 0 otasign verify small.json --policy policy.json "${NOW[@]}" --artifacts art
printf 'x' | dd of=art/images/boot.img bs=1 seek=10 conv=notrunc 2>/dev/null
expect 1 otasign verify small.json --policy policy.json "${NOW[@]}" --artifacts art
grep -q "images/boot.img: sha256" out || fail "artifact hash mismatch not named"
rm art/images/system.img
expect 1 otasign verify small.json --policy policy.json "${NOW[@]}" --artifacts art

# --- verify --json shape
expect 1 otasign verify small.json --policy policy.json "${NOW[@]}" --artifacts art --json
jq -e '.ok == false and (.checks | map(.name) == ["signatures","threshold","previous-binding","version",
         "rollback","channel-sequence","freshness","expiry","validity","artifacts"])
       and (.checks | map(.status) == ["pass","pass","skipped","skipped","skipped","skipped","pass","pass",
         "skipped","fail"])
       and (.checks[9].items | length == 2) and (.signatures[0].ok == true)
       and (.signatures[0].keyName == "alice") and (.manifest.sha256 | test("^[0-9a-f]{64}$"))' out >/dev/null \
    || { cat out; fail "verify --json shape"; }
expect 0 otasign verify release-2.json --policy policy.json "${NOW[@]}" --json
jq -e '.ok == true and (.signatures | length == 2) and all(.signatures[]; .ok)
       and all(.signatures[]; .statementVersion == 2)
       and (.signatures | map(.logPosition.index) == [0, 1])
       and (.signatures[0].logPosition.bundlePath == "release-2.json.sig")' out >/dev/null || { cat out; fail "verify --json ok shape (log positions)"; }

# --- evidence log: chain and signatures verify; show for an auditor; a changed line fails
expect 0 otasign evidence verify evidence.log.jsonl --policy policy.json
[[ $(wc -l < evidence.log.jsonl) == 3 ]] || fail "expected 3 evidence lines (alice, bob, rel)"
[[ $(head -1 evidence.log.jsonl | jq -r .prev) == "$(printf '0%.0s' {1..64})" ]] || fail "genesis prev is not 64 zeros"
expect 0 otasign evidence show evidence.log.jsonl --index 1
grep -q "operator        bob" out && grep -q "shown text" out || fail "evidence show lacks operator or shown digest"
expect 0 otasign evidence show evidence.log.jsonl --json
jq -e '.entries | length == 3 and all(.[]; .signatureVerifies)' out >/dev/null || fail "evidence show --json"
sed '1s/"manifestPath":"release-2.json"/"manifestPath":"release-9.json"/' evidence.log.jsonl > changed.jsonl
cmp -s changed.jsonl evidence.log.jsonl && fail "log tamper did nothing"
expect 1 otasign evidence verify changed.jsonl
sed '2d' evidence.log.jsonl > removed.jsonl
expect 1 otasign evidence verify removed.jsonl
# evidence inside an entry changed and the line re-chained: the signature catches it
{
    prev_line=$(head -1 evidence.log.jsonl | jq -cS '.signature.payload |= (@base64d | sub("\"operator\":\"alice\""; "\"operator\":\"eve\"") | @base64)')
    printf '%s\n' "$prev_line"
    tail -n +2 evidence.log.jsonl | while IFS= read -r line; do
        prev_line=$(jq -cS --arg p "$(printf '%s' "$prev_line" | sha256sum | cut -d' ' -f1)" '.prev = $p' <<<"$line")
        printf '%s\n' "$prev_line"
    done
} > rechained.jsonl
expect 1 otasign evidence verify rechained.jsonl
grep -q "rechained.jsonl:1: .*does not verify" err || { cat err; fail "re-chained tampered entry not caught by its signature"; }
# sign refuses to append to a broken chain, and writes nothing
before=$(snapshot)
expect 1 sign_approved release-1.json p384 bob --signature r1-bob.sig --evidence-log changed.jsonl
[[ $(snapshot) == "$before" ]] || fail "sign with a broken log changed files"
echo "PASS: sign/co-sign/verify round trips, thresholds, roles, tampering, rollback, expiry, artifacts, evidence"
