// canonicalize_strict: strict reading and RFC 8785 output straight from the input text.
//
// Pass 1 (Scanner) checks every rule parse_strict checks and builds the only structure the
// output needs that the text does not give in order: each object's members sorted by UTF-16
// code units. Pass 2 (Writer) walks the text again in canonical order, jumping to each member's
// value through that index, and writes strings and numbers in canonical form as it meets them.
// Nothing is written before pass 1 has accepted the whole input. When pass 1 rejects the input,
// parse_strict reads it again to produce its exact message (line:column, JSON pointer), so the
// two readers report errors identically and only have to agree on what they accept; the tests
// hold them to that (tests/json/test_canonical_stream.cpp).

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <new>
#include <system_error>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/page_buffer.hpp"
#include "json/canonical.hpp"
#include "json/canonical_detail.hpp"

namespace otasign::json {

namespace {

using u8 = unsigned char;
using u32 = std::uint32_t;
using u64 = std::uint64_t;

// Offsets and lengths are 31-bit: the index costs 8 bytes per member instead of 16. Larger
// inputs take the Value path (parse_strict, canonicalize), which gives the same bytes.
constexpr std::size_t kMaxIndexedInput = 0x7fff'ffff;
constexpr u32 kArenaKey = 0x8000'0000u;  // Member::key_len flag: the key is in Index::arena
constexpr u32 kNoObject = 0xffff'ffffu;  // Scanner frame of an array
constexpr u64 kMaxSafeInteger = (1ull << 53) - 1;
constexpr std::size_t kChunk = 64 * 1024;

struct Member {
    // Without kArenaKey in key_len: offset in the input of the key's first byte after the quote,
    // and the key has no escapes. With it: offset in Index::arena of the unescaped key, which is
    // preceded by 4 bytes holding the input offset just past the key's closing quote.
    u32 key;
    u32 key_len;  // bytes of the unescaped key, | kArenaKey
};

struct Object {
    u32 open;         // input offset of '{'
    u32 close;        // input offset of '}'
    u32 members;      // first of its members in Index::members, sorted
    u32 count;        // number of members
    u32 subtree_end;  // index of the first object that opens after this one closes
};

struct Index {
    // Reserved in proportion to the input: mapped memory costs nothing until written.
    std::vector<Object, core::PageAllocator<Object>> objects;  // in the order their '{' appear
    std::vector<Member, core::PageAllocator<Member>> members;
    std::string arena;  // unescaped keys that had escapes
};

// ' ', '\t', '\n', '\r' as bits of one word: one compare and one shift per byte.
bool is_ws(u8 c) { return c <= ' ' && ((0x100002600ull >> c) & 1) != 0; }
bool is_digit(u8 c) { return c >= '0' && c <= '9'; }

const u8* skip_ws(const u8* p, const u8* end) {
    while (p != end && is_ws(*p)) ++p;
    return p;
}

int hex_value(u8 c) {
    if (c >= '0' && c <= '9') return c - '0';
    c = static_cast<u8>(c | 0x20);
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

// Four hex digits at p (p + 4 <= end checked by the caller), or -1.
int read_hex4(const u8* p) {
    int v = 0;
    for (int i = 0; i < 4; ++i) {
        int h = hex_value(p[i]);
        if (h < 0) return -1;
        v = (v << 4) | h;
    }
    return v;
}

bool is_noncharacter(u32 cp) { return (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) == 0xfffe; }

u8* put_utf8(u8* out, u32 cp) {
    if (cp < 0x80) {
        *out++ = static_cast<u8>(cp);
    } else if (cp < 0x800) {
        *out++ = static_cast<u8>(0xc0 | (cp >> 6));
        *out++ = static_cast<u8>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        *out++ = static_cast<u8>(0xe0 | (cp >> 12));
        *out++ = static_cast<u8>(0x80 | ((cp >> 6) & 0x3f));
        *out++ = static_cast<u8>(0x80 | (cp & 0x3f));
    } else {
        *out++ = static_cast<u8>(0xf0 | (cp >> 18));
        *out++ = static_cast<u8>(0x80 | ((cp >> 12) & 0x3f));
        *out++ = static_cast<u8>(0x80 | ((cp >> 6) & 0x3f));
        *out++ = static_cast<u8>(0x80 | (cp & 0x3f));
    }
    return out;
}

// Decodes the escape sequence at `s` (s[0] is the backslash of an escape the scan accepted,
// a surrogate pair as one), writes its UTF-8 bytes at `out` and returns their end; `s` moves
// past the escape.
u8* decode_escape(const u8*& s, u8* out) {
    switch (s[1]) {
        case 'b':
            *out++ = '\b';
            break;
        case 'f':
            *out++ = '\f';
            break;
        case 'n':
            *out++ = '\n';
            break;
        case 'r':
            *out++ = '\r';
            break;
        case 't':
            *out++ = '\t';
            break;
        case 'u': {
            u32 cp = static_cast<u32>(read_hex4(s + 2));
            if (cp >= 0xd800 && cp <= 0xdbff) {
                cp =
                    0x10000 + ((cp - 0xd800) << 10) + (static_cast<u32>(read_hex4(s + 8)) - 0xdc00);
                s += 6;
            }
            s += 6;
            return put_utf8(out, cp);
        }
        default:
            *out++ = s[1];  // '"', '\\', '/'
    }
    s += 2;
    return out;
}

// Eight input bytes as a little-endian word, whatever the machine.
u64 load8(const u8* p) {
    u64 w;
    std::memcpy(&w, p, 8);
    if constexpr (std::endian::native == std::endian::big) w = __builtin_bswap64(w);
    return w;
}

constexpr u64 kOnes = 0x0101010101010101ull;
constexpr u64 kHighs = 0x8080808080808080ull;

// A word with the high bit set in (at least) the lowest byte of `w` that ends a run of plain
// string bytes: '"', '\\', a control character (< 0x20) or a non-ASCII byte; 0 if none does.
// Bits above the lowest one may be false positives (borrows), so only the lowest is used.
u64 special_bytes(u64 w) {
    const u64 quote = w ^ (kOnes * '"');
    const u64 backslash = w ^ (kOnes * '\\');
    const u64 zero_quote = (quote - kOnes) & ~quote;
    const u64 zero_backslash = (backslash - kOnes) & ~backslash;
    const u64 control = w - kOnes * 0x20;  // borrows out of bytes < 0x20
    return (zero_quote | zero_backslash | (control & ~w) | w) & kHighs;
}

// Same for pass 2, which only stops at '"' and '\\' (the text is valid by then).
u64 quote_or_backslash(u64 w) {
    const u64 quote = w ^ (kOnes * '"');
    const u64 backslash = w ^ (kOnes * '\\');
    return (((quote - kOnes) & ~quote) | ((backslash - kOnes) & ~backslash)) & kHighs;
}

// Where a run of plain string bytes ends: pass 1 stops at what special_bytes flags, pass 2 at
// what quote_or_backslash flags.
enum class Stops { special, quote_or_backslash };

// Advances s to the first byte that `stops` flags, or to where fewer than eight are left; the
// caller goes on from there a byte at a time. Sixteen bytes a step where SSE2 is (every x86-64),
// else eight.
template <Stops stops>
const u8* skip_plain(const u8* s, const u8* end) {
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(0x20);
    while (end - s >= 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s));
        __m128i hit = _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash));
        // As signed bytes, control characters and non-ASCII bytes are both below ' '.
        if constexpr (stops == Stops::special) hit = _mm_or_si128(hit, _mm_cmplt_epi8(v, space));
        const auto mask = static_cast<unsigned>(_mm_movemask_epi8(hit));
        if (mask != 0) return s + std::countr_zero(mask);
        s += 16;
    }
