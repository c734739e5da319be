// Manifest model, validation rules, SemVer and RFC 3339 parsing, and the semantic diff's risks.
// Cases start from the valid example release-1.json / release-2.json and change one thing, so
// each case shows the rule it guards.

#include <catch2/catch.hpp>
#include <fstream>
#include <functional>
#include <sstream>

#include "core/digest.hpp"
#include "json/canonical.hpp"
#include "manifest/diff.hpp"
#include "manifest/manifest.hpp"

using namespace otasign;
using namespace otasign::manifest;
using Json = nlohmann::json;

namespace {

std::string read_source(const std::string& rel) {
    std::ifstream in(std::string(OTASIGN_TEST_SOURCE_DIR) + "/" + rel, std::ios::binary);
    REQUIRE(in);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

Json example(const std::string& name) {
    return Json::parse(read_source("schemas/examples/" + name));
}

std::vector<Problem> problems_of(const Json& doc) {
    auto checked = check_manifest(doc.dump(2), "case.json");
    REQUIRE(checked.ok());
    return checked->problems;
}

std::string describe(const std::vector<Problem>& ps) {
    std::string s;
    for (const auto& p : ps) s += "  " + p.rule + " at '" + p.pointer + "': " + p.message + "\n";
    return s;
}

bool has(const std::vector<Problem>& ps, const std::string& rule, const std::string& pointer) {
    for (const auto& p : ps)
        if (p.rule == rule && p.pointer == pointer) return true;
    return false;
}

LoadedManifest load_example(const std::string& name) {
    auto l = load_manifest(read_source("schemas/examples/" + name), name);
    REQUIRE(l.ok());
    return std::move(l).value();
}

struct InvalidCase {
    const char* name;
    const char* base;
    std::function<void(Json&)> mutate;
    const char* rule;
    const char* pointer;
};

}  // namespace

TEST_CASE("the example manifests are valid", "[manifest][schema]") {
    for (const char* name : {"release-1.json", "release-2.json"}) {
        INFO(name);
        auto ps = problems_of(example(name));
        INFO(describe(ps));
        CHECK(ps.empty());
    }
}

TEST_CASE("the embedded schema is the file in schemas/", "[manifest][schema]") {
    CHECK(schema_text() == read_source("schemas/manifest.schema.json"));
}

TEST_CASE("each rule rejects the manifest that breaks it", "[manifest][schema][semantic]") {
    const std::string hex64 = std::string(64, 'a');
    const std::vector<InvalidCase> cases = {
        {"semver: two parts", "release-1.json", [](Json& d) { d["release"]["version"] = "1.4"; },
         "schema.pattern", "/release/version"},
        {"semver: leading zero", "release-1.json",
         [](Json& d) { d["release"]["version"] = "1.04.0"; }, "schema.pattern", "/release/version"},
        {"semver: empty pre-release identifier", "release-1.json",
         [](Json& d) { d["release"]["version"] = "1.4.0-rc..1"; }, "schema.pattern",
         "/release/version"},
        {"path traversal with ..", "release-1.json",
         [](Json& d) { d["artifacts"][0]["path"] = "images/../../etc/passwd"; }, "schema.pattern",
         "/artifacts/0/path"},
        {"path . segment", "release-1.json",
         [](Json& d) { d["artifacts"][0]["path"] = "./system.img"; }, "schema.pattern",
         "/artifacts/0/path"},
        {"absolute path", "release-1.json",
         [](Json& d) { d["artifacts"][0]["path"] = "/system.img"; }, "schema.pattern",
         "/artifacts/0/path"},
        {"backslash path", "release-1.json",
         [](Json& d) { d["artifacts"][0]["path"] = "images\\system.img"; }, "schema.pattern",
         "/artifacts/0/path"},
        {"empty segment", "release-1.json",
         [](Json& d) { d["artifacts"][0]["path"] = "images//system.img"; }, "schema.pattern",
         "/artifacts/0/path"},
        {"trailing slash", "release-1.json", [](Json& d) { d["artifacts"][0]["path"] = "images/"; },
         "schema.pattern", "/artifacts/0/path"},
        {"duplicate path", "release-1.json",
         [](Json& d) { d["artifacts"][1]["path"] = d["artifacts"][0]["path"]; },
         "artifact-path-unique", "/artifacts/1/path"},
        {"duplicate path up to case", "release-1.json",
         [](Json& d) { d["artifacts"][1]["path"] = "Images/System.img"; }, "artifact-path-unique",
         "/artifacts/1/path"},
        {"expires before created", "release-1.json",
         [](Json& d) { d["expires"] = "2026-11-01T00:00:00Z"; }, "expires-after-created",
         "/expires"},
        {"expires equal to created", "release-1.json", [](Json& d) { d["expires"] = d["created"]; },
         "expires-after-created", "/expires"},
        {"February 30", "release-1.json", [](Json& d) { d["created"] = "2026-02-30T00:00:00Z"; },
         "timestamp-valid", "/created"},
        {"February 29 outside a leap year", "release-1.json",
         [](Json& d) { d["expires"] = "2027-02-29T00:00:00Z"; }, "timestamp-valid", "/expires"},
        {"hour 24", "release-1.json", [](Json& d) { d["created"] = "2026-11-02T24:00:00Z"; },
         "timestamp-valid", "/created"},
        {"timestamp with offset", "release-1.json",
         [](Json& d) { d["created"] = "2026-11-02T09:00:00+01:00"; }, "schema.pattern", "/created"},
        {"draft rolled out", "release-1.json",
         [](Json& d) {
             d["release"]["channel"] = "draft";
             d["rollout"] = {{"percentage", 1}};
         },
         "rollout-channel", "/rollout/percentage"},
        {"draft with waves", "release-1.json", [](Json& d) { d["release"]["channel"] = "draft"; },
         "rollout-channel", "/rollout/waves"},
        {"validation beyond 5%", "release-1.json",
         [](Json& d) { d["release"]["channel"] = "validation"; }, "rollout-channel",
         "/rollout/percentage"},
        {"limited beyond 25%", "release-1.json",
         [](Json& d) {
             d["rollout"] = {{"percentage", 30}};
         },
         "rollout-channel", "/rollout/percentage"},
        {"waves out of order", "release-1.json",
         [](Json& d) { d["rollout"]["waves"][1]["start"] = "2026-11-03T07:00:00Z"; },
         "waves-ordered", "/rollout/waves/1/start"},
        {"waves shrink", "release-2.json",
         [](Json& d) { d["rollout"]["waves"][1]["percentage"] = 3; }, "waves-ordered",
         "/rollout/waves/1/percentage"},
        {"last wave differs from percentage", "release-1.json",
         [](Json& d) { d["rollout"]["percentage"] = 12; }, "waves-final-percentage",
         "/rollout/percentage"},
        {"duplicate wave name", "release-2.json",
         [](Json& d) { d["rollout"]["waves"][2]["name"] = "canary"; }, "wave-name-unique",
         "/rollout/waves/2/name"},
        {"wave before created", "release-1.json",
         [](Json& d) {
             d["rollout"].erase("start");
             d["rollout"]["waves"][0]["start"] = "2026-11-01T00:00:00Z";
         },
         "rollout-window", "/rollout/waves/0/start"},
        {"stable without attestation", "release-2.json",
         [](Json& d) { d["eligibility"]["attestationRequired"] = false; },
         "protected-channel-attestation", "/eligibility/attestationRequired"},
        {"stable without enrollment", "release-2.json",
         [](Json& d) { d["eligibility"]["enrollmentRequired"] = false; },
         "protected-channel-enrollment", "/eligibility/enrollmentRequired"},
        {"security without attestation", "release-2.json",
         [](Json& d) {
             d["release"]["channel"] = "security";
             d["eligibility"]["attestationRequired"] = false;
         },
         "protected-channel-attestation", "/eligibility/attestationRequired"},
        {"unknown top-level field", "release-1.json", [](Json& d) { d["signature"] = "x"; },
         "schema.additionalProperties", "/signature"},
        {"unknown nested field", "release-1.json",
         [](Json& d) { d["artifacts"][0]["url"] = "https://x"; }, "schema.additionalProperties",
         "/artifacts/0/url"},
        {"uppercase sha256", "release-1.json",
         [](Json& d) { d["artifacts"][0]["sha256"] = std::string(64, 'A'); }, "schema.pattern",
         "/artifacts/0/sha256"},
        {"short sha256", "release-1.json",
         [](Json& d) { d["artifacts"][0]["sha256"] = std::string(63, 'a'); }, "schema.pattern",
         "/artifacts/0/sha256"},
        {"sha512 of the wrong length", "release-1.json",
         [hex64](Json& d) { d["artifacts"][0]["sha512"] = hex64; }, "schema.pattern",
         "/artifacts/0/sha512"},
        {"negative rollbackIndex", "release-1.json", [](Json& d) { d["rollbackIndex"] = -1; },
         "schema.minimum", "/rollbackIndex"},
        {"fractional rollbackIndex", "release-1.json", [](Json& d) { d["rollbackIndex"] = 1.5; },
         "schema.type", "/rollbackIndex"},
        {"missing expires", "release-1.json", [](Json& d) { d.erase("expires"); },
         "schema.required", ""},
        {"missing artifact size", "release-1.json",
         [](Json& d) { d["artifacts"][0].erase("size"); }, "schema.required", "/artifacts/0"},
        {"schemaVersion 2", "release-1.json", [](Json& d) { d["schemaVersion"] = 2; },
         "schema.const", "/schemaVersion"},
        {"unknown channel", "release-1.json", [](Json& d) { d["release"]["channel"] = "beta"; },
         "schema.enum", "/release/channel"},
        {"unknown role", "release-1.json", [](Json& d) { d["artifacts"][0]["role"] = "kernel"; },
         "schema.enum", "/artifacts/0/role"},
        {"no artifacts", "release-1.json", [](Json& d) { d["artifacts"] = Json::array(); },
         "schema.minItems", "/artifacts"},
        {"duplicate model", "release-1.json",
         [](Json& d) { d["eligibility"]["models"].push_back("eos-phone-a1"); },
         "schema.uniqueItems", "/eligibility/models/2"},
        {"lowercase region", "release-1.json",
         [](Json& d) { d["eligibility"]["regions"][0] = "de"; }, "schema.pattern",
         "/eligibility/regions/0"},
        {"rollout over 100", "release-2.json", [](Json& d) { d["rollout"]["percentage"] = 101; },
         "schema.maximum", "/rollout/percentage"},
        {"overlong release id", "release-1.json",
         [](Json& d) { d["release"]["id"] = std::string(65, 'a'); }, "schema.maxLength",
         "/release/id"},
        {"oversized string refused before the schema", "release-1.json",
         [](Json& d) { d["release"]["id"] = std::string(100000, 'a'); }, "schema.maxLength",
         "/release/id"},
        {"huge array refused before the schema", "release-1.json",
         [](Json& d) {
             for (int i = 0; i < 200000; ++i)
                 d["eligibility"]["models"].push_back("m" + std::to_string(i));
         },
         "schema.maxItems", "/eligibility/models"},
        {"not an object", "release-1.json", [](Json& d) { d = Json::array(); }, "schema.type", ""},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            Json doc = example(c.base);
            c.mutate(doc);
            auto ps = problems_of(doc);
            INFO(describe(ps));
            CHECK(has(ps, c.rule, c.pointer));
        }
    }
}

