#pragma once
// Making a manifest from a template and a directory of artifacts (the release pipeline's step):
// every file under the directory becomes an artifact with its size and hashes, nothing is skipped
// silently, links and special files are refused. Format of the template: MANIFEST-FORMAT.md,
// "Making a manifest".

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "core/progress.hpp"
#include "core/result.hpp"
#include "manifest/manifest.hpp"

namespace otasign::manifest {

struct CreateInputs {
    std::string_view template_bytes;
    std::string template_source;
    std::filesystem::path artifacts_dir;
    const LoadedManifest* previous = nullptr;  // --previous
    std::string previous_source;
    std::optional<std::uint64_t> rollback_index;  // --rollback-index
    Timestamp created;                            // the manifest's `created`
    bool sha512 = false;                          // also list SHA-512 per artifact
    unsigned threads = 0;                         // hashing threads, 0: one per core
    ProgressFn progress;
};

// Builds, validates and returns the manifest (its JSON text is document.value, 2-space
// indented by the caller). Errors: InvalidInput (template not strict JSON or not a template,
// a file without a role, a role for a missing file, a symbolic link or special file under the
// directory, no rollback index, the result fails validation), PolicyViolation (a version not
// above --previous, a rollback index below it), Io.
Result<LoadedManifest> create_manifest(const CreateInputs& in);

}  // namespace otasign::manifest
