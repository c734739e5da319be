#include "airgap/merge.hpp"

#include "json/canonical.hpp"
#include "policy/verify.hpp"

namespace otasign::airgap {
namespace {

std::string entry_id(const envelope::SignatureEntry& e) {
    return json::canonicalize(envelope::entry_to_json(e));
}

// Opens `e` with its own key and checks that its statement binds the manifest of `binding`;
// returns the key id.
Result<std::string> check_binding(const envelope::SignatureEntry& e,
                                  const policy::ManifestBinding& binding,
                                  const std::string& where) {
    auto st = envelope::open_entry_self(e, where);
    if (!st) return make_error(st.error().code, st.error().detail, "nothing was merged");
    if (std::string p = policy::binding_problem(*st, binding); !p.empty())
        return make_error(ErrorCode::PolicyViolation,
                          where + " belongs to another manifest, not this manifest: " + p +
                              "; nothing was merged",
                          "a response belongs to the manifest of the request it answers");
    return st->key_id;
}

}  // namespace

Result<MergeResult> merge_responses(const manifest::LoadedManifest& m, const policy::Policy* pol,
                                    const envelope::Bundle& existing,
                                    std::string_view existing_source,
                                    const std::vector<Response>& responses) {
    MergeResult out;
    out.bundle = existing;
    out.existing = existing.signatures.size();
    const policy::ManifestBinding binding = policy::binding_of(m);
    std::vector<std::string> ids, keys;
    for (std::size_t i = 0; i < existing.signatures.size(); ++i) {
        const std::string where = std::string(existing_source) + " signature " + std::to_string(i);
        OTASIGN_ASSIGN_OR_RETURN(std::string key,
                                 check_binding(existing.signatures[i], binding, where));
        ids.push_back(entry_id(existing.signatures[i]));
        keys.push_back(std::move(key));
    }
    for (const auto& resp : responses) {
        for (std::size_t i = 0; i < resp.bundle.signatures.size(); ++i) {
            const envelope::SignatureEntry& e = resp.bundle.signatures[i];
            const std::string where = resp.source + " signature " + std::to_string(i);
            OTASIGN_ASSIGN_OR_RETURN(std::string key, check_binding(e, binding, where));
            std::string id = entry_id(e);
            if (std::find(ids.begin(), ids.end(), id) != ids.end()) {
                ++out.duplicates;
                continue;
            }
            if (std::find(keys.begin(), keys.end(), key) != keys.end())
                return make_error(ErrorCode::PolicyViolation,
                                  where + " is a second, different signature by key " + key +
                                      ", which signed this manifest in the bundle already; "
                                      "nothing was merged",
                                  "existing signatures are never replaced; one key counts once");
            if (pol) {
                envelope::Bundle one;
                one.signatures.push_back(e);
                policy::BundleVerification v =
                    policy::verify_bundle(one, *pol, policy::Role::manifest, binding, where);
                const policy::SignatureCheck& c = v.signatures.at(0);
                if (!c.ok)
                    return make_error(
                        ErrorCode::PolicyViolation,
                        where + " does not count for the manifest role: " +
                            (c.detail.empty()
                                 ? std::string(policy::signature_problem_name(c.problem))
                                 : c.detail) +
                            "; nothing was merged",
                        "merge only signatures by keys of the policy's manifest "
                        "role");
            }
            if (out.bundle.signatures.size() >= envelope::kMaxBundleSignatures)
                return make_error(ErrorCode::InvalidInput,
                                  "the merged bundle would hold more than " +
                                      std::to_string(envelope::kMaxBundleSignatures) +
                                      " signatures; nothing was merged");
            out.bundle.signatures.push_back(e);
            ids.push_back(std::move(id));
            keys.push_back(std::move(key));
            ++out.added;
        }
    }
    return out;
}

}  // namespace otasign::airgap