TEST_CASE("every problem is reported, in document order, with positions", "[manifest][schema]") {
    Json doc = example("release-1.json");
    doc["release"]["codename"] = "heron";
    doc["artifacts"][0]["path"] = "../x";
    doc["artifacts"][1]["sha256"] = "ABC";
    doc["expires"] = "2026-01-01T00:00:00Z";
    auto ps = problems_of(doc);
    INFO(describe(ps));
    REQUIRE(ps.size() == 4);
    for (std::size_t i = 1; i < ps.size(); ++i)
        CHECK(ps[i - 1].position.offset <= ps[i].position.offset);
    CHECK(has(ps, "schema.additionalProperties", "/release/codename"));
    CHECK(has(ps, "expires-after-created", "/expires"));
    CHECK(has(ps, "schema.pattern", "/artifacts/0/path"));
    CHECK(has(ps, "schema.pattern", "/artifacts/1/sha256"));
    for (const auto& p : ps) CHECK(p.position.line > 1);
}

TEST_CASE("a strict-parser failure becomes a problem with its position", "[manifest][json]") {
    auto checked =
        check_manifest("{\n  \"schemaVersion\": 1,\n  \"schemaVersion\": 1\n}", "dup.json");
    REQUIRE(checked.ok());
    REQUIRE(checked->problems.size() == 1);
    CHECK_FALSE(checked->document.has_value());
    const Problem& p = checked->problems[0];
    CHECK(p.rule == "json");
    CHECK(p.position.line == 3);
    CHECK(p.pointer == "/schemaVersion");
    CHECK(format_problem("dup.json", p).rfind("dup.json:3:", 0) == 0);
}

