#!/usr/bin/env bash
# From a fresh Debian 12 machine: install, build, and run otasign's main job end to end on a
# SoftHSM token created for the demo: two operators co-sign release-2.json (previous
# release-1.json) with two different keys, CI verifies, an auditor checks the evidence.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

install_missing_packages
build_dir=${OTASIGN_BUILD_DIR:-$OTASIGN_ROOT/build}
log "building $build_dir"
build_otasign "$build_dir"
otasign=$build_dir/cli/otasign
examples=$OTASIGN_ROOT/schemas/examples

out=${OTASIGN_DEMO_DIR:-$(mktemp -d /tmp/otasign-demo.XXXXXX)}
mkdir -p "$out"
log "demo directory: $out"
cd "$out"

for m in release-1.json release-2.json; do
  cp "$examples/$m" .
  log "otasign validate $m"
  "$otasign" validate "$m"
done

# A throw-away SoftHSM token with P-256 and P-384 keys (user PIN 123456), inside $out.
source "$OTASIGN_ROOT/tests/lib/softhsm.sh"
rm -rf "$out/hsm"
softhsm_token_init "$out/hsm"
module=(--module "$SOFTHSM_MODULE")
alice_key="pkcs11:token=$SOFTHSM_LABEL;object=p256"
bob_key="pkcs11:token=$SOFTHSM_LABEL;object=p384"
printf '%s\n' "$SOFTHSM_USER_PIN" > pin && chmod 600 pin
log "SoftHSM token '$SOFTHSM_LABEL' ready (SOFTHSM2_CONF=$SOFTHSM2_CONF)"

log "exporting the two operators' public keys"
rm -rf alice.pem bob.pem policy.json release-2.json.sig evidence.log.jsonl ledger
"$otasign" key export "${module[@]}" --key "$alice_key" -o alice.pem
"$otasign" key export "${module[@]}" --key "$bob_key" -o bob.pem

log "trust policy: the manifest role needs 2 of {alice, bob}"
"$otasign" policy init policy.json
"$otasign" policy add-key policy.json --role manifest --public-key alice.pem --name alice
"$otasign" policy add-key policy.json --role manifest --public-key bob.pem --name bob
"$otasign" policy threshold policy.json --role manifest 2
"$otasign" policy show policy.json

digest=$("$otasign" digest release-2.json)
log "canonical digest of release-2.json: $digest"

# --ledger: the demo's own workstation ledger, never the one of the account running it.
log "operator alice reviews the diff and signs (--approve, PIN from file:pin)"
"$otasign" sign release-2.json "${module[@]}" --key "$alice_key" --previous release-1.json --policy policy.json \
  --approve "$digest" --accept-risk channel-widened --pin-source file:pin --operator alice \
  --ledger ledger

log "CI gate with one signature (expected to fail: threshold 2)"
if "$otasign" verify release-2.json --policy policy.json --previous release-1.json; then
  die "verify passed with one signature of two"
fi

log "operator bob co-signs with a second key"
"$otasign" sign release-2.json "${module[@]}" --key "$bob_key" --previous release-1.json --policy policy.json \
  --approve "$digest" --accept-risk channel-widened --pin-source file:pin --operator bob \
  --ledger ledger

log "CI gate: otasign verify"
"$otasign" verify release-2.json --policy policy.json --previous release-1.json

log "auditor: the evidence log"
"$otasign" evidence verify evidence.log.jsonl --policy policy.json
"$otasign" evidence show evidence.log.jsonl --index 1

log "done. Files in $out:"
log "  manifest          $out/release-2.json (previous: release-1.json)"
log "  trust policy      $out/policy.json"
log "  signature bundle  $out/release-2.json.sig (2 signatures)"
log "  evidence log      $out/evidence.log.jsonl"
log "  ledger            $out/ledger (what this workstation signed)"
log "  SoftHSM token     $out/hsm (SOFTHSM2_CONF=$SOFTHSM2_CONF)"
log "to sign release-2.json interactively yourself on this token (PIN 123456), see README.md,"
log "'Try it: sign interactively on the demo's token', with: cd $out"
