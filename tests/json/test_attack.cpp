// Inputs built to exhaust the stack or the CPU: deep nesting, many keys, large documents.
#include <catch2/catch.hpp>

#include <string>

#include "json/canonical.hpp"
#include "json/strict.hpp"

using namespace otasign;
using namespace otasign::json;

namespace {
std::string nested(std::size_t depth, char open, char close) {
    return std::string(depth, open) + std::string(depth, close);
}
}  // namespace

TEST_CASE("deep nesting parses, canonicalizes and frees without recursion", "[strict][attack]") {
    const std::size_t depth = 100000;
    Limits limits;
    limits.max_depth = depth;
    for (char open : {'[', '{'}) {
        std::string text;
        if (open == '[') {
            text = nested(depth, '[', ']');
        } else {
            for (std::size_t i = 0; i < depth; ++i) text += "{\"a\":";
            text += "0";
            text.append(depth, '}');
        }
        auto doc = parse_strict(text, "deep.json", limits, PositionIndex::none);
        REQUIRE(doc.ok());
        CHECK(canonicalize(doc->value) == text);
        // One more level is over the limit.
        limits.max_depth = depth - 1;
        CHECK_FALSE(parse_strict(text, "deep.json", limits, PositionIndex::none).ok());
        limits.max_depth = depth;
    }  // the Documents are destroyed here: nlohmann 3.11's destructor is iterative
}

TEST_CASE("many keys in one object", "[strict][attack]") {
    std::string text = "{";
    for (int i = 0; i < 200000; ++i) {
        if (i) text += ',';
        text += "\"k" + std::to_string(i) + "\":" + std::to_string(i);
    }
    text += ",\"k123456\":0}";
    auto doc = parse_strict(text, "keys.json");
    REQUIRE_FALSE(doc.ok());
    CHECK(doc.error().detail.find("duplicate object key \"k123456\" (at JSON pointer /k123456,") != std::string::npos);
}

TEST_CASE("input one byte over the default limit is rejected before parsing", "[strict][attack]") {
    const std::size_t limit = Limits{}.max_bytes;
    std::string text(limit + 1, ' ');
    text[0] = '[';  // never parsed: it would otherwise fail for a different reason
    auto doc = parse_strict(text, "huge.json");
    REQUIRE_FALSE(doc.ok());
    CHECK(doc.error().detail.find("over the limit of 67108864 bytes") != std::string::npos);
}

TEST_CASE("100000 nested objects under the default limit stop at depth 65", "[strict][attack]") {
    std::string text;
    for (int i = 0; i < 100000; ++i) text += "{\"a\":";
    auto doc = parse_strict(text, "deep.json");
    REQUIRE_FALSE(doc.ok());
    CHECK(doc.error().detail.find(": nesting deeper than 64 levels") != std::string::npos);
}

TEST_CASE("a long key above a long array does not blow up the position index", "[strict][attack]") {
    // 1 MiB key, then 500000 array elements: copying the pointer into every entry would need
    // 500 GB; the index budget stops at Limits::max_index_bytes.
    std::string key(1 << 20, 'k');
    std::string text = "{\"" + key + "\":[0";
    for (int i = 1; i < 500000; ++i) text += ",0";
    text += "]}";
    Limits limits;
    limits.max_index_bytes = 16ull << 20;
    auto doc = parse_strict(text, "wide.json", limits);
    REQUIRE(doc.ok());
    CHECK(doc->positions.size() < 20);
    // Unindexed values fall back to their nearest indexed ancestor.
    CHECK(doc->position_of("/" + key + "/499999").offset == text.find('['));
}

TEST_CASE("messages shorten megabyte keys and pointers", "[strict][attack]") {
    std::string key(1 << 20, 'k');
    std::string text = "{\"" + key + "\":1,\"" + key + "\":2}";
    auto doc = parse_strict(text, "dup.json");
    REQUIRE_FALSE(doc.ok());
    CHECK(doc.error().detail.size() < 2000);
    CHECK(doc.error().detail.find("duplicate object key") != std::string::npos);
}
