#!/usr/bin/env bash
# Errors that teach (issue 11): each message names the file once as FILE:LINE:COL, says what was
# expected, names a file of another kind for what it is in every command that reads one, is in
# otasign's words rather than CLI11's, counts in plain plurals, and calls standard input
# <stdin> everywhere. The exit-code tables in README.md and SECURITY.md are the code's.
source "$(dirname "$0")/common.sh"

expect 0 sign_approved release-1.json p256 alice
otasign policy init policy.json >/dev/null
otasign policy add-key policy.json --role manifest --public-key p256.pem --name alice >/dev/null

# --- the location is given once: a bad line of a JSON-lines file is FILE:LINE:COL
cp evidence.log.jsonl two.jsonl
printf '{"entryVersion":2,"index":1}\n' >>two.jsonl
expect 3 otasign evidence verify two.jsonl --policy policy.json
grep -qE "^otasign: error: two\.jsonl:2:1: schema violation: missing required field '[a-zA-Z]+'" err ||
    fail "evidence log line 2: $(cat err)"
grep -q "line 2:" err && fail "the location is doubled: $(cat err)"
printf '{"a":1,}\n' >syntax.jsonl
expect 3 otasign evidence show syntax.jsonl
grep -qE '^otasign: error: syntax\.jsonl:1:8: syntax error' err || fail "syntax error in a log: $(cat err)"
grep -q 'line 1:1:' err && fail "the location is doubled: $(cat err)"

# --- type errors say what was expected, and what was found
jq '.rollbackIndex = "42"' release-2.json >type.json
expect 3 otasign validate type.json
grep -qF 'type.json:9:20: wrong type: expected an integer, found a string ("42") (at /rollbackIndex)' err ||
    fail "manifest type error: $(cat err)"
jq '.roles.manifest.threshold = "1"' policy.json >type-policy.json
expect 3 otasign verify release-1.json --policy type-policy.json
grep -qF 'schema violation: wrong type: expected an integer, found a string ("1") (at JSON pointer /roles/manifest/threshold)' err ||
    fail "policy type error: $(cat err)"
jq '.policyVersion = 7' policy.json >version-policy.json
expect 3 otasign verify release-1.json --policy version-policy.json
grep -qE 'schema violation: 7 is not allowed here: expected (one of )?[0-9]' err || fail "policy enum: $(cat err)"
# a misspelt member is named with the one it was probably meant to be
jq '.rolbackIndex = 1 | del(.rollbackIndex)' release-2.json >typo.json
expect 3 otasign validate typo.json
grep -qF "unknown field 'rolbackIndex' (did you mean 'rollbackIndex'?)" err || fail "typo hint: $(cat err)"
grep -qE "Object contains|Value type not permitted|Failed to match" err && fail "valijson's text leaked: $(cat err)"

# --- a file of another kind is named for what it is, in every command that reads one
expect 3 otasign policy add-key release-1.json --role release --public-key p384.pem --name bob
grep -qx "otasign: error: release-1.json is a release manifest, not a trust policy" err || fail "policy add-key: $(cat err)"
expect 3 otasign policy show evidence.log.jsonl
grep -qx "otasign: error: evidence.log.jsonl is an evidence log, not a trust policy" err || fail "policy show: $(cat err)"
expect 3 otasign ceremony verify-record release-1.json --log ''
grep -qx "otasign: error: release-1.json is a release manifest, not a ceremony record" err || fail "ceremony verify-record: $(cat err)"
expect 3 otasign ceremony verify-record policy.json --log ''
grep -qx "otasign: error: policy.json is a trust policy, not a ceremony record" err || fail "ceremony verify-record: $(cat err)"
expect 3 otasign validate policy.json
grep -qx "otasign: error: policy.json is a trust policy, not a release manifest" err || fail "validate: $(cat err)"
expect 3 otasign diff release-1.json.sig release-2.json
grep -qx "otasign: error: release-1.json.sig is a signature bundle, not a release manifest" err || fail "diff: $(cat err)"
expect 3 otasign evidence verify evidence.log.jsonl --policy release-2.json
grep -qx "otasign: error: release-2.json is a release manifest, not a trust policy" err || fail "evidence --policy: $(cat err)"
expect 3 otasign verify release-1.json --policy policy.json --signature evidence.log.jsonl
grep -qx "otasign: error: evidence.log.jsonl is an evidence log, not a signature bundle" err || fail "verify --signature: $(cat err)"

# --- key files: a certificate and a private key get a hint that fixes them
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout private.pem -out cert.pem \
    -subj /CN=test -days 2 2>/dev/null
expect 3 otasign policy add-key policy.json --role release --public-key cert.pem --name cert
grep -qx "otasign: hint: extract its key with 'openssl x509 -in CERT -pubkey -noout'" err || fail "certificate: $(cat err)"
expect 3 otasign policy add-key policy.json --role release --public-key private.pem --name priv
grep -q "^otasign: error: private.pem: a private key" err || fail "private key: $(cat err)"
grep -qF "openssl pkey -in KEY -pubout" err || fail "private key hint: $(cat err)"
# a name already in use, and a key already in the role
openssl pkey -in private.pem -pubout -out other.pem
expect 3 otasign policy add-key policy.json --role release --public-key other.pem --name alice
grep -q "the name 'alice' is already used" err || fail "duplicate name: $(cat err)"

