# shellcheck shell=bash
# Driving otasign in a real terminal: a private tmux server (its own socket under the test's
# temp dir, no user configuration), one session per scenario, keys sent with send-keys and the
# screen read with capture-pane. Waits poll the screen with a bounded deadline, never sleep a
# fixed time, so the tests are quick when things are quick and patient on a loaded box.
#
#   source lib.sh                 # WORK (temp dir, removed on exit), otasign(), fail()
#   tty_softhsm                   # optional: a SoftHSM token with keys p256, p384, ... (tests/lib/softhsm.sh)
#   tty_start NAME [COLS ROWS]    # a 200x60 (or COLS x ROWS) session running a plain bash in $WORK
#   tty_run NAME 'command'        # types the command and Enter
#   tty_wait NAME REGEX [SECS]    # waits until a screen line matches (extended regex)
#   tty_review NAME               # pages through the sign review (Enter at each "-- more" line)
#                                 # up to the approval prompt; TTY_PAGES = the pages it turned
#   tty_exit_code NAME            # runs nothing; waits for the EXIT:N marker and prints N
#   tty_screen NAME               # the whole screen and scrollback, wrapped lines joined
set -euo pipefail

: "${OTASIGN_BIN:?OTASIGN_BIN must point to the otasign binary}"
: "${OTASIGN_SOURCE_DIR:?}"

if ! command -v tmux >/dev/null; then
    echo "SKIP: tmux is not installed"
    exit 77
fi

unset TMUX TMUX_PANE
WORK=$(mktemp -d)
# Each test has its own workstation ledger (sign records there; schemas/REQUEST-FORMAT.md section 3).
export XDG_DATA_HOME="$WORK/ledger-home"
TMUX_SOCKET=$WORK/tmux.sock
TTY_TIMEOUT=${TTY_TIMEOUT:-60}  # a loaded 2-core CI box can take long to redraw
cleanup() {
    tmux -S "$TMUX_SOCKET" kill-server 2>/dev/null || true
    rm -rf -- "$WORK"
}
trap cleanup EXIT
cd "$WORK"

fail() {
    echo "FAIL: $*" >&2
    if [[ -n ${TTY_LAST:-} ]]; then
        echo "--- screen of session $TTY_LAST" >&2
        tty_screen "$TTY_LAST" >&2 || true
    fi
    exit 1
}
otasign() { "$OTASIGN_BIN" "$@"; }
tm() { tmux -S "$TMUX_SOCKET" "$@"; }

# The sessions' shell: no rc files, a fixed prompt, the test's environment.
cat >"$WORK/shellrc" <<RC
PS1='$ '
PATH=$(dirname "$OTASIGN_BIN"):\$PATH
HISTFILE=/dev/null
RC

# The server's own configuration (never the user's): enough scrollback for a whole sign screen.
printf 'set -g history-limit 20000\n' >"$WORK/tmux.conf"

tty_start() {
    local name=$1 cols=${2:-200} rows=${3:-60}
    tm -f "$WORK/tmux.conf" new-session -d -s "$name" -x "$cols" -y "$rows" -c "$WORK" "bash --noprofile --rcfile $WORK/shellrc -i"
    TTY_LAST=$name
    tty_wait "$name" '^\$ ?$'
}

tty_run() {
    local name=$1 cmd=$2
    TTY_LAST=$name
    tm send-keys -t "$name" -l -- "$cmd"
    tm send-keys -t "$name" Enter
}

# tty_keys NAME KEY...: keys by tmux name (C-c, Enter) or literal text with -l.
tty_keys() {
    local name=$1
    shift
    tm send-keys -t "$name" "$@"
}

tty_screen() { tm capture-pane -p -J -S - -E - -t "$1"; }

tty_wait() {
    local name=$1 re=$2 secs=${3:-$TTY_TIMEOUT}
    local deadline=$((SECONDS + secs))
    while ((SECONDS < deadline)); do
        if tty_screen "$name" | grep -Eq -- "$re"; then return 0; fi
        sleep 0.1
    done
    fail "waited ${secs}s in session $name for a line matching: $re"
}

# The pager's line below each page but the last ("-- more: 39 of 80 lines shown; press Enter --").
MORE_RE='^-- more: [0-9]+ of [0-9]+ lines shown; press Enter --$'
# The last non-empty line on the screen now.
tty_last_line() { tm capture-pane -p -t "$1" | grep -v '^ *$' | tail -1; }

tty_review() {
    local name=$1 deadline=$((SECONDS + TTY_TIMEOUT)) last turned=""
    TTY_LAST=$name
    TTY_PAGES=0
    while ((SECONDS < deadline)); do
        last=$(tty_last_line "$name")
        if [[ $last == *'type the LAST 8 hex digits'* ]]; then return 0; fi
        if [[ $last =~ $MORE_RE && $last != "$turned" ]]; then
            turned=$last
            TTY_PAGES=$((TTY_PAGES + 1))
            tm send-keys -t "$name" Enter
        fi
        sleep 0.1
    done
    fail "waited ${TTY_TIMEOUT}s in session $name for the approval prompt"
}

tty_exit_code() {
    local name=$1
    tty_wait "$name" '^EXIT:[0-9]+$'
    tty_screen "$name" | sed -nE 's/^EXIT:([0-9]+)$/\1/p' | tail -1
}

# Checksums of every file under WORK except the token store and tmux's socket.
# The lock files sign creates beside a bundle and a log are empty and permanent: not a change.
snapshot() { find . \( -path ./hsm -o -name tmux.sock -o -name tmux.conf -o -name shellrc -o -name "*.lock" \) -prune -o -type f -print | LC_ALL=C sort | xargs sha256sum; }

tty_softhsm() {
    # shellcheck source=../lib/softhsm.sh
    source "$OTASIGN_SOURCE_DIR/tests/lib/softhsm.sh"
    if ! softhsm_available; then
        echo "SKIP: SoftHSM2 (libsofthsm2.so, softhsm2-util, pkcs11-tool) is not installed"
        exit 77
    fi
    softhsm_token_init "$WORK/hsm"
    KEY_URI="pkcs11:token=$SOFTHSM_LABEL;object=p256"
    # shellcheck disable=SC2034 # used by the scripts that source this file
    SIGN_ARGS="--module $SOFTHSM_MODULE --key '$KEY_URI' --operator night-shift"
}

cp "$OTASIGN_SOURCE_DIR/schemas/examples/release-1.json" "$OTASIGN_SOURCE_DIR/schemas/examples/release-2.json" .
export USER=${USER:-tester}
