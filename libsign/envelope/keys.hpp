#pragma once
// Public keys as otasign names and uses them: every key is rebuilt in its canonical form
// (core/key_identity.hpp), its key id is the SHA-256 of that canonical SubjectPublicKeyInfo DER,
// and the signature algorithm follows from the key itself (never from a signature file).

#include <openssl/evp.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/ossl.hpp"
#include "core/result.hpp"

namespace otasign::envelope {

// The algorithms otasign signs and verifies with. RSA-PSS uses MGF1 with the same hash and a
// salt as long as the hash.
enum class SigAlg { ecdsa_p256_sha256, ecdsa_p384_sha384, rsa_pss_sha256 };

// "ecdsa-p256-sha256", "ecdsa-p384-sha384", "rsa-pss-sha256".
const char* sig_alg_name(SigAlg alg) noexcept;
// Errors: InvalidInput for an unknown name.
Result<SigAlg> sig_alg_from_name(std::string_view name);

// A verified-usable public key. Move-only (owns an EVP_PKEY).
struct PublicKey {
    ossl::Ptr<EVP_PKEY> pkey;
    std::string spki_der;  // canonical DER SubjectPublicKeyInfo
    std::string key_id;    // lowercase hex SHA-256 of spki_der
    std::string pem;       // canonical "-----BEGIN PUBLIC KEY-----" form, LF line ends
    SigAlg alg = SigAlg::ecdsa_p256_sha256;

    PublicKey clone() const;
};

// Reads exactly one PEM public key block (white space around it only; no second block, no
// headers). Errors: InvalidInput (not a PEM public key, a certificate, more than one block,
// explicit EC parameters, unsupported type or curve, RSA under 2048 bits), naming `source`.
Result<PublicKey> public_key_from_pem(std::string_view pem, std::string_view source);
// From DER SubjectPublicKeyInfo. Errors: InvalidInput as above.
Result<PublicKey> public_key_from_spki(std::string_view der, std::string_view source);
// Takes a reference on `pkey`. Errors: InvalidInput as above.
Result<PublicKey> public_key_from_evp(EVP_PKEY* pkey, std::string_view source);

// Verifies `signature` (DER for ECDSA) over `message` with the key's algorithm.
// Errors: BadSignature.
Status verify_signature(const PublicKey& key, std::string_view message, std::string_view signature);

// Standard base64 with padding, no line breaks.
std::string base64_encode(std::string_view bytes);
// Strict: standard alphabet, padding required, no whitespace, canonical trailing bits.
// Errors: InvalidInput.
Result<std::string> base64_decode(std::string_view text);

}  // namespace otasign::envelope
