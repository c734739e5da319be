#include "manifest/diff.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace otasign::manifest {

const char* severity_name(Severity severity) noexcept {
    return severity == Severity::high ? "high" : "medium";
}

const char* change_kind_name(ChangeKind kind) noexcept {
    switch (kind) {
        case ChangeKind::added:
            return "added";
        case ChangeKind::removed:
            return "removed";
        case ChangeKind::changed:
            return "changed";
        case ChangeKind::unchanged:
            return "unchanged";
    }
    return "unchanged";
}

namespace {

// Position on the widening ladder; security is off the ladder (see channel_widens).
int channel_rank(Channel c) {
    switch (c) {
        case Channel::draft:
            return 0;
        case Channel::validation:
            return 1;
        case Channel::limited:
            return 2;
        case Channel::stable:
        case Channel::security:
            return 3;
    }
    return 0;
}

bool channel_widens(Channel from, Channel to) {
    if (from == to) return false;
    // security is its own protected channel: entering it from anywhere widens (it is pushed to
    // the whole eligible fleet on an expedited path); leaving it for stable does not.
    if (to == Channel::security) return true;
    if (from == Channel::security) return false;
    return channel_rank(to) > channel_rank(from);
}

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
    return out;
}

std::string percent(int p) { return std::to_string(p) + "%"; }

std::string wave_text(const Wave& w) { return percent(w.percentage) + " from " + w.start.text; }

std::string artifact_text(const Artifact& a) {
    std::string s = a.role + ", " + std::to_string(a.size) + " bytes, sha256 " + a.sha256;
    if (a.sha512) s += ", sha512 " + *a.sha512;
    return s;
}

class Builder {
  public:
    explicit Builder(bool first) : m_first(first) {}

    Section& section(std::string name) {
        m_diff.sections.push_back(Section{std::move(name), {}});
        return m_diff.sections.back();
    }
    void scalar(Section& s, const std::string& field, const std::string* old_value,
                const std::string& new_value) {
        if (!old_value)
            s.changes.push_back({ChangeKind::added, field, "", new_value});
        else if (*old_value != new_value)
            s.changes.push_back({ChangeKind::changed, field, *old_value, new_value});
        else
            s.changes.push_back({ChangeKind::unchanged, field, *old_value, new_value});
    }
    // Per-item changes of a set-like list; returns the added items.
    std::vector<std::string> items(Section& s, const std::string& field,
                                   const std::vector<std::string>* old_items,
                                   const std::vector<std::string>& new_items) {
        std::vector<std::string> added;
        std::set<std::string> old_set;
        if (old_items) old_set.insert(old_items->begin(), old_items->end());
        const std::set<std::string> new_set(new_items.begin(), new_items.end());
        if (old_items)
            for (const auto& o : *old_items)
                if (!new_set.count(o)) s.changes.push_back({ChangeKind::removed, field, o, ""});
        for (const auto& n : new_items) {
            if (old_set.count(n))
                s.changes.push_back({ChangeKind::unchanged, field, n, n});
            else {
                s.changes.push_back({ChangeKind::added, field, "", n});
                added.push_back(n);
            }
        }
        return added;
    }
    void risk(std::string code, Severity severity, std::string reason) {
        m_diff.risks.push_back(Risk{std::move(code), severity, std::move(reason)});
    }
    Diff take() {
        m_diff.first_release = m_first;
        return std::move(m_diff);
    }

  private:
    bool m_first;
    Diff m_diff;
};

