#include "manifest/semver.hpp"

#include <algorithm>

namespace otasign::manifest {
namespace {

bool is_digits(std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_ident_char(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

bool is_identifier(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), is_ident_char);
}

// A numeric identifier may not have leading zeros ("0" itself is fine).
bool is_numeric_without_leading_zero(std::string_view s) {
    return is_digits(s) && (s.size() == 1 || s[0] != '0');
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    for (;;) {
        std::size_t end = s.find(sep, start);
        parts.push_back(s.substr(start, end == std::string_view::npos ? end : end - start));
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    return parts;
}

std::strong_ordering compare_numeric(std::string_view a, std::string_view b) {
    if (auto c = a.size() <=> b.size(); c != 0) return c;
    int r = a.compare(b);
    return r < 0 ? std::strong_ordering::less
                 : (r > 0 ? std::strong_ordering::greater : std::strong_ordering::equal);
}

std::strong_ordering compare_ascii(std::string_view a, std::string_view b) {
    int r = a.compare(b);
    return r < 0 ? std::strong_ordering::less
                 : (r > 0 ? std::strong_ordering::greater : std::strong_ordering::equal);
}

Error bad(std::string_view text, std::string_view why) {
    return make_error(
        ErrorCode::InvalidInput,
        "'" + std::string(text) + "' is not a SemVer 2.0.0 version: " + std::string(why));
}

}  // namespace

Result<SemVer> parse_semver(std::string_view text) {
    SemVer v;
    std::string_view rest = text;
    if (auto plus = rest.find('+'); plus != std::string_view::npos) {
        std::string_view build = rest.substr(plus + 1);
        for (std::string_view id : split(build, '.'))
            if (!is_identifier(id)) return bad(text, "malformed build metadata");
        v.build = std::string(build);
        rest = rest.substr(0, plus);
    }
    if (auto dash = rest.find('-'); dash != std::string_view::npos) {
        for (std::string_view id : split(rest.substr(dash + 1), '.')) {
            if (!is_identifier(id)) return bad(text, "malformed pre-release identifier");
            if (is_digits(id) && !is_numeric_without_leading_zero(id))
                return bad(text, "numeric pre-release identifier with a leading zero");
            v.prerelease.emplace_back(id);
        }
        rest = rest.substr(0, dash);
    }
    std::vector<std::string_view> core = split(rest, '.');
    if (core.size() != 3) return bad(text, "expected MAJOR.MINOR.PATCH");
    for (std::string_view part : core)
        if (!is_numeric_without_leading_zero(part))
            return bad(text, "MAJOR, MINOR and PATCH must be numbers without leading zeros");
    v.major = std::string(core[0]);
    v.minor = std::string(core[1]);
    v.patch = std::string(core[2]);
    return v;
}

std::strong_ordering compare_semver(const SemVer& a, const SemVer& b) {
    if (auto c = compare_numeric(a.major, b.major); c != 0) return c;
    if (auto c = compare_numeric(a.minor, b.minor); c != 0) return c;
    if (auto c = compare_numeric(a.patch, b.patch); c != 0) return c;
    // A version without pre-release has higher precedence than one with.
    if (a.prerelease.empty() || b.prerelease.empty())
        return a.prerelease.empty() <=> b.prerelease.empty();
    std::size_t n = std::min(a.prerelease.size(), b.prerelease.size());
    for (std::size_t i = 0; i < n; ++i) {
        const std::string& x = a.prerelease[i];
        const std::string& y = b.prerelease[i];
        bool xn = is_digits(x), yn = is_digits(y);
        std::strong_ordering c = std::strong_ordering::equal;
        if (xn && yn)
            c = compare_numeric(x, y);
        else if (xn != yn)
            c = xn ? std::strong_ordering::less : std::strong_ordering::greater;
        else
            c = compare_ascii(x, y);
        if (c != 0) return c;
    }
    return a.prerelease.size() <=> b.prerelease.size();
}

}  // namespace otasign::manifest
