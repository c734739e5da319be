// The air-gap rules of libsign/airgap, table-driven: every tampering of a signing request that
// REQUEST-FORMAT.md's verification algorithm must reject, the ledger's sign-time rules, a
// ledger changed behind otasign's back, and the co-signature merge.

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <functional>

#include "airgap/ledger.hpp"
#include "airgap/merge.hpp"
#include "airgap/request.hpp"
#include "core/atomic_file.hpp"
#include "core/digest.hpp"
#include "envelope/keys.hpp"
#include "envelope/testkeys.hpp"
#include "json/canonical.hpp"
#include "policy/verify.hpp"

using namespace otasign;
namespace fs = std::filesystem;

namespace {

json::Value example(int n) {
    auto bytes = read_file(std::string(OTASIGN_TEST_SOURCE_DIR) + "/schemas/examples/release-" +
                           std::to_string(n) + ".json");
    REQUIRE(bytes);
    return json::Value::parse(*bytes);
}

// A stable-channel manifest with the given version, rollback index and rollout.
manifest::LoadedManifest make(const std::string& version, std::uint64_t rollback,
                              const std::string& channel = "stable") {
    json::Value v = example(2);
    v["release"]["version"] = version;
    v["release"]["channel"] = channel;
    v["rollbackIndex"] = rollback;
    if (channel != "stable" && channel != "security") v["rollout"] = {{"percentage", 5}};
    auto m = manifest::load_manifest(json::canonicalize(v), "test manifest " + version);
    REQUIRE(m);
    return std::move(m).value();
}

std::string request_bytes(const manifest::LoadedManifest& m, const manifest::LoadedManifest* prev) {
    airgap::RequestInputs in;
    in.manifest = &m;
    in.previous = prev;
    in.previous_source = "prev";
    in.pipeline_identity = "ci/job/1";
    in.pipeline_host = "runner";
    in.now = manifest::timestamp_from_unix(1'790'000'000);
    auto r = airgap::make_request(in);
    REQUIRE(r);
    return *r;
}

struct TempDir {
    fs::path path;
    TempDir() {
        char tmpl[] = "/tmp/otasign-airgap-XXXXXX";
        REQUIRE(mkdtemp(tmpl));
        path = tmpl;
    }
    ~TempDir() { fs::remove_all(path); }
};

void hold(const fs::path& dir, const manifest::LoadedManifest& m) {
    fs::create_directories(dir / "manifests");
    REQUIRE(write_file_atomic(airgap::ledger_manifest_path(dir, m.sha256_hex), m.canonical,
                              Overwrite::no));
}

}  // namespace

TEST_CASE("a request carries the manifest and its previous byte for byte", "[request]") {
    auto prev = make("1.5.0", 42), next = make("1.6.0", 42);
    auto req = airgap::read_request(request_bytes(next, &prev), "req");
    REQUIRE(req);
    CHECK(req->manifest.canonical == next.canonical);
    CHECK(req->previous->sha256_hex == prev.sha256_hex);
    CHECK(req->pipeline_identity == "ci/job/1");
    CHECK(req->created == "2026-09-21T14:13:20Z");
}

TEST_CASE("request create refuses a manifest that is not newer than its previous", "[request]") {
    auto prev = make("1.5.0", 42);
    for (auto next : {make("1.5.0", 43), make("1.4.0", 42), make("1.6.0", 41)}) {
        airgap::RequestInputs in;
        in.manifest = &next;
        in.previous = &prev;
        in.pipeline_identity = "ci";
        auto r = airgap::make_request(in);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == ErrorCode::PolicyViolation);
    }
}

