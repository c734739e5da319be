#include "exit_codes.hpp"

#include <iostream>
#include <iterator>

#include "terminal_text.hpp"

namespace otasign::cli {

int exit_code_for(ErrorCode code) noexcept {
    switch (code) {
        case ErrorCode::BadSignature:
        case ErrorCode::PolicyViolation:
            return kVerifyFailed;
        case ErrorCode::Usage:
            return kUsage;
        case ErrorCode::InvalidInput:
            return kInvalidInput;
        case ErrorCode::PinIncorrect:
        case ErrorCode::PinLocked:
        case ErrorCode::PinFinalTry:
        case ErrorCode::TouchTimeout:
        case ErrorCode::TokenNotFound:
        case ErrorCode::AmbiguousKey:
        case ErrorCode::TokenError:
            return kTokenError;
        case ErrorCode::Declined:
            return kDeclined;
        case ErrorCode::Io:
        case ErrorCode::Internal:
            return kInternal;
    }
    return kInternal;
}

Error name_wrong_kind(const Error& error, std::string_view bytes, const std::string& path,
                      json::DocumentKind expected) {
    const json::DocumentKind found = json::recognise_document(bytes);
    Error named = json::name_other_kind(error, bytes, path, expected);
    if (found == json::DocumentKind::unknown || found == expected) return named;
    static const char* const option_for[] = {"",
                                             "MANIFEST or --previous",
                                             "--policy",
                                             "--signature",
                                             "--evidence-log",
                                             "a ceremony command's RECORD",
                                             "a ceremony command's --log"};
    static_assert(std::size(option_for) ==
                  static_cast<std::size_t>(json::DocumentKind::ceremony_log) + 1);
    named.hint = std::string("give it as ") + option_for[static_cast<int>(found)] +
                 " where a command takes " + json::document_kind_name(found);
    return named;
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
