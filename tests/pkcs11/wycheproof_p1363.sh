#!/usr/bin/env bash
# Runs the hidden Wycheproof P1363 test case of test_ecdsa_der; exit 77 (skipped) when the
# corpora are absent, so a missing corpus is never reported as a pass.
set -euo pipefail
bin=$1
dir=${OTASIGN_CORPORA_DIR:-}/wycheproof
if [[ ! -f $dir/ecdsa_secp256r1_sha256_p1363_test.json || ! -f $dir/ecdsa_secp384r1_sha384_p1363_test.json ]]; then
    echo "notice: Wycheproof corpora not found under '$dir'; skipping the P1363 conversion vectors"
    exit 77
fi
exec "$bin" "[wycheproof]"
