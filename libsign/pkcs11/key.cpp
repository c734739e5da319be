#include "pkcs11/key.hpp"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <p11-kit/p11-kit.h>

#include <cstring>
#include <memory>

#include "core/digest.hpp"
#include "core/key_identity.hpp"

namespace otasign::pkcs11 {

namespace {

struct ParamBldFree {
    void operator()(OSSL_PARAM_BLD* p) const noexcept { OSSL_PARAM_BLD_free(p); }
};
struct ParamFree {
    void operator()(OSSL_PARAM* p) const noexcept { OSSL_PARAM_free(p); }
};
struct Asn1ObjectFree {
    void operator()(ASN1_OBJECT* p) const noexcept { ASN1_OBJECT_free(p); }
};

std::string trimmed(const unsigned char* text, std::size_t size) {
    return std::string(reinterpret_cast<const char*>(text), p11_kit_space_strlen(text, size));
}

std::string bytes_text(const std::optional<std::vector<std::uint8_t>>& v) {
    if (!v) return {};
    return std::string(v->begin(), v->end());
}

Result<TokenInfo> read_token_info(const Module& module, CK_SLOT_ID slot, CK_SLOT_INFO* slot_out,
                                  CK_TOKEN_INFO* token_out) {
    CK_SLOT_INFO slot_info{};
    CK_TOKEN_INFO token_info{};
    CK_RV rv = module.fn()->C_GetSlotInfo(slot, &slot_info);
    if (rv != CKR_OK)
        return make_error(ErrorCode::TokenError, "C_GetSlotInfo failed: " + rv_name(rv));
    rv = module.fn()->C_GetTokenInfo(slot, &token_info);
    if (rv != CKR_OK)
        return make_error(ErrorCode::TokenError, "C_GetTokenInfo failed: " + rv_name(rv));
    TokenInfo out;
    out.module_path = module.path();
    out.slot_id = slot;
    out.slot_description = trimmed(slot_info.slotDescription, sizeof slot_info.slotDescription);
    out.label = trimmed(token_info.label, sizeof token_info.label);
    out.manufacturer = trimmed(token_info.manufacturerID, sizeof token_info.manufacturerID);
    out.model = trimmed(token_info.model, sizeof token_info.model);
    out.serial = trimmed(token_info.serialNumber, sizeof token_info.serialNumber);
    out.hardware_version = std::to_string(token_info.hardwareVersion.major) + "." +
                           std::to_string(token_info.hardwareVersion.minor);
    out.firmware_version = std::to_string(token_info.firmwareVersion.major) + "." +
                           std::to_string(token_info.firmwareVersion.minor);
    out.flags = token_info.flags;
    OTASIGN_ASSIGN_OR_RETURN(out.uri, format_token_uri(token_info));
    if (slot_out) *slot_out = slot_info;
    if (token_out) *token_out = token_info;
    return out;
}

// CKA_EC_POINT is a DER OCTET STRING around the point (PKCS#11 2.40); some tokens return the
// bare point. The DER form is tried first and must consume every byte.
std::vector<std::uint8_t> unwrap_ec_point(const std::vector<std::uint8_t>& raw) {
    const unsigned char* p = raw.data();
    ossl::Ptr<ASN1_STRING> octets(
        d2i_ASN1_OCTET_STRING(nullptr, &p, static_cast<long>(raw.size())));
    if (octets && p == raw.data() + raw.size()) {
        const unsigned char* d = ASN1_STRING_get0_data(octets.get());
        return std::vector<std::uint8_t>(d, d + ASN1_STRING_length(octets.get()));
    }
    ERR_clear_error();
    return raw;
}

Result<ossl::Ptr<EVP_PKEY>> ec_key_from(const std::vector<std::uint8_t>& params,
                                        const std::vector<std::uint8_t>& point_attr) {
    const unsigned char* p = params.data();
    std::unique_ptr<ASN1_OBJECT, Asn1ObjectFree> oid(
        d2i_ASN1_OBJECT(nullptr, &p, static_cast<long>(params.size())));
    if (!oid) {
        ERR_clear_error();
        return make_error(ErrorCode::TokenError, "the key's CKA_EC_PARAMS is not a named curve");
    }
    int nid = OBJ_obj2nid(oid.get());
    const char* group = OBJ_nid2sn(nid);
    if (nid == NID_undef || !group)
        return make_error(ErrorCode::TokenError, "the key's curve is unknown to OpenSSL");
    std::vector<std::uint8_t> point = unwrap_ec_point(point_attr);
    OSSL_PARAM params_list[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>(group), 0),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
        OSSL_PARAM_construct_end(),
    };
    ossl::Ptr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    EVP_PKEY* key = nullptr;
    if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params_list) != 1)
        return make_error(ErrorCode::TokenError,
                          "the token's EC public key is invalid: " + ossl::last_error());
    return ossl::Ptr<EVP_PKEY>(key);
}