// A list where "absent" means "everything" (hardware, regions). Returns a reason when the
// change widens eligibility, else "".
std::string optional_items(Builder& b, Section& s, const std::string& field,
                           const std::string& everything,
                           const std::optional<std::vector<std::string>>* old_items,
                           const std::optional<std::vector<std::string>>& new_items) {
    if (!old_items) {
        if (new_items)
            b.items(s, field, nullptr, *new_items);
        else
            s.changes.push_back({ChangeKind::added, field, "", everything});
        return {};
    }
    if (*old_items && new_items) {
        auto added = b.items(s, field, &**old_items, *new_items);
        return added.empty() ? std::string() : field + " added: " + join(added);
    }
    if (!*old_items && !new_items) {
        s.changes.push_back({ChangeKind::unchanged, field, everything, everything});
        return {};
    }
    const std::string old_text = *old_items ? join(**old_items) : everything;
    const std::string new_text = new_items ? join(*new_items) : everything;
    s.changes.push_back({ChangeKind::changed, field, old_text, new_text});
    return new_items ? std::string() : field + " widened from " + old_text + " to " + everything;
}

}  // namespace

std::vector<std::string> high_risk_codes(const Diff& diff) {
    std::vector<std::string> codes;
    for (const auto& r : diff.risks)
        if (r.severity == Severity::high &&
            std::find(codes.begin(), codes.end(), r.code) == codes.end())
            codes.push_back(r.code);
    return codes;
}

Status check_remaining_validity(const Manifest& next, const Timestamp& now, std::string_view name,
                                std::int64_t min_seconds) {
    const std::int64_t left = next.expires.seconds - now.seconds;
    if (!(next.expires > now))
        return make_error(ErrorCode::PolicyViolation,
                          std::string(name) + " expired at " + next.expires.text +
                              " and devices refuse it; nothing was signed",
                          "make a new manifest with a later 'expires'");
    if (left < min_seconds)
        return make_error(ErrorCode::PolicyViolation,
                          std::string(name) + " expires at " + next.expires.text + ", less than " +
                              std::to_string(min_seconds / 3600) +
                              " hours from now; nothing was signed",
                          "a manifest must have at least one day of validity left when it is "
                          "signed; make a new one with a later 'expires'");
    return ok_status();
}

namespace {

// Roles whose image decides whether a device boots at all (MANIFEST-FORMAT.md, "Diff").
bool boot_critical(const std::string& role) {
    return role == "bootloader" || role == "boot-image" || role == "firmware";
}

}  // namespace

