#!/usr/bin/env bash
# Attacks on the records an auditor relies on (issue 9), one CTest per case: the evidence log
# edited, cut, reordered or extended and its hash chain recomputed, two co-signers at once, a
# kill -9 anywhere in sign, a symlinked log, escape sequences on the sign screen. Each must fail
# closed. Usage: records-attacks.sh CASE
source "$(dirname "$0")/common.sh"

# history: alice signs release-2, bob co-signs it, alice signs release-1: three entries.
history() {
    expect 0 sign_approved release-2.json p256 alice --previous release-1.json --accept-risk channel-widened
    expect 0 sign_approved release-2.json p384 bob --previous release-1.json --accept-risk channel-widened
    expect 0 sign_approved release-1.json p256 alice
    [[ $(wc -l < evidence.log.jsonl) == 3 ]] || fail "setup: expected 3 entries"
    expect 0 otasign evidence verify evidence.log.jsonl --bundle release-2.json.sig --bundle release-1.json.sig
    # The forger's tool is faithful: re-chaining the untouched log changes nothing.
    rechain evidence.log.jsonl same.jsonl
    cmp -s same.jsonl evidence.log.jsonl || fail "setup: rechain does not reproduce the log"
}
# must_fail LOG WHAT: evidence verify refuses LOG (exit 1) and says why.
must_fail() {
    expect 1 otasign evidence verify "$1"
    grep -q "otasign: error:" err || fail "$2: no error message"
}
# no_append LOG: sign refuses to extend LOG and changes no file.
no_append() {
    cp release-2.json other.json
    local before
    before=$(snapshot)
    expect 1 sign_approved other.json p384 bob --evidence-log "$1"
    [[ $(snapshot) == "$before" ]] || fail "sign changed files while refusing $1"
}

# wait_for FILE REGEX PID: until FILE matches (the process must still be running).
wait_for() {
    local i
    for ((i = 0; i < 1200; i++)); do
        grep -q "$2" "$1" 2>/dev/null && return 0
        kill -0 "$3" 2>/dev/null || { cat "$1"; fail "process $3 ended before '$2'"; }
        sleep 0.1
    done
    fail "'$2' never appeared in $1"
}

case "${1:?case}" in
evidence-edit-rechained)
    history
    # manifestPath of the first entry changed, chain recomputed
    sed '1s/"manifestPath":"release-2.json"/"manifestPath":"release-9.json"/' evidence.log.jsonl > e1.jsonl
    rechain e1.jsonl edited.jsonl
    cmp -s edited.jsonl evidence.log.jsonl && fail "tamper did nothing"
    must_fail edited.jsonl "edited manifestPath"
    grep -q "signed statement" err || fail "edited manifestPath: the error does not name the signed statement"
    no_append edited.jsonl
    # an unsigned "recorded" time added to a version-2 entry, chain recomputed
    jq -cS '.recorded = "2020-01-01T00:00:00Z"' <<<"$(sed -n 2p evidence.log.jsonl)" > mid
    { sed -n 1p evidence.log.jsonl; cat mid; sed -n 3p evidence.log.jsonl; } > e2.jsonl
    rechain e2.jsonl recorded.jsonl
    expect 3 otasign evidence verify recorded.jsonl   # a version-2 entry has no unsigned member
    grep -q "recorded.jsonl:2:[0-9]*:.*schema violation" err || fail "added recorded time: unclear error"
    # the bundle path of the last entry changed
    sed '3s/"bundlePath":"release-1.json.sig"/"bundlePath":"x.sig"/' evidence.log.jsonl > e3.jsonl
    rechain e3.jsonl bundlepath.jsonl
    must_fail bundlepath.jsonl "edited bundlePath"
    ;;
evidence-delete-rechained)
    history
    sed '2d' evidence.log.jsonl > d.jsonl
    rechain d.jsonl deleted.jsonl
    must_fail deleted.jsonl "deleted entry"
    no_append deleted.jsonl
    sed '1d' evidence.log.jsonl > d0.jsonl
    rechain d0.jsonl deleted0.jsonl
    must_fail deleted0.jsonl "deleted first entry"
    ;;
