#pragma once
// Selecting exactly one private key on a token by PKCS#11 URI, and reading its public key.

#include <openssl/evp.h>
#include <p11-kit/pkcs11.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ossl.hpp"
#include "core/result.hpp"
#include "pkcs11/module.hpp"
#include "pkcs11/uri.hpp"

namespace otasign::pkcs11 {

// What the token says about itself, for evidence records and for the operator.
struct TokenInfo {
    std::string module_path;  // the PKCS#11 module that reached the token
    CK_SLOT_ID slot_id = 0;
    std::string slot_description;  // e.g. "Yubico YubiKey OTP+FIDO+CCID 00 00"
    std::string label;
    std::string manufacturer;
    std::string model;
    std::string serial;
    std::string hardware_version;  // "2.6"
    std::string firmware_version;
    CK_FLAGS flags = 0;  // CKF_* token flags at the time of reading
    std::string uri;     // pkcs11:token=...;manufacturer=...;serial=...;model=...

    // The CKF_* names set in `flags`, lowercase and dashed ("login-required",
    // "user-pin-count-low").
    std::vector<std::string> flag_names() const;
};

// One private key (or, before login on tokens that hide private keys, the public key or
// certificate standing in for it).
struct KeyInfo {
    TokenInfo token;
    std::string label;                 // CKA_LABEL
    std::vector<std::uint8_t> id;      // CKA_ID
    std::string key_type;              // "EC P-256", "EC P-384", "RSA 2048", or what else was found
    bool always_authenticate = false;  // CKA_ALWAYS_AUTHENTICATE (PIV slot 9c)
    std::string key_id;  // sha256 hex of the SubjectPublicKeyInfo DER; empty if unknown
    std::string uri;     // pkcs11:...;object=...;id=...;type=private

    // "token 'T' (serial S), object 'L', id 01, EC P-256" for candidate lists.
    std::string describe() const;
};

enum class KeyAlgorithm { ec_p256, ec_p384, rsa };

struct KeyOptions {
    // The module to load; overrides the URI's module-path. Empty: the URI's module-path, or
    // p11-kit's proxy (default_module_path()).
    std::string module_path;
};

// An open key: the module, a session on its token, and the public key read from the token.
// Move-only; the session closes (and logs out) before the module finalises.
class KeyHandle {
  public:
    KeyHandle(KeyHandle&&) noexcept = default;
    KeyHandle& operator=(KeyHandle&&) = delete;
    ~KeyHandle() = default;

    const KeyInfo& info() const noexcept { return m_info; }
    KeyAlgorithm algorithm() const noexcept { return m_algorithm; }
    EVP_PKEY* public_key() const noexcept { return m_public.get(); }
    // sha256 hex of the SubjectPublicKeyInfo DER.
    const std::string& key_id() const noexcept { return m_info.key_id; }
    // The SubjectPublicKeyInfo as DER and as PEM ("-----BEGIN PUBLIC KEY-----").
    const std::string& spki_der() const noexcept { return m_spki_der; }
    Result<std::string> spki_pem() const;
    // The URI's pin-source, if it had one.
    const std::optional<std::string>& uri_pin_source() const noexcept { return m_pin_source; }
    // Re-reads the token information (flags change with failed PIN attempts). Errors: TokenError.
    Result<TokenInfo> refresh_token_info() const;

    // For the signer: the session, the URI's object template, and the private key once it has
    // been found after login (object handles stay valid while the session is open).
    Session& session() noexcept { return m_session; }
    const KeyUri& uri() const noexcept { return m_uri; }
    struct PrivateKey {
        CK_OBJECT_HANDLE handle = CK_INVALID_HANDLE;
        bool always_authenticate = false;
    };
    const std::optional<PrivateKey>& private_key() const noexcept { return m_private; }
    void set_private_key(PrivateKey key) noexcept { m_private = key; }

  private:
    friend Result<KeyHandle> open_key(std::string_view, const KeyOptions&);
    KeyHandle(Module module, Session session, KeyUri uri) noexcept
        : m_module(std::move(module)), m_session(std::move(session)), m_uri(std::move(uri)) {}
    Module m_module;  // declared first: destroyed last
    Session m_session;
    KeyUri m_uri;
    KeyInfo m_info;
    KeyAlgorithm m_algorithm = KeyAlgorithm::ec_p256;
    ossl::Ptr<EVP_PKEY> m_public;
    std::string m_spki_der;
    std::optional<std::string> m_pin_source;
    std::optional<PrivateKey> m_private;
};

// Opens the one private key the URI selects and reads its public key from the token, without
// logging in. Errors: Usage (bad URI), TokenNotFound (module, token or key not found, listing
// the tokens seen), AmbiguousKey (several keys match, listing them), TokenError.
Result<KeyHandle> open_key(std::string_view uri, const KeyOptions& options);

// Every private key the URI matches ("pkcs11:" matches all), across all tokens, without
// logging in. Errors: Usage, TokenNotFound (module), TokenError.
Result<std::vector<KeyInfo>> list_keys(std::string_view uri, const KeyOptions& options);

// Every token the URI's token part matches. Errors: Usage, TokenNotFound (module), TokenError.
Result<std::vector<TokenInfo>> list_tokens(std::string_view uri, const KeyOptions& options);

// The public key as a SubjectPublicKeyInfo PEM. Errors: Internal.
Result<std::string> public_key_pem(EVP_PKEY* key);

}  // namespace otasign::pkcs11
