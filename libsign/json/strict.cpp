#include "json/strict.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <exception>
#include <new>
#include <optional>
#include <utility>
#include <vector>

namespace otasign::json {

namespace {

// I-JSON (RFC 7493 2.2): integers must be exactly representable as a double.
constexpr std::uint64_t kMaxSafeInteger = (1ull << 53) - 1;

bool is_whitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool is_number_char(char c) {
    return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

// Pointers and nlohmann's messages may carry control or non-UTF-8 bytes from the input; an error
// message must not write them to the operator's terminal raw.
std::string printable(std::string_view text) {
    static const char* hex = "0123456789abcdef";
    std::string out;
    out.reserve(text.size());
    for (char ch : text) {
        auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7f) {
            out += "\\u00";
            out += hex[c >> 4];
            out += hex[c & 0xf];
        } else {
            out += ch;
        }
    }
    return out;
}

// At most `max` bytes of `text`, cut on a UTF-8 boundary, for messages: a key or pointer can
// be megabytes long.
std::string shorten(std::string_view text, std::size_t max) {
    if (text.size() <= max) return std::string(text);
    std::size_t cut = max;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xc0) == 0x80) --cut;
    return std::string(text.substr(0, cut)) + "...";
}

// Same, for nlohmann's "last read: '...'" excerpts that may hold invalid UTF-8.
std::string printable_ascii(std::string_view text) {
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (char ch : text) {
        auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c >= 0x7f) {
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 0xf];
        } else {
            out += ch;
        }
    }
    return out;
}

// The code point of a noncharacter in valid UTF-8 `s`, or 0 if there is none. I-JSON 2.1
// forbids noncharacters; they are never needed in a manifest and can hide from human review.
char32_t find_noncharacter(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        auto c = static_cast<unsigned char>(s[i]);
        char32_t cp = 0;
        std::size_t len = 1;
        if (c < 0x80) {
            cp = c;
        } else if (c < 0xe0) {
            len = 2;
        } else if (c < 0xf0) {
            len = 3;
            cp = c & 0x0fu;
        } else {
            len = 4;
            cp = c & 0x07u;
        }
        if (len >= 3 && i + len <= s.size()) {
            for (std::size_t k = 1; k < len; ++k)
                cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3fu);
            if ((cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) == 0xfffe) return cp;
        }
        i += len;
    }
    return 0;
}

std::string code_point_name(char32_t cp) {
    char buf[16];
    auto r = std::to_chars(buf, buf + sizeof buf, static_cast<std::uint32_t>(cp), 16);
    std::string hex(buf, r.ptr);
    for (auto& ch : hex) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    while (hex.size() < 4) hex.insert(hex.begin(), '0');
    return "U+" + hex;
}

// The part of nlohmann's exception text after its "[json.exception...] parse error at line L,
// column C: " prefix: we report our own position.
std::string nlohmann_message(const std::exception& ex) {
    std::string_view what = ex.what();
    if (!what.empty() && what.front() == '[') {
        auto close = what.find("] ");
        if (close != std::string_view::npos) what.remove_prefix(close + 2);
    }
    if (what.starts_with("parse error")) {
        auto colon = what.find(": ");
        if (colon != std::string_view::npos) what.remove_prefix(colon + 2);
    }
    return printable_ascii(what);
}

enum class Kind { array, object };

struct Frame {
    Kind kind;
    Value* container;
    std::size_t pointer_len;  // length of the container's own pointer in m_pointer
    std::uint64_t next_index = 0;
    bool member_pending = false;  // a key was read and its value has not started yet
};

// Builds the Value from nlohmann's SAX events and validates what nlohmann does not. nlohmann's
// events carry no position, so this handler tracks one itself: every event corresponds to the
// token the lexer has just finished, and between two such tokens there is only whitespace, ','
// and ':'. Skipping those from the end of the previous token finds the start of the current one
// exactly, and counting newlines on the way gives line:column, in one pass over the input.
class Builder {
  public:
    Builder(std::string_view bytes, std::string_view source, const Limits& limits,
            PositionIndex index, Document& doc, const Position& origin = {})
        : m_bytes(bytes),
          m_source(source),
          m_limits(limits),
          m_index(index),
          m_doc(doc),
          m_origin(origin),
          m_line(origin.line) {}

    bool null() { return scalar(Value(nullptr), 4); }
    bool boolean(bool v) { return scalar(Value(v), v ? 4 : 5); }

