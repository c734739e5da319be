#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <limits>

#include "json/canonical.hpp"
#include "json/strict.hpp"

using namespace otasign::json;

namespace {
std::string canon(std::string_view text) {
    auto doc = parse_strict(text, "t.json");
    REQUIRE(doc.ok());
    return canonicalize(doc->value);
}
}  // namespace

TEST_CASE("es6 number formatting follows Number::toString", "[canonical]") {
    struct Row {
        double x;
        const char* want;
    };
    const Row rows[] = {
        {0.0, "0"},
        {-0.0, "0"},
        {1.0, "1"},
        {-1.0, "-1"},
        {1e21, "1e+21"},
        {1e20, "100000000000000000000"},
        {123456789012345680000.0, "123456789012345680000"},
        {1e-6, "0.000001"},
        {1e-7, "1e-7"},
        {1.5e-7, "1.5e-7"},
        {5e-324, "5e-324"},
        {-5e-324, "-5e-324"},
        {1.7976931348623157e308, "1.7976931348623157e+308"},
        {0.1 + 0.2, "0.30000000000000004"},
        {9007199254740992.0, "9007199254740992"},
        {9007199254740991.0, "9007199254740991"},
        {333333333.3333333, "333333333.3333333"},
        {4.35, "4.35"},
        {0.002, "0.002"},
        {1e23, "1e+23"},
        {295147905179352830000.0, "295147905179352830000"},
        {2.5e-5, "0.000025"},
        {1.2345e-10, "1.2345e-10"},
    };
    for (const auto& row : rows) {
        CAPTURE(row.want);
        CHECK(format_es6_number(row.x) == row.want);
    }
}

TEST_CASE("canonical form sorts keys by UTF-16 code units, not UTF-8 bytes", "[canonical]") {
    // U+1F600 (UTF-16 D83D DE00) sorts before U+E000 in UTF-16, after it in UTF-8.
    CHECK(canon("{\"\\ue000\":1,\"\\ud83d\\ude00\":2,\"a\":3}") ==
          "{\"a\":3,\"\xF0\x9F\x98\x80\":2,\"\xEE\x80\x80\":1}");
}

TEST_CASE("canonical strings escape only what RFC 8785 requires", "[canonical]") {
    CHECK(canon("\"\\u0000\\u001f\\b\\t\\n\\f\\r\\\"\\\\\\/\\u00e9\\u20ac\"") ==
          "\"\\u0000\\u001f\\b\\t\\n\\f\\r\\\"\\\\/\xC3\xA9\xE2\x82\xAC\"");
    CHECK(canon("\"\\u007f\"") == "\"\x7f\"");
}

TEST_CASE("canonical form is idempotent", "[canonical]") {
    const char* docs[] = {
        "{\"b\":[1,2.5e30,{\"z\":null,\"y\":true}],\"a\":\"x\\u0001\",\"\\u00e9\":-0.0}",
        "[]",
        "{}",
        "[[[[]]],{}]",
        "1E-7",
    };
    for (const char* d : docs) {
        std::string once = canon(d);
        CHECK(canon(once) == once);
    }
}

TEST_CASE("RFC 8785 3.2.3 sorting example", "[canonical]") {
    // The RFC's own example: keys in UTF-16 code unit order.
    CHECK(canon(R"({"\u20ac":"Euro Sign","\r":"Carriage Return","\ufb33":"Hebrew Letter Dalet With Dagesh",)"
                R"("1":"One","\ud83d\ude00":"Emoji: Grinning Face","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis"})") ==
          "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\xC2\x80\":\"Control\",\"\xC3\xB6\":\"Latin Small Letter O With "
          "Diaeresis\",\"\xE2\x82\xAC\":\"Euro Sign\",\"\xF0\x9F\x98\x80\":\"Emoji: Grinning Face\",\"\xEF\xAC\xB3\":"
          "\"Hebrew Letter Dalet With Dagesh\"}");
}

TEST_CASE("UTF-16 order between keys that share a prefix", "[canonical]") {
    Value v = Value::object();
    v["x\xEF\xBF\xBD"] = 1;          // x U+FFFD
    v["x\xF0\x90\x80\x80"] = 2;      // x U+10000 (D800 DC00): before U+FFFD in UTF-16
    v["x\xF0\x90\x80\x80" "a"] = 3;  // longer: after its prefix
    v["x\xED\x9F\xBF"] = 4;          // x U+D7FF: before the surrogates
    v["x"] = 5;
    CHECK(canonicalize(v) ==
          "{\"x\":5,\"x\xED\x9F\xBF\":4,\"x\xF0\x90\x80\x80\":2,\"x\xF0\x90\x80\x80" "a\":3,\"x\xEF\xBF\xBD\":1}");
}

TEST_CASE("every control character is escaped as RFC 8785 says", "[canonical]") {
    for (int c = 0; c < 0x20; ++c) {
        std::string expected;
        switch (c) {
            case '\b': expected = "\\b"; break;
            case '\t': expected = "\\t"; break;
            case '\n': expected = "\\n"; break;
            case '\f': expected = "\\f"; break;
            case '\r': expected = "\\r"; break;
            default: {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                expected = buf;
            }
        }
        CAPTURE(c);
        CHECK(canonicalize(Value(std::string(1, static_cast<char>(c)))) == "\"" + expected + "\"");
    }
    // U+2028/U+2029 and DEL stay literal (only the listed characters are escaped).
    CHECK(canonicalize(Value("\xE2\x80\xA8\xE2\x80\xA9\x7f")) == "\"\xE2\x80\xA8\xE2\x80\xA9\x7f\"");
}

TEST_CASE("values built in code canonicalize as the doubles they denote", "[canonical]") {
    Value v = Value::object();
    v["i"] = std::int64_t{-42};
    v["u"] = std::uint64_t{42};
    v["big"] = std::uint64_t{1} << 60;  // written as the double: String(2**60) in JS
    v["neg0"] = -0.0;
    v["nan"] = std::nan("");
    v["arr"] = Value::array({Value::array(), Value::object(), nullptr, true, false});
    CHECK(canonicalize(v) == R"({"arr":[[],{},null,true,false],"big":1152921504606847000,"i":-42,"nan":null,"neg0":0,"u":42})");
}

TEST_CASE("more Number::toString boundaries", "[canonical]") {
    CHECK(format_es6_number(999999999999999900000.0) == "999999999999999900000");
    CHECK(format_es6_number(-1e-7) == "-1e-7");
    CHECK(format_es6_number(123e-20) == "1.23e-18");
    CHECK(format_es6_number(0.000001234) == "0.000001234");
    CHECK(format_es6_number(1.5) == "1.5");
    CHECK(format_es6_number(100) == "100");
    CHECK(format_es6_number(2.2250738585072014e-308) == "2.2250738585072014e-308");
    CHECK(format_es6_number(std::numeric_limits<double>::infinity()) == "Infinity");
}
