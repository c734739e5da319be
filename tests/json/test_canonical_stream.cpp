// canonicalize_strict (strict reading and RFC 8785 output straight from the text) against the
// reference path parse_strict + canonicalize: the same accepted inputs, the same bytes, the
// same error messages. Every strictness rule is a row here, and random documents and their
// byte-level mutations probe the rest.
#include <catch2/catch.hpp>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "json/canonical.hpp"
#include "json/strict.hpp"

using namespace otasign;
using namespace otasign::json;

namespace {

std::string shown(std::string_view text) {
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (char ch : text.substr(0, 400)) {
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

// Both paths accept or both reject; accepted input gives the same bytes, rejected input the
// same error. Returns whether the input was accepted.
bool agree(std::string_view text, const Limits& limits = {}) {
    INFO("input: " << shown(text));
    auto slow = parse_strict(text, "t.json", limits, PositionIndex::none);
    auto fast = canonicalize_strict(text, "t.json", limits);
    if (!fast.ok()) INFO("fast: " << fast.error().detail);
    if (!slow.ok()) INFO("slow: " << slow.error().detail);
    REQUIRE(fast.ok() == slow.ok());
    if (slow.ok()) {
        CHECK(*fast == canonicalize(slow->value));
        return true;
    }
    CHECK(fast.error().code == slow.error().code);
    CHECK(fast.error().detail == slow.error().detail);
    return false;
}

std::string nested(std::size_t depth, char open, char close) {
    return std::string(depth, open) + std::string(depth, close);
}

// xorshift64*: a fixed sequence, so a failure reproduces.
class Rng {
  public:
    explicit Rng(std::uint64_t seed) : m_state(seed) {}
    std::uint64_t next() {
        m_state ^= m_state >> 12;
        m_state ^= m_state << 25;
        m_state ^= m_state >> 27;
        return m_state * 0x2545F4914F6CDD1Dull;
    }
    std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
    bool chance(unsigned percent) { return below(100) < percent; }

  private:
    std::uint64_t m_state;
};

void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xc0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xe0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
        out += static_cast<char>(0xf0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    }
}

void append_u_escape(std::string& out, std::uint32_t unit) {
    static const char* hex = "0123456789abcdefABCDEF";
    out += "\\u";
    for (int shift = 12; shift >= 0; shift -= 4) {
        unsigned nibble = (unit >> shift) & 0xf;
        out += nibble >= 10 && (unit & 1) ? hex[nibble + 6] : hex[nibble];  // mixed case
    }
}

// Random JSON text, mostly valid, in a non-canonical spelling: random whitespace, escapes
// for characters that need none, exponent forms; now and then a rule is broken on purpose
// (noncharacter, lone surrogate, duplicate key, raw control character, out-of-range number).
class Generator {
  public:
    explicit Generator(Rng& rng) : m_rng(rng) {}

    std::string document() {
        std::string out;
        ws(out);
        value(out, 0);
        ws(out);
        return out;
    }

  private:
    void ws(std::string& out) {
        static const char spaces[] = {' ', '\t', '\n', '\r'};
        while (m_rng.chance(25)) out += spaces[m_rng.below(4)];
    }

    std::uint32_t code_point() {
        for (;;) {
            std::uint32_t cp = 0;
            switch (m_rng.below(8)) {
                case 0:
                    cp = static_cast<std::uint32_t>(m_rng.below(0x20));
                    break;
                case 1:
                case 2:
                case 3:
                    cp = 0x20 + static_cast<std::uint32_t>(m_rng.below(0x60));
                    break;
                case 4:
                    cp = 0x80 + static_cast<std::uint32_t>(m_rng.below(0x780));
                    break;
                case 5:
                    cp = 0xe000 + static_cast<std::uint32_t>(m_rng.below(0x2000));
                    break;
                case 6:
                    cp = 0x800 + static_cast<std::uint32_t>(m_rng.below(0xd000));
                    break;
                default:
                    cp = 0x10000 + static_cast<std::uint32_t>(m_rng.below(0x100000));
                    break;
            }
            bool surrogate = cp >= 0xd800 && cp <= 0xdfff;
            bool nonchar = (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) == 0xfffe;
            if (!surrogate && (!nonchar || m_rng.chance(5))) return cp;
        }
    }

    void string(std::string& out, std::size_t max_len) {
        out += '"';
        for (std::size_t n = m_rng.below(max_len + 1); n > 0; --n) {
            std::uint32_t cp = code_point();
            if (m_rng.chance(1)) {  // a rule broken on purpose
                switch (m_rng.below(4)) {
                    case 0:
                        append_u_escape(out,
                                        0xd800 + static_cast<std::uint32_t>(m_rng.below(0x800)));
                        break;
                    case 1:
                        out += static_cast<char>(m_rng.below(0x20));
                        break;
                    case 2:
                        out += static_cast<char>(0x80 + m_rng.below(0x80));
                        break;
                    default:
                        out += "\\x";
                        break;
                }
                continue;
            }
            if (cp == '"' || cp == '\\' || cp < 0x20 || m_rng.chance(15)) {
                static const std::pair<std::uint32_t, const char*> shorts[] = {
                    {'"', "\\\""}, {'\\', "\\\\"}, {'/', "\\/"},  {'\b', "\\b"},
                    {'\f', "\\f"}, {'\n', "\\n"},  {'\r', "\\r"}, {'\t', "\\t"}};
                const char* short_form = nullptr;
                for (const auto& [c, s] : shorts)
                    if (c == cp) short_form = s;
                if (short_form != nullptr && m_rng.chance(70)) {
                    out += short_form;
                } else if (cp >= 0x10000) {
                    append_u_escape(out, 0xd800 + ((cp - 0x10000) >> 10));
                    append_u_escape(out, 0xdc00 + ((cp - 0x10000) & 0x3ff));
                } else {
                    append_u_escape(out, cp);
                }
            } else {
                append_utf8(out, cp);
            }
        }
        out += '"';
    }

    void number(std::string& out) {
        static const char* const fixed[] = {
            "0",
            "-0",
            "-0.0",
            "0e0",
            "1",
            "-1",
            "9007199254740991",
            "-9007199254740991",
            "9007199254740992",
            "-9007199254740992",
            "9007199254740991.0",
            "4503599627370495.5",
            "9007199254740991.5",
            "1e21",
            "-1e21",
            "9.999999999999999e20",
            "1e20",
            "3.1e19",
            "1e-7",
            "1e-6",
            "0.000001",
            "1E+2",
            "1.5e300",
            "1e308",
            "1.7976931348623157e308",
            "1.7976931348623159e308",
            "1e309",
            "-1e400",
            "1e-400",
            "-1e-400",
            "5e-324",
            "2.4703282292062327e-324",
            "2.4703282292062328e-324",
            "1e-323",
            "123e-10000000",
            "0.1",
            "0.30000000000000004",
            "123456789012345678901234567890e-20",
            "0.000000000000000000000000000000000000000001e999999999999999999999999",
            "1e-999999999999999999999999",
            "18446744073709551616",
            "12345678901234567",
            "1.0000000000000002",
            "100",
            "1e2",
            "01",
            "-01",
            "1.",
            ".5",
            "-",
            "+1",
            "1e",
            "1e+",
            "0x10",
            "1.5E-5",
            "-2.5e-7"};
        switch (m_rng.below(4)) {
            case 0:
                out += fixed[m_rng.below(std::size(fixed))];
                break;
            case 1:
                out += std::to_string(static_cast<std::int64_t>(m_rng.next() >> 11) - (1ll << 52));
                break;
            case 2: {
                out += std::to_string(m_rng.below(100000));
                if (m_rng.chance(50)) out += "." + std::to_string(m_rng.below(1000000));
                if (m_rng.chance(50))
                    out += (m_rng.chance(50) ? "e" : "E") +
                           std::string(m_rng.chance(50) ? "-" : "") +
                           std::to_string(m_rng.below(40));
                break;
            }
            default: {
                char buf[40];
                double d = static_cast<double>(m_rng.next() >> 11) /
                           static_cast<double>(1ull << m_rng.below(64));
                auto r = std::to_chars(buf, buf + sizeof buf, m_rng.chance(50) ? d : -d);
                out.append(buf, r.ptr);
            }
        }
    }

    void value(std::string& out, int depth) {
        const std::size_t kind = depth >= 5 ? 2 + m_rng.below(5) : m_rng.below(7);
        switch (kind) {
            case 0: {  // object
                out += '{';
                std::size_t n = m_rng.below(6);
                for (std::size_t i = 0; i < n; ++i) {
                    if (i) out += ',';
                    ws(out);
                    if (m_rng.chance(
                            30)) {  // keys from a small set: equal after unescaping now and then
                        static const char* const keys[] = {"\"a\"",
                                                           "\"\\u0061\"",
                                                           "\"b\"",
                                                           "\"\\u00e9\"",
                                                           "\"\xC3\xA9\"",
                                                           "\"\xEF\xBC\xA1\"",
                                                           "\"\xF0\x9F\x98\x80\"",
                                                           "\"\\ud83d\\ude00\"",
                                                           "\"\"",
                                                           "\"a\\u0000\"",
                                                           "\"a\\\"\""};
                        out += keys[m_rng.below(std::size(keys))];
                    } else {
                        string(out, 6);
                    }
                    ws(out);
                    out += ':';
                    ws(out);
                    value(out, depth + 1);
                    ws(out);
                }
                out += '}';
                break;
            }
            case 1: {  // array
                out += '[';
                std::size_t n = m_rng.below(6);
                for (std::size_t i = 0; i < n; ++i) {
                    if (i) out += ',';
                    ws(out);
                    value(out, depth + 1);
                    ws(out);
                }
                out += ']';
                break;
            }
            case 2:
                string(out, 12);
                break;
            case 3:
                number(out);
                break;
            case 4:
                out += m_rng.chance(50) ? "true" : "false";
                break;
            case 5:
                out += "null";
                break;
            default:
                number(out);
                break;
        }
    }

    Rng& m_rng;
};

std::string mutate(Rng& rng, std::string text) {
    static const char interesting[] = {'"',    '\\',   '{',    '}',    '[',    ']',   ',',  ':',
                                       ' ',    '0',    '-',    'e',    '.',    'u',   '\0', '\x7f',
                                       '\x80', '\xbf', '\xc3', '\xed', '\xef', '\xf4'};
    std::size_t at = text.empty() ? 0 : rng.below(text.size());
    switch (rng.below(3)) {
        case 0:
            if (!text.empty()) text.erase(at, 1);
            break;
        case 1:
            text.insert(text.begin() + static_cast<std::ptrdiff_t>(at),
                        interesting[rng.below(std::size(interesting))]);
            break;
        default:
            if (!text.empty()) text[at] = interesting[rng.below(std::size(interesting))];
    }
    return text;
}

}  // namespace

TEST_CASE("canonicalize_strict gives canonicalize's bytes for accepted input",
          "[canonical][stream]") {
    const std::string ok[] = {
        "{ \"b\" : [1.0, 2e1], \"a\" : \"\\u00e9\" }\n",
        "null",
        "true",
        "false",
        "0",
        "-0",
        "\"\"",
        "[]",
        "{}",
        " \t\r\n[] \t\r\n",
        "[[],{},[{}]]",
        "[1e-400, -0, -0.0, 0.0e5, 1.7976931348623157e308]",
        "[9007199254740991.0, 1e21, -1e21, 1.5e300, 4503599627370495.5, 9007199254740991, "
        "-9007199254740991]",
        "[1e-7, 1e-6, 0.1, 1E+2, 5e-324, 123e-10000000, 0.30000000000000004, 1e-323]",
        R"("\u0000\u001f\u007f\"\\\/\b\f\n\r\t")",
        R"({"a":1,"A":1,"a ":1,"":2,"\u0000":3})",
        "\"\xF0\x9F\x98\x80\"",
        R"(["\ud83d\ude00", "\uD83D\uDE00"])",
        // Keys where UTF-16 order and byte order disagree, raw and escaped.
        "{\"\xEF\xBC\xA1\":1,\"\xF0\x9F\x98\x80\":2,\"\\ufb01\":3,\"\\ud83d\\ude01\":4,\"z\":5}",
        R"({"a\"b":1,"a":{"y":[{"k":{"b":1,"a":[{"d":1,"c":2},3]}}],"x":2},"a!":3})",
        "{\"release\": {\"id\": \"r-1\",\n    \"caf\xC3\xA9\": [10, true,\n {\"a/b\": null, "
        "\"m~n\": -1.5e3}]},\n  \"\": []\n}\n",
        "[\"" + std::string(100000, 'x') + "\", \"" + std::string(70000, 'y') + "\\n\"]",
    };
    for (const auto& text : ok) CHECK(agree(text));
    std::string long_strings = "{\"" + std::string(70000, 'k') + "\":\"";
    for (int i = 0; i < 30000; ++i) long_strings += "\\u00e9\xC3\xA9\\n";
    long_strings += "\"}";
    CHECK(agree(long_strings));
}