evidence-reorder-rechained)
    history
    { sed -n 2p evidence.log.jsonl; sed -n 1p evidence.log.jsonl; sed -n 3p evidence.log.jsonl; } > r.jsonl
    rechain r.jsonl reordered.jsonl
    must_fail reordered.jsonl "reordered entries"
    no_append reordered.jsonl
    ;;
evidence-insert-rechained)
    history
    # a validly signed approval of another manifest, from another log
    jq '.release.id = "other"' release-1.json > other-release.json
    expect 0 sign_approved other-release.json p384 bob --evidence-log other.log
    { sed -n 1p evidence.log.jsonl; cat other.log; sed -n '2,$p' evidence.log.jsonl; } > i.jsonl
    rechain i.jsonl inserted.jsonl
    must_fail inserted.jsonl "inserted entry"
    no_append inserted.jsonl
    { cat evidence.log.jsonl other.log; } > a.jsonl
    rechain a.jsonl appended.jsonl
    must_fail appended.jsonl "appended foreign entry"
    # a version-1 entry (which commits to no position) after version-2 entries
    { cat evidence.log.jsonl; head -1 "$OTASIGN_SOURCE_DIR/tests/cli/fixtures/v1/evidence.log.jsonl"; } > v.jsonl
    rechain v.jsonl downgraded.jsonl
    must_fail downgraded.jsonl "version-1 entry after version 2"
    grep -q "version-1 entry after a version-2 entry" err || fail "downgrade: unclear error"
    ;;
evidence-drop-last)
    history
    head -n 2 evidence.log.jsonl > cut.jsonl
    expect 1 otasign evidence verify cut.jsonl --bundle release-2.json.sig --bundle release-1.json.sig
    grep -q "has only 2 entries" err || fail "dropped last line: unclear error"
    # one of bob's co-signature lines gone: the bundle says where it must be
    head -n 1 evidence.log.jsonl > cut1.jsonl
    expect 1 otasign evidence verify cut1.jsonl --bundle release-2.json.sig
    # sign refuses to co-sign a bundle whose signatures the log lost
    before=$(snapshot)
    expect 1 sign_approved release-1.json p384 bob --evidence-log cut.jsonl
    grep -q "refusing to co-sign" err || fail "co-sign onto a cut log: unclear error"
    [[ $(snapshot) == "$before" ]] || fail "a refused co-sign changed files"
    ;;
evidence-truncate-empty)
    history
    : > empty.jsonl
    expect 1 otasign evidence verify empty.jsonl
    grep -q "is empty" err || fail "empty log: unclear error"
    expect 1 otasign evidence verify empty.jsonl --bundle release-2.json.sig
    no_append empty.jsonl
    : > evidence.log.jsonl
    before=$(snapshot)
    expect 1 sign_approved release-2.json p256-auth dave
    [[ $(snapshot) == "$before" ]] || fail "sign onto a truncated log changed files"
    ;;
cosign-concurrent)
    # Signer A holds the lock while it waits for its PIN (a FIFO nobody has written yet).
    mkfifo pinfifo
    exec 7<>pinfifo
    "$OTASIGN_BIN" sign release-2.json "${MOD[@]}" --key "$(key_uri p256)" --operator alice \
        --approve "$(otasign digest release-2.json)" --pin-source fd:7 >a.out 2>a.err &
    a_pid=$!
    wait_for a.err "^PIN " "$a_pid"
    "$OTASIGN_BIN" sign release-2.json "${MOD[@]}" --key "$(key_uri p384)" --operator bob \
        --approve "$(otasign digest release-2.json)" --pin-source file:pin >b.out 2>b.err &
    b_pid=$!
    wait_for b.err "waiting for .*evidence.log.jsonl.lock" "$b_pid"
    [[ ! -e release-2.json.sig ]] || fail "a bundle appeared while signer A still held the lock"
    printf '%s\n' "$SOFTHSM_USER_PIN" >&7
    rc_a=0; wait "$a_pid" || rc_a=$?
    rc_b=0; wait "$b_pid" || rc_b=$?
    [[ $rc_a == 0 && $rc_b == 0 ]] || { cat a.err b.err; fail "signers exited $rc_a and $rc_b"; }
    grep -q "^Signed" a.err && grep -q "^Signed" b.err || fail "a signer did not say Signed"
    [[ $(jq '.signatures | length' release-2.json.sig) == 2 ]] || fail "a co-signature was lost from the bundle"
    [[ $(jq -r '.signatures[].keyid' release-2.json.sig | sort -u | wc -l) == 2 ]] || fail "not two keys"
    [[ $(wc -l < evidence.log.jsonl) == 2 ]] || fail "an evidence entry was lost"
    expect 0 otasign evidence verify evidence.log.jsonl --bundle release-2.json.sig
    ;;
