#include "crypto.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <cstdio>

namespace vpiv {
namespace {

struct CtxFree { void operator()(EVP_PKEY_CTX* p) const noexcept { EVP_PKEY_CTX_free(p); } };
struct BnFree { void operator()(BIGNUM* p) const noexcept { BN_free(p); } };
struct BnCtxFree { void operator()(BN_CTX* p) const noexcept { BN_CTX_free(p); } };
struct GroupFree { void operator()(EC_GROUP* p) const noexcept { EC_GROUP_free(p); } };
struct PointFree { void operator()(EC_POINT* p) const noexcept { EC_POINT_free(p); } };
struct BldFree { void operator()(OSSL_PARAM_BLD* p) const noexcept { OSSL_PARAM_BLD_free(p); } };
struct ParamFree { void operator()(OSSL_PARAM* p) const noexcept { OSSL_PARAM_free(p); } };
struct BioFree { void operator()(BIO* p) const noexcept { BIO_free_all(p); } };
struct CipherCtxFree { void operator()(EVP_CIPHER_CTX* p) const noexcept { EVP_CIPHER_CTX_free(p); } };
struct NameFree { void operator()(X509_NAME* p) const noexcept { X509_NAME_free(p); } };
struct ExtFree { void operator()(X509_EXTENSION* p) const noexcept { X509_EXTENSION_free(p); } };
struct OctetFree { void operator()(ASN1_OCTET_STRING* p) const noexcept { ASN1_OCTET_STRING_free(p); } };
struct IntFree { void operator()(ASN1_INTEGER* p) const noexcept { ASN1_INTEGER_free(p); } };
struct ObjFree { void operator()(ASN1_OBJECT* p) const noexcept { ASN1_OBJECT_free(p); } };

using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, CtxFree>;
using Bn = std::unique_ptr<BIGNUM, BnFree>;
using BnCtx = std::unique_ptr<BN_CTX, BnCtxFree>;

const char* curve_name(Algorithm alg) { return alg == Algorithm::eccp256 ? "P-256" : "P-384"; }
int curve_nid(Algorithm alg) { return alg == Algorithm::eccp256 ? NID_X9_62_prime256v1 : NID_secp384r1; }
std::size_t field_bytes(Algorithm alg) { return alg == Algorithm::eccp256 ? 32 : 48; }
int rsa_bits(Algorithm alg) { return alg == Algorithm::rsa1024 ? 1024 : 2048; }

Bytes bn_bytes(const BIGNUM* bn) {
    Bytes out(static_cast<std::size_t>(BN_num_bytes(bn)));
    BN_bn2bin(bn, out.data());
    return out;
}

Bn bn_from(const Bytes& b) {
    return Bn(BN_bin2bn(b.data(), static_cast<int>(b.size()), nullptr));
}

std::optional<Pkey> from_params(const char* type, OSSL_PARAM_BLD* bld, int selection) {
    std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld));
    if (!params) return std::nullopt;
    PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
    EVP_PKEY* raw = nullptr;
    if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
        EVP_PKEY_fromdata(ctx.get(), &raw, selection, params.get()) <= 0)
        return std::nullopt;
    return Pkey(raw);
}

std::optional<Bytes> ec_point_of(EVP_PKEY* key) {
    std::size_t len = 0;
    if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, nullptr, 0, &len) <= 0)
        return std::nullopt;
    Bytes point(len);
    if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, point.data(), len, &len) <= 0)
        return std::nullopt;
    point.resize(len);
    return point;
}

}  // namespace

bool is_asymmetric(std::uint8_t alg) {
    return alg == 0x06 || alg == 0x07 || alg == 0x11 || alg == 0x14;
}

bool is_ec(Algorithm alg) { return alg == Algorithm::eccp256 || alg == Algorithm::eccp384; }

