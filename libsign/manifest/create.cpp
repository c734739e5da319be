#include "manifest/create.hpp"

#include <map>

#include "core/files.hpp"

namespace otasign::manifest {

namespace {

Error invalid(const std::string& what, std::string hint = {}) {
    return make_error(ErrorCode::InvalidInput, what, std::move(hint));
}

struct Hashed {
    std::string path, role, sha256;
    std::optional<std::string> sha512;
    std::uint64_t size = 0;
    std::optional<Error> error;
};

}  // namespace

Result<LoadedManifest> create_manifest(const CreateInputs& in) {
    const std::string& src = in.template_source;
    OTASIGN_ASSIGN_OR_RETURN(json::Document tpl, json::parse_strict(in.template_bytes, src));
    json::Value doc = std::move(tpl.value);
    if (!doc.is_object()) return invalid(src + ": a manifest template is a JSON object");
    for (const char* filled : {"artifacts", "created"})
        if (doc.contains(filled))
            return invalid(json::where(src, tpl.position_of(std::string("/") + filled)) +
                               ": the template sets \"" + filled +
                               "\", which manifest create fills in",
                           "remove it from the template");
    if (!doc.contains("artifactRoles") || !doc["artifactRoles"].is_object() ||
        doc["artifactRoles"].empty())
        return invalid(src + ": the template has no \"artifactRoles\" (path -> role)",
                       "list every file of the artifacts directory with its role");
    std::map<std::string, std::string> roles;
    for (const auto& [path, role] : doc["artifactRoles"].items()) {
        if (!role.is_string())
            return invalid(
                json::where(src, tpl.position_of("/artifactRoles/" + json::pointer_token(path))) +
                ": the role of " + path + " is not a string");
        roles.emplace(path, role.get<std::string>());
    }
    doc.erase("artifactRoles");

    // Every entry under the directory is accounted for: a regular file with a role, or the
    // directories on the way to one. Anything else stops the run.
    OTASIGN_ASSIGN_OR_RETURN(core::Fd root, core::open_directory(in.artifacts_dir));
    OTASIGN_ASSIGN_OR_RETURN(auto tree, core::list_tree(root.get()));
    std::vector<Hashed> files;
    for (const auto& e : tree) {
        std::string at = (in.artifacts_dir / e.path).string();
        switch (e.kind) {
            case core::TreeEntry::Kind::directory:
                continue;
            case core::TreeEntry::Kind::symlink:
                return invalid(at + ": a symbolic link; artifacts must be regular files",
                               "copy the file into the directory instead of linking it");
            case core::TreeEntry::Kind::other:
                return invalid(at + ": not a regular file (a FIFO, device or socket)");
            case core::TreeEntry::Kind::regular:
                break;
        }
        auto role = roles.find(e.path);
        if (role == roles.end())
            return invalid(at + ": no role for this file in the template's \"artifactRoles\"",
                           "every file becomes an artifact: give it a role or remove it");
        Hashed h;
        h.path = e.path;
        h.role = role->second;
        h.size = e.size;
        files.push_back(std::move(h));
        roles.erase(role);
    }
    if (!roles.empty())
        return invalid(src + ": \"artifactRoles\" names " + roles.begin()->first +
                       ", which is not a regular file under " + in.artifacts_dir.string());
    if (files.empty()) return invalid(in.artifacts_dir.string() + ": no files");

    std::vector<core::HashJob> jobs;
    for (const auto& h : files) jobs.push_back({h.path, h.size, in.sha512});
    auto outcomes = core::hash_files_beneath(root.get(), jobs, in.threads, in.progress);
    for (std::size_t i = 0; i < files.size(); ++i) {
        Hashed& h = files[i];
        const core::HashOutcome& o = outcomes[i];
        if (o.error)
            h.error = *o.error;
        else if (o.size_mismatch() || o.changed_while_read(h.size))
            h.error = invalid(h.path + ": the file changed size while it was read");
        else {
            h.sha256 = o.digest->sha256;
            h.sha512 = o.digest->sha512;
        }
    }
    json::Value artifacts = json::Value::array();
    for (const auto& h : files) {
        if (h.error) return *h.error;
        json::Value a = {
            {"path", h.path}, {"role", h.role}, {"size", h.size}, {"sha256", h.sha256}};
        if (h.sha512) a["sha512"] = *h.sha512;
        artifacts.push_back(std::move(a));
    }
    doc["artifacts"] = std::move(artifacts);
    doc["created"] = in.created.text;

    // The rollback index: --rollback-index, else the template's, else the previous release's;
    // never below the previous release's.
    if (in.rollback_index && doc.contains("rollbackIndex"))
        return invalid(src + ": the template sets rollbackIndex and --rollback-index was given",
                       "give it in one place");
    if (in.rollback_index) doc["rollbackIndex"] = *in.rollback_index;
    if (!doc.contains("rollbackIndex")) {
        if (!in.previous)
            return invalid(src + ": no rollbackIndex",
                           "set it in the template, or pass --rollback-index N or --previous OLD");
        doc["rollbackIndex"] = in.previous->manifest.rollback_index;
    }

    std::string text = doc.dump(2) + "\n";
    auto loaded = load_manifest(text, "manifest from " + src);
    if (!loaded)
        return make_error(loaded.error().code, loaded.error().detail,
                          "the template gives every manifest member but artifacts and created "
                          "(MANIFEST-FORMAT.md, \"Making a manifest\"); positions are in the "
                          "manifest as made, pretty-printed with sorted members");
    LoadedManifest made = std::move(loaded).value();
    if (in.previous) {
        const Manifest& prev = in.previous->manifest;
        if (compare_semver(made.manifest.release.semver, prev.release.semver) !=
            std::strong_ordering::greater)
            return make_error(ErrorCode::PolicyViolation,
                              "version " + made.manifest.release.version +
                                  " is not above the previous release's " + prev.release.version +
                                  " (" + in.previous_source + ")",
                              "a new release needs a higher version");
        if (made.manifest.rollback_index < prev.rollback_index)
            return make_error(ErrorCode::PolicyViolation,
                              "rollbackIndex " + std::to_string(made.manifest.rollback_index) +
                                  " is below the previous release's " +
                                  std::to_string(prev.rollback_index) + " (" + in.previous_source +
                                  ")",
                              "the rollback index never goes down");
    }
    return made;
}

}  // namespace otasign::manifest
