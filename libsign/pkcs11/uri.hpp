#pragma once
// RFC 7512 PKCS#11 URIs, parsed and matched by p11-kit (p11-kit/uri.h), never by hand.

#include <p11-kit/pkcs11.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

typedef struct p11_kit_uri P11KitUri;

namespace otasign::pkcs11 {

struct UriDeleter {
    void operator()(P11KitUri* uri) const noexcept;
};

class KeyUri {
  public:
    // Parses a key URI ("pkcs11:token=...;object=...;id=%01;type=private?module-path=...").
    // Refuses pin-value (a PIN must not sit in argv or a config file), module-name (only
    // module-path is supported), unknown attributes (a typo must not widen the match) and
    // type other than private. Errors: Usage.
    static Result<KeyUri> parse(std::string_view text);

    const std::string& text() const noexcept { return m_text; }
    // Whether the slot and token described by the URI (slot-*, token, manufacturer, serial,
    // model) match.
    bool matches(const CK_SLOT_INFO& slot, CK_SLOT_ID slot_id, const CK_TOKEN_INFO& token) const;
    // The object attributes the URI names (CKA_LABEL from object=, CKA_ID from id=); they
    // point into this KeyUri. CKA_CLASS is left out: the caller sets it.
    std::vector<CK_ATTRIBUTE> object_template() const;
    // Whether the URI names an object at all (object= or id=).
    bool names_object() const;
    std::optional<std::string> module_path() const;
    std::optional<std::string> pin_source() const;

  private:
    explicit KeyUri(std::string text, std::unique_ptr<P11KitUri, UriDeleter> uri)
        : m_text(std::move(text)), m_uri(std::move(uri)) {}
    std::string m_text;
    std::unique_ptr<P11KitUri, UriDeleter> m_uri;
};

// The URI of a private key, formatted by p11-kit: token, manufacturer, model, serial, object,
// id and type=private. Errors: Internal.
Result<std::string> format_key_uri(const CK_TOKEN_INFO& token, std::string_view label,
                                   const std::vector<std::uint8_t>& id);
// The URI of a token (token, manufacturer, model, serial). Errors: Internal.
Result<std::string> format_token_uri(const CK_TOKEN_INFO& token);

}  // namespace otasign::pkcs11
