#!/bin/bash
# `otasign canonicalize` and `otasign digest` as an operator runs them: stdin and files, -o,
# exit codes, messages naming file:line:column and pointer, limits, --help.
set -u
bin="$OTASIGN_BIN"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
expect_exit() {  # expect_exit CODE CMD...
    local want="$1"; shift
    "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    [ "$rc" -eq "$want" ] || fail "'$*' exited $rc, want $want: $(cat "$tmp/err")"
}

printf '{ "b" : [1.0, 2e1], "a" : "\\u00e9" }\n' >"$tmp/doc.json"
want='{"a":"é","b":[1,20]}'

expect_exit 0 "$bin" canonicalize "$tmp/doc.json"
[ "$(cat "$tmp/out")" = "$want" ] || fail "canonicalize FILE: got '$(cat "$tmp/out")'"
[ "$(tail -c 1 "$tmp/out" | od -An -tx1 | tr -d ' ')" = "7d" ] || fail "canonicalize must not add a trailing newline"

expect_exit 0 "$bin" canonicalize - <"$tmp/doc.json"
[ "$(cat "$tmp/out")" = "$want" ] || fail "canonicalize - (stdin)"

expect_exit 0 "$bin" canonicalize "$tmp/doc.json" -o "$tmp/c.json"
[ ! -s "$tmp/out" ] || fail "-o must leave stdout empty"
[ "$(cat "$tmp/c.json")" = "$want" ] || fail "-o content"
ls "$tmp" | grep -v -E '^(doc.json|c.json|out|err)$' && fail "-o left a temporary file behind"

# A failed run leaves an existing -o target as it was.
printf 'old' >"$tmp/keep.json"
printf '{"a":1,"a":2}' >"$tmp/dup.json"
expect_exit 3 "$bin" canonicalize "$tmp/dup.json" -o "$tmp/keep.json"
[ "$(cat "$tmp/keep.json")" = old ] || fail "failed canonicalize changed the -o target"
grep -q "dup.json:1:8: duplicate object key \"a\" (at JSON pointer /a, byte 7)" "$tmp/err" ||
    fail "duplicate key message: $(cat "$tmp/err")"
grep -q '^otasign: error: ' "$tmp/err" || fail "errors start with 'otasign: error: '"

printf '{\n  "release": {\n    "id": tru\n  }\n}\n' >"$tmp/bad.json"
expect_exit 3 "$bin" digest "$tmp/bad.json"
grep -q "bad.json:3:11: .*invalid literal.*(at JSON pointer /release/id, byte 27)" "$tmp/err" ||
    fail "syntax error message: $(cat "$tmp/err")"

expect_exit 0 "$bin" digest "$tmp/doc.json"
printf '%s' "$want" | sha256sum | awk '{print "sha256:" $1}' >"$tmp/want_digest"
cmp -s "$tmp/out" "$tmp/want_digest" || fail "digest: got '$(cat "$tmp/out")', want '$(cat "$tmp/want_digest")'"
expect_exit 0 "$bin" digest - <"$tmp/doc.json"
cmp -s "$tmp/out" "$tmp/want_digest" || fail "digest -"

# Limits.
printf '[[[1]]]' >"$tmp/deep.json"
expect_exit 3 "$bin" canonicalize --max-depth 2 "$tmp/deep.json"
grep -q "nesting deeper than 2" "$tmp/err" || fail "--max-depth message: $(cat "$tmp/err")"
expect_exit 0 "$bin" canonicalize --max-depth 3 "$tmp/deep.json"
expect_exit 3 "$bin" canonicalize --max-bytes 6 "$tmp/deep.json"
expect_exit 0 "$bin" canonicalize --max-bytes 7 "$tmp/deep.json"
expect_exit 3 "$bin" canonicalize --max-bytes 6 - <"$tmp/deep.json"

# Unreadable input is invalid input (3); bad flags are usage errors (2).
expect_exit 3 "$bin" canonicalize "$tmp/missing.json"
grep -q "missing.json" "$tmp/err" || fail "missing file message names the file"
expect_exit 3 "$bin" digest "$tmp"
expect_exit 2 "$bin" canonicalize
expect_exit 2 "$bin" canonicalize --max-depth x "$tmp/doc.json"

for cmd in canonicalize digest; do
    expect_exit 0 "$bin" "$cmd" --help
    grep -q "Example:" "$tmp/out" && grep -q "otasign $cmd" "$tmp/out" || fail "$cmd --help lacks an example"
    grep -q "Usage: otasign $cmd" "$tmp/out" || fail "$cmd --help lacks a synopsis"
done

[ "$failures" -eq 0 ] && echo "cli: all checks passed"
[ "$failures" -eq 0 ]
