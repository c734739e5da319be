#include <charconv>

#include "core/digest.hpp"
#include "json/canonical.hpp"
#include "json/kind.hpp"
#include "manifest/manifest.hpp"

namespace otasign::manifest {

const char* channel_name(Channel channel) noexcept {
    switch (channel) {
        case Channel::draft:
            return "draft";
        case Channel::validation:
            return "validation";
        case Channel::limited:
            return "limited";
        case Channel::stable:
            return "stable";
        case Channel::security:
            return "security";
    }
    return "draft";
}

std::optional<Channel> channel_from_name(std::string_view name) noexcept {
    for (Channel c : {Channel::draft, Channel::validation, Channel::limited, Channel::stable,
                      Channel::security})
        if (name == channel_name(c)) return c;
    return std::nullopt;
}

bool is_protected(Channel channel) noexcept {
    return channel == Channel::stable || channel == Channel::security;
}

int max_rollout_percentage(Channel channel) noexcept {
    switch (channel) {
        case Channel::draft:
            return 0;
        case Channel::validation:
            return 5;
        case Channel::limited:
            return 25;
        case Channel::stable:
        case Channel::security:
            return 100;
    }
    return 0;
}

namespace {

std::vector<std::string> strings(const json::Value& array) {
    std::vector<std::string> out;
    for (const auto& v : array) out.push_back(v.get<std::string>());
    return out;
}

Timestamp time_of(const json::Value& v) {
    // Validated already; a failure here is a defect in validate().
    auto t = parse_rfc3339_utc(v.get<std::string>());
    if (!t) throw std::logic_error(t.error().detail);
    return std::move(t).value();
}

// Builds the model of a document that validate() accepted; throws only on a validator defect.
Manifest build_model(const json::Value& root) {
    Manifest m;
    m.schema_version = root.at("schemaVersion").get<int>();
    const auto& rel = root.at("release");
    m.release.id = rel.at("id").get<std::string>();
    m.release.version = rel.at("version").get<std::string>();
    auto sv = parse_semver(m.release.version);
    if (!sv) throw std::logic_error(sv.error().detail);
    m.release.semver = std::move(sv).value();
    m.release.build = rel.at("build").get<std::string>();
    m.release.channel = channel_from_name(rel.at("channel").get<std::string>()).value();
    m.rollback_index = root.at("rollbackIndex").get<std::uint64_t>();
    m.created = time_of(root.at("created"));
    m.expires = time_of(root.at("expires"));
    const auto& ro = root.at("rollout");
    m.rollout.percentage = ro.at("percentage").get<int>();
    if (ro.contains("start")) m.rollout.start = time_of(ro.at("start"));
    if (ro.contains("waves"))
        for (const auto& w : ro.at("waves"))
            m.rollout.waves.push_back(Wave{w.at("name").get<std::string>(),
                                           w.at("percentage").get<int>(), time_of(w.at("start"))});
    const auto& el = root.at("eligibility");
    m.eligibility.models = strings(el.at("models"));
    if (el.contains("hardware")) m.eligibility.hardware = strings(el.at("hardware"));
    m.eligibility.from_builds = strings(el.at("fromBuilds"));
    if (el.contains("regions")) m.eligibility.regions = strings(el.at("regions"));
    m.eligibility.enrollment_required = el.at("enrollmentRequired").get<bool>();
    m.eligibility.attestation_required = el.at("attestationRequired").get<bool>();
    for (const auto& a : root.at("artifacts")) {
        Artifact art;
        art.path = a.at("path").get<std::string>();
        art.role = a.at("role").get<std::string>();
        art.size = a.at("size").get<std::uint64_t>();
        art.sha256 = a.at("sha256").get<std::string>();
        if (a.contains("sha512")) art.sha512 = a.at("sha512").get<std::string>();
        m.artifacts.push_back(std::move(art));
    }
    return m;
}

Result<Manifest> build_checked(const json::Value& root) {
    try {
        return build_model(root);
    } catch (const std::exception& e) {
        return make_error(ErrorCode::Internal,
                          std::string("validated manifest does not map to the model: ") + e.what());
    }
}

bool parse_u64(std::string_view s, std::uint64_t& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

// parse_strict's detail is "SOURCE:LINE:COL: MESSAGE (at JSON pointer P, byte OFFSET)"
// (json/strict.hpp); take it apart so a parse error is reported like any other problem.
Problem problem_from_parse_error(std::string_view source, const std::string& detail) {
    Problem p;
    p.rule = "json";
    p.message = detail;
    std::string_view rest = detail;
    const std::string prefix = std::string(source) + ":";
    if (rest.substr(0, prefix.size()) != prefix) return p;
    rest.remove_prefix(prefix.size());
    std::size_t c1 = rest.find(':');
    std::size_t c2 = c1 == std::string_view::npos ? c1 : rest.find(':', c1 + 1);
    std::uint64_t line = 0, column = 0;
    if (c2 == std::string_view::npos || !parse_u64(rest.substr(0, c1), line) ||
        !parse_u64(rest.substr(c1 + 1, c2 - c1 - 1), column))
        return p;
    rest.remove_prefix(c2 + 1);
    if (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    p.position.line = line;
    p.position.column = column;
    const std::string_view at = " (at JSON pointer ";
    std::size_t a = rest.rfind(at);
    if (a == std::string_view::npos) {
        p.message = std::string(rest);
        return p;
    }
    p.message = std::string(rest.substr(0, a));
    std::string_view tail = rest.substr(a + at.size());
    std::size_t b = tail.rfind(", byte ");
    if (b != std::string_view::npos) {
        p.pointer = std::string(tail.substr(0, b));
        // The message shows the root pointer as "" (quoted, so it is visible); the pointer is
        // the empty string.
        if (p.pointer == "\"\"") p.pointer.clear();
        std::string_view off = tail.substr(b + 7);
        if (!off.empty() && off.back() == ')') off.remove_suffix(1);
        std::uint64_t offset = 0;
        if (parse_u64(off, offset)) p.position.offset = offset;
    }
    return p;
}

}  // namespace

Result<Manifest> to_manifest(const json::Document& document) {
    OTASIGN_ASSIGN_OR_RETURN(std::vector<Problem> problems, validate(document));
    if (!problems.empty())
        return make_error(ErrorCode::InvalidInput, format_problem("<manifest>", problems.front()));
    return build_checked(document.value);
}

Result<Checked> check_manifest(std::string_view bytes, std::string_view source,
                               const json::Limits& limits) {
    Checked out;
    auto doc = json::parse_strict(bytes, source, limits);
    if (!doc) {
        if (doc.error().code != ErrorCode::InvalidInput) return std::move(doc).error();
        out.problems.push_back(problem_from_parse_error(source, doc.error().detail));
        return out;
    }
    OTASIGN_ASSIGN_OR_RETURN(out.problems, validate(doc.value()));
    out.document = std::move(doc).value();
    return out;
}

Result<LoadedManifest> load_manifest(std::string_view bytes, std::string_view source,
                                     const json::Limits& limits) {
    OTASIGN_ASSIGN_OR_RETURN(Checked checked, check_manifest(bytes, source, limits));
    auto loaded = load_checked(std::move(checked), source);
    if (!loaded)
        return json::name_other_kind(std::move(loaded).error(), bytes, source,
                                     json::DocumentKind::manifest);
    return loaded;
}

Result<LoadedManifest> load_checked(Checked checked, std::string_view source) {
    if (!checked.problems.empty() || !checked.document) {
        if (checked.problems.empty())
            return make_error(ErrorCode::Internal, "checked manifest without a document");
        const std::size_t n = checked.problems.size();
        return make_error(ErrorCode::InvalidInput, format_problem(source, checked.problems.front()),
                          n == 1 ? std::string()
                                 : "the manifest has " + std::to_string(n) +
                                       " problems; 'otasign validate " + std::string(source) +
                                       "' lists them all");
    }
    LoadedManifest loaded;
    loaded.document = std::move(*checked.document);
    OTASIGN_ASSIGN_OR_RETURN(loaded.manifest, build_checked(loaded.document.value));
    loaded.canonical = json::canonicalize(loaded.document.value);
    loaded.sha256_hex = sha256_hex(loaded.canonical);
    return loaded;
}

}  // namespace otasign::manifest
