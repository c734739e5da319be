#include "piv_sign_evidence.hpp"

#include "piv/attestation.hpp"
#include "piv/device.hpp"
#include "pkcs11/key.hpp"

namespace otasign::cli {

std::optional<PivSigningFacts> piv_signing_facts(const std::string& key_uri,
                                                 const std::string& module_path) {
    std::string key_id;
    {
        auto key = pkcs11::open_key(key_uri, pkcs11::KeyOptions{module_path});
        if (!key.ok()) return std::nullopt;
        key_id = key->key_id();
    }
    if (key_id.empty()) return std::nullopt;
    auto located = piv::locate_key(key_id);
    if (!located.ok() || !*located) return std::nullopt;
    const piv::LocatedKey& where = **located;

    PivSigningFacts facts;
    facts.reader = where.reader;
    facts.evidence.slot = piv::slot_name(where.slot);
    facts.evidence.pin_policy = piv::pin_policy_name(where.metadata.pin_policy);
    facts.evidence.touch_policy = piv::touch_policy_name(where.metadata.touch_policy);
    facts.evidence.origin = piv::origin_name(where.metadata.origin);
    facts.evidence.serial = where.serial;
    switch (where.metadata.touch_policy) {
        case std::uint8_t(piv::TouchPolicy::always):
        case std::uint8_t(piv::TouchPolicy::cached):  // the card may ask: say so
            facts.touch = TouchRequirement::always;
            break;
        case std::uint8_t(piv::TouchPolicy::never):
            facts.touch = TouchRequirement::never;
            break;
        default:
            break;
    }

    auto device = piv::PivDevice::open(where.reader);
    if (!device.ok()) return std::nullopt;
    // status() reads the PIN's GET METADATA first: the exact count, before any PIN is sent.
    auto status = device->status();
    if (!status.ok()) return std::nullopt;
    facts.evidence.firmware = status->firmware;
    facts.pin_retries_left = status->pin_retries;
    // An imported key has no attestation; the evidence then says origin "imported" and carries
    // none, and a policy that requires attestation refuses it.
    auto attestation = device->attest(where.slot);
    auto device_cert = device->read_attestation_device_certificate();
    if (attestation.ok() && device_cert.ok())
        facts.evidence.attestation = piv::attestation_bundle_pem(*attestation, *device_cert);
    return facts;
}

}  // namespace otasign::cli
