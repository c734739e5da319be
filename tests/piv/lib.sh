# Shared by the piv script tests: re-run the calling script inside a fresh virtual YubiKey
# (tests/virtual-piv/run-with-card), and small assertion helpers.
set -uo pipefail

: "${OTASIGN_BIN:?}" "${OTASIGN_SOURCE_DIR:?}" "${OTASIGN_BUILD_DIR:?}"

if [[ -z "${VIRTUAL_PIV_DIR:-}" ]]; then
    if [[ $(id -u) != 0 ]]; then
        echo "SKIP: the virtual PIV card needs root for its private pcscd namespace" >&2
        exit 77
    fi
    exec "$OTASIGN_SOURCE_DIR/tests/virtual-piv/run-with-card" bash "$0" "$@"
fi

B=$OTASIGN_BIN
WORK=$(mktemp -d /tmp/otasign-piv-test.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
FIXTURE_ROOTS=$WORK/fixture-roots
mkdir -p "$FIXTURE_ROOTS"
cp "$VIRTUAL_PIV_ROOT_CA" "$FIXTURE_ROOTS/virtual-piv-root.pem"

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
