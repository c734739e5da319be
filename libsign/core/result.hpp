#pragma once
// Result<T>: a value or an Error, in the manner of Tink's StatusOr. Fallible libsign functions
// return one of these instead of throwing; the CLI maps Error::code to an exit code in one place.

#include <string>
#include <utility>
#include <variant>

namespace otasign {

// A closed set: adding a code means adding its exit code in cli/exit_codes.cpp.
enum class ErrorCode {
    InvalidInput,     // malformed JSON, schema or semantic violation, unreadable input file
    Usage,            // contradictory or missing arguments detected inside the library
    BadSignature,     // a signature does not verify
    PolicyViolation,  // threshold, role, rollback, expiry, artifact hash, attestation
    PinIncorrect,     // the token rejected the PIN (never retried)
    PinLocked,        // the PIN is blocked; needs the PUK or a reset
    PinFinalTry,      // one try left and the caller did not allow using it
    TouchTimeout,     // the key wanted a touch and none came
    TokenNotFound,    // no token / no slot / no key matched
    AmbiguousKey,     // more than one private key matched the URI
    TokenError,       // any other PKCS#11 / PC/SC / libykpiv failure
    Declined,         // the operator declined or aborted
    Io,               // a file could not be written or renamed
    Internal,         // a bug: a state that should be unreachable
};

// The stable lowercase name of a code, used in --json output.
const char* error_code_name(ErrorCode code) noexcept;

// A bug that must stop the program in every build type (not only where assert is compiled in):
// writes "otasign: internal error: WHAT" to stderr and aborts. For broken invariants only,
// never for bad input or a failing device, which are Errors.
[[noreturn]] void fatal_internal_error(const char* what) noexcept;

struct Error {
    ErrorCode code;
    std::string detail;  // what went wrong, naming the file, line:column and JSON pointer
    std::string hint;    // optional: what the user can do about it
};

inline Error make_error(ErrorCode code, std::string detail, std::string hint = {}) {
    return Error{code, std::move(detail), std::move(hint)};
}

template <class T>
class [[nodiscard]] Result {
  public:
    Result(T value) : m_v(std::in_place_index<0>, std::move(value)) {}
    Result(Error error) : m_v(std::in_place_index<1>, std::move(error)) {}

    bool ok() const noexcept { return m_v.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    // The value; reading it from a Result that holds an error aborts (fatal_internal_error).
    T& value() & { return std::get<0>(checked(ok(), "value() of a failed Result")); }
    const T& value() const& { return std::get<0>(checked(ok(), "value() of a failed Result")); }
    T&& value() && { return std::get<0>(std::move(checked(ok(), "value() of a failed Result"))); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    // The error; asking a successful Result for one aborts (fatal_internal_error).
    const Error& error() const& { return std::get<1>(checked(!ok(), "error() of a good Result")); }
    Error&& error() && {
        return std::get<1>(std::move(checked(!ok(), "error() of a good Result")));
    }

  private:
    std::variant<T, Error>& checked(bool fine, const char* misuse) {
        if (!fine) fatal_internal_error(misuse);
        return m_v;
    }
    const std::variant<T, Error>& checked(bool fine, const char* misuse) const {
        if (!fine) fatal_internal_error(misuse);
        return m_v;
    }

    std::variant<T, Error> m_v;
};

// Result<void>: success carries nothing.
struct Ok {};
using Status = Result<Ok>;
inline Status ok_status() { return Ok{}; }

}  // namespace otasign

// Propagate an error from an expression returning Result<...>/Status.
#define OTASIGN_TRY(expr)                                                   \
    do {                                                                    \
        auto otasign_try_r_ = (expr);                                       \
        if (!otasign_try_r_.ok()) return std::move(otasign_try_r_).error(); \
    } while (0)

#define OTASIGN_CONCAT_INNER_(a, b) a##b
#define OTASIGN_CONCAT_(a, b) OTASIGN_CONCAT_INNER_(a, b)
// Assign the value of a Result to `lhs`, or return its error.
#define OTASIGN_ASSIGN_OR_RETURN(lhs, expr)                              \
    auto OTASIGN_CONCAT_(otasign_r_, __LINE__) = (expr);                 \
    if (!OTASIGN_CONCAT_(otasign_r_, __LINE__).ok())                     \
        return std::move(OTASIGN_CONCAT_(otasign_r_, __LINE__)).error(); \
    lhs = std::move(OTASIGN_CONCAT_(otasign_r_, __LINE__)).value()
