#!/usr/bin/env bash
# token status before/after key generate; PKCS#11 sees the key; attest and verify-attestation
# against the card's fixture root, against otasign's shipped roots (must fail) and tampered.
source "$(dirname "$0")/lib.sh"

before=$("$B" token status --json) || fail "token status"
[[ $(jq -r '.slots[] | select(.slot=="9c") | .key' <<<"$before") == null ]] || fail "9c not empty on a fresh card"
[[ $(jq -r .pin_default <<<"$before") == true ]] || fail "fresh card should report the default PIN"
[[ $(jq -r .pin_retries <<<"$before") == 3 ]] || fail "PIN retries"

key_id=$("$B" key generate --slot 9c --algorithm ECCP384 --pin-policy always --touch-policy always \
    --pin-source "$(secret 123456)") || fail "key generate"
[[ $key_id =~ ^[0-9a-f]{64}$ ]] || fail "key generate printed '$key_id'"

after=$("$B" token status --json) || fail "token status after"
slot=$(jq -c '.slots[] | select(.slot=="9c")' <<<"$after")
[[ $(jq -r .key.algorithm <<<"$slot") == ECCP384 ]] || fail "algorithm: $slot"
[[ $(jq -r .key.pin_policy <<<"$slot") == always ]] || fail "pin policy: $slot"
[[ $(jq -r .key.touch_policy <<<"$slot") == always ]] || fail "touch policy: $slot"
[[ $(jq -r .key.origin <<<"$slot") == generated ]] || fail "origin: $slot"
[[ $(jq -r .key.key_id <<<"$slot") == "$key_id" ]] || fail "key id differs: $slot"
[[ $(jq -r .certificate <<<"$slot") == true ]] || fail "no certificate stored: $slot"

# Never overwrite a key silently.
expect_rc 1 "$B" key generate --slot 9c --pin-source "$(secret 123456)"
[[ $(jq -r '.slots[] | select(.slot=="9c") | .key.key_id' <<<"$("$B" token status --json)") == "$key_id" ]] \
    || fail "refused generate still changed the key"

# Replacing needs a typed confirmation; without a terminal (setsid: no controlling tty) nobody
# can give it: a usage error (exit 2, nobody declined) and the key stays.
expect_rc 2 setsid -w "$B" key generate --slot 9c --replace-existing-key --pin-source "$(secret 123456)"
[[ $(jq -r '.slots[] | select(.slot=="9c") | .key.key_id' <<<"$("$B" token status --json)") == "$key_id" ]] \
    || fail "declined replacement changed the key"

# A management key from a file: the factory key's 48 hex digits work in the card's own algorithm
# (3DES on 5.4, AES-192 on 5.7); a key of the wrong length for it is a usage error, a wrong key of
# the right length is refused by the card, and neither leaves a key behind.
expect_rc 2 "$B" key generate --slot 9a --pin-source "$(secret 123456)" --management-key-source "$(secret "$(printf '01%.0s' {1..32})")"
expect_rc 4 "$B" key generate --slot 9a --pin-source "$(secret 123456)" --management-key-source "$(secret "$(printf '02%.0s' {1..24})")"
"$B" key generate --slot 9e --algorithm ECCP256 --pin-policy once --touch-policy never --pin-source "$(secret 123456)" \
    --management-key-source "$(secret 010203040506070801020304050607080102030405060708)" >/dev/null || fail "generate with a key file"
st=$("$B" token status --json)
[[ $(jq -r '.slots[] | select(.slot=="9a") | .key' <<<"$st") == null ]] || fail "a refused management key left a key in 9a"
[[ $(jq -r '.slots[] | select(.slot=="9e") | .key.algorithm' <<<"$st") == ECCP256 ]] || fail "9e: $st"
[[ $(jq -r .pin_retries <<<"$st") == 3 ]] || fail "management key failures must not cost PIN tries"

# A wrong PIN is reported as such (exit 4) and not retried.
expect_rc 4 "$B" key generate --slot 9a --pin-source "$(secret 654321)"
status=$("$B" token status --json)
[[ $(jq -r .pin_retries <<<"$status") == 2 ]] || fail "wrong PIN should cost exactly one try"
[[ $(jq -r '.slots[] | select(.slot=="9a") | .key' <<<"$status") == null ]] || fail "a wrong PIN must not leave a key behind"

