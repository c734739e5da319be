#include "bytes.hpp"

namespace vpiv {

std::string to_hex(const Bytes& bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (auto b : bytes) {
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 0x0f]);
    }
    return out;
}

std::optional<Bytes> from_hex(std::string_view hex) {
    if (hex.size() % 2 != 0) return std::nullopt;
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    Bytes out;
    out.reserve(hex.size() / 2);
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        int hi = nibble(hex[i]);
        int lo = nibble(hex[i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out.push_back(static_cast<std::uint8_t>(hi << 4 | lo));
    }
    return out;
}

void append_length(Bytes& out, std::size_t length) {
    if (length < 0x80) {
        out.push_back(static_cast<std::uint8_t>(length));
    } else if (length < 0x100) {
        out.push_back(0x81);
        out.push_back(static_cast<std::uint8_t>(length));
    } else {
        out.push_back(0x82);
        out.push_back(static_cast<std::uint8_t>(length >> 8));
        out.push_back(static_cast<std::uint8_t>(length & 0xff));
    }
}

void append_u8(Bytes& out, std::uint8_t byte) { out.push_back(byte); }

void append_tlv(Bytes& out, std::uint32_t tag, const Bytes& value) {
    if (tag > 0xffff) out.push_back(static_cast<std::uint8_t>(tag >> 16));
    if (tag > 0xff) out.push_back(static_cast<std::uint8_t>((tag >> 8) & 0xff));
    out.push_back(static_cast<std::uint8_t>(tag & 0xff));
    append_length(out, value.size());
    out.insert(out.end(), value.begin(), value.end());
}

Bytes tlv(std::uint32_t tag, const Bytes& value) {
    Bytes out;
    append_tlv(out, tag, value);
    return out;
}

std::optional<std::vector<Tlv>> parse_tlvs(const Bytes& data) {
    std::vector<Tlv> out;
    std::size_t i = 0;
    while (i < data.size()) {
        Tlv t;
        std::uint32_t tag = data[i++];
        // Multi-byte tag: low five bits all set in the first byte, continuation bit in the next.
        if ((tag & 0x1f) == 0x1f) {
            do {
                if (i >= data.size()) return std::nullopt;
                tag = tag << 8 | data[i];
            } while (data[i++] & 0x80);
        }
        t.tag = tag;
        if (i >= data.size()) return std::nullopt;
        std::size_t length = data[i++];
        if (length == 0x81 || length == 0x82 || length == 0x83) {
            std::size_t n = length - 0x80;
            length = 0;
            for (std::size_t k = 0; k < n; ++k) {
                if (i >= data.size()) return std::nullopt;
                length = length << 8 | data[i++];
            }
        } else if (length > 0x80) {
            return std::nullopt;
        }
        if (length > data.size() - i) return std::nullopt;
        t.value.assign(data.begin() + static_cast<std::ptrdiff_t>(i),
                       data.begin() + static_cast<std::ptrdiff_t>(i + length));
        i += length;
        out.push_back(std::move(t));
    }
    return out;
}

const Tlv* find_tlv(const std::vector<Tlv>& tlvs, std::uint32_t tag) {
    for (const auto& t : tlvs)
        if (t.tag == tag) return &t;
    return nullptr;
}

}  // namespace vpiv
