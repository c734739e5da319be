#include <catch2/catch.hpp>
#include <functional>

#include "core/atomic_file.hpp"
#include "envelope/testkeys.hpp"
#include "policy/policy.hpp"
#include "policy/verify.hpp"

using namespace otasign;
using namespace otasign::policy;
using envelope::Statement;

namespace {

Statement statement_for(const envelope::PublicKey& key, const ManifestBinding& b,
                        std::string serial = "SERIAL1") {
    Statement s;
    bind_statement(s, b);
    s.shown_text_sha256 = std::string(64, 'c');
    s.key_id = key.key_id;
    s.algorithm = envelope::sig_alg_name(key.alg);
    s.approval.operator_name = "op";
    s.approval.time = "2026-11-23T19:00:00Z";
    s.approval.token.serial = std::move(serial);
    s.approval.pin_status = "ok";
    s.approval.tool = "otasign test";
    return s;
}

ManifestBinding binding() {
    return {std::string(64, 'a'), 100, "rel", "2.0.0", "stable", std::nullopt};
}

envelope::SignatureEntry sign_with(const test::TestKey& k, std::string serial = "SERIAL1") {
    return *envelope::make_entry(statement_for(k.pub, binding(), std::move(serial)), k.pub,
                                 k.signer());
}

Policy policy_with(const std::vector<const test::TestKey*>& manifest_keys, std::uint32_t threshold,
                   const std::vector<const test::TestKey*>& release_keys = {}) {
    json::Value doc = empty_policy_document();
    for (auto* k : manifest_keys)
        doc = *add_key(doc, Role::manifest, k->pub.pem, "", std::nullopt, "k");
    for (auto* k : release_keys)
        doc = *add_key(doc, Role::release, k->pub.pem, "", std::nullopt, "k");
    doc = *set_threshold(doc, Role::manifest, threshold, "p");
    auto p = parse_policy(serialize_policy(doc), "p");
    REQUIRE(p.ok());
    return std::move(p).value();
}

}  // namespace

TEST_CASE("policy: a key in both roles makes the policy invalid", "[policy]") {
    auto k = test::make_key();
    json::Value doc = empty_policy_document();
    doc = *add_key(doc, Role::manifest, k.pub.pem, "a", std::nullopt, "k");
    SECTION("refused by add-key") {
        auto r = add_key(doc, Role::release, k.pub.pem, "a", std::nullopt, "k");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().detail.find("already in role manifest") != std::string::npos);
    }
    SECTION("refused when loading a hand-edited file") {
        doc["roles"]["release"]["keys"].push_back(doc["roles"]["manifest"]["keys"][0]);
        auto r = parse_policy(serialize_policy(doc), "p.json");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == ErrorCode::InvalidInput);
        CHECK(r.error().detail.find("both the manifest and the release role") != std::string::npos);
        CHECK(r.error().detail.find("/roles/release/keys/0/publicKey") != std::string::npos);
        CHECK(r.error().detail.find("p.json:") == 0);
    }
}

TEST_CASE("policy: schema rules", "[policy]") {
    struct Case {
        const char* name;
        std::string text;
        std::string expect;
    };
    std::vector<Case> cases = {
        {"threshold zero",
         R"({"policyVersion":1,"roles":{"manifest":{"threshold":0,"keys":[]},"release":{"threshold":1,"keys":[]}}})",
         "/roles/manifest/threshold"},
        {"unknown member",
         R"({"policyVersion":1,"roles":{"manifest":{"threshold":1,"keys":[]},"release":{"threshold":1,"keys":[]}},"foo":1})",
         "p.json:1:"},
        {"missing role", R"({"policyVersion":1,"roles":{"manifest":{"threshold":1,"keys":[]}}})",
         "/roles"},
        {"bad pem",
         R"({"policyVersion":1,"roles":{"manifest":{"threshold":1,"keys":[{"name":"a","publicKey":"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"}]},"release":{"threshold":1,"keys":[]}}})",
         "/roles/manifest/keys/0/publicKey"},
        {"duplicate member", R"({"policyVersion":1,"policyVersion":1})", "p.json:1:"},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        auto r = parse_policy(c.text, "p.json");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == ErrorCode::InvalidInput);
        CHECK(r.error().detail.find(c.expect) != std::string::npos);
    }
    // x- extension members are accepted and survive edits.
    auto ok = parse_policy(
        R"({"policyVersion":1,"x-site":"lab","options":{"maxExpiryDays":30},)"
        R"("roles":{"manifest":{"threshold":1,"keys":[],"x-note":"n"},"release":{"threshold":1,"keys":[]}}})",
        "p.json");
    REQUIRE(ok.ok());
    CHECK(ok->max_expiry_days == 30u);
    auto k = test::make_key();
    auto edited = add_key(ok->document, Role::manifest, k.pub.pem, "a", std::nullopt, "k");
    REQUIRE(edited.ok());
    CHECK((*edited)["roles"]["manifest"]["x-note"] == "n");
}

