#include <catch2/catch.hpp>

#include <string>

#include "json/canonical.hpp"
#include "json/strict.hpp"

using namespace otasign;
using namespace otasign::json;

namespace {

struct Rejection {
    const char* rule;  // the rule the case guards
    std::string input;
    const char* message;  // a fragment of the message
    std::string pointer;  // as printed: "\"\"" for the root
    std::uint64_t line;
    std::uint64_t column;
    std::uint64_t byte;
};

std::string nested(std::size_t depth, char open, char close) {
    return std::string(depth, open) + std::string(depth, close);
}

std::string zeros_pointer(std::size_t n) {
    std::string p;
    for (std::size_t i = 0; i < n; ++i) p += "/0";
    return p;
}

void check_rejection(const Rejection& r, const Limits& limits = {}) {
    INFO("rule: " << r.rule);
    auto doc = parse_strict(r.input, "t.json", limits);
    REQUIRE_FALSE(doc.ok());
    CHECK(doc.error().code == ErrorCode::InvalidInput);
    const std::string& d = doc.error().detail;
    INFO("detail: " << d);
    std::string head = "t.json:" + std::to_string(r.line) + ":" + std::to_string(r.column) + ": ";
    CHECK(d.rfind(head, 0) == 0);
    CHECK(d.find(r.message) != std::string::npos);
    std::string tail = " (at JSON pointer " + r.pointer + ", byte " + std::to_string(r.byte) + ")";
    CHECK(d.size() >= tail.size());
    CHECK(d.substr(d.size() - std::min(d.size(), tail.size())) == tail);
}

}  // namespace

