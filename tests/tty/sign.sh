#!/usr/bin/env bash
# The interactive sign on a real terminal (tmux) against SoftHSM, as the release operator sees
# it: summary, diff with its risk highlights, the full digest, approval by the digest's last 8
# hex digits, token and key details, the PIN without echo, the touch prompt, where the files
# went. Then: the bundle verifies, the text shown hashes to the statement's shown.textSha256,
# and the diff on screen is the manifest helper's snapshot.
source "$(dirname "$0")/lib.sh"
tty_softhsm

otasign policy init policy.json >/dev/null
otasign key export --module "$SOFTHSM_MODULE" --key "$KEY_URI" -o p256.pem >/dev/null 2>&1
otasign policy add-key policy.json --role manifest --public-key p256.pem --name night-shift >/dev/null
digest=$(otasign digest release-2.json)
suffix=${digest: -8}

tty_start sign
# --full lists unchanged lines too, so the diff on screen is the snapshot (review.sh: folded).
tty_run sign "otasign sign release-2.json --previous release-1.json --policy policy.json $SIGN_ARGS --touch always --full; echo \"EXIT:\$?\""
tty_review sign
# The pager's "-- more" lines (and the operator's Enter) are not part of the shown text.
unpaged() { grep -Ev "$MORE_RE"; }
screen=$(tty_screen sign | unpaged)
grep -qx 'Release to sign' <<<"$screen" || fail "no release summary"
grep -qE '^  release +eos-2026\.11-r2 +version 1\.5\.0' <<<"$screen" || fail "summary lacks release id and version"
grep -qx 'Changes since the previous release' <<<"$screen" || fail "no diff heading"
grep -qx 'RISKS (8)' <<<"$screen" || fail "no risk highlights section"
grep -qE '^  \[high\] +channel-widened: channel widens from limited to stable$' <<<"$screen" || fail "channel-widened risk not shown"
grep -qx "  $digest" <<<"$screen" || fail "the full digest $digest is not on screen"
grep -q 'Token ' <<<"$screen" && fail "token details shown before approval"

# The diff sections on screen are the snapshot's (risks depend on today's date, sections do not),
# folded to 79 columns: the same characters, line breaks and the continuation indent aside.
snap=$OTASIGN_SOURCE_DIR/tests/manifest/snapshots/release-1-to-2.txt
diff -u <(sed -n '/^RELEASE$/,$p' "$snap" | tr -d ' \n' | fold -w 72) \
        <(sed -n '/^RELEASE$/,/^Canonical digest/p' <<<"$screen" | sed '$d' | tr -d ' \n' | fold -w 72) >"$WORK/d" ||
    fail "the diff on the sign screen differs from $snap: $(cat "$WORK/d")"
awk 'length > 79 { print; bad = 1 } END { exit bad }' <(sed -n '/^Release to sign$/,/^To approve/p' <<<"$screen") >"$WORK/d" ||
    fail "sign screen lines wider than 79 columns: $(cat "$WORK/d")"

# Approve; the token and key come next, then the PIN prompt.
tty_keys sign -l "$suffix"
tty_keys sign Enter
# The high risk is accepted on its own, by typing its code; the PIN comes only after.
tty_wait sign '^Accept high risk channel-widened: '
tty_screen sign | grep -q '^PIN for' && fail "PIN asked before the high risk was accepted"
tty_keys sign -l channel-widened
tty_keys sign Enter
tty_wait sign '^PIN for token'
screen=$(tty_screen sign)
grep -qE "^Token +'$SOFTHSM_LABEL' .*serial [0-9a-f]+\)$" <<<"$screen" || fail "token label and serial not shown"
grep -qE "^Key +'p256' " <<<"$screen" || fail "key label not shown"
grep -qE '^PIN +not entered yet; the token reports ok, ' <<<"$screen" || fail "PIN state (retries) not shown"
tty_keys sign -l "$SOFTHSM_USER_PIN"
tty_keys sign Enter
code=$(tty_exit_code sign)
[[ $code == 0 ]] || fail "interactive sign exited $code"
screen=$(tty_screen sign | unpaged)
after=$(sed -n '/^PIN for token/,$p' <<<"$screen")
grep -q "$SOFTHSM_USER_PIN" <<<"$after" && fail "the PIN was echoed"
# Touch prompt before the result, result names both files.
touch_line=$(grep -n -x 'Touch the key now' <<<"$screen" | cut -d: -f1 | head -1)
signed_line=$(grep -n '^Signed release-2.json' <<<"$screen" | cut -d: -f1 | head -1)
[[ -n $touch_line ]] || fail "'Touch the key now' not shown with --touch always"
[[ -n $signed_line && $touch_line -lt $signed_line ]] || fail "touch prompt not before the result"
grep -qE '^Signature bundle +release-2\.json\.sig \(1 signature\)$' <<<"$screen" || fail "bundle path not shown"
grep -qE '^Evidence +evidence\.log\.jsonl entry 0$' <<<"$screen" || fail "evidence path not shown"
# shellcheck disable=SC2016 # expanded in the pane's shell
tty_run sign 'echo "ECHO:$(stty -a | grep -c -- " echo ")"'
tty_wait sign '^ECHO:[0-9]+$'
tty_screen sign | grep -qx 'ECHO:1' || fail "terminal echo not on after the sign"

