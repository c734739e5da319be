#!/usr/bin/env bash
# The auditor's recipe (README.md, schemas/SIGNATURE-FORMAT.md section 7), exactly as written, on
# every signature of every positive conformance vector: an auditor with openssl, jq and coreutils
# can check each of them. And it must be able to fail: a negative vector whose signature object
# names another key than its signer is refused.
set -euo pipefail
src=${OTASIGN_SOURCE_DIR:?}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
extract() { sed -n "/<!-- $1:begin -->/,/<!-- $1:end -->/p" "$2" | sed '/^<!--/d;/^```/d'; }
for part in recipe chain-recipe; do
    extract $part "$src/README.md" > "$work/$part.sh"
    [[ -s $work/$part.sh ]] || { echo "FAIL: no $part in README.md"; exit 1; }
    cmp -s "$work/$part.sh" <(extract $part "$src/schemas/SIGNATURE-FORMAT.md") ||
        { echo "FAIL: the ${part}s in README.md and SIGNATURE-FORMAT.md differ"; exit 1; }
done

run() {  # BUNDLE MANIFEST INDEX [LOG] -> the recipe's exit status (with the chain recipe: LOG)
    local b=$1 m=$2 i=$3 log=${4:-}
    { sed -e "s|^BUNDLE=[^ ]* |BUNDLE=$b |" -e "s|^MANIFEST=[^ ]* |MANIFEST=$m |" \
        -e "s/^I=0 /I=$i /" "$work/recipe.sh"
      [[ -z $log ]] || sed -e "s|^LOG=[^ ]* |LOG=$log |" "$work/chain-recipe.sh"; } > "$work/r.sh"
    (cd "$work" && bash -euo pipefail r.sh > out 2>&1)
}
n=0 chained=0
# One jq over every case file: the positive cases, their command and the bundles they pass.
while IFS=$'\t' read -r case_file command bundles; do
    d=$(dirname "$case_file")
    if [[ $command == evidence-verify ]]; then
        # Every signature of every bundle the case passes, with the log: both recipes.
        for b in $bundles; do
            m=$d/${b%.sig}
            count=$(jq '.signatures | length' "$d/$b")
            for ((i = 0; i < count; i++)); do
                run "$d/$b" "$m" "$i" "$d/evidence.log.jsonl" ||
                    { cat "$work/out"; echo "FAIL: the recipes reject $(basename "$d") $b signature $i"; exit 1; }
                grep -q 'Verified OK' "$work/out" || { echo "FAIL: no 'Verified OK' for $(basename "$d") $b $i"; exit 1; }
                n=$((n + 1)) chained=$((chained + 1))
            done
        done
        continue
    fi
    count=$(jq '.signatures | length' "$d/manifest.json.sig")
    for ((i = 0; i < count; i++)); do
        run "$d/manifest.json.sig" "$d/manifest.json" "$i" ||
            { cat "$work/out"; echo "FAIL: the recipe rejects $(basename "$d") signature $i"; exit 1; }
        grep -q 'Verified OK' "$work/out" || { echo "FAIL: no 'Verified OK' for $(basename "$d") $i"; exit 1; }
        n=$((n + 1))
    done
done < <(jq -r 'select(.expect.exit == 0 and .command != "request-show") | [input_filename, .command, ((.args.bundles // []) | join(" "))] | @tsv' \
            "$src"/schemas/vectors/cases/*/case.json)
[[ $chained -gt 0 ]] || { echo "FAIL: no positive evidence vectors"; exit 1; }
[[ $n -gt 0 ]] || { echo "FAIL: no positive vectors"; exit 1; }
V=$src/schemas/vectors/cases
for bad in fail-object-publickey fail-object-keyid fail-bad-signature fail-statement-not-canonical; do
    if run "$V/$bad/manifest.json.sig" "$V/$bad/manifest.json" 0; then echo "FAIL: the recipe accepted $bad"; exit 1; fi
done
# The chain recipe refuses a cut log against the bundle that commits past its end, and a log
# whose entries were swapped.
for bad in fail-evidence-cut-with-bundle fail-evidence-lines-swapped; do
    if run "$V/$bad/release-2.json.sig" "$V/$bad/release-2.json" 1 "$V/$bad/evidence.log.jsonl"; then
        echo "FAIL: the chain recipe accepted $bad"; exit 1
    fi
done
echo "PASS: the recipes verify $n signatures of the positive vectors ($chained with their evidence log) and refuse the negative ones"
