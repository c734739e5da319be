#pragma once
// Hashing and hex helpers over OpenSSL's EVP interface.

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace otasign {

enum class HashAlg { sha256, sha384, sha512 };

// The digest of bytes in memory. OpenSSL fails here only when out of memory or without its
// default provider; that stops the program (fatal_internal_error), as no caller could go on.
std::vector<std::uint8_t> hash_bytes(HashAlg alg, std::string_view data);
std::string sha256_hex(std::string_view data);
std::string to_hex(const std::uint8_t* data, std::size_t size);
inline std::string to_hex(const std::vector<std::uint8_t>& v) { return to_hex(v.data(), v.size()); }
// Lowercase or uppercase hex to bytes. Errors: InvalidInput.
Result<std::vector<std::uint8_t>> from_hex(std::string_view hex);

// Incremental hashing, for files too large to hold in memory. Move-only.
class Hasher {
  public:
    // Errors: Internal (OpenSSL cannot set up the digest: out of memory, or no provider).
    static Result<Hasher> create(HashAlg alg);
    Hasher(Hasher&& other) noexcept;
    Hasher& operator=(Hasher&& other) noexcept;
    Hasher(const Hasher&) = delete;
    Hasher& operator=(const Hasher&) = delete;
    ~Hasher();

    // Errors: Internal.
    Status update(const void* data, std::size_t size);
    // The digest; the Hasher is then spent. Errors: Internal.
    Result<std::vector<std::uint8_t>> finish();

  private:
    struct Impl;
    explicit Hasher(std::unique_ptr<Impl> impl) noexcept;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace otasign
