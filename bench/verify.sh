#!/usr/bin/env bash
# Benchmark of the CI gate, measured in this one run against peers on the same page-cached files:
#   A. one 1 GiB artifact:      otasign verify --artifacts   vs openssl dgst -sha256, sha256sum
#   B. four 256 MiB artifacts:  otasign verify --artifacts   vs openssl dgst -sha256 (one process)
#   C. a 5-signature bundle:    otasign verify (5 policy keys, threshold 5) vs five
#                               `openssl dgst -verify` calls over the prepared PAE files
# Prints wall time and peak RSS, and the speed ratios peer/otasign (above 1: otasign is faster).
# Targets (issue "The release gate, sound"): A >= 1.0x openssl, B >= 1.7x openssl, peak RSS
# <= 64 MiB whatever the artifact size, C within 1.5x of the five openssl calls (ratio >= 0.67).
# No assertion: numbers only; bench/RESULTS.md records runs.
# Usage: bench/verify.sh [OTASIGN_BIN] [SCALE_MB]   (SCALE_MB default 1024; env BENCH_RUNS, default 3)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
bin=${1:-${OTASIGN_BIN:-$root/build/cli/otasign}}
mb=${2:-1024}
runs=${BENCH_RUNS:-3}
[ -x "$bin" ] || { echo "otasign binary not found: $bin" >&2; exit 2; }
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (Debian package time)" >&2; exit 2; }

source "$root/tests/lib/softhsm.sh"
work=$(mktemp -d)
trap 'softhsm_token_cleanup "$work"' EXIT
softhsm_token_init "$work/hsm" >/dev/null
softhsm_keygen p256-b 0b EC:prime256v1
cd "$work"
printf '%s\n' "$SOFTHSM_USER_PIN" > pin && chmod 600 pin
keys=(p256 p384 p256-auth rsa2048 p256-b)
"$bin" policy init policy.json >/dev/null
for k in "${keys[@]}"; do
  "$bin" key export --module "$SOFTHSM_MODULE" --key "pkcs11:token=$SOFTHSM_LABEL;object=$k" -o "$k.pem" >/dev/null 2>&1
  "$bin" policy add-key policy.json --role manifest --public-key "$k.pem" --name "$k" >/dev/null
done

# manifest NAME SIZE_MIB COUNT: a manifest over COUNT random files of SIZE_MIB each in NAME/
manifest() {
  local name=$1 size=$2 count=$3 i arts=()
  mkdir -p "$name"
  for ((i = 0; i < count; i++)); do
    head -c "$((size * 1024 * 1024))" /dev/urandom > "$name/part$i.img"
    arts+=("{\"path\":\"part$i.img\",\"role\":\"system-image\",\"size\":$((size * 1024 * 1024)),\"sha256\":\"$(sha256sum < "$name/part$i.img" | cut -d' ' -f1)\"}")
  done
  local list; list=$(IFS=,; echo "${arts[*]}")
  jq --argjson a "[$list]" '.artifacts = $a' "$root/schemas/examples/release-2.json" > "$name.json"
  "$bin" sign "$name.json" --module "$SOFTHSM_MODULE" --key "pkcs11:token=$SOFTHSM_LABEL;object=p256" \
    --pin-source file:pin --approve "$("$bin" digest "$name.json")" --operator bench --evidence-log "$name.log" \
    --ledger "$name.ledger" >/dev/null 2>&1
}
manifest one "$mb" 1
manifest four "$((mb / 4))" 4
# warm the page cache so every tool reads memory, not disk
cat one/* four/* > /dev/null

# best TIME_SECONDS RSS_KIB CPU_SECONDS over $runs runs of CMD (the run with the least wall time)
best() {
  local t_best="" r_best="" c_best="" i t r u k
  for ((i = 0; i < runs; i++)); do
    /usr/bin/time -o "$work/time.out" -f '%e %M %U %S' "$@" >/dev/null 2>/dev/null || true
    read -r t r u k < <(tail -1 "$work/time.out")
    if [ -z "$t_best" ] || awk -v a="$t" -v b="$t_best" 'BEGIN{exit !(a<b)}'; then
      t_best=$t; r_best=$r; c_best=$(awk -v u="$u" -v k="$k" 'BEGIN{printf "%.2f", u + k}')
    fi
  done
  echo "$t_best $r_best $c_best"
}
row() { printf '%-52s %8.3f s %10d KiB  cpu %6.2f s\n' "$1" "$2" "$3" "$4"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b <= 0) print "n/a"; else printf "%.2f", a / b }'; }
now=(--now 2026-12-01T00:00:00Z)

echo "machine: $(nproc) cores, $(awk '/model name/{ $1=$2=$3=""; print; exit }' /proc/cpuinfo | sed 's/^ *//'), $(uname -r)"
echo "best of $runs runs; ratio = peer time / otasign time"
read -r ta ra ca < <(best "$bin" verify one.json --policy policy.json "${now[@]}" --artifacts one)
read -r tao rao cao < <(best openssl dgst -sha256 one/part0.img)
read -r tas ras cas < <(best sha256sum one/part0.img)
row "A otasign verify --artifacts (1 x $mb MiB)" "$ta" "$ra" "$ca"
row "A openssl dgst -sha256" "$tao" "$rao" "$cao"
row "A sha256sum" "$tas" "$ras" "$cas"
read -r tb rb cb < <(best "$bin" verify four.json --policy policy.json "${now[@]}" --artifacts four)
read -r tbo rbo cbo < <(best openssl dgst -sha256 four/part0.img four/part1.img four/part2.img four/part3.img)
row "B otasign verify --artifacts (4 x $((mb / 4)) MiB)" "$tb" "$rb" "$cb"
row "B openssl dgst -sha256 (4 files)" "$tbo" "$rbo" "$cbo"