TEST_CASE("load_manifest returns the model and the digest of the canonical bytes",
          "[manifest][load]") {
    const std::string bytes = read_source("schemas/examples/release-2.json");
    auto loaded = load_manifest(bytes, "release-2.json");
    REQUIRE(loaded.ok());
    auto doc = json::parse_strict(bytes, "release-2.json");
    REQUIRE(doc.ok());
    CHECK(loaded->canonical == json::canonicalize(doc->value));
    CHECK(loaded->sha256_hex == sha256_hex(loaded->canonical));
    const Manifest& m = loaded->manifest;
    CHECK(m.release.version == "1.5.0");
    CHECK(m.release.channel == Channel::stable);
    CHECK(m.rollback_index == 42);
    CHECK(m.rollout.percentage == 50);
    REQUIRE(m.rollout.waves.size() == 3);
    CHECK(m.rollout.waves[2].name == "broad");
    CHECK(m.eligibility.attestation_required);
    REQUIRE(m.eligibility.regions.has_value());
    CHECK(m.eligibility.regions->size() == 4);
    REQUIRE(m.artifacts.size() == 5);
    CHECK(m.artifacts[0].sha512.has_value());
    CHECK_FALSE(m.artifacts[1].sha512.has_value());
    CHECK(m.expires > m.created);
}

