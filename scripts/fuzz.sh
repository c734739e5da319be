#!/usr/bin/env bash
# scripts/fuzz.sh SECONDS [TARGET...]: builds the libFuzzer tree (clang, ASan + UBSan; libsign and
# tests/fuzz only) and runs every fuzz_<TARGET> (or those named) for SECONDS each, one target
# per core at a time (OTASIGN_FUZZ_JOBS). Each first replays tests/fuzz/regressions/<TARGET>/ (inputs that once crashed it), then
# fuzzes from a working corpus seeded from the repository's test inputs.
# A crash, leak or timeout fails the run and leaves the input in $dir/artifacts/<TARGET>/: add it
# to tests/fuzz/regressions/<TARGET>/ with the fix, so it is replayed from then on.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

seconds=${1:?usage: scripts/fuzz.sh SECONDS [TARGET...]}
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(json_strict canonical manifest bundle policy der_raw verify evidence request)

dir=${OTASIGN_FUZZ_BUILD_DIR:-$OTASIGN_ROOT/build-fuzz}
src=$OTASIGN_ROOT
corpora=${OTASIGN_CORPORA_DIR:-$src/../shared/corpora}

launcher=()
command -v ccache >/dev/null 2>&1 &&
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
log "building the fuzz targets in $dir"
cmake -S "$src" -B "$dir" -DOTASIGN_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$OTASIGN_CI_FLAGS" -DCMAKE_C_FLAGS_RELWITHDEBINFO="$OTASIGN_CI_FLAGS" \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ "${launcher[@]}" >/dev/null
# fuzz_verify always: it writes the seeds of the others.
cmake --build "$dir" --target fuzz_verify "${targets[@]/#/fuzz_}" -j "$(nproc)"

# Seed corpora: the repository's inputs for each target, plus what fuzz_verify writes (a signed
# bundle, its policy, an evidence log and signatures over schemas/examples/release-1.json).
seeds=$dir/seeds
rm -rf "$seeds"
mkdir -p "$seeds"/{json_strict,canonical,manifest,bundle,policy,der_raw,verify,evidence,request}
OTASIGN_FUZZ_SEED_DIR=$seeds "$dir/tests/fuzz/fuzz_verify" -runs=0 >"$dir/seeds.log" 2>&1 ||
  { cat "$dir/seeds.log" >&2; die "fuzz_verify could not write the seed corpora"; }
json_inputs=("$src"/schemas/*.json "$src"/schemas/examples/*.json "$src"/schemas/examples/invalid/*.json
             "$src"/tests/manifest/snapshots/*.json)
for t in json_strict canonical manifest; do cp "${json_inputs[@]}" "$seeds/$t/"; done
cp "$src"/schemas/examples/*.request.json "$seeds/request/"
cp "$seeds"/policy/* "$seeds"/bundle/* "$seeds"/evidence/* "$seeds/json_strict/" 2>/dev/null || true

extra_dirs() {  # read-only corpora libFuzzer may learn from, when present
  case $1 in
    json_strict|canonical) [ -d "$corpora/jsontestsuite/test_parsing" ] && echo "$corpora/jsontestsuite/test_parsing" ;;
  esac
  return 0
}

# fuzz_one TARGET: replay the target's regressions, then fuzz it; prints one summary line and
# returns non-zero on a crash, leak or timeout (its log says which).
fuzz_one() {
  local t=$1 bin=$dir/tests/fuzz/fuzz_$1 work=$dir/corpus/$1 artifacts=$dir/artifacts/$1/
  mkdir -p "$work" "$artifacts"
  cp -n "$seeds/$t"/* "$work/" 2>/dev/null || true
  local regressions=()
  [ -d "$src/tests/fuzz/regressions/$t" ] && regressions=("$src/tests/fuzz/regressions/$t"/*)
  if [ ${#regressions[@]} -gt 0 ]; then
    "$bin" -artifact_prefix="$artifacts" "${regressions[@]}" >"$dir/fuzz_$t.replay.log" 2>&1 ||
      { log "fuzz_$t: a regression input fails again:"; tail -30 "$dir/fuzz_$t.replay.log" >&2; return 1; }
  fi
  local extra
  mapfile -t extra < <(extra_dirs "$t")
  if ! "$bin" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 -max_len=16384 \
       -print_final_stats=1 -artifact_prefix="$artifacts" "$work" "${extra[@]}" \
       >"$dir/fuzz_$t.log" 2>&1; then
    log "fuzz_$t: failed:"; tail -40 "$dir/fuzz_$t.log" >&2
    return 1
  fi
  log "fuzz_$t: ${#regressions[@]} regression inputs replayed; $(grep -E '^stat::number_of_executed_units' "$dir/fuzz_$t.log" | tr -s ' ')"
}

# The targets run side by side, one per core (OTASIGN_FUZZ_JOBS), each for the full SECONDS:
# the same fuzzing per target in a fraction of the wall time.
jobs_max=${OTASIGN_FUZZ_JOBS:-$(nproc)}
log "fuzzing ${#targets[@]} targets for ${seconds}s each, $jobs_max at a time"
failed=()
for t in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do sleep 1; done
  rm -f "$dir/fuzz_$t.status"
  { rc=0; fuzz_one "$t" || rc=$?; echo "$rc" >"$dir/fuzz_$t.status"; } &
done
wait
for t in "${targets[@]}"; do
  [ "$(cat "$dir/fuzz_$t.status" 2>/dev/null)" = 0 ] || failed+=("$t")
done
if [ ${#failed[@]} -gt 0 ]; then
  die "fuzzing found problems in: ${failed[*]} (inputs in $dir/artifacts/; add each to tests/fuzz/regressions/<target>/ with its fix)"
fi
log "every fuzz target ran ${seconds}s without a crash, leak or timeout"
