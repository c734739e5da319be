#include "piv/types.hpp"

#include <cstdio>

namespace otasign::piv {

Result<std::uint8_t> parse_slot(std::string_view text) {
    unsigned value = 0;
    if (text.size() == 2) {
        for (char c : text) {
            value <<= 4;
            if (c >= '0' && c <= '9')
                value |= unsigned(c - '0');
            else if (c >= 'a' && c <= 'f')
                value |= unsigned(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                value |= unsigned(c - 'A' + 10);
            else {
                value = 0;
                break;
            }
        }
    }
    if (value == 0x9a || value == 0x9c || value == 0x9d || value == 0x9e ||
        (value >= 0x82 && value <= 0x95))
        return static_cast<std::uint8_t>(value);
    return make_error(
        ErrorCode::Usage, "unknown PIV slot '" + std::string(text) + "'",
        "use one of 9a 9c 9d 9e or a retired slot 82..95; manifests are signed with 9c");
}

std::string slot_name(std::uint8_t slot) {
    char buf[3];
    std::snprintf(buf, sizeof buf, "%02x", slot);
    return buf;
}

std::string algorithm_name(std::uint8_t algorithm) {
    switch (algorithm) {
        case 0x03:
            return "TDES";
        case 0x06:
            return "RSA1024";
        case 0x07:
            return "RSA2048";
        case 0x11:
            return "ECCP256";
        case 0x14:
            return "ECCP384";
        case 0x08:
            return "AES128";
        case 0x0a:
            return "AES192";
        case 0x0c:
            return "AES256";
        case 0xe0:
            return "ED25519";
        case 0xe1:
            return "X25519";
        case 0x05:
            return "RSA3072";
        case 0x16:
            return "RSA4096";
        default:
            return "unknown(0x" + slot_name(algorithm) + ")";
    }
}

std::string pin_policy_name(std::uint8_t policy) {
    switch (policy) {
        case 0:
            return "default";
        case 1:
            return "never";
        case 2:
            return "once";
        case 3:
            return "always";
        case 4:
            return "match-once";
        case 5:
            return "match-always";
        default:
            return "unknown(0x" + slot_name(policy) + ")";
    }
}

std::string touch_policy_name(std::uint8_t policy) {
    switch (policy) {
        case 0:
            return "default";
        case 1:
            return "never";
        case 2:
            return "always";
        case 3:
            return "cached";
        default:
            return "unknown(0x" + slot_name(policy) + ")";
    }
}

std::string origin_name(std::uint8_t origin) {
    switch (origin) {
        case 1:
            return "generated";
        case 2:
            return "imported";
        default:
            return "unknown(0x" + slot_name(origin) + ")";
    }
}

std::optional<ManagementKeyAlgorithm> management_key_algorithm(std::uint8_t value) {
    switch (value) {
        case 0x03:
        case 0x08:
        case 0x0a:
        case 0x0c:
            return ManagementKeyAlgorithm(value);
        default:
            return std::nullopt;
    }
}

std::size_t management_key_length(ManagementKeyAlgorithm algorithm) {
    switch (algorithm) {
        case ManagementKeyAlgorithm::aes128:
            return 16;
        case ManagementKeyAlgorithm::aes256:
            return 32;
        case ManagementKeyAlgorithm::tdes:
        case ManagementKeyAlgorithm::aes192:
            break;
    }
    return 24;
}

std::size_t management_key_block_size(ManagementKeyAlgorithm algorithm) {
    return algorithm == ManagementKeyAlgorithm::tdes ? 8 : 16;
}

Result<Algorithm> parse_algorithm(std::string_view text) {
    if (text == "ECCP384" || text == "eccp384") return Algorithm::eccp384;
    if (text == "ECCP256" || text == "eccp256") return Algorithm::eccp256;
    return make_error(ErrorCode::Usage, "unsupported algorithm '" + std::string(text) + "'",
                      "otasign signs with ECCP384 (recommended) or ECCP256");
}

Result<PinPolicy> parse_pin_policy(std::string_view text) {
    if (text == "always") return PinPolicy::always;
    if (text == "once") return PinPolicy::once;
    if (text == "never") return PinPolicy::never;
    return make_error(ErrorCode::Usage, "unknown PIN policy '" + std::string(text) + "'",
                      "use always (required for manifest signing keys), once or never");
}

Result<TouchPolicy> parse_touch_policy(std::string_view text) {
    if (text == "always") return TouchPolicy::always;
    if (text == "cached") return TouchPolicy::cached;
    if (text == "never") return TouchPolicy::never;
    return make_error(ErrorCode::Usage, "unknown touch policy '" + std::string(text) + "'",
                      "use always (required for manifest signing keys), cached or never");
}

}  // namespace otasign::piv