    bool number_integer(Value::number_integer_t v) {
        if (v < -static_cast<Value::number_integer_t>(kMaxSafeInteger) ||
            v > static_cast<Value::number_integer_t>(kMaxSafeInteger))
            return fail_at_token("integer outside the I-JSON range +-(2^53-1): " + number_text());
        return scalar(Value(v), number_length());
    }

    bool number_unsigned(Value::number_unsigned_t v) {
        if (v > kMaxSafeInteger)
            return fail_at_token("integer outside the I-JSON range +-(2^53-1): " + number_text());
        return scalar(Value(v), number_length());
    }

    bool number_float(Value::number_float_t v, const std::string& literal) {
        // nlohmann turns an integer literal too large for 64 bits into a double; the literal
        // tells them apart.
        if (literal.find_first_of(".eE") == std::string::npos)
            return fail_at_token("integer outside the I-JSON range +-(2^53-1): " +
                                 printable_ascii(literal));
        if (!std::isfinite(v))
            return fail_at_token("number overflows a double: " + printable_ascii(literal));
        // Every double from 2^53 up to 1e21 is an integer that RFC 8785 writes in integer form,
        // e.g. 3.1e19 -> 31000000000000000000, an integer literal outside the I-JSON range that
        // this reader rejects. Rejecting the value whatever its spelling keeps the rule
        // "parse_strict accepts canonicalize's output" true, so signed bytes always re-read.
        if (std::fabs(v) >= 9007199254740992.0 && std::fabs(v) < 1e21)
            return fail_at_token(
                "number " + printable_ascii(literal) +
                " is an integer outside the I-JSON range +-(2^53-1) (write it as a string)");
        return scalar(Value(v), number_length());
    }

    bool string(std::string& v) {
        std::size_t len = string_length();
        if (!check_noncharacters(v, "string")) return false;
        return scalar(Value(std::move(v)), len);
    }

    bool binary(Value::binary_t&) { return fail_at_token("binary values are not JSON"); }

    bool start_object(std::size_t) { return open(Kind::object); }
    bool start_array(std::size_t) { return open(Kind::array); }
    bool end_object() { return close(); }
    bool end_array() { return close(); }

    bool key(std::string& k) {
        Frame& frame = m_frames.back();
        Position pos = token_start();
        m_pointer.resize(frame.pointer_len);
        m_pointer += '/';
        m_pointer += pointer_token(k);
        frame.member_pending = true;
        if (!check_noncharacters(k, "object key")) return false;
        auto& members = frame.container->get_ref<Value::object_t&>();
        auto [it, inserted] = members.try_emplace(std::move(k));
        if (!inserted)
            return fail(pos, m_pointer,
                        "duplicate object key \"" + printable(shorten(it->first, 200)) + "\"");
        m_member = &it->second;
        advance(string_length());
        return true;
    }

    bool parse_error(std::size_t byte, const std::string&, const nlohmann::detail::exception& ex) {
        std::string pointer = pending_pointer();
        // 406 (number overflow) is raised after the number was read: name its first byte.
        if (ex.id == 406) {
            Position pos = token_start();
            return fail(pos, pointer, "number overflows a double: " + number_text());
        }
        // nlohmann counts the byte it stopped on, 1-based (past the end for a premature end).
        std::uint64_t offset = std::min<std::uint64_t>(byte == 0 ? 0 : byte - 1, m_bytes.size());
        std::string message = nlohmann_message(ex);
        // A bad literal or number ("tru", "-Infinity") is found a byte or more after it starts;
        // name its first byte, as a reader looks for the word. (A bad string keeps the exact
        // byte: that is where the bad escape or UTF-8 is.)
        if (message.find("invalid literal") != std::string::npos ||
            message.find("invalid number") != std::string::npos) {
            Position start = token_start();
            if (start.offset <= offset) return fail(start, pointer, std::move(message));
        }
        return fail(locate(offset), pointer, std::move(message));
    }

    // Errors raised before nlohmann runs (size, BOM).
    bool fail_before(std::uint64_t offset, std::string message) {
        return fail(locate(offset), "", std::move(message));
    }

    // nlohmann reads a NUL byte outside a string as the end of input, so "1\0 junk" would
    // parse as 1. A raw NUL is never valid JSON: name it wherever nlohmann stopped at or after it.
    void check_nul() {
        std::size_t nul = m_bytes.find('\0');
        if (nul == std::string_view::npos || (m_error && m_error_offset < nul)) return;
        m_error.reset();
        fail(locate(nul), pending_pointer(), "raw NUL byte is not allowed");
    }

    // Defence in depth: the shadow scanner and nlohmann must agree on where the value ended.
    void check_consumed_all() {
        if (m_error) return;
        token_start();
        if (m_scan != m_bytes.size())
            fail(locate(m_scan), "", "unexpected content after the JSON value");
    }

