#pragma once
// Signing with a token key. The message is hashed here (SHA-256 for P-256 and RSA, SHA-384 for
// P-384) and only the digest goes to the token: CKM_ECDSA or CKM_RSA_PKCS_PSS, which SoftHSM 2.6
// and PIV cards both provide (neither has CKM_ECDSA_SHA384 everywhere). The raw ECDSA r||s is
// converted to DER, and every signature is verified with the public key before it is returned.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/digest.hpp"
#include "core/result.hpp"
#include "core/ui.hpp"
#include "pkcs11/key.hpp"
#include "pkcs11/pin_source.hpp"

namespace otasign::pkcs11 {

enum class AllowFinalPinTry { no, yes };
enum class TouchPolicy { not_required, required };

// How the PIN stands. PKCS#11 has no retry counter, only flags; a lower layer that knows the
// exact count (libykpiv for a PIV card) fills in retries_left.
enum class PinState { ok, low, final_try, locked };
// "ok", "low", "final-try", "locked": as printed and as signed in approval.pinStatus.
const char* pin_state_name(PinState state) noexcept;

struct PinStatus {
    PinState state = PinState::ok;
    std::optional<int> retries_left;  // exact count when known; never from PKCS#11
};

// The PIN state the token flags describe.
PinStatus pin_status_from_flags(CK_FLAGS flags);
// Whether a PIN may be asked for given the token flags: refuses a locked PIN and, unless
// allowed, the final try. Errors: PinLocked, PinFinalTry.
Status check_pin_flags(CK_FLAGS flags, AllowFinalPinTry allow_final_try);

// The same refusals from an exact retry count (GET METADATA on a PIV card): 0 is blocked, 1 is
// the final try. Errors: PinLocked, PinFinalTry.
Status check_pin_retries(int retries_left, AllowFinalPinTry allow_final_try);

struct SignOptions {
    // Where the PIN comes from; unset: the URI's pin-source, else OperatorUi::request_secret.
    std::optional<PinSource> pin_source;
    AllowFinalPinTry allow_final_pin_try = AllowFinalPinTry::no;
    // Whether the key needs a touch (the PIV layer knows it from the slot's metadata).
    TouchPolicy touch = TouchPolicy::not_required;
    // The exact PIN retry count when a lower layer knows it (read before any PIN is sent):
    // reported in SignResult::pin_before, and refuses a blocked PIN or, unless allowed, the
    // final try even when the token's flags do not say so.
    std::optional<int> pin_retries_left;
};

struct SignResult {
    std::vector<std::uint8_t> signature;  // ECDSA: DER Ecdsa-Sig-Value; RSA: the PSS signature
    std::string algorithm;  // "ecdsa-p256-sha256", "ecdsa-p384-sha384", "rsa-pss-sha256"
    HashAlg hash = HashAlg::sha256;
    std::vector<std::uint8_t> digest;  // the digest that was signed
    std::string key_id;                // sha256 hex of the SubjectPublicKeyInfo DER
    PinStatus pin_before;              // as read before the PIN was asked for
    TokenInfo token;                   // token details as read after signing (evidence)
};

// The signature algorithm name for a key ("ecdsa-p256-sha256", ...).
std::string signature_algorithm_name(KeyAlgorithm algorithm);
HashAlg hash_for(KeyAlgorithm algorithm);

// Signs `message` with the key. Logs in as the user when the session is not logged in yet
// (asking for the PIN only after checking the token's PIN flags, never retrying a wrong PIN),
// does the context-specific login of CKA_ALWAYS_AUTHENTICATE keys between C_SignInit and
// C_Sign, tells the operator to touch the key when options.touch says so, and verifies the
// result. Errors: PinIncorrect, PinLocked, PinFinalTry, TouchTimeout, Declined, InvalidInput
// (PIN source), TokenNotFound / AmbiguousKey (private key after login), BadSignature (the
// token's signature does not verify), TokenError.
Result<SignResult> sign(KeyHandle& key, std::string_view message, const SignOptions& options,
                        OperatorUi& ui);

// Converts a raw PKCS#11 / IEEE P1363 ECDSA signature r||s to a DER Ecdsa-Sig-Value, splitting
// at half the length (r and s are fixed-width, so leading zero bytes belong to the number).
// Errors: InvalidInput (empty or odd length).
Result<std::vector<std::uint8_t>> ecdsa_raw_to_der(std::span<const std::uint8_t> raw);

// Verifies `signature` over `digest` with `key` (ECDSA with a DER signature, or RSA-PSS with
// SHA-256, MGF1-SHA-256 and a 32-byte salt). Errors: BadSignature.
Status verify_digest(EVP_PKEY* key, KeyAlgorithm algorithm, std::span<const std::uint8_t> digest,
                     std::span<const std::uint8_t> signature);

}  // namespace otasign::pkcs11