#endif
    constexpr auto stop = stops == Stops::special ? special_bytes : quote_or_backslash;
    while (end - s >= 8) {
        const u64 hit = stop(load8(s));
        if (hit != 0) return s + std::countr_zero(hit) / 8;
        s += 8;
    }
    return s;
}

// Parses a validated number token as a double, correctly rounded as strtod (which parse_strict
// uses through nlohmann) rounds. Returns false if it overflows a double. from_chars reports a
// value too large and one too small for a double alike; the decimal exponent of the first
// significant digit tells them apart (an overflow is above 1e308, an underflow below 1e-323).
bool parse_double(const u8* begin, const u8* end, double& out) {
    const char* first = reinterpret_cast<const char*>(begin);
    const char* last = reinterpret_cast<const char*>(end);
    auto [ptr, ec] = std::from_chars(first, last, out);
    if (ec == std::errc() && ptr == last) return std::isfinite(out);
    if (ec != std::errc::result_out_of_range) return false;  // unreachable for a valid token
    const bool negative = *first == '-';
    const char* p = first + (negative ? 1 : 0);
    long long position = 0;  // decimal exponent of the first nonzero digit, before the exponent
    bool found = false;
    long long int_digits = 0;
    for (; p < last && *p >= '0' && *p <= '9'; ++p, ++int_digits)
        if (!found && *p != '0') {
            found = true;
            position = -int_digits;  // corrected by int_digits below
        }
    if (found) position += int_digits - 1;
    if (p < last && *p == '.') {
        ++p;
        for (long long j = 1; p < last && *p >= '0' && *p <= '9'; ++p, ++j)
            if (!found && *p != '0') {
                found = true;
                position = -j;
            }
    }
    long long exponent = 0;
    if (p < last && (*p == 'e' || *p == 'E')) {
        ++p;
        const bool negative_exponent = *p == '-';
        if (*p == '-' || *p == '+') ++p;
        for (; p < last; ++p) exponent = std::min(exponent * 10 + (*p - '0'), 1'000'000'000'000LL);
        if (negative_exponent) exponent = -exponent;
    }
    if (!found) return false;  // zero never overflows: from_chars cannot get here
    if (position + exponent > 0) return false;
    out = negative ? -0.0 : 0.0;
    return true;
}

