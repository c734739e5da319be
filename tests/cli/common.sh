# shellcheck shell=bash
# Shared setup for the sign/verify script tests: a throw-away SoftHSM token (tests/lib/softhsm.sh),
# the example manifests, public keys exported from the token, and a PIN file.
set -euo pipefail

: "${OTASIGN_BIN:?OTASIGN_BIN must point to the otasign binary}"
: "${OTASIGN_SOURCE_DIR:?}"
# shellcheck source=../lib/softhsm.sh
source "$OTASIGN_SOURCE_DIR/tests/lib/softhsm.sh"

if ! softhsm_available; then
    echo "SKIP: SoftHSM2 (libsofthsm2.so, softhsm2-util, pkcs11-tool) is not installed"
    exit 77
fi

WORK=$(mktemp -d)
trap 'softhsm_token_cleanup "$WORK"' EXIT
# Each test has its own workstation ledger (sign records there; schemas/REQUEST-FORMAT.md section 3).
export XDG_DATA_HOME="$WORK/ledger-home"
softhsm_token_init "$WORK/hsm"
cd "$WORK"
cp "$OTASIGN_SOURCE_DIR/schemas/examples/release-1.json" "$OTASIGN_SOURCE_DIR/schemas/examples/release-2.json" .
printf '%s\n' "$SOFTHSM_USER_PIN" > pin
chmod 600 pin
export USER=${USER:-tester}

otasign() { "$OTASIGN_BIN" "$@"; }
key_uri() { printf 'pkcs11:token=%s;object=%s' "$SOFTHSM_LABEL" "$1"; }
MOD=(--module "$SOFTHSM_MODULE")
for k in p256 p384 p256-auth rsa2048; do
    otasign key export "${MOD[@]}" --key "$(key_uri "$k")" -o "$k.pem" >/dev/null 2>&1
done

fail() { echo "FAIL: $*" >&2; exit 1; }
# expect CODE CMD...: runs CMD, fails the test unless it exits with CODE.
expect() {
    local want=$1; shift
    local rc=0
    "$@" >"$WORK/out" 2>"$WORK/err" || rc=$?
    if [[ $rc -ne $want ]]; then
        echo "--- stdout"; cat "$WORK/out"; echo "--- stderr"; cat "$WORK/err"
        fail "expected exit $want, got $rc: $*"
    fi
}
# sign_approved MANIFEST KEY OPERATOR [extra args]: non-interactive sign with the right digest.
# Each call signs as on a workstation of its own (a fresh ledger), so that fixtures may be signed
# in any order; pass --ledger DIR to sign against one ledger (tests/cli/airgap.sh does).
sign_approved() {
    local m=$1 k=$2 op=$3; shift 3
    local ledger=()
    [[ " $* " == *" --ledger "* ]] || ledger=(--ledger "$(mktemp -d "$WORK/ledger.XXXXXX")")
    otasign sign "$m" "${MOD[@]}" --key "$(key_uri "$k")" --approve "$(otasign digest "$m")" \
        --pin-source file:pin --operator "$op" "${ledger[@]}" "$@"
}
# accept_high PREV NEW: the --accept-risk arguments naming every high risk of the review of NEW
# against PREV (sign makes the operator accept each one on its own).
accept_high() {
    "$OTASIGN_BIN" diff "$1" "$2" --json | jq -r '.diff.risks[] | select(.severity == "high") | "--accept-risk\n" + .code'
}
# snapshot: checksum of every file under the work dir except the token store and the (empty,
# permanent) lock files sign creates beside a bundle and a log.
snapshot() { find . \( -path ./hsm -o -name out -o -name err -o -name '*.lock' \) -prune -o -type f -print | LC_ALL=C sort | xargs sha256sum; }

ZEROS=$(printf '0%.0s' {1..64})
# rechain IN OUT: recompute every line's index and prev, as a forger without the keys would.
rechain() {
    local prev=$ZEROS i=0 line out
    : > "$2"
    while IFS= read -r line; do
        out=$(jq -cS --arg p "$prev" --argjson i "$i" '.prev = $p | .index = $i' <<<"$line")
        printf '%s\n' "$out" >> "$2"
        prev=$(printf '%s' "$out" | sha256sum | cut -d' ' -f1)
        i=$((i + 1))
    done < "$1"
}
