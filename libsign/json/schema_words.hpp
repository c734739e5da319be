#pragma once
// Schema violations in words a person can act on. valijson says "Value type not permitted by
// 'type' constraint."; otasign says "wrong type: expected an integer, found a string ("42")".
// What was expected is read from the schema itself, by walking it along the JSON pointer of the
// offending value, so every schema gets the same wording without a table per file kind.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "json/strict.hpp"

namespace otasign::json {

// The type of a value as JSON Schema names it: "integer" for a number without a fraction part.
const char* schema_type_name(const Value& v) noexcept;

// The subschemas that apply to the value at `pointer` of `instance`: the walk follows
// properties, patternProperties, additionalProperties, items, local "$ref"s and every branch of
// allOf/anyOf/oneOf/if-then-else. Empty when the schema says nothing about that place.
std::vector<const Value*> subschemas_at(const Value& schema, const Value& instance,
                                        std::string_view pointer);

struct SchemaProblem {
    std::string pointer;  // where the problem is (an unknown member: that member)
    std::string rule;     // "schema.type", "schema.required", ... (the keyword that failed)
    std::string message;  // "wrong type: expected an integer, found a string (\"42\")"
};

// One valijson error description at `pointer`, in otasign's words, with what the schema
// expected there (types, allowed values, bounds, the member names an unknown one was probably
// meant to be). std::nullopt for valijson's summaries that only repeat a nested error.
std::optional<SchemaProblem> word_schema_error(const Value& schema, const Value& instance,
                                               const std::string& pointer,
                                               std::string_view description);

// valijson's context {"<root>", "[release]", "[0]"} as the JSON pointer "/release/0".
std::string pointer_from_schema_context(const std::vector<std::string>& context);

}  // namespace otasign::json