std::optional<Pkey> generate_key(Algorithm alg) {
    PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, is_ec(alg) ? "EC" : "RSA", nullptr));
    if (!ctx || EVP_PKEY_keygen_init(ctx.get()) <= 0) return std::nullopt;
    if (is_ec(alg)) {
        if (EVP_PKEY_CTX_set_group_name(ctx.get(), curve_name(alg)) <= 0) return std::nullopt;
    } else if (EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), rsa_bits(alg)) <= 0) {
        return std::nullopt;
    }
    EVP_PKEY* raw = nullptr;
    if (EVP_PKEY_generate(ctx.get(), &raw) <= 0) return std::nullopt;
    return Pkey(raw);
}

std::optional<Pkey> ec_key_from_scalar(Algorithm alg, const Bytes& scalar) {
    if (!is_ec(alg) || scalar.size() != field_bytes(alg)) return std::nullopt;
    std::unique_ptr<EC_GROUP, GroupFree> group(EC_GROUP_new_by_curve_name(curve_nid(alg)));
    Bn priv = bn_from(scalar);
    BnCtx bctx(BN_CTX_new());
    if (!group || !priv || !bctx) return std::nullopt;
    if (BN_is_zero(priv.get()) || BN_cmp(priv.get(), EC_GROUP_get0_order(group.get())) >= 0)
        return std::nullopt;
    std::unique_ptr<EC_POINT, PointFree> pub(EC_POINT_new(group.get()));
    if (!pub || !EC_POINT_mul(group.get(), pub.get(), priv.get(), nullptr, nullptr, bctx.get()))
        return std::nullopt;
    Bytes point(1 + 2 * field_bytes(alg));
    if (EC_POINT_point2oct(group.get(), pub.get(), POINT_CONVERSION_UNCOMPRESSED, point.data(),
                           point.size(), bctx.get()) != point.size())
        return std::nullopt;
    std::unique_ptr<OSSL_PARAM_BLD, BldFree> bld(OSSL_PARAM_BLD_new());
    const char* group_name = alg == Algorithm::eccp256 ? "prime256v1" : "secp384r1";
    if (!bld || !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group_name, 0) ||
        !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, priv.get()) ||
        !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()))
        return std::nullopt;
    return from_params("EC", bld.get(), EVP_PKEY_KEYPAIR);
}

std::optional<Pkey> rsa_key_from_primes(Algorithm alg, const Bytes& p_bytes, const Bytes& q_bytes) {
    if (is_ec(alg)) return std::nullopt;
    BnCtx bctx(BN_CTX_new());
    Bn p = bn_from(p_bytes), q = bn_from(q_bytes);
    Bn n(BN_new()), e(BN_new()), d(BN_new()), p1(BN_new()), q1(BN_new()), phi(BN_new());
    Bn dp(BN_new()), dq(BN_new()), qinv(BN_new());
    if (!bctx || !p || !q || !n || !e || !d || !p1 || !q1 || !phi || !dp || !dq || !qinv)
        return std::nullopt;
    if (!BN_set_word(e.get(), 65537) || !BN_mul(n.get(), p.get(), q.get(), bctx.get()) ||
        BN_num_bits(n.get()) != rsa_bits(alg) || !BN_sub(p1.get(), p.get(), BN_value_one()) ||
        !BN_sub(q1.get(), q.get(), BN_value_one()) || !BN_mul(phi.get(), p1.get(), q1.get(), bctx.get()) ||
        !BN_mod_inverse(d.get(), e.get(), phi.get(), bctx.get()) ||
        !BN_mod(dp.get(), d.get(), p1.get(), bctx.get()) || !BN_mod(dq.get(), d.get(), q1.get(), bctx.get()) ||
        !BN_mod_inverse(qinv.get(), q.get(), p.get(), bctx.get()))
        return std::nullopt;
    std::unique_ptr<OSSL_PARAM_BLD, BldFree> bld(OSSL_PARAM_BLD_new());
    if (!bld || !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) ||
        !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) ||
        !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_D, d.get()) ||
        !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_FACTOR1, p.get()) ||
        !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_FACTOR2, q.get()) ||
        !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_EXPONENT1, dp.get()) ||
        !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_EXPONENT2, dq.get()) ||
        !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_COEFFICIENT1, qinv.get()))
        return std::nullopt;
    return from_params("RSA", bld.get(), EVP_PKEY_KEYPAIR);
}