    bool failed() const { return m_error.has_value(); }
    Error take_error() { return std::move(*m_error); }

  private:
    // Position of the first byte of the token the lexer just finished; leaves m_scan on it.
    Position token_start() {
        while (m_scan < m_bytes.size()) {
            char c = m_bytes[m_scan];
            if (c == '\n') {
                ++m_line;
                m_line_start = m_scan + 1;
            } else if (!is_whitespace(c) && c != ',' && c != ':') {
                break;
            }
            ++m_scan;
        }
        return Position{m_scan, m_line, m_scan - m_line_start + 1};
    }

    // Tokens never contain a raw newline (nlohmann rejects control characters in strings).
    void advance(std::size_t len) { m_scan += len; }

    std::size_t number_length() {
        token_start();
        std::size_t end = m_scan;
        while (end < m_bytes.size() && is_number_char(m_bytes[end])) ++end;
        return end - m_scan;
    }

    std::string number_text() {
        std::size_t len = number_length();
        return printable_ascii(m_bytes.substr(m_scan, std::min<std::size_t>(len, 64)));
    }

    // Length of the string token starting at the current token start, quotes included.
    std::size_t string_length() {
        token_start();
        std::size_t i = m_scan + 1;
        while (i < m_bytes.size() && m_bytes[i] != '"') i += m_bytes[i] == '\\' ? 2 : 1;
        return i + 1 - m_scan;
    }

    Position locate(std::uint64_t offset) {
        std::uint64_t line = m_origin.line, line_start = 0, from = 0;
        if (offset >= m_scan) {
            line = m_line;
            line_start = m_line_start;
            from = m_scan;
        }
        for (std::uint64_t i = from; i < offset && i < m_bytes.size(); ++i) {
            if (m_bytes[i] == '\n') {
                ++line;
                line_start = i + 1;
            }
        }
        return Position{offset, line, offset - line_start + 1};
    }

    // The pointer of the value that is about to start, set into m_pointer.
    void enter_value() {
        if (m_frames.empty()) {
            m_pointer.clear();
            return;
        }
        Frame& frame = m_frames.back();
        if (frame.kind == Kind::array) {
            m_pointer.resize(frame.pointer_len);
            m_pointer += '/';
            m_pointer += std::to_string(frame.next_index);
            ++frame.next_index;
        } else {
            frame.member_pending = false;  // m_pointer was set by key()
        }
    }

    // Where a syntax error is: the value being read, or the container between values.
    std::string pending_pointer() const {
        if (m_frames.empty()) return m_pointer;
        const Frame& frame = m_frames.back();
        std::string p = m_pointer.substr(0, frame.pointer_len);
        if (frame.kind == Kind::array) {
            p += '/';
            p += std::to_string(frame.next_index);
        } else if (frame.member_pending) {
            p = m_pointer;
        }
        return p;
    }

    Value* place(Value&& v) {
        if (m_frames.empty()) {
            m_doc.value = std::move(v);
            return &m_doc.value;
        }
        Frame& frame = m_frames.back();
        if (frame.kind == Kind::array) {
            auto& elements = frame.container->get_ref<Value::array_t&>();
            elements.push_back(std::move(v));
            return &elements.back();
        }
        *m_member = std::move(v);
        return m_member;
    }

    Position in_file(Position pos) const {
        pos.offset += m_origin.offset;
        return pos;
    }

    void record(const Position& pos) {
        if (m_index != PositionIndex::full) return;
        // A map node is about 96 bytes plus the pointer's heap copy when it is not inline.
        std::uint64_t cost = 96 + (m_pointer.size() > 15 ? m_pointer.size() + 1 : 0);
        if (m_index_bytes + cost > m_limits.max_index_bytes) return;
        m_index_bytes += cost;
        m_doc.positions.emplace(m_pointer, in_file(pos));
    }

    bool scalar(Value&& v, std::size_t token_len) {
        Position pos = token_start();
        enter_value();
        record(pos);
        advance(token_len);
        place(std::move(v));
        return true;
    }

    bool open(Kind kind) {
        Position pos = token_start();
        enter_value();
        if (m_frames.size() >= m_limits.max_depth)
            return fail(pos, m_pointer,
                        "nesting deeper than " + std::to_string(m_limits.max_depth) + " levels");
        record(pos);
        advance(1);
        Value* container = place(kind == Kind::array ? Value::array() : Value::object());
        m_frames.push_back(Frame{kind, container, m_pointer.size()});
        return true;
    }