TEST_CASE("every tampering of a request is rejected", "[request][attack]") {
    auto prev = make("1.5.0", 42), next = make("1.6.0", 42);
    const json::Value good = json::Value::parse(request_bytes(next, &prev));
    auto b64 = [](const std::string& s) { return envelope::base64_encode(s); };
    const std::string pretty = json::Value::parse(next.canonical).dump(2);
    struct Case {
        const char* name;
        std::function<void(json::Value&)> edit;
        const char* says;
    };
    const Case cases[] = {
        {"other media type", [](json::Value& v) { v["mediaType"] = "application/json"; },
         "mediaType"},
        {"unknown member (an approval smuggled in)", [](json::Value& v) { v["approved"] = true; },
         "approved"},
        {"missing pipeline identity", [](json::Value& v) { v["pipeline"].erase("identity"); },
         "identity"},
        {"size that is not the bytes'", [](json::Value& v) { v["manifest"]["size"] = 3; },
         "/manifest/size"},
        {"manifest swapped under the digest",
         [&](json::Value& v) {
             v["manifest"]["canonical"] = b64(prev.canonical);
             v["manifest"]["size"] = prev.canonical.size();
         },
         "/manifest/sha256"},
        {"previous swapped under its digest",
         [&](json::Value& v) {
             v["previous"]["canonical"] = b64(next.canonical);
             v["previous"]["size"] = next.canonical.size();
         },
         "/previous/sha256"},
        {"non-canonical bytes with their own digest",
         [&](json::Value& v) {
             v["manifest"] = {{"canonical", b64(pretty)},
                              {"size", pretty.size()},
                              {"sha256", sha256_hex(pretty)}};
         },
         "canonical form"},
        {"bytes that are no manifest",
         [&](json::Value& v) {
             std::string x = "{\"a\":1}";
             v["manifest"] = {{"canonical", b64(x)}, {"size", x.size()}, {"sha256", sha256_hex(x)}};
         },
         "not a valid manifest"},
        {"broken base64", [](json::Value& v) { v["manifest"]["canonical"] = "@@@"; }, "canonical"},
        {"previous equal to the manifest", [](json::Value& v) { v["previous"] = v["manifest"]; },
         "is the manifest itself"},
        {"impossible creation time", [](json::Value& v) { v["created"] = "2026-02-30T00:00:00Z"; },
         "/created"},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        json::Value v = good;
        c.edit(v);
        auto r = airgap::read_request(v.dump(), "req");
        REQUIRE_FALSE(r);
        CHECK(r.error().code == ErrorCode::InvalidInput);
        CHECK(r.error().detail.find(c.says) != std::string::npos);
    }
}

TEST_CASE("a request names the policy; only the workstation's own is used", "[request]") {
    auto next = make("1.6.0", 42);
    auto req = airgap::read_request(request_bytes(next, nullptr), "req");
    REQUIRE(req);
    const std::string policy = json::canonicalize(
        json::Value{{"policyVersion", 1},
                    {"roles",
                     {{"manifest", {{"threshold", 1}, {"keys", json::Value::array()}}},
                      {"release", {{"threshold", 1}, {"keys", json::Value::array()}}}}}});
    CHECK(airgap::check_request_policy(*req, &policy, "p"));  // names none: any
    auto digest = airgap::policy_digest(policy, "p");
    REQUIRE(digest);
    req->policy_sha256 = *digest;
    CHECK(airgap::check_request_policy(*req, &policy, "p"));
    // Reformatted, the same policy has the same digest.
    const std::string pretty = json::Value::parse(policy).dump(4);
    CHECK(airgap::check_request_policy(*req, &pretty, "p"));
    auto missing = airgap::check_request_policy(*req, nullptr, "p");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == ErrorCode::PolicyViolation);
    req->policy_sha256 = std::string(64, '0');
    auto other = airgap::check_request_policy(*req, &policy, "p");
    REQUIRE_FALSE(other);
    CHECK(other.error().code == ErrorCode::PolicyViolation);
}

