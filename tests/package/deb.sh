#!/usr/bin/env bash
# cpack -G DEB in the build directory gives the otasign and otasign-verify packages. Each is
# extracted into a temporary root and its installed binary run: Depends from dpkg-shlibdeps
# (the verify package depends on no smart-card middleware), man pages, bash completion, the
# library with headers and pkg-config (the shipped example is compiled against them and run),
# and `key verify-attestation` finding the installed roots at the compiled-in prefix.
set -euo pipefail
: "${OTASIGN_BUILD_DIR:?}" "${OTASIGN_SOURCE_DIR:?}"
for tool in cpack dpkg-deb dpkg-shlibdeps help2man pkg-config openssl; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# The build directory's own configuration; packages and staging go to $WORK, not the build dir.
cpack --config "$OTASIGN_BUILD_DIR/CPackConfig.cmake" -B "$WORK/packages" > "$WORK/cpack.log" 2>&1 ||
    { cat "$WORK/cpack.log"; fail "cpack"; }
full=$(ls "$WORK"/packages/otasign_*.deb) || fail "no otasign package"
verify=$(ls "$WORK"/packages/otasign-verify_*.deb) || fail "no otasign-verify package"

field() { dpkg-deb -f "$1" "$2"; }
[[ $(field "$full" Package) == otasign && $(field "$verify" Package) == otasign-verify ]] ||
    fail "package names"
# (Outputs are read whole: grep -q closing a pipe early would fail the pipeline.)
full_depends=$(field "$full" Depends) verify_depends=$(field "$verify" Depends)
grep -q libykpiv <<<"$full_depends" || fail "otasign Depends lacks libykpiv: $full_depends"
grep -q libssl3 <<<"$full_depends" || fail "otasign Depends lacks libssl3"
grep -q libssl3 <<<"$verify_depends" || fail "otasign-verify Depends lacks libssl3"
if grep -E 'ykpiv|p11-kit|pcsc' <<<"$verify_depends"; then
    fail "otasign-verify depends on smart-card middleware"
fi
[[ $(field "$verify" Conflicts) == otasign ]] || fail "otasign-verify does not conflict with otasign"

# Where the binary looks for its roots, as it says in --help: PREFIX/share/otasign/roots.
roots_path() { "$1" key verify-attestation --help | sed -n 's/.*(default: \(.*\))$/\1/p'; }

for deb in "$full" "$verify"; do
    name=$(field "$deb" Package)
    root=$WORK/root-$name
    dpkg-deb -x "$deb" "$root"
    bin=$(find "$root" -path '*/bin/otasign' -type f)
    [[ -x $bin ]] || fail "$name: no bin/otasign"
    prefix=${bin%/bin/otasign}
    prefix=${prefix#"$root"}
    "$bin" --version > "$WORK/version" || fail "$name: the installed otasign does not run"
    for page in otasign otasign-verify otasign-evidence otasign-policy; do
        [[ -s $root$prefix/share/man/man1/$page.1 ]] || fail "$name: man page $page.1 missing"
    done
    [[ -s $root$prefix/share/bash-completion/completions/otasign ]] || fail "$name: no bash completion"
    [[ -s $root$prefix/share/otasign/roots/yubico-piv-ca-1.pem ]] || fail "$name: no Yubico roots"
    bash -n "$root$prefix/share/bash-completion/completions/otasign" || fail "$name: completion syntax"

    # The example, built against the installed headers, library and pkg-config file.
    pcdir=$(dirname "$(find "$root" -name otasign.pc)")
    # shellcheck disable=SC2046
    c++ -o "$WORK/example-$name" "$root$prefix/share/doc/otasign/examples/verify_release.cpp" \
        $(PKG_CONFIG_SYSROOT_DIR=$root PKG_CONFIG_PATH=$pcdir pkg-config --cflags --libs otasign) ||
        fail "$name: the example does not build against the package"
    "$WORK/example-$name" 2>/dev/null && fail "$name: the example accepts no arguments"
    case $name in
        otasign)
            grep -q libykpiv <<<"$(ldd "$bin")" || fail "otasign: the full edition without libykpiv?"
            grep -qE 'verify\\?-attestation' "$root$prefix/share/man/man1/otasign-key.1" ||
                fail "otasign: the key page does not cover verify-attestation"
            ;;
        otasign-verify)
            grep -q "(verify edition)" "$WORK/version" || fail "otasign-verify: not the verify edition"
            if grep -E 'libykpiv|libp11-kit|libpcsclite' <<<"$(ldd "$bin")"; then
                fail "otasign-verify links middleware"
            fi
            [[ ! -e $root$prefix/share/man/man1/otasign-sign.1 ]] || fail "otasign-verify: a page for sign"
            [[ ! -e $root$prefix/include/otasign/pkcs11 ]] || fail "otasign-verify: PKCS#11 headers"
            [[ ! -e $root$prefix/include/otasign/signing ]] || fail "otasign-verify: signing headers"
            ;;
    esac