TEST_CASE("policy: threshold must be reachable", "[policy]") {
    auto k = test::make_key();
    json::Value doc =
        *add_key(empty_policy_document(), Role::manifest, k.pub.pem, "a", std::nullopt, "k");
    CHECK_FALSE(set_threshold(doc, Role::manifest, 2, "p").ok());
    CHECK_FALSE(set_threshold(doc, Role::manifest, 0, "p").ok());
    CHECK(set_threshold(doc, Role::manifest, 1, "p").ok());
}

TEST_CASE("thresholds count distinct policy keys", "[policy][verify]") {
    auto a = test::make_key();
    auto b = test::make_key("EC", "P-384");
    auto r = test::make_key("RSA");
    SECTION("1-of-2 with one signature") {
        Policy p = policy_with({&a, &b}, 1);
        envelope::Bundle bundle{{sign_with(a)}};
        auto v = verify_bundle(bundle, p, Role::manifest, binding(), "m.sig");
        CHECK(v.threshold_met);
        CHECK(v.signatures[0].ok);
    }
    SECTION("2-of-2 with both") {
        Policy p = policy_with({&a, &b}, 2);
        envelope::Bundle bundle{{sign_with(a), sign_with(b)}};
        CHECK(verify_bundle(bundle, p, Role::manifest, binding(), "m.sig").threshold_met);
    }
    SECTION("2-of-2: two signatures by one key count once") {
        Policy p = policy_with({&a, &b}, 2);
        envelope::Bundle bundle{{sign_with(a), sign_with(a)}};
        auto v = verify_bundle(bundle, p, Role::manifest, binding(), "m.sig");
        CHECK_FALSE(v.threshold_met);
        CHECK(v.distinct_keys.size() == 1);
    }
    SECTION("one key under two claimed ids counts once") {
        Policy p = policy_with({&a, &b}, 2);
        auto second = sign_with(a);
        second.key_id = b.pub.key_id;  // lies about its key
        envelope::Bundle bundle{{sign_with(a), second}};
        auto v = verify_bundle(bundle, p, Role::manifest, binding(), "m.sig");
        CHECK_FALSE(v.threshold_met);
        CHECK(v.distinct_keys.size() == 1);
    }
    SECTION("wrong role: a release key does not count for the manifest role") {
        Policy p = policy_with({&a}, 1, {&r});
        envelope::Bundle bundle{{sign_with(r)}};
        auto v = verify_bundle(bundle, p, Role::manifest, binding(), "m.sig");
        CHECK_FALSE(v.threshold_met);
        CHECK_FALSE(v.signatures[0].ok);
        CHECK(v.signatures[0].foreign);  // not counted, not a failure by itself
        CHECK(verify_bundle(bundle, p, Role::release, binding(), "m.sig").threshold_met);
    }
    SECTION("required token serial") {
        json::Value doc = *add_key(empty_policy_document(), Role::manifest, a.pub.pem, "a",
                                   std::string("SERIAL1"), "k");
        Policy p = parse_policy(serialize_policy(doc), "p").value();
        CHECK(verify_bundle(envelope::Bundle{{sign_with(a)}}, p, Role::manifest, binding(), "s")
                  .threshold_met);
        auto v = verify_bundle(envelope::Bundle{{sign_with(a, "OTHER")}}, p, Role::manifest,
                               binding(), "s");
        CHECK_FALSE(v.threshold_met);
        CHECK(v.signatures[0].detail.find("token serial") != std::string::npos);
    }
}

