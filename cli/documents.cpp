#include "documents.hpp"

#include "core/atomic_file.hpp"
#include "exit_codes.hpp"
#include "json/kind.hpp"

namespace otasign::cli {
namespace {

// Reads `path` and parses it with `parse(bytes, name)`; a parse failure is worded by
// name_wrong_kind for the `expected` kind.
template <class T, class Parse>
Result<Document<T>> read_document(const std::string& path, json::DocumentKind expected,
                                  Parse parse) {
    const std::string name = input_name(path);
    OTASIGN_ASSIGN_OR_RETURN(std::string bytes, read_file(path));
    auto parsed = parse(bytes, name);
    if (!parsed) return name_wrong_kind(parsed.error(), bytes, name, expected);
    return Document<T>{std::move(bytes), std::move(parsed).value()};
}

}  // namespace

Result<Document<manifest::LoadedManifest>> read_manifest_document(const std::string& path) {
    return read_document<manifest::LoadedManifest>(
        path, json::DocumentKind::manifest,
        [](const std::string& b, const std::string& n) { return manifest::load_manifest(b, n); });
}

Result<Document<policy::Policy>> read_policy_document(const std::string& path) {
    return read_document<policy::Policy>(
        path, json::DocumentKind::policy,
        [](const std::string& b, const std::string& n) { return policy::parse_policy(b, n); });
}

Result<Document<envelope::Bundle>> read_bundle_document(const std::string& path) {
    return read_document<envelope::Bundle>(
        path, json::DocumentKind::bundle,
        [](const std::string& b, const std::string& n) { return envelope::parse_bundle(b, n); });
}

}  // namespace otasign::cli
