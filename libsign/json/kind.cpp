#include "json/kind.hpp"

#include <initializer_list>
#include <nlohmann/json.hpp>

namespace otasign::json {

const char* document_kind_name(DocumentKind kind) noexcept {
    switch (kind) {
        case DocumentKind::manifest:
            return "a release manifest";
        case DocumentKind::policy:
            return "a trust policy";
        case DocumentKind::bundle:
            return "a signature bundle";
        case DocumentKind::evidence_log:
            return "an evidence log";
        case DocumentKind::ceremony_record:
            return "a ceremony record";
        case DocumentKind::ceremony_log:
            return "a ceremony log";
        case DocumentKind::unknown:
            break;
    }
    return "an unrecognised document";
}

namespace {

bool has_all(const nlohmann::json& v, std::initializer_list<const char*> keys) {
    for (const char* k : keys)
        if (!v.contains(k)) return false;
    return true;
}

DocumentKind kind_of(const nlohmann::json& v, bool first_line_only) {
    if (!v.is_object()) return DocumentKind::unknown;
    if (has_all(v, {"entryVersion", "index", "prev", "signature"}))
        return DocumentKind::evidence_log;
    if (has_all(v, {"index", "prev", "record", "record_sha256"})) return DocumentKind::ceremony_log;
    if (first_line_only) return DocumentKind::unknown;
    if (has_all(v, {"schemaVersion", "release", "artifacts"})) return DocumentKind::manifest;
    if (has_all(v, {"policyVersion", "roles"})) return DocumentKind::policy;
    if (has_all(v, {"mediaType", "signatures"})) return DocumentKind::bundle;
    if (has_all(v, {"payload_type", "payload", "signatures"})) return DocumentKind::ceremony_record;
    return DocumentKind::unknown;
}

}  // namespace

DocumentKind recognise_document(std::string_view bytes) {
    // Lenient on purpose: only the shape matters (the strict reader reports what is wrong).
    const auto whole = nlohmann::json::parse(bytes.begin(), bytes.end(), nullptr, false);
    if (!whole.is_discarded()) return kind_of(whole, false);
    const std::size_t eol = bytes.find('\n');
    if (eol == std::string_view::npos) return DocumentKind::unknown;
    const auto first = nlohmann::json::parse(
        bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(eol), nullptr, false);
    if (first.is_discarded()) return DocumentKind::unknown;
    return kind_of(first, true);
}

Error name_other_kind(Error error, std::string_view bytes, std::string_view source,
                      DocumentKind expected) {
    const DocumentKind found = recognise_document(bytes);
    if (found == DocumentKind::unknown || found == expected) return error;
    return make_error(ErrorCode::InvalidInput, std::string(source) + " is " +
                                                   document_kind_name(found) + ", not " +
                                                   document_kind_name(expected));
}

}  // namespace otasign::json
