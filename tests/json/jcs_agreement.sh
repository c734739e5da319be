#!/bin/bash
# otasign vs an independent JavaScript JCS (jcs.js) on random documents.
set -u
command -v node >/dev/null || { echo "NOTICE: node not found; skipping" >&2; exit 77; }
exec node "$(dirname "$0")/jcs_agreement.js" 400 "${1:-6901}"
