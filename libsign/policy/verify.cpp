#include "policy/verify.hpp"

#include <algorithm>

#include "piv/attestation.hpp"

namespace otasign::policy {

namespace {

// A signature object names its signer twice (keyid, publicKey) for auditors; both must be the
// key that verified it, compared canonically, so what an auditor checks with the embedded key is
// what the policy counted.
std::string signer_mismatch(const envelope::SignatureEntry& entry, const std::string& key_id,
                            const std::string& where) {
    if (entry.key_id != key_id)
        return "the signature object's keyid " + entry.key_id + " is not the key " + key_id +
               " that verified it";
    auto embedded = envelope::public_key_from_pem(entry.public_key_pem, where + " publicKey");
    if (!embedded) return embedded.error().detail;
    if (embedded->key_id != key_id)
        return "the signature object's publicKey (key id " + embedded->key_id +
               ") is not the key " + key_id + " that verified it";
    return {};
}

}  // namespace

ManifestBinding binding_of(const manifest::LoadedManifest& m,
                           const manifest::LoadedManifest* previous) {
    const auto& r = m.manifest.release;
    ManifestBinding b{
        m.sha256_hex, m.canonical.size(), r.id, r.version, manifest::channel_name(r.channel),
        std::nullopt};
    if (previous) b.previous_sha256 = previous->sha256_hex;
    return b;
}

void bind_statement(envelope::Statement& st, const ManifestBinding& b) {
    st.manifest_sha256 = b.sha256;
    st.manifest_size = b.size;
    st.release_id = b.release_id;
    st.release_version = b.release_version;
    st.release_channel = b.release_channel;
    st.previous_sha256 = b.previous_sha256;
}

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

const char* signature_problem_name(SignatureProblem p) noexcept {
    switch (p) {
        case SignatureProblem::none:
            return "none";
        case SignatureProblem::no_role_keys:
            return "no-role-keys";
        case SignatureProblem::foreign:
            return "foreign";
        case SignatureProblem::bad_signature:
            return "bad-signature";
        case SignatureProblem::binding:
            return "binding";
        case SignatureProblem::previous_binding:
            return "previous-binding";
        case SignatureProblem::token_serial:
            return "token-serial";
        case SignatureProblem::attestation:
            return "attestation";
    }
    return "unknown";
}

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
    auto channel = manifest::channel_from_name(binding.release_channel);
    RoleRequirements req = channel ? policy.requirements(role, *channel) : RoleRequirements{};
    if (!channel) {
        req.threshold = rp.threshold;
        req.threshold_source = std::string("role ") + role_name(role);
        req.attestation = rp.attestation;
    }
    out.role = role;
    out.threshold = req.threshold;
    out.threshold_source = req.threshold_source;
    out.role_keys = rp.keys.size();
    for (std::size_t i = 0; i < bundle.signatures.size(); ++i) {
        const auto& entry = bundle.signatures[i];
        SignatureCheck check;
        check.index = i;
        check.claimed_key_id = entry.key_id;
        std::string where = std::string(source) + " signature " + std::to_string(i);
        // Every role key is tried: the claimed key id is a hint an attacker controls, and
        // counting by the verifying key (canonical id) makes "one key under two ids" count once.
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
        const PolicyKey* pk = check.statement ? rp.find(check.key_id) : nullptr;
        auto fail = [&](SignatureProblem problem, std::string detail) {
            check.problem = problem;
            check.detail = std::move(detail);
        };
        if (!check.statement) {
            // The embedded key is compared by its canonical id, so re-encoding a role key does
            // not make its bad signature "foreign".
            auto embedded = envelope::public_key_from_pem(entry.public_key_pem, where);
            bool foreign = embedded && !rp.find(entry.key_id) && !rp.find(embedded->key_id);
            if (rp.keys.empty()) {
                fail(SignatureProblem::no_role_keys,
                     std::string("role ") + role_name(role) + " has no keys");
            } else if (foreign) {
                check.foreign = true;
                fail(SignatureProblem::foreign,
                     "by a key outside role " + std::string(role_name(role)) + " (not counted)");
            } else {
                fail(SignatureProblem::bad_signature,
                     "no key of role " + std::string(role_name(role)) + " verifies it" +
                         (first_failure.empty() ? std::string() : ": " + first_failure));
            }
        } else if (std::string m = signer_mismatch(entry, check.key_id, where); !m.empty()) {
            fail(SignatureProblem::bad_signature, m);
        } else if (std::string p = binding_problem(*check.statement, binding); !p.empty()) {
            fail(SignatureProblem::binding, p);
        } else if (binding.previous_sha256 &&
                   check.statement->previous_sha256 != binding.previous_sha256) {
            fail(SignatureProblem::previous_binding,
                 check.statement->previous_sha256
                     ? "the operator approved the diff against previous release sha256:" +
                           *check.statement->previous_sha256 +
                           ", not sha256:" + *binding.previous_sha256
                     : "the operator approved it as a first release (no previousManifest), but "
                       "the previous release is sha256:" +
                           *binding.previous_sha256);
        } else if (pk && pk->token_serial &&
                   *pk->token_serial != check.statement->approval.token.serial &&
                   !(check.statement->approval.piv &&
                     *pk->token_serial == std::to_string(check.statement->approval.piv->serial))) {
            // PKCS#11 modules disagree on a YubiKey's token serial (OpenSC derives one from the
            // CHUID, ykcs11 prints the card serial); the card serial in approval.piv also counts.
            fail(SignatureProblem::token_serial,
                 "key " + pk->name + " must be used on token serial " + *pk->token_serial +
                     ", the statement names serial " + check.statement->approval.token.serial);
        } else if (req.attestation && !(check.attestation = check_attestation(
                                            check.statement->approval.piv, check.key_id,
                                            *req.attestation, policy, where))
                                           ->ok) {
            fail(SignatureProblem::attestation, "attestation required by " +
                                                    req.attestation_source +
                                                    " not satisfied: " + check.attestation->detail);
        } else {
            check.ok = true;
            if (std::find(out.distinct_keys.begin(), out.distinct_keys.end(), check.key_id) ==
                out.distinct_keys.end())
                out.distinct_keys.push_back(check.key_id);
        }
        out.signatures.push_back(std::move(check));
    }
    out.threshold_met =
        out.threshold <= rp.keys.size() && out.distinct_keys.size() >= out.threshold;
    return out;
}

}  // namespace otasign::policy
