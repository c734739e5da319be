#include "core/digest.hpp"

#include <openssl/evp.h>

#include "core/ossl.hpp"

namespace otasign {

namespace {
const EVP_MD* md_for(HashAlg alg) {
    switch (alg) {
        case HashAlg::sha256:
            return EVP_sha256();
        case HashAlg::sha384:
            return EVP_sha384();
        case HashAlg::sha512:
            return EVP_sha512();
    }
    return EVP_sha256();
}
}  // namespace

struct Hasher::Impl {
    ossl::Ptr<EVP_MD_CTX> ctx;
};

Hasher::Hasher(std::unique_ptr<Impl> impl) noexcept : m_impl(std::move(impl)) {}
Hasher::Hasher(Hasher&& other) noexcept = default;
Hasher& Hasher::operator=(Hasher&& other) noexcept = default;
Hasher::~Hasher() = default;

Result<Hasher> Hasher::create(HashAlg alg) {
    auto impl = std::make_unique<Impl>(Impl{ossl::Ptr<EVP_MD_CTX>(EVP_MD_CTX_new())});
    if (!impl->ctx || EVP_DigestInit_ex(impl->ctx.get(), md_for(alg), nullptr) != 1)
        return make_error(ErrorCode::Internal, "cannot set up a digest: " + ossl::last_error());
    return Hasher(std::move(impl));
}

Status Hasher::update(const void* data, std::size_t size) {
    if (!m_impl || EVP_DigestUpdate(m_impl->ctx.get(), data, size) != 1)
        return make_error(ErrorCode::Internal, "hashing failed: " + ossl::last_error());
    return ok_status();
}

Result<std::vector<std::uint8_t>> Hasher::finish() {
    std::vector<std::uint8_t> out(EVP_MAX_MD_SIZE);
    unsigned int len = 0;
    if (!m_impl || EVP_DigestFinal_ex(m_impl->ctx.get(), out.data(), &len) != 1)
        return make_error(ErrorCode::Internal, "hashing failed: " + ossl::last_error());
    m_impl.reset();
    out.resize(len);
    return out;
}

std::vector<std::uint8_t> hash_bytes(HashAlg alg, std::string_view data) {
    std::vector<std::uint8_t> out(EVP_MAX_MD_SIZE);
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), out.data(), &len, md_for(alg), nullptr) != 1)
        fatal_internal_error("OpenSSL cannot hash bytes in memory (out of memory?)");
    out.resize(len);
    return out;
}

std::string sha256_hex(std::string_view data) { return to_hex(hash_bytes(HashAlg::sha256, data)); }

std::string to_hex(const std::uint8_t* data, std::size_t size) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(size * 2);
    for (std::size_t i = 0; i < size; ++i) {
        out.push_back(digits[data[i] >> 4]);
        out.push_back(digits[data[i] & 0xf]);
    }
    return out;
}

Result<std::vector<std::uint8_t>> from_hex(std::string_view hex) {
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    if (hex.size() % 2 != 0)
        return make_error(ErrorCode::InvalidInput, "hex string has odd length");
    std::vector<std::uint8_t> out;
    out.reserve(hex.size() / 2);
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
        if (hi < 0 || lo < 0) return make_error(ErrorCode::InvalidInput, "not a hex string");
        out.push_back(static_cast<std::uint8_t>(hi << 4 | lo));
    }
    return out;
}

}  // namespace otasign

#include <openssl/err.h>

namespace otasign::ossl {
std::string last_error() {
    unsigned long e = ERR_get_error();
    std::string out;
    if (e != 0) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        out = buf;
    }
    ERR_clear_error();
    return out.empty() ? "unknown OpenSSL error" : out;
}
}  // namespace otasign::ossl
