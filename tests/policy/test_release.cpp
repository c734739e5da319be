// The release gate's verdict without the CLI: policy::verify_release on the example manifests.

#include <catch2/catch.hpp>

#include "core/atomic_file.hpp"
#include "envelope/testkeys.hpp"
#include "policy/release.hpp"

using namespace otasign;
using namespace otasign::policy;

namespace {

manifest::LoadedManifest load(const std::string& name, const std::string& edit_key = {},
                              const json::Value& edit_value = nullptr) {
    auto bytes = read_file(std::string(OTASIGN_TEST_SOURCE_DIR) + "/schemas/examples/" + name);
    REQUIRE(bytes.ok());
    std::string text = *bytes;
    if (!edit_key.empty()) {
        json::Value doc = json::Value::parse(text);
        doc[json::Value::json_pointer(edit_key)] = edit_value;
        text = doc.dump();
    }
    auto m = manifest::load_manifest(text, name);
    INFO((m.ok() ? std::string() : m.error().detail));
    REQUIRE(m.ok());
    return std::move(m).value();
}

envelope::SignatureEntry sign(const test::TestKey& k, const manifest::LoadedManifest& m,
                              const manifest::LoadedManifest* previous) {
    envelope::Statement s;
    bind_statement(s, binding_of(m, previous));
    s.shown_text_sha256 = std::string(64, 'c');
    s.key_id = k.pub.key_id;
    s.algorithm = envelope::sig_alg_name(k.pub.alg);
    s.approval.operator_name = "op";
    s.approval.time = "2026-11-23T19:00:00Z";
    s.approval.token.serial = "S";
    s.approval.pin_status = "ok";
    s.approval.tool = "otasign test";
    return *envelope::make_entry(s, k.pub, k.signer());
}

Policy policy_of(const std::vector<const test::TestKey*>& keys, std::uint32_t threshold,
                 const json::Value& channels = json::Value::object()) {
    json::Value doc = empty_policy_document();
    for (auto* k : keys) doc = *add_key(doc, Role::manifest, k->pub.pem, "", std::nullopt, "k");
    doc = *set_threshold(doc, Role::manifest, threshold, "p");
    doc["channels"] = channels;
    auto p = parse_policy(serialize_policy(doc), "p");
    INFO((p.ok() ? std::string() : p.error().detail));
    REQUIRE(p.ok());
    return std::move(p).value();
}

manifest::Timestamp at(const char* text) { return *manifest::parse_rfc3339_utc(text); }

struct Gate {
    manifest::LoadedManifest m;
    envelope::Bundle bundle;
    Policy policy;
    ReleaseInputs in;
    Gate(manifest::LoadedManifest m_, envelope::Bundle b, Policy p)
        : m(std::move(m_)), bundle(std::move(b)), policy(std::move(p)) {
        in.manifest = &m;
        in.bundle = &bundle;
        in.bundle_source = "m.sig";
        in.policy = &policy;
        in.now = at("2026-12-01T00:00:00Z");
    }
    ReleaseReport run() {
        auto r = verify_release(in);
        REQUIRE(r.ok());
        return std::move(r).value();
    }
};

CheckStatus status(const ReleaseReport& r, const char* name) { return r.check(name).status; }

}  // namespace

TEST_CASE("verify_release: every check reported, in order, skipped ones named", "[release]") {
    auto a = test::make_key();
    auto m = load("release-2.json");
    Gate g(load("release-2.json"), {{sign(a, m, nullptr)}}, policy_of({&a}, 1));
    auto r = g.run();
    REQUIRE(r.checks.size() == std::size(kReleaseChecks));
    for (std::size_t i = 0; i < r.checks.size(); ++i) CHECK(r.checks[i].name == kReleaseChecks[i]);
    CHECK(r.ok());
    CHECK(r.skipped() == std::vector<std::string>{"previous-binding", "version", "rollback",
                                                  "channel-sequence", "validity", "artifacts"});
    for (const auto& c : r.checks) CHECK_FALSE(c.detail.empty());
}