    bool close() {
        token_start();
        advance(1);
        m_pointer.resize(m_frames.back().pointer_len);
        m_frames.pop_back();
        return true;
    }

    bool check_noncharacters(std::string_view s, const char* what) {
        if (m_limits.noncharacters == Noncharacters::accept) return true;
        char32_t cp = find_noncharacter(s);
        if (cp == 0) return true;
        return fail_at_token(std::string(what) + " contains the Unicode noncharacter " +
                             code_point_name(cp));
    }

    bool fail_at_token(std::string message) {
        Position pos = token_start();
        return fail(pos, pending_pointer(), std::move(message));
    }

    bool fail(const Position& pos, const std::string& pointer, std::string message) {
        if (m_error) return false;
        m_error_offset = pos.offset;
        m_error = make_error(
            ErrorCode::InvalidInput,
            where(m_source, pos) + ": " + message + " (at JSON pointer " +
                (pointer.empty() ? std::string("\"\"") : printable(shorten(pointer, 1000))) +
                ", byte " + std::to_string(in_file(pos).offset) + ")");
        return false;
    }

    std::string_view m_bytes;
    std::string_view m_source;
    const Limits& m_limits;
    PositionIndex m_index;
    std::uint64_t m_index_bytes = 0;
    Document& m_doc;
    std::vector<Frame> m_frames;
    std::string m_pointer;
    Value* m_member = nullptr;
    // Where m_bytes starts in its file (a line of a JSON-lines file starts past line 1): lines
    // count from m_origin.line, and offsets in positions and messages are the file's.
    Position m_origin;
    std::uint64_t m_scan = 0;
    std::uint64_t m_line = 1;
    std::uint64_t m_line_start = 0;
    std::optional<Error> m_error;
    std::uint64_t m_error_offset = 0;
};

}  // namespace

Position Document::position_of(std::string_view pointer) const {
    std::string p(pointer);
    for (;;) {
        auto it = positions.find(p);
        if (it != positions.end()) return it->second;
        if (p.empty()) return Position{};
        std::size_t slash = p.rfind('/');
        p.resize(slash == std::string::npos ? 0
                                            : slash);  // "x" is no pointer: fall back to the root
    }
}

std::string where(std::string_view source, const Position& pos) {
    return std::string(source) + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column);
}

std::string pointer_token(std::string_view key) {
    std::string out;
    out.reserve(key.size());
    for (char c : key) {
        if (c == '~')
            out += "~0";
        else if (c == '/')
            out += "~1";
        else
            out += c;
    }
    return out;
}

Result<Document> parse_strict(std::string_view bytes, std::string_view source,
                              const Limits& limits) {
    return parse_strict(bytes, source, limits, PositionIndex::full);
}

Result<Document> parse_strict(std::string_view bytes, std::string_view source, const Limits& limits,
                              PositionIndex index) {
    return parse_strict_at(bytes, source, Position{}, limits, index);
}

Result<Document> parse_strict_at(std::string_view bytes, std::string_view source,
                                 const Position& origin, const Limits& limits,
                                 PositionIndex index) {
    try {
        Document doc;
        Builder builder(bytes, source, limits, index, doc, origin);
        if (bytes.size() > limits.max_bytes) {
            builder.fail_before(limits.max_bytes, "input is " + std::to_string(bytes.size()) +
                                                      " bytes, over the limit of " +
                                                      std::to_string(limits.max_bytes) + " bytes");
            return builder.take_error();
        }
        // nlohmann skips a UTF-8 byte-order mark silently; RFC 8259 8.1 says not to add one and
        // a signed document must not have two spellings.
        if (bytes.starts_with("\xEF\xBB\xBF")) {
            builder.fail_before(0, "byte-order mark is not allowed");
            return builder.take_error();
        }
        bool ok = Value::sax_parse(bytes.begin(), bytes.end(), &builder,
                                   nlohmann::json::input_format_t::json,
                                   /*strict=*/true, /*ignore_comments=*/false);
        builder.check_nul();
        if (ok) builder.check_consumed_all();
        if (builder.failed()) return builder.take_error();
        if (!ok)
            return make_error(ErrorCode::Internal,
                              std::string(source) + ": JSON parser stopped without an error");
        return doc;
    } catch (const std::bad_alloc&) {
        return make_error(ErrorCode::InvalidInput,
                          std::string(source) + ": input too large to hold in memory");
    } catch (const std::exception& e) {
        return make_error(ErrorCode::Internal,
                          std::string(source) + ": JSON parser failed: " + e.what());
    }
}

}  // namespace otasign::json
