#!/usr/bin/env bash
# otasign manifest create: the pipeline's manifest from a template and a directory. Every file
# becomes an artifact, links and special files are refused, nothing is skipped silently, the
# version and rollback index never go down from --previous, and nothing is ever overwritten.
set -euo pipefail
: "${OTASIGN_BIN:?}" "${OTASIGN_SOURCE_DIR:?}"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
fail() { echo "FAIL: $*" >&2; exit 1; }
expect() {
    local want=$1; shift
    local rc=0
    "$@" >stdout.txt 2>err || rc=$?
    [[ $rc -eq $want ]] || { cat stdout.txt err; fail "expected exit $want, got $rc: $*"; }
}
has() { grep -q -- "$1" "${2:-err}" || { cat stdout.txt err; fail "expected '$1'"; }; }
otasign() { "$OTASIGN_BIN" "$@"; }
C=(--created 2026-11-20T09:00:00Z)

cp "$OTASIGN_SOURCE_DIR/schemas/examples/release-1.json" .
jq 'del(.artifacts, .created, .rollbackIndex) | .release.version = "1.5.0"
    | .artifactRoles = {"images/system.img": "system-image", "images/boot.img": "boot-image"}' \
    "$OTASIGN_SOURCE_DIR/schemas/examples/release-2.json" > tpl.json
mkdir -p out/images
head -c 300000 /dev/urandom > out/images/system.img
head -c 4096 /dev/urandom > out/images/boot.img

expect 0 otasign manifest create "${C[@]}" --template tpl.json --artifacts out --previous release-1.json \
    --sha512 -o new.json
expect 0 otasign validate new.json
[[ $(jq -r .rollbackIndex new.json) == "$(jq -r .rollbackIndex release-1.json)" ]] || fail "rollbackIndex not taken from --previous"
[[ $(jq -r .created new.json) == 2026-11-20T09:00:00Z ]] || fail "created not set"
[[ $(jq -r '.artifacts[] | select(.path == "images/system.img") | .sha256' new.json) == "$(sha256sum < out/images/system.img | cut -d' ' -f1)" ]] || fail "sha256"
[[ $(jq -r '.artifacts[] | select(.path == "images/boot.img") | .sha512' new.json) == "$(sha512sum < out/images/boot.img | cut -d' ' -f1)" ]] || fail "sha512"
[[ $(jq -r '.artifacts[] | select(.path == "images/boot.img") | .size' new.json) == 4096 ]] || fail "size"
# never overwritten
before=$(sha256sum < new.json)
expect 3 otasign manifest create "${C[@]}" --template tpl.json --artifacts out --previous release-1.json -o new.json
[[ $(sha256sum < new.json) == "$before" ]] || fail "an existing manifest was overwritten"

# the rollback index never goes lower; the version must go up
low=$(( $(jq -r .rollbackIndex release-1.json) - 1 ))
expect 1 otasign manifest create "${C[@]}" --template tpl.json --artifacts out --previous release-1.json --rollback-index "$low" -o low.json
has "is below the previous release's"
jq '.release.version = "1.4.0"' tpl.json > same.json
expect 1 otasign manifest create "${C[@]}" --template same.json --artifacts out --previous release-1.json -o s.json
has "is not above the previous release's"
[[ ! -e low.json && ! -e s.json ]] || fail "a refused create wrote a file"
expect 2 otasign manifest create "${C[@]}" --template tpl.json --artifacts out --rollback-index -1 -o x.json
expect 3 otasign manifest create "${C[@]}" --template tpl.json --artifacts out -o x.json
has "no rollbackIndex"

# nothing is skipped silently, links and special files are refused
echo extra > out/images/extra.bin
expect 3 otasign manifest create "${C[@]}" --template tpl.json --artifacts out --rollback-index 50 -o x.json
has "images/extra.bin: no role"
rm out/images/extra.bin
ln -s system.img out/images/link.img
expect 3 otasign manifest create "${C[@]}" --template tpl.json --artifacts out --rollback-index 50 -o x.json
has "a symbolic link"
rm out/images/link.img
mkfifo out/images/pipe
expect 3 otasign manifest create "${C[@]}" --template tpl.json --artifacts out --rollback-index 50 -o x.json
has "not a regular file"
rm out/images/pipe
rm out/images/boot.img
expect 3 otasign manifest create "${C[@]}" --template tpl.json --artifacts out --rollback-index 50 -o x.json
has "images/boot.img, which is not a regular file"
head -c 4096 /dev/urandom > out/images/boot.img
jq '.created = "2026-11-20T09:00:00Z"' tpl.json > filled.json
expect 3 otasign manifest create "${C[@]}" --template filled.json --artifacts out --rollback-index 50 -o x.json
has "manifest create fills in"
expect 3 otasign manifest create "${C[@]}" --template tpl.json --artifacts missing --rollback-index 50 -o x.json
has "no such directory"
[[ ! -e x.json ]] || fail "a refused create wrote a file"

# what it makes verifies its artifacts
expect 0 otasign manifest create "${C[@]}" --template tpl.json --artifacts out --rollback-index 50 -o ok.json
echo "PASS: manifest create"
