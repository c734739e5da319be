#!/usr/bin/env bash
# Wrong PINs through `sign` on a PIV card: each costs exactly one try and is never retried; the
# final try is refused before the PIN is sent unless --allow-final-pin-try; a blocked PIN is
# refused with a pointer to the PUK; `token unblock-pin` restores it; nothing is written by a
# failed sign.
source "$(dirname "$0")/lib.sh"
cd "$WORK"
MODULE=/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so
cp "$OTASIGN_SOURCE_DIR/schemas/examples/release-2.json" manifest.json
"$OTASIGN_SOURCE_DIR/tests/virtual-piv/provision" 9c ECCP384 always never >/dev/null 2>&1 || fail "provision 9c"
digest=$("$B" digest manifest.json) || fail "digest"
good=$(secret 123456)
bad=$(secret 999999)
retries() { "$B" token status --json | jq -r .pin_retries; }
sums() { find . -type f ! -name 'secret.*' ! -name 'err' ! -name 'out' ! -name '*.lock' -print0 | sort -z | xargs -0 sha256sum; }
sign() {  # sign PIN_SOURCE [FLAGS...]
    local src=$1; shift
    "$B" sign manifest.json --module "$MODULE" --key "pkcs11:id=%02;type=private" --approve "$digest" \
        --pin-source "$src" --operator tester "$@" > out 2> err
}
before=$(sums)

# Two wrong PINs: exit 4, "wrong PIN" and the tries left, one try each.
for left in 2 1; do
    sign "$bad"; rc=$?
    [[ $rc == 4 ]] || { cat err >&2; fail "wrong PIN: expected exit 4, got $rc"; }
    grep -q "wrong PIN" err && grep -q "$left retries left" err || { cat err >&2; fail "wrong PIN message ($left left)"; }
    [[ $(retries) == "$left" ]] || fail "retry counter should be $left, is $(retries)"
done

# One try left: refused before the PIN is sent, the counter does not move.
sign "$bad"; rc=$?
[[ $rc == 4 ]] || { cat err >&2; fail "final try: expected exit 4, got $rc"; }
grep -q "allow-final-pin-try" err || { cat err >&2; fail "final-try refusal does not name the flag"; }
[[ $(retries) == 1 ]] || fail "the refused final try moved the counter to $(retries)"

# The third wrong PIN, explicitly allowed, blocks the PIN.
sign "$bad" --allow-final-pin-try; rc=$?
[[ $rc == 4 ]] || { cat err >&2; fail "third wrong PIN: expected exit 4, got $rc"; }
grep -q "wrong PIN" err || { cat err >&2; fail "third wrong PIN message"; }
[[ $(retries) == 0 ]] || fail "PIN not blocked: $(retries) retries"
grep "otasign:" err >&2  # the message the operator sees

# Blocked: even the right PIN is refused, without being sent.
sign "$good" --allow-final-pin-try; rc=$?
[[ $rc == 4 ]] || { cat err >&2; fail "blocked PIN: expected exit 4, got $rc"; }
grep -q "PIN is blocked" err && grep -q "unblock it with the PUK" err || { cat err >&2; fail "blocked message"; }
[[ ! -e manifest.json.sig && ! -e evidence.log.jsonl ]] || fail "a failed sign wrote a file"
[[ $(sums) == "$before" ]] || fail "files changed by failed signs"

# A wrong PUK costs a PUK try and leaves the PIN blocked.
expect_rc 4 "$B" token unblock-pin --puk-source "$(secret 87654321)" --new-pin-source "$(secret 13572468)" 2>/dev/null
[[ $("$B" token status --json | jq -r .puk_retries) == 2 ]] || fail "PUK counter after a wrong PUK"
"$B" token unblock-pin --puk-source "$(secret 12345678)" --new-pin-source "$(secret 13572468)" > out 2> err \
    || { cat err >&2; fail "unblock-pin"; }
[[ $(retries) == 3 ]] || fail "PIN retries after unblock: $(retries)"
sign "$(secret 13572468)" || { cat err >&2; fail "sign after unblock"; }
[[ -s manifest.json.sig ]] || fail "no bundle after unblock"

# change-pin: the old PIN stops working, the new one works.
"$B" token change-pin --pin-source "$(secret 13572468)" --new-pin-source "$(secret 11223344)" >/dev/null 2>&1 || fail "change-pin"
expect_rc 4 "$B" token change-pin --pin-source "$(secret 13572468)" --new-pin-source "$(secret 55667788)" 2>/dev/null
[[ $(retries) == 2 ]] || fail "wrong current PIN in change-pin should cost one try"
echo "sign_pin_block: all checks passed"