TEST_CASE("canonicalize_strict rejects what parse_strict rejects, with its message",
          "[canonical][stream]") {
    const std::string bad[] = {
        R"({"a":1,"a":2})",
        R"({"a":1,"\u0061":2})",
        "{\"release\": {\n  \"id\": 1,\n  \"id\": 2}}",
        R"([{"x":0},{"y":1,"y":2}])",
        R"({"a/b~":{},"a/b~":1})",
        R"({"a":"b","a":"b"})",
        "{\"\\ud83d\\ude00\":1,\"\xF0\x9F\x98\x80\":2}",
        R"({"b":0,"a":1,"c":{},"a":2})",
        nested(65, '[', ']'),
        nested(100000, '[', ']'),
        "\xEF\xBB\xBF{}",
        "[\"\xFF\"]",
        "[\"\xC0\xAF\"]",
        "[\"\xE0\x80\xAF\"]",
        "[\"\xF4\x90\x80\x80\"]",
        "[\"\xE2\x82\"]",
        "[\"\xED\xA0\x80\"]",
        "[\"\xF5\x80\x80\x80\"]",
        "[\"\xC2\"]",
        "[\"\xF0\x9F\x98\"]",
        R"(["\ud800"])",
        R"({"k":"\udc00"})",
        R"(["\ud800\u0041"])",
        R"(["\ud800\n"])",
        R"(["\ud800\udbff"])",
        R"(["\u12"])",
        R"(["\u12G4"])",
        R"(["\x"])",
        R"(["\)",
        "[\"a\tb\"]",
        "{\"k\":\n\"a\nb\"}",
        std::string("[\"a\0\"]", 5),
        std::string("123\0", 4),
        std::string("[1,\0 2]", 7),
        std::string("\0", 1),
        "[NaN]",
        "[Infinity]",
        "[-Infinity]",
        R"({"n":1e400})",
        "[0, -1.5e309]",
        R"({"n":9007199254740992})",
        R"({"n":-9007199254740992})",
        "[18446744073709551616]",
        "[-9223372036854775809]",
        "[12345678901234567]",
        R"({"n":3.1e19})",
        "[9007199254740992.0]",
        "[-1.5e20]",
        "[9007199254740991.5]",
        "[1.7976931348623159e308]",
        "[01]",
        "[-01]",
        "[1.]",
        "{\"e\": 1e}",
        "[.5]",
        "[+1]",
        "[0x10]",
        "[-]",
        "[1e+]",
        "[1.e5]",
        "{} x",
        "1 2",
        "{}\n{}",
        "[1 /* c */]",
        "// c\n1",
        "[1,]",
        R"({"a":1,})",
        R"({"a" 1})",
        "['a']",
        R"({"a":[1,2)",
        "\"abc",
        "",
        " \n",
        "[",
        "{",
        "{\"a\"",
        "{\"a\":",
        "[tru]",
        "[nul]",
        "[falsey]",
        "[true false]",
        "{1:2}",
        "{\"a\":1 \"b\":2}",
        "[1:2]",
        "{\"a\",1}",
        "]",
        "}",
        ",",
        ":",
        "\"\\u0000",
        R"({"k":"\ufdd0"})",
        "[\"x\xEF\xBF\xBE\"]",
        R"(["\udbff\udfff"])",
        "[\"\xF0\x9F\xBF\xBE\"]",
        R"({"a":{"\uffff":1}})",
        "{\"\xEF\xB7\x90\":1}",
        "[\"\xF4\x8F\xBF\xBF\"]",
    };
    for (const auto& text : bad) CHECK_FALSE(agree(text));
}

