#include "policy/manifest_checks.hpp"

#include <set>

#include "core/files.hpp"

namespace otasign::policy {

Status check_rollback(const manifest::Manifest& m, std::uint64_t min_index, std::string_view what) {
    if (m.rollback_index < min_index)
        return make_error(ErrorCode::PolicyViolation,
                          "rollbackIndex " + std::to_string(m.rollback_index) + " is below " +
                              std::to_string(min_index) + " (" + std::string(what) + ")",
                          "a release must not lower the rollback index");
    return ok_status();
}

Status check_expiry(const manifest::Manifest& m, const manifest::Timestamp& now) {
    if (!(m.expires > now))
        return make_error(ErrorCode::PolicyViolation,
                          "the manifest expired at " + m.expires.text + " (now " + now.text + ")");
    return ok_status();
}

Status check_freshness(const manifest::Manifest& m, const manifest::Timestamp& now) {
    manifest::Timestamp latest = now;
    latest.seconds += kMaxClockSkewSeconds;
    if (m.created > latest)
        return make_error(ErrorCode::PolicyViolation,
                          "created " + m.created.text + " lies more than " +
                              std::to_string(kMaxClockSkewSeconds) + " s after now (" + now.text +
                              ")",
                          "a manifest from the future is refused; check the clocks");
    return ok_status();
}

Status check_version(const manifest::LoadedManifest& m, const manifest::LoadedManifest& previous) {
    if (m.sha256_hex == previous.sha256_hex) return ok_status();
    auto order =
        manifest::compare_semver(m.manifest.release.semver, previous.manifest.release.semver);
    if (order == std::strong_ordering::greater) return ok_status();
    std::string v = m.manifest.release.version, pv = previous.manifest.release.version;
    if (order == std::strong_ordering::equal)
        return make_error(ErrorCode::PolicyViolation,
                          "version " + v + " equals the previous release's " + pv +
                              " in SemVer precedence, but the content differs",
                          "a changed release needs a higher version");
    return make_error(ErrorCode::PolicyViolation,
                      "version " + v + " is lower than the previous release's " + pv,
                      "a release must have a higher version than the one it replaces");
}

bool ArtifactReport::all_match() const {
    for (const auto& a : artifacts)
        if (!a.ok) return false;
    return true;
}

Result<ArtifactReport> check_artifacts(const manifest::Manifest& m,
                                       const std::filesystem::path& dir, const ProgressFn& progress,
                                       unsigned threads) {
    OTASIGN_ASSIGN_OR_RETURN(core::Fd root, core::open_directory(dir));
    ArtifactReport out;
    out.artifacts.resize(m.artifacts.size());
    std::vector<core::HashJob> jobs;
    for (const auto& a : m.artifacts) jobs.push_back({a.path, a.size, a.sha512.has_value()});
    auto outcomes = core::hash_files_beneath(root.get(), jobs, threads, progress);
    for (std::size_t i = 0; i < m.artifacts.size(); ++i) {
        const manifest::Artifact& a = m.artifacts[i];
        const core::HashOutcome& o = outcomes[i];
        ArtifactCheck& c = out.artifacts[i];
        c.path = a.path;
        if (o.digest) out.bytes_hashed += o.digest->size;
        if (o.error) {
            // The report names the path already; the detail says what is wrong with it.
            std::string_view detail = o.error->detail;
            if (detail.starts_with(a.path + ": ")) detail.remove_prefix(a.path.size() + 2);
            c.detail = std::string(detail);
        } else if (o.size_mismatch()) {
            c.detail = "size " + std::to_string(o.stat_size) + ", the manifest says " +
                       std::to_string(a.size);
        } else if (o.changed_while_read(a.size)) {
            c.detail = "the file changed size while it was read (" +
                       std::string(o.digest->over_limit ? "more" : "fewer") + " than " +
                       std::to_string(a.size) + " bytes)";
        } else if (o.digest->sha256 != a.sha256) {
            c.detail = "sha256 " + o.digest->sha256 + ", the manifest says " + a.sha256;
        } else if (a.sha512 && o.digest->sha512 != *a.sha512) {
            c.detail = "sha512 " + *o.digest->sha512 + ", the manifest says " + *a.sha512;
        } else {
            c.ok = true;
            c.detail = a.sha512 ? "size, sha256 and sha512 match" : "size and sha256 match";
        }
    }

    OTASIGN_ASSIGN_OR_RETURN(auto tree, core::list_tree(root.get()));
    std::set<std::string_view> listed;
    for (const auto& a : m.artifacts) listed.insert(a.path);
    for (const auto& e : tree) {
        if (e.kind == core::TreeEntry::Kind::directory || listed.count(e.path)) continue;
        switch (e.kind) {
            case core::TreeEntry::Kind::symlink:
                out.extra.push_back(e.path + " (symbolic link)");
                break;
            case core::TreeEntry::Kind::other:
                out.extra.push_back(e.path + " (not a regular file)");
                break;
            default:
                out.extra.push_back(e.path);
        }
    }
    return out;
}

}  // namespace otasign::policy