crash-kill9)
    # kill -9 delivered by strace on entry to the Nth call of each syscall that makes anything
    # durable or visible, for a first signature (new bundle) and a co-signature; after each, the
    # next command completes or reports the interrupted sign, and the bundle and the log both
    # hold the new signature or neither does.
    command -v strace >/dev/null || { echo "SKIP: strace is not installed"; exit 77; }
    expect 0 sign_approved release-1.json p256 alice
    cp release-1.json.sig base.sig
    cp evidence.log.jsonl base.log
    journals=0 kills=0
    for mode in new cosign; do
        for set in fsync,fdatasync link,linkat rename,renameat,renameat2 unlink,unlinkat; do
            n=1
            while :; do
                cp base.log evidence.log.jsonl
                rm -f release-2.json.sig
                rm -rf ledger   # the workstation's ledger records the manifest in the same commit
                if [[ $mode == new ]]; then M=release-2.json K=p256; else M=release-1.json K=p384; cp base.sig release-1.json.sig; fi
                B=$M.sig
                cp "$B" old.sig 2>/dev/null || rm -f old.sig
                rc=0
                # (in a subshell whose stderr is dropped, so the shell's "Killed" notice is too)
                # LeakSanitizer cannot stop the world under a tracer (ptrace is taken): in the
                # ASan run it is off for the traced command only.
                (ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
                    strace -f -qq -o /dev/null -e "inject=$set:signal=KILL:when=$n" \
                    "$OTASIGN_BIN" sign "$M" "${MOD[@]}" --key "$(key_uri $K)" --operator op \
                    --approve "$(otasign digest "$M")" --pin-source file:pin --ledger ledger >/dev/null 2>run.err) 2>/dev/null || rc=$?
                [[ $rc == 0 ]] && break
                kills=$((kills + 1))
                if [[ -e evidence.log.jsonl.journal ]]; then
                    journals=$((journals + 1))
                    expect 1 otasign evidence verify evidence.log.jsonl --bundle "$B"
                    grep -q "interrupted sign" err || fail "$set#$n: journal not reported by evidence verify"
                fi
                expect 0 otasign evidence recover evidence.log.jsonl --bundle "$B"
                ls -a | grep -q '\.tmp\.' && fail "$set#$n ($mode): temporary files left after recover"
                [[ ! -e evidence.log.jsonl.journal ]] || fail "$set#$n ($mode): journal left after recover"
                held=ledger/manifests/$(otasign digest "$M" | sed 's/^sha256://').json
                if cmp -s evidence.log.jsonl base.log; then
                    if [[ -e old.sig ]]; then cmp -s "$B" old.sig; else [[ ! -e $B ]]; fi ||
                        fail "$set#$n ($mode): the bundle changed but the log did not"
                    [[ ! -e $held ]] || fail "$set#$n ($mode): the ledger holds a manifest the log does not"
                else
                    [[ -e $held ]] || fail "$set#$n ($mode): the log changed but the ledger did not"
                    cmp -s "$held" <(otasign canonicalize "$M") || fail "$set#$n ($mode): the ledger's copy is not the canonical manifest"
                    otasign ledger list --ledger ledger >/dev/null || fail "$set#$n ($mode): the ledger does not read back"
                    [[ $(wc -l < evidence.log.jsonl) == 2 ]] || fail "$set#$n ($mode): log has neither 1 nor 2 entries"
                    expect 0 otasign evidence verify evidence.log.jsonl --bundle "$B"
                    want=$([[ $mode == new ]] && echo 1 || echo 2)
                    [[ $(jq '.signatures | length' "$B") == "$want" ]] || fail "$set#$n ($mode): the log changed but the bundle did not"
                fi
                n=$((n + 1))
                ((n < 80)) || { cat run.err; fail "$set: sign never completed"; }
            done
        done
    done
    echo "$kills kills, $journals after the commit point"
    ((kills > 10 && journals > 0)) || fail "the fault injection did not reach the commit (kills $kills, journals $journals)"
    ;;