TEST_CASE("canonicalize_strict honours every Limits field", "[canonical][stream]") {
    Limits limits;
    limits.max_depth = 2;
    CHECK_FALSE(agree(R"({"a":{"b":{"c":1}}})", limits));
    CHECK(agree(R"({"a":{"b":1}})", limits));
    CHECK(agree("[[1]]", limits));
    CHECK_FALSE(agree("[[[1]]]", limits));
    CHECK(agree(nested(64, '[', ']')));
    limits = Limits{};
    limits.max_bytes = 10;
    CHECK_FALSE(agree("[1,2,3,4,5]", limits));
    CHECK(agree("[1,2,3,4 ]", limits));
    limits = Limits{};
    limits.noncharacters = Noncharacters::accept;
    CHECK(agree(R"({"\ufdd0":"\uffff\udbff\udfff"})", limits));
    CHECK(agree("[\"\xEF\xB7\x90\xEF\xBF\xBF\xF4\x8F\xBF\xBF\"]", limits));
    CHECK(agree(R"(["\ufdcf\ufdf0\ufffd\ud83f\udffd"])"));
    limits.max_depth = 100000;
    CHECK(agree(nested(100000, '[', ']'), limits));
    std::string deep_objects;
    for (int i = 0; i < 100000; ++i) deep_objects += "{\"a\":";
    deep_objects += "0" + std::string(100000, '}');
    CHECK(agree(deep_objects, limits));
}

