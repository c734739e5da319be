#pragma once
// Merging co-signatures carried back from several workstations into one bundle
// (`otasign bundle merge`). Rules: schemas/REQUEST-FORMAT.md, "Merging responses".

#include <string>
#include <vector>

#include "core/result.hpp"
#include "envelope/bundle.hpp"
#include "manifest/manifest.hpp"
#include "policy/policy.hpp"

namespace otasign::airgap {

struct Response {
    std::string source;  // names it in messages
    envelope::Bundle bundle;
};

struct MergeResult {
    envelope::Bundle bundle;     // existing signatures first, unchanged, then the new ones
    std::size_t existing = 0;    // signatures the output bundle held before
    std::size_t added = 0;       // signatures appended
    std::size_t duplicates = 0;  // identical to one already there: dropped
};

// Appends every signature of `responses` to `existing` (empty for a new bundle). Each existing
// and incoming signature must verify with its own key and bind `m` (digest, size, id, version,
// channel); with `policy`, each incoming one must also count for the manifest role (a role key,
// token serial, attestation). A signature identical to one already there is dropped; another
// signature by a key already there is refused; existing signatures are never changed.
// Errors: PolicyViolation (another manifest, not a role key, a second signature by one key),
// BadSignature, InvalidInput (over kMaxBundleSignatures).
Result<MergeResult> merge_responses(const manifest::LoadedManifest& m, const policy::Policy* policy,
                                    const envelope::Bundle& existing,
                                    std::string_view existing_source,
                                    const std::vector<Response>& responses);

}  // namespace otasign::airgap
