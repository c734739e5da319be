#include <cstdio>
#include <cstdlib>

#include "core/result.hpp"

namespace otasign {

const char* error_code_name(ErrorCode code) noexcept {
    switch (code) {
        case ErrorCode::InvalidInput:
            return "invalid-input";
        case ErrorCode::Usage:
            return "usage";
        case ErrorCode::BadSignature:
            return "bad-signature";
        case ErrorCode::PolicyViolation:
            return "policy-violation";
        case ErrorCode::PinIncorrect:
            return "pin-incorrect";
        case ErrorCode::PinLocked:
            return "pin-locked";
        case ErrorCode::PinFinalTry:
            return "pin-final-try";
        case ErrorCode::TouchTimeout:
            return "touch-timeout";
        case ErrorCode::TokenNotFound:
            return "token-not-found";
        case ErrorCode::AmbiguousKey:
            return "ambiguous-key";
        case ErrorCode::TokenError:
            return "token-error";
        case ErrorCode::Declined:
            return "declined";
        case ErrorCode::Io:
            return "io";
        case ErrorCode::Internal:
            return "internal";
    }
    return "internal";
}

void fatal_internal_error(const char* what) noexcept {
    // The one place libsign writes to the terminal: the process is about to abort, and the
    // message is the only trace of why.
    std::fprintf(stderr, "otasign: internal error: %s\n", what);
    std::fflush(stderr);
    std::abort();
}

}  // namespace otasign
