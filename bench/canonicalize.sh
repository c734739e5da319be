#!/bin/bash
# Benchmark: `otasign canonicalize` against node's `canonicalize` npm package (falling back to
# the JCS in tests/json/jcs.js when npm is unavailable) and `jq -c .`; `otasign digest` against
# sha256sum of the same file. For each input size it prints wall time and peak RSS, the speed-up
# over node and jq, and peak RSS as a multiple of the input; a last table puts the sizes side by
# side: the ratios against node and jq, peak RSS, and how otasign's cost grows. Numbers only: no
# assertion (issue 14's targets: at least 10x node's wall time, peak RSS at most 2x the input on
# 50 MB, linear growth from 1 MB to 200 MB).
# Usage: bench/canonicalize.sh [OTASIGN_BIN] [SIZES_MB]   e.g. bench/canonicalize.sh build/cli/otasign
#   (SIZES_MB defaults to "1 50 200"; env BENCH_RUNS: the median of N runs, default 5)
# The machine's load average is printed before and after: on a shared machine the wall times
# include waiting for a core, so measure when it is low.
# shellcheck disable=SC2154 # t_NAME, c_NAME and m_NAME are set by measure (eval)
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
bin="${1:-${OTASIGN_BIN:-$here/../build/cli/otasign}}"
sizes="${2:-1 50 200}"
runs="${BENCH_RUNS:-5}"
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

# The median of the numbers on standard input, one a line.
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# measure NAME CMD... -> t_NAME: median wall seconds (to the millisecond), c_NAME: median CPU
# seconds (user + system, to 10 ms) and m_NAME: median peak RSS (KiB) over the runs. On a shared
# machine the wall time includes waiting for a core; the CPU time does not, so both are shown.
measure() {
    local name="$1"; shift
    local start end u s m
    : >"$tmp/runs"
    for _ in $(seq "$runs"); do
        start=$(date +%s%N)
        /usr/bin/time -f "%U %S %M" -o "$tmp/time" "$@" >"$tmp/out.$name" 2>"$tmp/err.$name" ||
            { echo "$name failed: $(head -c 500 "$tmp/err.$name")" >&2; exit 1; }
        end=$(date +%s%N)
        read -r u s m < <(tail -n 1 "$tmp/time")
        awk -v a="$start" -v b="$end" -v u="$u" -v s="$s" -v m="$m" \
            'BEGIN { printf "%.3f %.2f %d\n", (b - a) / 1e9, u + s, m }' >>"$tmp/runs"
    done
    eval "t_$name=$(cut -d' ' -f1 "$tmp/runs" | median)"
    eval "c_$name=$(cut -d' ' -f2 "$tmp/runs" | median)"
    eval "m_$name=$(cut -d' ' -f3 "$tmp/runs" | median)"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
row() { printf '  %-34s %8.3f s wall %7.2f s CPU %8.1f MiB\n' "$1" "$2" "$3" "$(awk -v k="$4" 'BEGIN{print k/1024}')"; }
growth=""
load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "load average (1, 5, 15 min) before: $(load) on $(nproc) cores"

for size_mb in $sizes; do
    node "$here/gen_manifest.js" "$size_mb" >"$tmp/manifest.json"
    bytes=$(stat -c %s "$tmp/manifest.json")
    # The default --max-bytes (64 MiB) would refuse the largest inputs.
    limit=(--max-bytes "$bytes")
    echo "input: $bytes bytes (manifest-like, pretty-printed), median of $runs runs"
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
    growth="$growth$size_mb $bytes $t_otasign $c_otasign $m_otasign $t_digest $m_digest $t_node $t_jq $m_node $m_jq
"
done
echo "load average (1, 5, 15 min) after: $(load)"

echo "summary: otasign canonicalize against node canonicalize and jq -c . (speed-up = other's wall time / otasign's)"
printf '  %6s %11s %11s %11s %9s %9s %9s %9s %9s %12s %10s\n' "MB" "otasign" "node" "jq" "vs node" "vs jq" \
    "RSS MiB" "RSS/input" "node RSS" "s per MB" "digest s"
printf '%s' "$growth" | while read -r mb b t _ m td _ tn tj mn _; do
    printf '  %6s %9.3f s %9.3f s %9.3f s %8sx %8sx %9.1f %9s %9.1f %12.5f %8.3f s\n' "$mb" "$t" "$tn" "$tj" \
        "$(ratio "$tn" "$t")" "$(ratio "$tj" "$t")" "$(awk -v k="$m" 'BEGIN{print k/1024}')" \
        "$(ratio "$((m * 1024))" "$b")" "$(awk -v k="$mn" 'BEGIN{print k/1024}')" \
        "$(awk -v b="$b" -v t="$t" 'BEGIN { print t / (b / 1048576) }')" "$td"
done
