#pragma once
// Hashing and hex helpers over OpenSSL's EVP interface.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace otasign {

enum class HashAlg { sha256, sha384, sha512 };

std::vector<std::uint8_t> hash_bytes(HashAlg alg, std::string_view data);
std::string sha256_hex(std::string_view data);
std::string to_hex(const std::uint8_t* data, std::size_t size);
inline std::string to_hex(const std::vector<std::uint8_t>& v) { return to_hex(v.data(), v.size()); }
// Lowercase or uppercase hex to bytes. Errors: InvalidInput.
Result<std::vector<std::uint8_t>> from_hex(std::string_view hex);

// Incremental hashing, for files too large to hold in memory.
class Hasher {
public:
    explicit Hasher(HashAlg alg);
    ~Hasher();
    Hasher(const Hasher&) = delete;
    Hasher& operator=(const Hasher&) = delete;
    void update(const void* data, std::size_t size);
    std::vector<std::uint8_t> finish();

private:
    struct Impl;
    Impl* m_impl;
};

}  // namespace otasign
