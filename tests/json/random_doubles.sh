#!/bin/bash
# ES6 number formatting of otasign vs node's JSON.stringify on 200000 doubles.
# Usage: random_doubles.sh ES6_FORMAT_CHECK [SEED]
set -u
command -v node >/dev/null || { echo "NOTICE: node not found; skipping" >&2; exit 77; }
exec node "$(dirname "$0")/random_doubles.js" 200000 "${2:-8785}" "$1"
