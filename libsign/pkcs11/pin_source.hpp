#pragma once
// Where a PIN comes from. Never argv, never the environment: a file descriptor the caller
// opened (fd:N), a file only its owner can read (file:PATH), the key URI's pin-source (same
// syntax, including RFC 7512 file: URIs), or by default the operator through OperatorUi.
// The PIN lives in a SecretBuffer, is never copied into a std::string and never logged.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/secret.hpp"
#include "core/ui.hpp"

namespace otasign::pkcs11 {

class PinSource {
  public:
    enum class Kind { fd, file };

    // Parses "fd:N", "file:PATH", "file:/abs/path" or "file:///abs/path" (percent-escapes in
    // file: URIs are decoded). Errors: Usage.
    static Result<PinSource> parse(std::string_view spec);

    // Reads the PIN: one line from the descriptor (up to the newline, nothing beyond it), or
    // the first line of the file. A trailing CR is dropped. A file that others can read is
    // refused; one its group can read is used with a warning through `ui`.
    // Errors: InvalidInput (unreadable, empty, longer than SecretBuffer::kCapacity,
    // world-readable).
    Result<SecretBuffer> read(OperatorUi& ui) const;

    // What read() would refuse without reading a PIN: a descriptor that is not open, a file
    // that is missing, not regular or readable by everyone. Called before the review, so an
    // operator does not approve a release only to find the PIN source unusable.
    // Errors: InvalidInput.
    Status check() const;

    Kind kind() const noexcept { return m_kind; }
    // "fd:3" or "file:/path", for messages (never the PIN).
    std::string describe() const;

  private:
    PinSource(Kind kind, int fd, std::filesystem::path path)
        : m_kind(kind), m_fd(fd), m_path(std::move(path)) {}
    Kind m_kind;
    int m_fd = -1;
    std::filesystem::path m_path;
};

// The PIN from `explicit_source` if given, else from the URI's `uri_source`, else from
// ui.request_secret(prompt). Errors: Usage (bad source), InvalidInput, Declined.
Result<SecretBuffer> obtain_pin(const std::optional<PinSource>& explicit_source,
                                const std::optional<std::string>& uri_source, OperatorUi& ui,
                                std::string_view prompt);

}  // namespace otasign::pkcs11
