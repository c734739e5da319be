#include <catch2/catch.hpp>

#include "json/strict.hpp"

using namespace otasign;
using namespace otasign::json;

TEST_CASE("basic parse records positions", "[strict]") {
    auto doc = parse_strict("{\n  \"release\": {\"id\": 7}\n}", "r.json");
    REQUIRE(doc.ok());
    CHECK(doc->value["release"]["id"] == 7);
    Position p = doc->position_of("/release/id");
    CHECK(p.line == 2);
    CHECK(p.column == 21);
}

TEST_CASE("duplicate key names pointer and position", "[strict]") {
    auto doc = parse_strict("{\"release\": {\"id\": 1,\n \"\\u0069d\": 2}}", "r.json");
    REQUIRE(!doc.ok());
    CHECK(doc.error().code == ErrorCode::InvalidInput);
    CHECK(doc.error().detail == "r.json:2:2: duplicate object key \"id\" (at JSON pointer /release/id, byte 23)");
}