TEST_CASE("strict reader rejects each rule with pointer and line:column", "[strict]") {
    const Rejection cases[] = {
        // Duplicate keys, at any depth and after unescaping.
        {"duplicate_key", R"({"a":1,"a":2})", "duplicate object key \"a\"", "/a", 1, 8, 7},
        {"duplicate_key_equal_after_unescape", R"({"a":1,"\u0061":2})", "duplicate object key \"a\"", "/a", 1, 8, 7},
        {"duplicate_key_nested", "{\"release\": {\n  \"id\": 1,\n  \"id\": 2}}", "duplicate object key \"id\"",
         "/release/id", 3, 3, 27},
        {"duplicate_key_in_array_element", R"([{"x":0},{"y":1,"y":2}])", "duplicate", "/1/y", 1, 17, 16},
        {"duplicate_key_escaped_pointer", R"({"a/b~":{},"a/b~":1})", "duplicate", "/a~1b~0", 1, 12, 11},
        {"duplicate_key_same_value", R"({"a":"b","a":"b"})", "duplicate", "/a", 1, 10, 9},
        // Depth.
        {"depth_over_default_arrays", nested(65, '[', ']'), "nesting deeper than 64 levels", zeros_pointer(64), 1,
         65, 64},
        {"depth_100000_under_default", nested(100000, '[', ']'), "nesting deeper than 64", zeros_pointer(64), 1, 65,
         64},
        // Encoding.
        {"byte_order_mark", "\xEF\xBB\xBF{}", "byte-order mark", "\"\"", 1, 1, 0},
        {"invalid_utf8_byte", "[\"\xFF\"]", "ill-formed UTF-8", "/0", 1, 3, 2},
        {"overlong_utf8_slash", "[\"\xC0\xAF\"]", "ill-formed UTF-8", "/0", 1, 3, 2},
        {"overlong_utf8_3_bytes", "[\"\xE0\x80\xAF\"]", "ill-formed UTF-8", "/0", 1, 4, 3},
        {"utf8_above_10ffff", "[\"\xF4\x90\x80\x80\"]", "ill-formed UTF-8", "/0", 1, 4, 3},
        {"truncated_utf8", "[\"\xE2\x82\"]", "ill-formed UTF-8", "/0", 1, 5, 4},
        {"raw_surrogate_utf8", "[\"\xED\xA0\x80\"]", "ill-formed UTF-8", "/0", 1, 4, 3},
        {"lone_high_surrogate_escape", R"(["\ud800"])", "surrogate", "/0", 1, 9, 8},
        {"lone_low_surrogate_escape", R"({"k":"\udc00"})", "surrogate", "/k", 1, 12, 11},
        {"high_surrogate_then_non_low", R"(["\ud800\u0041"])", "surrogate", "/0", 1, 14, 13},
        {"raw_control_tab", "[\"a\tb\"]", "control character U+0009", "/0", 1, 4, 3},
        {"raw_control_newline", "{\"k\":\n\"a\nb\"}", "control character U+000A", "/k", 2, 3, 8},
        {"raw_nul_in_string", std::string("[\"a\0\"]", 5), "raw NUL byte", "/0", 1, 4, 3},
        {"raw_nul_after_value", std::string("123\0", 4), "raw NUL byte", "\"\"", 1, 4, 3},
        {"raw_nul_between_values", std::string("[1,\0 2]", 7), "raw NUL byte", "/1", 1, 4, 3},
        // Numbers.
        {"nan", "[NaN]", "invalid literal", "/0", 1, 2, 1},
        {"infinity", "[Infinity]", "invalid literal", "/0", 1, 2, 1},
        {"negative_infinity", "[-Infinity]", "invalid number", "/0", 1, 2, 1},
        {"double_overflow", R"({"n":1e400})", "number overflows a double: 1e400", "/n", 1, 6, 5},
        {"double_overflow_negative", "[0, -1.5e309]", "number overflows a double", "/1", 1, 5, 4},
        {"ijson_integer_above_2_53", R"({"n":9007199254740992})", "I-JSON", "/n", 1, 6, 5},
        {"ijson_integer_below_minus_2_53", R"({"n":-9007199254740992})", "I-JSON", "/n", 1, 6, 5},
        {"ijson_integer_above_uint64", R"([18446744073709551616])", "I-JSON", "/0", 1, 2, 1},
        {"ijson_integer_below_int64", R"([-9223372036854775809])", "I-JSON", "/0", 1, 2, 1},
        {"ijson_float_spelling_of_big_integer", R"({"n":3.1e19})", "integer outside the I-JSON range", "/n", 1, 6, 5},
        {"ijson_2_53_as_float", "[9007199254740992.0]", "integer outside the I-JSON range", "/0", 1, 2, 1},
        {"ijson_big_negative_float", "[-1.5e20]", "integer outside the I-JSON range", "/0", 1, 2, 1},
        {"leading_zero", "[01]", "expected ']'", "/1", 1, 3, 2},
        {"leading_zero_negative", "[-01]", "expected ']'", "/1", 1, 4, 3},
        {"trailing_dot", "[1.]", "invalid number", "/0", 1, 2, 1},
        {"exponent_without_digits", "{\"e\": 1e}", "invalid number", "/e", 1, 7, 6},
        {"leading_dot", "[.5]", "invalid literal", "/0", 1, 2, 1},
        {"plus_sign", "[+1]", "invalid literal", "/0", 1, 2, 1},
        {"hex_number", "[0x10]", "expected ']'", "/1", 1, 3, 2},
        // Structure.
        {"trailing_content", "{} x", "expected end of input", "\"\"", 1, 4, 3},
        {"second_value", "1 2", "expected end of input", "\"\"", 1, 3, 2},
        {"second_document_line_2", "{}\n{}", "expected end of input", "\"\"", 2, 1, 3},
        {"block_comment", "[1 /* c */]", "invalid literal", "/1", 1, 4, 3},
        {"line_comment", "// c\n1", "invalid literal", "\"\"", 1, 1, 0},
        {"trailing_comma_array", "[1,]", "unexpected ']'", "/1", 1, 4, 3},
        {"trailing_comma_object", R"({"a":1,})", "unexpected '}'", "\"\"", 1, 8, 7},
        {"missing_colon", R"({"a" 1})", "expected ':'", "/a", 1, 6, 5},
        {"single_quotes", "['a']", "invalid literal", "/0", 1, 2, 1},
        {"unterminated_array", R"({"a":[1,2)", "unexpected end of input", "/a/2", 1, 10, 9},
        {"unterminated_string", "\"abc", "missing closing quote", "\"\"", 1, 5, 4},
        {"empty_input", "", "unexpected end of input", "\"\"", 1, 1, 0},
        {"whitespace_only", " \n", "unexpected end of input", "\"\"", 2, 1, 2},
        {"invalid_literal_multiline", "{\n  \"a\": [\n    1,\n    tru\n  ]\n}", "invalid literal", "/a/1", 4, 5, 22},
        // Noncharacters (rejected by default, I-JSON 2.1).
        {"noncharacter_fdd0_value", R"({"k":"\ufdd0"})", "noncharacter U+FDD0", "/k", 1, 6, 5},
        {"noncharacter_fffe_raw_utf8", "[\"x\xEF\xBF\xBE\"]", "noncharacter U+FFFE", "/0", 1, 2, 1},
        {"noncharacter_10ffff_escape", R"(["\udbff\udfff"])", "noncharacter U+10FFFF", "/0", 1, 2, 1},
        {"noncharacter_1fffe_raw", "[\"\xF0\x9F\xBF\xBE\"]", "noncharacter U+1FFFE", "/0", 1, 2, 1},
        {"noncharacter_in_key", R"({"a":{"\uffff":1}})", "object key contains the Unicode noncharacter U+FFFF",
         "/a/\xEF\xBF\xBF", 1, 7, 6},
    };
    for (const auto& r : cases) check_rejection(r);
}

