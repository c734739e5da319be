#!/usr/bin/env bash
# Benchmark of the CI gate: `otasign verify --artifacts` against the stock tools an auditor would
# use for the same work, measured in this one run:
#   - artifact hashing: otasign (sha256 + sha512 per artifact, streaming) vs `sha256sum` + `sha512sum`;
#   - one signature: `otasign verify` (strict parse, canonicalize, policy, PAE, ECDSA) vs
#     `openssl dgst -verify` on a prepared PAE file (the README recipe's last step alone).
# Prints wall time and peak RSS and the ratios otasign / peer. No assertion: numbers only.
# Usage: bench/verify.sh [OTASIGN_BIN] [ARTIFACT_MB]   (env BENCH_RUNS: best of N, default 3)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
bin=${1:-${OTASIGN_BIN:-$root/build/cli/otasign}}
mb=${2:-512}
runs=${BENCH_RUNS:-3}
[ -x "$bin" ] || { echo "otasign binary not found: $bin" >&2; exit 2; }

source "$root/tests/lib/softhsm.sh"
work=$(mktemp -d)
trap 'softhsm_token_cleanup "$work"' EXIT
softhsm_token_init "$work/hsm" >/dev/null
cd "$work"

# A manifest whose four artifacts are random files of $mb MiB in all.
mkdir art
per=$((mb / 4))
node - "$root/schemas/examples/release-2.json" "$per" > release.json <<'JS'
const fs = require('fs'), crypto = require('crypto');
const m = JSON.parse(fs.readFileSync(process.argv[2]));
const per = Number(process.argv[3]) * 1024 * 1024;
m.artifacts = [0, 1, 2, 3].map(i => {
  const path = `images/part${i}.img`;
  const buf = crypto.randomBytes(per);
  fs.mkdirSync('art/images', { recursive: true });
  fs.writeFileSync('art/' + path, buf);
  return { path, role: 'system-image', size: per,
           sha256: crypto.createHash('sha256').update(buf).digest('hex'),
           sha512: crypto.createHash('sha512').update(buf).digest('hex') };
});
process.stdout.write(JSON.stringify(m, null, 2));
JS
printf '%s\n' "$SOFTHSM_USER_PIN" > pin && chmod 600 pin
key="pkcs11:token=$SOFTHSM_LABEL;object=p256"
"$bin" key export --module "$SOFTHSM_MODULE" --key "$key" -o signer.pem >/dev/null 2>&1
"$bin" policy init policy.json >/dev/null
"$bin" policy add-key policy.json --role manifest --public-key signer.pem --name bench >/dev/null
"$bin" sign release.json --module "$SOFTHSM_MODULE" --key "$key" --pin-source file:pin \
  --approve "$("$bin" digest release.json)" --operator bench >/dev/null 2>&1

# The PAE bytes of signature 0, as the README recipe builds them.
type=$(jq -er '.signatures[0].payloadType' release.json.sig)
jq -er '.signatures[0].payload' release.json.sig | base64 -d > statement.json
jq -er '.signatures[0].sig' release.json.sig | base64 -d > sig.der
{ printf 'DSSEv1 %d %s %d ' "${#type}" "$type" "$(wc -c < statement.json)"; cat statement.json; } > pae.bin

# best TIME_SECONDS RSS_KIB over $runs runs of CMD
best() {
  local t_best="" r_best="" i out
  for ((i = 0; i < runs; i++)); do
    out=$( { /usr/bin/time -f '%e %M' "$@" >/dev/null 2>/dev/null; } 2>&1 | tail -1)
    read -r t r <<<"$out"
    if [ -z "$t_best" ] || awk -v a="$t" -v b="$t_best" 'BEGIN{exit !(a<b)}'; then t_best=$t; r_best=$r; fi
  done
  echo "$t_best $r_best"
}
row() { printf '%-44s %8.3f s %10d KiB\n' "$1" "$2" "$3"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b <= 0) print "n/a"; else printf "%.2f", a / b }'; }

command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (Debian package time)" >&2; exit 2; }
echo "artifacts: 4 files, $mb MiB in all; best of $runs runs"
read -r t1 r1 < <(best "$bin" verify release.json --policy policy.json --artifacts art)
read -r t2 r2 < <(best sh -c 'cd art && sha256sum images/* && sha512sum images/*')
read -r t3 r3 < <(best "$bin" verify release.json --policy policy.json)
read -r t4 r4 < <(best openssl dgst -sha256 -verify signer.pem -signature sig.der pae.bin)
row "otasign verify --artifacts" "$t1" "$r1"
row "sha256sum + sha512sum" "$t2" "$r2"
row "otasign verify (signature, policy, expiry)" "$t3" "$r3"
row "openssl dgst -verify (signature only)" "$t4" "$r4"
echo "ratio artifacts  otasign/coreutils: time $(ratio "$t1" "$t2"), rss $(ratio "$r1" "$r2")"
echo "ratio signature  otasign/openssl:   time $(ratio "$t3" "$t4"), rss $(ratio "$r3" "$r4")"
