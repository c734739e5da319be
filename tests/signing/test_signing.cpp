// libsign/signing against real SoftHSM2 tokens: the plan's refusals before any operator step
// (a key outside the manifest role, a release-role key, another token than the policy names),
// and the locked paired write (a co-signature onto an existing bundle, a bundle of another
// manifest, an empty evidence log).

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <optional>

#include "core/atomic_file.hpp"
#include "envelope/evidence_log.hpp"
#include "json/canonical.hpp"
#include "pkcs11/softhsm_token.hpp"
#include "signing/commit.hpp"
#include "signing/plan.hpp"

using namespace otasign;
using otasign::test::ScriptedUi;
using otasign::test::SoftHsmToken;
namespace fs = std::filesystem;

namespace {

manifest::LoadedManifest release(const std::string& version) {
    auto bytes =
        read_file(std::string(OTASIGN_TEST_SOURCE_DIR) + "/schemas/examples/release-2.json");
    REQUIRE(bytes);
    json::Value v = json::Value::parse(*bytes);
    v["release"]["version"] = version;
    auto m = manifest::load_manifest(json::canonicalize(v), "release-" + version + ".json");
    REQUIRE(m);
    return std::move(m).value();
}

// The PEM of a token key, as `otasign key export` would put it into a policy.
std::string key_pem(const std::string& label) {
    auto key = pkcs11::open_key("pkcs11:object=" + label,
                                pkcs11::KeyOptions{otasign::test::kSoftHsmModule});
    REQUIRE(key);
    auto pem = key->spki_pem();
    REQUIRE(pem);
    return *pem;
}

struct PolicyKey {
    std::string label;
    std::string token_serial;  // empty: none
};

policy::Policy make_policy(const std::vector<PolicyKey>& manifest_keys,
                           const std::vector<PolicyKey>& release_keys) {
    auto keys = [](const std::vector<PolicyKey>& ks) {
        json::Value out = json::Value::array();
        for (const auto& k : ks) {
            json::Value e = {{"name", k.label}, {"publicKey", key_pem(k.label)}};
            if (!k.token_serial.empty()) e["tokenSerial"] = k.token_serial;
            out.push_back(e);
        }
        return out;
    };
    json::Value doc = {{"policyVersion", 1},
                       {"roles",
                        {{"manifest", {{"threshold", 1}, {"keys", keys(manifest_keys)}}},
                         {"release", {{"threshold", 1}, {"keys", keys(release_keys)}}}}}};
    auto p = policy::parse_policy(doc.dump(), "policy.json");
    if (!p) FAIL("parse_policy: " << p.error().detail);
    return std::move(p).value();
}

signing::PlanInputs inputs(const manifest::LoadedManifest& m, const std::string& label,
                           const policy::Policy* pol = nullptr) {
    signing::PlanInputs in;
    in.manifest = &m;
    in.policy = pol;
    in.policy_source = "policy.json";
    in.key_uri = "pkcs11:object=" + label;
    in.module_path = otasign::test::kSoftHsmModule;
    return in;
}

struct TempDir {
    fs::path path;
    TempDir() {
        char tmpl[] = "/tmp/otasign-signing-XXXXXX";
        REQUIRE(::mkdtemp(tmpl));
        path = tmpl;
    }
    ~TempDir() { fs::remove_all(path); }
};

// The whole of `otasign sign` after the review, as the CLI drives it: prepare (locks, reads),
// statement, signature on the token, commit. Returns the commit's outcome.
Result<signing::Committed> sign_into(const manifest::LoadedManifest& m, const std::string& label,
                                     const signing::CommitPaths& paths,
                                     const policy::Policy* pol = nullptr) {
    OTASIGN_ASSIGN_OR_RETURN(signing::SignPlan plan, signing::plan_signing(inputs(m, label, pol)));
    OTASIGN_ASSIGN_OR_RETURN(signing::PreparedCommit prepared,
                             signing::prepare_commit(paths, m.sha256_hex, plan.public_key, {}));
    OTASIGN_TRY(signing::check_bundle_logged(prepared));
    OTASIGN_ASSIGN_OR_RETURN(signing::TokenState state, signing::read_token_state(plan));
    signing::Approval approval;
    approval.shown_text = "the review";
    approval.shown_diff_json = "{}";
    approval.operator_name = "tester";
    approval.method = envelope::ApprovalMethod::approve_flag;
    approval.time = "2026-01-01T00:00:00Z";
    approval.host = "test-host";
    envelope::Statement st =
        signing::build_statement(plan, state, m, nullptr, approval,
                                 signing::next_position(prepared, m.manifest.release.version));
    ScriptedUi ui;
    ui.secrets.push_back(otasign::test::kUserPin);
    OTASIGN_ASSIGN_OR_RETURN(envelope::SignatureEntry entry,
                             signing::sign_statement(plan, state, st, std::nullopt, ui));
    return signing::commit_signature(prepared, entry, {});
}

}  // namespace

