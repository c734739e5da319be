#!/bin/bash
# Benchmark: `otasign canonicalize` against node's `canonicalize` npm package (falling back to
# the JCS in tests/json/jcs.js when npm is unavailable) and `jq -c .`; `otasign digest` against
# sha256sum of the same file. For each input size it prints wall time and peak RSS, the speed-up
# over node and jq, and peak RSS as a multiple of the input; with several sizes, a last table
# shows how otasign's cost grows. Numbers only: no assertion (issue 14's targets: at least 10x
# node's speed, peak RSS at most 2x the input, linear growth).
# Usage: bench/canonicalize.sh [OTASIGN_BIN] [SIZES_MB]   e.g. bench/canonicalize.sh build/cli/otasign "1 50 200"
#   (env BENCH_RUNS: best of N, default 3; SIZES_MB defaults to 50)
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
bin="${1:-${OTASIGN_BIN:-$here/../build/cli/otasign}}"
sizes="${2:-50}"
runs="${BENCH_RUNS:-3}"
[ -x "$bin" ] || { echo "otasign binary not found: $bin" >&2; exit 2; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# The node reference: the canonicalize npm package if npm can install it.
if command -v npm >/dev/null && (cd "$tmp" && npm install --silent --no-audit --no-fund canonicalize >/dev/null 2>&1); then
    jcs_module="$tmp/node_modules/canonicalize/lib/canonicalize.js"
    cat >"$tmp/node_jcs.mjs" <<JS
import canonicalize from '$jcs_module';
import { readFileSync, writeSync } from 'fs';
const out = canonicalize(JSON.parse(readFileSync(process.argv[2], 'utf8')));
writeSync(1, out);
JS
    node_label="node canonicalize@$(node -p "require('$tmp/node_modules/canonicalize/package.json').version")"
else
    cat >"$tmp/node_jcs.mjs" <<JS
import { createRequire } from 'module';
import { readFileSync, writeSync } from 'fs';
const { canonicalize } = createRequire(import.meta.url)('$here/../tests/json/jcs.js');
writeSync(1, canonicalize(JSON.parse(readFileSync(process.argv[2], 'utf8'))));
JS
    node_label="node tests/json/jcs.js (npm unavailable)"
fi

# measure NAME CMD... -> t_NAME: least wall seconds (to the millisecond), c_NAME: least CPU
# seconds (user + system, to 10 ms) and m_NAME: least peak RSS (KiB) over the runs. On a shared
# machine the wall time includes waiting for a core; the CPU time does not, so both are shown.
measure() {
    local name="$1"; shift
    local best_t="" best_c="" best_m="" start end t u s m c
    for _ in $(seq "$runs"); do
        start=$(date +%s%N)
        /usr/bin/time -f "%U %S %M" -o "$tmp/time" "$@" >"$tmp/out.$name" 2>"$tmp/err.$name" ||
            { echo "$name failed: $(head -c 500 "$tmp/err.$name")" >&2; exit 1; }
        end=$(date +%s%N)
        t=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
        read -r u s m < <(tail -n 1 "$tmp/time")
        c=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')
        # Each the least over the runs: the runs differ only by what else the machine does.
        if [ -z "$best_t" ] || awk -v a="$t" -v b="$best_t" 'BEGIN{exit !(a<b)}'; then best_t="$t"; fi
        if [ -z "$best_c" ] || awk -v a="$c" -v b="$best_c" 'BEGIN{exit !(a<b)}'; then best_c="$c"; fi
        if [ -z "$best_m" ] || [ "$m" -lt "$best_m" ]; then best_m="$m"; fi
    done
    eval "t_$name=$best_t; c_$name=$best_c; m_$name=$best_m"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
row() { printf '  %-34s %8.3f s wall %7.2f s CPU %8.1f MiB\n' "$1" "$2" "$3" "$(awk -v k="$4" 'BEGIN{print k/1024}')"; }
growth=""

for size_mb in $sizes; do
    node "$here/gen_manifest.js" "$size_mb" >"$tmp/manifest.json"
    bytes=$(stat -c %s "$tmp/manifest.json")
    # The default --max-bytes (64 MiB) would refuse the largest inputs.
    limit=(--max-bytes "$bytes")
    echo "input: $bytes bytes (manifest-like, pretty-printed), best of $runs runs"
    measure otasign "$bin" canonicalize "${limit[@]}" "$tmp/manifest.json"
    measure node node --max-old-space-size=8192 "$tmp/node_jcs.mjs" "$tmp/manifest.json"
    measure jq jq -c . "$tmp/manifest.json"
    measure digest "$bin" digest "${limit[@]}" "$tmp/manifest.json"
    measure sha sha256sum "$tmp/manifest.json"
    same="no"; cmp -s "$tmp/out.otasign" "$tmp/out.node" && same="yes"
    want_digest="sha256:$(sha256sum <"$tmp/out.otasign" | cut -d' ' -f1)"
    digest_ok="no"; [ "$(cat "$tmp/out.digest")" = "$want_digest" ] && digest_ok="yes"
    rm -f "$tmp"/out.*

    row "otasign canonicalize" "$t_otasign" "$c_otasign" "$m_otasign"
    row "$node_label" "$t_node" "$c_node" "$m_node"
    row "jq -c ." "$t_jq" "$c_jq" "$m_jq"
    row "otasign digest" "$t_digest" "$c_digest" "$m_digest"
    row "sha256sum" "$t_sha" "$c_sha" "$m_sha"
    echo "  speed-up of otasign canonicalize (other's time / otasign's): $(ratio "$t_node" "$t_otasign")x vs node, $(ratio "$t_jq" "$t_otasign")x vs jq (wall); $(ratio "$c_node" "$c_otasign")x vs node, $(ratio "$c_jq" "$c_otasign")x vs jq (CPU)"
    echo "  peak RSS of otasign canonicalize: $(ratio "$m_otasign" "$m_node") of node's, $(ratio "$m_otasign" "$m_jq") of jq's, $(ratio "$((m_otasign * 1024))" "$bytes")x the input"
    echo "  otasign digest: $(ratio "$t_digest" "$t_sha")x sha256sum's wall time, $(ratio "$c_digest" "$c_sha")x its CPU time, peak RSS $(ratio "$((m_digest * 1024))" "$bytes")x the input"
    echo "  otasign and node canonical bytes identical: $same; digest is the SHA-256 of them: $digest_ok"
    growth="$growth$size_mb $bytes $t_otasign $c_otasign $m_otasign $t_digest $m_digest
"
done

if [ "$(printf '%s' "$growth" | grep -c .)" -gt 1 ]; then
    echo "growth of otasign's cost with the input:"
    printf '  %6s %12s %12s %14s %10s %10s %10s\n' "MB" "canon wall" "canon CPU" "CPU s per MB" "RSS/input" "digest s" "RSS/input"
    printf '%s' "$growth" | while read -r mb b t c m td md; do
        printf '  %6s %10.3f s %10.2f s %14.4f %10.2f %8.3f s %10.2f\n' "$mb" "$t" "$c" \
            "$(awk -v b="$b" -v c="$c" 'BEGIN { print c / (b / 1048576) }')" \
            "$(ratio "$((m * 1024))" "$b")" "$td" "$(ratio "$((md * 1024))" "$b")"
    done
fi
