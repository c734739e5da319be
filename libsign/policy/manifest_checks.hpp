#pragma once
// The checks `verify` makes on the manifest itself, beyond signatures: rollback, expiry and
// artifact hashes. A signed manifest proves who approved which hashes, not that the files on
// disk have them: artifacts are verified by hashing them.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/progress.hpp"
#include "core/result.hpp"
#include "manifest/manifest.hpp"

namespace otasign::policy {

// The manifest's rollbackIndex must not be below `min_index`. Errors: PolicyViolation.
Status check_rollback(const manifest::Manifest& m, std::uint64_t min_index, std::string_view what);

// The manifest must not have expired at `now` (expires > now). Errors: PolicyViolation.
Status check_expiry(const manifest::Manifest& m, const manifest::Timestamp& now);

struct ArtifactCheck {
    std::string path;
    bool ok = false;
    std::string detail;  // what is wrong, or "size and sha256 (and sha512) match"
};

// Hashes every artifact under `dir` (streaming) and compares size, sha256 and sha512 when the
// manifest has it. Paths that are absolute or climb out of `dir` fail.
// `progress`, when set, hears the bytes hashed out of the total size of the files found.
std::vector<ArtifactCheck> check_artifacts(const manifest::Manifest& m,
                                           const std::filesystem::path& dir,
                                           const ProgressFn& progress = {});

}  // namespace otasign::policy
