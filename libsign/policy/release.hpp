#pragma once
// The release gate's verdict: every rule `otasign verify` applies, decided here and returned as
// a report with one entry per check, so that the CLI only renders it and a device updater or CI
// tool can call it in-process. The rules and their order: SIGNATURE-FORMAT.md, "Verification
// algorithm".

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/progress.hpp"
#include "envelope/bundle.hpp"
#include "manifest/manifest.hpp"
#include "policy/manifest_checks.hpp"
#include "policy/policy.hpp"
#include "policy/verify.hpp"

namespace otasign::policy {

enum class CheckStatus { pass, fail, skipped };
// "pass", "fail", "skipped".
const char* check_status_name(CheckStatus s) noexcept;

struct CheckResult {
    std::string name;  // stable: see kReleaseChecks
    CheckStatus status = CheckStatus::skipped;
    std::string detail;  // what was found, why it failed, or why it was skipped
};

// Every check, in the order they are reported. Each appears in every report.
inline constexpr const char* kReleaseChecks[] = {
    "signatures",       "threshold", "previous-binding", "version",  "rollback",
    "channel-sequence", "freshness", "expiry",           "validity", "artifacts"};

struct ReleaseInputs {
    const manifest::LoadedManifest* manifest = nullptr;
    const envelope::Bundle* bundle = nullptr;
    std::string bundle_source;  // names the bundle in details
    const Policy* policy = nullptr;
    Role role = Role::manifest;
    const manifest::LoadedManifest* previous = nullptr;  // --previous
    std::string previous_source;
    std::optional<std::uint64_t> min_rollback_index;
    manifest::Timestamp now;
    std::optional<std::filesystem::path> artifacts_dir;
    bool strict_artifacts = false;  // extra files under artifacts_dir fail
    ProgressFn progress;            // artifact hashing
    unsigned threads = 0;           // artifact hashing threads, 0: one per core
};

struct ReleaseReport {
    std::vector<CheckResult> checks;  // one per kReleaseChecks entry, in that order
    BundleVerification signatures;
    std::optional<ArtifactReport> artifacts;

    // No check failed (skipped ones do not fail the gate; they are named in the summary).
    bool ok() const;
    std::vector<std::string> skipped() const;
    const CheckResult& check(std::string_view name) const;  // precondition: a kReleaseChecks name
};

// Runs every check. Never fails on a verification problem (those are report entries).
// Errors: InvalidInput when an input cannot be used at all (the artifacts directory does not
// exist or is not a directory), Io.
Result<ReleaseReport> verify_release(const ReleaseInputs& in);

}  // namespace otasign::policy
