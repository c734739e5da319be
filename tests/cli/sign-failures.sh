#!/usr/bin/env bash
# A failed or refused sign leaves every file exactly as it was: wrong PIN (4), wrong --approve
# digest (5), no terminal and no --approve (2, usage), unwritable evidence log, a bundle of another
# manifest (1), an expired manifest (1), an unaccepted high risk (5) or a named risk the review
# did not raise (2), malformed input (3).
source "$(dirname "$0")/common.sh"

# Some history first, so "unchanged" covers existing files too.
expect 0 sign_approved release-1.json p256 alice
[[ -f release-1.json.sig && -f evidence.log.jsonl ]] || fail "setup sign wrote nothing"

# --- wrong PIN: exit 4, files untouched
printf '000000\n' > badpin; chmod 600 badpin
before=$(snapshot)
expect 4 otasign sign release-2.json "${MOD[@]}" --key "$(key_uri p256)" --approve "$(otasign digest release-2.json)" \
    --pin-source file:badpin --operator alice
grep -qi "pin" err || fail "wrong PIN: error does not mention the PIN"
[[ $(snapshot) == "$before" ]] || fail "a wrong PIN changed files"

# --- wrong --approve digest: exit 5, nothing written, the summary was still shown on stderr
expect 5 otasign sign release-2.json "${MOD[@]}" --key "$(key_uri p256)" --approve "sha256:$(printf 'ab%.0s' {1..32})" \
    --pin-source file:pin --operator alice
grep -q "Canonical digest" err || fail "non-interactive sign did not print the summary and digest to stderr"
[[ $(snapshot) == "$before" ]] || fail "a wrong --approve digest changed files"
expect 2 otasign sign release-2.json "${MOD[@]}" --key "$(key_uri p256)" --approve "deadbeef" --pin-source file:pin

# --- no terminal and no --approve: a usage error (exit 2; nobody declined) with a hint
expect 2 setsid -w "$OTASIGN_BIN" sign release-2.json "${MOD[@]}" --key "$(key_uri p256)" --pin-source file:pin --operator alice </dev/null
grep -q "no terminal" err && grep -q -- "--approve" err || fail "no-terminal error lacks the hint"
[[ $(snapshot) == "$before" ]] || fail "a sign without approval changed files"

# --- the evidence log cannot be written: no bundle appears, the log stays as it was
printf 'x' > notadir
before=$(snapshot)
expect 6 sign_approved release-2.json p256 alice --evidence-log notadir/evidence.jsonl
[[ ! -e release-2.json.sig ]] || fail "bundle written although the log could not be"
[[ $(snapshot) == "$before" ]] || { diff <(echo "$before") <(snapshot); cat err; fail "an unwritable log changed files"; }
if [[ $(id -u) != 0 ]]; then
    mkdir ro && cp evidence.log.jsonl ro/ && chmod 555 ro
    before_ro=$(snapshot)
    expect 6 sign_approved release-2.json p256 alice --evidence-log ro/evidence.log.jsonl
    [[ ! -e release-2.json.sig ]] || fail "bundle written although the read-only log dir refused the log"
    [[ $(snapshot) == "$before_ro" ]] || fail "a read-only log dir changed files"
    chmod 755 ro
fi

# --- an existing bundle for another manifest is refused (exit 1), untouched
before=$(snapshot)
expect 1 sign_approved release-2.json p384 bob --signature release-1.json.sig
grep -q "not this manifest" err || fail "other-manifest bundle: unclear error"
[[ $(snapshot) == "$before" ]] || fail "refusing another manifest's bundle changed files"

# --- malformed manifest: exit 3 naming file:line:column
printf '{"schemaVersion": 1, "schemaVersion": 1}\n' > dup.json
expect 3 sign_approved dup.json p256 alice
grep -q "dup.json:1:" err || fail "malformed manifest error lacks the position"
[[ ! -e dup.json.sig ]] || fail "malformed manifest produced a bundle"

# --- an expired manifest, or one with less than a day left, is refused (exit 1) before the key,
# with --approve and without (the refusal comes before the terminal is needed), nothing written
before=$(snapshot)
jq '.created = "2020-01-01T00:00:00Z" | .expires = "2020-02-01T00:00:00Z" | del(.rollout.start)
    | .rollout.waves = [{"name": "all", "percentage": 50, "start": "2020-01-02T00:00:00Z"}]' \
    release-2.json > expired.json
expect 1 sign_approved expired.json p256 alice
grep -q "expired.json expired at 2020-02-01T00:00:00Z" err || fail "expired manifest: unclear error"
expect 1 setsid -w "$OTASIGN_BIN" sign expired.json "${MOD[@]}" --key "$(key_uri p256)" --pin-source file:pin --operator alice </dev/null
soon=$(date -u -d '+6 hours' +%Y-%m-%dT%H:%M:%SZ)
jq --arg e "$soon" '.created = "2026-01-01T00:00:00Z" | .expires = $e | del(.rollout.start)
    | .rollout.waves = [{"name": "all", "percentage": 50, "start": "2026-01-02T00:00:00Z"}]' \
    release-2.json > soon.json
expect 1 sign_approved soon.json p256 alice
grep -q "less than 24 hours from now" err || fail "manifest expiring within a day: unclear error"
[[ ! -e expired.json.sig && ! -e soon.json.sig ]] || fail "an expiring manifest got a bundle"
rm expired.json soon.json
[[ $(snapshot) == "$before" ]] || fail "refusing an expired manifest changed files"

