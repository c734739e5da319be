#pragma once
// PIV attestation, checked offline with OpenSSL: the slot's attestation certificate, issued by
// the card's f9 device certificate, which chains (through Yubico-published intermediates when
// the card is 5.7.4 or later) to a pinned root. An attestation exists only for a key generated
// on the card, so a verified one means origin "generated".

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace otasign::piv {

// What a verified attestation says; the envelope and the policy embed and check this.
struct AttestationReport {
    std::string slot;                         // "9c", from the subject "YubiKey PIV Attestation 9c"
    std::string algorithm;                    // "ECCP384", from the attested public key
    std::optional<std::uint32_t> serial;      // 1.3.6.1.4.1.41482.3.7 (INTEGER)
    std::string firmware;                     // 1.3.6.1.4.1.41482.3.3 (3 bytes), "5.4.3"
    std::string pin_policy;                   // 1.3.6.1.4.1.41482.3.8 byte 0: "always", ...
    std::string touch_policy;                 // 1.3.6.1.4.1.41482.3.8 byte 1: "always", ...
    std::optional<std::uint8_t> form_factor;  // 1.3.6.1.4.1.41482.3.9 (1 byte)
    std::string form_factor_name;             // "usb-a-keychain", ... ("" when absent)
    std::string origin = "generated";
    std::string public_key_id;  // sha256 hex of the attested SPKI DER
    std::vector<std::uint8_t> spki_der;
    std::vector<std::string> chain_subjects;  // leaf first, root last
    std::string root_subject;
    std::string root_sha256;  // fingerprint of the anchor the chain ended in
};

// The pair otasign exports: attestation certificate then f9 certificate, both PEM.
std::string attestation_bundle_pem(const std::vector<std::uint8_t>& attestation_der,
                                   const std::vector<std::uint8_t>& device_der);

// Splits a bundle PEM into its DER certificates (in file order). Errors: InvalidInput.
Result<std::vector<std::vector<std::uint8_t>>> read_pem_certificates(std::string_view pem,
                                                                     std::string_view name);

// Verifies attestation <- f9 <- [intermediates under roots_dir/intermediates] <- a root in
// roots_dir/*.pem, and reads Yubico's extensions. Validity dates are not checked: the
// attestation states how a key was made, which stays true after the f9 certificate's dates.
// Errors: PolicyViolation (chain does not verify, naming why), InvalidInput (malformed
// certificate or extension, empty roots folder).
Result<AttestationReport> verify_attestation(const std::vector<std::uint8_t>& attestation_der,
                                             const std::vector<std::uint8_t>& device_der,
                                             const std::filesystem::path& roots_dir);

// verify_attestation over a bundle as written by attestation_bundle_pem. Errors: as above.
Result<AttestationReport> verify_attestation_bundle(std::string_view pem, std::string_view name,
                                                    const std::filesystem::path& roots_dir);

// verify_attestation_bundle against anchors and intermediates held in memory (a trust policy
// embeds them, so verification needs no files beside the policy). Errors: as above.
Result<AttestationReport> verify_attestation_bundle(
    std::string_view pem, std::string_view name,
    const std::vector<std::vector<std::uint8_t>>& root_ders,
    const std::vector<std::vector<std::uint8_t>>& intermediate_ders);

// What a trust policy can demand of an attested key (the hook for policy/verify): the
// attested key must be `key_id`, and its origin and policies must be the listed ones.
struct AttestationRequirements {
    std::string key_id;  // required: the key the signature was made with
    bool require_generated = true;
    std::vector<std::string> allowed_pin_policies = {"always"};
    std::vector<std::string> allowed_touch_policies = {"always"};
    std::optional<std::uint32_t> serial;  // when the policy pins the key to a card
};
// Checks a verified report against the requirements, naming every unmet one.
// Errors: PolicyViolation.
Status check_attestation_requirements(const AttestationReport& report,
                                      const AttestationRequirements& required);

}  // namespace otasign::piv
