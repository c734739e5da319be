#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include <catch2/catch.hpp>
#include <string>

#include "core/key_identity.hpp"
#include "core/ossl.hpp"

using namespace otasign;

namespace {

ossl::Ptr<EVP_PKEY> from_der(const std::string& der) {
    const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
    return ossl::Ptr<EVP_PKEY>(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
}

// The key's SPKI as OpenSSL encodes it after setting one encoding parameter.
std::string encoded_as(EVP_PKEY* key, const char* param, const char* value) {
    ossl::Ptr<EVP_PKEY> copy(EVP_PKEY_dup(key));
    REQUIRE(EVP_PKEY_set_utf8_string_param(copy.get(), param, value) == 1);
    unsigned char* der = nullptr;
    int n = i2d_PUBKEY(copy.get(), &der);
    REQUIRE(n > 0);
    std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(n));
    OPENSSL_free(der);
    return out;
}

std::string as_encoded(EVP_PKEY* key) {
    unsigned char* der = nullptr;
    int n = i2d_PUBKEY(key, &der);
    std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(n));
    OPENSSL_free(der);
    return out;
}

}  // namespace

TEST_CASE("key identity: every encoding of one EC key has one canonical id", "[core][keyid]") {
    for (const char* curve : {"P-256", "P-384"}) {
        ossl::Ptr<EVP_PKEY> key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve));
        auto canonical = canonical_key(key.get(), "k");
        REQUIRE(canonical.ok());
        CHECK(canonical->spki_der == as_encoded(key.get()));  // already canonical
        for (const char* form : {"compressed", "hybrid", "uncompressed"}) {
            std::string der =
                encoded_as(key.get(), OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, form);
            auto reread = from_der(der);
            REQUIRE(reread);
            auto id = canonical_key(reread.get(), form);
            REQUIRE(id.ok());
            CHECK(id->key_id == canonical->key_id);
            CHECK(id->spki_der == canonical->spki_der);
            if (std::string(form) != "uncompressed") CHECK(der != canonical->spki_der);
        }
    }
}

TEST_CASE("key identity: explicit curve parameters are refused", "[core][keyid]") {
    ossl::Ptr<EVP_PKEY> key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    std::string der = encoded_as(key.get(), OSSL_PKEY_PARAM_EC_ENCODING, "explicit");
    auto reread = from_der(der);
    REQUIRE(reread);
    auto id = canonical_key(reread.get(), "explicit.pem");
    REQUIRE_FALSE(id.ok());
    CHECK(id.error().code == ErrorCode::InvalidInput);
    CHECK(id.error().detail.find("explicit curve parameters") != std::string::npos);
}

TEST_CASE("key identity: an RSASSA-PSS SPKI is the same key as rsaEncryption", "[core][keyid]") {
    ossl::Ptr<EVP_PKEY> rsa(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t(2048)));
    REQUIRE(rsa);
    // The same RSAPublicKey under the id-RSASSA-PSS algorithm identifier.
    unsigned char* rsapub = nullptr;
    int n = i2d_PublicKey(rsa.get(), &rsapub);
    REQUIRE(n > 0);
    X509_PUBKEY* xp = X509_PUBKEY_new();
    REQUIRE(X509_PUBKEY_set0_param(xp, OBJ_nid2obj(NID_rsassaPss), V_ASN1_UNDEF, nullptr, rsapub,
                                   n) == 1);
    unsigned char* der = nullptr;
    int len = i2d_X509_PUBKEY(xp, &der);
    X509_PUBKEY_free(xp);
    REQUIRE(len > 0);
    std::string pss_der(reinterpret_cast<char*>(der), static_cast<std::size_t>(len));
    OPENSSL_free(der);
    auto pss = from_der(pss_der);
    REQUIRE(pss);
    CHECK(EVP_PKEY_is_a(pss.get(), "RSA-PSS"));

    auto from_pss = canonical_key(pss.get(), "pss");
    auto from_rsa = canonical_key(rsa.get(), "rsa");
    REQUIRE(from_pss.ok());
    REQUIRE(from_rsa.ok());
    CHECK(EVP_PKEY_is_a(from_pss->pkey.get(), "RSA"));
    CHECK(from_pss->key_id == from_rsa->key_id);
    CHECK(from_pss->spki_der == as_encoded(rsa.get()));
    CHECK(pss_der != from_pss->spki_der);
}

TEST_CASE("key identity: unsupported types are refused", "[core][keyid]") {
    ossl::Ptr<EVP_PKEY> ed(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
    auto id = canonical_key(ed.get(), "ed.pem");
    REQUIRE_FALSE(id.ok());
    CHECK(id.error().detail.find("unsupported key type") != std::string::npos);
    CHECK_FALSE(canonical_key(nullptr, "none").ok());
}