# --- high risks need their own acceptance with --approve: none named is exit 5, a code the
# review did not raise (even a medium one) exit 2, --accept-risk without --approve exit 2
before=$(snapshot)
expect 5 sign_approved release-2.json p256 alice --previous release-1.json
grep -q "the high risk channel-widened was not accepted" err || fail "unaccepted high risk: unclear error"
grep -q -- "--accept-risk CODE" err || fail "unaccepted high risk: no hint"
for code in rollout-jump version-not-increased '*'; do
    expect 2 sign_approved release-2.json p256 alice --previous release-1.json --accept-risk channel-widened --accept-risk "$code"
    grep -qF -- "--accept-risk $code: this review raises no high risk with that code" err || fail "accepting '$code': unclear error"
done
expect 2 sign_approved release-2.json p256 alice --accept-risk channel-widened
grep -q "raises no high risk at all" err || fail "accepting a risk of a review without high risks: unclear error"
expect 2 otasign sign release-2.json "${MOD[@]}" --key "$(key_uri p256)" --previous release-1.json --accept-risk channel-widened --pin-source file:pin
[[ ! -e release-2.json.sig ]] || fail "an unaccepted high risk produced a bundle"
[[ $(snapshot) == "$before" ]] || fail "refusing an unaccepted high risk changed files"
expect 0 sign_approved release-2.json p256 alice --previous release-1.json --accept-risk channel-widened --signature accepted.sig
accepted=$(jq -r '.signatures[0].payload' accepted.sig | base64 -d | jq -c .approval.acceptedRisks)
[[ $accepted == '["channel-widened"]' ]] || fail "accepted risks not in the signed statement: $accepted"

# --- usage errors in otasign's words (not CLI11's), with the command's --help as the hint
expect 2 otasign
grep -qx "otasign: error: otasign: no command given" err || fail "no command: $(cat err)"
expect 2 otasign sign --key "$(key_uri p256)"
grep -qx "otasign: error: otasign sign: MANIFEST is missing" err || fail "missing MANIFEST: $(cat err)"
grep -qx "otasign: hint: run 'otasign sign --help'" err || fail "missing MANIFEST: no hint"
expect 2 otasign digest release-1.json release-2.json
grep -qx "otasign: error: otasign digest: unexpected argument release-2.json" err || fail "extra argument: $(cat err)"
if grep -qE "is required|not expected|subcommand|\([0-9]+x\)" err; then fail "CLI11's own message leaked: $(cat err)"; fi

# --- a file of the wrong kind is named for what it is (exit 3), not with validator text
expect 3 sign_approved release-2.json p256 alice --policy release-1.json
grep -qx "otasign: error: release-1.json is a release manifest, not a trust policy" err || fail "manifest as policy: $(cat err)"
expect 3 sign_approved release-2.json p256 alice --previous release-1.json.sig
grep -qx "otasign: error: release-1.json.sig is a signature bundle, not a release manifest" err || fail "bundle as previous: $(cat err)"
expect 3 sign_approved evidence.log.jsonl p256 alice
grep -qx "otasign: error: evidence.log.jsonl is an evidence log, not a release manifest" err || fail "log as manifest: $(cat err)"
otasign policy init kinds-policy.json >/dev/null
expect 3 otasign verify release-1.json --policy kinds-policy.json --signature release-2.json
grep -qx "otasign: error: release-2.json is a release manifest, not a signature bundle" err || fail "manifest as bundle: $(cat err)"
expect 3 otasign evidence verify release-2.json --policy kinds-policy.json
grep -qx "otasign: error: release-2.json is a release manifest, not an evidence log" err || fail "manifest as evidence log: $(cat err)"
rm kinds-policy.json

# --- a rejected PIN source is never echoed (it may be the PIN itself)
for spec in 123456 fd:12x34 file: 'file://evil/123456'; do
    expect 2 otasign sign release-2.json "${MOD[@]}" --key "$(key_uri p256)" --approve "$(otasign digest release-2.json)" --pin-source "$spec"
    grep -q "PIN source is not fd:N or file:PATH" err || fail "PIN source '$spec': unclear error"
    grep -qF -- "${spec#*:}" err && [[ -n ${spec#*:} ]] && fail "PIN source '$spec' was echoed"
done

# --- a PIN source others can read is refused before anything happens
chmod 644 pin
expect 3 sign_approved release-2.json p256 alice
[[ ! -e release-2.json.sig ]] || fail "world-readable PIN file was used"
grep -q "readable by everyone" err || fail "world-readable PIN file: unclear error"
grep -q "Release to sign" err && fail "world-readable PIN file refused only after the review"
expect 3 setsid -w "$OTASIGN_BIN" sign release-2.json "${MOD[@]}" --key "$(key_uri p256)" --pin-source file:pin --operator alice </dev/null
grep -q "readable by everyone" err || fail "world-readable PIN file not refused before the terminal review"
expect 3 otasign sign release-2.json "${MOD[@]}" --key "$(key_uri p256)" --approve "$(otasign digest release-2.json)" --operator alice --pin-source fd:9
grep -q "fd:9 is not an open file descriptor" err || fail "a closed PIN descriptor is not refused before the review"
# a PIN file its group can read is used, with a warning in otasign's style
chmod 640 pin
expect 0 sign_approved release-2.json p256 alice --signature group.sig
grep -q "^otasign: warning: the PIN file pin is readable by its group" err || fail "group-readable PIN file: warning lacks the otasign: prefix"
chmod 600 pin
expect 0 sign_approved release-2.json p256 alice
echo "PASS: failed and refused signs leave every file as it was"