TEST_CASE("verify_release: previous release rules", "[release]") {
    auto a = test::make_key();
    auto prev = load("release-1.json");
    SECTION("a proper successor passes every previous check") {
        auto m = load("release-2.json");
        Gate g(load("release-2.json"), {{sign(a, m, &prev)}}, policy_of({&a}, 1));
        g.in.previous = &prev;
        g.in.previous_source = "release-1.json";
        auto r = g.run();
        CHECK(r.ok());
        CHECK(status(r, "version") == CheckStatus::pass);
        CHECK(status(r, "rollback") == CheckStatus::pass);
        CHECK(status(r, "previous-binding") == CheckStatus::pass);
    }
    SECTION("a lower version with the same rollback index fails") {
        auto m = load("release-2.json", "/release/version", "1.0.0");
        Gate g(std::move(m), {}, policy_of({&a}, 1));
        g.bundle = {{sign(a, g.m, &prev)}};
        g.in.previous = &prev;
        auto r = g.run();
        CHECK_FALSE(r.ok());
        CHECK(status(r, "version") == CheckStatus::fail);
    }
    SECTION("the same version with other content fails; the same content passes") {
        auto same_version =
            load("release-2.json", "/release/version", prev.manifest.release.version);
        Gate g(std::move(same_version), {}, policy_of({&a}, 1));
        g.bundle = {{sign(a, g.m, &prev)}};
        g.in.previous = &prev;
        CHECK(status(g.run(), "version") == CheckStatus::fail);
        Gate same(load("release-1.json"), {}, policy_of({&a}, 1));
        same.bundle = {{sign(a, same.m, &prev)}};
        same.in.previous = &prev;
        CHECK(status(same.run(), "version") == CheckStatus::pass);
    }
    SECTION("statements approved against another base do not count") {
        auto other = load("release-1.json", "/release/build", "EOS.other");
        auto m = load("release-2.json");
        Gate g(load("release-2.json"), {{sign(a, m, &other)}}, policy_of({&a}, 1));
        g.in.previous = &prev;
        auto r = g.run();
        CHECK(status(r, "previous-binding") == CheckStatus::fail);
        CHECK(status(r, "threshold") == CheckStatus::fail);
        CHECK(r.signatures.signatures[0].problem == SignatureProblem::previous_binding);
    }
    SECTION("--min-rollback-index above the manifest's fails") {
        auto m = load("release-2.json");
        Gate g(load("release-2.json"), {{sign(a, m, nullptr)}}, policy_of({&a}, 1));
        g.in.min_rollback_index = m.manifest.rollback_index + 1;
        CHECK(status(g.run(), "rollback") == CheckStatus::fail);
        g.in.min_rollback_index = m.manifest.rollback_index;
        CHECK(status(g.run(), "rollback") == CheckStatus::pass);
    }
}

TEST_CASE("verify_release: time boundaries", "[release]") {
    auto a = test::make_key();
    auto m = load("release-2.json");
    Gate g(load("release-2.json"), {{sign(a, m, nullptr)}}, policy_of({&a}, 1));
    auto now_is = [&](std::int64_t unix_seconds) {
        g.in.now = manifest::timestamp_from_unix(unix_seconds);
        return g.run();
    };
    std::int64_t expires = m.manifest.expires.seconds, created = m.manifest.created.seconds;
    CHECK(status(now_is(expires - 1), "expiry") == CheckStatus::pass);
    CHECK(status(now_is(expires), "expiry") == CheckStatus::fail);
    CHECK(status(now_is(expires + 1), "expiry") == CheckStatus::fail);
    CHECK(status(now_is(created - kMaxClockSkewSeconds), "freshness") == CheckStatus::pass);
    CHECK(status(now_is(created - kMaxClockSkewSeconds - 1), "freshness") == CheckStatus::fail);
}

TEST_CASE("verify_release: channel rules", "[release]") {
    auto a = test::make_key();
    auto b = test::make_key("EC", "P-384");
    auto m = load("release-2.json");  // channel stable
    auto prev = load("release-1.json");
    json::Value rules = {{"stable",
                          {{"threshold", 2},
                           {"maxValidityDays", 30},
                           {"allowedPrevious", json::Value::array({"limited"})}}}};
    Gate g(load("release-2.json"), {{sign(a, m, &prev)}}, policy_of({&a, &b}, 1, rules));
    g.in.previous = &prev;
    auto r = g.run();
    CHECK(status(r, "threshold") == CheckStatus::fail);
    CHECK(r.signatures.threshold == 2);
    CHECK(r.signatures.threshold_source == "channel stable");
    CHECK(status(r, "validity") == CheckStatus::fail);
    CHECK(status(r, "channel-sequence") ==
          (prev.manifest.release.channel == manifest::Channel::limited ? CheckStatus::pass
                                                                       : CheckStatus::fail));
    g.bundle.signatures.push_back(sign(b, m, &prev));
    CHECK(status(g.run(), "threshold") == CheckStatus::pass);
    // a channel may not lower the role's threshold
    json::Value doc = empty_policy_document();
    doc = *add_key(doc, Role::manifest, a.pub.pem, "", std::nullopt, "k");
    doc = *add_key(doc, Role::manifest, b.pub.pem, "", std::nullopt, "k");
    doc = *set_threshold(doc, Role::manifest, 2, "p");
    doc["channels"] = {{"draft", {{"threshold", 1}}}};
    auto lowered = parse_policy(serialize_policy(doc), "p");
    REQUIRE_FALSE(lowered.ok());
    CHECK(lowered.error().detail.find("below the manifest role's") != std::string::npos);
}

TEST_CASE("verify_release: a missing artifacts directory is an input error", "[release]") {
    auto a = test::make_key();
    auto m = load("release-2.json");
    Gate g(load("release-2.json"), {{sign(a, m, nullptr)}}, policy_of({&a}, 1));
    g.in.artifacts_dir = "/nonexistent/otasign-artifacts";
    auto r = verify_release(g.in);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::InvalidInput);
}
