#include "terminal_text.hpp"

#include <cstdint>
#include <cstdio>

namespace otasign::cli {
namespace {

// Length and code point of the UTF-8 sequence at text[i], or 0 when it is not well formed
// (overlong, surrogate, above U+10FFFF, truncated).
std::size_t decode_utf8(std::string_view text, std::size_t i, std::uint32_t& cp) {
    const auto b = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
    const unsigned char c = b(0);
    std::size_t len = c < 0x80           ? 1
                      : (c >> 5) == 0x6  ? 2
                      : (c >> 4) == 0xe  ? 3
                      : (c >> 3) == 0x1e ? 4
                                         : 0;
    if (len == 0 || i + len > text.size()) return 0;
    cp = len == 1 ? c : len == 2 ? (c & 0x1fu) : len == 3 ? (c & 0x0fu) : (c & 0x07u);
    for (std::size_t k = 1; k < len; ++k) {
        if ((b(k) & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (b(k) & 0x3fu);
    }
    static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    return len;
}

// Characters that change how surrounding text is laid out or are invisible.
bool is_format_char(std::uint32_t cp) {
    return (cp >= 0x80 && cp <= 0x9f) || cp == 0x61c || cp == 0x180e ||
           (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e) ||
           (cp >= 0x2060 && cp <= 0x206f) || cp == 0xfeff || (cp >= 0xfff9 && cp <= 0xfffb);
}

std::string escape(std::string_view text, bool keep_line_feeds) {
    std::string out;
    out.reserve(text.size());
    char buf[16];
    for (std::size_t i = 0; i < text.size();) {
        std::uint32_t cp = 0;
        std::size_t len = decode_utf8(text, i, cp);
        if (len == 0) {
            std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(text[i]));
            out += buf;
            ++i;
            continue;
        }
        if ((cp < 0x20 && !(cp == '\n' && keep_line_feeds)) || cp == 0x7f) {
            std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(cp));
            out += buf;
        } else if (is_format_char(cp)) {
            std::snprintf(buf, sizeof buf, "\\u{%04x}", static_cast<unsigned>(cp));
            out += buf;
        } else {
            out.append(text.substr(i, len));
        }
        i += len;
    }
    return out;
}

std::size_t columns(std::string_view s) {
    std::size_t n = 0;
    for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return n;
}

// The byte length of the first `cols` characters of `s`.
std::size_t bytes_for(std::string_view s, std::size_t cols) {
    std::size_t i = 0;
    while (i < s.size() && cols > 0) {
        ++i;
        while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
        --cols;
    }
    return i;
}

void fold_line(std::string_view line, std::size_t width, std::size_t indent, std::string& out) {
    const std::string pad(indent, ' ');
    for (bool first = true;; first = false) {
        const std::size_t room = first ? width : width - indent;
        if (!first) out += pad;
        if (columns(line) <= room) {
            out.append(line);
            return;
        }
        const std::size_t cut = bytes_for(line, room);
        // Break at the last space that fits, unless it belongs to the line's own indentation;
        // a word longer than the room is cut where the room ends.
        const std::size_t space = line.rfind(' ', cut);
        const std::size_t lead = line.find_first_not_of(' ');
        const bool at_space = space != std::string_view::npos && space > lead;
        out.append(line.substr(0, at_space ? space : cut));
        out += '\n';
        line.remove_prefix(at_space ? space + 1 : cut);
        while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    }
}

}  // namespace

std::string fold_lines(std::string_view text, std::size_t width, std::size_t indent) {
    if (width <= indent + 8) return std::string(text);
    std::string out;
    out.reserve(text.size() + text.size() / 16);
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t nl = text.find('\n', pos);
        std::string_view line =
            text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        fold_line(line, width, indent, out);
        if (nl == std::string_view::npos) break;
        out += '\n';
        pos = nl + 1;
    }
    return out;
}

std::string terminal_safe(std::string_view text) { return escape(text, false); }
std::string terminal_safe_text(std::string_view text) { return escape(text, true); }

}  // namespace otasign::cli
