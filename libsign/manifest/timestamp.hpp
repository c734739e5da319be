#pragma once
// RFC 3339 timestamps in the one form manifests use: UTC with 'Z', e.g. 2026-11-23T09:00:00Z,
// optionally with up to nine fractional digits. Impossible dates (Feb 30, Feb 29 outside a
// leap year, hour 24) are rejected; so are leap seconds (:60), which POSIX time cannot hold.

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace otasign::manifest {

struct Timestamp {
    std::int64_t seconds = 0;  // since 1970-01-01T00:00:00Z
    std::uint32_t nanos = 0;
    std::string text;  // as written in the manifest

    friend std::strong_ordering operator<=>(const Timestamp& a, const Timestamp& b) {
        if (auto c = a.seconds <=> b.seconds; c != 0) return c;
        return a.nanos <=> b.nanos;
    }
    friend bool operator==(const Timestamp& a, const Timestamp& b) {
        return a.seconds == b.seconds && a.nanos == b.nanos;
    }
};

// Parses "YYYY-MM-DDTHH:MM:SS[.F{1,9}]Z". Errors: InvalidInput saying what is wrong.
Result<Timestamp> parse_rfc3339_utc(std::string_view text);

// The timestamp for `seconds` since the epoch, formatted "YYYY-MM-DDTHH:MM:SSZ".
Timestamp timestamp_from_unix(std::int64_t seconds);

}  // namespace otasign::manifest