done

# --- key verify-attestation and the installed roots. A Yubico-shaped attestation chain (test
# root -> f9 device certificate -> attestation of slot 9c) made with openssl.
cd "$WORK"
cat > ext.cnf <<'CNF'
[test_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign
[test_leaf]
1.3.6.1.4.1.41482.3.3 = DER:05:07:01
1.3.6.1.4.1.41482.3.7 = DER:02:04:00:bc:61:4e
1.3.6.1.4.1.41482.3.8 = DER:03:02
CNF
for k in root f9 leaf; do openssl ecparam -name prime256v1 -genkey -noout -out $k.key 2>/dev/null; done
openssl req -new -x509 -key root.key -subj "/CN=Package Test PIV Root" -days 30 \
    -extensions test_ca -config <(cat /usr/lib/ssl/openssl.cnf ext.cnf) -out test-root.pem 2>/dev/null
openssl req -new -key f9.key -subj "/CN=Yubico PIV Attestation" -out f9.csr 2>/dev/null
openssl x509 -req -in f9.csr -CA test-root.pem -CAkey root.key -set_serial 2 -days 30 \
    -extfile ext.cnf -extensions test_ca -out f9.pem 2>/dev/null
openssl req -new -key leaf.key -subj "/CN=YubiKey PIV Attestation 9c" -out leaf.csr 2>/dev/null
openssl x509 -req -in leaf.csr -CA f9.pem -CAkey f9.key -set_serial 3 -days 30 \
    -extfile ext.cnf -extensions test_leaf -out leaf.pem 2>/dev/null
cat leaf.pem f9.pem > att.pem

bin=$(find "$WORK/root-otasign" -path '*/bin/otasign' -type f)
installed=$(roots_path "$bin")
[[ $installed == /* ]] || fail "otasign --help names no installed roots path"
rc=0
"$bin" key verify-attestation att.pem > out 2> err || rc=$?
if [[ ! -e $installed ]]; then
    # Not installed on this machine: the binary says so, and does not look anywhere else.
    [[ $rc == 3 ]] && grep -q "not installed at $installed" err || { cat err; fail "missing roots: exit $rc"; }
fi

# In a private mount namespace, the extracted package is overlaid on the real DATADIR, so the
# binary sees the package's files at the compiled-in path, as after dpkg -i.
datadir=${installed%/otasign/roots}
in_install() {
    unshare -m --propagation private bash -c '
        mount -t overlay overlay -o "lowerdir=$1:$2" "$2" || exit 90
        shift 2; exec "$@"' _ "$WORK/root-otasign$datadir" "$datadir" "$@"
}
if ! unshare -m --propagation private true 2>/dev/null; then
    echo "SKIP: no mount namespace here (unshare -m); installed-roots lookup not checked"
    exit 77
fi
rc=0
in_install "$bin" key verify-attestation "$WORK/att.pem" > out 2> err || rc=$?
[[ $rc == 90 ]] && { echo "SKIP: overlayfs unavailable; installed-roots lookup not checked"; exit 77; }
# Yubico's roots are found and used: the test chain is not theirs.
[[ $rc == 1 ]] && grep -q "does not chain to a trusted root" err || { cat out err; fail "installed Yubico roots: exit $rc"; }
# With the test root among the installed roots, the same file verifies: the lookup is that folder.
cp test-root.pem "$WORK/root-otasign$installed/"
rc=0
in_install "$bin" key verify-attestation "$WORK/att.pem" --json > out 2> err || rc=$?
[[ $rc == 0 ]] || { cat out err; fail "installed test root: exit $rc"; }
[[ $(jq -r .root out) == "/CN=Package Test PIV Root" ]] || fail "verified against $(jq -r .root out)"
echo "PASS: otasign and otasign-verify packages install, run, and find their roots"
