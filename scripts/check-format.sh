#!/usr/bin/env bash
# Fails when a C++ source under cli/ or libsign/ (or the paths given) differs from .clang-format.
# Usage: scripts/check-format.sh [PATH...]
# Prints the first differences clang-format reports; fix them with `clang-format -i FILE`.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
command -v clang-format >/dev/null 2>&1 || { echo "check-format: clang-format is not installed" >&2; exit 2; }
[ $# -gt 0 ] || set -- cli libsign
mapfile -t files < <(git ls-files -- "$@" | grep -E '\.(cpp|hpp|h|cc)$' || true)
[ ${#files[@]} -gt 0 ] || { echo "check-format: no C++ sources under $*" >&2; exit 2; }
bad=()
for f in "${files[@]}"; do
    clang-format --style=file --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [ ${#bad[@]} -gt 0 ]; then
    echo "check-format: ${#bad[@]} of ${#files[@]} files differ from .clang-format:" >&2
    printf '  %s\n' "${bad[@]}" >&2
    clang-format --style=file --dry-run --Werror "${bad[0]}" 2>&1 | head -20 >&2
    echo "check-format: run clang-format -i on them (the style is $root/.clang-format)" >&2
    exit 1
fi
echo "check-format: ${#files[@]} files match .clang-format"
