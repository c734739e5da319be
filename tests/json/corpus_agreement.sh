#!/bin/bash
# canonicalize_strict against parse_strict + canonicalize on every JSONTestSuite file and RFC 8785
# vector (the hidden [corpus] case of test_json_stream); exit 77 (skipped) when the corpora are
# absent, so a missing corpus is never reported as a pass.
set -u
bin="$1"
for dir in jsontestsuite/test_parsing jsontestsuite/test_transform jcs/input; do
    if [ ! -d "${OTASIGN_CORPORA_DIR:-}/$dir" ]; then
        echo "NOTICE: ${OTASIGN_CORPORA_DIR:-}/$dir not found; skipping" >&2
        exit 77
    fi
done
exec "$bin" "[corpus]"