Result<ossl::Ptr<EVP_PKEY>> rsa_key_from(const std::vector<std::uint8_t>& modulus,
                                         const std::vector<std::uint8_t>& exponent) {
    ossl::Ptr<BIGNUM> n(BN_bin2bn(modulus.data(), static_cast<int>(modulus.size()), nullptr));
    ossl::Ptr<BIGNUM> e(BN_bin2bn(exponent.data(), static_cast<int>(exponent.size()), nullptr));
    std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
    if (!n || !e || !bld ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1)
        return make_error(ErrorCode::Internal,
                          "cannot build RSA parameters: " + ossl::last_error());
    std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld.get()));
    ossl::Ptr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
    EVP_PKEY* key = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
        return make_error(ErrorCode::TokenError,
                          "the token's RSA public key is invalid: " + ossl::last_error());
    return ossl::Ptr<EVP_PKEY>(key);
}

// The public key from one object's attributes: EC params + point, or RSA modulus + exponent,
// or an X.509 certificate's value. std::nullopt when the object does not carry them.
Result<std::optional<ossl::Ptr<EVP_PKEY>>> key_from_object(const Session& s, CK_OBJECT_HANDLE obj,
                                                           CK_OBJECT_CLASS cls) {
    using Opt = std::optional<ossl::Ptr<EVP_PKEY>>;
    if (cls == CKO_CERTIFICATE) {
        OTASIGN_ASSIGN_OR_RETURN(auto value, s.attribute(obj, CKA_VALUE));
        if (!value) return Opt();
        const unsigned char* p = value->data();
        ossl::Ptr<X509> cert(d2i_X509(nullptr, &p, static_cast<long>(value->size())));
        if (!cert) {
            ERR_clear_error();
            return Opt();
        }
        EVP_PKEY* key = X509_get_pubkey(cert.get());
        if (!key) return Opt();
        return Opt(ossl::Ptr<EVP_PKEY>(key));
    }
    OTASIGN_ASSIGN_OR_RETURN(auto key_type, s.ulong_attribute(obj, CKA_KEY_TYPE));
    if (!key_type) return Opt();
    if (*key_type == CKK_EC) {
        OTASIGN_ASSIGN_OR_RETURN(auto params, s.attribute(obj, CKA_EC_PARAMS));
        OTASIGN_ASSIGN_OR_RETURN(auto point, s.attribute(obj, CKA_EC_POINT));
        if (!params || !point) return Opt();
        OTASIGN_ASSIGN_OR_RETURN(auto key, ec_key_from(*params, *point));
        return Opt(std::move(key));
    }
    if (*key_type == CKK_RSA) {
        OTASIGN_ASSIGN_OR_RETURN(auto n, s.attribute(obj, CKA_MODULUS));
        OTASIGN_ASSIGN_OR_RETURN(auto e, s.attribute(obj, CKA_PUBLIC_EXPONENT));
        if (!n || !e) return Opt();
        OTASIGN_ASSIGN_OR_RETURN(auto key, rsa_key_from(*n, *e));
        return Opt(std::move(key));
    }
    return Opt();
}

// The public key belonging to `found` (an object of class `cls` with CKA_ID `id`): the public
// key object with the same id, else the certificate with that id, else the object itself.
Result<std::optional<ossl::Ptr<EVP_PKEY>>> find_public_key(const Session& s, CK_OBJECT_HANDLE found,
                                                           CK_OBJECT_CLASS cls,
                                                           std::vector<std::uint8_t> id) {
    if (!id.empty()) {
        for (CK_OBJECT_CLASS want : {CKO_PUBLIC_KEY, CKO_CERTIFICATE}) {
            CK_OBJECT_CLASS c = want;
            std::vector<CK_ATTRIBUTE> templ = {
                {CKA_CLASS, &c, sizeof c}, {CKA_ID, id.data(), static_cast<CK_ULONG>(id.size())}};
            OTASIGN_ASSIGN_OR_RETURN(auto objs, s.find(templ));
            for (CK_OBJECT_HANDLE o : objs) {
                OTASIGN_ASSIGN_OR_RETURN(auto key, key_from_object(s, o, want));
                if (key) return key;
            }
        }
    }
    return key_from_object(s, found, cls);
}

