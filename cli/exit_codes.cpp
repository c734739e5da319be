#include "exit_codes.hpp"

#include <iostream>

#include "terminal_text.hpp"

namespace otasign::cli {

int exit_code_for(ErrorCode code) noexcept {
    switch (code) {
        case ErrorCode::BadSignature:
        case ErrorCode::PolicyViolation: return kVerifyFailed;
        case ErrorCode::Usage: return kUsage;
        case ErrorCode::InvalidInput: return kInvalidInput;
        case ErrorCode::PinIncorrect:
        case ErrorCode::PinLocked:
        case ErrorCode::PinFinalTry:
        case ErrorCode::TouchTimeout:
        case ErrorCode::TokenNotFound:
        case ErrorCode::AmbiguousKey:
        case ErrorCode::TokenError: return kTokenError;
        case ErrorCode::Declined: return kDeclined;
        case ErrorCode::Io:
        case ErrorCode::Internal: return kInternal;
    }
    return kInternal;
}

int report(const Error& error) {
    // Details name files and quote input: never let them write control sequences.
    std::cerr << "otasign: error: " << terminal_safe_text(error.detail) << '\n';
    if (!error.hint.empty())
        std::cerr << "otasign: hint: " << terminal_safe_text(error.hint) << '\n';
    std::cerr.flush();
    return exit_code_for(error.code);
}

void warn(std::string_view text) {
    std::cerr << "otasign: warning: " << terminal_safe_text(text) << '\n';
}

}  // namespace otasign::cli
