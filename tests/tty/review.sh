#!/usr/bin/env bash
# The review screen at 80x40 (and 120x40), as the operator sees it when asked to approve: paged
# when taller than the terminal, then the approval recap
# (release, channel, rollback index, rollout, every risk with its severity) is on the screen
# with the prompt, within 80 columns; unchanged diff lines are folded (sign --full lists them);
# the high risks are bold red on a colour terminal and plain under NO_COLOR. Ctrl-C at the
# prompt declines (exit 5). Ctrl-Z and fg at the PIN prompt: no echo, the prompt again.
source "$(dirname "$0")/lib.sh"
tty_softhsm

# What is on the 40 rows right now (no scrollback), with or without the SGR codes.
visible() { tm capture-pane -p -t "$1"; }
visible_sgr() { tm capture-pane -p -e -t "$1"; }

risks=$(otasign diff release-1.json release-2.json --json)
n_high=$(jq '[.diff.risks[] | select(.severity == "high")] | length' <<<"$risks")
n_medium=$(jq '[.diff.risks[] | select(.severity == "medium")] | length' <<<"$risks")
((n_high == 1 && n_medium >= 4)) || fail "unexpected review of release-1 -> release-2: $risks"

review() {  # review NAME COLS ENV...: a sign at COLSx40 up to the approval prompt
    local name=$1 cols=$2; shift 2
    tty_start "$name" "$cols" 40
    tty_run "$name" "env $* otasign sign release-2.json --previous release-1.json $SIGN_ARGS; echo \"EXIT:\$?\""
    tty_review "$name"
}

for mode in colour nocolour wide; do
    case $mode in
        colour) review "$mode" 80 -u NO_COLOR TERM=screen ;;
        nocolour) review "$mode" 80 NO_COLOR=1 ;;
        wide) review "$mode" 120 NO_COLOR=1 ;;  # 120x40: the same 40 rows hold the recap
    esac
    ((TTY_PAGES >= 1)) || fail "$mode: a review taller than 40 rows was not paged"
    screen=$(visible "$mode")
    grep -qx 'APPROVAL RECAP' <<<"$screen" || fail "$mode: the recap is not on screen at the prompt"
    grep -qE '^  release +eos-2026\.11-r2  version 1\.5\.0$' <<<"$screen" || fail "$mode: recap lacks the release"
    grep -qE '^  channel +stable  rollback index 42$' <<<"$screen" || fail "$mode: recap lacks channel and rollback index"
    grep -qE '^  rollout +50% from 2026-11-24T08:00:00Z, 3 waves$' <<<"$screen" || fail "$mode: recap lacks the rollout"
    recap=$(sed -n '/^APPROVAL RECAP$/,$p' <<<"$screen")
    [[ $(grep -cE '^  HIGH    [a-z-]+: ' <<<"$recap") == "$n_high" ]] || fail "$mode: not every high risk is on screen"
    [[ $(grep -cE '^  medium  [a-z-]+: ' <<<"$recap") == "$n_medium" ]] || fail "$mode: not every medium risk is on screen"
    for code in $(jq -r '.diff.risks[].code' <<<"$risks"); do
        grep -qE "^  (HIGH|medium)  +$code: " <<<"$recap" || fail "$mode: risk $code not in the recap"
    done
    # The whole screen fits 80 columns: no line from the summary to the prompt is wider than 79
    # (long lines, digests among them, are folded by otasign, not wrapped by the terminal).
    awk 'length > 79 { print; bad = 1 } END { exit bad }' <(sed -n '/^Release to sign$/,$p' <(tty_screen "$mode")) >"$WORK/wide" ||
        fail "$mode: lines wider than 79 columns: $(cat "$WORK/wide")"
    # Unchanged lines are folded into a count.
    full=$(tty_screen "$mode")
    grep -qE '^  = [0-9]+ unchanged \(--full lists them\)$' <<<"$full" || fail "$mode: unchanged lines not folded"
    grep -E '^  = ' <<<"$full" | grep -qvE '^  = [0-9]+ unchanged' && fail "$mode: an unchanged line is listed without --full"
    high_line=$(visible_sgr "$mode" | grep -E 'HIGH    channel-widened: ')
    if [[ $mode == colour ]]; then
        grep -q $'\e\\[' <<<"$high_line" || fail "colour: the high risk in the recap is not highlighted"
    else
        grep -q $'\e' <<<"$high_line" && fail "NO_COLOR: the recap has escape codes"
    fi
    tty_keys "$mode" C-c
    [[ $(tty_exit_code "$mode") == 5 ]] || fail "$mode: Ctrl-C at the approval prompt: exit is not 5"
