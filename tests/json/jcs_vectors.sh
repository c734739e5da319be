#!/bin/bash
# The RFC 8785 test vectors (cyberphone/json-canonicalization): otasign's output is byte-exact
# against output/ and outhex/, and canonicalizing the output again changes nothing.
set -u
jcs="${OTASIGN_CORPORA_DIR:-}/jcs"
if [ ! -d "$jcs/input" ]; then
    echo "NOTICE: RFC 8785 vectors not found at '$jcs'; skipping" >&2
    exit 77
fi
bin="$OTASIGN_BIN"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
failures=0 count=0
for f in "$jcs"/input/*.json; do
    name="$(basename "$f" .json)"
    count=$((count + 1))
    if ! "$bin" canonicalize "$f" -o "$tmp/$name.json"; then
        echo "FAIL: $name: otasign canonicalize failed" >&2; failures=$((failures + 1)); continue
    fi
    cmp -s "$tmp/$name.json" "$jcs/output/$name.json" || { echo "FAIL: $name differs from output/" >&2; failures=$((failures + 1)); }
    if [ -f "$jcs/outhex/$name.txt" ]; then
        want_hex="$(tr -d ' \n\r' <"$jcs/outhex/$name.txt" | tr 'A-F' 'a-f')"
        got_hex="$(od -An -v -tx1 "$tmp/$name.json" | tr -d ' \n')"
        [ "$got_hex" = "$want_hex" ] || { echo "FAIL: $name differs from outhex/" >&2; failures=$((failures + 1)); }
    fi
    "$bin" canonicalize "$tmp/$name.json" >"$tmp/$name.again" && cmp -s "$tmp/$name.json" "$tmp/$name.again" ||
        { echo "FAIL: $name: canonical form is not idempotent" >&2; failures=$((failures + 1)); }
    # digest is the SHA-256 of exactly those bytes.
    want_digest="sha256:$(sha256sum "$jcs/output/$name.json" | cut -d' ' -f1)"
    [ "$("$bin" digest "$f")" = "$want_digest" ] || { echo "FAIL: $name: digest" >&2; failures=$((failures + 1)); }
done
[ "$count" -gt 0 ] || { echo "FAIL: no vectors in $jcs/input" >&2; exit 1; }
echo "checked $count vectors, failures=$failures"
[ "$failures" -eq 0 ]
