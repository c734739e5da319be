#pragma once
// One rule for "which key is this": a public key is identified by its canonical
// SubjectPublicKeyInfo, rebuilt from the key's mathematical content, so that no re-encoding of
// the same key (compressed or hybrid EC point, an RSA key wrapped as RSASSA-PSS) gets a second
// identity. Format: schemas/SIGNATURE-FORMAT.md section 2.
//
//   EC:  id-ecPublicKey, the curve as a named-curve OID, the point uncompressed (0x04 || X || Y)
//   RSA: rsaEncryption with NULL parameters, RSAPublicKey { n, e }
//
// The key id is the lowercase hex SHA-256 of that DER.

#include <openssl/evp.h>

#include <string>
#include <string_view>

#include "core/ossl.hpp"
#include "core/result.hpp"

namespace otasign {

// A key rebuilt in canonical form, with its canonical DER and id.
struct CanonicalKey {
    ossl::Ptr<EVP_PKEY> pkey;  // type "EC" or "RSA", never "RSA-PSS"
    std::string spki_der;      // canonical DER SubjectPublicKeyInfo
    std::string key_id;        // lowercase hex SHA-256 of spki_der
};

// Rebuilds `key` canonically. Errors: InvalidInput naming `source` for explicit EC curve
// parameters (only named curves identify a key), an EC key without a usable point, or a key
// type other than EC, RSA and RSA-PSS.
Result<CanonicalKey> canonical_key(EVP_PKEY* key, std::string_view source);

// The canonical key id of `key`. Errors: as canonical_key.
Result<std::string> canonical_key_id(EVP_PKEY* key, std::string_view source);

}  // namespace otasign
