#pragma once
// SecretBuffer: a fixed-capacity byte buffer for PINs, PUKs and management keys. Its memory is
// wiped with OPENSSL_cleanse on clear, move and destruction, it is never copied, and it never
// converts to std::string, so a secret cannot end up in a log line by accident.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace otasign {

class SecretBuffer {
  public:
    static constexpr std::size_t kCapacity = 256;

    SecretBuffer() noexcept = default;
    SecretBuffer(const SecretBuffer&) = delete;
    SecretBuffer& operator=(const SecretBuffer&) = delete;
    SecretBuffer(SecretBuffer&& other) noexcept;
    SecretBuffer& operator=(SecretBuffer&& other) noexcept;
    ~SecretBuffer();

    // Appends one byte; returns false (and keeps the content) when the buffer is full.
    bool push_back(std::uint8_t byte) noexcept;
    // Replaces the content; returns false when `bytes` exceeds the capacity.
    bool assign(std::span<const std::uint8_t> bytes) noexcept;
    void pop_back() noexcept;
    void clear() noexcept;

    std::size_t size() const noexcept { return m_size; }
    bool empty() const noexcept { return m_size == 0; }
    const std::uint8_t* data() const noexcept { return m_bytes; }
    std::uint8_t* data() noexcept { return m_bytes; }
    std::span<const std::uint8_t> bytes() const noexcept { return {m_bytes, m_size}; }

    // Constant-time comparison of the contents (length is not secret).
    bool equals(std::span<const std::uint8_t> other) const noexcept;

  private:
    std::uint8_t m_bytes[kCapacity] = {};
    std::size_t m_size = 0;
};

}  // namespace otasign
