#!/usr/bin/env bash
# verify --artifacts shows a progress bar while hashing, on a terminal only: with stderr
# redirected, nothing but the normal output appears. The artifacts are big sparse files made
# here (200 MiB of zeros read from a sparse file costs no disk and little time).
TTY_TIMEOUT=${TTY_TIMEOUT:-120}  # hashing 224 MiB on a loaded box
source "$(dirname "$0")/lib.sh"
tty_softhsm

mkdir -p art/images
truncate -s 200M art/images/system.img
truncate -s 24M art/images/boot.img
sum() { "$1" <"$2" | cut -d' ' -f1; }
jq --arg s1 "$(sum sha256sum art/images/system.img)" --arg s5 "$(sum sha512sum art/images/system.img)" \
   --arg s2 "$(sum sha256sum art/images/boot.img)" \
   '.artifacts = [{"path":"images/system.img","role":"system-image","size":209715200,"sha256":$s1,"sha512":$s5},
                  {"path":"images/boot.img","role":"boot-image","size":25165824,"sha256":$s2}]' release-2.json >big.json
otasign policy init policy.json >/dev/null
otasign key export --module "$SOFTHSM_MODULE" --key "$KEY_URI" -o p256.pem >/dev/null 2>&1
otasign policy add-key policy.json --role manifest --public-key p256.pem --name night-shift >/dev/null
otasign sign big.json --module "$SOFTHSM_MODULE" --key "$KEY_URI" --approve "$(otasign digest big.json)" \
    --pin-source fd:3 --operator night-shift 3<<<"$SOFTHSM_USER_PIN" >/dev/null 2>&1 || fail "setup sign failed"
VERIFY="otasign verify big.json --policy policy.json --now 2026-12-01T00:00:00Z --artifacts art"

# On a terminal: the bar ends at 100% with the total, and the result follows.
tty_start bar
tty_run bar "$VERIFY; echo \"EXIT:\$?\""
[[ $(tty_exit_code bar) == 0 ]] || fail "verify on a terminal failed"
screen=$(tty_screen bar)
grep -qE '^Hashing artifacts \[#{30}\] 100% 224\.0/224\.0 MiB *$' <<<"$screen" || fail "no finished progress bar on the terminal"
grep -qE '^verified( \(not checked: [a-z, -]+\))?$' <<<"$screen" || fail "verify's result missing after the bar"
bar_line=$(grep -n '^Hashing artifacts' <<<"$screen" | cut -d: -f1 | tail -1)
res_line=$(grep -nE '^verified( |$)' <<<"$screen" | cut -d: -f1 | tail -1)
[[ $bar_line -lt $res_line ]] || fail "the bar is drawn after the result"

# stderr to a file, stdout on the terminal: the file stays empty (a passing verify says nothing
# on stderr), the terminal shows the normal output only.
tty_start redirected
tty_run redirected "$VERIFY 2>err.txt; echo \"EXIT:\$?\""
[[ $(tty_exit_code redirected) == 0 ]] || fail "verify with stderr redirected failed"
[[ ! -s err.txt ]] || fail "stderr redirected to a file got: $(head -c 300 err.txt | od -c | head)"
tty_screen redirected | grep -q 'Hashing' && fail "a progress bar appeared although stderr is a file"

# No terminal at all: stdout and stderr are exactly what they are on a non-terminal run.
otasign verify big.json --policy policy.json --now 2026-12-01T00:00:00Z --artifacts art >out.txt 2>err2.txt ||
    fail "verify without a terminal failed"
[[ ! -s err2.txt ]] || fail "verify without a terminal wrote to stderr: $(head -c 300 err2.txt)"
grep -q "ok    artifacts: 2 of 2" out.txt || fail "artifacts not verified"
grep -q $'\r' out.txt && fail "carriage returns in stdout"

# A failing artifact still ends the bar cleanly and reports the mismatch.
printf 'x' | dd of=art/images/boot.img bs=1 seek=100 conv=notrunc 2>/dev/null
tty_start bad
tty_run bad "$VERIFY; echo \"EXIT:\$?\""
[[ $(tty_exit_code bad) == 1 ]] || fail "a changed artifact did not fail verify"
tty_screen bad | grep -q 'images/boot.img: sha256' || fail "mismatch not named on the terminal"
echo "PASS: progress bar on a terminal only, silent when stderr is redirected"
