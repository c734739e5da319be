#pragma once
// The signing request: the one file that crosses the air gap from the release pipeline to the
// signing workstation. It carries the manifest's canonical bytes, the previous release the
// pipeline claims, the digest of the trust policy it expects and who made it when. Nothing in
// it is signed or trusted: the workstation decodes and checks it, shows it to the operator and
// judges it against its own ledger and policy. Format: schemas/REQUEST-FORMAT.md.

#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "manifest/manifest.hpp"

namespace otasign::airgap {

inline constexpr std::string_view kRequestMediaType =
    "application/vnd.enigm.otasign.request+json;version=1";
// A request is refused unread beyond this many bytes (REQUEST-FORMAT.md, "Bounds").
inline constexpr std::uint64_t kMaxRequestBytes = 96ull * 1024 * 1024;

struct SigningRequest {
    manifest::LoadedManifest manifest;
    std::optional<manifest::LoadedManifest> previous;  // the pipeline's claim, unverified
    std::optional<std::string> policy_sha256;          // policy_digest() of the expected policy
    std::string pipeline_identity;
    std::string pipeline_host;
    std::string created;  // RFC 3339 UTC, as the pipeline's clock saw it
    std::string sha256;   // of the request file's bytes
};

struct RequestInputs {
    const manifest::LoadedManifest* manifest = nullptr;
    const manifest::LoadedManifest* previous = nullptr;  // optional
    std::string previous_source;
    std::optional<std::string> policy_sha256;
    std::string pipeline_identity;
    std::string pipeline_host;
    manifest::Timestamp now;
};

// The digest a request names a policy by: SHA-256 of the policy's RFC 8785 canonical bytes,
// after the policy parsed and validated. Errors: InvalidInput naming `source`.
Result<std::string> policy_digest(std::string_view policy_bytes, std::string_view source);

// The request file's bytes (canonical JSON and a newline). The manifest must be newer than the
// previous one (higher version, rollback index not lower), as at signing time.
// Errors: PolicyViolation (version or rollback index), Usage (no pipeline identity).
Result<std::string> make_request(const RequestInputs& in);

// Reads a request by REQUEST-FORMAT.md's verification algorithm: bounds, strict JSON, schema,
// media type, a real `created` instant, each embedded document decoded, sized, digested, loaded
// as a valid manifest and required to be canonical, and a previous release older than the
// manifest. Errors: InvalidInput naming `source`, line:column and JSON pointer.
Result<SigningRequest> read_request(std::string_view bytes, std::string_view source);

// Checks the request's expected policy against the one the workstation was given.
// `policy_bytes` is null when the operator gave none. Errors: PolicyViolation (another policy,
// or the request names one and the operator gave none).
Status check_request_policy(const SigningRequest& req, const std::string* policy_bytes,
                            std::string_view policy_source);

}  // namespace otasign::airgap
