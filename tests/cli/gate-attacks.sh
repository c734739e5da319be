#!/usr/bin/env bash
# The release gate tried as an attacker would (issue "The release gate, sound"), one named CTest
# case each (gate-attacks.sh CASE, CTest attack-gate-CASE): one key under several encodings, keys
# in both roles, artifacts that block, escape or hide, previous releases that are lower, equal or
# not the one approved, manifests from the future, wrapped integers and oversized bundles. Every
# case must fail closed with the documented exit code.
source "$(dirname "$0")/common.sh"

NOW=(--now 2026-12-01T00:00:00Z)
step() { echo "--- $*"; }
has() { grep -q -- "$1" "${2:-$WORK/err}" || { cat "$WORK/out" "$WORK/err"; fail "expected '$1'"; }; }

# --- one P-256 key, five encodings; one RSA key as rsaEncryption and as RSASSA-PSS
openssl ec -pubin -in p256.pem -pubout -conv_form compressed -out p256-compressed.pem 2>/dev/null
openssl ec -pubin -in p256.pem -pubout -conv_form hybrid -out p256-hybrid.pem 2>/dev/null
openssl ec -pubin -in p256.pem -pubout -param_enc explicit -out p256-explicit.pem 2>/dev/null
rsapub_hex=$(openssl rsa -pubin -in rsa2048.pem -RSAPublicKey_out -outform DER 2>/dev/null | od -An -v -tx1 | tr -d ' \n')
printf 'asn1=SEQUENCE:spki\n[spki]\nalg=SEQUENCE:alg\nkey=FORMAT:HEX,BITSTRING:%s\n[alg]\noid=OID:rsassaPss\n' \
    "$rsapub_hex" > pss.cnf
openssl asn1parse -genconf pss.cnf -noout -out rsa-pss.der
{ echo '-----BEGIN PUBLIC KEY-----'; base64 -w 64 rsa-pss.der; echo '-----END PUBLIC KEY-----'; } > rsa-pss.pem
for f in p256-compressed p256-hybrid p256-explicit; do
    cmp -s <(openssl pkey -pubin -in p256.pem -outform DER 2>/dev/null) \
        <(openssl pkey -pubin -in $f.pem -outform DER 2>/dev/null) && fail "$f is not another encoding"
done
grep -q "$(head -2 rsa2048.pem | tail -1)" rsa-pss.pem && fail "rsa-pss.pem is not another encoding"

# The policy every case starts from: two manifest keys, one release key, threshold 1.
expect 0 otasign policy init policy.json
expect 0 otasign policy add-key policy.json --role manifest --public-key p256.pem --name alice
expect 0 otasign policy add-key policy.json --role manifest --public-key p384.pem --name bob
expect 0 otasign policy add-key policy.json --role release --public-key rsa2048.pem --name rel

variant() {  # variant NAME JQ-FILTER: a signed variant of release-2 (previous release-1)
    jq "$2" release-2.json > "$1.json"
    local accept
    mapfile -t accept < <(accept_high release-1.json "$1.json")
    expect 0 sign_approved "$1.json" p256 alice --previous release-1.json --evidence-log "$1.log" "${accept[@]}"
}
# good.json: release-2 approved over release-1, valid at NOW.
good_release() { variant good '.'; }