std::optional<Algorithm> algorithm_of(EVP_PKEY* key) {
    if (EVP_PKEY_is_a(key, "EC")) {
        char group[64] = {0};
        std::size_t len = 0;
        if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len) <= 0)
            return std::nullopt;
        std::string name(group, len);
        if (name == "prime256v1" || name == "P-256") return Algorithm::eccp256;
        if (name == "secp384r1" || name == "P-384") return Algorithm::eccp384;
        return std::nullopt;
    }
    if (EVP_PKEY_is_a(key, "RSA")) {
        int bits = EVP_PKEY_get_bits(key);
        if (bits == 1024) return Algorithm::rsa1024;
        if (bits == 2048) return Algorithm::rsa2048;
    }
    return std::nullopt;
}

Bytes public_key_tlvs(EVP_PKEY* key) {
    Bytes out;
    if (EVP_PKEY_is_a(key, "EC")) {
        append_tlv(out, 0x86, ec_point_of(key).value_or(Bytes{}));
        return out;
    }
    BIGNUM* n = nullptr;
    BIGNUM* e = nullptr;
    EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n);
    EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e);
    Bn n_owned(n), e_owned(e);
    if (n && e) {
        append_tlv(out, 0x81, bn_bytes(n));
        append_tlv(out, 0x82, bn_bytes(e));
    }
    return out;
}

std::optional<Bytes> ecdsa_sign_raw(EVP_PKEY* key, const Bytes& digest) {
    PkeyCtx ctx(EVP_PKEY_CTX_new(key, nullptr));
    std::size_t len = 0;
    if (!ctx || EVP_PKEY_sign_init(ctx.get()) <= 0 ||
        EVP_PKEY_sign(ctx.get(), nullptr, &len, digest.data(), digest.size()) <= 0)
        return std::nullopt;
    Bytes sig(len);
    if (EVP_PKEY_sign(ctx.get(), sig.data(), &len, digest.data(), digest.size()) <= 0) return std::nullopt;
    sig.resize(len);
    return sig;
}

std::optional<Bytes> ecdh(EVP_PKEY* key, const Bytes& peer_point) {
    char group[64] = {0};
    std::size_t glen = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &glen) <= 0)
        return std::nullopt;
    std::unique_ptr<OSSL_PARAM_BLD, BldFree> bld(OSSL_PARAM_BLD_new());
    if (!bld || !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) ||
        !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, peer_point.data(),
                                          peer_point.size()))
        return std::nullopt;
    auto peer = from_params("EC", bld.get(), EVP_PKEY_PUBLIC_KEY);
    if (!peer) return std::nullopt;
    PkeyCtx ctx(EVP_PKEY_CTX_new(key, nullptr));
    std::size_t len = 0;
    if (!ctx || EVP_PKEY_derive_init(ctx.get()) <= 0 || EVP_PKEY_derive_set_peer(ctx.get(), peer->get()) <= 0 ||
        EVP_PKEY_derive(ctx.get(), nullptr, &len) <= 0)
        return std::nullopt;
    Bytes secret(len);
    if (EVP_PKEY_derive(ctx.get(), secret.data(), &len) <= 0) return std::nullopt;
    secret.resize(len);
    return secret;
}

