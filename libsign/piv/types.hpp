#pragma once
// PIV vocabulary shared by the device code, attestation and the CLI: slots, algorithms and the
// per-slot policies, with the byte values YubiKeys use on the wire (GET METADATA, GENERATE and
// the attestation extension 1.3.6.1.4.1.41482.3.8 share them).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace otasign::piv {

enum class Algorithm : std::uint8_t {
    tdes = 0x03,
    rsa1024 = 0x06,
    rsa2048 = 0x07,
    eccp256 = 0x11,
    eccp384 = 0x14
};
enum class PinPolicy : std::uint8_t {
    card_default = 0,
    never = 1,
    once = 2,
    always = 3,
    match_once = 4,
    match_always = 5
};
enum class TouchPolicy : std::uint8_t { card_default = 0, never = 1, always = 2, cached = 3 };
enum class Origin : std::uint8_t { generated = 1, imported = 2 };
// Management key (slot 9b) algorithms, as GET METADATA reports them and as GENERAL
// AUTHENTICATE and SET MANAGEMENT KEY take them in P1 / the first data byte. YubiKeys before
// 5.4.2 know only 3DES; firmware 5.7 ships with an AES-192 default.
enum class ManagementKeyAlgorithm : std::uint8_t {
    tdes = 0x03,
    aes128 = 0x08,
    aes192 = 0x0a,
    aes256 = 0x0c
};

// The four PIV key slots otasign reports on (NIST SP 800-73-4 key references).
inline constexpr std::uint8_t kSlots[] = {0x9a, 0x9c, 0x9d, 0x9e};

// "9c" -> 0x9c; only 9a 9c 9d 9e and the retired slots 82..95 are accepted. Errors: Usage.
Result<std::uint8_t> parse_slot(std::string_view text);
std::string slot_name(std::uint8_t slot);  // 0x9c -> "9c"

// Names as otasign prints and parses them: "ECCP384", "always", "generated", ...
std::string algorithm_name(std::uint8_t algorithm);
std::string pin_policy_name(std::uint8_t policy);
std::string touch_policy_name(std::uint8_t policy);
std::string origin_name(std::uint8_t origin);
// The management key algorithm a GET METADATA byte names; nullopt for anything else.
std::optional<ManagementKeyAlgorithm> management_key_algorithm(std::uint8_t value);
// Key length in bytes: 24 for 3DES and AES-192, 16 for AES-128, 32 for AES-256.
std::size_t management_key_length(ManagementKeyAlgorithm algorithm);
// Cipher block size, which is also the witness and challenge size: 8 for 3DES, 16 for AES.
std::size_t management_key_block_size(ManagementKeyAlgorithm algorithm);
// Errors: Usage naming the accepted values.
Result<Algorithm> parse_algorithm(std::string_view text);
Result<PinPolicy> parse_pin_policy(std::string_view text);
Result<TouchPolicy> parse_touch_policy(std::string_view text);

}  // namespace otasign::piv
