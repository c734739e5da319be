#!/usr/bin/env bash
# Issue 13: `sign` reaches the PIV card once through each stack: one PKCS#11 session for the key,
# its token information and the signature, and one libykpiv connection for the slot's metadata,
# the PIN retry count and the attestation (it used to be two of each, and three and two when the
# card's facts could not be read). Counted in pcscd's debug log as the connections to the card's
# reader: a sign makes exactly one more than `key export`, which only opens the key through the
# same module. With OpenSC the libykpiv one is told apart by its protocol (T=1 alone, where
# OpenSC asks for T=0 or T=1).
export VIRTUAL_PIV_DEBUG=1
source "$(dirname "$0")/lib.sh"
cd "$WORK"
LOG=$VIRTUAL_PIV_DIR/pcscd.log
cp "$OTASIGN_SOURCE_DIR/schemas/examples/release-1.json" "$OTASIGN_SOURCE_DIR/schemas/examples/release-2.json" .
pin=$(secret 123456)
key_id=$("$B" key generate --slot 9c --algorithm ECCP256 --pin-policy always --touch-policy always \
    --pin-source "$pin" 2>/dev/null) || fail "generate 9c"
digest=$("$B" digest release-2.json) || fail "digest"

# Each sign has its own ledger: a ledger refuses a key that signed the same manifest there.
# connects PROTOCOLS CMD...: runs CMD and prints how many connections to the card's reader it
# made with a protocol matching PROTOCOLS (a regular expression: 2 is T=1, 3 is T=0 or T=1).
connects() {
    local protocols=$1; shift
    local before
    before=$(wc -l <"$LOG")
    "$@" >/dev/null 2>cmd.err || { cat cmd.err >&2; fail "$*"; }
    tail -n +$((before + 1)) "$LOG" |
        grep -F "Attempting Connect to $VIRTUAL_PIV_READER using protocol: " |
        grep -cE "protocol: ($protocols)\$"
}

for module in /usr/lib/x86_64-linux-gnu/opensc-pkcs11.so /usr/lib/x86_64-linux-gnu/libykcs11.so; do
    [[ -r $module ]] || { echo "SKIP: $module not installed" >&2; exit 77; }
    name=$(basename "$module" .so)
    list=$("$B" key list --module "$module") || fail "key list: $list"
    # The URI key list prints just before the line with the 9c key's id.
    uri=$(awk -v id="$key_id" '$1 == "uri:" { u = $2 } $1 == "key" && $2 == "id:" && $3 == id { print u; exit }' <<<"$list")
    [[ -n $uri ]] || fail "no URI for the 9c key in: $list"
    export_connects=$(connects '2|3' "$B" key export --key "$uri" --module "$module" -o "$name.pem")
    sign_connects=$(connects '2|3' "$B" sign release-2.json --previous release-1.json --key "$uri" \
        --module "$module" --signature "$name.sig" --evidence-log "$name.log" --ledger "ledger-$name" --approve "$digest" \
        --accept-risk channel-widened --pin-source "$pin" --operator tester)
    # The card's facts were read: the evidence has them.
    slot=$(jq -r '.signatures[0].payload' "$name.sig" | base64 -d | jq -r .approval.piv.slot)
    [[ $slot == 9c ]] || fail "$name: no PIV evidence in the signature (slot '$slot')"
    [[ $sign_connects == $((export_connects + 1)) ]] ||
        fail "$name: sign connected to the card $sign_connects times, key export $export_connects"
    echo "$name: key export $export_connects connections, sign $sign_connects" >&2
done

# Through OpenSC, the one libykpiv connection (T=1 only) and OpenSC's own as in key export.
module=/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so
uri="pkcs11:id=%02;type=private"  # OpenSC's id of slot 9c
opensc_export=$(connects 3 "$B" key export --key "$uri" --module "$module" -o again.pem)
libykpiv_sign=$(connects 2 "$B" sign release-2.json --previous release-1.json --key "$uri" \
    --module "$module" --signature again.sig --evidence-log again.log --ledger ledger-again --approve "$digest" \
    --accept-risk channel-widened --pin-source "$pin" --operator tester)
[[ $libykpiv_sign == 1 ]] || fail "libykpiv connected to the card $libykpiv_sign times during sign"
opensc_sign=$(connects 3 "$B" sign release-2.json --previous release-1.json --key "$uri" \
    --module "$module" --signature again2.sig --evidence-log again2.log --ledger ledger-again2 --approve "$digest" \
    --accept-risk channel-widened --pin-source "$pin" --operator tester)
[[ $opensc_sign == "$opensc_export" ]] ||
    fail "OpenSC connected to the card $opensc_sign times during sign, $opensc_export in key export"
echo "sign_card_once: all checks passed"