TEST_CASE("canonicalize_strict writes nothing for invalid input and stops at a sink error",
          "[canonical][stream]") {
    std::size_t calls = 0;
    auto counting = [&calls](std::string_view) {
        ++calls;
        return ok_status();
    };
    Status st =
        canonicalize_strict(R"({"b":1,"a":[1,2,{"x":"y"}],"a":0})", "t.json", Limits{}, counting);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().detail.find("t.json:1:28: duplicate object key \"a\"") == 0);
    CHECK(calls == 0);

    // Large output arrives in pieces of at most 64 KiB that add up to the canonical bytes.
    std::string text = "[";
    for (int i = 0; i < 50000; ++i)
        text += (i ? ",{\"v\":" : "{\"v\":") + std::to_string(i) + ",\"s\":\"\\u00e9\"}";
    text += "]";
    std::string joined;
    std::size_t largest = 0;
    st = canonicalize_strict(text, "t.json", Limits{}, [&](std::string_view piece) {
        joined.append(piece);
        largest = std::max(largest, piece.size());
        return ok_status();
    });
    REQUIRE(st.ok());
    CHECK(largest <= 64 * 1024);
    auto doc = parse_strict(text, "t.json");
    REQUIRE(doc.ok());
    CHECK(joined == canonicalize(doc->value));

    calls = 0;
    st = canonicalize_strict(text, "t.json", Limits{}, [&calls](std::string_view) -> Status {
        ++calls;
        return make_error(ErrorCode::Io, "disk full");
    });
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().code == ErrorCode::Io);
    CHECK(st.error().detail == "disk full");
    CHECK(calls == 1);
}

