#!/usr/bin/env bash
# man-pages.sh OTASIGN OUTDIR VERSION: one man page per command group, made by help2man from
# --help-all, so the pages say exactly what the binary says. otasign.1 is the overview;
# otasign-GROUP.1 covers a top-level command or a group (`key`, `policy`, ...) with every
# command below it. The commands are read from the binary's own --help, so a new command group
# gets its page without a change here.
set -euo pipefail
otasign=$1 outdir=$2 version=$3
rm -rf "$outdir"
mkdir -p "$outdir"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# help2man runs its argument with --help; a wrapper per group passes the group's words.
page() {
    local name=$1 description=$2; shift 2
    local wrapper=$work/$name
    printf '#!/bin/sh\nexec %q %s --help-all\n' "$otasign" "$*" > "$wrapper"
    chmod +x "$wrapper"
    help2man --no-info --no-discard-stderr --version-string="$version" \
        --name="$description" --section=1 --output="$outdir/$name.1" "$wrapper"
}

page otasign "offline signing and verification of OTA release manifests"
# The "Subcommands:" block of CLI11's help: "  name   description".
"$otasign" --help | awk '/^Subcommands:/ {on = 1; next} on && /^  [a-z]/' |
    while read -r command description; do
        page "otasign-$command" "otasign $command: ${description%.}" "$command"
    done
ls "$outdir" | grep -q '^otasign-verify.1$' || { echo "man-pages.sh: no page for verify" >&2; exit 1; }