case "${1:?case}" in
key-encodings)
    step "policy add-key: the same key in another encoding is the same key"
    for f in p256-compressed p256-hybrid; do
        expect 3 otasign policy add-key policy.json --role manifest --public-key $f.pem --name twice
        has "already in role manifest"
        expect 3 otasign policy add-key policy.json --role release --public-key $f.pem --name twice
        has "already in role manifest"
    done
    expect 3 otasign policy add-key policy.json --role manifest --public-key rsa-pss.pem --name twice
    has "already in role release"
    # A name stands for one key: another key under a name in use is refused, in either role.
    before_names=$(sha256sum policy.json)
    expect 3 otasign policy add-key policy.json --role release --public-key p256-auth.pem --name alice
    has "the name 'alice' is already used by key"
    [[ $(sha256sum policy.json) == "$before_names" ]] || fail "a refused duplicate name changed the policy"
    expect 3 otasign policy add-key policy.json --role manifest --public-key p256-explicit.pem --name x
    has "explicit curve parameters"

    step "a hand-made policy listing one key twice (another encoding) is invalid, exit 3"
    for f in p256-compressed p256-hybrid; do
        jq --rawfile k $f.pem '.roles.manifest.keys += [{"name":"mallory","publicKey":$k}]' policy.json > dup-$f.json
        expect 3 otasign policy show dup-$f.json
        has "listed twice in role manifest"
        jq --rawfile k $f.pem '.roles.release.keys += [{"name":"mallory","publicKey":$k}]' policy.json > both-$f.json
        expect 3 otasign policy show both-$f.json
        has "both the manifest and the release role"
    done
    jq --rawfile k rsa-pss.pem '.roles.manifest.keys += [{"name":"mallory","publicKey":$k}]' policy.json > both-pss.json
    expect 3 otasign policy show both-pss.json
    has "both the manifest and the release role"
    jq --rawfile k p256-explicit.pem '.roles.manifest.keys[0].publicKey = $k' policy.json > explicit.json
    expect 3 otasign policy show explicit.json
    has "explicit curve parameters"
    has "/roles/manifest/keys/0/publicKey"

    step "a publicKey string with two PEM blocks, or a certificate, is refused"
    jq --rawfile a p256.pem --rawfile b p384.pem '.roles.manifest.keys[0].publicKey = ($a + $b)' policy.json > two-pem.json
    expect 3 otasign policy show two-pem.json
    has "more than one PEM block"
    cat p256.pem p384.pem > two.pem
    expect 3 otasign policy add-key policy.json --role manifest --public-key two.pem --name two
    has "more than one PEM block"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null -subj /CN=x -days 1 -out cert.pem 2>/dev/null
    expect 3 otasign policy add-key policy.json --role manifest --public-key cert.pem --name cert
    has "a certificate, not a public key"
    ;;
threshold-encodings)
    step "threshold 2: two signatures by one token key never meet it, whatever their encoding"
    expect 0 otasign policy threshold policy.json --role manifest 2
    expect 0 sign_approved release-2.json p256 alice --signature a1.sig --evidence-log a1.log
    expect 0 sign_approved release-2.json p256 alice --signature a2.sig --evidence-log a2.log
    for f in p256-compressed p256-hybrid; do
        id=$(openssl pkey -pubin -in $f.pem -outform DER 2>/dev/null | sha256sum | cut -d' ' -f1)
        jq --slurpfile b a2.sig --rawfile k $f.pem --arg id "$id" \
           '.signatures += [$b[0].signatures[0] | .publicKey = $k | .keyid = $id]' a1.sig > twice-$f.sig
        expect 1 otasign verify release-2.json --policy policy.json --signature twice-$f.sig "${NOW[@]}"
        has "FAIL  threshold: 1 distinct key of role manifest" "$WORK/out"
    done
    ;;