// The input both passes walk, and offsets into it.
class Text {
  protected:
    explicit Text(std::string_view bytes)
        : m_begin(reinterpret_cast<const u8*>(bytes.data())), m_end(m_begin + bytes.size()) {}

    u32 offset(const u8* p) const { return static_cast<u32>(p - m_begin); }

    const u8* m_begin;
    const u8* m_end;
};

// Pass 1: validates the input by parse_strict's rules and builds the Index. Returns false on
// the first violation; it does not say which (parse_strict does).
class Scanner : Text {
  public:
    Scanner(std::string_view bytes, const Limits& limits, Index& index)
        : Text(bytes), m_limits(limits), m_index(index) {}

    bool run() {
        enum class State { value, key, after };
        const u8* p = skip_ws(m_begin, m_end);
        State state = State::value;
        for (;;) {
            switch (state) {
                case State::value:
                    if (p == m_end) return false;
                    switch (*p) {
                        case '{':
                            if (m_stack.size() >= m_limits.max_depth) return false;
                            m_stack.push_back(Frame{static_cast<u32>(m_index.objects.size()),
                                                    static_cast<u32>(m_pending.size())});
                            m_index.objects.push_back(Object{offset(p), 0, 0, 0, 0});
                            p = skip_ws(p + 1, m_end);
                            if (p != m_end && *p == '}') {
                                if (!close_object(p)) return false;
                                ++p;
                                state = State::after;
                            } else {
                                state = State::key;
                            }
                            continue;
                        case '[':
                            if (m_stack.size() >= m_limits.max_depth) return false;
                            m_stack.push_back(Frame{kNoObject, 0});
                            p = skip_ws(p + 1, m_end);
                            if (p != m_end && *p == ']') {
                                m_stack.pop_back();
                                ++p;
                                state = State::after;
                            }
                            continue;
                        case '"': {
                            bool escaped = false;
                            if (!scan_string(p, escaped)) return false;
                            break;
                        }
                        case 't':
                            if (!literal(p, "true", 4)) return false;
                            break;
                        case 'f':
                            if (!literal(p, "false", 5)) return false;
                            break;
                        case 'n':
                            if (!literal(p, "null", 4)) return false;
                            break;
                        default:
                            if (!scan_number(p)) return false;
                    }
                    state = State::after;
                    continue;
                case State::key:
                    if (p == m_end || *p != '"' || !scan_key(p)) return false;
                    p = skip_ws(p, m_end);
                    if (p == m_end || *p != ':') return false;
                    p = skip_ws(p + 1, m_end);
                    state = State::value;
                    continue;
                case State::after:
                    p = skip_ws(p, m_end);
                    if (m_stack.empty()) return p == m_end;
                    if (p == m_end) return false;
                    if (*p == ',') {
                        p = skip_ws(p + 1, m_end);
                        state = m_stack.back().object == kNoObject ? State::value : State::key;
                    } else if (m_stack.back().object == kNoObject) {
                        if (*p != ']') return false;
                        m_stack.pop_back();
                        ++p;
                    } else {
                        if (*p != '}' || !close_object(p)) return false;
                        ++p;
                    }
                    continue;
            }
        }
    }

  private:
    struct Frame {
        u32 object;         // index in Index::objects, or kNoObject for an array
        u32 pending_begin;  // its first member in m_pending
    };

    bool literal(const u8*& p, const char* word, std::size_t len) {
        if (static_cast<std::size_t>(m_end - p) < len || std::memcmp(p, word, len) != 0)
            return false;
        p += len;
        return true;
    }

