#include "piv/secret_source.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <string>

namespace otasign::piv {
namespace {

// Reads byte by byte up to the first newline, so that several secrets can share one pipe.
Result<SecretBuffer> read_line(int fd, std::string_view what) {
    SecretBuffer out;
    for (;;) {
        unsigned char c = 0;
        ssize_t n = ::read(fd, &c, 1);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0)
            return make_error(ErrorCode::InvalidInput,
                              std::string(what) + ": " + std::strerror(errno));
        if (n == 0 || c == '\n') break;
        if (!out.push_back(c))
            return make_error(ErrorCode::InvalidInput, std::string(what) + ": secret too long");
    }
    if (!out.empty() && out.data()[out.size() - 1] == '\r') out.pop_back();
    if (out.empty())
        return make_error(ErrorCode::InvalidInput, std::string(what) + ": empty secret");
    return out;
}

}  // namespace

Result<SecretBuffer> read_secret_source(std::string_view spec) {
    if (spec.starts_with("fd:")) {
        int fd = -1;
        auto digits = spec.substr(3);
        auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), fd);
        if (ec != std::errc{} || ptr != digits.data() + digits.size() || fd < 0)
            return make_error(ErrorCode::Usage, "bad secret source '" + std::string(spec) + "'",
                              "use fd:N or file:PATH");
        return read_line(fd, "fd:" + std::to_string(fd));
    }
    if (spec.starts_with("file:")) {
        std::string path(spec.substr(5));
        int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) return make_error(ErrorCode::InvalidInput, path + ": " + std::strerror(errno));
        struct stat st {};
        if (::fstat(fd, &st) != 0 || (st.st_mode & S_IROTH)) {
            ::close(fd);
            return make_error(ErrorCode::InvalidInput,
                              path + ": readable by other users; refusing to use it for a secret",
                              "chmod 600 " + path);
        }
        auto result = read_line(fd, path);
        ::close(fd);
        return result;
    }
    return make_error(ErrorCode::Usage, "bad secret source '" + std::string(spec) + "'",
                      "use fd:N or file:PATH; secrets are never taken from the command line");
}

Result<SecretBuffer> management_key_from_hex(const SecretBuffer& hex) {
    if (hex.size() != 48)
        return make_error(ErrorCode::InvalidInput, "a 3DES management key is 48 hex digits, got " +
                                                       std::to_string(hex.size()) + " characters");
    SecretBuffer key;
    for (std::size_t i = 0; i < 48; i += 2) {
        auto nib = [](std::uint8_t c) -> int {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            if (c >= 'A' && c <= 'F') return c - 'A' + 10;
            return -1;
        };
        int hi = nib(hex.data()[i]), lo = nib(hex.data()[i + 1]);
        if (hi < 0 || lo < 0)
            return make_error(ErrorCode::InvalidInput, "the management key is not hexadecimal");
        key.push_back(std::uint8_t(hi * 16 + lo));
    }
    return key;
}

}  // namespace otasign::piv
