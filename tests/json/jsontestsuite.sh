#!/bin/bash
# JSONTestSuite through the otasign binary: every n_ case exits exactly 3 (a rejection, not a
# crash), every y_ case exits 0 unless y_rejected.tsv names it (then exactly 3), every i_ case
# does what i_cases.tsv decides, and test_transform matches transform_cases.tsv.
set -u
suite="${OTASIGN_CORPORA_DIR:-}/jsontestsuite"
if [ ! -d "$suite/test_parsing" ]; then
    echo "NOTICE: JSONTestSuite not found at '$suite'; skipping" >&2
    exit 77
fi
here="$(cd "$(dirname "$0")" && pwd)"
bin="$OTASIGN_BIN"
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# table FILE: the first column of a tab-separated table, comments skipped.
decision() { awk -F'\t' -v f="$2" '!/^#/ && $1 == f { print $2; found = 1 } END { if (!found) print "" }' "$1"; }

run() {  # run FILE -> sets rc, out
    out="$("$bin" canonicalize "$1" 2>/tmp/otasign-jts-err.$$)"
    rc=$?
}
trap 'rm -f /tmp/otasign-jts-err.$$' EXIT

counts_n=0 counts_y=0 counts_i=0 counts_t=0
for f in "$suite"/test_parsing/*.json; do
    name="$(basename "$f")"
    run "$f"
    case "$name" in
        n_*)
            counts_n=$((counts_n + 1))
            [ "$rc" -eq 3 ] || fail "$name: exit $rc, want 3 (rejected)"
            ;;
        y_*)
            counts_y=$((counts_y + 1))
            if [ -n "$(decision "$here/y_rejected.tsv" "$name")" ]; then
                [ "$rc" -eq 3 ] || fail "$name: exit $rc, want 3 (listed in y_rejected.tsv)"
            else
                [ "$rc" -eq 0 ] || fail "$name: exit $rc, want 0: $(head -c 300 /tmp/otasign-jts-err.$$)"
            fi
            ;;
        i_*)
            counts_i=$((counts_i + 1))
            want="$(decision "$here/i_cases.tsv" "$name")"
            case "$want" in
                accept) [ "$rc" -eq 0 ] || fail "$name: exit $rc, i_cases.tsv says accept" ;;
                reject) [ "$rc" -eq 3 ] || fail "$name: exit $rc, i_cases.tsv says reject (exit 3)" ;;
                *) fail "$name: not decided in i_cases.tsv" ;;
            esac
            ;;
    esac
done
# Tables must not name files the corpus lacks (a renamed case would otherwise go unchecked).
for table in i_cases.tsv y_rejected.tsv; do
    while IFS=$'\t' read -r name _; do
        case "$name" in '#'* | '') continue ;; esac
        [ -f "$suite/test_parsing/$name" ] || fail "$table names $name, which the corpus lacks"
    done <"$here/$table"
done

if [ -d "$suite/test_transform" ]; then
    for f in "$suite"/test_transform/*.json; do
        name="$(basename "$f")"
        counts_t=$((counts_t + 1))
        want="$(decision "$here/transform_cases.tsv" "$name")"
        run "$f"
        if [ -z "$want" ]; then
            fail "$name: not listed in transform_cases.tsv"
        elif [ "$want" = reject ]; then
            [ "$rc" -eq 3 ] || fail "$name: exit $rc, want 3"
        else
            got="$out"
            case "$want" in hex:*) want="${want#hex:}"; got="$(printf '%s' "$out" | od -An -v -tx1 | tr -d ' \n')" ;; esac
            [ "$rc" -eq 0 ] && [ "$got" = "$want" ] || fail "$name: exit $rc, output '$got', want '$want'"
        fi
    done
fi

echo "checked n_=$counts_n y_=$counts_y i_=$counts_i transform=$counts_t, failures=$failures"
[ "$failures" -eq 0 ]
