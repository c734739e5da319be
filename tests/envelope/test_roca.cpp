// CVE-2017-15361 (ROCA): an RSA public key with the Infineon fingerprint is refused wherever a
// key is read (a policy key, a bundle's key, a token's key), since its private key can be
// computed from it.

#include <openssl/core_names.h>
#include <openssl/param_build.h>

#include <catch2/catch.hpp>

#include "envelope/keys.hpp"
#include "envelope/testkeys.hpp"

using namespace otasign;

namespace {

// An RSA public key with modulus n and e = 65537 (the modulus need not be a product of primes:
// a public key is only its numbers).
ossl::Ptr<EVP_PKEY> rsa_public(const BIGNUM* n) {
    ossl::Ptr<BIGNUM> e(BN_new());
    BN_set_word(e.get(), 65537);
    OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n);
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e.get());
    OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
    ossl::Ptr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
    EVP_PKEY* out = nullptr;
    EVP_PKEY_fromdata_init(ctx.get());
    EVP_PKEY_fromdata(ctx.get(), &out, EVP_PKEY_PUBLIC_KEY, params);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    return ossl::Ptr<EVP_PKEY>(out);
}

}  // namespace

TEST_CASE("ROCA: a modulus in 65537's subgroup modulo every small prime is refused", "[roca]") {
    // n = 1 + k * M, M the product of the fingerprint's primes: n mod p = 1 = 65537^0 for each.
    ossl::Ptr<BIGNUM> m(BN_new());
    BN_one(m.get());
    for (unsigned p : {3u,   5u,   7u,   11u,  13u,  17u,  19u,  23u,  29u,  31u,  37u,  41u,  43u,
                       47u,  53u,  59u,  61u,  67u,  71u,  73u,  79u,  83u,  89u,  97u,  101u, 103u,
                       107u, 109u, 113u, 127u, 131u, 137u, 139u, 149u, 151u, 157u, 163u, 167u})
        BN_mul_word(m.get(), p);
    ossl::Ptr<BIGNUM> k(BN_new());
    REQUIRE(BN_rand(k.get(), 2048 - BN_num_bits(m.get()) + 1, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY));
    ossl::Ptr<BIGNUM> n(BN_new());
    BN_CTX* ctx = BN_CTX_new();
    REQUIRE(BN_mul(n.get(), k.get(), m.get(), ctx) == 1);
    BN_CTX_free(ctx);
    REQUIRE(BN_add_word(n.get(), 1) == 1);
    REQUIRE(BN_num_bits(n.get()) >= 2048);
    auto key = rsa_public(n.get());
    REQUIRE(key);
    auto read = envelope::public_key_from_evp(key.get(), "roca.pem");
    REQUIRE_FALSE(read.ok());
    CHECK(read.error().detail.find("ROCA") != std::string::npos);

    // The same modulus plus 2 is not in the subgroup modulo 3 (n mod 3 = 0): not the fingerprint.
    REQUIRE(BN_add_word(n.get(), 2) == 1);
    auto other = rsa_public(n.get());
    CHECK(envelope::public_key_from_evp(other.get(), "other.pem").ok());
}

TEST_CASE("ROCA: ordinary RSA keys pass", "[roca]") {
    for (int i = 0; i < 3; ++i) {
        auto k = test::make_key("RSA");
        CHECK(envelope::public_key_from_evp(k.priv.get(), "rsa").ok());
    }
}