artifacts)
    step "artifacts: FIFO, /dev/zero, symlink escapes, directories and extra files fail fast"
    mkdir -p art/images outside
    head -c 4096 /dev/urandom > art/images/system.img
    head -c 1000 /dev/urandom > outside/boot.img
    s1=$(sha256sum < art/images/system.img | cut -d' ' -f1)
    s2=$(sha256sum < outside/boot.img | cut -d' ' -f1)
    jq --arg s1 "$s1" --arg s2 "$s2" \
       '.artifacts = [{"path":"images/system.img","role":"system-image","size":4096,"sha256":$s1},
                      {"path":"images/boot.img","role":"boot-image","size":1000,"sha256":$s2}]' release-2.json > art.json
    expect 0 sign_approved art.json p256 alice --evidence-log art.log
    cp outside/boot.img art/images/boot.img
    expect 0 otasign verify art.json --policy policy.json "${NOW[@]}" --artifacts art
    # each hostile boot.img in turn; `timeout` turns a hang into a failure
    hostile() {
        rm -rf art/images/boot.img art/images2
        "$@"
        local rc=0
        timeout 20 "$OTASIGN_BIN" verify art.json --policy policy.json "${NOW[@]}" --artifacts art >"$WORK/out" 2>"$WORK/err" || rc=$?
        [[ $rc -eq 124 ]] && fail "verify hung on: $*"
        [[ $rc -eq 1 ]] || { cat "$WORK/out" "$WORK/err"; fail "expected exit 1 for: $* (got $rc)"; }
    }
    hostile mkfifo art/images/boot.img
    has "images/boot.img: a FIFO, not a regular file" "$WORK/out"
    hostile ln -s /dev/zero art/images/boot.img
    has "images/boot.img: a symbolic link on the path" "$WORK/out"
    hostile ln -s ../../outside/boot.img art/images/boot.img
    has "images/boot.img: a symbolic link on the path" "$WORK/out"
    hostile ln -s "$WORK/outside/boot.img" art/images/boot.img
    has "images/boot.img: a symbolic link on the path" "$WORK/out"
    hostile mkdir art/images/boot.img
    has "images/boot.img: a directory, not a regular file" "$WORK/out"
    rm -rf art/images/boot.img
    # escape by directory: images/ itself is a link to a directory holding the right files
    mv art/images art/real
    cp outside/boot.img art/real/boot.img
    ln -s real art/images
    expect 1 otasign verify art.json --policy policy.json "${NOW[@]}" --artifacts art
    has "images/system.img: a symbolic link on the path" "$WORK/out"
    rm art/images
    mv art/real art/images
    # the same kernel path without openat2 (ENOSYS injected from outside): the O_NOFOLLOW walk
    if command -v strace >/dev/null; then
        ln -s ../../outside/boot.img art/images/escape.img
        rm art/images/boot.img && ln -s ../../outside/boot.img art/images/boot.img
        rc=0
        # (LeakSanitizer cannot work under a tracer: off for this command in the ASan run.)
        ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
            strace -f -qq -o /dev/null -e trace=openat2 -e inject=openat2:error=ENOSYS \
            "$OTASIGN_BIN" verify art.json --policy policy.json "${NOW[@]}" --artifacts art >"$WORK/out" 2>"$WORK/err" || rc=$?
        [[ $rc -eq 1 ]] || { cat "$WORK/out" "$WORK/err"; fail "fallback walk: expected exit 1, got $rc"; }
        has "images/boot.img: a symbolic link on the path" "$WORK/out"
        rm art/images/boot.img art/images/escape.img
    else
        echo "NOTE: strace not installed; the openat2-less fallback is not exercised"
    fi
    # a larger file than declared is never read past size + 1 (size is checked first)
    cp outside/boot.img art/images/boot.img
    head -c 100 /dev/urandom >> art/images/boot.img
    expect 1 otasign verify art.json --policy policy.json "${NOW[@]}" --artifacts art
    has "images/boot.img: size 1100, the manifest says 1000" "$WORK/out"
    cp outside/boot.img art/images/boot.img
    # extra files: reported; fail only with --strict
    echo extra > art/images/extra.bin
    ln -s system.img art/images/alias.img
    expect 0 otasign verify art.json --policy policy.json "${NOW[@]}" --artifacts art
    has "extra: images/alias.img (symbolic link)" "$WORK/out"
    has "extra: images/extra.bin" "$WORK/out"
    expect 1 otasign verify art.json --policy policy.json "${NOW[@]}" --artifacts art --strict
    has "FAIL  artifacts" "$WORK/out"
    expect 3 otasign verify art.json --policy policy.json "${NOW[@]}" --artifacts no-such-dir
    has "no-such-dir: no such directory"
    expect 3 otasign verify art.json --policy policy.json "${NOW[@]}" --artifacts art.json
    has "not a directory"
    ;;
previous)
    step "previous: lower version, equal version with other content, mismatched previous"
    variant lower '.release.version = "1.3.9"'
    expect 1 otasign verify lower.json --policy policy.json "${NOW[@]}" --previous release-1.json
    has "FAIL  version: version 1.3.9 is lower" "$WORK/out"
    prev_version=$(jq -r .release.version release-1.json)
    variant equal ".release.version = \"$prev_version\""
    expect 1 otasign verify equal.json --policy policy.json "${NOW[@]}" --previous release-1.json
    has "FAIL  version: version $prev_version equals" "$WORK/out"
    variant buildmeta ".release.version = \"$prev_version+rebuild\""
    expect 1 otasign verify buildmeta.json --policy policy.json "${NOW[@]}" --previous release-1.json
    has "FAIL  version" "$WORK/out"
    good_release
    expect 0 otasign verify good.json --policy policy.json "${NOW[@]}" --previous release-1.json
    # CI names another previous release than the one the operator approved the diff against
    jq '.release.build = "EOS.1.4.0.other"' release-1.json > other-previous.json
    expect 1 otasign verify good.json --policy policy.json "${NOW[@]}" --previous other-previous.json
    has "FAIL  previous-binding" "$WORK/out"
    has "(previous-binding)" "$WORK/out"
    # a statement approved as a first release does not count against a named previous
    jq . release-2.json > first.json
    expect 0 sign_approved first.json p256 alice --evidence-log first.log
    expect 1 otasign verify first.json --policy policy.json "${NOW[@]}" --previous release-1.json
    has "approved it as a first release" "$WORK/out"
    expect 0 otasign verify first.json --policy policy.json "${NOW[@]}"
    ;;
