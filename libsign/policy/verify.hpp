#pragma once
// Verifying a signature bundle against a trust policy role: which signatures verify with which
// policy keys, whether their statements bind this manifest, and whether enough distinct keys
// signed.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "envelope/bundle.hpp"
#include "manifest/manifest.hpp"
#include "policy/policy.hpp"

namespace otasign::policy {

// What a statement must name to count for a manifest.
struct ManifestBinding {
    std::string sha256;  // canonical digest
    std::uint64_t size = 0;
    std::string release_id;
    std::string release_version;
    std::string release_channel;
    // The canonical digest of the previous release the verifier was given (--previous): a
    // statement must then name the same previousManifest.sha256 to count.
    std::optional<std::string> previous_sha256;
};

// What a statement must name to count for manifest `m`, over `previous` when the verifier or
// signer was given one. The one place these fields are taken from a manifest: a signer writes
// them (bind_statement) and a verifier checks them (binding_problem) from the same value.
ManifestBinding binding_of(const manifest::LoadedManifest& m,
                           const manifest::LoadedManifest* previous = nullptr);
// Sets the statement's binding fields (manifest digest and size, release id, version and
// channel, previousManifest) to `b`.
void bind_statement(envelope::Statement& st, const ManifestBinding& b);
// Why `st` does not bind `b`'s manifest (digest, size, release identity), "" when it does. The
// previous-release binding is checked apart (SignatureProblem::previous_binding).
std::string binding_problem(const envelope::Statement& st, const ManifestBinding& b);

// Why a signature does not count (SIGNATURE-FORMAT.md, "Verification algorithm").
enum class SignatureProblem {
    none,
    no_role_keys,      // the role has no keys
    foreign,           // neither verified by nor claiming a role key: not counted, no failure
    bad_signature,     // claims a role key (keyid or embedded key) but no role key verifies it
    binding,           // the statement names another manifest digest, size, id, version, channel
    previous_binding,  // previousManifest absent or other than the verifier's previous release
    token_serial,      // the policy key's tokenSerial differs
    attestation,       // the role or channel requires an attestation this one does not satisfy
};
// "none", "no-role-keys", "foreign", "bad-signature", "binding", "previous-binding",
// "token-serial", "attestation".
const char* signature_problem_name(SignatureProblem p) noexcept;

// The PIV attestation check of one signature, for a role with requireAttestation.
struct AttestationCheck {
    bool ok = false;
    std::string detail;  // why it fails, or what chain it verified through
    std::string slot, pin_policy, touch_policy, origin, firmware, root_subject;
    std::optional<std::uint32_t> serial;
};

struct SignatureCheck {
    std::size_t index = 0;
    std::string claimed_key_id;  // from the bundle, informational only
    std::string key_id;          // the policy key that verified it ("" when none)
    std::string key_name;
    bool ok = false;
    // Neither verified by a role key nor claiming one (its embedded key and key id are outside
    // the role): e.g. a release-role co-signature when checking the manifest role. It does not
    // count, and it is not a failure either; the threshold decides.
    bool foreign = false;
    SignatureProblem problem = SignatureProblem::none;
    std::string detail;                            // why it does not count
    std::optional<envelope::Statement> statement;  // when the signature verified
    std::optional<AttestationCheck> attestation;   // when the role requires attestation
};

struct BundleVerification {
    Role role = Role::manifest;
    std::uint32_t threshold = 1;   // the effective threshold (role, raised by the channel)
    std::string threshold_source;  // "role manifest", "channel stable"
    std::size_t role_keys = 0;
    std::vector<SignatureCheck> signatures;
    std::vector<std::string> distinct_keys;  // key ids that count towards the threshold
    bool threshold_met = false;
};

// Checks the PIV evidence of a signature (normally a verified statement's approval.piv) against
// a role's requirement: the attestation must chain to the policy's attestationRoots, attest the
// key `key_id`, and show the required origin and policies. `where` names it in messages.
AttestationCheck check_attestation(const std::optional<envelope::PivEvidence>& piv,
                                   const std::string& key_id,
                                   const AttestationRequirement& required, const Policy& policy,
                                   const std::string& where);

// Never fails: every problem is recorded per signature or in threshold_met. The requirements
// (threshold, attestation) are policy.requirements(role, channel of the binding).
BundleVerification verify_bundle(const envelope::Bundle& bundle, const Policy& policy, Role role,
                                 const ManifestBinding& binding, std::string_view source);

}  // namespace otasign::policy