TEST_CASE("depth limit is configurable and counts objects too", "[strict]") {
    Limits limits;
    limits.max_depth = 2;
    check_rejection({"depth_objects", R"({"a":{"b":{"c":1}}})", "nesting deeper than 2", "/a/b", 1, 11, 10}, limits);
    CHECK(parse_strict(R"({"a":{"b":1}})", "t.json", limits).ok());
    CHECK(parse_strict(nested(64, '[', ']'), "t.json").ok());
}

TEST_CASE("input over max_bytes is rejected before parsing", "[strict]") {
    Limits limits;
    limits.max_bytes = 10;
    check_rejection({"max_bytes", "[1,2,3,4,5]", "11 bytes, over the limit of 10 bytes", "\"\"", 1, 11, 10}, limits);
    CHECK(parse_strict("[1,2,3,4 ]", "t.json", limits).ok());
}

TEST_CASE("accepted edge values", "[strict]") {
    const char* ok[] = {
        "9007199254740991",
        "-9007199254740991",
        "[1e-400, -0, -0.0, 0.0e5, 1.7976931348623157e308]",
        "[9007199254740991.0, 1e21, -1e21, 1.5e300, 4503599627370495.5]",
        R"("\u0000")",
        R"({"a":1,"A":1,"a ":1})",
        "\"\xF0\x9F\x98\x80\"",
        R"(["\ud83d\ude00"])",
        " \t\r\n[] \t\r\n",
    };
    for (const char* text : ok) {
        INFO(text);
        CHECK(parse_strict(text, "t.json").ok());
    }
}

TEST_CASE("noncharacters are accepted when the limits say so", "[strict]") {
    Limits limits;
    limits.noncharacters = Noncharacters::accept;
    auto doc = parse_strict(R"({"\ufdd0":"\uffff\udbff\udfff"})", "t.json", limits);
    REQUIRE(doc.ok());
    CHECK(canonicalize(doc->value) == "{\"\xEF\xB7\x90\":\"\xEF\xBF\xBF\xF4\x8F\xBF\xBF\"}");
    // Just outside the noncharacter ranges.
    CHECK(parse_strict(R"(["\ufdcf\ufdf0\ufffd\ud83f\udffd"])", "t.json").ok());
}