freshness-expiry)
    good_release
    step "freshness: created in the future; expiry at the boundary +-1 s"
    variant future '.created = "2026-12-01T00:05:01Z" | .rollout.start = "2026-12-02T00:00:00Z" | del(.rollout.waves)'
    expect 1 otasign verify future.json --policy policy.json "${NOW[@]}"
    has "FAIL  freshness" "$WORK/out"
    expect 0 otasign verify future.json --policy policy.json --now 2026-12-01T00:00:01Z
    expires=$(jq -r .expires good.json)
    before_s=$(date -u -d "$expires - 1 second" +%Y-%m-%dT%H:%M:%SZ)
    after_s=$(date -u -d "$expires + 1 second" +%Y-%m-%dT%H:%M:%SZ)
    expect 0 otasign verify good.json --policy policy.json --now "$before_s"
    expect 1 otasign verify good.json --policy policy.json --now "$expires"
    has "FAIL  expiry" "$WORK/out"
    expect 1 otasign verify good.json --policy policy.json --now "$after_s"
    ;;
integer-options)
    good_release
    step "integer options never wrap around"
    expect 2 otasign verify good.json --policy policy.json "${NOW[@]}" --min-rollback-index=-18446744073709551574
    expect 2 otasign verify good.json --policy policy.json "${NOW[@]}" --min-rollback-index 18446744073709551616
    expect 2 otasign verify good.json --policy policy.json "${NOW[@]}" --min-rollback-index 0x2a
    expect 2 otasign policy threshold policy.json --role manifest -- -1
    expect 1 otasign verify good.json --policy policy.json "${NOW[@]}" --min-rollback-index 43
    ;;
bounds)
    good_release
    step "bounds: more than 256 signatures, or a bundle over 8 MiB, is exit 3 before any check"
    jq '.signatures = [range(257) as $i | .signatures[0]]' good.json.sig > many.sig
    rc=0; timeout 20 "$OTASIGN_BIN" verify good.json --policy policy.json --signature many.sig "${NOW[@]}" >"$WORK/out" 2>"$WORK/err" || rc=$?
    [[ $rc -eq 3 ]] || fail "257 signatures: expected exit 3, got $rc"
    has "257 signatures, over the bound of 256"
    jq '.signatures = [range(256) as $i | .signatures[0]]' good.json.sig > max.sig
    expect 0 otasign verify good.json --policy policy.json --signature max.sig "${NOW[@]}"
    { head -c -4 good.json.sig; printf ',"x-pad":"%s"}\n' "$(head -c 9000000 /dev/zero | tr '\0' a)"; } > huge.sig
    expect 3 otasign verify good.json --policy policy.json --signature huge.sig "${NOW[@]}"
    ;;
json-report)
    good_release
    step "the JSON report lists every check with its status; verified names the skipped ones"
    expect 0 otasign verify good.json --policy policy.json "${NOW[@]}"
    has "verified (not checked: previous-binding, version, rollback, channel-sequence, validity, artifacts)" "$WORK/out"
    expect 0 otasign verify good.json --policy policy.json "${NOW[@]}" --json
    jq -e '(.checks | length == 10) and all(.checks[]; .status == "pass" or .status == "skipped")
           and (.skipped | index("artifacts") != null) and .verdict == "verified"' "$WORK/out" >/dev/null \
        || { cat "$WORK/out"; fail "verify --json: checks and statuses"; }
    # a lone foreign signature is not "ok"
    expect 0 sign_approved good.json rsa2048 rel --signature rel-only.sig --evidence-log rel.log
    expect 1 otasign verify good.json --policy policy.json --signature rel-only.sig "${NOW[@]}"
    has "FAIL  signatures: 0 of 1 signature" "$WORK/out"
    ;;
channel-rules)
    good_release
    step "channel rules (policyVersion 2)"
    expect 0 otasign policy channel policy.json --channel stable --threshold 2 --max-validity-days 30 \
        --allowed-previous limited,stable
    expect 1 otasign verify good.json --policy policy.json "${NOW[@]}" --previous release-1.json
    has "FAIL  threshold: 1 distinct key of role manifest, threshold 2 (channel stable)" "$WORK/out"
    has "FAIL  validity" "$WORK/out"
    expect 3 otasign policy channel policy.json --channel stable --threshold 0
    expect 3 otasign policy channel policy.json --channel limited --require-attestation
    has "no attestationRoots"
    jq '.policyVersion = 1' policy.json > v1-with-channels.json
    expect 3 otasign policy show v1-with-channels.json
    ;;
*)
    fail "unknown case $1"
    ;;
esac
echo "PASS: $1"
