# Shared by the fidelity tests: each test re-runs itself inside run-with-card, so it talks to a
# fresh virtual card behind a private pcscd through the real, unmodified middleware.
set -euo pipefail

VPIV_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OPENSC_MODULE=/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so
YKCS11_MODULE=/usr/lib/x86_64-linux-gnu/libykcs11.so
MGMT_KEY=010203040506070801020304050607080102030405060708

skip() { echo "SKIPPED: $*"; exit 77; }
# Whether run-with-card can make its private mount namespace here.
can_unshare() {
    if [[ $(id -u) == 0 ]]; then unshare --mount --net true 2>/dev/null
    else unshare --user --map-root-user --mount --net true 2>/dev/null; fi
}
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "--- $*"; }

# Re-executes the calling test inside a fresh card session, unless already inside one.
enter_card_session() {
    if [[ -n "${VIRTUAL_PIV_SESSION:-}" ]]; then return 0; fi
    can_unshare || skip "the virtual PIV harness needs root or unprivileged user namespaces"
    local tool
    for tool in pcscd unshare opensc-tool pkcs11-tool yubico-piv-tool openssl ss ip; do
        command -v "$tool" >/dev/null || skip "$tool is not installed"
    done
    [[ -e /usr/lib/pcsc/drivers/serial/libifdvpcd.so ]] || skip "vsmartcard-vpcd is not installed"
    [[ -e $OPENSC_MODULE && -e $YKCS11_MODULE ]] || skip "opensc-pkcs11 or ykcs11 is not installed"
    export VIRTUAL_PIV_SESSION=1
    exec "$VPIV_HERE/run-with-card" bash "$0" "$@"
}

# Runs a command that must fail; its output goes to $WORK/out.
expect_failure() {
    if "$@" > "$WORK/out" 2>&1; then
        cat "$WORK/out"
        fail "expected failure: $*"
    fi
}

# Runs a command that must succeed; its output goes to $WORK/out and is shown on failure.
expect_success() {
    if ! "$@" > "$WORK/out" 2>&1; then
        cat "$WORK/out"
        fail "expected success: $*"
    fi
}

expect_output() {
    local pattern=$1
    grep -q -E -- "$pattern" "$WORK/out" || { cat "$WORK/out"; fail "output lacks /$pattern/"; }
}

new_workdir() {
    WORK=$(mktemp -d "$VIRTUAL_PIV_DIR/work.XXXXXX")
}

# A certificate for the card's public key $1 (PEM), issued by a throwaway CA, written to $2.
# (yubico-piv-tool 2.2's selfsign-certificate cannot sign with OpenSSL 3, see the README.)
make_cert_for() {
    local pub=$1 out=$2 cn=${3:-virtual card key}
    openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/ca.key" \
        -out "$WORK/ca.pem" -subj "/CN=throwaway CA" -days 2 2>/dev/null
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/csr.key" \
        -subj "/CN=$cn" -out "$WORK/req.csr" 2>/dev/null
    openssl x509 -req -in "$WORK/req.csr" -force_pubkey "$pub" -CA "$WORK/ca.pem" -CAkey "$WORK/ca.key" \
        -CAcreateserial -days 2 -out "$out" 2>/dev/null
    rm -f "$WORK/ca.key" "$WORK/csr.key"
}