TEST_CASE("load_manifest names the first problem and counts the rest", "[manifest][load]") {
    Json doc = example("release-1.json");
    doc["rollbackIndex"] = -1;
    doc["artifacts"][0]["sha256"] = "x";
    auto loaded = load_manifest(doc.dump(2), "bad.json");
    REQUIRE_FALSE(loaded.ok());
    CHECK(loaded.error().code == ErrorCode::InvalidInput);
    CHECK(loaded.error().detail.rfind("bad.json:", 0) == 0);
    // dump() sorts keys, so "artifacts" comes first in the document.
    CHECK(loaded.error().detail.find("(at /artifacts/0/sha256)") != std::string::npos);
    CHECK(loaded.error().hint.find("2 problems") != std::string::npos);
}

TEST_CASE("SemVer precedence follows semver.org section 11", "[manifest][semver]") {
    // Each version has lower precedence than the next (the example list from semver.org plus
    // long numeric parts that overflow 64 bits).
    const std::vector<std::string> ordered = {"1.0.0-alpha",
                                              "1.0.0-alpha.1",
                                              "1.0.0-alpha.beta",
                                              "1.0.0-beta",
                                              "1.0.0-beta.2",
                                              "1.0.0-beta.11",
                                              "1.0.0-rc.1",
                                              "1.0.0",
                                              "1.0.1",
                                              "1.2.0",
                                              "1.10.0",
                                              "2.0.0",
                                              "18446744073709551616.0.0",
                                              "18446744073709551617.0.0"};
    for (std::size_t i = 1; i < ordered.size(); ++i) {
        INFO(ordered[i - 1] << " < " << ordered[i]);
        auto a = parse_semver(ordered[i - 1]);
        auto b = parse_semver(ordered[i]);
        REQUIRE(a.ok());
        REQUIRE(b.ok());
        CHECK(compare_semver(*a, *b) == std::strong_ordering::less);
        CHECK(compare_semver(*b, *a) == std::strong_ordering::greater);
    }
    auto x = parse_semver("1.0.0+build.1");
    auto y = parse_semver("1.0.0+build.2");
    REQUIRE(x.ok());
    REQUIRE(y.ok());
    CHECK(compare_semver(*x, *y) == std::strong_ordering::equal);
    for (const char* bad : {"1", "1.0", "1.0.0.0", "01.0.0", "1.0.0-", "1.0.0-01", "1.0.0+",
                            "1.0.0-a..b", "v1.0.0", ""}) {
        INFO(bad);
        CHECK_FALSE(parse_semver(bad).ok());
    }
}

