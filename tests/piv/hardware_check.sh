#!/usr/bin/env bash
# ceremony/hardware-check on a virtual card: its refusals (slot 9c, an occupied slot, an existing
# report) change nothing on the card, and a full run on a spare slot passes every step and writes
# the report (status, attestation against the given roots, OpenSC and ykcs11 sign and verify).
source "$(dirname "$0")/lib.sh"
cd "$WORK"
CHECK=$OTASIGN_SOURCE_DIR/ceremony/hardware-check
pin=$(secret 123456)
run_check() { bash "$CHECK" --otasign "$B" --roots "$FIXTURE_ROOTS" --pin-source "$pin" "$@"; }

expect_rc 2 run_check --slot 9c --report r9c.txt
[[ ! -e r9c.txt ]] || fail "a refused check wrote a report"
"$B" key generate --slot 9a --algorithm ECCP256 --pin-policy once --touch-policy never --pin-source "$pin" >/dev/null 2>&1 \
    || fail "generate 9a"
before=$("$B" token status --json)
expect_rc 2 run_check --slot 9a --report r9a.txt
[[ ! -e r9a.txt ]] || fail "a refused check wrote a report"
[[ $("$B" token status --json) == "$before" ]] || fail "a refused check changed the card"

run_check --slot 9d --report report.txt || { cat report.txt >&2; fail "hardware check on 9d"; }
cat report.txt >&2
grep -q "result: all checks passed" report.txt || fail "report result"
[[ $(grep -c "^PASS" report.txt) == 6 ]] || fail "expected 6 passed steps"
grep -q "firmware $VIRTUAL_PIV_FIRMWARE" report.txt || fail "report lacks the firmware"
case $VIRTUAL_PIV_FIRMWARE in
    5.7.*) grep -q "mgmt key:  AES192" report.txt || fail "5.7 card: report lacks the AES-192 management key" ;;
    *) grep -q "mgmt key:  TDES" report.txt || fail "report lacks the 3DES management key" ;;
esac
[[ $(jq -r '.slots[] | select(.slot=="9c") | .key' <<<"$("$B" token status --json)") == null ]] || fail "9c was touched"
expect_rc 2 run_check --slot 9e --report report.txt   # never overwritten
echo "hardware_check: all checks passed"
