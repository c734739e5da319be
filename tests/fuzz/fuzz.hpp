#pragma once
// Shared by the libFuzzer targets (tests/fuzz/fuzz_*.cpp): bytes as a view, and an invariant
// check that aborts, so libFuzzer records the input as a crash.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace otasign::fuzz {

inline std::string_view bytes(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

// An invariant of the code under test does not hold for this input.
[[noreturn]] inline void broken(const char* what) {
    std::fprintf(stderr, "otasign fuzz: invariant broken: %s\n", what);
    std::abort();
}

}  // namespace otasign::fuzz