TEST_CASE("RFC 3339 UTC timestamps: real dates only", "[manifest][rfc3339]") {
    struct Case {
        const char* text;
        bool ok;
        std::int64_t seconds;
    };
    const std::vector<Case> cases = {
        {"1970-01-01T00:00:00Z", true, 0},
        {"2026-11-23T12:00:00Z", true, 1795435200},
        {"2028-02-29T00:00:00Z", true, 1835395200},
        {"2000-02-29T23:59:59Z", true, 951868799},
        {"2026-11-23T12:00:00.5Z", true, 1795435200},
        {"2027-02-29T00:00:00Z", false, 0},
        {"1900-02-29T00:00:00Z", false, 0},
        {"2026-02-30T00:00:00Z", false, 0},
        {"2026-04-31T00:00:00Z", false, 0},
        {"2026-13-01T00:00:00Z", false, 0},
        {"2026-00-01T00:00:00Z", false, 0},
        {"2026-11-23T24:00:00Z", false, 0},
        {"2026-11-23T12:60:00Z", false, 0},
        {"2026-12-31T23:59:60Z", false, 0},
        {"2026-11-23T12:00:00+00:00", false, 0},
        {"2026-11-23T12:00:00z", false, 0},
        {"2026-11-23 12:00:00Z", false, 0},
        {"2026-11-23T12:00:00.Z", false, 0},
        {"2026-11-23T12:00:00.1234567890Z", false, 0},
    };
    for (const auto& c : cases) {
        INFO(c.text);
        auto t = parse_rfc3339_utc(c.text);
        CHECK(t.ok() == c.ok);
        if (c.ok && t.ok()) {
            CHECK(t->seconds == c.seconds);
            CHECK(timestamp_from_unix(t->seconds).text.substr(0, 19) ==
                  std::string(c.text).substr(0, 19));
        }
    }
    auto half = parse_rfc3339_utc("2026-11-23T12:00:00.5Z");
    auto whole = parse_rfc3339_utc("2026-11-23T12:00:00Z");
    REQUIRE(half.ok());
    REQUIRE(whole.ok());
    CHECK(half->nanos == 500000000u);
    CHECK(*whole < *half);
}

namespace {

DiffOptions options_at(const char* now) {
    DiffOptions o;
    auto t = parse_rfc3339_utc(now);
    REQUIRE(t.ok());
    o.now = std::move(t).value();
    return o;
}

bool has_risk(const Diff& d, const std::string& code) {
    for (const auto& r : d.risks)
        if (r.code == code) return true;
    return false;
}

// A risk must be visible in both renderings, with its reason.
void check_risk_everywhere(const Diff& d, const std::string& code) {
    INFO(code);
    REQUIRE(has_risk(d, code));
    const std::string text = render_text(d, Color::never);
    CHECK(text.find(code + ": ") != std::string::npos);
    const Json j = to_json(d);
    bool found = false;
    for (const auto& r : j["risks"])
        if (r["code"] == code)
            found = !r["reason"].get<std::string>().empty() && r.contains("severity");
    CHECK(found);
    // Risks come first in the text.
    CHECK(text.find(code) < text.find("RELEASE"));
}

}  // namespace

