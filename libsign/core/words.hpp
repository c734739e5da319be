#pragma once
// Counted nouns in messages: "1 signature", "2 signatures", never "1 signature(s)".

#include <cstddef>
#include <string>
#include <string_view>

namespace otasign {

// A count and its noun, the noun plural with a trailing "s" unless the count is 1.
inline std::string plural(std::size_t n, std::string_view noun) {
    return std::to_string(n) + " " + std::string(noun) + (n == 1 ? "" : "s");
}

}  // namespace otasign
