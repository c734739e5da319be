#include "envelope/schema_check.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "envelope/schema_texts.hpp"
#include "json/schema_words.hpp"

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

struct Compiled {
    json::Value document;  // the schema's JSON, for what the error messages quote from it
    valijson::Schema schema;
};

// The statement schema lives in the bundle schema's definitions so that one file documents
// the whole signature format; the ceremony payload's likewise in the ceremony record schema.
const Compiled& compiled(Schema s) {
    static std::mutex mutex;
    static std::map<Schema, std::unique_ptr<Compiled>> cache;
    std::lock_guard<std::mutex> lock(mutex);
    auto& slot = cache[s];
    if (!slot) {
        json::Value doc = json::Value::parse(schema_text(s));
        if (s == Schema::statement || s == Schema::ceremony_payload) {
            json::Value sub = doc["definitions"][s == Schema::statement ? "statement" : "payload"];
            sub["definitions"] = doc["definitions"];
            doc = std::move(sub);
        }
        slot = std::make_unique<Compiled>();
        slot->document = std::move(doc);
        valijson::SchemaParser parser;
        valijson::adapters::NlohmannJsonAdapter adapter(slot->document);
        parser.populateSchema(adapter, slot->schema);
    }
    return *slot;
}

// The deepest violation, in words (valijson also reports every enclosing "failed to validate").
std::optional<json::SchemaProblem> first_problem(const json::Value& value, Schema schema) {
    const Compiled& c = compiled(schema);
    valijson::Validator validator;
    valijson::ValidationResults results;
    valijson::adapters::NlohmannJsonAdapter target(value);
    if (validator.validate(c.schema, target, &results)) return std::nullopt;
    std::optional<json::SchemaProblem> best;
    std::size_t best_depth = 0;
    valijson::ValidationResults::Error e;
    while (results.popError(e)) {
        auto p = json::word_schema_error(
            c.document, value, json::pointer_from_schema_context(e.context), e.description);
        if (p && (!best || e.context.size() > best_depth)) {
            best = std::move(p);
            best_depth = e.context.size();
        }
    }
    if (!best) best = json::SchemaProblem{"", "schema", "does not match its schema"};
    return best;
}

std::string pointer_text(const std::string& pointer) {
    return pointer.empty() ? std::string("\"\"") : pointer;
}

}  // namespace

Status validate_schema(const json::Document& doc, Schema schema, std::string_view source) {
    auto p = first_problem(doc.value, schema);
    if (!p) return ok_status();
    return make_error(ErrorCode::InvalidInput,
                      json::where(source, doc.position_of(p->pointer)) + ": schema violation: " +
                          p->message + " (at JSON pointer " + pointer_text(p->pointer) + ")");
}

Status validate_schema(const json::Value& value, Schema schema, std::string_view source) {
    auto p = first_problem(value, schema);
    if (!p) return ok_status();
    return make_error(ErrorCode::InvalidInput,
                      std::string(source) + ": schema violation: " + p->message +
                          " (at JSON pointer " + pointer_text(p->pointer) + ")");
}

}  // namespace otasign::envelope
