#pragma once
// Key generation on the card and signing through it: the operations the ceremony and
// `otasign key generate` share. Talks to the operator only through OperatorUi.

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/secret.hpp"
#include "core/ui.hpp"
#include "piv/device.hpp"

namespace otasign::piv {

enum class ReplaceKey { no, yes };

// How to authenticate as the card's administrator before generating or storing a certificate.
enum class ManagementKeyKind {
    factory_default,  // the well-known default key (3DES, or AES-192 from firmware 5.7)
    pin_protected,    // read from the PIN-protected object after verifying the PIN (ceremony init
                      // sets this)
    supplied,         // the caller read the key from a secret source (16, 24 or 32 bytes)
};

struct GenerateRequest {
    std::uint8_t slot = 0x9c;
    Algorithm algorithm = Algorithm::eccp384;
    PinPolicy pin_policy = PinPolicy::always;
    TouchPolicy touch_policy = TouchPolicy::always;
    ReplaceKey replace = ReplaceKey::no;
    std::string subject = "otasign manifest signing key";
};

struct GeneratedKey {
    std::vector<std::uint8_t> spki_der;
    std::string key_id;                         // sha256 hex of spki_der
    std::vector<std::uint8_t> certificate_der;  // self-signed by the new key, stored in the slot
};

// Generates a key in the slot, then a self-signed certificate for it signed BY THE CARD (PIN
// verified and touch requested per the new policy) so PKCS#11 modules list the key, and stores
// it. Refuses a slot that already holds a key unless request.replace is yes.
// Errors: PolicyViolation (slot occupied), PinIncorrect, PinLocked, TokenError, Usage.
Result<GeneratedKey> generate_signing_key(PivDevice& device, const GenerateRequest& request,
                                          const SecretBuffer& pin, ManagementKeyKind management,
                                          const SecretBuffer* management_key, OperatorUi& ui);

// Signs `message` with the slot's EC key: verifies the PIN right before, and tells the operator
// to touch the key when the slot's touch policy asks for it. Returns a DER ECDSA signature over
// SHA-256 (ECCP256) or SHA-384 (ECCP384). Errors: TokenNotFound (empty slot), PinIncorrect,
// TokenError.
Result<std::vector<std::uint8_t>> sign_with_slot(PivDevice& device, std::uint8_t slot,
                                                 const SecretBuffer& pin, std::string_view message,
                                                 OperatorUi& ui);

// A management key from 32, 48 or 64 hex digits (its algorithm is the card's, from GET
// METADATA). Errors: InvalidInput.
Result<SecretBuffer> management_key_from_hex(const SecretBuffer& hex);

// The public key of a slot from GET METADATA. Errors: TokenNotFound (empty slot), TokenError.
Result<ossl::Ptr<EVP_PKEY>> slot_public_key(PivDevice& device, std::uint8_t slot);

}  // namespace otasign::piv
