// Test driver: reads lines "HEXBITS EXPECTED" (a double's 64-bit pattern and node's
// JSON.stringify of it) and checks format_es6_number against each. It covers doubles that
// parse_strict rejects on purpose (integers from 2^53 to 1e21), which canonicalize still formats
// for values built in code.
#include <bit>
#include <cstdint>
#include <iostream>
#include <sstream>
#include <string>

#include "json/canonical.hpp"

int main() {
    std::string line;
    std::uint64_t checked = 0, failed = 0;
    while (std::getline(std::cin, line)) {
        std::istringstream in(line);
        std::string hex, want;
        if (!(in >> hex >> want)) continue;
        auto x = std::bit_cast<double>(static_cast<std::uint64_t>(std::stoull(hex, nullptr, 16)));
        std::string got = otasign::json::format_es6_number(x);
        ++checked;
        if (got != want && ++failed <= 20)
            std::cerr << "bits 0x" << hex << ": format_es6_number " << got << ", node " << want << '\n';
    }
    std::cout << checked << " doubles checked, " << failed << " differ\n";
    return checked > 0 && failed == 0 ? 0 : 1;
}
