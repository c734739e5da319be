// Schema violations worded from the schema itself (issue 11: "type errors do not say what was
// expected"), and positions of a JSON-lines line given once, with the file's own line.
#include <algorithm>
#include <catch2/catch.hpp>

#include "json/schema_words.hpp"
#include "json/strict.hpp"

using namespace otasign;
using json::Value;

namespace {

const Value kSchema = Value::parse(R"({
  "type": "object",
  "additionalProperties": false,
  "required": ["threshold"],
  "properties": {
    "threshold": { "type": "integer", "minimum": 1 },
    "name": { "$ref": "#/definitions/name" },
    "serial": { "type": ["integer", "null"] },
    "keys": { "type": "array", "items": { "type": "object", "properties": {
        "role": { "enum": ["manifest", "release"] } } } }
  },
  "patternProperties": { "^x-": {} },
  "definitions": { "name": { "type": "string", "maxLength": 8 } }
})");

std::string worded(const Value& instance, const std::string& pointer, const char* description) {
    auto p = json::word_schema_error(kSchema, instance, pointer, description);
    REQUIRE(p.has_value());
    return p->message;
}

}  // namespace

TEST_CASE("schema words: a type error says what was expected and what was found",
          "[json][schema]") {
    Value v = {{"threshold", "1"}, {"name", 5}, {"serial", "x"}};
    const char* type = "Value type not permitted by 'type' constraint.";
    CHECK(worded(v, "/threshold", type) ==
          "wrong type: expected an integer, found a string (\"1\")");
    CHECK(worded(v, "/name", type) == "wrong type: expected a string, found an integer (5)");
    CHECK(worded(v, "/serial", type) ==
          "wrong type: expected an integer or null, found a string (\"x\")");
}

TEST_CASE("schema words: allowed values, bounds, unknown members", "[json][schema]") {
    Value v = {{"threshold", 0},
               {"name", "far-too-long"},
               {"keys", {{{"role", "admin"}}}},
               {"treshold", 1}};
    CHECK(worded(v, "/keys/0/role", "Failed to match against any enum values.") ==
          "\"admin\" is not allowed here: expected one of \"manifest\" or \"release\"");
    CHECK(worded(v, "/threshold", "Expected number greater than or equal to 1.000000") ==
          "0 is below the minimum 1");
    CHECK(worded(v, "/name", "String should be no more than 8 characters.") ==
          "\"far-too-long\" is longer than 8 characters");
    auto p = json::word_schema_error(
        kSchema, v, "",
        "Object contains a property that could not be validated using 'properties' or "
        "'additionalProperties' constraints: 'treshold'.");
    REQUIRE(p.has_value());
    CHECK(p->pointer == "/treshold");
    CHECK(p->message == "unknown field 'treshold' (did you mean 'threshold'?)");
    CHECK_FALSE(json::word_schema_error(kSchema, v, "", "Failed to validate item #0 in array."));
}

TEST_CASE("schema words: the walk follows $ref, items and patternProperties", "[json][schema]") {
    Value v = {{"keys", {{{"role", "x"}}}}, {"x-note", 1}, {"name", "n"}};
    CHECK(json::subschemas_at(kSchema, v, "/keys/0/role").size() == 1);
    CHECK(json::subschemas_at(kSchema, v, "/x-note").size() == 1);
    auto name = json::subschemas_at(kSchema, v, "/name");
    REQUIRE_FALSE(name.empty());
    // The "$ref" node and the definition it names, which holds the constraints.
    CHECK(std::any_of(name.begin(), name.end(),
                      [](const Value* n) { return n->value("maxLength", 0) == 8; }));
    CHECK(json::subschemas_at(kSchema, v, "/nothing").empty());
}

TEST_CASE("parse_strict_at: a line of a JSON-lines file is named FILE:LINE:COL once",
          "[json][strict]") {
    auto bad = json::parse_strict_at(R"({"a":1,})", "log.jsonl", json::Position{40, 3, 1});
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().detail.rfind("log.jsonl:3:8: ", 0) == 0);
    CHECK(bad.error().detail.find("byte 47") != std::string::npos);
    auto good = json::parse_strict_at(R"({"a":{"b":1}})", "log.jsonl", json::Position{40, 3, 1});
    REQUIRE(good.ok());
    const json::Position p = good->position_of("/a/b");
    CHECK(p.line == 3);
    CHECK(p.column == 11);
    CHECK(p.offset == 50);
}
