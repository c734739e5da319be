// Validation in two passes over the same parsed document: the embedded JSON Schema (valijson)
// for shape, then semantic rules in C++ for what a schema cannot say (dates that exist,
// ordering, uniqueness, channel policy). Both passes collect every problem instead of stopping
// at the first, so an operator fixes a manifest in one round trip.

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "json/schema_words.hpp"
#include "manifest/manifest.hpp"

namespace otasign::manifest {
namespace detail {
std::string_view embedded_schema() noexcept;  // generated from schemas/manifest.schema.json
}

namespace {

// valijson matches `pattern` with std::regex, whose backtracking recurses once per character;
// a multi-megabyte string could exhaust the stack. No manifest string is anywhere near this
// long (the schema's own limits are far lower), so longer ones are refused before the schema runs.
constexpr std::size_t kMaxStringBytes = 4096;
// valijson's uniqueItems compares every pair of items, whatever maxItems says; an array of a
// million entries would take hours. No manifest array may hold more than 256.
constexpr std::size_t kMaxArrayItems = 1024;

struct SchemaHolder {
    nlohmann::json document;  // the schema's JSON, which error messages quote from
    valijson::Schema schema;
    std::string error;
};

// valijson::Schema is neither copyable nor movable, so it is built in place, once.
const SchemaHolder& compiled_schema() {
    static const std::unique_ptr<SchemaHolder> holder = [] {
        auto h = std::make_unique<SchemaHolder>();
        try {
            h->document = nlohmann::json::parse(detail::embedded_schema());
            valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
            valijson::adapters::NlohmannJsonAdapter adapter(h->document);
            parser.populateSchema(adapter, h->schema);
        } catch (const std::exception& e) {
            h->error = e.what();
        }
        return h;
    }();
    return *holder;
}

class Collector {
  public:
    explicit Collector(const json::Document& doc) : m_doc(doc) {}

    void add(std::string pointer, std::string rule, std::string message) {
        Problem p;
        p.position = m_doc.position_of(pointer);
        p.pointer = std::move(pointer);
        p.rule = std::move(rule);
        p.message = std::move(message);
        for (const Problem& q : m_problems)
            if (q.pointer == p.pointer && q.rule == p.rule && q.message == p.message) return;
        m_problems.push_back(std::move(p));
    }
    bool has_problem_at(std::string_view pointer) const {
        return std::any_of(m_problems.begin(), m_problems.end(),
                           [&](const Problem& p) { return p.pointer == pointer; });
    }
    std::vector<Problem> take() {
        std::stable_sort(m_problems.begin(), m_problems.end(),
                         [](const Problem& a, const Problem& b) {
                             return a.position.offset < b.position.offset;
                         });
        return std::move(m_problems);
    }

