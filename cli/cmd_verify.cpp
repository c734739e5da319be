// otasign verify: the CI gate. libsign decides (policy::verify_release); this file reads the
// inputs and renders the report as text or --json. Exit 0 when no check failed, 1 when one
// did, 3 for unreadable or malformed input (before any check runs).

#include <ctime>
#include <iostream>
#include <optional>
#include <sstream>

#include "commands.hpp"
#include "core/atomic_file.hpp"
#include "documents.hpp"
#include "envelope/bundle.hpp"
#include "exit_codes.hpp"
#include "manifest/manifest.hpp"
#include "options.hpp"
#include "policy/policy.hpp"
#include "policy/release.hpp"
#include "progress.hpp"
#include "terminal_text.hpp"

namespace otasign::cli {
namespace {

struct VerifyArgs {
    std::string manifest, policy, signature, role = "manifest", previous, artifacts, now;
    std::optional<std::uint64_t> min_rollback_index;
    bool strict = false;
    bool json = false;
};

Result<manifest::LoadedManifest> load_manifest_file(const std::string& path) {
    OTASIGN_ASSIGN_OR_RETURN(std::string bytes, read_file(path));
    return manifest::load_manifest(bytes, input_name(path));
}

json::Value signature_json(const policy::SignatureCheck& s) {
    json::Value j = {{"index", s.index},
                     {"ok", s.ok},
                     {"foreign", s.foreign},
                     {"problem", policy::signature_problem_name(s.problem)},
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
        j["previousManifest"] = s.statement->previous_sha256
                                    ? json::Value(*s.statement->previous_sha256)
                                    : json::Value();
        j["statementVersion"] = s.statement->statement_version();
        // Where the signature's evidence entry must stand (statement version 2), so CI can
        // archive it and check the log with 'otasign evidence verify LOG --bundle'.
        if (s.statement->log)
            j["logPosition"] = {{"index", s.statement->log->index},
                                {"previousEntrySha256", s.statement->log->previous_entry_sha256},
                                {"manifestPath", s.statement->log->manifest_path},
                                {"bundlePath", s.statement->log->bundle_path}};
        else
            j["logPosition"] = nullptr;
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
    return j;
}

void print_json(const VerifyArgs& a, const std::string& sig_path,
                const manifest::LoadedManifest& lm, const manifest::Timestamp& now,
                const policy::ReleaseReport& r) {
    const manifest::Manifest& m = lm.manifest;
    json::Value checks = json::Value::array();
    for (const auto& c : r.checks) {
        json::Value j = {{"name", c.name},
                         {"status", policy::check_status_name(c.status)},
                         {"ok", c.status != policy::CheckStatus::fail},
                         {"detail", c.detail}};
        if (c.name == "artifacts" && r.artifacts) {
            json::Value items = json::Value::array();
            for (const auto& x : r.artifacts->artifacts)
                items.push_back({{"path", x.path}, {"ok", x.ok}, {"detail", x.detail}});
            j["items"] = items;
            j["extra"] = r.artifacts->extra;
        }
        checks.push_back(j);
    }
    json::Value sigs = json::Value::array();
    for (const auto& s : r.signatures.signatures) sigs.push_back(signature_json(s));
    json::Value out = {{"ok", r.ok()},
                       {"verdict", r.ok() ? "verified" : "not verified"},
                       {"skipped", r.skipped()},
                       {"manifest",
                        {{"path", a.manifest},
                         {"sha256", lm.sha256_hex},
                         {"size", lm.canonical.size()},
                         {"release",
                          {{"id", m.release.id},
                           {"version", m.release.version},
                           {"channel", manifest::channel_name(m.release.channel)}}}}},
                       {"signature", sig_path},
                       {"policy", a.policy},
                       {"role", a.role},
                       {"now", now.text},
                       {"checks", checks},
                       {"signatures", sigs}};
    std::cout << out.dump(2) << "\n";
}

void print_text(const VerifyArgs& a, const manifest::LoadedManifest& lm,
                const policy::ReleaseReport& r) {
    // Operator names, key names, paths and details come from the bundle, the policy and the
    // file system: the whole report goes through terminal_safe_text before it is shown.
    std::ostringstream out;
    auto t = [](std::string_view v) { return terminal_safe(v); };
    out << "manifest " << t(a.manifest) << " sha256:" << lm.sha256_hex << "\n";
    for (const auto& s : r.signatures.signatures) {
        out << "  signature " << s.index << ": "
            << (s.ok        ? "ok"
                : s.foreign ? "not counted"
                            : "FAIL");
        if (s.ok) {
            out << " key '" << t(s.key_name) << "' (" << s.key_id.substr(0, 16) << "...), operator "
                << t(s.statement->approval.operator_name) << ", " << t(s.statement->approval.time);
            if (s.statement->log) out << ", evidence entry " << s.statement->log->index;
        } else
            out << " (" << policy::signature_problem_name(s.problem) << "): " << t(s.detail);
        out << "\n";
        if (s.attestation)
            out << "    attestation: " << (s.attestation->ok ? "ok, " : "FAIL, ")
                << t(s.attestation->detail) << "\n";
    }
    for (const auto& c : r.checks) {
        const char* tag = c.status == policy::CheckStatus::pass   ? "ok    "
                          : c.status == policy::CheckStatus::fail ? "FAIL  "
                                                                  : "skip  ";
        out << tag << c.name << ": " << t(c.detail) << "\n";
        if (c.name == "artifacts" && r.artifacts) {
            for (const auto& x : r.artifacts->artifacts)
                if (!x.ok) out << "        " << t(x.path) << ": " << t(x.detail) << "\n";
            for (const auto& e : r.artifacts->extra) out << "        extra: " << t(e) << "\n";
        }
    }
    auto skipped = r.skipped();
    std::string names;
    for (const auto& s : skipped) names += (names.empty() ? "" : ", ") + s;
    if (r.ok())
        out << "verified" << (skipped.empty() ? "" : " (not checked: " + names + ")") << "\n";
    else
        out << "NOT verified\n";
    std::cout << terminal_safe_text(out.str());
}

int run_verify(const VerifyArgs& a) {
    // Input errors (exit 3) come first, before any check is reported.
    auto loaded = load_manifest_file(a.manifest);
    if (!loaded) return report(loaded.error());
    std::string sig_path = a.signature.empty() ? a.manifest + ".sig" : a.signature;
    // One byte over the bound is enough for parse_bundle to name it.
    auto sig_bytes = read_file(sig_path, envelope::kMaxBundleBytes + 1);
    if (!sig_bytes)
        return report(make_error(ErrorCode::InvalidInput, sig_bytes.error().detail,
                                 "sign first with 'otasign sign', or pass --signature FILE"));
    auto bundle = envelope::parse_bundle(*sig_bytes, sig_path);
    if (!bundle)
        return report(
            name_wrong_kind(bundle.error(), *sig_bytes, sig_path, json::DocumentKind::bundle));
    auto pol_doc = read_policy_document(a.policy);
    if (!pol_doc) return report(pol_doc.error());
    const policy::Policy& pol = pol_doc->value;
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

    policy::ReleaseInputs in;
    in.manifest = &*loaded;
    in.bundle = &*bundle;
    in.bundle_source = sig_path;
    in.policy = &pol;
    in.role = *role;
    if (previous) {
        in.previous = &*previous;
        in.previous_source = a.previous;
    }
    in.min_rollback_index = a.min_rollback_index;
    in.now = now;
    std::optional<ProgressBar> bar;
    if (!a.artifacts.empty()) {
        in.artifacts_dir = a.artifacts;
        in.strict_artifacts = a.strict;
        bar.emplace("Hashing artifacts");
        in.progress = bar->callback();
    }
    auto result = policy::verify_release(in);
    if (bar) bar->finish();
    if (!result) return report(result.error());
    const policy::ReleaseReport& r = *result;

    if (a.json)
        print_json(a, sig_path, *loaded, now, r);
    else
        print_text(a, *loaded, r);
    if (!r.ok())
        return report(make_error(ErrorCode::PolicyViolation,
                                 a.manifest + " does not pass verification against " + a.policy +
                                     " (role " + a.role + ")"));
    return kOk;
}

}  // namespace

void add_verify_command(CLI::App& app, int& exit_code) {
    auto a = std::make_shared<VerifyArgs>();
    CLI::App* cmd = app.add_subcommand(
        "verify", "Verify a manifest's signatures against a trust policy (the CI gate)");
    cmd->add_option("MANIFEST", a->manifest, "Release manifest (JSON)")->required();
    cmd->add_option("--policy", a->policy, "Trust policy (JSON)")->required();
    cmd->add_option("--signature", a->signature, "Signature bundle (default: MANIFEST.sig)");
    cmd->add_option("--role", a->role, "Role whose keys and threshold apply (default: manifest)")
        ->check(CLI::IsMember({"manifest", "release"}));
    cmd->add_option("--previous", a->previous,
                    "Previous release manifest: the version must be higher, the rollbackIndex not "
                    "lower, and the statements must name it as previousManifest");
    cmd->add_option("--min-rollback-index", a->min_rollback_index,
                    "The rollbackIndex must be at least N")
        ->check(non_negative_integer());
    cmd->add_option(
        "--artifacts", a->artifacts,
        "Directory holding the artifacts: each must be a regular file beneath it (no symbolic "
        "links) with the manifest's size and hashes");
    cmd->add_flag("--strict", a->strict,
                  "With --artifacts: files in the directory that the manifest does not list fail");
    cmd->add_option("--now", a->now,
                    "Judge freshness and expiry at this RFC 3339 UTC time (default: the current "
                    "time)");
    cmd->add_flag("--json", a->json,
                  "Print one JSON document with a status per check and a result per signature");
    cmd->footer(
        "Checks, each reported as ok, FAIL or skip: signatures, threshold, previous-binding,\n"
        "version, rollback, channel-sequence, freshness, expiry, validity, artifacts.\n"
        "Exit 0 when no check fails, 1 when one does, 3 for unreadable or malformed input.\n"
        "Example:\n  otasign verify release-2.json --policy policy.json --previous release-1.json "
        "--artifacts out/");
    cmd->callback([a, &exit_code] { exit_code = run_verify(*a); });
}

}  // namespace otasign::cli
