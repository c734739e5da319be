#pragma once
// The exit-code table (README "Exit codes"), in one place.

#include <string>
#include <string_view>

#include "core/result.hpp"
#include "json/kind.hpp"

namespace otasign::cli {

enum Exit : int {
    kOk = 0,
    kVerifyFailed = 1,  // verification or policy failure
    kUsage = 2,
    kInvalidInput = 3,  // malformed JSON, schema violation, unreadable file
    kTokenError = 4,    // token or device error (PIN, touch, PKCS#11)
    kDeclined = 5,      // operator declined or aborted
    kInternal = 6,      // a bug, or a file that could not be written or renamed (Io)
};

int exit_code_for(ErrorCode code) noexcept;

// Prints "otasign: error: DETAIL" (and "otasign: hint: HINT") to stderr; returns the exit code.
int report(const Error& error);

// For a document that failed to read as `expected`: when its shape is another otasign document,
// an error saying so ("PATH is a release manifest, not a trust policy", InvalidInput), else
// `error` unchanged. libsign recognises the kind; this only words it.
Error name_wrong_kind(const Error& error, std::string_view bytes, const std::string& path,
                      json::DocumentKind expected);
// Prints "otasign: warning: TEXT" to stderr.
void warn(std::string_view text);

}  // namespace otasign::cli