    // I-JSON (RFC 7493 2.2) and the rules parse_strict adds: see json/strict.hpp.
    bool scan_number(const u8*& p) {
        const u8* start = p;
        if (*p == '-') ++p;
        const u8* digits = p;
        if (p == m_end) return false;
        if (*p == '0') {
            ++p;
        } else if (*p >= '1' && *p <= '9') {
            while (p != m_end && is_digit(*p)) ++p;
        } else {
            return false;
        }
        const u8* int_end = p;
        bool is_float = false;
        bool has_exponent = false;
        if (p != m_end && *p == '.') {
            ++p;
            if (p == m_end || !is_digit(*p)) return false;
            while (p != m_end && is_digit(*p)) ++p;
            is_float = true;
        }
        if (p != m_end && (*p | 0x20) == 'e') {
            ++p;
            if (p != m_end && (*p == '+' || *p == '-')) ++p;
            if (p == m_end || !is_digit(*p)) return false;
            while (p != m_end && is_digit(*p)) ++p;
            is_float = true;
            has_exponent = true;
        }
        if (!is_float) {
            if (int_end - digits > 16) return false;  // 2^53 - 1 has 16 digits
            u64 v = 0;
            for (const u8* d = digits; d != int_end; ++d) v = v * 10 + (*d - '0');
            return v <= kMaxSafeInteger;
        }
        // Without an exponent and with at most 15 integer digits the value is finite and below
        // 1e15 < 2^53: nothing to check.
        if (!has_exponent && int_end - digits <= 15) return true;
        double v = 0;
        if (!parse_double(start, p, v)) return false;
        // 2^53 up to 1e21 is an integer in canonical form, outside the I-JSON range.
        return !(std::fabs(v) >= 9007199254740992.0 && std::fabs(v) < 1e21);
    }

    // Checks the string token at p (on its opening quote) for syntax, control characters,
    // UTF-8, escapes and noncharacters (raw or escaped); leaves p past the closing quote. Sets
    // `escaped` if it has a backslash.
    bool scan_string(const u8*& p, bool& escaped) {
        const u8* s = p + 1;
        const bool reject_nonchars = m_limits.noncharacters == Noncharacters::reject;
        for (;;) {
            s = skip_plain<Stops::special>(s, m_end);
            if (s == m_end) return false;
            const u8 c = *s;
            if (c == '"') {
                p = s + 1;
                return true;
            }
            if (c == '\\') {
                escaped = true;
                if (m_end - s < 2) return false;
                switch (s[1]) {
                    case '"':
                    case '\\':
                    case '/':
                    case 'b':
                    case 'f':
                    case 'n':
                    case 'r':
                    case 't':
                        s += 2;
                        continue;
                    case 'u':
                        break;
                    default:
                        return false;
                }
                if (m_end - s < 6) return false;
                int cp = read_hex4(s + 2);
                if (cp < 0 || (cp >= 0xdc00 && cp <= 0xdfff)) return false;
                s += 6;
                if (cp >= 0xd800 && cp <= 0xdbff) {
                    if (m_end - s < 6 || s[0] != '\\' || s[1] != 'u') return false;
                    int low = read_hex4(s + 2);
                    if (low < 0xdc00 || low > 0xdfff) return false;
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
                    s += 6;
                }
                if (reject_nonchars && is_noncharacter(static_cast<u32>(cp))) return false;
                continue;
            }
            if (c < 0x20) return false;
            if (c < 0x80) {
                ++s;
                continue;
            }
            // Well-formed UTF-8 (Unicode 3.9 table 3-7): no overlong forms, no surrogates,
            // nothing above U+10FFFF.
            const std::ptrdiff_t left = m_end - s;
            auto cont = [](u8 b) { return (b & 0xc0) == 0x80; };
            if (c < 0xc2) return false;
            if (c < 0xe0) {
                if (left < 2 || !cont(s[1])) return false;
                s += 2;
                continue;
            }
            u32 cp = 0;
            if (c < 0xf0) {
                if (left < 3 || !cont(s[1]) || !cont(s[2])) return false;
                if (c == 0xe0 && s[1] < 0xa0) return false;
                if (c == 0xed && s[1] > 0x9f) return false;
                cp = (u32{c} & 0x0f) << 12 | (u32{s[1]} & 0x3f) << 6 | (u32{s[2]} & 0x3f);
                s += 3;
            } else {
                if (c > 0xf4 || left < 4 || !cont(s[1]) || !cont(s[2]) || !cont(s[3])) return false;
                if (c == 0xf0 && s[1] < 0x90) return false;
                if (c == 0xf4 && s[1] > 0x8f) return false;
                cp = (u32{c} & 0x07) << 18 | (u32{s[1]} & 0x3f) << 12 | (u32{s[2]} & 0x3f) << 6 |
                     (u32{s[3]} & 0x3f);
                s += 4;
            }
            if (reject_nonchars && is_noncharacter(cp)) return false;
        }
    }

