#!/usr/bin/env bash
# schemas/vectors/generate.py is the vectors' source: a fresh run (new keys, new signatures) must
# give the committed cases with the same expectations, and otasign must agree with them.
set -euo pipefail
python=$1 vectors=$2 otasign=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$python" "$vectors/generate.py" "$work" > /dev/null
cmp "$vectors/cases/index.json" "$work/cases/index.json" ||
    { echo "FAIL: regenerated cases differ from the committed ones (run generate.py and commit)"; exit 1; }
for d in "$vectors"/cases/*/; do
    name=$(basename "$d")
    cmp -s <(jq -S 'del(.args)' "$d/case.json") <(jq -S 'del(.args)' "$work/cases/$name/case.json") ||
        { echo "FAIL: $name: the committed expectation differs from the generator's"; exit 1; }
done
"$python" "$(dirname "$0")/run.py" "$work" "$otasign" | tail -1
echo "PASS: the generator reproduces every case and otasign agrees with the fresh vectors"
