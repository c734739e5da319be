#!/usr/bin/env bash
# Declining on an 80x40 terminal writes nothing and exits 5: a wrong digest suffix, "no", Ctrl-C at
# the confirmation, a wrong high-risk code or Ctrl-C at the risk prompt, Ctrl-C at the PIN prompt (which must also give the terminal its echo back).
source "$(dirname "$0")/lib.sh"
tty_softhsm

digest=$(otasign digest release-2.json)
suffix=${digest: -8}
# A history to keep intact: an earlier signature and evidence line.
otasign sign release-1.json --module "$SOFTHSM_MODULE" --key "$KEY_URI" --approve "$(otasign digest release-1.json)" \
    --pin-source fd:3 --operator day-shift 3<<<"$SOFTHSM_USER_PIN" >/dev/null 2>&1 || fail "setup sign failed"
[[ -f release-1.json.sig && -f evidence.log.jsonl ]] || fail "setup sign wrote nothing"
before=$(snapshot)
unchanged() {
    [[ ! -e release-2.json.sig ]] || fail "$1: a bundle was written"
    [[ $(snapshot) == "$before" ]] || fail "$1: files changed"
}
start_sign() {  # at 80x40, the narrowest terminal the screen is laid out for
    tty_start "$1" 80 40
    tty_run "$1" "otasign sign release-2.json --previous release-1.json $SIGN_ARGS; echo \"EXIT:\$?\""
    tty_review "$1"
}
# accept_risk NAME: types the one high risk of release-1 -> release-2 at its prompt.
accept_risk() {
    tty_wait "$1" '^Accept high risk channel-widened: '
    tty_keys "$1" -l channel-widened
    tty_keys "$1" Enter
}
echo_on() {
    # shellcheck disable=SC2016 # expanded in the pane's shell
    tty_run "$1" 'echo "ECHO:$(stty -a | grep -c -- " echo ")"'
    tty_wait "$1" '^ECHO:[0-9]+$'
    tty_screen "$1" | grep -qx 'ECHO:1' || fail "$1: terminal echo is off afterwards"
}

# --- a wrong suffix (the first 8 hex digits instead of the last)
start_sign wrong
tty_keys wrong -l "${digest:7:8}"
tty_keys wrong Enter
[[ $(tty_exit_code wrong) == 5 ]] || fail "wrong confirmation: exit is not 5"
tty_screen wrong | grep -q "not approved" || fail "wrong confirmation: no 'not approved' message"
tty_screen wrong | grep -q '^PIN for' && fail "wrong confirmation: a PIN was asked for"
unchanged "wrong confirmation"

# --- no
start_sign no
tty_keys no -l no
tty_keys no Enter
[[ $(tty_exit_code no) == 5 ]] || fail "'no': exit is not 5"
unchanged "'no'"

# --- Ctrl-C at the confirmation
start_sign intr
tty_keys intr -l "${suffix:0:4}"
tty_keys intr C-c
[[ $(tty_exit_code intr) == 5 ]] || fail "Ctrl-C at the confirmation: exit is not 5"
tty_screen intr | grep -q "aborted by the operator" || fail "Ctrl-C at the confirmation: no abort message"
unchanged "Ctrl-C at the confirmation"
echo_on intr

# --- the high risk must be typed: a wrong code, the suffix again, Ctrl-C at the risk prompt
for answer in wrong suffix; do
    start_sign "risk-$answer"
    tty_keys "risk-$answer" -l "$suffix"
    tty_keys "risk-$answer" Enter
    tty_wait "risk-$answer" '^Accept high risk channel-widened: '
    if [[ $answer == wrong ]]; then tty_keys "risk-$answer" -l channel-widen; else tty_keys "risk-$answer" -l "$suffix"; fi
    tty_keys "risk-$answer" Enter
    [[ $(tty_exit_code "risk-$answer") == 5 ]] || fail "risk code '$answer': exit is not 5"
    tty_screen "risk-$answer" | grep -q "high risk channel-widened was not accepted" || fail "risk code '$answer': no message"
    tty_screen "risk-$answer" | grep -q '^PIN for' && fail "risk code '$answer': a PIN was asked for"
    unchanged "risk code '$answer'"
done
start_sign risk-intr
tty_keys risk-intr -l "$suffix"
tty_keys risk-intr Enter
tty_wait risk-intr '^Accept high risk channel-widened: '
tty_keys risk-intr -l chan
tty_keys risk-intr C-c
[[ $(tty_exit_code risk-intr) == 5 ]] || fail "Ctrl-C at the risk prompt: exit is not 5"
unchanged "Ctrl-C at the risk prompt"
echo_on risk-intr

# --- Ctrl-C at the PIN prompt: nothing written, echo restored
start_sign pin
tty_keys pin -l "$suffix"
tty_keys pin Enter
accept_risk pin
tty_wait pin '^PIN for token'
tty_keys pin -l "1234"
tty_keys pin C-c
[[ $(tty_exit_code pin) == 5 ]] || fail "Ctrl-C at the PIN prompt: exit is not 5"
tty_screen pin | sed -n '/^PIN for token/,$p' | grep -q 1234 && fail "PIN digits echoed before Ctrl-C"
unchanged "Ctrl-C at the PIN prompt"
echo_on pin
# ... and the terminal itself echoes again (cat reads the line; readline is not involved)
tty_run pin 'cat >/dev/null; echo "EXIT:cat"'
tty_keys pin -l 'echo-is-back'
tty_wait pin '^echo-is-back$'
tty_keys pin Enter C-d

# --- Ctrl-\\ (SIGQUIT) at the PIN prompt: the same as Ctrl-C, no core dump with echo off
start_sign quit
tty_keys quit -l "$suffix"
tty_keys quit Enter
accept_risk quit
tty_wait quit '^PIN for token'
tty_keys quit -l "99"
# shellcheck disable=SC1003 # tmux's name for Ctrl-backslash
tty_keys quit 'C-\'
[[ $(tty_exit_code quit) == 5 ]] || fail "Ctrl-\\ at the PIN prompt: exit is not 5"
unchanged "Ctrl-\\ at the PIN prompt"
echo_on quit

# --- a first release (no --previous) shows its full content; declined with "no"
tty_start first
tty_run first "otasign sign release-2.json $SIGN_ARGS; echo \"EXIT:\$?\""
tty_review first
tty_screen first | grep -qx 'Full content (first release)' || fail "first release: no full-content heading"
tty_screen first | grep -qE '^  previous +none given: first release' || fail "first release: summary does not say so"
tty_screen first | grep -qE '^  \+ images/system\.img: ' || fail "first release: artifacts not listed as added"
tty_keys first -l no
tty_keys first Enter
[[ $(tty_exit_code first) == 5 ]] || fail "first release 'no': exit is not 5"
unchanged "first release 'no'"

# --- end of input (Ctrl-D) at the confirmation declines too
start_sign eof
tty_keys eof C-d
[[ $(tty_exit_code eof) == 5 ]] || fail "Ctrl-D at the confirmation: exit is not 5"
unchanged "Ctrl-D at the confirmation"
echo "PASS: wrong suffix, no, wrong risk code, Ctrl-C (confirmation, risk and PIN), Ctrl-D: exit 5, nothing written, echo restored"
