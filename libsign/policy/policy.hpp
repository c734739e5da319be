#pragma once
// The trust policy: which public keys may act in which role, and how many of them must sign.
// Format: schemas/POLICY-FORMAT.md. The algorithm of a signature always comes from the policy's
// key, never from the signature file.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "envelope/keys.hpp"
#include "json/strict.hpp"

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

struct Policy {
    json::Value document;  // as read, so reserved members survive `policy add-key` edits
    RolePolicy manifest;
    RolePolicy release;
    std::optional<std::uint32_t> max_expiry_days;
    // attestationRoots / attestationIntermediates as DER certificates.
    std::vector<std::vector<std::uint8_t>> attestation_roots;
    std::vector<std::vector<std::uint8_t>> attestation_intermediates;

    const RolePolicy& role(Role r) const { return r == Role::manifest ? manifest : release; }
};

// Parses strictly, validates against schemas/policy.schema.json and the rules the schema
// cannot express: every key a usable PEM public key, no key twice in a role, no key in both
// roles. Errors: InvalidInput naming SOURCE:LINE:COL and the JSON pointer.
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

// A human-readable description of the policy.
std::string describe(const Policy& policy);

}  // namespace otasign::policy
