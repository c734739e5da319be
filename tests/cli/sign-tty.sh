#!/usr/bin/env bash
# The interactive path on a real terminal (a tmux pane): the operator sees the digest, types its
# last 8 hex digits, then the PIN without echo; "no" and Ctrl-C at the PIN prompt exit 5 with
# nothing written and the terminal's echo restored.
source "$(dirname "$0")/common.sh"
command -v tmux >/dev/null || { echo "SKIP: tmux is not installed"; exit 77; }

SOCK="otasign-tty-$$"
CTL="$WORK/hsm/ctl"   # control files live under hsm/, which snapshot() leaves out
mkdir -p "$CTL"
tmx() { tmux -L "$SOCK" -f /dev/null "$@"; }
trap 'tmx kill-server 2>/dev/null || true; softhsm_token_cleanup "$WORK"' EXIT

# wait_for TEXT: polls the pane until TEXT appears (no timing assertion: a generous upper bound).
wait_for() {
    local i
    for i in $(seq 1 600); do
        tmx capture-pane -p -t "$S" -S -200 | grep -qF -- "$1" && return 0
        sleep 0.1
    done
    tmx capture-pane -p -t "$S" -S -200
    fail "timed out waiting for '$1'"
}
# start CMD: runs CMD in a fresh pane; afterwards the exit code is in rc and stty state in stty.txt.
start() {
    rm -f "$CTL/rc" "$CTL/stty.txt"
    [[ -n ${S:-} ]] && tmx kill-session -t "$S" 2>/dev/null
    N=$((${N:-0} + 1))
    S="t$N"
    tmx new-session -d -s "$S" -x 220 -y 60 \
        "cd '$WORK' && export SOFTHSM2_CONF='$SOFTHSM2_CONF' USER=tty-operator; $1; echo \$? > '$CTL/rc'; stty -a > '$CTL/stty.txt'; sleep 600"
}
wait_rc() { local i; for i in $(seq 1 600); do [[ -s $CTL/rc && -s $CTL/stty.txt ]] && return 0; sleep 0.1; done; fail "command did not finish"; }

digest=$(otasign digest release-2.json)
suffix=${digest: -8}
sign_cmd="'$OTASIGN_BIN' sign release-2.json --module '$SOFTHSM_MODULE' --key '$(key_uri p256)' --previous release-1.json"

# --- declined with "no": exit 5, nothing written
before=$(snapshot)
start "$sign_cmd"
wait_for "LAST 8 hex digits"
wait_for "$digest"
tmx send-keys -t "$S" "no" Enter
wait_rc
[[ $(cat "$CTL/rc") == 5 ]] || fail "answering 'no' exited $(cat "$CTL/rc"), not 5"
[[ $(snapshot) == "$before" ]] || fail "a declined sign changed files"

# --- Ctrl-C at the PIN prompt: exit 5, echo restored, nothing written
start "$sign_cmd"
wait_for "LAST 8 hex digits"
tmx send-keys -t "$S" "$suffix" Enter
wait_for "PIN for"
tmx send-keys -t "$S" "12" C-c
wait_rc
[[ $(cat "$CTL/rc") == 5 ]] || fail "Ctrl-C at the PIN prompt exited $(cat "$CTL/rc"), not 5"
grep -qw -- "echo" "$CTL/stty.txt" && ! grep -qw -- "-echo" "$CTL/stty.txt" || fail "terminal echo not restored after Ctrl-C"
[[ $(snapshot) == "$before" ]] || fail "an aborted sign changed files"

# --- approved: the PIN is not echoed, the bundle records terminal approval
start "$sign_cmd"
wait_for "LAST 8 hex digits"
tmx send-keys -t "$S" "$suffix" Enter
wait_for "PIN for"
tmx send-keys -t "$S" "$SOFTHSM_USER_PIN" Enter
wait_rc
screen=$(tmx capture-pane -p -t "$S" -S -400)
[[ $(cat "$CTL/rc") == 0 ]] || { echo "$screen"; fail "interactive sign exited $(cat "$CTL/rc")"; }
grep -qF "$SOFTHSM_USER_PIN" <<<"$screen" && fail "the PIN was echoed"
grep -qF "Signature bundle" <<<"$screen" || fail "no result shown"
method=$(jq -r '.signatures[0].payload | @base64d | fromjson | .approval.method' release-2.json.sig)
[[ $method == terminal-digest-suffix ]] || fail "approval method is '$method'"
op=$(jq -r '.signatures[0].payload | @base64d | fromjson | .approval.operator' release-2.json.sig)
[[ $op == tty-operator ]] || fail "operator '$op' is not \$USER"
echo "PASS: terminal approval by digest suffix, PIN without echo, 'no' and Ctrl-C exit 5 untouched"
