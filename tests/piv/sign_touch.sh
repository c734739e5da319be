#!/usr/bin/env bash
# `otasign sign --touch auto` through OpenSC's PKCS#11 module on the virtual YubiKey: "Touch the
# key now" appears exactly when the slot's touch policy (GET METADATA) asks for a touch.
source "$(dirname "$0")/lib.sh"
cd "$WORK"
MODULE=/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so
cp "$OTASIGN_SOURCE_DIR/schemas/examples/release-1.json" manifest.json
pin=$(secret 123456)

"$B" key generate --slot 9c --algorithm ECCP384 --pin-policy always --touch-policy always --pin-source "$pin" \
    >/dev/null 2>&1 || fail "generate 9c"
"$B" key generate --slot 9a --algorithm ECCP256 --pin-policy once --touch-policy never --pin-source "$pin" \
    >/dev/null 2>&1 || fail "generate 9a"

digest=$("$B" digest manifest.json) || fail "digest"
sign() {  # sign ID BUNDLE: sign with the PIV key whose PKCS#11 id is ID
    "$B" sign manifest.json --module "$MODULE" --key "pkcs11:id=%$1;type=private" --approve "$digest" \
        --pin-source "$pin" --operator tester --signature "$2" --evidence-log ev.jsonl > out 2> err
}
sign 02 touch.sig || { cat err >&2; fail "sign with 9c"; }
[[ $(grep -c "Touch the key now" err) == 1 ]] || { cat err >&2; fail "9c (touch always): expected one touch prompt"; }
sign 01 notouch.sig || { cat err >&2; fail "sign with 9a"; }
! grep -q "Touch the key now" err || { cat err >&2; fail "9a (touch never): no touch prompt expected"; }
echo "sign_touch: all checks passed"