TEST_CASE("canonicalize_strict agrees with parse_strict on random documents and their mutations",
          "[canonical][stream]") {
    Rng rng(8785);
    Generator gen(rng);
    std::size_t accepted = 0, rejected = 0;
    for (int i = 0; i < 4000; ++i) {
        std::string doc = gen.document();
        (agree(doc) ? accepted : rejected) += 1;
        std::string mutated = doc;
        for (int m = 0; m < 3; ++m) {
            mutated = mutate(rng, mutated);
            (agree(mutated) ? accepted : rejected) += 1;
        }
    }
    // Both outcomes are exercised in quantity.
    INFO(accepted << " accepted, " << rejected << " rejected");
    CHECK(accepted > 3000);
    CHECK(rejected > 3000);
}

// Hidden: run by corpus_agreement.sh, which skips (exit 77) when the corpora are absent.
TEST_CASE("canonicalize_strict agrees with parse_strict on JSONTestSuite and the RFC 8785 vectors",
          "[.corpus]") {
    const char* corpora = std::getenv("OTASIGN_CORPORA_DIR");
    REQUIRE(corpora);
    std::size_t files = 0;
    for (const char* dir :
         {"jsontestsuite/test_parsing", "jsontestsuite/test_transform", "jcs/input"}) {
        auto path = std::filesystem::path(corpora) / dir;
        REQUIRE(std::filesystem::is_directory(path));
        for (const auto& entry : std::filesystem::directory_iterator(path)) {
            std::ifstream in(entry.path(), std::ios::binary);
            std::string text((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
            INFO(entry.path().string());
            agree(text);
            ++files;
        }
    }
    CHECK(files > 300);
}

TEST_CASE("large objects are sorted by UTF-16 code units and checked for duplicates",
          "[canonical][stream]") {
    // Over 16 members takes the other sort; keys share long prefixes and mix ASCII,
    // U+E000..U+FFFF, astral characters and escapes.
    Rng rng(16);
    const char* const pieces[] = {"k",       "key-",           "\xEF\xBC\xA1", "\xF0\x9F\x98\x80",
                                  "\\u00e9", "\\ud83d\\ude00", "\\uff21",      "0",
                                  "~",       "prefix-shared-", "\\\"",         "/"};
    for (int round = 0; round < 50; ++round) {
        std::vector<std::string> keys;
        std::string text = "{";
        const std::size_t n = 10 + rng.below(60);
        for (std::size_t i = 0; i < n; ++i) {
            std::string key;
            for (std::size_t k = 0, len = 1 + rng.below(4); k < len; ++k)
                key += pieces[rng.below(std::size(pieces))];
            key += "k" + std::to_string(i);  // distinct, and with a letter to escape below
            keys.push_back(key);
            text += (i ? ",\"" : "\"") + key + "\":" + std::to_string(i);
        }
        CHECK(agree(text + "}"));
        // One of the keys again, its last 'k' spelled as an escape.
        std::string again = keys[rng.below(keys.size())];
        again.replace(again.rfind('k'), 1, "\\u006b");
        CHECK_FALSE(agree(text + ",\"" + again + "\":0}"));
    }
}

TEST_CASE("every byte that ends a plain run is found at every offset of a string",
          "[canonical][stream]") {
    // The string scans look at 16 and then 8 bytes at a time and the last few one by one; each
    // kind of byte that must stop them is put at each offset of strings of several lengths,
    // as a value and as a key, so that it falls in every lane and in the tail.
    const char* const stops[] = {
        "\\\"",              // escaped quote
        "\\\\",              // escaped backslash
        "\\u0001",           // escaped control character, re-escaped by the writer
        "\\/",               // escaped solidus, written as '/'
        "\x01",              // raw control character: rejected
        "\x1f",              // the last control character: rejected
        "\x7f",              // DEL: plain, nothing stops
        "\xC3\xA9",          // two-byte UTF-8
        "\xEF\xBF\xBF",      // U+FFFF, a noncharacter: rejected
        "\xF0\x9F\x9A\x80",  // four-byte UTF-8
        "\xC0\xAF",          // overlong: rejected
        "\xFF",              // never UTF-8: rejected
        "\x80",              // a lone continuation byte: rejected
    };
    for (std::size_t length : {1u, 7u, 8u, 15u, 16u, 17u, 31u, 40u}) {
        for (std::size_t at = 0; at <= length; ++at) {
            for (const char* stop : stops) {
                std::string s(length, 'a');
                s.insert(at, stop);
                agree("\"" + s + "\"");
                agree("[\"" + s + "\",\"" + s + "\"]");
                agree("{\"" + s + "\":1,\"b\":\"" + s + "\"}");
                // The string at the very end of the input, with no bytes after its quote.
                agree("\"" + s);
            }
        }
    }
}
