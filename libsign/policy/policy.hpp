#pragma once
// The trust policy: which public keys may act in which role, and how many of them must sign.
// Format: schemas/POLICY-FORMAT.md. The algorithm of a signature always comes from the policy's
// key, never from the signature file.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "envelope/keys.hpp"
#include "json/strict.hpp"
#include "manifest/manifest.hpp"

namespace otasign::policy {

enum class Role { manifest, release };
const char* role_name(Role role) noexcept;
// Errors: Usage for anything but "manifest" or "release".
Result<Role> role_from_name(std::string_view name);

struct PolicyKey {
    std::string name;
    std::optional<std::string> token_serial;  // when set, the signing token must have this serial
    envelope::PublicKey key;
};

// roles.<role>.requireAttestation: what the PIV attestation carried in a signature's statement
// must show for the signature to count.
struct AttestationRequirement {
    bool require_generated = true;
    std::vector<std::string> pin_policies;    // "always", ...
    std::vector<std::string> touch_policies;  // "always", "cached", ...
};

struct RolePolicy {
    std::uint32_t threshold = 1;
    std::vector<PolicyKey> keys;
    std::optional<AttestationRequirement> attestation;
    // The key of `role` whose id is `key_id`, or nullptr.
    const PolicyKey* find(std::string_view key_id) const;
};

// The newest policyVersion otasign writes; 1 is still read (without channel rules).
inline constexpr int kPolicyVersion = 2;

// channels.<name> (policyVersion 2): what a release in that manifest channel needs beyond its
// role. POLICY-FORMAT.md, "Channel rules".
struct ChannelRule {
    std::optional<std::uint32_t> threshold;          // raises the manifest role's threshold
    std::optional<std::uint32_t> max_validity_days;  // bound on expires - created
    bool require_attestation = false;                // manifest-role signatures need attestation
    std::optional<std::vector<manifest::Channel>> allowed_previous;  // channels it may follow
};

// The attestation a channel with requireAttestation asks for when the role itself names none:
// a key generated on the card, a PIN policy other than never, a touch policy other than never.
AttestationRequirement default_channel_attestation();

// What verifying `role` for a release in `channel` requires: the role's threshold raised by the
// channel's, and the role's attestation requirement, or the channel default when the channel
// asks for attestation and the role names none. Channel threshold and attestation apply to the
// manifest role only.
struct RoleRequirements {
    std::uint32_t threshold = 1;
    std::string threshold_source;  // "role manifest" or "channel stable"
    std::optional<AttestationRequirement> attestation;
    std::string attestation_source;
};

struct Policy {
    json::Value document;  // as read, so reserved members survive `policy add-key` edits
    int version = 1;
    std::map<manifest::Channel, ChannelRule> channels;
    RolePolicy manifest;
    RolePolicy release;
    std::optional<std::uint32_t> max_expiry_days;
    // attestationRoots / attestationIntermediates as DER certificates.
    std::vector<std::vector<std::uint8_t>> attestation_roots;
    std::vector<std::vector<std::uint8_t>> attestation_intermediates;

    const RolePolicy& role(Role r) const { return r == Role::manifest ? manifest : release; }
    // The rule for `channel`, or nullptr.
    const ChannelRule* channel(manifest::Channel c) const;
    RoleRequirements requirements(Role r, manifest::Channel c) const;
};

// Parses strictly, validates against schemas/policy.schema.json and the rules the schema
// cannot express: every key exactly one usable PEM public key, no key twice in a role and no key
// in both roles, compared by canonical key id (core/key_identity.hpp); a channel threshold not
// below the manifest role's; attestation roots when a role or channel requires attestation.
// Errors: InvalidInput naming SOURCE:LINE:COL and the JSON pointer.
Result<Policy> parse_policy(std::string_view bytes, std::string_view source);

// A new policy with both roles empty (threshold 1).
json::Value empty_policy_document();

// The bytes otasign writes for a policy document (2-space indented JSON, LF at the end).
std::string serialize_policy(const json::Value& document);

// Adds a key to a role in `document` and re-validates the result.
// Errors: InvalidInput (bad key, key already present in either role), Usage.
Result<json::Value> add_key(const json::Value& document, Role role, std::string_view public_key_pem,
                            std::string_view name, std::optional<std::string> token_serial,
                            std::string_view source);

// Sets a role's threshold. Errors: InvalidInput (below 1 or above the number of keys).
Result<json::Value> set_threshold(const json::Value& document, Role role, std::uint32_t threshold,
                                  std::string_view source);

// Makes a role require PIV attestation and embeds the trust anchors (and intermediates) the
// attestation must chain to, replacing earlier ones; re-validates the result.
// Errors: InvalidInput (a certificate that does not parse, no roots), Usage (unknown policy name).
Result<json::Value> require_attestation(const json::Value& document, Role role,
                                        const AttestationRequirement& requirement,
                                        const std::vector<std::string>& root_pems,
                                        const std::vector<std::string>& intermediate_pems,
                                        std::string_view source);

// policyVersion 1 -> 2 (adds an empty "channels"); a version 2 document is returned unchanged.
// Errors: InvalidInput (the result does not validate).
Result<json::Value> upgrade(const json::Value& document, std::string_view source);

// Edits channels.<channel> of a policyVersion 2 document: each given member is set, the others
// kept. Errors: InvalidInput (a version 1 policy: upgrade first; a threshold below the manifest
// role's; the result does not validate).
struct ChannelEdit {
    std::optional<std::uint32_t> threshold;
    std::optional<std::uint32_t> max_validity_days;
    std::optional<bool> require_attestation;
    std::optional<std::vector<manifest::Channel>> allowed_previous;
};
Result<json::Value> set_channel_rule(const json::Value& document, manifest::Channel channel,
                                     const ChannelEdit& edit, std::string_view source);

// A human-readable description of the policy.
std::string describe(const Policy& policy);

}  // namespace otasign::policy