# C: five signatures by five keys over one manifest
cp one.json five.json
for k in "${keys[@]}"; do
  "$bin" sign five.json --module "$SOFTHSM_MODULE" --key "pkcs11:token=$SOFTHSM_LABEL;object=$k" \
    --pin-source file:pin --approve "$("$bin" digest five.json)" --operator bench --evidence-log five.log \
    --ledger five.ledger >/dev/null 2>&1
done
"$bin" policy threshold policy.json --role manifest 5 >/dev/null
type=$(jq -er '.signatures[0].payloadType' five.json.sig)
verify5=()
for i in 0 1 2 3 4; do
  jq -er ".signatures[$i].payload" five.json.sig | base64 -d > "st$i.json"
  jq -er ".signatures[$i].sig" five.json.sig | base64 -d > "sig$i.der"
  jq -er ".signatures[$i].publicKey" five.json.sig > "pub$i.pem"
  { printf 'DSSEv1 %d %s %d ' "${#type}" "$type" "$(wc -c < "st$i.json")"; cat "st$i.json"; } > "pae$i.bin"
  case $(openssl pkey -pubin -in "pub$i.pem" -noout -text) in
    *'NIST CURVE: P-384'*) d="-sha384" ;;
    *'NIST CURVE: P-256'*) d="-sha256" ;;
    *) d="-sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 -sigopt rsa_mgf1_md:sha256" ;;
  esac
  verify5+=("openssl dgst $d -verify pub$i.pem -signature sig$i.der pae$i.bin")
done
printf '%s\n' "${verify5[@]}" > verify5.sh
read -r tc rc cc < <(best "$bin" verify five.json --policy policy.json "${now[@]}")
read -r tco rco cco < <(best sh verify5.sh)
row "C otasign verify (5 signatures, threshold 5)" "$tc" "$rc" "$cc"
row "C 5 x openssl dgst -verify" "$tco" "$rco" "$cco"

echo "ratio A  openssl/otasign: $(ratio "$tao" "$ta")   (target >= 1.0)   sha256sum/otasign: $(ratio "$tas" "$ta")"
echo "ratio B  openssl/otasign: $(ratio "$tbo" "$tb")   (target >= 1.7)"
echo "ratio C  openssl/otasign: $(ratio "$tco" "$tc")   (target >= 0.67, i.e. within 1.5x)"
echo "peak RSS otasign: A $((ra / 1024)) MiB, B $((rb / 1024)) MiB, C $((rc / 1024)) MiB   (target <= 64 MiB)"