TEST_CASE("diff: each risk is raised and shown in text and JSON", "[manifest][diff]") {
    const LoadedManifest r1 = load_example("release-1.json");
    const LoadedManifest r2 = load_example("release-2.json");
    const DiffOptions opt = options_at("2026-11-23T12:00:00Z");

    SECTION("release-1 to release-2") {
        Diff d = diff(&r1.manifest, r2.manifest, opt);
        check_risk_everywhere(d, "channel-widened");
        check_risk_everywhere(d, "rollout-jump");
        check_risk_everywhere(d, "eligibility-broadened");
        CHECK_FALSE(has_risk(d, "rollback-index-decreased"));
        CHECK_FALSE(has_risk(d, "version-not-increased"));
        CHECK_FALSE(has_risk(d, "expired"));
        CHECK(d.risks.front().severity == Severity::high);
        // vendor.img is dropped, firmware added, boot and bootloader images rebuilt.
        check_risk_everywhere(d, "artifact-removed");
        check_risk_everywhere(d, "critical-artifact-changed");
        CHECK_FALSE(has_risk(d, "no-previous"));
        CHECK(high_risk_codes(d) == std::vector<std::string>{"channel-widened"});
    }
    SECTION("a recovery image rebuilt is not boot-critical, a bootloader is") {
        Manifest next = r1.manifest;
        next.release.version = "1.4.1";
        next.release.semver = parse_semver("1.4.1").value();
        for (auto& a : next.artifacts)
            if (a.role == "recovery") a.sha256 = std::string(64, 'c');
        CHECK_FALSE(has_risk(diff(&r1.manifest, next, opt), "critical-artifact-changed"));
        for (auto& a : next.artifacts)
            if (a.role == "bootloader") a.sha256 = std::string(64, 'd');
        check_risk_everywhere(diff(&r1.manifest, next, opt), "critical-artifact-changed");
    }
    SECTION("rollback index decreases") {
        Manifest next = r2.manifest;
        next.rollback_index = 40;
        check_risk_everywhere(diff(&r1.manifest, next, opt), "rollback-index-decreased");
    }
    SECTION("version does not increase") {
        Manifest next = r2.manifest;
        next.release.version = "1.4.0-rc.1";
        next.release.semver = parse_semver(next.release.version).value();
        check_risk_everywhere(diff(&r1.manifest, next, opt), "version-not-increased");
    }
    SECTION("attestation and enrollment requirements dropped") {
        Manifest next = r2.manifest;
        next.eligibility.attestation_required = false;
        next.eligibility.enrollment_required = false;
        Diff d = diff(&r1.manifest, next, opt);
        check_risk_everywhere(d, "attestation-dropped");
        check_risk_everywhere(d, "enrollment-dropped");
    }
    SECTION("artifact content changes under an unchanged version") {
        Manifest next = r1.manifest;
        next.artifacts[2].sha256 = std::string(64, 'b');
        Diff d = diff(&r1.manifest, next, opt);
        check_risk_everywhere(d, "artifact-changed-same-version");
        check_risk_everywhere(d, "version-not-increased");
    }
    SECTION("regions dropped means every region") {
        Manifest next = r2.manifest;
        next.eligibility.regions.reset();
        Diff d = diff(&r1.manifest, next, opt);
        bool widened = false;
        for (const auto& r : d.risks)
            if (r.code == "eligibility-broadened" &&
                r.reason.find("regions widened") != std::string::npos)
                widened = true;
        CHECK(widened);
    }
    SECTION("security is entered from stable") {
        Manifest prev = r2.manifest;
        Manifest next = r2.manifest;
        next.release.channel = Channel::security;
        check_risk_everywhere(diff(&prev, next, opt), "channel-widened");
        CHECK_FALSE(has_risk(diff(&next, prev, opt), "channel-widened"));
    }
    SECTION("rollout step is configurable") {
        DiffOptions wide = opt;
        wide.max_rollout_step = 40;
        CHECK_FALSE(has_risk(diff(&r1.manifest, r2.manifest, wide), "rollout-jump"));
    }
    SECTION("expiry beyond the policy maximum") {
        DiffOptions strict = opt;
        strict.max_expiry_days = 30;
        check_risk_everywhere(diff(&r1.manifest, r2.manifest, strict), "expiry-too-long");
    }
    SECTION("already expired") {
        check_risk_everywhere(diff(&r1.manifest, r2.manifest, options_at("2027-03-01T00:00:00Z")),
                              "expired");
    }
    SECTION("expired at the instant expires, as verify's expiry check, not one second before") {
        check_risk_everywhere(diff(&r1.manifest, r2.manifest, options_at("2027-02-15T00:00:00Z")),
                              "expired");
        CHECK_FALSE(
            has_risk(diff(&r1.manifest, r2.manifest, options_at("2027-02-14T23:59:59Z")), "expired"));
    }
    SECTION("no risk when nothing widens") {
        Manifest next = r1.manifest;
        next.release.version = "1.4.1";
        next.release.semver = parse_semver("1.4.1").value();
        next.rollback_index = 41;
        Diff d = diff(&r1.manifest, next, opt);
        CHECK(d.risks.empty());
        CHECK(render_text(d, Color::never).find("RISKS (0)\n  none\n") != std::string::npos);
    }
}