std::optional<Bytes> rsa_raw_private(EVP_PKEY* key, const Bytes& block) {
    PkeyCtx ctx(EVP_PKEY_CTX_new(key, nullptr));
    std::size_t len = 0;
    if (!ctx || EVP_PKEY_decrypt_init(ctx.get()) <= 0 ||
        EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_NO_PADDING) <= 0 ||
        EVP_PKEY_decrypt(ctx.get(), nullptr, &len, block.data(), block.size()) <= 0)
        return std::nullopt;
    Bytes out(len);
    if (EVP_PKEY_decrypt(ctx.get(), out.data(), &len, block.data(), block.size()) <= 0) return std::nullopt;
    out.resize(len);
    return out;
}

bool is_management_algorithm(std::uint8_t alg) {
    return alg == 0x03 || alg == 0x08 || alg == 0x0a || alg == 0x0c;
}

std::size_t management_key_length(Algorithm alg) {
    if (alg == Algorithm::aes128) return 16;
    if (alg == Algorithm::aes256) return 32;
    return 24;
}

std::size_t management_block_size(Algorithm alg) { return alg == Algorithm::tdes ? 8 : 16; }

std::optional<Bytes> management_block(Algorithm alg, const Bytes& key, const Bytes& block,
                                      CipherDirection direction) {
    const int encrypt = direction == CipherDirection::encrypt ? 1 : 0;
    const EVP_CIPHER* cipher = nullptr;
    switch (alg) {
        case Algorithm::tdes:
            cipher = EVP_des_ede3_ecb();
            break;
        case Algorithm::aes128:
            cipher = EVP_aes_128_ecb();
            break;
        case Algorithm::aes192:
            cipher = EVP_aes_192_ecb();
            break;
        case Algorithm::aes256:
            cipher = EVP_aes_256_ecb();
            break;
        default:
            return std::nullopt;
    }
    if (key.size() != management_key_length(alg) || block.size() != management_block_size(alg))
        return std::nullopt;
    std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> ctx(EVP_CIPHER_CTX_new());
    if (!ctx || EVP_CipherInit_ex(ctx.get(), cipher, nullptr, key.data(), nullptr, encrypt) != 1)
        return std::nullopt;
    EVP_CIPHER_CTX_set_padding(ctx.get(), 0);
    Bytes out(block.size() + 32);
    int len = 0, tail = 0;
    if (EVP_CipherUpdate(ctx.get(), out.data(), &len, block.data(),
                         static_cast<int>(block.size())) != 1 ||
        EVP_CipherFinal_ex(ctx.get(), out.data() + len, &tail) != 1)
        return std::nullopt;
    out.resize(static_cast<std::size_t>(len + tail));
    return out;
}

Bytes random_bytes(std::size_t n) {
    Bytes out(n);
    if (RAND_bytes(out.data(), static_cast<int>(n)) != 1) std::abort();
    return out;
}

std::string key_to_pem(EVP_PKEY* key) {
    std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) return {};
    char* data = nullptr;
    long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(len));
}

std::optional<Pkey> key_from_pem(const std::string& pem) {
    std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    EVP_PKEY* key = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr;
    if (!key) return std::nullopt;
    return Pkey(key);
}

std::optional<Cert> cert_from_der(const Bytes& der) {
    const unsigned char* p = der.data();
    X509* cert = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
    if (!cert) return std::nullopt;
    return Cert(cert);
}

std::optional<Cert> cert_from_pem_file(const std::string& path) {
    std::unique_ptr<BIO, BioFree> bio(BIO_new_file(path.c_str(), "r"));
    X509* cert = bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr;
    if (!cert) return std::nullopt;
    return Cert(cert);
}

std::optional<Pkey> key_from_pem_file(const std::string& path) {
    std::unique_ptr<BIO, BioFree> bio(BIO_new_file(path.c_str(), "r"));
    EVP_PKEY* key = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr;
    if (!key) return std::nullopt;
    return Pkey(key);
}

Bytes cert_to_der(X509* cert) {
    int len = i2d_X509(cert, nullptr);
    if (len <= 0) return {};
    Bytes out(static_cast<std::size_t>(len));
    unsigned char* p = out.data();
    i2d_X509(cert, &p);
    return out;
}

