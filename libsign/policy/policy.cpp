#include "policy/policy.hpp"

#include <openssl/x509.h>

#include <set>

#include "core/ossl.hpp"
#include "core/words.hpp"
#include "envelope/schema_check.hpp"
#include "json/kind.hpp"
#include "piv/attestation.hpp"

namespace otasign::policy {

const char* role_name(Role role) noexcept {
    return role == Role::manifest ? "manifest" : "release";
}

Result<Role> role_from_name(std::string_view name) {
    if (name == "manifest") return Role::manifest;
    if (name == "release") return Role::release;
    return make_error(ErrorCode::Usage, "unknown role '" + std::string(name) + "'",
                      "roles are 'manifest' and 'release'");
}

const PolicyKey* RolePolicy::find(std::string_view key_id) const {
    for (const auto& k : keys)
        if (k.key.key_id == key_id) return &k;
    return nullptr;
}

AttestationRequirement default_channel_attestation() {
    AttestationRequirement r;
    r.require_generated = true;
    r.pin_policies = {"once", "always", "match-once", "match-always"};
    r.touch_policies = {"always", "cached"};
    return r;
}

const ChannelRule* Policy::channel(manifest::Channel c) const {
    auto it = channels.find(c);
    return it == channels.end() ? nullptr : &it->second;
}

RoleRequirements Policy::requirements(Role r, manifest::Channel c) const {
    RoleRequirements out;
    const RolePolicy& rp = role(r);
    out.threshold = rp.threshold;
    out.threshold_source = std::string("role ") + role_name(r);
    if (rp.attestation) {
        out.attestation = rp.attestation;
        out.attestation_source = std::string("role ") + role_name(r);
    }
    const ChannelRule* rule = channel(c);
    if (r != Role::manifest || !rule) return out;
    if (rule->threshold && *rule->threshold > out.threshold) {
        out.threshold = *rule->threshold;
        out.threshold_source = std::string("channel ") + manifest::channel_name(c);
    }
    if (rule->require_attestation && !out.attestation) {
        out.attestation = default_channel_attestation();
        out.attestation_source = std::string("channel ") + manifest::channel_name(c);
    }
    return out;
}

namespace {
Result<Policy> read_policy(std::string_view bytes, std::string_view source) {
    OTASIGN_ASSIGN_OR_RETURN(json::Document doc, json::parse_strict(bytes, source));
    OTASIGN_TRY(envelope::validate_schema(doc, envelope::Schema::policy, source));
    Policy policy;
    std::set<std::string> seen_in_other;
    for (Role r : {Role::manifest, Role::release}) {
        RolePolicy& rp = r == Role::manifest ? policy.manifest : policy.release;
        const json::Value& role = doc.value["roles"][role_name(r)];
        rp.threshold = role["threshold"].get<std::uint32_t>();
        const json::Value& keys = role["keys"];
        std::set<std::string> seen;
        for (std::size_t i = 0; i < keys.size(); ++i) {
            std::string pointer =
                std::string("/roles/") + role_name(r) + "/keys/" + std::to_string(i);
            std::string at = json::where(source, doc.position_of(pointer + "/publicKey"));
            auto key = envelope::public_key_from_pem(keys[i]["publicKey"].get<std::string>(), at);
            if (!key)
                return make_error(
                    ErrorCode::InvalidInput,
                    key.error().detail + " (at JSON pointer " + pointer + "/publicKey)",
                    key.error().hint);
            if (!seen.insert(key->key_id).second)
                return make_error(ErrorCode::InvalidInput,
                                  at + ": key " + key->key_id + " is listed twice in role " +
                                      role_name(r) + " (at JSON pointer " + pointer + "/publicKey)",
                                  "thresholds count distinct keys; list each key once");
            if (r == Role::release && policy.manifest.find(key->key_id))
                return make_error(
                    ErrorCode::InvalidInput,
                    at + ": key " + key->key_id +
                        " is in both the manifest and the release role (at JSON pointer " +
                        pointer + "/publicKey)",
                    "the manifest-signing and release-signing authorities must use distinct keys");
            PolicyKey pk;
            pk.name = keys[i]["name"].get<std::string>();
            if (keys[i].contains("tokenSerial"))
                pk.token_serial = keys[i]["tokenSerial"].get<std::string>();
            pk.key = std::move(key).value();
            rp.keys.push_back(std::move(pk));
        }
    }
    for (const char* member : {"attestationRoots", "attestationIntermediates"}) {
        if (!doc.value.contains(member)) continue;
        const json::Value& list = doc.value[member];
        auto& out = std::string_view(member) == "attestationRoots"
                        ? policy.attestation_roots
                        : policy.attestation_intermediates;
        for (std::size_t i = 0; i < list.size(); ++i) {
            std::string pointer = "/" + std::string(member) + "/" + std::to_string(i);
            std::string at = json::where(source, doc.position_of(pointer));
            auto ders = piv::read_pem_certificates(list[i].get<std::string>(), at);
            if (!ders)
                return make_error(ErrorCode::InvalidInput,
                                  ders.error().detail + " (at JSON pointer " + pointer + ")");
            for (auto& der : *ders) {
                const unsigned char* q = der.data();
                ossl::Ptr<X509> cert(d2i_X509(nullptr, &q, long(der.size())));
                if (!cert || q != der.data() + der.size())
                    return make_error(
                        ErrorCode::InvalidInput,
                        at + ": not a valid X.509 certificate (at JSON pointer " + pointer + ")");
                out.push_back(std::move(der));
            }
        }
    }
    for (Role r : {Role::manifest, Role::release}) {
        const json::Value& role = doc.value["roles"][role_name(r)];
        if (!role.contains("requireAttestation")) continue;
        const json::Value& req = role["requireAttestation"];
        AttestationRequirement ar;
        ar.require_generated = req["origin"] == "generated";
        for (const auto& v : req["pinPolicy"]) ar.pin_policies.push_back(v.get<std::string>());
        for (const auto& v : req["touchPolicy"]) ar.touch_policies.push_back(v.get<std::string>());
        if (policy.attestation_roots.empty()) {
            std::string pointer = std::string("/roles/") + role_name(r) + "/requireAttestation";
            return make_error(ErrorCode::InvalidInput,
                              json::where(source, doc.position_of(pointer)) + ": role " +
                                  role_name(r) +
                                  " requires attestation but the policy has no attestationRoots "
                                  "(at JSON pointer " +
                                  pointer + ")",
                              "add the roots with 'otasign policy require-attestation --root PEM'");
        }
        (r == Role::manifest ? policy.manifest : policy.release).attestation = std::move(ar);
    }
    if (doc.value.contains("options") && doc.value["options"].contains("maxExpiryDays"))
        policy.max_expiry_days = doc.value["options"]["maxExpiryDays"].get<std::uint32_t>();
    policy.version = doc.value["policyVersion"].get<int>();
    if (doc.value.contains("channels")) {
        for (const auto& [name, rule_json] : doc.value["channels"].items()) {
            std::string pointer = "/channels/" + name;
            std::string at = json::where(source, doc.position_of(pointer));
            auto channel = manifest::channel_from_name(name);
            if (!channel)  // the schema lists the names; kept as a guard
                return make_error(ErrorCode::InvalidInput,
                                  at + ": unknown channel (at JSON pointer " + pointer + ")");
            ChannelRule rule;
            if (rule_json.contains("threshold")) {
                rule.threshold = rule_json["threshold"].get<std::uint32_t>();
                if (*rule.threshold < policy.manifest.threshold)
                    return make_error(ErrorCode::InvalidInput,
                                      json::where(source, doc.position_of(pointer + "/threshold")) +
                                          ": channel " + name + " threshold " +
                                          std::to_string(*rule.threshold) +
                                          " is below the manifest role's " +
                                          std::to_string(policy.manifest.threshold) +
                                          " (at JSON pointer " + pointer + "/threshold)",
                                      "a channel may only raise the role's threshold");
            }
            if (rule_json.contains("maxValidityDays"))
                rule.max_validity_days = rule_json["maxValidityDays"].get<std::uint32_t>();
            if (rule_json.contains("requireAttestation"))
                rule.require_attestation = rule_json["requireAttestation"].get<bool>();
            if (rule.require_attestation && policy.attestation_roots.empty())
                return make_error(
                    ErrorCode::InvalidInput,
                    at + ": channel " + name +
                        " requires attestation but the policy has no attestationRoots (at JSON "
                        "pointer " +
                        pointer + "/requireAttestation)",
                    "add the roots with 'otasign policy require-attestation --root PEM'");
            if (rule_json.contains("allowedPrevious")) {
                rule.allowed_previous.emplace();
                for (const auto& c : rule_json["allowedPrevious"])
                    rule.allowed_previous->push_back(
                        *manifest::channel_from_name(c.get<std::string>()));
            }
            policy.channels.emplace(*channel, std::move(rule));
        }
    }
    policy.document = std::move(doc.value);
    return policy;
}

}  // namespace

Result<Policy> parse_policy(std::string_view bytes, std::string_view source) {
    auto p = read_policy(bytes, source);
    if (!p)
        return json::name_other_kind(std::move(p).error(), bytes, source,
                                     json::DocumentKind::policy);
    return p;
}

json::Value empty_policy_document() {
    json::Value role = {{"threshold", 1}, {"keys", json::Value::array()}};
    return json::Value{{"policyVersion", kPolicyVersion},
                       {"roles", {{"manifest", role}, {"release", role}}},
                       {"channels", json::Value::object()}};
}

std::string serialize_policy(const json::Value& document) { return document.dump(2) + "\n"; }

Result<json::Value> add_key(const json::Value& document, Role role, std::string_view public_key_pem,
                            std::string_view name, std::optional<std::string> token_serial,
                            std::string_view source) {
    OTASIGN_ASSIGN_OR_RETURN(envelope::PublicKey key,
                             envelope::public_key_from_pem(public_key_pem, source));
    OTASIGN_ASSIGN_OR_RETURN(Policy current, parse_policy(serialize_policy(document), "policy"));
    for (Role r : {Role::manifest, Role::release})
        if (current.role(r).find(key.key_id))
            return make_error(
                ErrorCode::InvalidInput,
                std::string(source) + ": key " + key.key_id + " is already in role " + role_name(r),
                r == role ? "each key is listed once"
                          : "the manifest and release authorities must use distinct keys");
    const std::string key_name = name.empty() ? key.key_id.substr(0, 16) : std::string(name);
    // A name stands for one key in reports and evidence: two keys of one name are ambiguous.
    for (Role r : {Role::manifest, Role::release})
        for (const PolicyKey& k : current.role(r).keys)
            if (k.name == key_name)
                return make_error(ErrorCode::InvalidInput,
                                  std::string(source) + ": the name '" + key_name +
                                      "' is already used by key " + k.key.key_id + " in role " +
                                      role_name(r),
                                  "pick another --name; each key's name is unique in a policy");
    json::Value entry = {{"name", key_name}, {"publicKey", key.pem}};
    if (token_serial) entry["tokenSerial"] = *token_serial;
    json::Value out = document;
    out["roles"][role_name(role)]["keys"].push_back(entry);
    OTASIGN_TRY(parse_policy(serialize_policy(out), "the updated policy"));
    return out;
}

Result<json::Value> set_threshold(const json::Value& document, Role role, std::uint32_t threshold,
                                  std::string_view source) {
    const auto& keys = document["roles"][role_name(role)]["keys"];
    if (threshold < 1 || threshold > keys.size())
        return make_error(ErrorCode::InvalidInput,
                          std::string(source) + ": threshold " + std::to_string(threshold) +
                              " for role " + role_name(role) +
                              " must be between 1 and the number of its keys (" +
                              std::to_string(keys.size()) + ")",
                          "add keys first with 'otasign policy add-key'");
    json::Value out = document;
    out["roles"][role_name(role)]["threshold"] = threshold;
    OTASIGN_TRY(parse_policy(serialize_policy(out), "the updated policy"));
    return out;
}

Result<json::Value> require_attestation(const json::Value& document, Role role,
                                        const AttestationRequirement& requirement,
                                        const std::vector<std::string>& root_pems,
                                        const std::vector<std::string>& intermediate_pems,
                                        std::string_view source) {
    if (root_pems.empty())
        return make_error(ErrorCode::InvalidInput,
                          std::string(source) + ": no attestation root certificate given",
                          "pass --roots DIR (its *.pem files) or --root PEM");
    json::Value out = document;
    out["attestationRoots"] = root_pems;
    if (intermediate_pems.empty())
        out.erase("attestationIntermediates");
    else
        out["attestationIntermediates"] = intermediate_pems;
    json::Value req = {{"origin", "generated"},
                       {"pinPolicy", requirement.pin_policies},
                       {"touchPolicy", requirement.touch_policies}};
    out["roles"][role_name(role)]["requireAttestation"] = req;
    OTASIGN_TRY(parse_policy(serialize_policy(out), "the updated policy"));
    return out;
}

Result<json::Value> upgrade(const json::Value& document, std::string_view source) {
    json::Value out = document;
    if (out["policyVersion"] == 1) {
        out["policyVersion"] = kPolicyVersion;
        out["channels"] = json::Value::object();
    }
    OTASIGN_TRY(parse_policy(serialize_policy(out), source));
    return out;
}

Result<json::Value> set_channel_rule(const json::Value& document, manifest::Channel channel,
                                     const ChannelEdit& edit, std::string_view source) {
    if (document["policyVersion"] != kPolicyVersion)
        return make_error(ErrorCode::InvalidInput,
                          std::string(source) + ": channel rules need policyVersion " +
                              std::to_string(kPolicyVersion) + ", this policy has version " +
                              document["policyVersion"].dump(),
                          "run 'otasign policy upgrade POLICY' first");
    json::Value out = document;
    json::Value& rule = out["channels"][manifest::channel_name(channel)];
    if (rule.is_null()) rule = json::Value::object();
    if (edit.threshold) rule["threshold"] = *edit.threshold;
    if (edit.max_validity_days) rule["maxValidityDays"] = *edit.max_validity_days;
    if (edit.require_attestation) rule["requireAttestation"] = *edit.require_attestation;
    if (edit.allowed_previous) {
        json::Value list = json::Value::array();
        for (manifest::Channel c : *edit.allowed_previous)
            list.push_back(manifest::channel_name(c));
        rule["allowedPrevious"] = list;
    }
    OTASIGN_TRY(parse_policy(serialize_policy(out), std::string(source) + " (edited)"));
    return out;
}

std::string describe(const Policy& policy) {
    std::string out = "policyVersion " + std::to_string(policy.version) + "\n";
    for (Role r : {Role::manifest, Role::release}) {
        const RolePolicy& rp = policy.role(r);
        out += std::string("role ") + role_name(r) + ": threshold " + std::to_string(rp.threshold) +
               " of " + plural(rp.keys.size(), "key");
        if (rp.threshold > rp.keys.size()) out += " (UNREACHABLE: add keys)";
        out += "\n";
        for (const auto& k : rp.keys) {
            out += "  - " + k.name + "\n    key id    " + k.key.key_id + "\n    algorithm " +
                   envelope::sig_alg_name(k.key.alg) + "\n";
            if (k.token_serial) out += "    token     serial " + *k.token_serial + "\n";
        }
        if (rp.attestation) {
            auto join = [](const std::vector<std::string>& v) {
                std::string j;
                for (const auto& x : v) j += (j.empty() ? "" : ",") + x;
                return j;
            };
            out += "  requires PIV attestation: origin generated, PIN policy " +
                   join(rp.attestation->pin_policies) + ", touch policy " +
                   join(rp.attestation->touch_policies) + "\n";
        }
    }
    if (!policy.attestation_roots.empty())
        out += "attestation roots: " + plural(policy.attestation_roots.size(), "certificate") +
               ", intermediates: " + std::to_string(policy.attestation_intermediates.size()) + "\n";
    for (const auto& [channel, rule] : policy.channels) {
        out += std::string("channel ") + manifest::channel_name(channel) + ":";
        RoleRequirements req = policy.requirements(Role::manifest, channel);
        out += " manifest threshold " + std::to_string(req.threshold) + " (" +
               req.threshold_source + ")";
        if (rule.max_validity_days)
            out += ", validity at most " + std::to_string(*rule.max_validity_days) + " days";
        if (req.attestation) out += ", attested PIV keys required (" + req.attestation_source + ")";
        if (rule.allowed_previous) {
            out += ", may follow";
            for (std::size_t i = 0; i < rule.allowed_previous->size(); ++i)
                out += std::string(i ? "," : " ") +
                       manifest::channel_name((*rule.allowed_previous)[i]);
        }
        out += "\n";
    }
    out += "maxExpiryDays: " +
           (policy.max_expiry_days ? std::to_string(*policy.max_expiry_days)
                                   : std::string("not set")) +
           "\n";
    return out;
}

}  // namespace otasign::policy