    // Unescapes a string scan_string accepted (`open` on its opening quote) into `out`, which
    // has room for the string's length; returns the end.
    static u8* unescape(const u8* open, u8* out) {
        const u8* s = open + 1;
        for (;;) {
            const u8 c = *s;
            if (c == '"') return out;
            if (c != '\\') {
                *out++ = c;
                ++s;
                continue;
            }
            out = decode_escape(s, out);
        }
    }

    bool scan_key(const u8*& p) {
        const u8* open = p;
        bool escaped = false;
        if (!scan_string(p, escaped)) return false;
        const u32 raw_len = static_cast<u32>(p - open - 2);
        if (!escaped) {
            push_pending(Member{offset(open + 1), raw_len});
            return true;
        }
        // Keys are compared after unescaping: keep the unescaped bytes.
        const std::size_t at = m_index.arena.size();
        m_index.arena.resize(at + 4 + raw_len);
        const u32 after = offset(p);
        std::memcpy(m_index.arena.data() + at, &after, 4);
        u8* data = reinterpret_cast<u8*>(m_index.arena.data() + at + 4);
        u8* end = unescape(open, data);
        m_index.arena.resize(at + 4 + static_cast<std::size_t>(end - data));
        push_pending(Member{static_cast<u32>(at + 4), static_cast<u32>(end - data) | kArenaKey});
        return true;
    }

    // A member of an object still open, with what makes most comparisons cheap: the first 8
    // bytes of its unescaped key as a big-endian number (zero-padded: a shorter key sorts
    // first, as it should). UTF-16 order differs from byte order only at code points whose
    // lead byte is 0xee or more (see utf16_less), so two ASCII prefixes that differ compare as
    // numbers. 16 bytes, built in registers: a flag beside it made the compiler assemble each
    // entry on the stack and copy it out, a store-forwarding stall on every key.
    struct Pending {
        Member member;
        u64 prefix;
    };

    void push_pending(Member m) {
        const std::string_view key = key_of(m);
        u64 prefix = 0;
        if (!(m.key_len & kArenaKey) && m_end - m_begin - m.key >= 8) {
            // Load 8 bytes (the key is followed by at least its quote and a value) and keep
            // the key's own.
            prefix = __builtin_bswap64(load8(m_begin + m.key));
            if (key.empty())
                prefix = 0;
            else if (key.size() < 8)
                prefix &= ~0ull << (8 * (8 - key.size()));
        } else {
            for (std::size_t i = 0; i < 8; ++i)
                prefix = prefix << 8 | (i < key.size() ? static_cast<u8>(key[i]) : 0);
        }
        m_pending.push_back(Pending{m, prefix});
    }

    // <0, 0, >0 as a sorts before, equal to, after b by UTF-16 code units.
    int compare(const Pending& a, const Pending& b) const {
        // Conservative: any byte from 0x80 up sends the comparison to utf16_less.
        if (a.prefix != b.prefix && ((a.prefix | b.prefix) & kHighs) == 0)
            return a.prefix < b.prefix ? -1 : 1;
        const std::string_view ka = key_of(a.member), kb = key_of(b.member);
        if (ka == kb) return 0;
        return detail::utf16_less(ka, kb) ? -1 : 1;
    }

    std::string_view key_of(const Member& m) const {
        if (m.key_len & kArenaKey) return {m_index.arena.data() + m.key, m.key_len & ~kArenaKey};
        return {reinterpret_cast<const char*>(m_begin) + m.key, m.key_len};
    }

