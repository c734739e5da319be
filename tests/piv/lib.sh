# Shared by the piv script tests: re-run the calling script inside a fresh virtual YubiKey
# (tests/virtual-piv/run-with-card), and small assertion helpers. A script called with
# `--firmware X.Y.Z` runs on a card with that firmware (default 5.4.3; 5.7.x has an AES-192
# management key and a root -> intermediate -> f9 attestation chain).
set -uo pipefail

: "${OTASIGN_BIN:?}" "${OTASIGN_SOURCE_DIR:?}" "${OTASIGN_BUILD_DIR:?}"

if [[ -z "${VIRTUAL_PIV_DIR:-}" ]]; then
    if [[ $(id -u) != 0 ]]; then
        echo "SKIP: the virtual PIV card needs root for its private pcscd namespace" >&2
        exit 77
    fi
    fw=()
    if [[ "${1:-}" == --firmware ]]; then fw=(--firmware "$2"); shift 2; fi
    exec "$OTASIGN_SOURCE_DIR/tests/virtual-piv/run-with-card" "${fw[@]}" bash "$0" "$@"
fi
[[ "${1:-}" == --firmware ]] && shift 2
echo "piv test on a virtual card with firmware $VIRTUAL_PIV_FIRMWARE" >&2

B=$OTASIGN_BIN
WORK=$(mktemp -d /tmp/otasign-piv-test.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
# Each test has its own workstation ledger (sign records there; schemas/REQUEST-FORMAT.md section 3).
export XDG_DATA_HOME="$WORK/ledger-home"
# The card's attestation anchors as a --roots folder (root, and on 5.7 the intermediate), and as
# the --root/--intermediate arguments of `policy require-attestation`.
FIXTURE_ROOTS=$WORK/fixture-roots
mkdir -p "$FIXTURE_ROOTS/intermediates"
cp "$VIRTUAL_PIV_ROOT_CA" "$FIXTURE_ROOTS/virtual-piv-root.pem"
ROOT_ARGS=(--root "$VIRTUAL_PIV_ROOT_CA")
if [[ -n "${VIRTUAL_PIV_INTERMEDIATE_CA:-}" ]]; then
    cp "$VIRTUAL_PIV_INTERMEDIATE_CA" "$FIXTURE_ROOTS/intermediates/virtual-piv-intermediate.pem"
    ROOT_ARGS+=(--intermediate "$VIRTUAL_PIV_INTERMEDIATE_CA")
fi

fail() { echo "FAIL: $*" >&2; exit 1; }
# expect_rc WANT CMD...: runs CMD, fails the test unless it exits WANT.
expect_rc() {
    local want=$1; shift
    "$@"
    local got=$?
    [[ $got == "$want" ]] || fail "expected exit $want, got $got: $*"
}
# secret VALUE: a file descriptor-free secret source: a 0600 file.
secret() {
    local f
    f=$(mktemp "$WORK/secret.XXXXXX")
    chmod 600 "$f"
    printf '%s\n' "$1" > "$f"
    echo "file:$f"
}
