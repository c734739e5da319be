#include "pkcs11/uri.hpp"

#include <p11-kit/uri.h>

#include <cstdlib>
#include <cstring>

namespace otasign::pkcs11 {

void UriDeleter::operator()(P11KitUri* uri) const noexcept { p11_kit_uri_free(uri); }

namespace {
const char* kUriHint =
    "a key URI looks like pkcs11:token=NAME;object=LABEL;id=%01;type=private (RFC 7512); "
    "'otasign key list' prints the URIs of the keys it can see";
}

Result<KeyUri> KeyUri::parse(std::string_view text) {
    std::unique_ptr<P11KitUri, UriDeleter> uri(p11_kit_uri_new());
    if (!uri) return make_error(ErrorCode::Internal, "out of memory parsing a PKCS#11 URI");
    std::string owned(text);
    int rc = p11_kit_uri_parse(owned.c_str(), P11_KIT_URI_FOR_ANY, uri.get());
    if (rc != P11_KIT_URI_OK)
        return make_error(ErrorCode::Usage,
                          "invalid PKCS#11 URI '" + owned + "': " + p11_kit_uri_message(rc),
                          kUriHint);
    if (p11_kit_uri_any_unrecognized(uri.get()))
        return make_error(
            ErrorCode::Usage, "PKCS#11 URI '" + owned + "' has an attribute otasign does not know",
            "check the spelling; otasign understands token, manufacturer, serial, model, "
            "object, id, type, slot-description, slot-manufacturer, slot-id, "
            "module-path and pin-source");
    if (p11_kit_uri_get_pin_value(uri.get()))
        return make_error(
            ErrorCode::Usage, "PKCS#11 URI '" + owned + "' contains pin-value",
            "a PIN never goes on the command line; use pin-source=file:PATH or let otasign prompt");
    if (p11_kit_uri_get_module_name(uri.get()))
        return make_error(ErrorCode::Usage, "PKCS#11 URI '" + owned + "' uses module-name",
                          "name the module file with module-path=/path/to/module.so or --module");
    if (CK_ATTRIBUTE* cls = p11_kit_uri_get_attribute(uri.get(), CKA_CLASS)) {
        CK_OBJECT_CLASS value = CKO_DATA;
        if (cls->ulValueLen == sizeof value) std::memcpy(&value, cls->pValue, sizeof value);
        if (value != CKO_PRIVATE_KEY)
            return make_error(
                ErrorCode::Usage,
                "PKCS#11 URI '" + owned + "' selects objects that are not private keys",
                "otasign selects the signing key itself: use type=private or leave type out");
    }
    return KeyUri(std::move(owned), std::move(uri));
}

bool KeyUri::matches(const CK_SLOT_INFO& slot, CK_SLOT_ID slot_id,
                     const CK_TOKEN_INFO& token) const {
    if (!p11_kit_uri_match_token_info(m_uri.get(), &token)) return false;
    if (!p11_kit_uri_match_slot_info(m_uri.get(), &slot)) return false;
    CK_SLOT_ID wanted = p11_kit_uri_get_slot_id(m_uri.get());
    return wanted == static_cast<CK_SLOT_ID>(-1) || wanted == slot_id;
}

std::vector<CK_ATTRIBUTE> KeyUri::object_template() const {
    std::vector<CK_ATTRIBUTE> out;
    for (CK_ATTRIBUTE_TYPE type : {CKA_LABEL, CKA_ID})
        if (CK_ATTRIBUTE* attr = p11_kit_uri_get_attribute(m_uri.get(), type)) out.push_back(*attr);
    return out;
}

bool KeyUri::names_object() const { return !object_template().empty(); }

std::optional<std::string> KeyUri::module_path() const {
    if (const char* p = p11_kit_uri_get_module_path(m_uri.get())) return std::string(p);
    return std::nullopt;
}

std::optional<std::string> KeyUri::pin_source() const {
    if (const char* p = p11_kit_uri_get_pin_source(m_uri.get())) return std::string(p);
    return std::nullopt;
}

namespace {
Result<std::string> format(P11KitUri* uri, P11KitUriType type) {
    char* text = nullptr;
    int rc = p11_kit_uri_format(uri, type, &text);
    if (rc != P11_KIT_URI_OK || !text)
        return make_error(ErrorCode::Internal,
                          std::string("cannot format a PKCS#11 URI: ") + p11_kit_uri_message(rc));
    std::string out = text;
    std::free(text);
    return out;
}
}  // namespace

Result<std::string> format_token_uri(const CK_TOKEN_INFO& token) {
    std::unique_ptr<P11KitUri, UriDeleter> uri(p11_kit_uri_new());
    if (!uri) return make_error(ErrorCode::Internal, "out of memory formatting a PKCS#11 URI");
    *p11_kit_uri_get_token_info(uri.get()) = token;
    return format(uri.get(), P11_KIT_URI_FOR_TOKEN);
}

Result<std::string> format_key_uri(const CK_TOKEN_INFO& token, std::string_view label,
                                   const std::vector<std::uint8_t>& id) {
    std::unique_ptr<P11KitUri, UriDeleter> uri(p11_kit_uri_new());
    if (!uri) return make_error(ErrorCode::Internal, "out of memory formatting a PKCS#11 URI");
    *p11_kit_uri_get_token_info(uri.get()) = token;
    std::string label_copy(label);
    std::vector<std::uint8_t> id_copy(id);
    CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
    CK_ATTRIBUTE attrs[] = {
        {CKA_CLASS, &cls, sizeof cls},
        {CKA_LABEL, label_copy.data(), static_cast<CK_ULONG>(label_copy.size())},
        {CKA_ID, id_copy.data(), static_cast<CK_ULONG>(id_copy.size())},
    };
    for (CK_ATTRIBUTE& a : attrs) {
        if (a.type != CKA_CLASS && a.ulValueLen == 0) continue;
        if (p11_kit_uri_set_attribute(uri.get(), &a) != P11_KIT_URI_OK)
            return make_error(ErrorCode::Internal, "cannot set a PKCS#11 URI attribute");
    }
    return format(uri.get(), P11_KIT_URI_FOR_OBJECT_ON_TOKEN);
}

}  // namespace otasign::pkcs11
