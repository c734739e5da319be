// The raw r||s to DER conversion: fixed-width split, leading zeros, short r and s. Wycheproof's
// P1363 vectors go through the same conversion in tests/conformance/test_wycheproof.cpp.

#include <catch2/catch.hpp>

#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "core/digest.hpp"
#include "core/ossl.hpp"
#include "pkcs11/signer.hpp"

using namespace otasign;
using namespace otasign::pkcs11;

namespace {

std::vector<std::uint8_t> hex(std::string_view h) {
    auto r = from_hex(h);
    REQUIRE(r.ok());
    return *r;
}

// r and s back out of a DER signature, each padded to `width` bytes.
std::vector<std::uint8_t> der_to_raw(const std::vector<std::uint8_t>& der, int width) {
    const unsigned char* p = der.data();
    ossl::Ptr<ECDSA_SIG> sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
    REQUIRE(sig);
    REQUIRE(p == der.data() + der.size());
    std::vector<std::uint8_t> raw(static_cast<std::size_t>(2 * width));
    REQUIRE(BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), raw.data(), width) == width);
    REQUIRE(BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), raw.data() + width, width) == width);
    return raw;
}

}  // namespace

TEST_CASE("raw-to-DER splits at half the length and keeps leading zero bytes inside r and s") {
    struct Vector { const char* raw; const char* der; };
    // r = 1, s = 2 as 32-byte big-endian numbers: 31 leading zero bytes each.
    std::string one(62, '0'), r_hi(64, 'f');
    const Vector vectors[] = {
        {"0001" "0002", "3006020101020102"},
        {"00ff" "0080", "3008020200ff02020080"},  // high bit set: DER adds a 00 sign byte
        {"0000" "0000", "3006020100020100"},
    };
    for (const auto& v : vectors) {
        CAPTURE(v.raw);
        auto der = ecdsa_raw_to_der(hex(v.raw));
        REQUIRE(der.ok());
        CHECK(to_hex(*der) == v.der);
    }
    auto p256 = hex(one + "01" + one + "02");
    REQUIRE(p256.size() == 64);
    auto der = ecdsa_raw_to_der(p256);
    REQUIRE(der.ok());
    CHECK(to_hex(*der) == "3006020101020102");
    CHECK(der_to_raw(*der, 32) == p256);
    // r with a leading zero byte, s full width with the high bit set.
    auto mixed = hex("00" + std::string(62, 'a') + r_hi);
    auto mixed_der = ecdsa_raw_to_der(mixed);
    REQUIRE(mixed_der.ok());
    CHECK(der_to_raw(*mixed_der, 32) == mixed);
    // r: 31 bytes whose top bit is set, so DER prepends 00; s likewise: 2 + (2+32) + (2+33).
    CHECK(mixed_der->size() == 71);
}

TEST_CASE("raw-to-DER refuses empty and odd-length input") {
    for (std::size_t n : {0u, 1u, 63u, 97u}) {
        std::vector<std::uint8_t> raw(n, 1);
        auto der = ecdsa_raw_to_der(raw);
        REQUIRE_FALSE(der.ok());
        CHECK(der.error().code == ErrorCode::InvalidInput);
    }
}

TEST_CASE("OpenSSL signatures with short r or s survive raw round trips and verify") {
    // Sign with OpenSSL until both a short r and a short s have been seen (each about 1 in 256);
    // every signature goes DER -> fixed-width raw -> our DER and must verify.
    for (const char* curve : {"P-256", "P-384"}) {
        CAPTURE(curve);
        const int width = std::string(curve) == "P-256" ? 32 : 48;
        const KeyAlgorithm alg = width == 32 ? KeyAlgorithm::ec_p256 : KeyAlgorithm::ec_p384;
        ossl::Ptr<EVP_PKEY> key(EVP_EC_gen(curve));
        REQUIRE(key);
        int short_r = 0, short_s = 0, n = 0;
        for (; n < 20000 && (short_r == 0 || short_s == 0); ++n) {
            auto digest = hash_bytes(hash_for(alg), "message " + std::to_string(n));
            ossl::Ptr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
            REQUIRE(EVP_PKEY_sign_init(ctx.get()) == 1);
            std::vector<std::uint8_t> der(160);
            std::size_t len = der.size();
            REQUIRE(EVP_PKEY_sign(ctx.get(), der.data(), &len, digest.data(), digest.size()) == 1);
            der.resize(len);
            auto raw = der_to_raw(der, width);
            if (raw[0] == 0) ++short_r;
            if (raw[static_cast<std::size_t>(width)] == 0) ++short_s;
            auto ours = ecdsa_raw_to_der(raw);
            REQUIRE(ours.ok());
            CHECK(*ours == der);  // DER is unique: the same bytes OpenSSL produced
            REQUIRE(verify_digest(key.get(), alg, digest, *ours).ok());
        }
        INFO(n << " signatures, " << short_r << " short r, " << short_s << " short s");
        CHECK(short_r > 0);
        CHECK(short_s > 0);
    }
}
