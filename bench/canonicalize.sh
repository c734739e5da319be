#!/bin/bash
# Benchmark: `otasign canonicalize` against node's `canonicalize` npm package (falling back to
# the JCS in tests/json/jcs.js when npm is unavailable) and `jq -c .`; `otasign digest` against
# sha256sum of the same file. Prints wall time and peak RSS and their ratios.
# Usage: bench/canonicalize.sh [OTASIGN_BIN] [SIZE_MB]   (env BENCH_RUNS: best of N, default 3)
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
bin="${1:-${OTASIGN_BIN:-$here/../build/cli/otasign}}"
size_mb="${2:-50}"
runs="${BENCH_RUNS:-3}"
[ -x "$bin" ] || { echo "otasign binary not found: $bin" >&2; exit 2; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

node "$here/gen_manifest.js" "$size_mb" >"$tmp/manifest.json"
echo "input: $(stat -c %s "$tmp/manifest.json") bytes (manifest-like, pretty-printed)"

# The node reference: the canonicalize npm package if npm can install it.
jcs_module=""
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

# measure NAME CMD... -> best wall seconds and the peak RSS (KiB) of that run
measure() {
    local name="$1"; shift
    local best_t="" best_m=""
    for _ in $(seq "$runs"); do
        /usr/bin/time -f "%e %M" -o "$tmp/time" "$@" >"$tmp/out.$name" 2>/dev/null
        read -r t m <"$tmp/time"
        if [ -z "$best_t" ] || awk -v a="$t" -v b="$best_t" 'BEGIN{exit !(a<b)}'; then best_t="$t"; best_m="$m"; fi
    done
    eval "t_$name=$best_t; m_$name=$best_m"
}

measure otasign "$bin" canonicalize "$tmp/manifest.json"
measure node node "$tmp/node_jcs.mjs" "$tmp/manifest.json"
measure jq jq -c . "$tmp/manifest.json"
measure digest "$bin" digest "$tmp/manifest.json"
measure sha sha256sum "$tmp/manifest.json"

same="no"; cmp -s "$tmp/out.otasign" "$tmp/out.node" && same="yes"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
row() { printf '%-34s %8.2f s %8.1f MiB\n' "$1" "$2" "$(awk -v k="$3" 'BEGIN{print k/1024}')"; }
echo "best of $runs runs:"
row "otasign canonicalize" "$t_otasign" "$m_otasign"
row "$node_label" "$t_node" "$m_node"
row "jq -c ." "$t_jq" "$m_jq"
row "otasign digest" "$t_digest" "$m_digest"
row "sha256sum" "$t_sha" "$m_sha"
echo "ratios (otasign / other): time, peak RSS"
echo "  canonicalize vs $node_label: $(ratio "$t_otasign" "$t_node"), $(ratio "$m_otasign" "$m_node")"
echo "  canonicalize vs jq -c .: $(ratio "$t_otasign" "$t_jq"), $(ratio "$m_otasign" "$m_jq")"
echo "  digest vs sha256sum: $(ratio "$t_digest" "$t_sha"), $(ratio "$m_digest" "$m_sha")"
echo "otasign and node canonical bytes identical: $same"
