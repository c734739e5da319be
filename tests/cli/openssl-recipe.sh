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

sign_approved release-2.json p256 alice --previous release-1.json >/dev/null 2>&1 || fail "sign p256"
sign_approved release-2.json p384 bob >/dev/null 2>&1 || fail "co-sign p384"
sign_approved release-2.json rsa2048 carol >/dev/null 2>&1 || fail "co-sign rsa2048"

for i in 0 1 2; do
    sed "s/^I=0 /I=$i /" recipe.sh > "recipe-$i.sh"
    out=$(bash -euo pipefail "recipe-$i.sh" 2>&1) || { echo "$out"; fail "the recipe rejects signature $i"; }
    grep -q 'Verified OK' <<<"$out" || fail "no 'Verified OK' for signature $i"
done

# The recipe must be able to fail: a statement with one changed byte of evidence.
jq -c '.signatures[0].payload |= (@base64d | sub("alice"; "mallo") | @base64)' release-2.json.sig > tampered.sig
sed 's/^BUNDLE=release-2.json.sig /BUNDLE=tampered.sig /' recipe.sh > recipe-bad.sh
if bash -euo pipefail recipe-bad.sh >/dev/null 2>&1; then fail "the recipe accepted tampered evidence"; fi
echo "PASS: the openssl recipe verifies P-256, P-384 and RSA-PSS signatures and rejects tampering"
