#!/usr/bin/env bash
# otasign validate / diff on the example manifests: exit codes, messages that name
# FILE:LINE:COL and the JSON pointer, --json, the diff snapshot, colour rules, and every
# invalid example producing exactly the problems recorded in its .expect file
# ("LINE:COL RULE "POINTER"" per line).
set -u
BIN=${OTASIGN_BIN:?}
EX=${OTASIGN_SOURCE_DIR:?}/schemas/examples
SNAP=${OTASIGN_SOURCE_DIR}/tests/manifest/snapshots
command -v jq >/dev/null || { echo "SKIP: jq is not installed"; exit 77; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

cd "$EX" || exit 1

# Valid examples.
for f in release-1.json release-2.json; do
    out=$("$BIN" validate "$f" 2>"$WORK/err"); rc=$?
    [ $rc -eq 0 ] || fail "validate $f: exit $rc, want 0: $(cat "$WORK/err")"
    [[ "$out" =~ ^"$f: valid (sha256:"[0-9a-f]{64}")"$ ]] || fail "validate $f printed '$out'"
    "$BIN" validate --json "$f" >"$WORK/v.json"; rc=$?
    [ $rc -eq 0 ] || fail "validate --json $f: exit $rc"
    jq -e --arg f "$f" '.file == $f and .valid == true and (.digest | test("^sha256:[0-9a-f]{64}$")) and .problems == []' \
        "$WORK/v.json" >/dev/null || fail "validate --json $f: $(cat "$WORK/v.json")"
done
# The digest printed is the same in both forms.
d_text=$("$BIN" validate release-2.json | sed -E 's/.*\((sha256:[0-9a-f]+)\)$/\1/')
d_json=$("$BIN" validate --json release-2.json | jq -r .digest)
[ "$d_text" = "$d_json" ] || fail "digest differs between text ($d_text) and --json ($d_json)"

# Invalid examples: exit 3, exactly the expected problems, messages naming file:line:col and pointer.
n=0
for f in invalid/*.json; do
    n=$((n + 1))
    exp=${f%.json}.expect
    [ -s "$exp" ] || { fail "$f has no expectation file"; continue; }
    "$BIN" validate --json "$f" >"$WORK/p.json"; rc=$?
    [ $rc -eq 3 ] || fail "validate --json $f: exit $rc, want 3"
    jq -e '.valid == false and .digest == null' "$WORK/p.json" >/dev/null || fail "$f: valid/digest wrong in --json"
    jq -r '.problems[] | "\(.line):\(.column) \(.rule) \(.pointer|@json)"' "$WORK/p.json" >"$WORK/got"
    diff -u "$exp" "$WORK/got" >"$WORK/d" || fail "$f: problems differ from $exp:
$(cat "$WORK/d")"
    "$BIN" validate "$f" >"$WORK/out" 2>"$WORK/err"; rc=$?
    [ $rc -eq 3 ] || fail "validate $f: exit $rc, want 3"
    [ -s "$WORK/out" ] && fail "validate $f wrote to stdout"
    while read -r pos rule ptr; do
        ptr=$(jq -rn "$ptr")
        shown=${ptr:-/}
        grep -qF -- "$f:$pos: " "$WORK/err" && grep -qF -- "(at $shown)" "$WORK/err" ||
            fail "validate $f: stderr lacks '$f:$pos: ... (at $shown)' for $rule:
$(cat "$WORK/err")"
    done <"$exp"
    grep -q "^otasign: error: $f: [0-9]* problems\?$" "$WORK/err" || fail "validate $f: no summary line"
done
[ $n -ge 15 ] || fail "only $n invalid examples"

# A syntax error at the root: the JSON pointer member is "" (not the quoted text of the
# message), and standard input is called <stdin>.
ptr=$(printf '{' | "$BIN" validate - --json | jq -r '.problems[0].pointer')
[ "$ptr" = "" ] || fail "validate --json: root pointer is '$ptr', want ''"
[ "$(printf '{' | "$BIN" validate - --json | jq -r .file)" = "<stdin>" ] || fail "validate --json: stdin not named <stdin>"

# A file that cannot be read is invalid input too.
"$BIN" validate "$WORK/absent.json" 2>"$WORK/err"; rc=$?
[ $rc -eq 3 ] || fail "validate of a missing file: exit $rc, want 3"

# Diff: the stable text form, compared exactly; JSON with the same risks.
"$BIN" diff release-1.json release-2.json --at 2026-11-23T12:00:00Z --color never >"$WORK/diff.txt"; rc=$?
[ $rc -eq 0 ] || fail "diff: exit $rc"
diff -u "$SNAP/release-1-to-2.txt" "$WORK/diff.txt" >"$WORK/d" || fail "diff text differs from snapshot:
$(cat "$WORK/d")"
"$BIN" diff release-1.json release-2.json --at 2026-11-23T12:00:00Z --json >"$WORK/diff.json"; rc=$?
[ $rc -eq 0 ] || fail "diff --json: exit $rc"
diff -u "$SNAP/release-1-to-2.json" "$WORK/diff.json" >"$WORK/d" || fail "diff JSON differs from snapshot:
$(cat "$WORK/d")"
text_risks=$(sed -n '/^RISKS/,/^$/p' "$WORK/diff.txt" | sed -nE 's/^  \[[a-z]+\] +([a-z-]+): .*/\1/p')
json_risks=$(jq -r '.diff.risks[].code' "$WORK/diff.json")
[ "$text_risks" = "$json_risks" ] || fail "risks differ: text '$text_risks' json '$json_risks'"
for code in channel-widened rollout-jump eligibility-broadened; do
    grep -q "$code" <<<"$text_risks" || fail "diff does not flag $code"
done
jq -e '.old.file == "release-1.json" and .new.file == "release-2.json"' "$WORK/diff.json" >/dev/null ||
    fail "diff --json lacks old/new files"

# Options change the verdict.
"$BIN" diff release-1.json release-2.json --at 2026-11-23T12:00:00Z --json --max-rollout-step 40 |
    jq -e '[.diff.risks[].code] | index("rollout-jump") == null' >/dev/null || fail "--max-rollout-step 40 still flags the jump"
"$BIN" diff release-1.json release-2.json --at 2026-11-23T12:00:00Z --json --max-expiry-days 30 |
    jq -e '[.diff.risks[].code] | index("expiry-too-long") != null' >/dev/null || fail "--max-expiry-days 30 does not flag"
"$BIN" diff release-1.json release-2.json --at 2027-06-01T00:00:00Z --json |
    jq -e '[.diff.risks[] | select(.code == "expired") | .severity] == ["high"]' >/dev/null || fail "an expired manifest is not flagged as high"
# Swapped order: a downgrade shows the rollback and version risks.
"$BIN" diff release-2.json release-1.json --at 2026-11-23T12:00:00Z --color never >"$WORK/back.txt"
for code in rollback-index-decreased version-not-increased; do
    grep -q "\[high\]   $code: " "$WORK/back.txt" || fail "downgrade diff does not flag $code"
done

# First release: a full summary.
"$BIN" diff release-2.json --at 2026-11-23T12:00:00Z --color never >"$WORK/first.txt"; rc=$?
[ $rc -eq 0 ] || fail "first-release diff: exit $rc"
grep -q '^First release' "$WORK/first.txt" || fail "first-release diff lacks its banner"

# Colour: never on a pipe with auto, never with NO_COLOR, always when asked.
"$BIN" diff release-1.json release-2.json --at 2026-11-23T12:00:00Z | grep -q $'\x1b' && fail "auto colour on a pipe"
NO_COLOR=1 "$BIN" diff release-1.json release-2.json --at 2026-11-23T12:00:00Z | grep -q $'\x1b' && fail "colour despite NO_COLOR"
"$BIN" diff release-1.json release-2.json --at 2026-11-23T12:00:00Z --color always | grep -q $'\x1b\[' || fail "--color always has no colour"

# Bad input to diff.
"$BIN" diff release-1.json invalid/path-dotdot.json 2>"$WORK/err"; rc=$?
[ $rc -eq 3 ] || fail "diff with an invalid manifest: exit $rc, want 3"
grep -qF "invalid/path-dotdot.json:50:15: " "$WORK/err" || fail "diff error does not name file:line:col: $(cat "$WORK/err")"
"$BIN" diff release-1.json release-2.json --at yesterday 2>/dev/null; rc=$?
[ $rc -eq 2 ] || fail "diff --at yesterday: exit $rc, want 2"
"$BIN" diff a.json b.json c.json 2>/dev/null; rc=$?
[ $rc -eq 2 ] || fail "diff with three files: exit $rc, want 2"

if [ $fails -ne 0 ]; then echo "$fails failure(s)"; exit 1; fi
echo "ok: $n invalid examples, diff snapshot, colour rules"