    // Sorts the members of the object closing at p by UTF-16 code units and rejects duplicate
    // keys (equal after unescaping).
    bool close_object(const u8* p) {
        const Frame frame = m_stack.back();
        m_stack.pop_back();
        const auto first = m_pending.begin() + frame.pending_begin;
        const auto last = m_pending.end();
        if (last - first <= 16) {
            // Insertion sort, which meets a duplicate on its way: an equal key already placed
            // is passed by every larger one.
            for (auto i = first + 1; i < last; ++i) {
                const Pending x = *i;
                auto j = i;
                for (; j > first; --j) {
                    const int c = compare(x, *(j - 1));
                    if (c == 0) return false;
                    if (c > 0) break;
                    *j = *(j - 1);
                }
                *j = x;
            }
        } else {
            std::sort(first, last,
                      [this](const Pending& a, const Pending& b) { return compare(a, b) < 0; });
            for (auto i = first + 1; i < last; ++i)
                if (compare(*(i - 1), *i) == 0) return false;
        }
        Object& object = m_index.objects[frame.object];
        object.close = offset(p);
        object.members = static_cast<u32>(m_index.members.size());
        object.count = static_cast<u32>(last - first);
        object.subtree_end = static_cast<u32>(m_index.objects.size());
        for (auto i = first; i < last; ++i) m_index.members.push_back(i->member);
        m_pending.erase(first, last);
        return true;
    }

    const Limits& m_limits;
    Index& m_index;
    std::vector<Frame> m_stack;
    std::vector<Pending> m_pending;  // members of the objects still open, in input order
};

// Copies n <= 32 bytes with fixed-size (overlapping) moves.
void copy_short(char* dst, const char* src, std::size_t n) {
    if (n >= 16) {
        std::memcpy(dst, src, 16);
        std::memcpy(dst + n - 16, src + n - 16, 16);
    } else if (n >= 8) {
        std::memcpy(dst, src, 8);
        std::memcpy(dst + n - 8, src + n - 8, 8);
    } else if (n >= 4) {
        std::memcpy(dst, src, 4);
        std::memcpy(dst + n - 4, src + n - 4, 4);
    } else {
        for (std::size_t i = 0; i < n; ++i) dst[i] = src[i];
    }
}

// Output buffer that hands the sink pieces of at most kChunk bytes.
class Output {
  public:
    explicit Output(const ByteSink& sink) : m_sink(sink), m_buf(kChunk), m_pos(m_buf.data()) {}

    // Room for n <= kMaxNumberChars * 2 more bytes at cursor().
    char* room(std::size_t n) {
        if (static_cast<std::size_t>(m_buf.data() + m_buf.size() - m_pos) < n) flush();
        return m_pos;
    }
    void advance(char* end) { m_pos = end; }

    void put(char c) {
        *room(1) = c;
        ++m_pos;
    }

    // n <= 4 bytes (a decoded escape): byte moves, which GCC at -O3 does not mistake for reads
    // past a 4-byte buffer as it does copy_short's 8- and 16-byte moves (-Warray-bounds).
    void write_small(const char* data, std::size_t n) {
        char* p = room(4);
        for (std::size_t i = 0; i < n; ++i) p[i] = data[i];
        m_pos = p + n;
    }

    void write(const char* data, std::size_t n) {
        if (n <= 32 && static_cast<std::size_t>(m_buf.data() + m_buf.size() - m_pos) >= 32) {
            copy_short(m_pos, data, n);  // most tokens: inline moves, not a call to memcpy
            m_pos += n;
            return;
        }
        write_long(data, n);
    }

    [[gnu::noinline]] void write_long(const char* data, std::size_t n) {
        for (;;) {
            std::size_t space = static_cast<std::size_t>(m_buf.data() + m_buf.size() - m_pos);
            if (n <= space) {
                std::memcpy(m_pos, data, n);
                m_pos += n;
                return;
            }
            std::memcpy(m_pos, data, space);
            m_pos += space;
            data += space;
            n -= space;
            flush();
        }
    }

    // Writes an unescaped string (UTF-8) in canonical form, quotes included.
    void write_string(std::string_view s) {
        put('"');
        std::size_t plain = 0;
        for (std::size_t i = 0; i < s.size(); ++i) {
            auto c = static_cast<unsigned char>(s[i]);
            if (!detail::needs_escape(c)) continue;
            write(s.data() + plain, i - plain);
            advance(detail::write_escape(room(6), c));
            plain = i + 1;
        }
        write(s.data() + plain, s.size() - plain);
        put('"');
    }

    bool failed() const { return !m_status.ok(); }

    Status finish() {
        flush();
        return std::move(m_status);
    }

  private:
    void flush() {
        if (m_status.ok() && m_pos != m_buf.data())
            m_status = m_sink(
                std::string_view(m_buf.data(), static_cast<std::size_t>(m_pos - m_buf.data())));
        m_pos = m_buf.data();  // after a failure, later output is dropped
    }

    const ByteSink& m_sink;
    std::vector<char> m_buf;
    char* m_pos;
    Status m_status = ok_status();
};