[[ -f release-2.json.sig && -f evidence.log.jsonl ]] || fail "bundle or evidence log missing"
otasign verify release-2.json --policy policy.json --now 2026-12-01T00:00:00Z >"$WORK/out" || { cat "$WORK/out"; fail "verify failed"; }
grep -qE "^verified( \(not checked: [a-z, -]+\))?$" "$WORK/out" || fail "verify did not say verified"

# The statement's shown.textSha256 is the hash of the exact text on screen: from the summary
# to the digest line, newline-terminated.
# (from the summary through the approval recap's last line, the one before the prompt)
shown_sha=$(sed -n '/^Release to sign$/,/^To approve, type the LAST 8/p' <<<"$screen" | sed '$d' | sha256sum | cut -d' ' -f1)
otasign evidence show evidence.log.jsonl --index 0 >"$WORK/ev"
grep -q "approved .* by terminal-digest-suffix" "$WORK/ev" || fail "evidence does not record the terminal approval"
grep -qE "^  shown text +sha256 $shown_sha$" "$WORK/ev" || {
    cat "$WORK/ev"
    fail "shown.textSha256 is not the hash of the text on screen ($shown_sha)"
}
grep -qE '^  shown diff JSON sha256 [0-9a-f]{64}$' "$WORK/ev" || fail "evidence show lacks the shown diff digest"
grep -qE '^  operator +night-shift ' "$WORK/ev" || fail "evidence show lacks the operator"
grep -qE '^  accepted risks +channel-widened$' "$WORK/ev" || fail "evidence show lacks the accepted risk"
accepted=$(jq -r '.signatures[0].payload' release-2.json.sig | base64 -d | jq -c .approval.acceptedRisks)
[[ $accepted == '["channel-widened"]' ]] || fail "the typed risk is not in the signed statement: $accepted"

# --approve (no terminal) prints the same text to stderr, byte for byte, against the ledger as
# the terminal sign saw it (empty: the release it recorded is taken out again).
rm -r "$XDG_DATA_HOME/otasign/manifests" && mkdir "$XDG_DATA_HOME/otasign/manifests"
otasign sign release-2.json --previous release-1.json --policy policy.json --module "$SOFTHSM_MODULE" --key "$KEY_URI" \
    --operator night-shift --approve "$digest" --accept-risk channel-widened --full --pin-source fd:3 --signature approve.sig --evidence-log approve.log \
    3<<<"$SOFTHSM_USER_PIN" >/dev/null 2>"$WORK/approve.err" </dev/null || { cat "$WORK/approve.err"; fail "--approve sign failed"; }
diff -u <(sed -n '/^Release to sign$/,/^To approve, type the LAST 8/p' <<<"$screen" | sed '$d') \
        <(sed -n '/^Release to sign$/,/^Token /p' "$WORK/approve.err" | sed '$d') >"$WORK/d" ||
    fail "--approve shows other text on stderr than the terminal: $(cat "$WORK/d")"

# The manifest is read once: changing the file while the operator reviews it changes nothing
# about what gets signed (the bytes shown), so the changed file does not verify.
cp release-2.json swapped.json
tty_start swap
tty_run swap "otasign sign swapped.json --previous release-1.json $SIGN_ARGS --signature swapped.sig --evidence-log swapped.log; echo \"EXIT:\$?\""
tty_review swap
jq '.eligibility.regions += ["US"]' release-2.json >swapped.tmp && mv swapped.tmp swapped.json
tty_keys swap -l "$suffix"
tty_keys swap Enter
tty_wait swap '^Accept high risk channel-widened: '
tty_keys swap -l channel-widened
tty_keys swap Enter
tty_wait swap '^PIN for token'
tty_keys swap -l "$SOFTHSM_USER_PIN"
tty_keys swap Enter
[[ $(tty_exit_code swap) == 0 ]] || fail "sign of the swapped file failed"
signed=$(jq -r '.signatures[0].payload' swapped.sig | base64 -d | jq -r '.manifest.sha256')
[[ "sha256:$signed" == "$digest" ]] || fail "signed $signed, not the digest shown ($digest)"
rc=0
otasign verify swapped.json --signature swapped.sig --policy policy.json --now 2026-12-01T00:00:00Z >/dev/null 2>&1 || rc=$?
[[ $rc == 1 ]] || fail "the file changed during review verifies (exit $rc)"
otasign verify release-2.json --signature swapped.sig --policy policy.json --now 2026-12-01T00:00:00Z >/dev/null ||
    fail "the reviewed bytes do not verify with the bundle"

# The diff command in the terminal, colour off, is the snapshot too.
tty_start diff
tty_run diff 'clear; otasign diff release-1.json release-2.json --at 2026-11-23T12:00:00Z --color never; echo "EXIT:$?"'
[[ $(tty_exit_code diff) == 0 ]] || fail "otasign diff failed"
diff -u "$snap" <(tty_screen diff | sed -n '/^old: /,/^EXIT:/p' | sed '$d') >"$WORK/d" ||
    fail "otasign diff on a terminal differs from $snap: $(cat "$WORK/d")"
[[ -z ${TTY_DUMP:-} ]] || tty_screen sign >"$TTY_DUMP"
echo "PASS: interactive sign on a terminal: screen, approval, no PIN echo, touch prompt, result, verify, shown-text digest"
