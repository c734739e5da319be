#include "envelope/schema_check.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "envelope/schema_texts.hpp"

namespace otasign::envelope {
namespace {

std::string_view schema_text(Schema s) {
    switch (s) {
        case Schema::signature_bundle:
            return kSignatureBundleSchema;
        case Schema::statement:
            return kSignatureBundleSchema;
        case Schema::evidence_entry:
            return kEvidenceEntrySchema;
        case Schema::policy:
            return kPolicySchema;
        case Schema::commit_journal:
            return kCommitJournalSchema;
        case Schema::ceremony_record:
        case Schema::ceremony_payload:
            return kCeremonyRecordSchema;
        case Schema::ceremony_log_entry:
            return kCeremonyLogEntrySchema;
        case Schema::signing_request:
            return kSigningRequestSchema;
    }
    return {};
}

// The statement schema lives in the bundle schema's definitions so that one file documents
// the whole signature format; the ceremony payload's likewise in the ceremony record schema.
const valijson::Schema& compiled(Schema s) {
    static std::mutex mutex;
    static std::map<Schema, std::unique_ptr<valijson::Schema>> cache;
    std::lock_guard<std::mutex> lock(mutex);
    auto& slot = cache[s];
    if (!slot) {
        json::Value doc = json::Value::parse(schema_text(s));
        if (s == Schema::statement || s == Schema::ceremony_payload) {
            json::Value sub = doc["definitions"][s == Schema::statement ? "statement" : "payload"];
            sub["definitions"] = doc["definitions"];
            doc = std::move(sub);
        }
        slot = std::make_unique<valijson::Schema>();
        valijson::SchemaParser parser;
        valijson::adapters::NlohmannJsonAdapter adapter(doc);
        parser.populateSchema(adapter, *slot);
    }
    return *slot;
}

std::string pointer_from_context(const std::vector<std::string>& context) {
    std::string pointer;
    for (const auto& part : context) {
        if (part == "<root>") continue;
        std::string token = part;
        if (token.size() >= 2 && token.front() == '[' && token.back() == ']')
            token = token.substr(1, token.size() - 2);
        pointer += "/" + json::pointer_token(token);
    }
    return pointer;
}

// Deepest error first: valijson reports the enclosing "failed to validate" errors too.
Result<std::pair<std::string, std::string>> first_error(const json::Value& value, Schema schema) {
    valijson::Validator validator;
    valijson::ValidationResults results;
    valijson::adapters::NlohmannJsonAdapter target(value);
    if (validator.validate(compiled(schema), target, &results))
        return std::pair<std::string, std::string>{};
    valijson::ValidationResults::Error best;
    bool have = false;
    valijson::ValidationResults::Error e;
    while (results.popError(e)) {
        if (!have || e.context.size() > best.context.size()) {
            best = e;
            have = true;
        }
    }
    return std::pair<std::string, std::string>{pointer_from_context(best.context),
                                               best.description};
}

}  // namespace

Status validate_schema(const json::Document& doc, Schema schema, std::string_view source) {
    auto r = first_error(doc.value, schema);
    if (!r) return std::move(r).error();
    if (r->second.empty()) return ok_status();
    const auto& [pointer, message] = *r;
    return make_error(ErrorCode::InvalidInput,
                      json::where(source, doc.position_of(pointer)) +
                          ": schema violation: " + message + " (at JSON pointer " +
                          (pointer.empty() ? std::string("\"\"") : pointer) + ")");
}

Status validate_schema(const json::Value& value, Schema schema, std::string_view source) {
    auto r = first_error(value, schema);
    if (!r) return std::move(r).error();
    if (r->second.empty()) return ok_status();
    const auto& [pointer, message] = *r;
    return make_error(ErrorCode::InvalidInput,
                      std::string(source) + ": schema violation: " + message +
                          " (at JSON pointer " + (pointer.empty() ? std::string("\"\"") : pointer) +
                          ")");
}

}  // namespace otasign::envelope
