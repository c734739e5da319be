#include "manifest/timestamp.hpp"

#include <cstdio>

namespace otasign::manifest {
namespace {

bool is_leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(std::int64_t y, int m) {
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// Howard Hinnant's days_from_civil: proleptic Gregorian date to days since 1970-01-01.
std::int64_t days_from_civil(std::int64_t y, int m, int d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const std::int64_t yoe = y - era * 400;
    const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

Error bad(std::string_view text, std::string_view why) {
    return make_error(
        ErrorCode::InvalidInput,
        "'" + std::string(text) + "' is not an RFC 3339 UTC timestamp: " + std::string(why));
}

bool read_digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
    if (pos + n > s.size()) return false;
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    out = v;
    return true;
}

}  // namespace

Result<Timestamp> parse_rfc3339_utc(std::string_view text) {
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    const std::string_view shape = "expected YYYY-MM-DDTHH:MM:SS[.FFFFFFFFF]Z";
    if (text.size() < 20 || !read_digits(text, 0, 4, year) || text[4] != '-' ||
        !read_digits(text, 5, 2, month) || text[7] != '-' || !read_digits(text, 8, 2, day) ||
        text[10] != 'T' || !read_digits(text, 11, 2, hour) || text[13] != ':' ||
        !read_digits(text, 14, 2, minute) || text[16] != ':' || !read_digits(text, 17, 2, second))
        return bad(text, shape);
    std::size_t pos = 19;
    std::uint32_t nanos = 0;
    if (text[pos] == '.') {
        ++pos;
        std::size_t digits = 0;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
            if (++digits > 9) return bad(text, "more than nine fractional digits");
            nanos = nanos * 10 + static_cast<std::uint32_t>(text[pos] - '0');
            ++pos;
        }
        if (digits == 0) return bad(text, shape);
        for (std::size_t i = digits; i < 9; ++i) nanos *= 10;
    }
    if (pos + 1 != text.size() || text[pos] != 'Z')
        return bad(text, "must end in 'Z' (UTC), " + std::string(shape));
    if (month < 1 || month > 12) return bad(text, "month out of range");
    if (day < 1 || day > days_in_month(year, month))
        return bad(text, "day " + std::to_string(day) + " does not exist in " +
                             std::to_string(year) + "-" + (month < 10 ? "0" : "") +
                             std::to_string(month));
    if (hour > 23) return bad(text, "hour out of range");
    if (minute > 59) return bad(text, "minute out of range");
    if (second == 60) return bad(text, "leap seconds are not accepted");
    if (second > 59) return bad(text, "second out of range");
    Timestamp t;
    t.seconds = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
    t.nanos = nanos;
    t.text = std::string(text);
    return t;
}

Timestamp timestamp_from_unix(std::int64_t seconds) {
    std::int64_t days = seconds / 86400;
    std::int64_t rem = seconds % 86400;
    if (rem < 0) {
        rem += 86400;
        --days;
    }
    // civil_from_days, the inverse of days_from_civil.
    days += 719468;
    const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const std::int64_t doe = days - era * 146097;
    const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const std::int64_t mp = (5 * doy + 2) / 153;
    const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
    const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
    const std::int64_t y = yoe + era * 400 + (m <= 2);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ",
                  static_cast<long long>(y), static_cast<long long>(m), static_cast<long long>(d),
                  static_cast<long long>(rem / 3600), static_cast<long long>(rem % 3600 / 60),
                  static_cast<long long>(rem % 60));
    Timestamp t;
    t.seconds = seconds;
    t.text = buf;
    return t;
}

}  // namespace otasign::manifest
