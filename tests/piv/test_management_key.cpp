// Management key vocabulary: which GET METADATA bytes name a management key algorithm, the key
// and block (witness/challenge) sizes each takes, and the hex forms --management-key-source
// accepts. The GENERAL AUTHENTICATE exchange itself runs against the virtual card (piv tier).

#include <catch2/catch.hpp>
#include <string>

#include "core/secret.hpp"
#include "piv/keygen.hpp"
#include "piv/types.hpp"

using namespace otasign;
using piv::ManagementKeyAlgorithm;

namespace {
SecretBuffer text(const std::string& s) {
    SecretBuffer b;
    for (char c : s) b.push_back(static_cast<std::uint8_t>(c));
    return b;
}
}  // namespace

TEST_CASE("metadata algorithm bytes: 3DES and the three AES sizes, nothing else") {
    CHECK(piv::management_key_algorithm(0x03) == ManagementKeyAlgorithm::tdes);
    CHECK(piv::management_key_algorithm(0x08) == ManagementKeyAlgorithm::aes128);
    CHECK(piv::management_key_algorithm(0x0a) == ManagementKeyAlgorithm::aes192);
    CHECK(piv::management_key_algorithm(0x0c) == ManagementKeyAlgorithm::aes256);
    for (int v : {0x00, 0x06, 0x07, 0x11, 0x14, 0x0b, 0xff})
        CHECK_FALSE(piv::management_key_algorithm(static_cast<std::uint8_t>(v)).has_value());
}

TEST_CASE("key length and witness size follow the cipher") {
    CHECK(piv::management_key_length(ManagementKeyAlgorithm::tdes) == 24);
    CHECK(piv::management_key_length(ManagementKeyAlgorithm::aes128) == 16);
    CHECK(piv::management_key_length(ManagementKeyAlgorithm::aes192) == 24);
    CHECK(piv::management_key_length(ManagementKeyAlgorithm::aes256) == 32);
    CHECK(piv::management_key_block_size(ManagementKeyAlgorithm::tdes) == 8);
    for (auto a : {ManagementKeyAlgorithm::aes128, ManagementKeyAlgorithm::aes192,
                   ManagementKeyAlgorithm::aes256})
        CHECK(piv::management_key_block_size(a) == 16);
    CHECK(piv::algorithm_name(0x0a) == "AES192");
}

TEST_CASE("management keys in hex: 32, 48 or 64 digits, nothing else") {
    auto k128 = piv::management_key_from_hex(text(std::string(32, 'a')));
    REQUIRE(k128.ok());
    CHECK(k128->size() == 16);
    auto k192 =
        piv::management_key_from_hex(text("010203040506070801020304050607080102030405060708"));
    REQUIRE(k192.ok());
    CHECK(k192->size() == 24);
    CHECK(k192->data()[0] == 1);
    CHECK(k192->data()[23] == 8);
    auto k256 = piv::management_key_from_hex(text(std::string(64, 'F')));
    REQUIRE(k256.ok());
    CHECK(k256->size() == 32);
    CHECK(k256->data()[31] == 0xff);
    for (std::size_t n : {0, 30, 40, 47, 49, 66})
        CHECK_FALSE(piv::management_key_from_hex(text(std::string(n, '0'))).ok());
    CHECK_FALSE(piv::management_key_from_hex(text(std::string(46, '0') + "0g")).ok());
}