std::string describe_key_type(EVP_PKEY* key) {
    if (EVP_PKEY_is_a(key, "EC")) {
        char group[64] = {};
        std::size_t len = 0;
        if (EVP_PKEY_get_group_name(key, group, sizeof group, &len) == 1) {
            std::string g(group, len);
            if (g == "prime256v1" || g == "P-256") return "EC P-256";
            if (g == "secp384r1" || g == "P-384") return "EC P-384";
            return "EC " + g;
        }
        return "EC";
    }
    if (EVP_PKEY_is_a(key, "RSA")) return "RSA " + std::to_string(EVP_PKEY_get_bits(key));
    return EVP_PKEY_get0_type_name(key) ? EVP_PKEY_get0_type_name(key) : "unknown";
}

struct Candidate {
    KeyInfo info;
    ossl::Ptr<EVP_PKEY> public_key;  // null when the token did not reveal it
    std::string public_key_problem;
};

// All keys the URI selects on every matching token. Private keys are searched first; a token
// that needs a login (SoftHSM) hides them before login, so there the public keys (or failing
// that the certificates) that the URI matches stand in for them; the signer confirms exactly
// one private key after logging in.
Result<std::vector<Candidate>> discover(const Module& module, const KeyUri& uri,
                                        std::vector<TokenInfo>* tokens_seen) {
    std::vector<Candidate> out;
    OTASIGN_ASSIGN_OR_RETURN(auto slots, module.slots_with_token());
    for (CK_SLOT_ID slot : slots) {
        CK_SLOT_INFO slot_info{};
        CK_TOKEN_INFO token_info{};
        auto token = read_token_info(module, slot, &slot_info, &token_info);
        if (!token.ok()) continue;  // a token that went away between the calls
        // SoftHSM always shows one empty slot; an uninitialised token holds no keys.
        if (!(token->flags & CKF_TOKEN_INITIALIZED)) continue;
        if (tokens_seen) tokens_seen->push_back(*token);
        if (!uri.matches(slot_info, slot, token_info)) continue;
        auto session = Session::open(module, slot);
        if (!session.ok()) continue;
        std::vector<CK_OBJECT_HANDLE> objs;
        CK_OBJECT_CLASS found_class = CKO_PRIVATE_KEY;
        for (CK_OBJECT_CLASS cls : {CKO_PRIVATE_KEY, CKO_PUBLIC_KEY, CKO_CERTIFICATE}) {
            if (cls != CKO_PRIVATE_KEY && !(token->flags & CKF_LOGIN_REQUIRED)) break;
            CK_OBJECT_CLASS c = cls;
            std::vector<CK_ATTRIBUTE> templ = uri.object_template();
            templ.push_back({CKA_CLASS, &c, sizeof c});
            OTASIGN_ASSIGN_OR_RETURN(objs, session->find(templ));
            found_class = cls;
            if (!objs.empty()) break;
        }
        for (CK_OBJECT_HANDLE obj : objs) {
            Candidate cand;
            cand.info.token = *token;
            OTASIGN_ASSIGN_OR_RETURN(auto label, session->attribute(obj, CKA_LABEL));
            OTASIGN_ASSIGN_OR_RETURN(auto id, session->attribute(obj, CKA_ID));
            cand.info.label = bytes_text(label);
            cand.info.id = id ? *id : std::vector<std::uint8_t>{};
            if (found_class == CKO_PRIVATE_KEY) {
                OTASIGN_ASSIGN_OR_RETURN(auto always,
                                         session->bool_attribute(obj, CKA_ALWAYS_AUTHENTICATE));
                cand.info.always_authenticate = always.value_or(false);
            }
            auto pub = find_public_key(*session, obj, found_class, cand.info.id);
            if (pub.ok() && *pub) {
                cand.public_key = std::move(**pub);
                cand.info.key_type = describe_key_type(cand.public_key.get());
                auto kid = canonical_key_id(cand.public_key.get(), "the token's public key");
                if (kid.ok()) cand.info.key_id = *kid;
            } else {
                cand.public_key_problem =
                    pub.ok() ? "the token shows no public key for it" : pub.error().detail;
                OTASIGN_ASSIGN_OR_RETURN(auto kt, session->ulong_attribute(obj, CKA_KEY_TYPE));
                cand.info.key_type = !kt              ? "unknown"
                                     : *kt == CKK_EC  ? "EC"
                                     : *kt == CKK_RSA ? "RSA"
                                                      : "other";
            }
            // Found through its public key or certificate: that object's label need not be the
            // private key's (ykcs11: "Public key for ..." vs "Private key for ..."), so the URI
            // selects by the shared id alone when there is one.
            const bool label_is_private_keys =
                found_class == CKO_PRIVATE_KEY || cand.info.id.empty();
            OTASIGN_ASSIGN_OR_RETURN(
                cand.info.uri,
                format_key_uri(token_info, label_is_private_keys ? cand.info.label : "",
                               cand.info.id));
            out.push_back(std::move(cand));
        }
    }
    return out;
}

