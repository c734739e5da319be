#include "pkcs11/pin_source.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "core/fd.hpp"

namespace otasign::pkcs11 {

namespace {

const char* kSpecHint =
    "a PIN source is fd:N (an open file descriptor) or file:PATH (a file only you can read)";

// Decodes %XX escapes of a file: URI path. std::nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view in) {
    std::string out;
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] != '%') {
            out.push_back(in[i]);
            continue;
        }
        if (i + 2 >= in.size()) return std::nullopt;
        unsigned value = 0;
        auto [p, ec] = std::from_chars(in.data() + i + 1, in.data() + i + 3, value, 16);
        if (ec != std::errc() || p != in.data() + i + 3) return std::nullopt;
        out.push_back(static_cast<char>(value));
        i += 2;
    }
    return out;
}

// Reads bytes up to a newline or end of input into `pin`, one byte at a time so that nothing
// after the line is consumed from a shared descriptor.
Status read_line(int fd, SecretBuffer& pin, const std::string& what) {
    for (;;) {
        unsigned char byte = 0;
        ssize_t n = ::read(fd, &byte, 1);
        if (n < 0) {
            if (errno == EINTR) continue;
            return make_error(ErrorCode::InvalidInput,
                              "cannot read the PIN from " + what + ": " + std::strerror(errno));
        }
        if (n == 0 || byte == '\n') break;
        if (!pin.push_back(byte))
            return make_error(ErrorCode::InvalidInput, "the PIN from " + what + " is longer than " +
                                                           std::to_string(SecretBuffer::kCapacity) +
                                                           " bytes");
    }
    if (!pin.empty() && pin.data()[pin.size() - 1] == '\r') pin.pop_back();
    if (pin.empty())
        return make_error(ErrorCode::InvalidInput, "the PIN from " + what + " is empty");
    return ok_status();
}

}  // namespace

// A rejected PIN source is never repeated: a PIN typed in its place must not reach a log.
constexpr const char* kNotShown =
    "the PIN source is not fd:N or file:PATH (its value is not shown, in case it is a PIN)";

Result<PinSource> PinSource::parse(std::string_view spec) {
    if (spec.starts_with("fd:")) {
        std::string_view digits = spec.substr(3);
        int fd = -1;
        auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), fd);
        if (digits.empty() || ec != std::errc() || p != digits.data() + digits.size() || fd < 0)
            return make_error(ErrorCode::Usage, kNotShown, kSpecHint);
        return PinSource(Kind::fd, fd, {});
    }
    if (spec.starts_with("file:")) {
        std::string_view rest = spec.substr(5);
        if (rest.starts_with("//")) {
            // file://HOST/path: only the local host (empty or "localhost") makes sense.
            rest.remove_prefix(2);
            std::size_t slash = rest.find('/');
            std::string_view host = rest.substr(0, slash);
            if (slash == std::string_view::npos || (!host.empty() && host != "localhost"))
                return make_error(ErrorCode::Usage, kNotShown, kSpecHint);
            rest = rest.substr(slash);
        }
        auto decoded = percent_decode(rest);
        if (!decoded || decoded->empty()) return make_error(ErrorCode::Usage, kNotShown, kSpecHint);
        return PinSource(Kind::file, -1, *decoded);
    }
    return make_error(ErrorCode::Usage, kNotShown, kSpecHint);
}

std::string PinSource::describe() const {
    return m_kind == Kind::fd ? "fd:" + std::to_string(m_fd) : "file:" + m_path.string();
}

Status PinSource::check() const {
    if (m_kind == Kind::fd) {
        if (::fcntl(m_fd, F_GETFD) < 0)
            return make_error(ErrorCode::InvalidInput,
                              describe() + " is not an open file descriptor", kSpecHint);
        return ok_status();
    }
    struct stat st {};
    if (::stat(m_path.c_str(), &st) != 0)
        return make_error(ErrorCode::InvalidInput,
                          m_path.string() + ": cannot read the PIN file: " + std::strerror(errno));
    if (!S_ISREG(st.st_mode))
        return make_error(ErrorCode::InvalidInput,
                          m_path.string() + ": the PIN file is not a regular file");
    if (st.st_mode & S_IROTH)
        return make_error(ErrorCode::InvalidInput,
                          m_path.string() + ": the PIN file is readable by everyone",
                          "chmod 600 " + m_path.string());
    return ok_status();
}

Result<SecretBuffer> PinSource::read(OperatorUi& ui) const {
    SecretBuffer pin;
    if (m_kind == Kind::fd) {
        OTASIGN_TRY(read_line(m_fd, pin, describe()));
        return pin;
    }
    core::Fd fd(::open(m_path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
    if (!fd)
        return make_error(ErrorCode::InvalidInput,
                          m_path.string() + ": cannot read the PIN file: " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
        return make_error(ErrorCode::InvalidInput,
                          m_path.string() + ": the PIN file is not a regular file");
    if (st.st_mode & S_IROTH)
        return make_error(ErrorCode::InvalidInput,
                          m_path.string() + ": the PIN file is readable by everyone",
                          "chmod 600 " + m_path.string());
    if (st.st_mode & S_IRGRP)
        ui.display("otasign: warning: the PIN file " + m_path.string() +
                   " is readable by its group; chmod 600 it");
    Status status = read_line(fd.get(), pin, m_path.string());
    if (!status.ok()) return std::move(status).error();
    return pin;
}

Result<SecretBuffer> obtain_pin(const std::optional<PinSource>& explicit_source,
                                const std::optional<std::string>& uri_source, OperatorUi& ui,
                                std::string_view prompt) {
    if (explicit_source) return explicit_source->read(ui);
    if (uri_source) {
        OTASIGN_ASSIGN_OR_RETURN(PinSource source, PinSource::parse(*uri_source));
        return source.read(ui);
    }
    OTASIGN_ASSIGN_OR_RETURN(SecretBuffer pin, ui.request_secret(prompt));
    if (pin.empty()) return make_error(ErrorCode::Declined, "no PIN was entered");
    return pin;
}

}  // namespace otasign::pkcs11
