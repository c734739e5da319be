#include "envelope/keys.hpp"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "core/digest.hpp"
#include "core/key_identity.hpp"

namespace otasign::envelope {

const char* sig_alg_name(SigAlg alg) noexcept {
    switch (alg) {
        case SigAlg::ecdsa_p256_sha256:
            return "ecdsa-p256-sha256";
        case SigAlg::ecdsa_p384_sha384:
            return "ecdsa-p384-sha384";
        case SigAlg::rsa_pss_sha256:
            return "rsa-pss-sha256";
    }
    return "unknown";
}

Result<SigAlg> sig_alg_from_name(std::string_view name) {
    for (SigAlg a : {SigAlg::ecdsa_p256_sha256, SigAlg::ecdsa_p384_sha384, SigAlg::rsa_pss_sha256})
        if (name == sig_alg_name(a)) return a;
    return make_error(ErrorCode::InvalidInput,
                      "unknown signature algorithm '" + std::string(name) + "'");
}

PublicKey PublicKey::clone() const {
    PublicKey copy;
    EVP_PKEY_up_ref(pkey.get());
    copy.pkey.reset(pkey.get());
    copy.spki_der = spki_der;
    copy.key_id = key_id;
    copy.pem = pem;
    copy.alg = alg;
    return copy;
}

namespace {

// The ROCA test (Nemec et al., CCS 2017): moduli made by the vulnerable Infineon library are
// of the form k * M + (65537^a mod M), so n mod p lies in the subgroup that 65537 generates
// modulo each small prime p. A random modulus passes for all these primes with negligible
// probability.
bool has_roca_fingerprint(EVP_PKEY* key) {
    static constexpr unsigned kPrimes[] = {
        3,  5,  7,  11, 13, 17,  19,  23,  29,  31,  37,  41,  43,  47,  53,  59,  61,  67,  71,
        73, 79, 83, 89, 97, 101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167};
    BIGNUM* raw = nullptr;
    if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &raw) != 1) return false;
    ossl::Ptr<BIGNUM> n(raw);
    for (unsigned p : kPrimes) {
        BN_ULONG r = BN_mod_word(n.get(), p);
        if (r == static_cast<BN_ULONG>(-1)) return false;
        bool in_subgroup = false;
        unsigned g = 1, step = 65537 % p;
        for (unsigned i = 0; i < p && !in_subgroup; ++i) {
            in_subgroup = g == r;
            g = g * step % p;
        }
        if (!in_subgroup) return false;
    }
    return true;
}

}  // namespace

Result<PublicKey> public_key_from_evp(EVP_PKEY* pkey, std::string_view source) {
    // Everything below works on the canonical form, so a key's id, PEM and verification are
    // the same whichever encoding of it was read.
    OTASIGN_ASSIGN_OR_RETURN(CanonicalKey canonical, canonical_key(pkey, source));
    PublicKey key;
    EVP_PKEY* k = canonical.pkey.get();
    if (EVP_PKEY_is_a(k, "EC")) {
        char group[64] = {};
        size_t len = 0;
        if (EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                           &len) != 1)
            return make_error(ErrorCode::InvalidInput,
                              std::string(source) + ": EC key without a named curve");
        std::string g(group, len);
        if (g == "prime256v1" || g == "P-256")
            key.alg = SigAlg::ecdsa_p256_sha256;
        else if (g == "secp384r1" || g == "P-384")
            key.alg = SigAlg::ecdsa_p384_sha384;
        else
            return make_error(ErrorCode::InvalidInput,
                              std::string(source) + ": unsupported EC curve " + g,
                              "otasign accepts P-256 and P-384 keys");
    } else {
        if (EVP_PKEY_get_bits(k) < 2048)
            return make_error(ErrorCode::InvalidInput,
                              std::string(source) + ": RSA key under 2048 bits");
        if (has_roca_fingerprint(k))
            return make_error(ErrorCode::InvalidInput,
                              std::string(source) +
                                  ": RSA key with the ROCA fingerprint (CVE-2017-15361): its "
                                  "private key can be computed from the public key",
                              "replace the key; it was made by a vulnerable Infineon chip");
        key.alg = SigAlg::rsa_pss_sha256;
    }
    key.spki_der = std::move(canonical.spki_der);
    key.key_id = std::move(canonical.key_id);

    ossl::Ptr<BIO> bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PUBKEY(bio.get(), k) != 1)
        return make_error(ErrorCode::Internal,
                          "cannot write a PEM public key: " + ossl::last_error());
    char* data = nullptr;
    long len = BIO_get_mem_data(bio.get(), &data);
    key.pem.assign(data, static_cast<std::size_t>(len));
    key.pkey = std::move(canonical.pkey);
    return key;
}