Diff diff(const Manifest* previous, const Manifest& next, const DiffOptions& options) {
    const Manifest* p = previous;
    Builder b(p == nullptr);

    Section& rel = b.section("release");
    b.scalar(rel, "id", p ? &p->release.id : nullptr, next.release.id);
    b.scalar(rel, "version", p ? &p->release.version : nullptr, next.release.version);
    b.scalar(rel, "build", p ? &p->release.build : nullptr, next.release.build);
    const std::string old_channel = p ? channel_name(p->release.channel) : "";
    b.scalar(rel, "channel", p ? &old_channel : nullptr, channel_name(next.release.channel));

    const bool same_version = p && compare_semver(p->release.semver, next.release.semver) == 0;
    if (p && compare_semver(next.release.semver, p->release.semver) <= 0)
        b.risk("version-not-increased", Severity::high,
               "version " + next.release.version +
                   (same_version ? " does not increase over " : " is lower than ") +
                   p->release.version);
    if (p && channel_widens(p->release.channel, next.release.channel))
        b.risk("channel-widened", Severity::high,
               "channel widens from " + old_channel + " to " + channel_name(next.release.channel));

    // Without a base, only a release that claims no history (rollbackIndex 0) is a first
    // release; any other one hides what changed (MANIFEST-FORMAT.md, "Diff").
    if (!p && next.rollback_index > 0)
        b.risk("no-previous", Severity::medium,
               "no previous manifest was given, but rollbackIndex " +
                   std::to_string(next.rollback_index) +
                   " says releases came before: nothing shows what changes since the last one");

    Section& rb = b.section("rollbackIndex");
    const std::string old_rb = p ? std::to_string(p->rollback_index) : "";
    b.scalar(rb, "rollbackIndex", p ? &old_rb : nullptr, std::to_string(next.rollback_index));
    if (p && next.rollback_index < p->rollback_index)
        b.risk("rollback-index-decreased", Severity::high,
               "rollback index decreases from " + old_rb + " to " +
                   std::to_string(next.rollback_index) +
                   "; devices that installed the previous release will refuse it, and accepting it "
                   "would "
                   "reopen older releases to rollback");

    Section& val = b.section("validity");
    b.scalar(val, "created", p ? &p->created.text : nullptr, next.created.text);
    b.scalar(val, "expires", p ? &p->expires.text : nullptr, next.expires.text);
    const std::int64_t window = next.expires.seconds - next.created.seconds;
    if (window > static_cast<std::int64_t>(options.max_expiry_days) * 86400)
        b.risk("expiry-too-long", Severity::medium,
               "expires " + next.expires.text + " is " + std::to_string(window / 86400) +
                   " days after created, more than the policy maximum of " +
                   std::to_string(options.max_expiry_days));
    if (!(next.expires > options.now))
        b.risk("expired", Severity::high,
               "expires " + next.expires.text + " is not after " + options.now.text);

    Section& ro = b.section("rollout");
    const std::string old_pct = p ? percent(p->rollout.percentage) : "";
    b.scalar(ro, "percentage", p ? &old_pct : nullptr, percent(next.rollout.percentage));
    const std::string from_created = "(from created)";
    const std::string old_start =
        p ? (p->rollout.start ? p->rollout.start->text : from_created) : "";
    b.scalar(ro, "start", p ? &old_start : nullptr,
             next.rollout.start ? next.rollout.start->text : from_created);
    {
        std::map<std::string, const Wave*> old_waves;
        if (p)
            for (const auto& w : p->rollout.waves) old_waves[w.name] = &w;
        std::set<std::string> new_names;
        for (const auto& w : next.rollout.waves) new_names.insert(w.name);
        if (p)
            for (const auto& w : p->rollout.waves)
                if (!new_names.count(w.name))
                    ro.changes.push_back({ChangeKind::removed, "wave " + w.name, wave_text(w), ""});
        for (const auto& w : next.rollout.waves) {
            auto it = old_waves.find(w.name);
            const std::string old_text =
                it == old_waves.end() ? std::string() : wave_text(*it->second);
            b.scalar(ro, "wave " + w.name, it == old_waves.end() ? nullptr : &old_text,
                     wave_text(w));
        }
    }
    const int base = p ? p->rollout.percentage : 0;
    if (next.rollout.percentage - base > options.max_rollout_step)
        b.risk("rollout-jump", Severity::medium,
               "rollout jumps from " + percent(base) + " to " + percent(next.rollout.percentage) +
                   " (+" + std::to_string(next.rollout.percentage - base) + " points, more than " +
                   std::to_string(options.max_rollout_step) + ")");
    for (std::size_t i = 1; i < next.rollout.waves.size(); ++i) {
        const Wave& a = next.rollout.waves[i - 1];
        const Wave& w = next.rollout.waves[i];
        if (w.percentage - a.percentage > options.max_rollout_step)
            b.risk("rollout-jump", Severity::medium,
                   "wave " + w.name + " jumps from " + percent(a.percentage) + " to " +
                       percent(w.percentage) + " (+" + std::to_string(w.percentage - a.percentage) +
                       " points, more than " + std::to_string(options.max_rollout_step) + ")");
    }

    Section& el = b.section("eligibility");
    const Eligibility* pe = p ? &p->eligibility : nullptr;
    std::vector<std::string> broadened;
    if (auto added = b.items(el, "models", pe ? &pe->models : nullptr, next.eligibility.models);
        pe && !added.empty())
        broadened.push_back("models added: " + join(added));
    if (auto r = optional_items(b, el, "hardware", "(all revisions)", pe ? &pe->hardware : nullptr,
                                next.eligibility.hardware);
        !r.empty())
        broadened.push_back(r);
    if (auto added = b.items(el, "fromBuilds", pe ? &pe->from_builds : nullptr,
                             next.eligibility.from_builds);
        pe && !added.empty())
        broadened.push_back("fromBuilds added: " + join(added));
    if (auto r = optional_items(b, el, "regions", "(all regions)", pe ? &pe->regions : nullptr,
                                next.eligibility.regions);
        !r.empty())
        broadened.push_back(r);
    for (const auto& reason : broadened) b.risk("eligibility-broadened", Severity::medium, reason);
    const auto yes_no = [](bool v) { return std::string(v ? "true" : "false"); };
    const std::string old_enr = pe ? yes_no(pe->enrollment_required) : "";
    const std::string old_att = pe ? yes_no(pe->attestation_required) : "";
    b.scalar(el, "enrollmentRequired", pe ? &old_enr : nullptr,
             yes_no(next.eligibility.enrollment_required));
    b.scalar(el, "attestationRequired", pe ? &old_att : nullptr,
             yes_no(next.eligibility.attestation_required));
    if (pe && pe->attestation_required && !next.eligibility.attestation_required)
        b.risk("attestation-dropped", Severity::high,
               "attestationRequired drops from true to false: devices that cannot prove their "
               "hardware key may install");
    if (pe && pe->enrollment_required && !next.eligibility.enrollment_required)
        b.risk("enrollment-dropped", Severity::high,
               "enrollmentRequired drops from true to false: devices outside fleet management may "
               "install");

    Section& arts = b.section("artifacts");
    std::vector<std::string> content_changed;
    {
        std::map<std::string, const Artifact*> old_by_path;
        if (p)
            for (const auto& a : p->artifacts) old_by_path[a.path] = &a;
        std::set<std::string> new_paths;
        for (const auto& a : next.artifacts) new_paths.insert(a.path);
        if (p)
            for (const auto& a : p->artifacts)
                if (!new_paths.count(a.path)) {
                    arts.changes.push_back({ChangeKind::removed, a.path, artifact_text(a), ""});
                    content_changed.push_back(a.path + " removed");
                    b.risk("artifact-removed", Severity::medium,
                           a.path + " (" + a.role + ") is no longer delivered");
                }
        for (const auto& a : next.artifacts) {
            auto it = old_by_path.find(a.path);
            if (it == old_by_path.end()) {
                arts.changes.push_back({ChangeKind::added, a.path, "", artifact_text(a)});
                if (p) content_changed.push_back(a.path + " added");
                if (p && boot_critical(a.role))
                    b.risk("critical-artifact-changed", Severity::medium,
                           a.path + " (" + a.role + ") is added");
                continue;
            }
            const Artifact& o = *it->second;
            if (artifact_text(o) == artifact_text(a)) {
                arts.changes.push_back(
                    {ChangeKind::unchanged, a.path, artifact_text(o), artifact_text(a)});
                continue;
            }
            // One line per changed attribute, so a hash change cannot hide in a long line.
            const std::string none = "(none)";
            const auto attr = [&](const std::string& name, const std::string& ov,
                                  const std::string& nv) {
                if (ov != nv)
                    arts.changes.push_back({ChangeKind::changed, a.path + " " + name, ov, nv});
            };
            attr("role", o.role, a.role);
            attr("size", std::to_string(o.size), std::to_string(a.size));
            attr("sha256", o.sha256, a.sha256);
            attr("sha512", o.sha512.value_or(none), a.sha512.value_or(none));
            if (o.size != a.size || o.sha256 != a.sha256 || o.sha512 != a.sha512)
                content_changed.push_back(a.path + " changed");
            if (boot_critical(a.role) || boot_critical(o.role))
                b.risk("critical-artifact-changed", Severity::medium,
                       a.path + " (" + (o.role == a.role ? a.role : o.role + " -> " + a.role) +
                           ") changes");
        }
    }
    if (same_version && !content_changed.empty())
        b.risk("artifact-changed-same-version", Severity::high,
               "artifact content changes while the version stays " + next.release.version + ": " +
                   join(content_changed) +
                   "; devices and caches keyed by version would mix two builds");

    Diff d = b.take();
    // Highest severity first; within a severity, the order in which the sections raised them.
    std::stable_sort(d.risks.begin(), d.risks.end(), [](const Risk& x, const Risk& y) {
        return x.severity == Severity::high && y.severity != Severity::high;
    });
    return d;
}

