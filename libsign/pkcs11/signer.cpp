#include "pkcs11/signer.hpp"

#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <chrono>
#include <cstring>

namespace otasign::pkcs11 {

namespace {

// How a key that needs a touch fails C_Sign when nobody touched it: the card answers SW 6982
// (a YubiKey after 15 s), which OpenSC and ykcs11 report as CKR_USER_NOT_LOGGED_IN, and some
// module versions as CKR_DEVICE_ERROR, CKR_FUNCTION_FAILED or CKR_GENERAL_ERROR. The PIN was
// accepted just before (a wrong context PIN fails the context login, not C_Sign), so for such a
// key these codes after the touch prompt mean the touch did not come. No wall-clock threshold:
// the card's own timeout decides, whatever it is.
bool looks_like_touch_timeout(CK_RV rv) {
    return rv == CKR_USER_NOT_LOGGED_IN || rv == CKR_FUNCTION_FAILED || rv == CKR_DEVICE_ERROR ||
           rv == CKR_GENERAL_ERROR || rv == CKR_FUNCTION_CANCELED;
}

std::size_t field_bytes(KeyAlgorithm algorithm) {
    return algorithm == KeyAlgorithm::ec_p384 ? 48 : 32;
}

// The error for a failed C_Login, with how the PIN stands now (read after the attempt).
Error login_error(const KeyHandle& key, CK_RV rv, CK_USER_TYPE user,
                  std::optional<int> retries_before) {
    std::string who = "'" + key.info().token.label + "'";
    std::optional<PinState> now;
    if (auto info = key.refresh_token_info(); info.ok())
        now = pin_status_from_flags(info->flags).state;
    std::string status = now ? std::string("; PIN status now: ") + pin_state_name(*now) : "";
    const bool wrong = rv == CKR_PIN_INCORRECT || rv == CKR_PIN_INVALID || rv == CKR_PIN_LEN_RANGE;
    const bool blocked_now =
        now == PinState::locked || (wrong && retries_before && *retries_before <= 1);
    if (rv == CKR_PIN_LOCKED || blocked_now)
        return make_error(
            ErrorCode::PinLocked,
            std::string(wrong ? "wrong PIN: " : "") + "the PIN of token " + who +
                (wrong ? " is now blocked (0 retries left, " : " is blocked (") + rv_name(rv) + ")",
            "unblock it with the PUK ('otasign token unblock-pin') or the security officer PIN");
    if (wrong) {
        std::string hint =
            "otasign never retries a PIN: each wrong attempt uses up one of the token's tries";
        if (now == PinState::final_try)
            hint += "; one try is left, so the next wrong PIN locks it";
        else if (now == PinState::low)
            hint += "; few tries are left";
        // A wrong PIN costs exactly one try, so a count read before the attempt gives the count
        // now.
        std::string left =
            retries_before
                ? "; " + std::to_string(std::max(*retries_before - 1, 0)) + " retries left"
                : "";
        return make_error(ErrorCode::PinIncorrect,
                          "wrong PIN: token " + who + " rejected it (" + rv_name(rv) +
                              ", not retried" + left + status + ")",
                          hint);
    }
    return make_error(
        ErrorCode::TokenError,
        std::string(user == CKU_CONTEXT_SPECIFIC ? "context-specific login" : "login") +
            " to token " + who + " failed: " + rv_name(rv) + status);
}

enum class PinPad { no, yes };

// Checks the PIN flags and, unless the token has a PIN pad, gets the PIN; the returned
// SecretBuffer is empty on a PIN pad. Errors: PinLocked, PinFinalTry, InvalidInput, Declined,
// TokenError.
Result<SecretBuffer> prepare_pin(const KeyHandle& key, const SignOptions& options, OperatorUi& ui,
                                 std::string_view prompt, PinPad* pinpad) {
    OTASIGN_ASSIGN_OR_RETURN(TokenInfo token, key.refresh_token_info());
    OTASIGN_TRY(check_pin_flags(token.flags, options.allow_final_pin_try));
    // PIV modules do not always raise the PIN flags; the exact count from the card decides.
    if (options.pin_retries_left)
        OTASIGN_TRY(check_pin_retries(*options.pin_retries_left, options.allow_final_pin_try));
    if (token.flags & CKF_USER_PIN_COUNT_LOW)
        ui.warn("token '" + token.label +
                "' reports few PIN tries left; a wrong PIN brings it closer to locking");
    if (token.flags & CKF_USER_PIN_FINAL_TRY)
        ui.warn("token '" + token.label + "' has one PIN try left; a wrong PIN locks it");
    if (token.flags & CKF_PROTECTED_AUTHENTICATION_PATH) {
        *pinpad = PinPad::yes;
        ui.display("enter the PIN on the PIN pad of token '" + token.label + "'");
        return SecretBuffer();
    }
    *pinpad = PinPad::no;
    return obtain_pin(options.pin_source, key.uri_pin_source(), ui, prompt);
}

struct Mechanism {
    CK_MECHANISM mech{};
    CK_RSA_PKCS_PSS_PARAMS pss{};
};

}  // namespace

const char* pin_state_name(PinState state) noexcept {
    switch (state) {
        case PinState::ok:
            return "ok";
        case PinState::low:
            return "low";
        case PinState::final_try:
            return "final-try";
        case PinState::locked:
            return "locked";
    }
    return "unknown";
}

PinStatus pin_status_from_flags(CK_FLAGS flags) {
    PinStatus s;
    if (flags & CKF_USER_PIN_LOCKED)
        s.state = PinState::locked;
    else if (flags & CKF_USER_PIN_FINAL_TRY)
        s.state = PinState::final_try;
    else if (flags & CKF_USER_PIN_COUNT_LOW)
        s.state = PinState::low;
    return s;
}

Status check_pin_flags(CK_FLAGS flags, AllowFinalPinTry allow_final_try) {
    if (flags & CKF_USER_PIN_LOCKED)
        return make_error(ErrorCode::PinLocked,
                          "the token's user PIN is locked; otasign will not try it",
                          "unblock it with the PUK or the security officer PIN");
    if ((flags & CKF_USER_PIN_FINAL_TRY) && allow_final_try == AllowFinalPinTry::no)
        return make_error(
            ErrorCode::PinFinalTry,
            "the token has one PIN try left; otasign will not use it unless told to",
            "make sure of the PIN, then allow the final try explicitly (--allow-final-pin-try)");
    return ok_status();
}

Status check_pin_retries(int retries_left, AllowFinalPinTry allow_final_try) {
    if (retries_left <= 0)
        return make_error(ErrorCode::PinLocked,
                          "the PIN is blocked (0 retries left); otasign will not try it",
                          "unblock it with the PUK ('otasign token unblock-pin')");
    if (retries_left == 1 && allow_final_try == AllowFinalPinTry::no)
        return make_error(
            ErrorCode::PinFinalTry, "one PIN try is left; otasign will not use it unless told to",
            "make sure of the PIN, then allow the final try explicitly (--allow-final-pin-try)");
    return ok_status();
}

std::string signature_algorithm_name(KeyAlgorithm algorithm) {
    switch (algorithm) {
        case KeyAlgorithm::ec_p256:
            return "ecdsa-p256-sha256";
        case KeyAlgorithm::ec_p384:
            return "ecdsa-p384-sha384";
        case KeyAlgorithm::rsa:
            return "rsa-pss-sha256";
    }
    return "unknown";
}

HashAlg hash_for(KeyAlgorithm algorithm) {
    return algorithm == KeyAlgorithm::ec_p384 ? HashAlg::sha384 : HashAlg::sha256;
}

Result<std::vector<std::uint8_t>> ecdsa_raw_to_der(std::span<const std::uint8_t> raw) {
    if (raw.empty() || raw.size() % 2 != 0)
        return make_error(ErrorCode::InvalidInput,
                          "a raw ECDSA signature must be r||s of equal widths, got " +
                              std::to_string(raw.size()) + " bytes");
    const int half = static_cast<int>(raw.size() / 2);
    ossl::Ptr<BIGNUM> r(BN_bin2bn(raw.data(), half, nullptr));
    ossl::Ptr<BIGNUM> s(BN_bin2bn(raw.data() + half, half, nullptr));
    ossl::Ptr<ECDSA_SIG> sig(ECDSA_SIG_new());
    if (!r || !s || !sig)
        return make_error(ErrorCode::Internal, "out of memory: " + ossl::last_error());
    if (ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1)
        return make_error(ErrorCode::Internal, "ECDSA_SIG_set0 failed: " + ossl::last_error());
    r.release();  // owned by sig now
    s.release();
    unsigned char* der = nullptr;
    int len = i2d_ECDSA_SIG(sig.get(), &der);
    if (len <= 0)
        return make_error(ErrorCode::Internal, "i2d_ECDSA_SIG failed: " + ossl::last_error());
    std::vector<std::uint8_t> out(der, der + len);
    OPENSSL_free(der);
    return out;
}

Status verify_digest(EVP_PKEY* key, KeyAlgorithm algorithm, std::span<const std::uint8_t> digest,
                     std::span<const std::uint8_t> signature) {
    ossl::Ptr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
    const EVP_MD* md = hash_for(algorithm) == HashAlg::sha384 ? EVP_sha384() : EVP_sha256();
    if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1 ||
        EVP_PKEY_CTX_set_signature_md(ctx.get(), md) != 1)
        return make_error(ErrorCode::Internal,
                          "cannot set up signature verification: " + ossl::last_error());
    if (algorithm == KeyAlgorithm::rsa &&
        (EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PSS_PADDING) != 1 ||
         EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), EVP_sha256()) != 1 ||
         EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx.get(), 32) != 1))
        return make_error(ErrorCode::Internal,
                          "cannot set up RSA-PSS verification: " + ossl::last_error());
    int rc = EVP_PKEY_verify(ctx.get(), signature.data(), signature.size(), digest.data(),
                             digest.size());
    ERR_clear_error();
    if (rc != 1)
        return make_error(ErrorCode::BadSignature,
                          "the signature does not verify with the public key");
    return ok_status();
}

