#include "policy/release.hpp"

#include <algorithm>

#include "core/words.hpp"

namespace otasign::policy {

const char* check_status_name(CheckStatus s) noexcept {
    switch (s) {
        case CheckStatus::pass:
            return "pass";
        case CheckStatus::fail:
            return "fail";
        case CheckStatus::skipped:
            return "skipped";
    }
    return "unknown";
}

bool ReleaseReport::ok() const {
    return std::none_of(checks.begin(), checks.end(),
                        [](const CheckResult& c) { return c.status == CheckStatus::fail; });
}

std::vector<std::string> ReleaseReport::skipped() const {
    std::vector<std::string> out;
    for (const auto& c : checks)
        if (c.status == CheckStatus::skipped) out.push_back(c.name);
    return out;
}

const CheckResult& ReleaseReport::check(std::string_view name) const {
    for (const auto& c : checks)
        if (c.name == name) return c;
    return checks.front();
}

namespace {

CheckResult pass(const char* name, std::string detail) {
    return {name, CheckStatus::pass, std::move(detail)};
}
CheckResult fail(const char* name, std::string detail) {
    return {name, CheckStatus::fail, std::move(detail)};
}
CheckResult skip(const char* name, std::string why) {
    return {name, CheckStatus::skipped, std::move(why)};
}
CheckResult from_status(const char* name, const Status& st, std::string ok_detail) {
    return st ? pass(name, std::move(ok_detail)) : fail(name, st.error().detail);
}

std::string days(std::int64_t seconds) {
    std::int64_t whole = seconds / 86400, rest = seconds % 86400;
    return std::to_string(whole) + (rest ? " days " + std::to_string(rest) + " s" : " days");
}

CheckResult signatures_check(const BundleVerification& bv, const std::string& role) {
    std::size_t counted = 0, foreign = 0, failed = 0;
    for (const auto& s : bv.signatures) {
        if (s.ok)
            ++counted;
        else if (s.foreign)
            ++foreign;
        else
            ++failed;
    }
    std::string detail = std::to_string(counted) + " of " + std::to_string(bv.signatures.size()) +
                         (bv.signatures.size() == 1 ? " signature" : " signatures") +
                         " verified by keys of role " + role + " and bound to this release";
    if (foreign)
        detail += "; " + std::to_string(foreign) + " by keys outside the role (not counted)";
    if (failed) detail += "; " + std::to_string(failed) + " by role keys that do not count";
    if (failed) return fail("signatures", detail);
    if (counted == 0) return fail("signatures", detail + "; none counts");
    return pass("signatures", detail);
}

CheckResult threshold_check(const BundleVerification& bv, const std::string& role) {
    std::string detail = std::to_string(bv.distinct_keys.size()) + " distinct key" +
                         (bv.distinct_keys.size() == 1 ? "" : "s") + " of role " + role +
                         ", threshold " + std::to_string(bv.threshold) + " (" +
                         bv.threshold_source + ")";
    if (bv.threshold > bv.role_keys)
        detail += "; unreachable: the role has " + std::to_string(bv.role_keys) + " key" +
                  (bv.role_keys == 1 ? "" : "s");
    return bv.threshold_met ? pass("threshold", detail) : fail("threshold", detail);
}

CheckResult previous_binding_check(const BundleVerification& bv, const ReleaseInputs& in) {
    std::vector<std::string> named;
    for (const auto& s : bv.signatures)
        if (s.statement && s.statement->previous_sha256 &&
            std::find(named.begin(), named.end(), *s.statement->previous_sha256) == named.end())
            named.push_back(*s.statement->previous_sha256);
    if (!in.previous) {
        std::string why = "no --previous given";
        if (!named.empty()) {
            why += "; the statements name previous release";
            for (const auto& n : named) why += " sha256:" + n;
        }
        return skip("previous-binding", why);
    }
    std::size_t mismatched = 0;
    for (const auto& s : bv.signatures)
        if (s.problem == SignatureProblem::previous_binding) ++mismatched;
    if (mismatched)
        return fail("previous-binding",
                    plural(mismatched, "statement") + (mismatched == 1 ? " was" : " were") +
                        " approved against another base than " + in.previous_source +
                        " (sha256:" + in.previous->sha256_hex + ")");
    return pass("previous-binding",
                "every counted statement names previous release sha256:" + in.previous->sha256_hex);
}

CheckResult rollback_check(const ReleaseInputs& in) {
    const manifest::Manifest& m = in.manifest->manifest;
    if (!in.previous && !in.min_rollback_index)
        return skip("rollback", "no --previous or --min-rollback-index given");
    std::uint64_t min = 0;
    std::string what;
    if (in.min_rollback_index) {
        min = *in.min_rollback_index;
        what = "--min-rollback-index";
    }
    if (in.previous && in.previous->manifest.rollback_index >= min) {
        min = in.previous->manifest.rollback_index;
        what = "the rollbackIndex of " + in.previous_source;
    }
    return from_status("rollback", check_rollback(m, min, what),
                       "rollbackIndex " + std::to_string(m.rollback_index) +
                           " >= " + std::to_string(min) + " (" + what + ")");
}

CheckResult version_check(const ReleaseInputs& in) {
    if (!in.previous) return skip("version", "no --previous given");
    const auto& m = *in.manifest;
    std::string detail = m.sha256_hex == in.previous->sha256_hex
                             ? "the manifest is the previous release itself"
                             : "version " + m.manifest.release.version + " > " +
                                   in.previous->manifest.release.version + " (" +
                                   in.previous_source + ")";
    return from_status("version", check_version(m, *in.previous), detail);
}

CheckResult channel_sequence_check(const ReleaseInputs& in) {
    manifest::Channel ch = in.manifest->manifest.release.channel;
    const ChannelRule* rule = in.policy->channel(ch);
    if (!rule || !rule->allowed_previous)
        return skip("channel-sequence",
                    std::string("the policy has no allowedPrevious for channel ") +
                        manifest::channel_name(ch));
    if (!in.previous) return skip("channel-sequence", "no --previous given");
    manifest::Channel prev = in.previous->manifest.release.channel;
    std::string allowed;
    for (auto c : *rule->allowed_previous)
        allowed += std::string(allowed.empty() ? "" : ", ") + manifest::channel_name(c);
    bool ok = std::find(rule->allowed_previous->begin(), rule->allowed_previous->end(), prev) !=
              rule->allowed_previous->end();
    std::string detail = std::string("channel ") + manifest::channel_name(ch) + " after " +
                         manifest::channel_name(prev) + "; the policy allows after " + allowed;
    return ok ? pass("channel-sequence", detail) : fail("channel-sequence", detail);
}

CheckResult validity_check(const ReleaseInputs& in) {
    const manifest::Manifest& m = in.manifest->manifest;
    const ChannelRule* rule = in.policy->channel(m.release.channel);
    if (!rule || !rule->max_validity_days)
        return skip("validity", std::string("the policy has no maxValidityDays for channel ") +
                                    manifest::channel_name(m.release.channel));
    // Whole seconds: the fractional parts of created and expires only shorten the window by
    // less than a second, and the bound is in days.
    std::int64_t span = m.expires.seconds - m.created.seconds;
    std::int64_t max = static_cast<std::int64_t>(*rule->max_validity_days) * 86400;
    std::string detail = "expires - created = " + days(span) + ", at most " +
                         std::to_string(*rule->max_validity_days) + " days for channel " +
                         manifest::channel_name(m.release.channel);
    return span <= max ? pass("validity", detail) : fail("validity", detail);
}

}  // namespace

Result<ReleaseReport> verify_release(const ReleaseInputs& in) {
    const manifest::LoadedManifest& lm = *in.manifest;
    const manifest::Manifest& m = lm.manifest;
    std::string role = role_name(in.role);
    ReleaseReport report;

    // Artifacts first only for the one input error they can raise (no such directory), so a
    // report is never half made.
    if (in.artifacts_dir) {
        OTASIGN_ASSIGN_OR_RETURN(report.artifacts,
                                 check_artifacts(m, *in.artifacts_dir, in.progress, in.threads));
    }

    report.signatures = verify_bundle(*in.bundle, *in.policy, in.role, binding_of(lm, in.previous),
                                      in.bundle_source);

    report.checks.push_back(signatures_check(report.signatures, role));
    report.checks.push_back(threshold_check(report.signatures, role));
    report.checks.push_back(previous_binding_check(report.signatures, in));
    report.checks.push_back(version_check(in));
    report.checks.push_back(rollback_check(in));
    report.checks.push_back(channel_sequence_check(in));
    report.checks.push_back(from_status("freshness", check_freshness(m, in.now),
                                        "created " + m.created.text + ", not after now (" +
                                            in.now.text + ") + " +
                                            std::to_string(kMaxClockSkewSeconds) + " s"));
    report.checks.push_back(
        from_status("expiry", check_expiry(m, in.now),
                    "expires " + m.expires.text + ", after now (" + in.now.text + ")"));
    report.checks.push_back(validity_check(in));
    if (!report.artifacts) {
        report.checks.push_back(skip("artifacts", "no --artifacts given"));
    } else {
        const ArtifactReport& ar = *report.artifacts;
        std::size_t ok = 0;
        for (const auto& a : ar.artifacts) ok += a.ok ? 1 : 0;
        std::string detail = std::to_string(ok) + " of " + std::to_string(ar.artifacts.size()) +
                             " artifacts in " + in.artifacts_dir->string() + " match";
        if (!ar.extra.empty())
            detail += "; " + plural(ar.extra.size(), "extra file") + " not in the manifest" +
                      (in.strict_artifacts ? " (--strict)" : "");
        bool good = ar.all_match() && (!in.strict_artifacts || ar.extra.empty());
        report.checks.push_back(good ? pass("artifacts", detail) : fail("artifacts", detail));
    }
    return report;
}

}  // namespace otasign::policy