  private:
    const json::Document& m_doc;
    std::vector<Problem> m_problems;
};

// The value at `pointer`, or null when absent (the schema pass reports that).
const json::Value* at(const json::Value& root, const std::string& pointer) {
    try {
        const json::Value& v = root.at(nlohmann::json::json_pointer(pointer));
        return &v;
    } catch (const std::exception&) {
        return nullptr;
    }
}

const std::string* string_at(const json::Value& root, const std::string& pointer) {
    const json::Value* v = at(root, pointer);
    return v && v->is_string() ? &v->get_ref<const std::string&>() : nullptr;
}

std::optional<std::int64_t> integer_at(const json::Value& root, const std::string& pointer) {
    const json::Value* v = at(root, pointer);
    if (!v || !v->is_number_integer()) return std::nullopt;
    return v->get<std::int64_t>();
}

std::optional<bool> bool_at(const json::Value& root, const std::string& pointer) {
    const json::Value* v = at(root, pointer);
    if (!v || !v->is_boolean()) return std::nullopt;
    return v->get<bool>();
}

// Bounds that keep the schema pass cheap; what exceeds them is reported without running it.
void check_sizes(const json::Value& v, const std::string& pointer, Collector& out) {
    if (v.is_string()) {
        if (v.get_ref<const std::string&>().size() > kMaxStringBytes)
            out.add(pointer, "schema.maxLength",
                    "string of " + std::to_string(v.get_ref<const std::string&>().size()) +
                        " bytes is longer than any manifest field allows (" +
                        std::to_string(kMaxStringBytes) + ")");
    } else if (v.is_array()) {
        if (v.size() > kMaxArrayItems) {
            out.add(pointer, "schema.maxItems",
                    "array of " + std::to_string(v.size()) +
                        " items is longer than any manifest field allows (" +
                        std::to_string(kMaxArrayItems) + ")");
            return;
        }
        for (std::size_t i = 0; i < v.size(); ++i)
            check_sizes(v[i], pointer + "/" + std::to_string(i), out);
    } else if (v.is_object()) {
        for (const auto& [key, child] : v.items())
            check_sizes(child, pointer + "/" + json::pointer_token(key), out);
    }
}

// valijson names a location as {"<root>", "[release]", "[0]", ...}; whether "[0]" is an index
// or a key depends on the value it descends into.
std::string pointer_from_context(const json::Value& root, const std::vector<std::string>& context) {
    std::string pointer;
    const json::Value* cur = &root;
    for (std::size_t i = 1; i < context.size(); ++i) {
        std::string token = context[i];
        if (token.size() >= 2 && token.front() == '[' && token.back() == ']')
            token = token.substr(1, token.size() - 2);
        pointer += "/" + json::pointer_token(token);
        if (cur && cur->is_array()) {
            char* end = nullptr;
            unsigned long idx = std::strtoul(token.c_str(), &end, 10);
            cur = (end && *end == '\0' && idx < cur->size()) ? &(*cur)[idx] : nullptr;
        } else if (cur && cur->is_object() && cur->contains(token)) {
            cur = &(*cur)[token];
        } else {
            cur = nullptr;
        }
    }
    return pointer;
}

// The field a pointer names, skipping array indices: "/artifacts/0/path" -> "path",
// "/eligibility/models/2" -> "models".
std::string field_of(std::string_view pointer) {
    while (!pointer.empty()) {
        std::size_t slash = pointer.rfind('/');
        std::string_view last = pointer.substr(slash + 1);
        if (!last.empty() &&
            std::all_of(last.begin(), last.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            pointer = pointer.substr(0, slash);
            continue;
        }
        return std::string(last);
    }
    return {};
}

std::string diagnose_path(const std::string& path) {
    if (path.find('\\') != std::string::npos)
        return "artifact path '" + path + "' contains a backslash";
    if (!path.empty() && path.front() == '/')
        return "artifact path '" + path + "' is absolute (leading '/')";
    std::size_t start = 0;
    for (;;) {
        std::size_t end = path.find('/', start);
        std::string seg =
            path.substr(start, end == std::string::npos ? std::string::npos : end - start);
        if (seg.empty()) return "artifact path '" + path + "' has an empty segment";
        if (seg == "..") return "artifact path '" + path + "' contains a '..' segment";
        if (seg == ".") return "artifact path '" + path + "' contains a '.' segment";
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return "artifact path '" + path + "' has a character outside [A-Za-z0-9._+-]";
}

std::string pattern_message(const json::Value& root, const std::string& pointer) {
    const std::string* s = string_at(root, pointer);
    const std::string text = s ? *s : std::string();
    const std::string field = field_of(pointer);
    if (field == "path") return diagnose_path(text);
    if (field == "version") {
        auto r = parse_semver(text);
        return r.ok() ? "'" + text + "' is not a SemVer 2.0.0 version" : r.error().detail;
    }
    if (field == "created" || field == "expires" || field == "start") {
        auto r = parse_rfc3339_utc(text);
        return r.ok() ? "'" + text + "' is not an RFC 3339 UTC timestamp (YYYY-MM-DDTHH:MM:SS[.F]Z)"
                      : r.error().detail;
    }
    if (field == "sha256" || field == "sha512") {
        const std::string digits = field == "sha256" ? "64" : "128";
        bool upper =
            std::any_of(text.begin(), text.end(), [](char c) { return c >= 'A' && c <= 'F'; });
        return field + " must be " + digits + " lowercase hex digits" +
               (upper ? " (found upper case)" : "");
    }
    if (field == "id")
        return "release id '" + text +
               "' must be a-z, 0-9, '.', '_', '-', starting with a letter or digit";
    if (field == "build" || field == "fromBuilds")
        return "build '" + text +
               "' must be A-Z, a-z, 0-9, '.', '_', '+', '-', starting with a letter or digit";
    if (field == "models")
        return "model '" + text + "' must be a-z, 0-9, '-', starting with a letter or digit";
    if (field == "hardware")
        return "hardware revision '" + text + "' must be A-Z, a-z, 0-9, '.', '_', '-'";
    if (field == "regions")
        return "region '" + text + "' must be an upper-case ISO 3166-1 alpha-2 code such as DE";
    if (field == "name")
        return "wave name '" + text + "' must be a-z, 0-9, '-', starting with a letter or digit";
    return "'" + text + "' does not match the required pattern";
}

bool starts_with(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

// valijson's errors in otasign's words: the manifest's own wording for its patterns and its
// version, the shared schema wording (json/schema_words.hpp) for everything else.
void map_schema_error(const nlohmann::json& schema, const json::Value& root,
                      const valijson::ValidationResults::Error& e, Collector& out) {
    const std::string& d = e.description;
    std::string pointer = pointer_from_context(root, e.context);
    const json::Value* value = at(root, pointer);
    if (starts_with(d, "Failed to match expected value set by 'const'") &&
        pointer == "/schemaVersion") {
        out.add(pointer, "schema.const",
                "unsupported schemaVersion " + (value ? value->dump() : std::string("?")) +
                    ": this otasign reads schemaVersion 1");
    } else if (starts_with(d, "Failed to match regex")) {
        out.add(pointer, "schema.pattern", pattern_message(root, pointer));
    } else if (auto p = json::word_schema_error(schema, root, pointer, d)) {
        out.add(std::move(p->pointer), std::move(p->rule), std::move(p->message));
    }
}

std::optional<Timestamp> checked_time(const json::Value& root, const std::string& pointer,
                                      Collector& out) {
    const std::string* s = string_at(root, pointer);
    if (!s || out.has_problem_at(pointer)) return std::nullopt;
    auto t = parse_rfc3339_utc(*s);
    if (!t) {
        out.add(pointer, "timestamp-valid", t.error().detail);
        return std::nullopt;
    }
    return std::move(t).value();
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

void check_semantics(const json::Value& root, Collector& out) {
    if (const std::string* v = string_at(root, "/release/version");
        v && !out.has_problem_at("/release/version")) {
        if (auto r = parse_semver(*v); !r) out.add("/release/version", "semver", r.error().detail);
    }

    const auto created = checked_time(root, "/created", out);
    const auto expires = checked_time(root, "/expires", out);
    if (created && expires && !(*expires > *created))
        out.add("/expires", "expires-after-created",
                "expires " + expires->text + " is not after created " + created->text);

    // Channel policy for rollout and eligibility.
    std::optional<Channel> channel;
    if (const std::string* c = string_at(root, "/release/channel")) channel = channel_from_name(*c);
    // A value the schema already rejected is not judged again; its semantic verdict would
    // only repeat the schema's.
    std::optional<std::int64_t> percentage;
    if (!out.has_problem_at("/rollout/percentage"))
        percentage = integer_at(root, "/rollout/percentage");
    const json::Value* waves = at(root, "/rollout/waves");
    if (channel && percentage && *percentage > max_rollout_percentage(*channel)) {
        std::string msg = *channel == Channel::draft
                              ? "a draft release is never rolled out: rollout percentage must be 0"
                              : std::string("channel ") + channel_name(*channel) +
                                    " allows at most " +
                                    std::to_string(max_rollout_percentage(*channel)) +
                                    "% rollout, not " + std::to_string(*percentage) + "%";
        out.add("/rollout/percentage", "rollout-channel", msg);
    }
    if (channel == Channel::draft && waves)
        out.add("/rollout/waves", "rollout-channel",
                "a draft release is never rolled out: remove the waves");

    // Once expires is not after created, comparing rollout times with it only repeats that.
    const auto usable_expires =
        (created && expires && *expires > *created) ? expires : std::nullopt;
    const auto rollout_start = checked_time(root, "/rollout/start", out);
    if (rollout_start && created && *rollout_start < *created)
        out.add("/rollout/start", "rollout-window",
                "rollout start " + rollout_start->text + " is before created " + created->text);
    if (rollout_start && usable_expires && !(*rollout_start < *usable_expires))
        out.add("/rollout/start", "rollout-window",
                "rollout start " + rollout_start->text + " is not before expires " +
                    usable_expires->text);

    if (waves && waves->is_array()) {
        std::optional<Timestamp> prev_start = rollout_start;
        std::optional<std::int64_t> prev_pct;
        std::map<std::string, std::string> names;
        std::optional<std::int64_t> last_pct;
        for (std::size_t i = 0; i < waves->size(); ++i) {
            const std::string base = "/rollout/waves/" + std::to_string(i);
            if (const std::string* name = string_at(root, base + "/name")) {
                auto [it, inserted] = names.emplace(*name, base + "/name");
                if (!inserted)
                    out.add(base + "/name", "wave-name-unique",
                            "duplicate wave name '" + *name + "' (first at " + it->second + ")");
            }
            const auto start = checked_time(root, base + "/start", out);
            if (start) {
                if (created && *start < *created)
                    out.add(base + "/start", "rollout-window",
                            "wave starts " + start->text + ", before created " + created->text);
                if (usable_expires && !(*start < *usable_expires))
                    out.add(base + "/start", "rollout-window",
                            "wave starts " + start->text + ", not before expires " +
                                usable_expires->text);
                // The first wave may open with the rollout; each later one must start later.
                if (i == 0 && prev_start && *start < *prev_start)
                    out.add(base + "/start", "waves-ordered",
                            "first wave starts " + start->text + ", before the rollout start " +
                                prev_start->text);
                if (i > 0 && prev_start && !(*start > *prev_start))
                    out.add(base + "/start", "waves-ordered",
                            "wave starts " + start->text +
                                ", not after the previous wave's start " + prev_start->text);
                prev_start = start;
            }
            std::optional<std::int64_t> pct;
            if (!out.has_problem_at(base + "/percentage"))
                pct = integer_at(root, base + "/percentage");
            if (pct) {
                if (prev_pct && *pct < *prev_pct)
                    out.add(base + "/percentage", "waves-ordered",
                            "wave percentage " + std::to_string(*pct) +
                                " is below the previous wave's " + std::to_string(*prev_pct));
                prev_pct = pct;
            }
            last_pct = pct;
        }
        if (last_pct && percentage && *last_pct != *percentage)
            out.add("/rollout/percentage", "waves-final-percentage",
                    "rollout percentage " + std::to_string(*percentage) +
                        " differs from the last wave's " + std::to_string(*last_pct));
    }

    if (channel && is_protected(*channel)) {
        const std::string ch = channel_name(*channel);
        if (bool_at(root, "/eligibility/attestationRequired") == false)
            out.add("/eligibility/attestationRequired", "protected-channel-attestation",
                    "channel " + ch + " requires attestationRequired: true");
        if (bool_at(root, "/eligibility/enrollmentRequired") == false)
            out.add("/eligibility/enrollmentRequired", "protected-channel-enrollment",
                    "channel " + ch + " requires enrollmentRequired: true");
    }

    // Unique paths; case-folded too, because an artifact store or a device-side unpacker on a
    // case-insensitive file system would make "System.img" and "system.img" the same file.
    if (const json::Value* arts = at(root, "/artifacts"); arts && arts->is_array()) {
        std::map<std::string, std::string> seen;
        for (std::size_t i = 0; i < arts->size(); ++i) {
            const std::string ptr = "/artifacts/" + std::to_string(i) + "/path";
            const std::string* path = string_at(root, ptr);
            if (!path) continue;
            auto [it, inserted] = seen.emplace(lower(*path), ptr);
            if (!inserted) {
                const std::string* first = string_at(root, it->second);
                out.add(
                    ptr, "artifact-path-unique",
                    "duplicate artifact path '" + *path + "'" +
                        (first && *first != *path ? " (differs only in case from '" + *first + "')"
                                                  : "") +
                        " (first at " + it->second + ")");
            }
        }
    }
}

}  // namespace

std::string_view schema_text() noexcept { return detail::embedded_schema(); }

std::string format_problem(std::string_view source, const Problem& problem) {
    return json::where(source, problem.position) + ": " + problem.message + " (at " +
           (problem.pointer.empty() ? std::string("/") : problem.pointer) + ")";
}

Result<std::vector<Problem>> validate(const json::Document& document) {
    const SchemaHolder& schema = compiled_schema();
    if (!schema.error.empty())
        return make_error(ErrorCode::Internal,
                          "the embedded manifest schema does not load: " + schema.error);
    Collector out(document);
    check_sizes(document.value, "", out);
    if (!document.value.is_object())
        out.add("", "schema.type",
                std::string("wrong type: expected an object (a manifest), found ") +
                    json::schema_type_name(document.value));
    if (std::vector<Problem> early = out.take(); !early.empty()) return early;
    try {
        valijson::Validator validator;
        valijson::ValidationResults results;
        valijson::adapters::NlohmannJsonAdapter target(document.value);
        validator.validate(schema.schema, target, &results);
        valijson::ValidationResults::Error e;
        while (results.popError(e)) map_schema_error(schema.document, document.value, e, out);
    } catch (const std::exception& e) {
        return make_error(ErrorCode::Internal,
                          std::string("schema validation failed: ") + e.what());
    }
    check_semantics(document.value, out);
    return out.take();
}

}  // namespace otasign::manifest