TEST_CASE("positions of values name line and byte column", "[strict]") {
    const std::string text =
        "{\n"
        "  \"release\": {\"id\": \"r-1\",\n"
        "    \"caf\xC3\xA9\": [10, true,\n"
        "      {\"a/b\": null, \"m~n\": -1.5e3}]},\n"
        "  \"\": []\n"
        "}\n";
    auto doc = parse_strict(text, "r.json");
    REQUIRE(doc.ok());
    struct Row {
        const char* pointer;
        std::uint64_t line, column, offset;
    };
    const Row rows[] = {
        {"", 1, 1, 0},
        {"/release", 2, 14, 15},
        {"/release/id", 2, 21, 22},
        {"/release/caf\xC3\xA9", 3, 14, 42},  // column counts bytes: é is two
        {"/release/caf\xC3\xA9/0", 3, 15, 43},
        {"/release/caf\xC3\xA9/1", 3, 19, 47},
        {"/release/caf\xC3\xA9/2", 4, 7, 59},
        {"/release/caf\xC3\xA9/2/a~1b", 4, 15, 67},
        {"/release/caf\xC3\xA9/2/m~0n", 4, 28, 80},
        {"/", 5, 7, 97},
    };
    for (const auto& row : rows) {
        INFO("pointer " << row.pointer);
        auto it = doc->positions.find(row.pointer);
        REQUIRE(it != doc->positions.end());
        CHECK(it->second.line == row.line);
        CHECK(it->second.column == row.column);
        CHECK(it->second.offset == row.offset);
        CHECK(text.substr(row.offset, 1) != " ");
    }
    CHECK(doc->positions.size() == std::size(rows));
    // An unknown pointer falls back to its nearest ancestor.
    Position p = doc->position_of("/release/caf\xC3\xA9/2/nope/deeper");
    CHECK(p.line == 4);
    CHECK(p.column == 7);
    CHECK(doc->position_of("/nothing").offset == 0);
    CHECK(doc->position_of("not-a-pointer").line == 1);
    CHECK(doc->position_of("").column == 1);
    CHECK(where("r.json", doc->position_of("/release/id")) == "r.json:2:21");
}

TEST_CASE("PositionIndex::none parses the same value without the index", "[strict]") {
    auto doc = parse_strict(R"({"a":[1,2,{"b":"c"}]})", "t.json", Limits{}, PositionIndex::none);
    REQUIRE(doc.ok());
    CHECK(doc->positions.empty());
    CHECK(doc->value["a"][2]["b"] == "c");
}

TEST_CASE("pointer_token escapes ~ and / per RFC 6901", "[strict]") {
    CHECK(pointer_token("a/b~c") == "a~1b~0c");
    CHECK(pointer_token("~1") == "~01");
    CHECK(pointer_token("") == "");
}

TEST_CASE("every recorded position is the first byte of its value", "[strict]") {
    // A document with irregular whitespace, escapes and multi-byte characters; each indexed
    // position must point at the byte that starts the value its pointer names, with line and
    // column consistent with the offset.
    const std::string text =
        "\r\n{ \"a\" :[ 1 ,-2.5e3,\n\t\"x\\\"y\"\r\n,[ ],{ } ] ,\n"
        "\"\\u00e9\\/~\":{\"k\":  true,\"l\" :false ,\"m\":null},\"\xF0\x9F\x98\x80\" : [[[\"\xE2\x82\xAC\"]]] ,\n"
        "  \"n\":\"\\ud83d\\ude00\\n\",\"\":0 }  \n";
    auto doc = parse_strict(text, "p.json");
    REQUIRE(doc.ok());
    CHECK(doc->positions.size() == 17);
    for (const auto& [pointer, pos] : doc->positions) {
        INFO("pointer " << pointer);
        REQUIRE(pos.offset < text.size());
        std::uint64_t line = 1, line_start = 0;
        for (std::uint64_t i = 0; i < pos.offset; ++i)
            if (text[i] == '\n') {
                ++line;
                line_start = i + 1;
            }
        CHECK(pos.line == line);
        CHECK(pos.column == pos.offset - line_start + 1);
        const Value& v = doc->value.at(Value::json_pointer(pointer));
        char c = text[pos.offset];
        switch (v.type()) {
            case Value::value_t::object: CHECK(c == '{'); break;
            case Value::value_t::array: CHECK(c == '['); break;
            case Value::value_t::string: CHECK(c == '"'); break;
            case Value::value_t::boolean: CHECK((c == 't' || c == 'f')); break;
            case Value::value_t::null: CHECK(c == 'n'); break;
            default: CHECK((c == '-' || (c >= '0' && c <= '9'))); break;
        }
    }
}
