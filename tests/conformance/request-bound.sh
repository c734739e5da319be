#!/usr/bin/env bash
# REQUEST-FORMAT.md section 2 step 1: a signing request of exactly 100663296 bytes (96 MiB) is
# read, one byte more is refused unread (exit 3), by otasign and by the second verifier alike.
# Not a published vector: the files are 96 MiB; they are made here from a positive vector
# padded with trailing white space (which strict JSON allows after the value).
set -euo pipefail
python=$1 vectors=$2 verify_py=$3 otasign=$4
bound=100663296
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
req=$vectors/cases/ok-request-previous-policy/request.json
size=$(stat -c %s "$req")
{ cat "$req"; head -c $((bound - size)) /dev/zero | tr '\0' ' '; } > "$work/at-bound.json"
[[ $(stat -c %s "$work/at-bound.json") == "$bound" ]] || { echo "FAIL: could not build the file"; exit 1; }
cp "$work/at-bound.json" "$work/over-bound.json"
printf ' ' >> "$work/over-bound.json"
fails=0
check() {  # WANT NAME COMMAND...
    local want=$1 name=$2 got=0
    shift 2
    "$@" > "$work/out" 2> "$work/err" || got=$?
    if [[ $got != "$want" ]]; then
        echo "FAIL: $name: exit $got, expected $want"; tail -3 "$work/err"; fails=$((fails + 1))
    else
        echo "ok   $name"
    fi
}
for f in at-bound:0 over-bound:3; do
    check "${f#*:}" "otasign request show ${f%:*}" "$otasign" request show "$work/${f%:*}.json" --json
    cp "$work/out" "$work/${f%:*}.out"
    check "${f#*:}" "verify.py request show ${f%:*}" "$python" "$verify_py" request show "$work/${f%:*}.json" --json
done
# The accepted one is the padded request: its sha256 is over all of its bytes.
[[ $(jq -r .sha256 "$work/at-bound.out") == $(sha256sum < "$work/at-bound.json" | cut -d' ' -f1) ]] ||
    { echo "FAIL: the request's sha256 is not over the file's bytes"; fails=$((fails + 1)); }
[[ $fails == 0 ]] || exit 1
echo "PASS: the 96 MiB request bound holds in otasign and verify.py"