Result<PublicKey> public_key_from_pem(std::string_view pem, std::string_view source) {
    // Exactly one PEM block, of type PUBLIC KEY, without headers, with nothing but white space
    // around it: a second block (which PEM readers would silently ignore) or trailing text is
    // refused, so what an auditor reads in a file is all that is used.
    auto not_pem = [&](std::string what, std::string hint = {}) {
        ERR_clear_error();
        return make_error(ErrorCode::InvalidInput, std::string(source) + ": " + what,
                          hint.empty() ? "a public key is one \"-----BEGIN PUBLIC KEY-----\" "
                                         "block ('otasign key export' writes one from a token)"
                                       : hint);
    };
    std::size_t lead = pem.find_first_not_of(" \t\r\n");
    if (lead == std::string_view::npos || !pem.substr(lead).starts_with("-----BEGIN "))
        return not_pem("not a PEM public key (\"-----BEGIN PUBLIC KEY-----\")");
    ossl::Ptr<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio) return make_error(ErrorCode::Internal, "out of memory");
    char* name = nullptr;
    char* header = nullptr;
    unsigned char* data = nullptr;
    long len = 0;
    if (PEM_read_bio(bio.get(), &name, &header, &data, &len) != 1)
        return not_pem("not a PEM public key (\"-----BEGIN PUBLIC KEY-----\")");
    std::string block_name(name), block_header(header);
    std::string der(reinterpret_cast<const char*>(data), static_cast<std::size_t>(len));
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(data);
    if (block_name == "CERTIFICATE")
        return not_pem("a certificate, not a public key",
                       "extract its key with 'openssl x509 -in CERT -pubkey -noout'");
    if (block_name.ends_with("PRIVATE KEY"))
        return not_pem(
            "a private key (PEM \"" + block_name + "\"), not a public key",
            "only the public key belongs here: 'openssl pkey -in KEY -pubout' writes it; "
            "keep the private key off this machine");
    if (block_name == "RSA PUBLIC KEY")
        return not_pem("a PKCS#1 \"RSA PUBLIC KEY\" block, not a SubjectPublicKeyInfo",
                       "convert it with 'openssl rsa -RSAPublicKey_in -in KEY -pubout'");
    if (block_name != "PUBLIC KEY")
        return not_pem("a PEM \"" + block_name + "\" block, not a public key");
    if (!block_header.empty()) return not_pem("the PEM block has headers");
    char* rest = nullptr;
    long rest_len = BIO_get_mem_data(bio.get(), &rest);
    for (long i = 0; i < rest_len; ++i) {
        char c = rest[i];
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
            return not_pem(std::string_view(rest + i, static_cast<std::size_t>(rest_len - i))
                                   .starts_with("-----BEGIN")
                               ? "more than one PEM block where one public key belongs"
                               : "text after the PEM public key");
    }
    return public_key_from_spki(der, source);
}

Result<PublicKey> public_key_from_spki(std::string_view der, std::string_view source) {
    const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
    ossl::Ptr<EVP_PKEY> pkey(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
    if (!pkey || p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
        ERR_clear_error();
        return make_error(ErrorCode::InvalidInput,
                          std::string(source) + ": not a DER SubjectPublicKeyInfo");
    }
    return public_key_from_evp(pkey.get(), source);
}

Status verify_signature(const PublicKey& key, std::string_view message,
                        std::string_view signature) {
    ossl::Ptr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;
    const EVP_MD* md = key.alg == SigAlg::ecdsa_p384_sha384 ? EVP_sha384() : EVP_sha256();
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, key.pkey.get()) != 1)
        return make_error(ErrorCode::Internal, "cannot start verification: " + ossl::last_error());
    if (key.alg == SigAlg::rsa_pss_sha256) {
        if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
            EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1 ||
            EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1)
            return make_error(ErrorCode::Internal,
                              "cannot set RSA-PSS parameters: " + ossl::last_error());
    }
    int rc = EVP_DigestVerify(
        ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
        reinterpret_cast<const unsigned char*>(message.data()), message.size());
    ERR_clear_error();
    if (rc != 1)
        return make_error(ErrorCode::BadSignature, std::string("the ") + sig_alg_name(key.alg) +
                                                       " signature does not verify with key " +
                                                       key.key_id);
    return ok_status();
}

std::string base64_encode(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(bytes.data()),
                            static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

Result<std::string> base64_decode(std::string_view text) {
    auto bad = [&] {
        return make_error(ErrorCode::InvalidInput,
                          "not canonical base64 (standard alphabet, padded, no whitespace)");
    };
    if (text.size() % 4 != 0) return bad();
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                     c == '+' || c == '/';
        bool pad = c == '=' && i + 2 >= text.size() && (i + 1 == text.size() || text[i + 1] == '=');
        if (!alpha && !pad) return bad();
    }
    std::string out(text.size() / 4 * 3 + 1, '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(text.data()),
                            static_cast<int>(text.size()));
    if (n < 0) return bad();
    std::size_t pad = 0;
    if (!text.empty() && text.back() == '=') ++pad;
    if (text.size() > 1 && text[text.size() - 2] == '=') ++pad;
    out.resize(static_cast<std::size_t>(n) - pad);
    if (base64_encode(out) != text) return bad();  // rejects non-zero trailing bits
    return out;
}

}  // namespace otasign::envelope
