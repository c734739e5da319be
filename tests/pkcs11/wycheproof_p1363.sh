#!/usr/bin/env bash
# Runs the hidden Wycheproof test cases of test_ecdsa_der (P1363 to DER, RSA-PSS verification); exit 77 (skipped) when the
# corpora are absent, so a missing corpus is never reported as a pass.
set -euo pipefail
bin=$1
dir=${OTASIGN_CORPORA_DIR:-}/wycheproof
if [[ ! -f $dir/ecdsa_secp256r1_sha256_p1363_test.json || ! -f $dir/ecdsa_secp384r1_sha384_p1363_test.json ||
      ! -f $dir/rsa_pss_2048_sha256_mgf1_32_test.json || ! -f $dir/rsa_pss_3072_sha256_mgf1_32_test.json ]]; then
    echo "notice: Wycheproof corpora not found under '$dir'; skipping the P1363 and RSA-PSS vectors"
    exit 77
fi
exec "$bin" "[wycheproof]"