TEST_CASE("plan: a key on no PIV card has no PIV facts and the key's own description", "[plan]") {
    SoftHsmToken token;
    auto m = release("2.0.0");
    auto plan = signing::plan_signing(inputs(m, "p256"));
    REQUIRE(plan);
    CHECK_FALSE(plan->piv);
    CHECK(plan->touch == signing::TouchRequirement::unknown);
    CHECK(plan->public_key.key_id == plan->key.key_id());
    auto state = signing::read_token_state(*plan);
    REQUIRE(state);
    CHECK(state->token.label == "otasign-test");
    CHECK_FALSE(state->pin.retries_left);  // PKCS#11 has no retry count
}

TEST_CASE("plan: --touch always or never is the operator's word, not the card's", "[plan]") {
    SoftHsmToken token;
    auto m = release("2.0.0");
    auto in = inputs(m, "p256");
    in.touch = signing::TouchChoice::always;
    auto plan = signing::plan_signing(in);
    REQUIRE(plan);
    CHECK(plan->touch == signing::TouchRequirement::always);
}

TEST_CASE("plan: a key outside the manifest role is refused before any operator step",
          "[plan][policy]") {
    SoftHsmToken token;
    auto m = release("2.0.0");
    auto pol = make_policy({{"p384", ""}}, {});
    auto plan = signing::plan_signing(inputs(m, "p256", &pol));
    REQUIRE_FALSE(plan);
    CHECK(plan.error().code == ErrorCode::PolicyViolation);
    CHECK_THAT(plan.error().detail,
               Catch::Contains("is not a key of the manifest role in policy.json") &&
                   Catch::Contains("object 'p256'"));
    CHECK(plan.error().hint == "add it with 'otasign policy add-key' or pick another key");
}

TEST_CASE("plan: a release-role key never signs a manifest", "[plan][policy]") {
    SoftHsmToken token;
    auto m = release("2.0.0");
    auto pol = make_policy({{"p384", ""}}, {{"p256", ""}});
    auto plan = signing::plan_signing(inputs(m, "p256", &pol));
    REQUIRE_FALSE(plan);
    CHECK(plan.error().code == ErrorCode::PolicyViolation);
    CHECK(plan.error().hint ==
          "it is a release-role key: release and manifest authorities are distinct");
}

TEST_CASE("plan: a key on another token than its policy entry names is refused", "[plan][policy]") {
    SoftHsmToken token;
    auto m = release("2.0.0");
    auto pol = make_policy({{"p256", "no-such-serial"}}, {});
    auto plan = signing::plan_signing(inputs(m, "p256", &pol));
    REQUIRE_FALSE(plan);
    CHECK(plan.error().code == ErrorCode::PolicyViolation);
    CHECK_THAT(plan.error().detail,
               Catch::StartsWith("policy key 'p256' must be used on token serial no-such-serial, "
                                 "this token's serial is "));
}

TEST_CASE("plan: the key of the manifest role on its named token is planned", "[plan][policy]") {
    SoftHsmToken token;
    auto m = release("2.0.0");
    std::string serial;
    {
        auto key = pkcs11::open_key("pkcs11:object=p256",
                                    pkcs11::KeyOptions{otasign::test::kSoftHsmModule});
        REQUIRE(key);
        serial = key->info().token.serial;
    }
    auto pol = make_policy({{"p256", serial}}, {});
    auto plan = signing::plan_signing(inputs(m, "p256", &pol));
    REQUIRE(plan);
}

TEST_CASE("plan: a role that requires attestation refuses a key on no PIV card", "[plan][policy]") {
    SoftHsmToken token;
    auto m = release("2.0.0");
    auto pol = make_policy({{"p256", ""}}, {});
    pol.manifest.attestation = policy::AttestationRequirement{};
    auto plan = signing::plan_signing(inputs(m, "p256", &pol));
    REQUIRE_FALSE(plan);
    CHECK(plan.error().code == ErrorCode::PolicyViolation);
    CHECK_THAT(plan.error().detail,
               Catch::StartsWith("the manifest role in policy.json requires a PIV attestation, "
                                 "and this key's does not satisfy it: "));
}

