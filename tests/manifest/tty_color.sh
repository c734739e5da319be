#!/usr/bin/env bash
# `otasign diff --color auto` on a real pseudo-terminal (util-linux `script`): colour on a
# terminal, none when NO_COLOR is set, none with --color never.
set -u
BIN=${OTASIGN_BIN:?}
command -v script >/dev/null || { echo "SKIP: util-linux 'script' is not installed"; exit 77; }
cd "${OTASIGN_SOURCE_DIR:?}/schemas/examples" || exit 1
run() { script -qec "$*" /dev/null; }
cmd="'$BIN' diff release-1.json release-2.json --at 2026-11-23T12:00:00Z"
fails=0
run "$cmd" | grep -q $'\x1b\[' || { echo "FAIL: no colour on a terminal"; fails=1; }
NO_COLOR=1 run "$cmd" | grep -q $'\x1b\[' && { echo "FAIL: colour on a terminal despite NO_COLOR"; fails=1; }
run "$cmd --color never" | grep -q $'\x1b\[' && { echo "FAIL: colour with --color never"; fails=1; }
# Colour must not change the content: stripped of escapes it is the snapshot (after the header).
run "$cmd" | tr -d '\r' | sed 's/\x1b\[[0-9;]*m//g' |
    diff -q - "${OTASIGN_SOURCE_DIR}/tests/manifest/snapshots/release-1-to-2.txt" >/dev/null ||
    { echo "FAIL: coloured text differs from the snapshot once escapes are removed"; fails=1; }
exit $fails