TEST_CASE("the ledger's sign-time rules", "[ledger]") {
    TempDir t;
    auto r5 = make("1.5.0", 42), r6 = make("1.6.0", 42), r4 = make("1.4.0", 41);
    auto draft = make("9.0.0", 50, "validation");
    hold(t.path, r4);
    hold(t.path, r5);
    auto l = airgap::load_ledger(t.path);
    REQUIRE(l);
    REQUIRE(l->releases.size() == 2);

    SECTION("a newer release: the ledger's last in the channel is the base") {
        auto c = airgap::check_sign(*l, r6, &r5, "k");
        REQUIRE(c);
        REQUIRE(c->base);
        CHECK(c->base->manifest.sha256_hex == r5.sha256_hex);
        CHECK_FALSE(c->mismatch);
        CHECK_FALSE(c->cosign);
    }
    SECTION("a fake or missing previous is the high risk ledger-previous-mismatch") {
        auto fake = make("1.5.0", 40);
        for (const manifest::LoadedManifest* claimed :
             {&fake, &r4, (manifest::LoadedManifest*)nullptr}) {
            auto c = airgap::check_sign(*l, r6, claimed, "k");
            REQUIRE(c);
            REQUIRE(c->mismatch);
            CHECK(c->mismatch->code == airgap::kLedgerPreviousMismatch);
            CHECK(c->mismatch->severity == manifest::Severity::high);
            CHECK(c->base->manifest.sha256_hex == r5.sha256_hex);
        }
    }
    SECTION("regressions are refused") {
        for (auto next : {make("1.7.0", 41), make("1.5.0", 43), make("1.4.5", 42)}) {
            auto c = airgap::check_sign(*l, next, &r5, "k");
            REQUIRE_FALSE(c);
            CHECK(c.error().code == ErrorCode::PolicyViolation);
        }
    }
    SECTION("the rollback index is the highest of any channel") {
        hold(t.path, draft);
        auto l2 = airgap::load_ledger(t.path);
        REQUIRE(l2);
        auto c = airgap::check_sign(*l2, r6, &r5, "k");
        REQUIRE_FALSE(c);
        CHECK(c.error().detail.find("below 50") != std::string::npos);
    }
    SECTION("a held manifest is a co-signature, diffed against the release before it") {
        auto c = airgap::check_sign(*l, r5, &r4, "k");
        REQUIRE(c);
        CHECK(c->cosign);
        CHECK(c->base->manifest.sha256_hex == r4.sha256_hex);
        CHECK_FALSE(c->mismatch);
    }
    SECTION("expiring: only each channel's last release") {
        auto now = manifest::timestamp_from_unix(r5.manifest.expires.seconds - 86400);
        auto e = airgap::expiring_within(*l, now, 2);
        REQUIRE(e.size() == 1);
        CHECK(e[0]->manifest.sha256_hex == r5.sha256_hex);
        CHECK(airgap::expiring_within(*l, manifest::timestamp_from_unix(0), 2).empty());
    }
    SECTION("a ledger is only written with what it does not hold") {
        CHECK_FALSE(airgap::manifest_write(*l, r5));
        auto w = airgap::manifest_write(*l, r6);
        REQUIRE(w);
        CHECK(w->target == airgap::ledger_manifest_path(t.path, r6.sha256_hex));
        CHECK_FALSE(w->old_bytes);
    }
}

TEST_CASE("a ledger changed behind otasign's back is refused", "[ledger][attack]") {
    auto r5 = make("1.5.0", 42), r4 = make("1.4.0", 41);
    struct Case {
        const char* name;
        std::function<void(const fs::path&)> edit;
    };
    const Case cases[] = {
        {"a copy edited in place",
         [&](const fs::path& d) {
             std::ofstream(airgap::ledger_manifest_path(d, r5.sha256_hex), std::ios::trunc)
                 << r4.canonical;
         }},
        {"a copy pretty-printed under its digest",
         [&](const fs::path& d) {
             std::string p = json::Value::parse(r5.canonical).dump(2);
             fs::remove(airgap::ledger_manifest_path(d, r5.sha256_hex));
             std::ofstream(airgap::ledger_manifest_path(d, sha256_hex(p))) << p;
         }},
        {"a stray file",
         [](const fs::path& d) { std::ofstream(d / "manifests" / "x.json") << "{}"; }},
        {"an imported bundle without its manifest",
         [](const fs::path& d) {
             fs::create_directories(d / "imported");
             std::ofstream(airgap::ledger_import_path(d, std::string(64, 'a'))) << "{}";
         }},
        {"an empty evidence log",
         [](const fs::path& d) { std::ofstream(airgap::ledger_log_path(d)); }},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        TempDir t;
        hold(t.path, r4);
        hold(t.path, r5);
        c.edit(t.path);
        CHECK_FALSE(airgap::load_ledger(t.path));
    }
}

namespace {
envelope::SignatureEntry sign_for(const manifest::LoadedManifest& m, const test::TestKey& k,
                                  const std::string& operator_name = "alice") {
    envelope::Statement s;
    policy::bind_statement(s, policy::binding_of(m));
    s.shown_text_sha256 = std::string(64, 'c');
    s.key_id = k.pub.key_id;
    s.algorithm = envelope::sig_alg_name(k.pub.alg);
    s.approval.operator_name = operator_name;
    s.approval.time = "2026-11-23T19:00:00Z";
    s.approval.method = envelope::ApprovalMethod::approve_flag;
    s.approval.token = {"m", "m", "1", "t"};
    s.approval.key_label = "k";
    s.approval.pin_status = "ok";
    s.approval.tool = "otasign test";
    s.approval.host = "h";
    auto e = envelope::make_entry(s, k.pub, k.signer());
    REQUIRE(e);
    return *e;
}
envelope::Bundle one(const envelope::SignatureEntry& e) {
    envelope::Bundle b;
    b.signatures.push_back(e);
    return b;
}
}  // namespace

