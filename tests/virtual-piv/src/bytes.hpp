#pragma once
// Byte strings and BER-TLV helpers for the PIV applet (SP 800-73-4 uses one- or two-byte tags
// and DER lengths up to 3 bytes).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vpiv {

using Bytes = std::vector<std::uint8_t>;

std::string to_hex(const Bytes& bytes);
std::optional<Bytes> from_hex(std::string_view hex);

void append_length(Bytes& out, std::size_t length);
void append_tlv(Bytes& out, std::uint32_t tag, const Bytes& value);
Bytes tlv(std::uint32_t tag, const Bytes& value);
void append_u8(Bytes& out, std::uint8_t byte);

struct Tlv {
    std::uint32_t tag = 0;
    Bytes value;
};

// Splits a concatenation of TLVs; nullopt when a length runs past the end.
std::optional<std::vector<Tlv>> parse_tlvs(const Bytes& data);
// The first TLV with `tag` in a list, or nullptr.
const Tlv* find_tlv(const std::vector<Tlv>& tlvs, std::uint32_t tag);

}  // namespace vpiv
