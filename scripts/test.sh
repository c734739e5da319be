#!/usr/bin/env bash
# Install what is missing, check formatting, build, and run every test: the normal build first,
# then every tier again under AddressSanitizer, UndefinedBehaviorSanitizer and LeakSanitizer,
# then each libFuzzer target briefly.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

install_missing_packages

# Formatting of cli/ and libsign/ (scripts/check-format.sh). OTASIGN_FORMAT_CHECK=enforce (the
# default) fails the run on a difference; `report` prints it and goes on, for a machine whose
# clang-format is another version than Debian 12's (14), whose output may differ.
format_check=${OTASIGN_FORMAT_CHECK:-enforce}
log "checking the formatting of cli/ and libsign/ ($format_check)"
if ! bash "$OTASIGN_ROOT/scripts/check-format.sh"; then
  [ "$format_check" = enforce ] && die "sources differ from .clang-format (scripts/check-format.sh)"
  log "notice: formatting differences reported, not enforced (OTASIGN_FORMAT_CHECK=report)"
fi

build_dir=${OTASIGN_BUILD_DIR:-$OTASIGN_ROOT/build}
asan_dir=${OTASIGN_ASAN_BUILD_DIR:-$OTASIGN_ROOT/build-asan}

log "building $build_dir"
build_otasign "$build_dir"
log "running every test"
(cd "$build_dir" && ctest --output-on-failure -j "$(nproc)" --timeout 600)

log "building $asan_dir (ASan + UBSan)"
build_otasign "$asan_dir" -DOTASIGN_SANITIZE=ON
# Every tier again, the otasign binary and the test programs instrumented. LeakSanitizer reports
# leaks at exit; tests/lsan.supp suppresses only leaks inside third-party PKCS#11 modules and
# middleware that otasign loads (SoftHSM2, OpenSC, ykcs11, ...), never in otasign's own code.
# verify_asan_link_order=0 lets a test's LD_PRELOAD fault-injection shim load before ASan.
# Every tier runs, the virtual card behind pcscd (piv) and the terminals (tty) included, except
# `package`: it builds the .deb and an example program against the installed static library, a
# check of packaging that a sanitized tree cannot make (the example would need the sanitizer
# runtimes) and that the normal tree has just made. OTASIGN_ASAN_LABELS restricts the run to some
# tiers (a ctest -L regex, e.g. 'unit|attack').
if [ -n "${OTASIGN_ASAN_LABELS:-}" ]; then
  asan_what="the tiers $OTASIGN_ASAN_LABELS"
  asan_labels=(-L "$OTASIGN_ASAN_LABELS")
else
  asan_what="every tier but package"
  asan_labels=(-LE '^package$')
fi
log "running $asan_what under ASan + UBSan + LeakSanitizer"
asan_start=$SECONDS
(cd "$asan_dir" &&
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:verify_asan_link_order=0 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  LSAN_OPTIONS=suppressions=$OTASIGN_ROOT/tests/lsan.supp:print_suppressions=0 \
  ctest --output-on-failure -j "$(nproc)" --timeout 900 "${asan_labels[@]}")
log "the ASan run took $((SECONDS - asan_start)) s"

# libFuzzer targets (clang, ASan + UBSan), each briefly: a smoke run in CI, and a replay of every
# input that once crashed one (tests/fuzz/regressions). Long runs: scripts/fuzz.sh 600.
fuzz_seconds=${OTASIGN_FUZZ_SECONDS:-20}
log "fuzzing each target for ${fuzz_seconds}s"
bash "$OTASIGN_ROOT/scripts/fuzz.sh" "$fuzz_seconds"