TEST_CASE("merging responses appends, drops duplicates and refuses the rest", "[merge][attack]") {
    auto m = make("1.6.0", 42), other = make("1.7.0", 42);
    auto a = test::make_key(), b = test::make_key("EC", "P-384");
    auto sa = sign_for(m, a), sb = sign_for(m, b);
    envelope::Bundle empty;

    auto r = airgap::merge_responses(m, nullptr, empty, "out",
                                     {{"a", one(sa)}, {"b", one(sb)}, {"a again", one(sa)}});
    REQUIRE(r);
    CHECK(r->added == 2);
    CHECK(r->duplicates == 1);
    REQUIRE(r->bundle.signatures.size() == 2);

    // Existing signatures are kept first and unchanged.
    auto r2 = airgap::merge_responses(m, nullptr, one(sb), "out", {{"a", one(sa)}});
    REQUIRE(r2);
    CHECK(r2->existing == 1);
    CHECK(json::canonicalize(envelope::entry_to_json(r2->bundle.signatures[0])) ==
          json::canonicalize(envelope::entry_to_json(sb)));

    struct Case {
        const char* name;
        envelope::Bundle existing;
        envelope::SignatureEntry incoming;
    };
    auto forged = sa;
    forged.payload[forged.payload.find("alice")] = 'A';
    const Case refused[] = {
        {"a response for another manifest", empty, sign_for(other, a)},
        {"a second, different signature by one key", one(sa), sign_for(m, a, "mallory")},
        {"a statement edited after signing", empty, forged},
        {"an existing signature for another manifest", one(sign_for(other, b)), sa},
    };
    for (const auto& c : refused) {
        INFO(c.name);
        auto x =
            airgap::merge_responses(m, nullptr, c.existing, "out", {{"resp", one(c.incoming)}});
        CHECK_FALSE(x);
    }
}

TEST_CASE("the example request reads and carries the example manifests", "[request]") {
    const std::string dir = std::string(OTASIGN_TEST_SOURCE_DIR) + "/schemas/examples/";
    auto bytes = read_file(dir + "release-2.request.json");
    REQUIRE(bytes);
    auto req = airgap::read_request(*bytes, "release-2.request.json");
    REQUIRE(req);
    auto m = read_file(dir + "release-2.json");
    REQUIRE(m);
    auto loaded = manifest::load_manifest(*m, "release-2.json");
    REQUIRE(loaded);
    CHECK(req->manifest.sha256_hex == loaded->sha256_hex);
    REQUIRE(req->previous);
    CHECK(req->previous->manifest.release.version == "1.4.0");
}

TEST_CASE("request create writes only what a reader accepts", "[request][attack]") {
    auto prev = make("1.5.0", 42), next = make("1.6.0", 42);
    airgap::RequestInputs in;
    in.manifest = &next;
    in.previous = &prev;
    in.previous_source = "prev";
    in.pipeline_host = "runner";
    in.now = manifest::timestamp_from_unix(1'790'000'000);
    // Text that strict JSON refuses: a stray byte, a noncharacter, an encoded surrogate.
    for (const std::string bad : {"ci\xff", "ci\xef\xbf\xbe", "ci\xed\xa0\x80"}) {
        INFO(bad);
        in.pipeline_identity = bad;
        in.pipeline_host = "runner";
        auto as_identity = airgap::make_request(in);
        REQUIRE_FALSE(as_identity);
        CHECK(as_identity.error().code == ErrorCode::Usage);
        in.pipeline_identity = "ci/job/1";
        in.pipeline_host = bad;
        auto as_host = airgap::make_request(in);
        REQUIRE_FALSE(as_host);
        CHECK(as_host.error().code == ErrorCode::Usage);
    }
    // 256 characters of two bytes each: within the bound, which counts characters.
    std::string wide;
    for (int i = 0; i < 256; ++i) wide += "\xc3\xa9";
    in.pipeline_identity = wide;
    in.pipeline_host = wide;
    auto r = airgap::make_request(in);
    REQUIRE(r);
    auto back = airgap::read_request(*r, "req");
    REQUIRE(back);
    CHECK(back->pipeline_identity == wide);
}
