#!/usr/bin/env bash
# The auditor's recipe (README.md, schemas/SIGNATURE-FORMAT.md section 7), exactly as written, on
# every signature of every positive conformance vector: an auditor with openssl, jq and coreutils
# can check each of them. And it must be able to fail: a negative vector whose signature object
# names another key than its signer is refused.
set -euo pipefail
src=${OTASIGN_SOURCE_DIR:?}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
extract_recipe() { sed -n '/<!-- recipe:begin -->/,/<!-- recipe:end -->/p' "$1" | sed '/^<!--/d;/^```/d'; }
extract_recipe "$src/README.md" > "$work/recipe.sh"
[[ -s $work/recipe.sh ]] || { echo "FAIL: no recipe in README.md"; exit 1; }
cmp -s "$work/recipe.sh" <(extract_recipe "$src/schemas/SIGNATURE-FORMAT.md") ||
    { echo "FAIL: the recipes in README.md and SIGNATURE-FORMAT.md differ"; exit 1; }

run() {  # CASE_DIR INDEX -> the recipe's exit status
    local d=$1 i=$2
    sed -e "s|^BUNDLE=[^ ]* |BUNDLE=$d/manifest.json.sig |" -e "s|^MANIFEST=[^ ]* |MANIFEST=$d/manifest.json |" \
        -e "s/^I=0 /I=$i /" "$work/recipe.sh" > "$work/r.sh"
    (cd "$work" && bash -euo pipefail r.sh > out 2>&1)
}
n=0
for d in "$src"/schemas/vectors/cases/*/; do
    d=${d%/}
    [[ $(jq -r .expect.exit "$d/case.json") == 0 ]] || continue
    count=$(jq '.signatures | length' "$d/manifest.json.sig")
    for ((i = 0; i < count; i++)); do
        run "$d" "$i" || { cat "$work/out"; echo "FAIL: the recipe rejects $(basename "$d") signature $i"; exit 1; }
        grep -q 'Verified OK' "$work/out" || { echo "FAIL: no 'Verified OK' for $(basename "$d") $i"; exit 1; }
        n=$((n + 1))
    done
done
[[ $n -gt 0 ]] || { echo "FAIL: no positive vectors"; exit 1; }
for bad in fail-object-publickey fail-object-keyid fail-bad-signature; do
    if run "$src/schemas/vectors/cases/$bad" 0; then echo "FAIL: the recipe accepted $bad"; exit 1; fi
done
echo "PASS: the recipe verifies $n signatures of the positive vectors and refuses the negative ones"