namespace {

bool add_raw_extension(X509* cert, const char* oid, const Bytes& value) {
    std::unique_ptr<ASN1_OBJECT, ObjFree> obj(OBJ_txt2obj(oid, 1));
    std::unique_ptr<ASN1_OCTET_STRING, OctetFree> octets(ASN1_OCTET_STRING_new());
    if (!obj || !octets || !ASN1_OCTET_STRING_set(octets.get(), value.data(), static_cast<int>(value.size())))
        return false;
    std::unique_ptr<X509_EXTENSION, ExtFree> ext(X509_EXTENSION_create_by_OBJ(nullptr, obj.get(), 0, octets.get()));
    return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

}  // namespace

std::optional<Bytes> make_attestation(EVP_PKEY* subject_key, EVP_PKEY* issuer_key, X509* issuer_cert,
                                      const AttestationFacts& facts) {
    Cert cert(X509_new());
    if (!cert || !X509_set_version(cert.get(), 2)) return std::nullopt;
    Bytes serial = random_bytes(16);
    serial[0] &= 0x7f;
    Bn serial_bn = bn_from(serial);
    std::unique_ptr<ASN1_INTEGER, IntFree> serial_int(BN_to_ASN1_INTEGER(serial_bn.get(), nullptr));
    if (!serial_int || !X509_set_serialNumber(cert.get(), serial_int.get())) return std::nullopt;
    if (!X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer_cert))) return std::nullopt;
    char cn[64];
    std::snprintf(cn, sizeof cn, "YubiKey PIV Attestation %02x", facts.slot);
    std::unique_ptr<X509_NAME, NameFree> subject(X509_NAME_new());
    if (!subject || !X509_NAME_add_entry_by_txt(subject.get(), "CN", MBSTRING_UTF8,
                                                reinterpret_cast<const unsigned char*>(cn), -1, -1, 0) ||
        !X509_set_subject_name(cert.get(), subject.get()))
        return std::nullopt;
    // Like the YubiKey, the attestation certificate takes the validity of the f9 certificate.
    if (!X509_set1_notBefore(cert.get(), X509_get0_notBefore(issuer_cert)) ||
        !X509_set1_notAfter(cert.get(), X509_get0_notAfter(issuer_cert)))
        return std::nullopt;
    if (!X509_set_pubkey(cert.get(), subject_key)) return std::nullopt;

    std::unique_ptr<ASN1_INTEGER, IntFree> serial_number(ASN1_INTEGER_new());
    if (!serial_number || !ASN1_INTEGER_set_uint64(serial_number.get(), facts.serial)) return std::nullopt;
    int der_len = i2d_ASN1_INTEGER(serial_number.get(), nullptr);
    Bytes serial_der(static_cast<std::size_t>(der_len));
    unsigned char* p = serial_der.data();
    i2d_ASN1_INTEGER(serial_number.get(), &p);

    if (!add_raw_extension(cert.get(), "1.3.6.1.4.1.41482.3.3",
                           Bytes{facts.firmware[0], facts.firmware[1], facts.firmware[2]}) ||
        !add_raw_extension(cert.get(), "1.3.6.1.4.1.41482.3.7", serial_der) ||
        !add_raw_extension(cert.get(), "1.3.6.1.4.1.41482.3.8", Bytes{facts.pin_policy, facts.touch_policy}) ||
        !add_raw_extension(cert.get(), "1.3.6.1.4.1.41482.3.9", Bytes{facts.form_factor}))
        return std::nullopt;
    const EVP_MD* md = EVP_PKEY_is_a(issuer_key, "EC") && EVP_PKEY_get_bits(issuer_key) > 256 ? EVP_sha384()
                                                                                                : EVP_sha256();
    if (X509_sign(cert.get(), issuer_key, md) <= 0) return std::nullopt;
    return cert_to_der(cert.get());
}

}  // namespace vpiv
