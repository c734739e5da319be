#pragma once
// The checks `verify` makes on the manifest itself, beyond signatures: rollback, version,
// freshness, expiry and artifact hashes. A signed manifest proves who approved which hashes,
// not that the files on disk have them: artifacts are verified by hashing them.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/progress.hpp"
#include "core/result.hpp"
#include "manifest/manifest.hpp"

namespace otasign::policy {

// How far `created` may lie after the verifier's clock (SIGNATURE-FORMAT.md, "Verification").
inline constexpr std::int64_t kMaxClockSkewSeconds = 300;

// The manifest's rollbackIndex must not be below `min_index`. Errors: PolicyViolation.
Status check_rollback(const manifest::Manifest& m, std::uint64_t min_index, std::string_view what);

// The manifest must not have expired at `now`: valid while now < expires, expired from the
// instant `expires` on. Errors: PolicyViolation.
Status check_expiry(const manifest::Manifest& m, const manifest::Timestamp& now);

// `created` must not lie after now + kMaxClockSkewSeconds. Errors: PolicyViolation.
Status check_freshness(const manifest::Manifest& m, const manifest::Timestamp& now);

// Against the previous release: the version strictly greater in SemVer precedence. The
// previous release itself (same canonical digest) passes, for re-verification; the same
// version with other content, or a lower one, is refused. Errors: PolicyViolation.
Status check_version(const manifest::LoadedManifest& m, const manifest::LoadedManifest& previous);

struct ArtifactCheck {
    std::string path;
    bool ok = false;
    std::string detail;  // what is wrong, or "size and sha256 (and sha512) match"
};

struct ArtifactReport {
    std::vector<ArtifactCheck> artifacts;  // one per manifest artifact, in manifest order
    std::vector<std::string> extra;        // files under the directory the manifest does not list
    std::uint64_t bytes_hashed = 0;
    bool all_match() const;
};

// Checks every artifact of `m` under `dir`: each path resolves strictly beneath `dir` with no
// symbolic link on the way (core::open_regular_beneath), is a regular file of the declared
// size (never read past size + 1 byte), and has the declared sha256 (and sha512 when listed),
// hashed in one read, files in parallel on up to `threads` threads (0: one per core). Entries
// under `dir` that are not artifacts (files, links, devices) are listed in `extra`.
// `progress`, when set, hears bytes hashed out of the total declared size, from any thread but
// never from two at once. Errors: InvalidInput (`dir` missing or not a directory), Io.
Result<ArtifactReport> check_artifacts(const manifest::Manifest& m,
                                       const std::filesystem::path& dir,
                                       const ProgressFn& progress = {}, unsigned threads = 0);

}  // namespace otasign::policy