# PKCS#11 modules see the key through the stored certificate (OpenSC's PIV driver).
objects=$(pkcs11-tool --module /usr/lib/x86_64-linux-gnu/opensc-pkcs11.so --list-objects 2>&1) || fail "pkcs11-tool: $objects"
grep -q "CN=otasign manifest signing key (slot 9c)" <<<"$objects" || fail "certificate not listed: $objects"
grep -q "EC_POINT 384 bits" <<<"$objects" || fail "public key not listed: $objects"

# Attestation.
"$B" key attest --slot 9c -o "$WORK/att.pem" || fail "key attest"
[[ $(grep -c "BEGIN CERTIFICATE" "$WORK/att.pem") == 2 ]] || fail "attestation file should hold 2 certificates"
expect_rc 3 "$B" key attest --slot 9c -o "$WORK/att.pem"   # never overwritten (exit 3, as everywhere)
expect_rc 4 "$B" key attest --slot 9d -o "$WORK/empty.pem"  # empty slot: nothing to attest
report=$("$B" key verify-attestation "$WORK/att.pem" --roots "$FIXTURE_ROOTS" --json) || fail "verify-attestation"
[[ $(jq -r .key_id <<<"$report") == "$key_id" ]] || fail "attested key id: $report"
[[ $(jq -r .pin_policy <<<"$report") == always ]] || fail "attested pin policy: $report"
[[ $(jq -r .touch_policy <<<"$report") == always ]] || fail "attested touch policy: $report"
[[ $(jq -r .origin <<<"$report") == generated ]] || fail "attested origin: $report"
[[ $(jq -r .slot <<<"$report") == 9c ]] || fail "attested slot: $report"
[[ $(jq -r .serial <<<"$report") == "$VIRTUAL_PIV_SERIAL" ]] || fail "attested serial: $report"

# The test card is not a Yubico device: otasign's shipped roots must not accept it.
expect_rc 1 "$B" key verify-attestation "$WORK/att.pem" --roots "$OTASIGN_SOURCE_DIR/ceremony/roots"
# Roots are found only where they are installed (the path --help names), never by searching
# from the binary: a build tree inside the checkout, beside ceremony/roots, has none.
installed_roots=$("$B" key verify-attestation --help | sed -n 's/.*(default: \(.*\))$/\1/p')
[[ -n $installed_roots ]] || fail "verify-attestation --help names no default roots"
[[ -e $installed_roots ]] || expect_rc 3 "$B" key verify-attestation "$WORK/att.pem"

# Tampered chain: the f9 certificate replaced by the root itself.
awk '/BEGIN CERTIFICATE/{n++} n==1' "$WORK/att.pem" > "$WORK/tampered.pem"
cat "$VIRTUAL_PIV_ROOT_CA" >> "$WORK/tampered.pem"
expect_rc 1 "$B" key verify-attestation "$WORK/tampered.pem" --roots "$FIXTURE_ROOTS"
# Tampered leaf: one byte of the attested public key flipped.
python3 - "$WORK/att.pem" "$WORK/flipped.pem" <<'PY'
import base64, re, sys
pems = re.findall(r"-----BEGIN CERTIFICATE-----\n(.*?)-----END CERTIFICATE-----", open(sys.argv[1]).read(), re.S)
der = bytearray(base64.b64decode("".join(pems[0].split())))
der[len(der) // 2] ^= 0x01
out = ""
for d in (bytes(der), base64.b64decode("".join(pems[1].split()))):
    b = base64.b64encode(d).decode()
    out += "-----BEGIN CERTIFICATE-----\n" + "\n".join(b[i:i+64] for i in range(0, len(b), 64)) + "\n-----END CERTIFICATE-----\n"
open(sys.argv[2], "w").write(out)
PY
rc=0; "$B" key verify-attestation "$WORK/flipped.pem" --roots "$FIXTURE_ROOTS" || rc=$?
[[ $rc == 1 || $rc == 3 ]] || fail "flipped attestation: expected exit 1 or 3, got $rc"

echo "token_generate: all checks passed"
