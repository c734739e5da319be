#!/usr/bin/env bash
# From a fresh Debian 12 machine: install, build, and run otasign's main job.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

install_missing_packages
build_dir=${OTASIGN_BUILD_DIR:-$OTASIGN_ROOT/build}
log "building $build_dir"
build_otasign "$build_dir"
otasign=$build_dir/cli/otasign
examples=$OTASIGN_ROOT/schemas/examples

for m in release-1.json release-2.json; do
  log "otasign validate $m"
  "$otasign" validate "$examples/$m"
  log "otasign digest $m"
  "$otasign" digest "$examples/$m"
done
