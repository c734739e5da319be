#pragma once
// JSON Schema (draft-07) validation with valijson, reporting the first violation as
// "SOURCE:LINE:COL: MESSAGE (at JSON pointer P)".

#include <string_view>

#include "core/result.hpp"
#include "json/strict.hpp"

namespace otasign::envelope {

// The schemas built into the binary from schemas/*.schema.json.
enum class Schema {
    signature_bundle,
    statement,
    evidence_entry,
    policy,
    commit_journal,
    ceremony_record,
    ceremony_payload,  // the decoded payload of a ceremony record
    ceremony_log_entry,
    signing_request,  // schemas/signing-request.schema.json (REQUEST-FORMAT.md)
};

// Validates `doc` against a built-in schema. Errors: InvalidInput naming `source`, the
// position and the JSON pointer of the offending value.
Status validate_schema(const json::Document& doc, Schema schema, std::string_view source);
// Validates a bare value (no positions known). Errors: InvalidInput naming the pointer.
Status validate_schema(const json::Value& value, Schema schema, std::string_view source);

}  // namespace otasign::envelope