done
[[ ! -e release-2.json.sig ]] || fail "a declined review wrote a bundle"

# The pager: the first page starts at the summary and holds no recap yet (the review cannot be
# skimmed to the prompt); Ctrl-C at the page prompt declines, nothing written.
tty_start pager 80 40
tty_run pager "otasign sign release-2.json --previous release-1.json $SIGN_ARGS; echo \"EXIT:\$?\""
tty_wait pager "$MORE_RE"
page=$(visible pager)
grep -qx 'Release to sign' <<<"$page" || fail "pager: the first page does not start at the summary"
grep -q 'APPROVAL RECAP' <<<"$page" && fail "pager: the recap is on the first page"
tty_keys pager C-c
[[ $(tty_exit_code pager) == 5 ]] || fail "Ctrl-C at the page prompt: exit is not 5"
[[ ! -e release-2.json.sig ]] || fail "Ctrl-C at the page prompt wrote a bundle"

# --full lists the unchanged lines.
tty_start full 80 40
tty_run full "otasign sign release-2.json --previous release-1.json $SIGN_ARGS --full; echo \"EXIT:\$?\""
tty_review full
tty_screen full | grep -qE '^  = bootloader/abl\.elf: ' || fail "--full: unchanged lines not listed"
tty_keys full C-c
[[ $(tty_exit_code full) == 5 ]] || fail "--full: Ctrl-C: exit is not 5"
# Ctrl-Z at the PIN prompt: the shell gets its echo back; fg turns echo off again and re-prints
# the prompt; the PIN typed after fg is not echoed and signs.
digest=$(otasign digest release-2.json)
tty_start stop 80 40
# (no "; echo EXIT" here: the shell would run it when the job stops)
tty_run stop "otasign sign release-2.json --previous release-1.json $SIGN_ARGS --signature stop.sig"
tty_review stop
tty_keys stop -l "${digest: -8}"
tty_keys stop Enter
tty_wait stop '^Accept high risk channel-widened: '
tty_keys stop -l channel-widened
tty_keys stop Enter
tty_wait stop '^PIN for token'
tty_keys stop -l 12
tty_keys stop C-z
tty_wait stop 'Stopped'
# shellcheck disable=SC2016 # expanded in the pane's shell
tty_run stop 'echo "ECHO:$(stty -a | grep -c -- " echo ")"'
tty_wait stop '^ECHO:[0-9]+$'
tty_screen stop | grep -qx 'ECHO:1' || fail "Ctrl-Z at the PIN prompt left the shell without echo"
tty_run stop fg
# The prompt is on the screen already: wait for its second copy, which fg prints (a wait for
# the first would pass before fg has run, and the PIN typed below would race the SIGCONT).
deadline=$((SECONDS + TTY_TIMEOUT))
until (($(tty_screen stop | grep -c '^PIN for token') >= 2)); do
    ((SECONDS < deadline)) || fail "fg did not re-print the PIN prompt"
    sleep 0.1
done
tty_keys stop -l "$SOFTHSM_USER_PIN"
tty_keys stop Enter
tty_wait stop '^stop\.sig$'
# shellcheck disable=SC2016 # expanded in the pane's shell
tty_run stop 'echo "FG:$?"'
tty_wait stop '^FG:[0-9]+$'
tty_screen stop | grep -qx 'FG:0' || fail "sign after Ctrl-Z and fg failed"
tty_screen stop | sed -n "/^PIN for token/,\$p" | grep -q "$SOFTHSM_USER_PIN" && fail "the PIN was echoed after Ctrl-Z and fg"
[[ -f stop.sig ]] || fail "no bundle after Ctrl-Z and fg"
# shellcheck disable=SC2016 # expanded in the pane's shell
tty_run stop 'echo "ECHO:$(stty -a | grep -c -- " echo ")"'
tty_wait stop '^ECHO:1$'

echo "PASS: the approval recap with every risk is on an 80x40 screen at the prompt; folding; colour and NO_COLOR; Ctrl-Z/fg at the PIN prompt"