# --- a warning in otasign's style, on stderr and on the terminal: after a wrong PIN the token
# reports few tries left, and the next sign says so before it uses the PIN
printf '000000\n' >badpin
chmod 600 badpin
expect 4 otasign sign release-2.json "${MOD[@]}" --key "$(key_uri p256)" --approve "$(otasign digest release-2.json)" \
    --pin-source file:badpin --operator alice
expect 0 sign_approved release-2.json p256 alice --signature warned.sig
grep -q "^otasign: warning: token '$SOFTHSM_LABEL' reports few PIN tries left" err || fail "low PIN count warning: $(cat err)"
grep -q "^warning:" err && fail "a warning without the otasign: prefix: $(cat err)"

# --- command-line mistakes in otasign's words
check_usage() {  # check_usage 'EXPECTED ERROR LINE' ARGS...
    local want=$1; shift
    expect 2 otasign "$@"
    grep -qxF "otasign: error: $want" err || fail "otasign $*: $(cat err)"
    grep -q "^otasign: hint: " err || fail "otasign $*: no hint"
    if grep -qE "is required|not expected|subcommand|\([0-9]+x\)|required TEXT|not in \{|Could not convert|excludes" err; then
        fail "CLI11's own message leaked: $(cat err)"
    fi
}
check_usage "otasign: 'frobnicate' is not a command" frobnicate
check_usage "otasign ceremony: 'verify' is not a command" ceremony verify x
check_usage "otasign policy: no command given" policy
check_usage "otasign sign: unknown option --bogus" sign --bogus
check_usage "otasign ceremony verify-record: unknown option --policy" ceremony verify-record r.json --policy p.json
check_usage "otasign sign: --key needs a value" sign release-2.json --key
check_usage "otasign sign: --touch 'maybe' is not allowed; use auto, always or never" sign release-2.json --key k --touch maybe
check_usage "otasign verify: --role 'admin' is not allowed; use manifest or release" verify release-1.json --policy policy.json --role admin
check_usage "otasign digest: unexpected argument release-2.json" digest release-1.json release-2.json
expect 2 otasign policy
grep -q "^otasign: hint: the commands of otasign policy are .*init.*add-key" err || fail "no command: hint lacks the commands: $(cat err)"

# --- counted nouns in plain plurals
otasign policy show policy.json >out
grep -q "threshold 1 of 1 key$" out || fail "policy show: $(cat out)"
grep -q "(s)" out && fail "policy show says (s): $(cat out)"
otasign policy threshold policy.json 1 --role manifest >out 2>&1 || fail "policy threshold: $(cat out)"
grep -qx "role manifest now needs 1 distinct key" out || fail "policy threshold: $(cat out)"
grep -q "(s)" out && fail "policy threshold says (s): $(cat out)"

# --- standard input is <stdin> in every command
for cmd in "validate -" "diff release-1.json -" "verify - --policy policy.json --signature release-1.json.sig"; do
    # shellcheck disable=SC2086 # the command's words
    expect 3 otasign $cmd <type.json
    grep -q "<stdin>:9:20" err || fail "otasign $cmd names standard input otherwise: $(cat err)"
done
for cmd in "digest -" "canonicalize -"; do
    # shellcheck disable=SC2086 # the command's words
    expect 3 otasign $cmd <syntax.jsonl
    grep -q "<stdin>:1:8" err || fail "otasign $cmd names standard input otherwise: $(cat err)"
done
expect 3 otasign evidence verify - --policy policy.json <syntax.jsonl
grep -q "<stdin>:1:8" err || fail "evidence verify names standard input otherwise: $(cat err)"
expect 3 otasign policy add-key policy.json --role release --public-key - --name stdin <cert.pem
grep -q "^otasign: error: <stdin>: a certificate" err || fail "policy add-key names standard input otherwise: $(cat err)"

# --- the exit-code tables: README.md, SECURITY.md and --help list the codes cli/exit_codes.hpp has
codes=$(sed -nE 's/^ *k[A-Za-z]+ = ([0-9]+),.*/\1/p' "$OTASIGN_SOURCE_DIR/cli/exit_codes.hpp" | tr '\n' ' ')
[[ $codes == "0 1 2 3 4 5 6 " ]] || fail "exit_codes.hpp: $codes"
for doc in README.md SECURITY.md; do
    table=$(awk '/^## /{on = ($0 == "## Exit codes")} on' "$OTASIGN_SOURCE_DIR/$doc" | sed -nE 's/^\| ([0-9]+) \|.*/\1/p' | tr '\n' ' ')
    [[ $table == "$codes" ]] || fail "$doc exit-code table lists '$table', the code has '$codes'"
done
otasign --help >out
for c in 0 1 2 3 4 5 6; do grep -qE "(^|[ ,])$c [a-z]" out || fail "--help does not list exit code $c"; done
echo "PASS: errors name the place once, say what was expected and what a file is, in otasign's words"