// Pass 2: writes the canonical bytes of input the Scanner accepted, in canonical order.
class Writer : Text {
  public:
    Writer(std::string_view bytes, const Index& index, Output& out)
        : Text(bytes), m_index(index), m_out(out) {}

    void run() {
        const u8* end = visit(skip_ws(m_begin, m_end), 0, static_cast<u32>(m_index.objects.size()));
        if (end != nullptr) return;  // a scalar document
        while (!m_stack.empty() && !m_out.failed()) {
            Frame& top = m_stack.back();
            if (top.object != kNoObject) {
                const Object& object = m_index.objects[top.object];
                if (top.next == object.members + object.count) {
                    m_out.put('}');
                    const u32 done = top.object;
                    m_stack.pop_back();
                    resume_array(m_begin + m_index.objects[done].close + 1,
                                 m_index.objects[done].subtree_end);
                    continue;
                }
                if (top.next != object.members) m_out.put(',');
                const Member& member = m_index.members[top.next++];
                const u8* after_key = write_key(member);
                m_out.put(':');
                const u8* value = skip_ws(skip_ws(after_key, m_end) + 1, m_end);  // past ':'
                visit(value, top.object + 1, object.subtree_end);  // may reallocate m_stack
            } else {
                const u8* p = skip_ws(top.pos, m_end);
                if (*p == ']') {
                    m_out.put(']');
                    const u32 cursor = top.next;
                    m_stack.pop_back();
                    resume_array(p + 1, cursor);
                    continue;
                }
                if (*p == ',') {
                    m_out.put(',');
                    p = skip_ws(p + 1, m_end);
                }
                const u32 cursor = top.next;
                const u8* end_of_scalar =
                    visit(p, cursor, static_cast<u32>(m_index.objects.size()));
                if (end_of_scalar != nullptr) m_stack.back().pos = end_of_scalar;
            }
        }
    }

  private:
    struct Frame {
        u32 object;  // index in Index::objects, or kNoObject for an array
        u32 next;    // object: its next member to write; array: first object at or after pos
        const u8* pos = nullptr;  // array: where its next element (or ',' or ']') starts
    };

    // After a container closes: if it was an element of an array, that array goes on past it.
    void resume_array(const u8* pos, u32 next_object) {
        if (m_stack.empty() || m_stack.back().object != kNoObject) return;
        m_stack.back().pos = pos;
        m_stack.back().next = next_object;
    }

    // The first object in [lo, hi) whose '{' is at or after input offset `at` (objects are in
    // input order).
    u32 first_object_from(u32 at, u32 lo, u32 hi) const {
        const auto& objects = m_index.objects;
        if (lo == hi || objects[lo].open >= at) return lo;
        auto it = std::partition_point(objects.begin() + lo, objects.begin() + hi,
                                       [at](const Object& o) { return o.open < at; });
        return static_cast<u32>(it - objects.begin());
    }

    // Writes the value at p. A scalar is written whole and its end returned; a container is
    // opened, pushed and nullptr returned. Objects inside it are in [lo, hi).
    const u8* visit(const u8* p, u32 lo, u32 hi) {
        const u32 at = static_cast<u32>(p - m_begin);
        switch (*p) {
            case '{': {
                const u32 j = first_object_from(at, lo, hi);
                m_out.put('{');
                m_stack.push_back(Frame{j, m_index.objects[j].members});
                return nullptr;
            }
            case '[':
                m_out.put('[');
                m_stack.push_back(Frame{kNoObject, first_object_from(at, lo, hi), p + 1});
                return nullptr;
            case '"':
                return write_string_token(p);
            case 't':
                m_out.write("true", 4);
                return p + 4;
            case 'f':
                m_out.write("false", 5);
                return p + 5;
            case 'n':
                m_out.write("null", 4);
                return p + 4;
            default:
                return write_number(p);
        }
    }

    // Writes a member's key; returns the input position just past its closing quote.
    const u8* write_key(const Member& m) {
        if (m.key_len & kArenaKey) {
            const char* data = m_index.arena.data() + m.key;
            u32 after = 0;
            std::memcpy(&after, data - 4, 4);
            m_out.write_string(std::string_view(data, m.key_len & ~kArenaKey));
            return m_begin + after;
        }
        // Without escapes a valid key has nothing to escape: copy it, quotes included.
        m_out.write(reinterpret_cast<const char*>(m_begin) + m.key - 1, m.key_len + 2);
        return m_begin + m.key + m.key_len + 1;
    }

