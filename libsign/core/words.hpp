#pragma once
// Words in messages: counted nouns ("1 signature", "2 signatures", never "1 signature(s)")
// and lists of alternatives.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace otasign {

// A count and its noun, the noun plural with a trailing "s" unless the count is 1.
inline std::string plural(std::size_t n, std::string_view noun) {
    return std::to_string(n) + " " + std::string(noun) + (n == 1 ? "" : "s");
}

// A list for a sentence: "a", "a or b", "a, b or c".
inline std::string one_of(const std::vector<std::string>& items) {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0) out += i + 1 == items.size() ? " or " : ", ";
        out += items[i];
    }
    return out;
}

}  // namespace otasign
