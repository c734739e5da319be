#include "policy/verify.hpp"

#include <algorithm>

#include "piv/attestation.hpp"

namespace otasign::policy {

namespace {

std::string binding_problem(const envelope::Statement& st, const ManifestBinding& b) {
    if (st.manifest_sha256 != b.sha256)
        return "the statement signs manifest sha256:" + st.manifest_sha256 +
               ", not sha256:" + b.sha256;
    if (st.manifest_size != b.size)
        return "the statement names a manifest of " + std::to_string(st.manifest_size) +
               " bytes, not " + std::to_string(b.size);
    if (st.release_id != b.release_id || st.release_version != b.release_version ||
        st.release_channel != b.release_channel)
        return "the statement names release " + st.release_id + " " + st.release_version + " (" +
               st.release_channel + "), not " + b.release_id + " " + b.release_version + " (" +
               b.release_channel + ")";
    return {};
}

}  // namespace

AttestationCheck check_attestation(const std::optional<envelope::PivEvidence>& piv,
                                   const std::string& key_id,
                                   const AttestationRequirement& required, const Policy& policy,
                                   const std::string& where) {
    AttestationCheck out;
    if (!piv || !piv->attestation) {
        out.detail =
            "the statement carries no PIV attestation (the key is not on a PIV card, "
            "or was imported)";
        return out;
    }
    auto report =
        piv::verify_attestation_bundle(*piv->attestation, where + " attestation",
                                       policy.attestation_roots, policy.attestation_intermediates);
    if (!report) {
        out.detail = report.error().detail;
        return out;
    }
    out.slot = report->slot;
    out.pin_policy = report->pin_policy;
    out.touch_policy = report->touch_policy;
    out.origin = report->origin;
    out.firmware = report->firmware;
    out.serial = report->serial;
    out.root_subject = report->root_subject;
    piv::AttestationRequirements req;
    req.key_id = key_id;
    req.require_generated = required.require_generated;
    req.allowed_pin_policies = required.pin_policies;
    req.allowed_touch_policies = required.touch_policies;
    if (auto met = piv::check_attestation_requirements(*report, req); !met) {
        out.detail = met.error().detail;
        return out;
    }
    out.ok = true;
    out.detail = "slot " + report->slot + " of card " +
                 (report->serial ? std::to_string(*report->serial) : std::string("?")) +
                 ", chains to " + report->root_subject;
    return out;
}

BundleVerification verify_bundle(const envelope::Bundle& bundle, const Policy& policy, Role role,
                                 const ManifestBinding& binding, std::string_view source) {
    BundleVerification out;
    const RolePolicy& rp = policy.role(role);
    out.role = role;
    out.threshold = rp.threshold;
    out.role_keys = rp.keys.size();
    for (std::size_t i = 0; i < bundle.signatures.size(); ++i) {
        const auto& entry = bundle.signatures[i];
        SignatureCheck check;
        check.index = i;
        check.claimed_key_id = entry.key_id;
        std::string where = std::string(source) + " signature " + std::to_string(i);
        // Every role key is tried: the claimed key id is a hint an attacker controls, and
        // counting by the verifying key makes "one key under two ids" count once.
        std::string first_failure;
        for (const auto& pk : rp.keys) {
            auto st = envelope::open_entry(entry, pk.key, where);
            if (!st) {
                if (pk.key.key_id == entry.key_id || first_failure.empty())
                    first_failure = st.error().detail;
                continue;
            }
            check.key_id = pk.key.key_id;
            check.key_name = pk.name;
            check.statement = std::move(st).value();
            break;
        }
        if (!check.statement) {
            check.detail = rp.keys.empty()
                               ? std::string("role ") + role_name(role) + " has no keys"
                               : "no key of role " + std::string(role_name(role)) + " verifies it";
            if (rp.find(entry.key_id) && !first_failure.empty())
                check.detail += ": " + first_failure;
            auto embedded = envelope::public_key_from_pem(entry.public_key_pem, where);
            check.foreign = !rp.keys.empty() && !rp.find(entry.key_id) && embedded &&
                            !rp.find(embedded->key_id);
        } else if (std::string p = binding_problem(*check.statement, binding); !p.empty()) {
            check.detail = p;
        } else if (const PolicyKey* pk = rp.find(check.key_id);
                   pk && pk->token_serial &&
                   *pk->token_serial != check.statement->approval.token.serial &&
                   !(check.statement->approval.piv &&
                     *pk->token_serial == std::to_string(check.statement->approval.piv->serial))) {
            // PKCS#11 modules disagree on a YubiKey's token serial (OpenSC derives one from the
            // CHUID, ykcs11 prints the card serial); the card serial in approval.piv also counts.
            check.detail = "key " + pk->name + " must be used on token serial " +
                           *pk->token_serial + ", the statement names serial " +
                           check.statement->approval.token.serial;
        } else if (rp.attestation && !(check.attestation = check_attestation(
                                           check.statement->approval.piv, check.key_id,
                                           *rp.attestation, policy, where))
                                          ->ok) {
            check.detail = "attestation required by role " + std::string(role_name(role)) +
                           " not satisfied: " + check.attestation->detail;
        } else {
            check.ok = true;
            if (std::find(out.distinct_keys.begin(), out.distinct_keys.end(), check.key_id) ==
                out.distinct_keys.end())
                out.distinct_keys.push_back(check.key_id);
        }
        out.signatures.push_back(std::move(check));
    }
    out.threshold_met = rp.threshold <= rp.keys.size() && out.distinct_keys.size() >= rp.threshold;
    return out;
}

}  // namespace otasign::policy
