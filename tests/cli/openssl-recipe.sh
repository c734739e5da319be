#!/usr/bin/env bash
# Runs the auditor's recipe from README.md exactly as written (the lines between its markers) on a
# bundle made against SoftHSM, for each key type: an auditor with openssl, jq and coreutils can
# check a signature without otasign. schemas/SIGNATURE-FORMAT.md carries the same recipe; the two
# copies must be identical.
source "$(dirname "$0")/common.sh"

extract_recipe() { sed -n '/<!-- recipe:begin -->/,/<!-- recipe:end -->/p' "$1" | sed '/^<!--/d;/^```/d'; }
recipe=$(extract_recipe "$OTASIGN_SOURCE_DIR/README.md")
[[ -n $recipe ]] || fail "no recipe found in README.md"
[[ $recipe == "$(extract_recipe "$OTASIGN_SOURCE_DIR/schemas/SIGNATURE-FORMAT.md")" ]] ||
    fail "the recipes in README.md and schemas/SIGNATURE-FORMAT.md differ"
printf '%s\n' "$recipe" > recipe.sh
extract_chain() { sed -n '/<!-- chain-recipe:begin -->/,/<!-- chain-recipe:end -->/p' "$1" | sed '/^<!--/d;/^```/d'; }
chain=$(extract_chain "$OTASIGN_SOURCE_DIR/README.md")
[[ -n $chain ]] || fail "no chain recipe found in README.md"
[[ $chain == "$(extract_chain "$OTASIGN_SOURCE_DIR/schemas/SIGNATURE-FORMAT.md")" ]] ||
    fail "the chain recipes in README.md and schemas/SIGNATURE-FORMAT.md differ"

sign_approved release-2.json p256 alice --previous release-1.json --accept-risk channel-widened >/dev/null 2>&1 || fail "sign p256"
sign_approved release-2.json p384 bob >/dev/null 2>&1 || fail "co-sign p384"
sign_approved release-2.json rsa2048 carol >/dev/null 2>&1 || fail "co-sign rsa2048"

for i in 0 1 2; do
    { sed "s/^I=0 /I=$i /" recipe.sh; printf '%s\n' "$chain"; } > "recipe-$i.sh"
    out=$(bash -euo pipefail "recipe-$i.sh" 2>&1) || { echo "$out"; fail "the recipes reject signature $i"; }
    grep -q 'Verified OK' <<<"$out" || fail "no 'Verified OK' for signature $i"
done
[[ $(jq -r '.signatures[2].payload | @base64d | fromjson | .statementVersion' release-2.json.sig) == 2 ]] ||
    fail "sign did not write a version-2 statement"

# The chain recipe must be able to fail: the last entry dropped, or two entries swapped.
{ printf '%s\n' "$recipe"; printf '%s\n' "$chain"; } | sed 's/^I=0 /I=2 /' > recipe-chain.sh
head -n 2 evidence.log.jsonl > cut.jsonl
sed 's/^LOG=evidence.log.jsonl /LOG=cut.jsonl /' recipe-chain.sh > recipe-cut.sh
if bash -euo pipefail recipe-cut.sh >/dev/null 2>&1; then fail "the chain recipe accepted a cut log"; fi
{ sed -n 2p evidence.log.jsonl; sed -n 1p evidence.log.jsonl; sed -n 3p evidence.log.jsonl; } > swapped.jsonl
sed 's/^LOG=evidence.log.jsonl /LOG=swapped.jsonl /' recipe-chain.sh > recipe-swap.sh
if bash -euo pipefail recipe-swap.sh >/dev/null 2>&1; then fail "the chain recipe accepted swapped entries"; fi

# Version-1 statements and logs (written before statement version 2) still pass both recipes.
mkdir v1 && cp "$OTASIGN_SOURCE_DIR"/tests/cli/fixtures/v1/{release-2.json.sig,evidence.log.jsonl} v1/
cp release-2.json v1/
for i in 0 1; do
    out=$(cd v1 && bash -euo pipefail "../recipe-$i.sh" 2>&1) || { echo "$out"; fail "the recipes reject version-1 signature $i"; }
    grep -q 'Verified OK' <<<"$out" || fail "no 'Verified OK' for version-1 signature $i"
done

# The recipe must be able to fail: a statement with one changed byte of evidence.
jq -c '.signatures[0].payload |= (@base64d | sub("alice"; "mallo") | @base64)' release-2.json.sig > tampered.sig
sed 's/^BUNDLE=release-2.json.sig /BUNDLE=tampered.sig /' recipe.sh > recipe-bad.sh
if bash -euo pipefail recipe-bad.sh >/dev/null 2>&1; then fail "the recipe accepted tampered evidence"; fi
echo "PASS: the openssl recipes verify P-256, P-384 and RSA-PSS signatures and their log positions, version 1 too, and reject tampering"