TEST_CASE("a statement for another manifest, size, id, version or channel does not count",
          "[policy][verify][attack]") {
    auto a = test::make_key();
    Policy p = policy_with({&a}, 1);
    const envelope::Bundle bundle{{sign_with(a)}};
    REQUIRE(verify_bundle(bundle, p, Role::manifest, binding(), "m.sig").threshold_met);
    // One row per bound field: the verifier's manifest differs from the signed one there only;
    // the detail names what differs.
    struct Row {
        std::string field;
        std::function<void(ManifestBinding&)> change;
        std::string detail;
    };
    const std::vector<Row> rows = {
        {"manifest sha256", [](ManifestBinding& b) { b.sha256 = std::string(64, 'f'); },
         "not sha256:"},
        {"manifest size", [](ManifestBinding& b) { b.size += 1; }, "bytes, not"},
        {"release id", [](ManifestBinding& b) { b.release_id = "rel-other"; }, "not rel-other"},
        {"release version", [](ManifestBinding& b) { b.release_version = "2.0.1"; },
         "2.0.1 (stable)"},
        {"release channel", [](ManifestBinding& b) { b.release_channel = "beta"; }, "(beta)"},
    };
    for (const auto& [field, change, detail] : rows) {
        INFO("another " << field);
        ManifestBinding other = binding();
        change(other);
        CHECK_FALSE(binding_problem(*envelope::open_entry_self(bundle.signatures[0], "s"), other)
                        .empty());
        auto v = verify_bundle(bundle, p, Role::manifest, other, "m.sig");
        CHECK_FALSE(v.threshold_met);
        CHECK(v.signatures[0].problem == SignatureProblem::binding);
        CHECK(v.signatures[0].detail.find(detail) != std::string::npos);
        CHECK_FALSE(v.signatures[0].foreign);
    }
}

TEST_CASE("policy: requireAttestation needs embedded roots and a well-formed requirement") {
    auto root = read_file(std::string(OTASIGN_TEST_SOURCE_DIR) + "/ceremony/roots/yubico-piv-ca-1.pem");
    REQUIRE(root.ok());
    json::Value doc = empty_policy_document();
    AttestationRequirement req;
    req.pin_policies = {"always"};
    req.touch_policies = {"always", "cached"};
    auto with = require_attestation(doc, Role::manifest, req, {*root}, {}, "p.json");
    REQUIRE(with.ok());
    auto parsed = parse_policy(serialize_policy(*with), "p.json");
    REQUIRE(parsed.ok());
    REQUIRE(parsed->manifest.attestation.has_value());
    CHECK_FALSE(parsed->release.attestation.has_value());
    CHECK(parsed->manifest.attestation->touch_policies == std::vector<std::string>{"always", "cached"});
    CHECK(parsed->attestation_roots.size() == 1);

    // Without roots the requirement could never be met: the policy is invalid.
    json::Value no_roots = *with;
    no_roots.erase("attestationRoots");
    auto r = parse_policy(serialize_policy(no_roots), "p.json");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().detail.find("no attestationRoots") != std::string::npos);
    // Unknown members and policy names are schema violations.
    json::Value typo = *with;
    typo["roles"]["manifest"]["requireAttestation"]["touchPolicies"] = json::Value::array();
    CHECK_FALSE(parse_policy(serialize_policy(typo), "p.json").ok());
    json::Value bad_name = *with;
    bad_name["roles"]["manifest"]["requireAttestation"]["pinPolicy"] = {"sometimes"};
    CHECK_FALSE(parse_policy(serialize_policy(bad_name), "p.json").ok());
    // A root that is not a certificate is refused with its JSON pointer.
    json::Value bad_root = *with;
    bad_root["attestationRoots"] = {"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"};
    auto br = parse_policy(serialize_policy(bad_root), "p.json");
    REQUIRE_FALSE(br.ok());
    CHECK(br.error().detail.find("/attestationRoots/0") != std::string::npos);
    // No roots given to the editor: refused.
    CHECK_FALSE(require_attestation(doc, Role::manifest, req, {}, {}, "p.json").ok());
}

TEST_CASE("policy: check_attestation refuses missing or unverifiable evidence") {
    auto root = read_file(std::string(OTASIGN_TEST_SOURCE_DIR) + "/ceremony/roots/yubico-piv-ca-1.pem");
    REQUIRE(root.ok());
    AttestationRequirement req;
    req.pin_policies = {"always"};
    req.touch_policies = {"always"};
    auto doc = require_attestation(empty_policy_document(), Role::manifest, req, {*root}, {}, "p.json");
    REQUIRE(doc.ok());
    auto pol = parse_policy(serialize_policy(*doc), "p.json");
    REQUIRE(pol.ok());
    const std::string key_id(64, 'a');
    // A SoftHSM signature: no PIV evidence at all.
    auto none = check_attestation(std::nullopt, key_id, req, *pol, "sig 0");
    CHECK_FALSE(none.ok);
    CHECK(none.detail.find("no PIV attestation") != std::string::npos);
    // An imported PIV key: evidence without an attestation.
    envelope::PivEvidence imported{"9c", "always", "always", "imported", 1, "5.4.3", std::nullopt};
    CHECK_FALSE(check_attestation(imported, key_id, req, *pol, "sig 0").ok);
    // Garbage where the attestation should be.
    envelope::PivEvidence garbage = imported;
    garbage.attestation = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    auto g = check_attestation(garbage, key_id, req, *pol, "sig 0");
    CHECK_FALSE(g.ok);
    CHECK_FALSE(g.detail.empty());
}
