#include <catch2/catch.hpp>

#include <cmath>
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
