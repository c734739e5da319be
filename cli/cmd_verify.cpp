// otasign verify: the CI gate. Every check is run and reported (text or --json); the exit code
// is 0 only when all pass, 1 when a signature or policy check fails, 3 for unreadable or
// malformed input.

#include <ctime>
#include <iostream>
#include <optional>

#include "core/atomic_file.hpp"
#include "envelope/bundle.hpp"
#include "exit_codes.hpp"
#include "manifest/manifest.hpp"
#include "policy/manifest_checks.hpp"
#include "policy/policy.hpp"
#include "policy/verify.hpp"
#include "progress.hpp"
#include "registry.hpp"

namespace otasign::cli {
namespace {

struct VerifyArgs {
    std::string manifest, policy, signature, role = "manifest", previous, artifacts, now;
    std::optional<std::uint64_t> min_rollback_index;
    bool json = false;
};

struct Check {
    std::string name;
    bool ok = false;
    std::string detail;
    json::Value extra;  // per-check data for --json
};

Result<manifest::LoadedManifest> load_manifest_file(const std::string& path) {
    OTASIGN_ASSIGN_OR_RETURN(std::string bytes, read_file(path));
    return manifest::load_manifest(bytes, path);
}

int run_verify(const VerifyArgs& a) {
    // Input errors (exit 3) come first, before any check is reported.
    auto loaded = load_manifest_file(a.manifest);
    if (!loaded) return report(loaded.error());
    std::string sig_path = a.signature.empty() ? a.manifest + ".sig" : a.signature;
    auto sig_bytes = read_file(sig_path);
    if (!sig_bytes)
        return report(make_error(ErrorCode::InvalidInput, sig_bytes.error().detail,
                                 "sign first with 'otasign sign', or pass --signature FILE"));
    auto bundle = envelope::parse_bundle(*sig_bytes, sig_path);
    if (!bundle) return report(bundle.error());
    auto pol_bytes = read_file(a.policy);
    if (!pol_bytes) return report(pol_bytes.error());
    auto pol = policy::parse_policy(*pol_bytes, a.policy);
    if (!pol) return report(pol.error());
    auto role = policy::role_from_name(a.role);
    if (!role) return report(role.error());
    std::optional<manifest::LoadedManifest> previous;
    if (!a.previous.empty()) {
        auto p = load_manifest_file(a.previous);
        if (!p) return report(p.error());
        previous = std::move(p).value();
    }
    manifest::Timestamp now;
    if (!a.now.empty()) {
        auto t = manifest::parse_rfc3339_utc(a.now);
        if (!t)
            return report(make_error(ErrorCode::Usage, "--now " + a.now + ": " + t.error().detail));
        now = std::move(t).value();
    } else {
        now = manifest::timestamp_from_unix(static_cast<std::int64_t>(std::time(nullptr)));
    }

    const manifest::Manifest& m = loaded->manifest;
    policy::ManifestBinding binding{loaded->sha256_hex, loaded->canonical.size(), m.release.id,
                                    m.release.version, manifest::channel_name(m.release.channel)};
    auto bv = policy::verify_bundle(*bundle, *pol, *role, binding, sig_path);

    std::vector<Check> checks;
    json::Value sigs = json::Value::array();
    std::size_t good = 0;
    std::size_t foreign = 0;
    for (const auto& s : bv.signatures) {
        json::Value j = {{"index", s.index},
                         {"ok", s.ok},
                         {"foreign", s.foreign},
                         {"claimedKeyid", s.claimed_key_id}};
        if (!s.key_id.empty()) {
            j["keyid"] = s.key_id;
            j["keyName"] = s.key_name;
        }
        if (s.statement) {
            j["operator"] = s.statement->approval.operator_name;
            j["time"] = s.statement->approval.time;
            j["tokenSerial"] = s.statement->approval.token.serial;
            j["shownTextSha256"] = s.statement->shown_text_sha256;
        }
        if (s.attestation) {
            json::Value at = {{"ok", s.attestation->ok}, {"detail", s.attestation->detail}};
            if (!s.attestation->slot.empty()) {
                at["slot"] = s.attestation->slot;
                at["pinPolicy"] = s.attestation->pin_policy;
                at["touchPolicy"] = s.attestation->touch_policy;
                at["origin"] = s.attestation->origin;
                at["firmware"] = s.attestation->firmware;
                at["root"] = s.attestation->root_subject;
                if (s.attestation->serial) at["serial"] = *s.attestation->serial;
            }
            j["attestation"] = at;
        }
        if (!s.ok) j["detail"] = s.detail;
        sigs.push_back(j);
        if (s.ok) ++good;
        if (s.foreign) ++foreign;
    }
    // A signature by a key outside the role is not counted but does not fail the gate; one
    // that claims or verifies with a role key and is wrong does.
    std::string sig_detail = std::to_string(good) + " of " + std::to_string(bv.signatures.size()) +
                             " signature(s) verify with keys of role " + a.role +
                             " and bind this manifest";
    if (foreign)
        sig_detail += "; " + std::to_string(foreign) + " by keys outside the role (not counted)";
    checks.push_back({"signatures", good + foreign == bv.signatures.size(), sig_detail, nullptr});
    std::string thr = std::to_string(bv.distinct_keys.size()) + " distinct key(s) of role " +
                      a.role + ", threshold " + std::to_string(bv.threshold);
    if (bv.threshold > bv.role_keys)
        thr += " (unreachable: the role has " + std::to_string(bv.role_keys) + " key(s))";
    checks.push_back({"threshold", bv.threshold_met, thr, nullptr});

    if (previous || a.min_rollback_index) {
        std::uint64_t min = a.min_rollback_index.value_or(0);
        std::string what = "--min-rollback-index";
        if (previous && previous->manifest.rollback_index >= min) {
            min = previous->manifest.rollback_index;
            what = "the rollbackIndex of " + a.previous;
        }
        auto st = policy::check_rollback(m, min, what);
        checks.push_back({"rollback", st.ok(),
                          st ? "rollbackIndex " + std::to_string(m.rollback_index) +
                                   " >= " + std::to_string(min) + " (" + what + ")"
                             : st.error().detail,
                          nullptr});
    }
    {
        auto st = policy::check_expiry(m, now);
        checks.push_back(
            {"expiry", st.ok(),
             st ? "expires " + m.expires.text + ", after " + now.text : st.error().detail,
             nullptr});
    }
    if (!a.artifacts.empty()) {
        ProgressBar bar("Hashing artifacts");
        auto results = policy::check_artifacts(m, a.artifacts, bar.callback());
        bar.finish();
        json::Value arts = json::Value::array();
        std::size_t ok = 0;
        for (const auto& r : results) {
            arts.push_back({{"path", r.path}, {"ok", r.ok}, {"detail", r.detail}});
            if (r.ok) ++ok;
        }
        checks.push_back({"artifacts", ok == results.size(),
                          std::to_string(ok) + " of " + std::to_string(results.size()) +
                              " artifact(s) in " + a.artifacts + " match",
                          arts});
    }

    bool all = true;
    for (const auto& c : checks) all = all && c.ok;
    if (a.json) {
        json::Value jc = json::Value::array();
        for (const auto& c : checks) {
            json::Value j = {{"name", c.name}, {"ok", c.ok}, {"detail", c.detail}};
            if (!c.extra.is_null()) j["items"] = c.extra;
            jc.push_back(j);
        }
        json::Value out = {{"ok", all},
                           {"manifest",
                            {{"path", a.manifest},
                             {"sha256", loaded->sha256_hex},
                             {"size", loaded->canonical.size()},
                             {"release",
                              {{"id", m.release.id},
                               {"version", m.release.version},
                               {"channel", manifest::channel_name(m.release.channel)}}}}},
                           {"signature", sig_path},
                           {"policy", a.policy},
                           {"role", a.role},
                           {"now", now.text},
                           {"checks", jc},
                           {"signatures", sigs}};
        std::cout << out.dump(2) << "\n";
    } else {
        std::cout << "manifest " << a.manifest << " sha256:" << loaded->sha256_hex << "\n";
        for (const auto& s : bv.signatures) {
            std::cout << "  signature " << s.index << ": "
                      << (s.ok        ? "ok"
                          : s.foreign ? "not counted"
                                      : "FAIL");
            if (s.ok)
                std::cout << " key '" << s.key_name << "' (" << s.key_id.substr(0, 16)
                          << "...), operator " << s.statement->approval.operator_name << ", "
                          << s.statement->approval.time;
            else
                std::cout << ": " << s.detail;
            std::cout << "\n";
            if (s.attestation)
                std::cout << "    attestation: " << (s.attestation->ok ? "ok, " : "FAIL, ")
                          << s.attestation->detail << "\n";
        }
        for (const auto& c : checks) {
            std::cout << (c.ok ? "ok    " : "FAIL  ") << c.name << ": " << c.detail << "\n";
            if (c.name == "artifacts")
                for (const auto& r : c.extra)
                    if (!r["ok"].get<bool>())
                        std::cout << "        " << r["path"].get<std::string>() << ": "
                                  << r["detail"].get<std::string>() << "\n";
        }
        std::cout << (all ? "verified" : "NOT verified") << "\n";
    }
    if (!all) {
        std::cerr << "otasign: error: " << a.manifest << " does not pass verification against "
                  << a.policy << " (role " << a.role << ")\n";
        return kVerifyFailed;
    }
    return kOk;
}

CommandGroup g(35, [](CLI::App& app, int& exit_code) {
    auto a = std::make_shared<VerifyArgs>();
    CLI::App* cmd = app.add_subcommand(
        "verify", "Verify a manifest's signatures against a trust policy (the CI gate)");
    cmd->add_option("MANIFEST", a->manifest, "Release manifest (JSON)")->required();
    cmd->add_option("--policy", a->policy, "Trust policy (JSON)")->required();
    cmd->add_option("--signature", a->signature, "Signature bundle (default: MANIFEST.sig)");
    cmd->add_option("--role", a->role, "Role whose keys and threshold apply (default: manifest)")
        ->check(CLI::IsMember({"manifest", "release"}));
    cmd->add_option("--previous", a->previous,
                    "Previous release manifest: the rollbackIndex must not decrease");
    cmd->add_option("--min-rollback-index", a->min_rollback_index,
                    "The rollbackIndex must be at least N");
    cmd->add_option(
        "--artifacts", a->artifacts,
        "Directory holding the artifacts: each must exist with the manifest's size and hashes");
    cmd->add_option("--now", a->now,
                    "Judge expiry at this RFC 3339 UTC time (default: the current time)");
    cmd->add_flag("--json", a->json,
                  "Print one JSON document with a result per check and per signature");
    cmd->footer(
        "Exit 0 when every check passes, 1 when a signature or policy check fails, 3 for "
        "unreadable or\n"
        "malformed input.\n"
        "Example:\n  otasign verify release-2.json --policy policy.json --previous release-1.json "
        "--artifacts out/");
    cmd->callback([a, &exit_code] { exit_code = run_verify(*a); });
});

}  // namespace
}  // namespace otasign::cli
