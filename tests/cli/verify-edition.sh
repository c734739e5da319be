#!/usr/bin/env bash
# The verify edition (otasign-verify; the otasign of a -DOTASIGN_VERIFY_ONLY=ON tree) links no
# smart-card middleware, has exactly the reading and verifying commands, and gives the same
# answers, messages and exit codes as the full edition on every one of them: on bundles and
# evidence signed here through SoftHSM, and on tampered copies.
source "$(dirname "$0")/common.sh"
: "${OTASIGN_VERIFY_BIN:?OTASIGN_VERIFY_BIN must point to the verify edition}"
V=$OTASIGN_VERIFY_BIN

# --- links none of libykpiv, p11-kit, pcsclite (the full edition does, so the check can fail)
# (ldd's output is read whole: grep -q closing the pipe early would fail the pipeline.)
full_libs=$(ldd "$OTASIGN_BIN") verify_libs=$(ldd "$V")
grep -q libykpiv <<<"$full_libs" || fail "ldd of the full edition shows no libykpiv: the check below proves nothing"
if grep -E 'libykpiv|libp11-kit|libpcsclite' <<<"$verify_libs"; then fail "the verify edition links smart-card middleware"; fi

# --- signed material: release-2 by alice and bob (2 of 2), with its evidence log
otasign policy init policy.json >/dev/null
otasign policy add-key policy.json --role manifest --public-key p256.pem --name alice >/dev/null
otasign policy add-key policy.json --role manifest --public-key p384.pem --name bob >/dev/null
otasign policy threshold policy.json --role manifest 2 >/dev/null
expect 0 sign_approved release-2.json p256 alice --previous release-1.json --policy policy.json --accept-risk channel-widened
cp release-2.json.sig one.sig
expect 0 sign_approved release-2.json p384 bob --previous release-1.json --policy policy.json --accept-risk channel-widened
sed 's/"version": *"[^"]*"/"version": "9.9.9"/' release-2.json > tampered.json
cp release-2.json.sig tampered.json.sig
tail -n +2 evidence.log.jsonl > cut.jsonl   # the first entry gone: the chain breaks
echo '{"not": "a policy"}' > bad-policy.json

# same_answer CODE ARGS...: both editions exit CODE with identical stdout and stderr.
same_answer() {
    local want=$1; shift
    local rc_full=0 rc_verify=0
    "$OTASIGN_BIN" "$@" > full.out 2> full.err || rc_full=$?
    "$V" "$@" > verify.out 2> verify.err || rc_verify=$?
    [[ $rc_full == "$want" ]] || { cat full.out full.err; fail "full edition: exit $rc_full, not $want: $*"; }
    [[ $rc_verify == "$want" ]] || { cat verify.out verify.err; fail "verify edition: exit $rc_verify, not $want: $*"; }
    cmp -s full.out verify.out || { diff full.out verify.out; fail "stdout differs: $*"; }
    cmp -s full.err verify.err || { diff full.err verify.err; fail "stderr differs: $*"; }
}
NOW=(--now 2026-12-01T00:00:00Z)
same_answer 0 verify release-2.json --policy policy.json "${NOW[@]}" --previous release-1.json
same_answer 0 verify release-2.json --policy policy.json "${NOW[@]}" --previous release-1.json --json
same_answer 1 verify release-2.json --policy policy.json "${NOW[@]}" --signature one.sig
same_answer 1 verify tampered.json --policy policy.json "${NOW[@]}"
same_answer 3 verify release-2.json --policy bad-policy.json "${NOW[@]}"
same_answer 0 evidence verify evidence.log.jsonl --policy policy.json --bundle release-2.json.sig
same_answer 1 evidence verify cut.jsonl --policy policy.json
same_answer 0 evidence show evidence.log.jsonl --index 1
same_answer 0 policy show policy.json
same_answer 0 policy show policy.json --json
same_answer 3 policy show bad-policy.json
same_answer 0 validate release-2.json
same_answer 0 diff release-1.json release-2.json --json
same_answer 0 digest release-2.json
same_answer 0 canonicalize release-2.json
# the air-gap commands a CI runner needs: decode a request, merge co-signatures carried back
otasign request create release-2.json --previous release-1.json --policy policy.json \
    --pipeline ci -o request.json >/dev/null
same_answer 0 request show request.json
same_answer 0 request show request.json --json
sed 's/"pipeline"/"pipe1ine"/' request.json > bad-request.json
same_answer 3 request show bad-request.json
for edition in full verify; do
    bin=$OTASIGN_BIN; [[ $edition == verify ]] && bin=$V
    "$bin" bundle merge --manifest release-2.json --policy policy.json -o "merged-$edition.sig" \
        one.sig release-2.json.sig > "merge-$edition.out" || fail "$edition edition: bundle merge failed"
done
cmp -s merged-full.sig merged-verify.sig || fail "bundle merge writes different bundles in the two editions"
same_answer 0 verify release-2.json --policy policy.json "${NOW[@]}" --signature merged-verify.sig
same_answer 1 bundle merge --manifest release-1.json -o other.sig one.sig

# --- exactly the reading commands: signing, tokens and policy edits are not there (usage, 2)
for cmd in "sign release-2.json" "key list" "token list" "ceremony check" "manifest create" \
           "policy init p.json" "evidence recover evidence.log.jsonl" "request create release-2.json" \
           "ledger list"; do
    # shellcheck disable=SC2086
    expect 2 "$V" $cmd
done
expect 0 "$V" --version
grep -q "(verify edition)" out || fail "--version does not name the verify edition"
echo "PASS: the verify edition links no middleware and answers as the full edition"
