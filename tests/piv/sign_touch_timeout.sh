#!/usr/bin/env bash
# Nobody touches the key: the card gives up (VIRTUAL_PIV_TOUCH_TIMEOUT), `sign` exits 4 saying
# the key was not touched, and no file in the directory changed.
if [[ -z "${VIRTUAL_PIV_DIR:-}" ]]; then
    export VIRTUAL_PIV_TOUCH=manual VIRTUAL_PIV_TOUCH_TIMEOUT=3
fi
source "$(dirname "$0")/lib.sh"
cd "$WORK"
MODULE=/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so
cp "$OTASIGN_SOURCE_DIR/schemas/examples/release-2.json" manifest.json
pin=$(secret 123456)
# provision, not `key generate`: its self-signed certificate would need a touch nobody gives.
"$OTASIGN_SOURCE_DIR/tests/virtual-piv/provision" 9c ECCP384 always always >/dev/null 2>&1 || fail "provision 9c"
digest=$("$B" digest manifest.json) || fail "digest"
# Every file in the directory is checksummed before and after: nothing may be written.
sums() { find . -type f ! -name 'secret.*' ! -name 'err' ! -name 'out' ! -name '*.lock' -print0 | sort -z | xargs -0 sha256sum; }
before=$(sums)
"$B" sign manifest.json --module "$MODULE" --key "pkcs11:id=%02;type=private" --approve "$digest" \
    --pin-source "$pin" --operator tester > out 2> err
rc=$?
[[ $rc == 4 ]] || { cat err >&2; fail "touch timeout: expected exit 4, got $rc"; }
grep -q "Touch the key now" err || { cat err >&2; fail "no touch prompt"; }
grep -qi "not touched" err || { cat err >&2; fail "the error does not say the key was not touched"; }
grep "otasign:" err >&2  # the message the operator sees
[[ ! -e manifest.json.sig ]] || fail "a bundle was written"
[[ $(sums) == "$before" ]] || fail "files changed after a touch timeout"
# One touch timeout costs no PIN try.
[[ $("$B" token status --json | jq -r .pin_retries) == 3 ]] || fail "PIN retries changed"
echo "sign_touch_timeout: all checks passed"