    const u8* write_string_token(const u8* open) {
        const u8* s = skip_plain<Stops::quote_or_backslash>(open + 1, m_end);
        while (*s != '"' && *s != '\\') ++s;
        if (*s == '"') {  // no escapes: nothing to change
            m_out.write(reinterpret_cast<const char*>(open),
                        static_cast<std::size_t>(s - open + 1));
            return s + 1;
        }
        // Unescape, then escape the RFC 8785 way.
        m_out.write(reinterpret_cast<const char*>(open), static_cast<std::size_t>(s - open));
        for (;;) {
            const u8 c = *s;
            if (c == '"') {
                m_out.put('"');
                return s + 1;
            }
            if (c != '\\') {
                const u8* run = s;
                while (*s != '"' && *s != '\\') ++s;
                m_out.write(reinterpret_cast<const char*>(run), static_cast<std::size_t>(s - run));
                continue;
            }
            u8 decoded[4];
            u8* end = decode_escape(s, decoded);
            if (end - decoded == 1 && detail::needs_escape(decoded[0]))
                m_out.advance(detail::write_escape(m_out.room(6), decoded[0]));
            else
                m_out.write_small(reinterpret_cast<const char*>(decoded),
                                  static_cast<std::size_t>(end - decoded));
        }
    }

    const u8* write_number(const u8* start) {
        const u8* p = start;
        if (*p == '-') ++p;
        while (p != m_end && is_digit(*p)) ++p;
        bool is_float = false;
        while (p != m_end &&
               (is_digit(*p) || *p == '.' || *p == 'e' || *p == 'E' || *p == '+' || *p == '-')) {
            is_float = true;
            ++p;
        }
        if (!is_float) {  // an integer within +-(2^53-1): written as it is, but -0 is 0
            if (p - start == 2 && start[0] == '-' && start[1] == '0')
                m_out.put('0');
            else
                m_out.write(reinterpret_cast<const char*>(start),
                            static_cast<std::size_t>(p - start));
            return p;
        }
        double v = 0;
        parse_double(start, p, v);  // cannot fail: the Scanner parsed the same token
        m_out.advance(detail::write_es6_number(m_out.room(detail::kMaxNumberChars), v));
        return p;
    }

    const Index& m_index;
    Output& m_out;
    std::vector<Frame> m_stack;
};

Status canonicalize_value_path(std::string_view bytes, std::string_view source,
                               const Limits& limits, const ByteSink& sink) {
    OTASIGN_ASSIGN_OR_RETURN(Document doc,
                             parse_strict(bytes, source, limits, PositionIndex::none));
    std::string canonical = canonicalize(doc.value);
    doc = Document{};
    for (std::size_t at = 0; at < canonical.size(); at += kChunk)
        OTASIGN_TRY(sink(std::string_view(canonical).substr(at, kChunk)));
    return ok_status();
}

}  // namespace

Status canonicalize_strict(std::string_view bytes, std::string_view source, const Limits& limits,
                           const ByteSink& sink) {
    if (bytes.size() > kMaxIndexedInput)
        return canonicalize_value_path(bytes, source, limits, sink);
    bool accepted = false;
    Index index;
    try {
        // Room for a typical document (a member per 16 bytes, an object per 64) reserved up
        // front: pages never written cost nothing, and the vectors need not grow by copying.
        index.members.reserve(bytes.size() / 16);
        index.objects.reserve(bytes.size() / 64);
        accepted = bytes.size() <= limits.max_bytes && Scanner(bytes, limits, index).run();
    } catch (const std::bad_alloc&) {
        return make_error(ErrorCode::InvalidInput,
                          std::string(source) + ": input too large to hold in memory");
    }
    if (!accepted) {
        // parse_strict names the problem; it must find one.
        index = Index{};
        auto doc = parse_strict(bytes, source, limits, PositionIndex::none);
        if (!doc.ok()) return std::move(doc).error();
        return make_error(
            ErrorCode::Internal,
            std::string(source) + ": the strict readers disagree: parse_strict accepts the input");
    }
    Output out(sink);
    Writer(bytes, index, out).run();
    return out.finish();
}

Result<std::string> canonicalize_strict(std::string_view bytes, std::string_view source,
                                        const Limits& limits) {
    std::string canonical;
    OTASIGN_TRY(canonicalize_strict(bytes, source, limits, [&canonical](std::string_view piece) {
        canonical.append(piece);
        return ok_status();
    }));
    return canonical;
}

}  // namespace otasign::json