TEST_CASE("diff: a first release is a full summary", "[manifest][diff]") {
    const LoadedManifest r2 = load_example("release-2.json");
    Diff d = diff(nullptr, r2.manifest, options_at("2026-11-23T12:00:00Z"));
    CHECK(d.first_release);
    for (const auto& s : d.sections)
        for (const auto& c : s.changes) CHECK(c.kind == ChangeKind::added);
    const std::string text = render_text(d, Color::never);
    CHECK(text.rfind("First release", 0) == 0);
    CHECK(text.find("+ version: 1.5.0") != std::string::npos);
    CHECK(text.find("+ images/system.img: ") != std::string::npos);
    CHECK(to_json(d)["firstRelease"] == true);
    // rollbackIndex 42 says releases came before: without a base that is a risk; at 0 it is not.
    check_risk_everywhere(d, "no-previous");
    CHECK(high_risk_codes(d).empty());
    Manifest first = r2.manifest;
    first.rollback_index = 0;
    CHECK_FALSE(has_risk(diff(nullptr, first, options_at("2026-11-23T12:00:00Z")), "no-previous"));
}

TEST_CASE("sign refuses what expires within a day", "[manifest][diff]") {
    const LoadedManifest r2 = load_example("release-2.json");  // expires 2027-02-15T00:00:00Z
    CHECK(check_remaining_validity(r2.manifest, options_at("2027-02-13T23:59:59Z").now, "m").ok());
    CHECK(check_remaining_validity(r2.manifest, options_at("2027-02-14T00:00:00Z").now, "m").ok());
    auto soon = check_remaining_validity(r2.manifest, options_at("2027-02-14T00:00:01Z").now, "m");
    REQUIRE_FALSE(soon.ok());
    CHECK(soon.error().code == otasign::ErrorCode::PolicyViolation);
    auto gone = check_remaining_validity(r2.manifest, options_at("2027-02-15T00:00:00Z").now, "m");
    REQUIRE_FALSE(gone.ok());
    CHECK(gone.error().detail.find("expired at 2027-02-15T00:00:00Z") != std::string::npos);
}

TEST_CASE("diff: colour only when asked", "[manifest][diff]") {
    const LoadedManifest r1 = load_example("release-1.json");
    const LoadedManifest r2 = load_example("release-2.json");
    Diff d = diff(&r1.manifest, r2.manifest, options_at("2026-11-23T12:00:00Z"));
    CHECK(render_text(d, Color::never).find('\x1b') == std::string::npos);
    CHECK(render_text(d, Color::always).find("\x1b[31m") != std::string::npos);
}

TEST_CASE("diff: JSON carries the same changes as the text", "[manifest][diff]") {
    const LoadedManifest r1 = load_example("release-1.json");
    const LoadedManifest r2 = load_example("release-2.json");
    Diff d = diff(&r1.manifest, r2.manifest, options_at("2026-11-23T12:00:00Z"));
    const std::string text = render_text(d, Color::never);
    const Json j = to_json(d);
    std::size_t count = 0;
    for (const auto& s : j["sections"]) count += s["changes"].size();
    std::size_t lines = 0;
    for (std::size_t pos = 0; (pos = text.find("\n  ", pos)) != std::string::npos; ++pos)
        if (text.compare(pos + 3, 2, "+ ") == 0 || text.compare(pos + 3, 2, "- ") == 0 ||
            text.compare(pos + 3, 2, "~ ") == 0 || text.compare(pos + 3, 2, "= ") == 0)
            ++lines;
    CHECK(count == lines);
    CHECK(j["risks"].size() == d.risks.size());
}