std::string token_list(const std::vector<TokenInfo>& tokens) {
    if (tokens.empty()) return "no token is present";
    std::string out = "tokens present:";
    for (const auto& t : tokens)
        out += "\n  '" + t.label + "' (" + t.manufacturer + ", serial " + t.serial + "): " + t.uri;
    return out;
}

Result<Module> load_for(const KeyUri& uri, const KeyOptions& options) {
    std::string path = options.module_path;
    if (path.empty()) path = uri.module_path().value_or("");
    if (path.empty()) path = default_module_path();
    return Module::load(path);
}

}  // namespace

std::vector<std::string> TokenInfo::flag_names() const {
    static const std::pair<CK_FLAGS, const char*> names[] = {
        {CKF_RNG, "rng"},
        {CKF_WRITE_PROTECTED, "write-protected"},
        {CKF_LOGIN_REQUIRED, "login-required"},
        {CKF_USER_PIN_INITIALIZED, "user-pin-initialized"},
        {CKF_RESTORE_KEY_NOT_NEEDED, "restore-key-not-needed"},
        {CKF_CLOCK_ON_TOKEN, "clock-on-token"},
        {CKF_PROTECTED_AUTHENTICATION_PATH, "protected-authentication-path"},
        {CKF_DUAL_CRYPTO_OPERATIONS, "dual-crypto-operations"},
        {CKF_TOKEN_INITIALIZED, "token-initialized"},
        {CKF_SECONDARY_AUTHENTICATION, "secondary-authentication"},
        {CKF_USER_PIN_COUNT_LOW, "user-pin-count-low"},
        {CKF_USER_PIN_FINAL_TRY, "user-pin-final-try"},
        {CKF_USER_PIN_LOCKED, "user-pin-locked"},
        {CKF_USER_PIN_TO_BE_CHANGED, "user-pin-to-be-changed"},
        {CKF_SO_PIN_COUNT_LOW, "so-pin-count-low"},
        {CKF_SO_PIN_FINAL_TRY, "so-pin-final-try"},
        {CKF_SO_PIN_LOCKED, "so-pin-locked"},
        {CKF_SO_PIN_TO_BE_CHANGED, "so-pin-to-be-changed"},
    };
    std::vector<std::string> out;
    for (const auto& [flag, name] : names)
        if (flags & flag) out.emplace_back(name);
    return out;
}

std::string KeyInfo::describe() const {
    return "token '" + token.label + "' (serial " + token.serial + "), object '" + label +
           "', id " + (id.empty() ? std::string("(none)") : to_hex(id)) + ", " + key_type +
           (always_authenticate ? ", always-authenticate" : "") + ": " + uri;
}

Result<std::string> public_key_pem(EVP_PKEY* key) {
    ossl::Ptr<BIO> bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PUBKEY(bio.get(), key) != 1)
        return make_error(ErrorCode::Internal,
                          "cannot encode the public key as PEM: " + ossl::last_error());
    char* data = nullptr;
    long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(len));
}

Result<std::string> KeyHandle::spki_pem() const { return public_key_pem(m_public.get()); }