symlink-log)
    # Decision: a link is written through to its existing target, never replaced.
    mkdir audit
    expect 0 sign_approved release-1.json p256 alice --evidence-log audit/shared.jsonl
    ln -s audit/shared.jsonl evidence.log.jsonl
    mkdir sigs && ln -s ../sigs-real.sig sigs/link.sig
    expect 6 sign_approved release-2.json p256 alice --signature sigs/link.sig
    grep -q "symbolic link whose target does not exist" err || fail "dangling bundle link: unclear error"
    [[ -L sigs/link.sig && ! -e sigs-real.sig ]] || fail "a dangling link was replaced or followed"
    expect 0 sign_approved release-2.json p256 alice
    [[ -L evidence.log.jsonl ]] || fail "sign replaced the log's symbolic link"
    [[ $(wc -l < audit/shared.jsonl) == 2 ]] || fail "the entry was not written through the link"
    expect 0 otasign evidence verify evidence.log.jsonl --bundle release-2.json.sig --bundle release-1.json.sig
    cp release-2.json.sig real.sig && ln -s real.sig linked.sig
    expect 0 sign_approved release-2.json p384 bob --signature linked.sig
    [[ -L linked.sig ]] || fail "sign replaced the bundle's symbolic link"
    [[ $(jq '.signatures | length' real.sig) == 2 ]] || fail "the co-signature was not written through the link"
    ;;
sign-screen-escapes)
    # Manifest strings are restricted by the schema; what reaches the screen from outside are
    # file names, operator names and token labels. Here: erase-line, cursor-up and conceal in the
    # manifest's name, a right-to-left override in the previous manifest's, escapes in the
    # operator's name.
    name=$'rel\e[2K\e[1A\e[8m.json'
    prev=$'prev\u202e.json'
    cp release-2.json "$name"
    cp release-1.json "$prev"
    expect 0 sign_approved "$name" p256 $'eve\e[2K' --previous "$prev" --accept-risk channel-widened
    if grep -q $'\e' err; then cat -v err; fail "an escape character reached the operator's screen"; fi
    grep -qF 'rel\x1b[2K\x1b[1A\x1b[8m.json' err || fail "the file name is not shown escaped"
    grep -qF 'prev\u{202e}.json' err || fail "a bidi override is not shown escaped"
    # shown.textSha256 covers exactly the displayed text, summary through the approval recap
    # (the line before the token details)
    awk '/^Release to sign/{p=1} p && /^Token /{exit} p{print}' err > shown.txt
    jq -r '.signatures[0].payload' "$name.sig" | base64 -d | jq -r .shown.textSha256 > want
    [[ $(sha256sum < shown.txt | cut -d' ' -f1) == "$(cat want)" ]] || fail "the shown-text digest does not cover the displayed text"
    # the evidence, shown to an auditor, is escaped too
    expect 0 otasign evidence show evidence.log.jsonl
    if grep -q $'\e' out; then fail "an escape character reached the auditor's screen"; fi
    grep -qF 'eve\x1b[2K' out || fail "the operator name is not shown escaped"
    # and an error naming the file
    printf '{' > "$name.x"
    expect 3 sign_approved "$name.x" p256 alice
    if grep -q $'\e' err; then fail "an escape character reached the screen in an error"; fi
    grep -qF 'rel\x1b[2K' err || fail "the error does not name the file escaped"
    ;;
*)
    fail "unknown case $1"
    ;;
esac
echo "PASS: $1"
