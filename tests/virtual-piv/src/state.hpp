#pragma once
// What a YubiKey keeps across power cycles: keys with their policies, data objects, PIN, PUK,
// retry counters and the management key. Saved as JSON (private keys as PKCS#8 PEM) after every
// change, through a temporary file and rename, so a killed card never leaves half a state.

#include "bytes.hpp"
#include "crypto.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace vpiv {

enum class Origin : std::uint8_t { generated = 1, imported = 2 };

struct KeySlot {
    Algorithm algorithm = Algorithm::eccp256;
    std::uint8_t pin_policy = 0;    // resolved: 1 never, 2 once, 3 always
    std::uint8_t touch_policy = 0;  // resolved: 1 never, 2 always, 3 cached
    Origin origin = Origin::generated;
    Pkey key;
};

struct Counter {
    std::uint8_t total = 3;
    std::uint8_t remaining = 3;
};

struct CardState {
    std::uint32_t serial = 0;
    std::uint8_t version[3] = {5, 4, 3};
    Bytes pin;  // 8 bytes, 0xFF padded
    Bytes puk;
    Counter pin_tries;
    Counter puk_tries;
    Bytes mgmt_key;  // 24-byte 3DES or AES-192, 16-byte AES-128 or 32-byte AES-256 key
    Algorithm mgmt_algorithm = Algorithm::tdes;
    std::uint8_t mgmt_touch = 1;  // 1 never, 2 always
    std::map<std::uint32_t, Bytes> objects;  // object id -> content of tag 53
    std::map<std::uint8_t, KeySlot> keys;    // key reference -> key
};

Bytes default_pin();
Bytes default_puk();
Bytes default_mgmt_key();

// A factory-fresh card with the given serial and firmware (no keys, no objects). Firmware 5.7
// and later ship the default management key bytes as AES-192, earlier ones as 3DES.
CardState fresh_state(std::uint32_t serial, const std::uint8_t (&version)[3]);
// Whether firmware `version` is at least major.minor.patch.
bool firmware_at_least(const std::uint8_t (&version)[3], int major, int minor, int patch);

std::optional<CardState> load_state(const std::string& path, std::string& error);
bool save_state(const CardState& state, const std::string& path, std::string& error);

}  // namespace vpiv
