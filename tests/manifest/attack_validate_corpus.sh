#!/usr/bin/env bash
# Every JSONTestSuite input fed to `otasign validate`: whatever the bytes, the answer is
# "valid" (0) or "invalid input" (3) with a diagnostic, never a crash or an internal error.
set -u
BIN=${OTASIGN_BIN:?}
DIR=${OTASIGN_CORPORA_DIR:-}/jsontestsuite/test_parsing
if [ ! -d "$DIR" ]; then
    echo "SKIP: JSONTestSuite corpus not found at $DIR"
    exit 77
fi
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
fails=0
n=0
for f in "$DIR"/*.json; do
    n=$((n + 1))
    "$BIN" validate --json "$f" >"$OUT" 2>/dev/null
    rc=$?
    if [ $rc -ne 3 ]; then
        # None of these files is a manifest, so none may be valid.
        echo "FAIL: $(basename "$f"): exit $rc, want 3"
        fails=$((fails + 1))
    elif ! jq -e '.valid == false and (.problems | length) > 0' "$OUT" >/dev/null; then
        echo "FAIL: $(basename "$f"): no problem reported"
        fails=$((fails + 1))
    fi
done
[ $n -gt 100 ] || { echo "FAIL: only $n corpus files"; exit 1; }
[ $fails -eq 0 ] || { echo "$fails failure(s) in $n files"; exit 1; }
echo "ok: $n files, each rejected with a diagnostic"
