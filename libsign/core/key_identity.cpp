#include "core/key_identity.hpp"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>

#include <vector>

#include "core/digest.hpp"

namespace otasign {

namespace {

struct ParamBldFree {
    void operator()(OSSL_PARAM_BLD* p) const noexcept { OSSL_PARAM_BLD_free(p); }
};
struct ParamFree {
    void operator()(OSSL_PARAM* p) const noexcept { OSSL_PARAM_free(p); }
};

Error invalid(std::string_view source, const std::string& what, std::string hint = {}) {
    ERR_clear_error();
    return make_error(ErrorCode::InvalidInput, std::string(source) + ": " + what, std::move(hint));
}

ossl::Ptr<BIGNUM> bn_param(EVP_PKEY* key, const char* name) {
    BIGNUM* bn = nullptr;
    if (EVP_PKEY_get_bn_param(key, name, &bn) != 1) return nullptr;
    return ossl::Ptr<BIGNUM>(bn);
}

Result<ossl::Ptr<EVP_PKEY>> from_params(const char* type, OSSL_PARAM_BLD* bld,
                                        std::string_view source) {
    std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld));
    ossl::Ptr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
    EVP_PKEY* out = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &out, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
        return invalid(source, std::string("cannot rebuild the ") + type +
                                   " public key: " + ossl::last_error());
    return ossl::Ptr<EVP_PKEY>(out);
}

Result<ossl::Ptr<EVP_PKEY>> canonical_ec(EVP_PKEY* key, std::string_view source) {
    char encoding[32] = {};
    std::size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_EC_ENCODING, encoding, sizeof encoding,
                                       &len) == 1 &&
        std::string_view(encoding, len) != OSSL_PKEY_EC_ENCODING_GROUP)
        return invalid(source, "EC key with explicit curve parameters",
                       "only named curves identify a key: re-export it with "
                       "'openssl pkey -pubin -ec_param_enc named_curve'");
    char group[64] = {};
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                       &len) != 1)
        return invalid(source, "EC key without a named curve");
    auto x = bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X);
    auto y = bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y);
    int bits = EVP_PKEY_get_bits(key);
    if (!x || !y || bits <= 0) return invalid(source, "EC key without a usable public point");
    std::size_t field = (static_cast<std::size_t>(bits) + 7) / 8;
    std::vector<unsigned char> point(1 + 2 * field);
    point[0] = 0x04;
    if (BN_bn2binpad(x.get(), point.data() + 1, static_cast<int>(field)) < 0 ||
        BN_bn2binpad(y.get(), point.data() + 1 + field, static_cast<int>(field)) < 0)
        return invalid(source, "EC public point does not fit its curve");
    std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
    if (!bld ||
        OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, len) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                         point.size()) != 1 ||
        OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                        OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_UNCOMPRESSED,
                                        0) != 1 ||
        OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_EC_ENCODING,
                                        OSSL_PKEY_EC_ENCODING_GROUP, 0) != 1)
        return make_error(ErrorCode::Internal, "out of memory");
    OTASIGN_ASSIGN_OR_RETURN(ossl::Ptr<EVP_PKEY> out, from_params("EC", bld.get(), source));
    // The point must lie on the curve (the decoder checks this too; the rebuilt key is what
    // every later use sees, so check it here once more).
    ossl::Ptr<EVP_PKEY_CTX> check(EVP_PKEY_CTX_new_from_pkey(nullptr, out.get(), nullptr));
    if (!check || EVP_PKEY_public_check(check.get()) != 1)
        return invalid(source, "the EC public point is not a valid point of " + std::string(group));
    return out;
}

Result<ossl::Ptr<EVP_PKEY>> canonical_rsa(EVP_PKEY* key, std::string_view source) {
    auto n = bn_param(key, OSSL_PKEY_PARAM_RSA_N);
    auto e = bn_param(key, OSSL_PKEY_PARAM_RSA_E);
    if (!n || !e) return invalid(source, "RSA key without a modulus and exponent");
    std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
    if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1)
        return make_error(ErrorCode::Internal, "out of memory");
    return from_params("RSA", bld.get(), source);
}

}  // namespace

Result<CanonicalKey> canonical_key(EVP_PKEY* key, std::string_view source) {
    if (key == nullptr) return invalid(source, "no public key");
    CanonicalKey out;
    if (EVP_PKEY_is_a(key, "EC")) {
        OTASIGN_ASSIGN_OR_RETURN(out.pkey, canonical_ec(key, source));
    } else if (EVP_PKEY_is_a(key, "RSA") || EVP_PKEY_is_a(key, "RSA-PSS")) {
        OTASIGN_ASSIGN_OR_RETURN(out.pkey, canonical_rsa(key, source));
    } else {
        return invalid(source, "unsupported key type",
                       "otasign accepts EC P-256, EC P-384 and RSA (>= 2048 bits) keys");
    }
    unsigned char* der = nullptr;
    int n = i2d_PUBKEY(out.pkey.get(), &der);
    if (n <= 0)
        return make_error(
            ErrorCode::Internal,
            std::string(source) + ": cannot encode the public key: " + ossl::last_error());
    out.spki_der.assign(reinterpret_cast<const char*>(der), static_cast<std::size_t>(n));
    OPENSSL_free(der);
    out.key_id = sha256_hex(out.spki_der);
    return out;
}

Result<std::string> canonical_key_id(EVP_PKEY* key, std::string_view source) {
    OTASIGN_ASSIGN_OR_RETURN(CanonicalKey k, canonical_key(key, source));
    return std::move(k.key_id);
}

}  // namespace otasign
