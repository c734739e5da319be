#pragma once
// Pieces of RFC 8785 that canonicalize (from a Value) and canonicalize_strict (from the text)
// share, so the two cannot drift apart. Internal to libsign/json.

#include <algorithm>
#include <cstddef>
#include <string_view>

namespace otasign::json::detail {

inline bool is_lead_e000_to_ffff(unsigned char c) { return c == 0xee || c == 0xef; }
inline bool is_lead_astral(unsigned char c) { return c >= 0xf0; }

// RFC 8785 3.2.3 sorts keys by UTF-16 code units. UTF-8 byte order equals code point order,
// which agrees with UTF-16 order except between U+E000..U+FFFF and the astral planes (whose
// UTF-16 high surrogates D800..DBFF sort before E000). The first differing code point decides,
// so compare bytes and flip only when that code point falls into those two ranges: no key is
// ever converted to UTF-16. Both arguments are valid UTF-8.
inline bool utf16_less(std::string_view a, std::string_view b) {
    const std::size_t n = std::min(a.size(), b.size());
    std::size_t i = 0;
    while (i < n && a[i] == b[i]) ++i;
    if (i == n) return a.size() < b.size();
    std::size_t start = i;  // back up to the first byte of the code point that differs
    while (start > 0 && (static_cast<unsigned char>(a[start]) & 0xc0) == 0x80) --start;
    auto la = static_cast<unsigned char>(a[start]);
    auto lb = static_cast<unsigned char>(b[start]);
    if (is_lead_e000_to_ffff(la) && is_lead_astral(lb)) return false;
    if (is_lead_astral(la) && is_lead_e000_to_ffff(lb)) return true;
    return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[i]);
}

// Longest output of write_es6_number: "-" + 17 digits + "e-324" and the like, or "-0.00000"
// + 17 digits.
constexpr std::size_t kMaxNumberChars = 32;

// Writes ECMAScript Number::toString(x) for a finite x at `out` (room for kMaxNumberChars)
// and returns the end. No allocation.
char* write_es6_number(char* out, double x);

// The RFC 8785 3.2.2.2 escape of byte `c` (< 0x20, '"' or '\\') at `out`; returns the end.
// Every other byte is written as it is.
inline char* write_escape(char* out, unsigned char c) {
    static constexpr char kHex[] = "0123456789abcdef";
    *out++ = '\\';
    switch (c) {
        case '"':
            *out++ = '"';
            break;
        case '\\':
            *out++ = '\\';
            break;
        case '\b':
            *out++ = 'b';
            break;
        case '\t':
            *out++ = 't';
            break;
        case '\n':
            *out++ = 'n';
            break;
        case '\f':
            *out++ = 'f';
            break;
        case '\r':
            *out++ = 'r';
            break;
        default:
            *out++ = 'u';
            *out++ = '0';
            *out++ = '0';
            *out++ = kHex[c >> 4];
            *out++ = kHex[c & 0xf];
    }
    return out;
}

// Whether a string byte needs write_escape.
inline bool needs_escape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }

}  // namespace otasign::json::detail