namespace {

constexpr const char* kReset = "\x1b[0m";
constexpr const char* kBold = "\x1b[1m";
constexpr const char* kRed = "\x1b[31m";
constexpr const char* kGreen = "\x1b[32m";
constexpr const char* kYellow = "\x1b[33m";

std::string heading(const std::string& name) {
    if (name == "rollbackIndex") return "ROLLBACK INDEX";
    std::string s;
    for (char c : name) s += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    return s;
}

}  // namespace

std::string render_text(const Diff& diff, Color color, Unchanged unchanged) {
    const bool c = color == Color::always;
    const auto paint = [c](const char* code, const std::string& text) {
        return c ? std::string(code) + text + kReset : text;
    };
    std::string out;
    if (diff.first_release) out += "First release: no previous manifest, full summary follows.\n\n";
    out += paint(kBold, "RISKS (" + std::to_string(diff.risks.size()) + ")") + "\n";
    if (diff.risks.empty()) out += "  none\n";
    for (const Risk& r : diff.risks) {
        const bool high = r.severity == Severity::high;
        std::string tag = high ? "[high]  " : "[medium]";
        out += "  " + paint(high ? kRed : kYellow, tag + " " + r.code) + ": " + r.reason + "\n";
    }
    for (const Section& s : diff.sections) {
        out += "\n" + paint(kBold, heading(s.name)) + "\n";
        std::size_t folded = 0;
        for (const Change& ch : s.changes) {
            if (unchanged == Unchanged::fold && ch.kind == ChangeKind::unchanged) {
                ++folded;
                continue;
            }
            switch (ch.kind) {
                case ChangeKind::added:
                    out += paint(kGreen, "  + " + ch.field + ": " + ch.new_value) + "\n";
                    break;
                case ChangeKind::removed:
                    out += paint(kRed, "  - " + ch.field + ": " + ch.old_value) + "\n";
                    break;
                case ChangeKind::changed:
                    out += paint(kYellow,
                                 "  ~ " + ch.field + ": " + ch.old_value + " -> " + ch.new_value) +
                           "\n";
                    break;
                case ChangeKind::unchanged:
                    out += "  = " + ch.field + ": " + ch.new_value + "\n";
                    break;
            }
        }
        if (folded > 0) out += "  = " + std::to_string(folded) + " unchanged (--full lists them)\n";
    }
    return out;
}

nlohmann::json to_json(const Diff& diff) {
    nlohmann::json j;
    j["firstRelease"] = diff.first_release;
    j["risks"] = nlohmann::json::array();
    for (const Risk& r : diff.risks)
        j["risks"].push_back(
            {{"code", r.code}, {"severity", severity_name(r.severity)}, {"reason", r.reason}});
    j["sections"] = nlohmann::json::array();
    for (const Section& s : diff.sections) {
        nlohmann::json changes = nlohmann::json::array();
        for (const Change& ch : s.changes) {
            nlohmann::json c{{"kind", change_kind_name(ch.kind)}, {"field", ch.field}};
            if (ch.kind != ChangeKind::added) c["old"] = ch.old_value;
            if (ch.kind != ChangeKind::removed) c["new"] = ch.new_value;
            changes.push_back(std::move(c));
        }
        j["sections"].push_back({{"name", s.name}, {"changes", std::move(changes)}});
    }
    return j;
}

}  // namespace otasign::manifest
