#include "core/secret.hpp"

#include <openssl/crypto.h>

#include <cstring>

namespace otasign {

SecretBuffer::SecretBuffer(SecretBuffer&& other) noexcept {
    std::memcpy(m_bytes, other.m_bytes, other.m_size);
    m_size = other.m_size;
    other.clear();
}

SecretBuffer& SecretBuffer::operator=(SecretBuffer&& other) noexcept {
    if (this != &other) {
        clear();
        std::memcpy(m_bytes, other.m_bytes, other.m_size);
        m_size = other.m_size;
        other.clear();
    }
    return *this;
}

SecretBuffer::~SecretBuffer() { clear(); }

bool SecretBuffer::push_back(std::uint8_t byte) noexcept {
    if (m_size >= kCapacity) return false;
    m_bytes[m_size++] = byte;
    return true;
}

bool SecretBuffer::assign(std::span<const std::uint8_t> bytes) noexcept {
    if (bytes.size() > kCapacity) return false;
    clear();
    if (!bytes.empty()) std::memcpy(m_bytes, bytes.data(), bytes.size());
    m_size = bytes.size();
    return true;
}

void SecretBuffer::pop_back() noexcept {
    if (m_size == 0) return;
    --m_size;
    OPENSSL_cleanse(m_bytes + m_size, 1);
}

void SecretBuffer::clear() noexcept {
    OPENSSL_cleanse(m_bytes, sizeof m_bytes);
    m_size = 0;
}

bool SecretBuffer::equals(std::span<const std::uint8_t> other) const noexcept {
    if (other.size() != m_size) return false;
    return CRYPTO_memcmp(m_bytes, other.data(), m_size) == 0;
}

}  // namespace otasign
