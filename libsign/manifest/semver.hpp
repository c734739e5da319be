#pragma once
// Semantic Versioning 2.0.0: parsing and precedence (semver.org, section 11).

#include <compare>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace otasign::manifest {

struct SemVer {
    // Numeric parts are kept as digit strings: SemVer puts no bound on them, and without
    // leading zeros a longer digit string is always the larger number.
    std::string major;
    std::string minor;
    std::string patch;
    std::vector<std::string> prerelease;  // dot-separated identifiers, empty for a release
    std::string build;                    // ignored by precedence
};

// Parses a SemVer 2.0.0 version. Errors: InvalidInput saying which part is malformed.
Result<SemVer> parse_semver(std::string_view text);

// Precedence: major, minor, patch numerically; a pre-release is lower than its release;
// pre-release identifiers compared numerically or ASCII-wise; build metadata ignored.
std::strong_ordering compare_semver(const SemVer& a, const SemVer& b);

}  // namespace otasign::manifest