Result<TokenInfo> KeyHandle::refresh_token_info() const {
    return read_token_info(m_module, m_info.token.slot_id, nullptr, nullptr);
}

Result<KeyHandle> open_key(std::string_view uri_text, const KeyOptions& options) {
    OTASIGN_ASSIGN_OR_RETURN(KeyUri uri, KeyUri::parse(uri_text));
    OTASIGN_ASSIGN_OR_RETURN(Module module, load_for(uri, options));
    std::vector<TokenInfo> seen;
    OTASIGN_ASSIGN_OR_RETURN(auto candidates, discover(module, uri, &seen));
    if (candidates.empty())
        return make_error(ErrorCode::TokenNotFound,
                          "no private key matches " + uri.text() + " (module " + module.path() +
                              "); " + token_list(seen),
                          "check the URI against 'otasign key list'; is the token plugged in?");
    if (candidates.size() > 1) {
        std::string list;
        for (const auto& c : candidates) list += "\n  " + c.info.describe();
        return make_error(
            ErrorCode::AmbiguousKey,
            std::to_string(candidates.size()) + " private keys match " + uri.text() + ":" + list,
            "add object=, id=, token= or serial= to the URI so that exactly one key matches");
    }
    Candidate& chosen = candidates.front();
    if (!chosen.public_key)
        return make_error(ErrorCode::TokenError,
                          "cannot read the public key of " + chosen.info.describe() + ": " +
                              chosen.public_key_problem,
                          "the token must hold the public key or a certificate with the same id");
    KeyAlgorithm algorithm;
    if (chosen.info.key_type == "EC P-256")
        algorithm = KeyAlgorithm::ec_p256;
    else if (chosen.info.key_type == "EC P-384")
        algorithm = KeyAlgorithm::ec_p384;
    else if (EVP_PKEY_is_a(chosen.public_key.get(), "RSA") &&
             EVP_PKEY_get_bits(chosen.public_key.get()) >= 2048)
        algorithm = KeyAlgorithm::rsa;
    else
        return make_error(
            ErrorCode::Usage,
            "unsupported key type " + chosen.info.key_type + " for " + chosen.info.describe(),
            "otasign signs with EC P-256, EC P-384 or RSA of at least 2048 bits");
    OTASIGN_ASSIGN_OR_RETURN(Session session, Session::open(module, chosen.info.token.slot_id));
    std::optional<std::string> pin_source = uri.pin_source();
    KeyHandle handle(std::move(module), std::move(session), std::move(uri));
    handle.m_info = std::move(chosen.info);
    handle.m_algorithm = algorithm;
    handle.m_public = std::move(chosen.public_key);
    handle.m_pin_source = std::move(pin_source);
    OTASIGN_ASSIGN_OR_RETURN(CanonicalKey canonical,
                             canonical_key(handle.m_public.get(), "the token's public key"));
    handle.m_spki_der = std::move(canonical.spki_der);
    return handle;
}

Result<std::vector<KeyInfo>> list_keys(std::string_view uri_text, const KeyOptions& options) {
    OTASIGN_ASSIGN_OR_RETURN(KeyUri uri, KeyUri::parse(uri_text));
    OTASIGN_ASSIGN_OR_RETURN(Module module, load_for(uri, options));
    OTASIGN_ASSIGN_OR_RETURN(auto candidates, discover(module, uri, nullptr));
    std::vector<KeyInfo> out;
    for (auto& c : candidates) out.push_back(std::move(c.info));
    return out;
}

Result<std::vector<TokenInfo>> list_tokens(std::string_view uri_text, const KeyOptions& options) {
    OTASIGN_ASSIGN_OR_RETURN(KeyUri uri, KeyUri::parse(uri_text));
    OTASIGN_ASSIGN_OR_RETURN(Module module, load_for(uri, options));
    OTASIGN_ASSIGN_OR_RETURN(auto slots, module.slots_with_token());
    std::vector<TokenInfo> out;
    for (CK_SLOT_ID slot : slots) {
        CK_SLOT_INFO slot_info{};
        CK_TOKEN_INFO token_info{};
        auto token = read_token_info(module, slot, &slot_info, &token_info);
        if (!token.ok() || !(token->flags & CKF_TOKEN_INITIALIZED)) continue;
        if (uri.matches(slot_info, slot, token_info)) out.push_back(std::move(*token));
    }
    return out;
}

}  // namespace otasign::pkcs11
