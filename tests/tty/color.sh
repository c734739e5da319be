#!/usr/bin/env bash
# Colour in `otasign diff` only on a terminal and never with NO_COLOR (no-color.org); the
# interactive sign screen is never coloured (its bytes are what shown.textSha256 hashes).
source "$(dirname "$0")/lib.sh"
ESC=$'\e'
screen_e() { tm capture-pane -p -e -J -S - -E - -t "$1"; }

tty_start on
tty_run on 'otasign diff release-1.json release-2.json; echo "EXIT:$?"'
[[ $(tty_exit_code on) == 0 ]] || fail "diff on a terminal failed"
screen_e on | grep -q "$ESC\[" || fail "no colour on a terminal"
screen_e on | grep "channel-widened" | grep -q "$ESC\[" || fail "the high risk is not coloured"

tty_start nocolor
tty_run nocolor 'NO_COLOR=1 otasign diff release-1.json release-2.json; echo "EXIT:$?"'
[[ $(tty_exit_code nocolor) == 0 ]] || fail "diff with NO_COLOR failed"
tty_screen nocolor | grep -q "channel-widened" || fail "diff with NO_COLOR printed no risks"
screen_e nocolor | grep -q "$ESC" && fail "colour on a terminal although NO_COLOR is set"

tty_start pipe
tty_run pipe 'otasign diff release-1.json release-2.json | cat; echo "EXIT:$?"'
[[ $(tty_exit_code pipe) == 0 ]] || fail "diff into a pipe failed"
screen_e pipe | grep -q "$ESC" && fail "colour although stdout is a pipe"
otasign diff release-1.json release-2.json >"$WORK/plain"
grep -q "$ESC" "$WORK/plain" && fail "colour in a file"

# --color always still colours with NO_COLOR: an explicit request wins.
NO_COLOR=1 otasign diff release-1.json release-2.json --color always | grep -q "$ESC\[" || fail "--color always did not colour"
echo "PASS: colour only on a terminal, never with NO_COLOR"
