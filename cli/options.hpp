#pragma once
// Integer options read as what they are: a non-negative decimal number in range. CLI11 alone
// converts "-18446744073709551574" to an unsigned 42 (strtoull wraps negatives); this check runs
// on the text first, so no option ever wraps around.

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

namespace otasign::cli {

// A validator for decimal digits only (no sign, no space, no 0x, no exponent), at most `max`.
inline CLI::Validator non_negative_integer(std::uint64_t max = UINT64_MAX) {
    return CLI::Validator(
        [max](std::string& text) -> std::string {
            if (text.empty() || text.size() > 20 ||
                text.find_first_not_of("0123456789") != std::string::npos)
                return "'" + text + "' is not a non-negative decimal integer";
            unsigned long long v = 0;
            for (char c : text) {
                unsigned digit = static_cast<unsigned>(c - '0');
                if (v > (UINT64_MAX - digit) / 10) return "'" + text + "' is too large";
                v = v * 10 + digit;
            }
            if (v > max)
                return "'" + text + "' is above the largest allowed, " + std::to_string(max);
            return {};
        },
        max == UINT64_MAX ? "UINT" : "0.." + std::to_string(max), "non-negative integer");
}

}  // namespace otasign::cli