Result<SignResult> sign(KeyHandle& key, std::string_view message, const SignOptions& options,
                        OperatorUi& ui) {
    Session& session = key.session();
    CK_FUNCTION_LIST* fn = session.fn();
    const std::string who = "token '" + key.info().token.label + "'";

    OTASIGN_ASSIGN_OR_RETURN(TokenInfo token, key.refresh_token_info());
    SignResult result;
    result.pin_before = pin_status_from_flags(token.flags);
    result.pin_before.retries_left = options.pin_retries_left;

    // The user PIN is kept (wiped on return) for the context-specific login of the same call.
    SecretBuffer pin;
    PinPad pinpad = PinPad::no;
    bool have_pin = false;
    if ((token.flags & CKF_LOGIN_REQUIRED) && !session.user_logged_in()) {
        OTASIGN_ASSIGN_OR_RETURN(pin,
                                 prepare_pin(key, options, ui, "PIN for " + who + ": ", &pinpad));
        have_pin = true;
        CK_RV rv = session.login(CKU_USER, pinpad == PinPad::yes ? nullptr : &pin);
        if (rv != CKR_OK) return login_error(key, rv, CKU_USER, options.pin_retries_left);
    }

    // Exactly one private key must match, now that a login has made private objects visible.
    if (!key.private_key()) {
        CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
        std::vector<CK_ATTRIBUTE> templ = key.uri().object_template();
        templ.push_back({CKA_CLASS, &cls, sizeof cls});
        OTASIGN_ASSIGN_OR_RETURN(auto objects, session.find(templ));
        if (objects.empty())
            return make_error(ErrorCode::TokenNotFound,
                              "no private key matches " + key.uri().text() + " on " + who,
                              "the public key was found, but not its private key");
        if (objects.size() > 1)
            return make_error(ErrorCode::AmbiguousKey,
                              std::to_string(objects.size()) + " private keys match " +
                                  key.uri().text() + " on " + who,
                              "add object= or id= to the URI so that exactly one key matches");
        OTASIGN_ASSIGN_OR_RETURN(auto id, session.attribute(objects.front(), CKA_ID));
        if (!key.info().id.empty() && (!id || *id != key.info().id))
            return make_error(ErrorCode::TokenError,
                              "the private key matching " + key.uri().text() +
                                  " has a different id than its public key",
                              "add id= to the URI");
        OTASIGN_ASSIGN_OR_RETURN(auto always,
                                 session.bool_attribute(objects.front(), CKA_ALWAYS_AUTHENTICATE));
        key.set_private_key({objects.front(), always.value_or(false)});
    }
    const CK_OBJECT_HANDLE private_key = key.private_key()->handle;
    const bool always_authenticate = key.private_key()->always_authenticate;
    if (always_authenticate && !have_pin) {
        OTASIGN_ASSIGN_OR_RETURN(
            pin, prepare_pin(key, options, ui, "PIN for signing with " + who + ": ", &pinpad));
        have_pin = true;
    }

    const KeyAlgorithm algorithm = key.algorithm();
    result.algorithm = signature_algorithm_name(algorithm);
    result.hash = hash_for(algorithm);
    result.digest = hash_bytes(result.hash, message);
    result.key_id = key.key_id();

    Mechanism m;
    if (algorithm == KeyAlgorithm::rsa) {
        m.pss = CK_RSA_PKCS_PSS_PARAMS{CKM_SHA256, CKG_MGF1_SHA256, 32};
        m.mech = CK_MECHANISM{CKM_RSA_PKCS_PSS, &m.pss, sizeof m.pss};
    } else {
        m.mech = CK_MECHANISM{CKM_ECDSA, nullptr, 0};
    }

    std::vector<std::uint8_t> raw(1024);
    CK_ULONG raw_len = 0;
    CK_RV rv = CKR_OK;
    // A failed C_Sign ends the operation, so a second attempt starts again at C_SignInit. Only a
    // lapsed context login (CKR_USER_NOT_LOGGED_IN) is retried, once: it is not a PIN failure.
    for (int attempt = 0; attempt < 2; ++attempt) {
        rv = fn->C_SignInit(session.handle(), &m.mech, private_key);
        if (rv != CKR_OK)
            return make_error(ErrorCode::TokenError,
                              "C_SignInit on " + who + " failed: " + rv_name(rv));
        if (always_authenticate) {
            // Nothing between C_SignInit, the context-specific login and C_Sign: PIV cards
            // forget the verification after any other command.
            CK_RV lrv = session.login(CKU_CONTEXT_SPECIFIC, pinpad == PinPad::yes ? nullptr : &pin);
            if (lrv != CKR_OK) {
                // PKCS#11 2.40 has no way to cancel an operation except finishing it: C_Sign
                // without the context login fails and ends it, so the session can sign again.
                raw_len = static_cast<CK_ULONG>(raw.size());
                fn->C_Sign(session.handle(), result.digest.data(),
                           static_cast<CK_ULONG>(result.digest.size()), raw.data(), &raw_len);
                return login_error(key, lrv, CKU_CONTEXT_SPECIFIC, options.pin_retries_left);
            }
        }
        raw_len = static_cast<CK_ULONG>(raw.size());
        if (options.touch == TouchPolicy::required) ui.wait_begin("Touch the key now");
        auto started = std::chrono::steady_clock::now();
        rv = fn->C_Sign(session.handle(), result.digest.data(),
                        static_cast<CK_ULONG>(result.digest.size()), raw.data(), &raw_len);
        auto waited = std::chrono::steady_clock::now() - started;
        if (options.touch == TouchPolicy::required) ui.wait_done();
        if (rv == CKR_OK) break;
        if (options.touch == TouchPolicy::required && looks_like_touch_timeout(rv))
            return make_error(
                ErrorCode::TouchTimeout,
                "the key on " + who + " was not touched in time (C_Sign: " + rv_name(rv) +
                    " after " +
                    std::to_string(
                        std::chrono::duration_cast<std::chrono::seconds>(waited).count()) +
                    " s)",
                "run the command again and touch the key while it blinks; nothing was signed");
        if (!(rv == CKR_USER_NOT_LOGGED_IN && always_authenticate)) break;
    }
    pin.clear();
    if (rv != CKR_OK)
        return make_error(ErrorCode::TokenError, "C_Sign on " + who + " failed: " + rv_name(rv),
                          options.touch == TouchPolicy::required
                              ? "the key wants a touch: touch it while it blinks"
                              : "");
    raw.resize(raw_len);

    if (algorithm == KeyAlgorithm::rsa) {
        result.signature = std::move(raw);
    } else {
        if (raw.size() != 2 * field_bytes(algorithm))
            return make_error(ErrorCode::TokenError,
                              who + " returned a " + std::to_string(raw.size()) +
                                  "-byte ECDSA signature, expected " +
                                  std::to_string(2 * field_bytes(algorithm)));
        OTASIGN_ASSIGN_OR_RETURN(result.signature, ecdsa_raw_to_der(raw));
    }
    Status verified = verify_digest(key.public_key(), algorithm, result.digest, result.signature);
    if (!verified.ok())
        return make_error(
            ErrorCode::BadSignature,
            "the token produced a signature that does not verify with key " + key.key_id(),
            "the token's public key object may not belong to its private key; check the key with "
            "'otasign key list'");
    OTASIGN_ASSIGN_OR_RETURN(result.token, key.refresh_token_info());
    return result;
}

}  // namespace otasign::pkcs11