TEST_CASE("commit: a signature, then a co-signature onto the existing bundle and log", "[commit]") {
    SoftHsmToken token;
    TempDir dir;
    auto m = release("2.0.0");
    signing::CommitPaths paths{dir.path / "release.json.sig", dir.path / "evidence.log.jsonl", {}};
    auto first = sign_into(m, "p256", paths);
    REQUIRE(first);
    CHECK(first->signatures == 1);
    CHECK(first->log_entry == 0);
    auto second = sign_into(m, "p384", paths);
    if (!second) FAIL(second.error().detail);
    CHECK(second->signatures == 2);
    CHECK(second->log_entry == 1);

    auto bundle_bytes = read_file(paths.bundle);
    REQUIRE(bundle_bytes);
    auto bundle = envelope::parse_bundle(*bundle_bytes, "bundle");
    REQUIRE(bundle);
    auto log_bytes = read_file(paths.log);
    REQUIRE(log_bytes);
    std::vector<envelope::RecordedBundle> bundles;
    bundles.push_back({"bundle", std::move(bundle).value()});
    auto verdict = envelope::verify_evidence_log(*log_bytes, "log", bundles, {});
    REQUIRE(verdict);
    CHECK_FALSE(verdict->failure);
    CHECK(verdict->log.entries.size() == 2);
    REQUIRE(verdict->found.size() == 1);
    CHECK(verdict->found[0] == 2);  // both signatures are the log's entries
    // Nothing is left behind: no journal, no temporaries.
    CHECK_FALSE(fs::exists(dir.path / "evidence.log.jsonl.journal"));

    // The same key twice is refused under the lock, before any signature.
    auto again = sign_into(m, "p256", paths);
    REQUIRE_FALSE(again);
    CHECK(again.error().code == ErrorCode::PolicyViolation);
}

TEST_CASE("commit: a bundle of another manifest is refused and left as it was", "[commit]") {
    SoftHsmToken token;
    TempDir dir;
    signing::CommitPaths paths{dir.path / "release.json.sig", dir.path / "evidence.log.jsonl", {}};
    REQUIRE(sign_into(release("2.0.0"), "p256", paths));
    auto before = read_file(paths.bundle);
    REQUIRE(before);
    auto other = release("2.0.1");
    auto plan = signing::plan_signing(inputs(other, "p384"));
    REQUIRE(plan);
    auto prepared = signing::prepare_commit(paths, other.sha256_hex, plan->public_key, {});
    REQUIRE_FALSE(prepared);
    CHECK(prepared.error().code == ErrorCode::PolicyViolation);
    CHECK(*read_file(paths.bundle) == *before);
}

TEST_CASE("commit: an empty evidence log is refused, never appended to", "[commit]") {
    SoftHsmToken token;
    TempDir dir;
    auto m = release("2.0.0");
    signing::CommitPaths paths{dir.path / "release.json.sig", dir.path / "evidence.log.jsonl", {}};
    { std::ofstream(paths.log.string()); }
    auto plan = signing::plan_signing(inputs(m, "p256"));
    REQUIRE(plan);
    auto prepared = signing::prepare_commit(paths, m.sha256_hex, plan->public_key, {});
    REQUIRE_FALSE(prepared);
    CHECK(prepared.error().code == ErrorCode::BadSignature);
    CHECK(prepared.error().detail == paths.log.string() +
                                         " is empty, and otasign never writes an empty "
                                         "evidence log");
    CHECK(fs::file_size(paths.log) == 0);
    CHECK_FALSE(fs::exists(paths.bundle));
}

TEST_CASE("commit: a signer that finds the log locked says so through the events, then waits",
          "[commit]") {
    SoftHsmToken token;
    TempDir dir;
    auto m = release("2.0.0");
    signing::CommitPaths paths{dir.path / "release.json.sig", dir.path / "evidence.log.jsonl", {}};
    auto plan = signing::plan_signing(inputs(m, "p256"));
    REQUIRE(plan);
    // flock locks belong to the open file description: a second open in this process conflicts
    // with this one as another process's would.
    std::optional<FileLock> other_signer;
    {
        auto held = FileLock::acquire(dir.path / "evidence.log.jsonl.lock", [] {});
        REQUIRE(held);
        other_signer.emplace(std::move(held).value());
    }
    std::vector<std::string> waited;
    signing::CommitEvents events;
    events.waiting_for_lock = [&](const fs::path& lock, const fs::path& target) {
        waited.push_back(lock.filename().string() + " " + target.filename().string());
        other_signer.reset();  // the other signer finishes
    };
    auto prepared = signing::prepare_commit(paths, m.sha256_hex, plan->public_key, events);
    REQUIRE(prepared);
    CHECK(waited == std::vector<std::string>{"evidence.log.jsonl.lock evidence.log.jsonl"});
    CHECK(prepared->locks.size() == 2);
}

TEST_CASE("commit: the ledger's lock is taken first, and no file is locked twice", "[commit]") {
    SoftHsmToken token;
    TempDir dir;
    auto m = release("2.0.0");
    // As with `sign --request`, where the evidence log is the ledger's own.
    signing::CommitPaths paths{dir.path / "release.json.sig",
                               dir.path / "evidence.log.jsonl",
                               {dir.path / "ledger.log", dir.path / "evidence.log.jsonl"}};
    auto plan = signing::plan_signing(inputs(m, "p256"));
    REQUIRE(plan);
    auto prepared = signing::prepare_commit(paths, m.sha256_hex, plan->public_key, {});
    REQUIRE(prepared);
    std::vector<std::string> order;
    for (const auto& lock : prepared->locks) order.push_back(lock.path().filename().string());
    CHECK(order == std::vector<std::string>{"ledger.log.lock", "evidence.log.jsonl.lock",
                                            "release.json.sig.lock"});
}
