#include "signing/piv_facts.hpp"

#include "piv/attestation.hpp"
#include "piv/device.hpp"

namespace otasign::signing {

TouchRequirement touch_requirement(std::uint8_t touch_policy) noexcept {
    switch (touch_policy) {
        case std::uint8_t(piv::TouchPolicy::always):
        case std::uint8_t(piv::TouchPolicy::cached):  // the card may ask: say so
            return TouchRequirement::always;
        case std::uint8_t(piv::TouchPolicy::never):
            return TouchRequirement::never;
        default:
            return TouchRequirement::unknown;  // "default" depends on slot and firmware
    }
}

Result<std::optional<PivFacts>> read_piv_facts(std::string_view key_id) {
    if (key_id.empty()) return std::optional<PivFacts>{};
    auto found = piv::find_key_on_card(key_id);
    // No PC/SC service (a workstation with only SoftHSM) is "no card holds it", not a failure.
    if (!found.ok() || !*found) return std::optional<PivFacts>{};
    const piv::LocatedKey& where = (*found)->where;
    piv::PivDevice& device = (*found)->device;

    PivFacts facts;
    facts.reader = where.reader;
    facts.evidence.slot = piv::slot_name(where.slot);
    facts.evidence.pin_policy = piv::pin_policy_name(where.metadata.pin_policy);
    facts.evidence.touch_policy = piv::touch_policy_name(where.metadata.touch_policy);
    facts.evidence.origin = piv::origin_name(where.metadata.origin);
    facts.evidence.serial = where.serial;
    facts.touch = touch_requirement(where.metadata.touch_policy);

    // status() reads the PIN's GET METADATA first: the exact count, before any PIN is sent.
    auto status = device.status(piv::StatusScope::card);
    if (!status.ok()) {
        const std::string card =
            where.serial ? "card " + std::to_string(where.serial) + " in '" + where.reader + "'"
                         : "the card in '" + where.reader + "'";
        return make_error(ErrorCode::TokenError,
                          card +
                              " holds the signing key, but its status (firmware, PIN retry "
                              "count) could not be read: " +
                              status.error().detail + "; nothing was signed",
                          "reinsert the card and try again");
    }
    facts.evidence.firmware = status->firmware;
    facts.pin_retries_left = status->pin_retries;
    auto attestation = device.attest(where.slot);
    if (!attestation.ok()) {
        facts.attestation_unread = attestation.error();
        return std::optional<PivFacts>(std::move(facts));
    }
    auto device_cert = device.read_attestation_device_certificate();
    if (!device_cert.ok()) {
        facts.attestation_unread = device_cert.error();
        return std::optional<PivFacts>(std::move(facts));
    }
    facts.evidence.attestation = piv::attestation_bundle_pem(*attestation, *device_cert);
    return std::optional<PivFacts>(std::move(facts));
}

}  // namespace otasign::signing
