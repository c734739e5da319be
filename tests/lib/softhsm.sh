# shellcheck shell=bash
# A throw-away SoftHSM2 token for tests. Source this file, then:
#
#   dir=$(mktemp -d); trap 'softhsm_token_cleanup "$dir"' EXIT
#   softhsm_token_init "$dir"          # token "otasign-test", user PIN 123456, keys below
#
# Everything lives under DIR (softhsm2.conf, tokens/); nothing touches the user's SoftHSM
# configuration, and the keys are generated here at test time: no private key is ever committed.
#
# Keys on the token (label / id / type):
#   p256       01  EC P-256
#   p384       02  EC P-384
#   p256-auth  03  EC P-256 with CKA_ALWAYS_AUTHENTICATE (like PIV slot 9c)
#   rsa2048    04  RSA 2048
#
# Variables exported for the caller:
#   SOFTHSM2_CONF  the configuration SoftHSM reads (per process, so tests can run in parallel)
#   SOFTHSM_MODULE the SoftHSM PKCS#11 module path
#   SOFTHSM_LABEL, SOFTHSM_USER_PIN, SOFTHSM_SO_PIN

SOFTHSM_MODULE=${SOFTHSM_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
SOFTHSM_LABEL=${SOFTHSM_LABEL:-otasign-test}
SOFTHSM_USER_PIN=${SOFTHSM_USER_PIN:-123456}
SOFTHSM_SO_PIN=${SOFTHSM_SO_PIN:-12345678}
export SOFTHSM_MODULE SOFTHSM_LABEL SOFTHSM_USER_PIN SOFTHSM_SO_PIN

# softhsm_available: true when the SoftHSM module and both tools are installed.
softhsm_available() {
    [[ -r $SOFTHSM_MODULE ]] && command -v softhsm2-util >/dev/null && command -v pkcs11-tool >/dev/null
}

# softhsm_config DIR: writes DIR/softhsm2.conf with an empty DIR/tokens and exports SOFTHSM2_CONF.
softhsm_config() {
    local dir=$1
    mkdir -p "$dir/tokens"
    cat >"$dir/softhsm2.conf" <<CONF
directories.tokendir = $dir/tokens
objectstore.backend = file
log.level = ERROR
slots.removable = false
CONF
    export SOFTHSM2_CONF=$dir/softhsm2.conf
}

# softhsm_token_add LABEL: initialises one more token with the standard PINs.
softhsm_token_add() {
    local label=$1
    softhsm2-util --init-token --free --label "$label" \
        --so-pin "$SOFTHSM_SO_PIN" --pin "$SOFTHSM_USER_PIN" >/dev/null
}

# softhsm_keygen LABEL ID KEYTYPE [extra pkcs11-tool args]: a key pair on token SOFTHSM_LABEL.
softhsm_keygen() {
    local label=$1 id=$2 type=$3
    shift 3
    pkcs11-tool --module "$SOFTHSM_MODULE" --token-label "$SOFTHSM_LABEL" \
        --login --pin "$SOFTHSM_USER_PIN" --keypairgen --key-type "$type" \
        --label "$label" --id "$id" "$@" >/dev/null
}

# softhsm_token_init DIR: configuration, token and the four standard keys.
softhsm_token_init() {
    local dir=$1
    softhsm_config "$dir" || return 1
    softhsm_token_add "$SOFTHSM_LABEL" || return 1
    softhsm_keygen p256 01 EC:secp256r1 || return 1
    softhsm_keygen p384 02 EC:secp384r1 || return 1
    softhsm_keygen p256-auth 03 EC:secp256r1 --always-auth || return 1
    softhsm_keygen rsa2048 04 rsa:2048 || return 1
}

# softhsm_token_cleanup DIR: removes everything softhsm_token_init created.
softhsm_token_cleanup() {
    local dir=$1
    [[ -n $dir && -d $dir ]] && rm -rf -- "$dir"
}
