#!/usr/bin/env bash
# wycheproof.sh BIN FILE TAG: runs the hidden Catch test [TAG] of test_wycheproof over
# $OTASIGN_CORPORA_DIR/wycheproof/FILE; exits 77 (skipped) with a notice when the file is absent,
# so a missing corpus is never reported as a pass.
set -euo pipefail
bin=$1 file=$2 tag=$3
dir=${OTASIGN_CORPORA_DIR:-}/wycheproof
if [[ ! -f $dir/$file ]]; then
    echo "notice: Wycheproof file '$dir/$file' not found; skipping [$tag]"
    exit 77
fi
exec "$bin" "[$tag]"
