#pragma once
// The PKCS#11 module and session as move-only owners (after Botan's PKCS#11 wrapper): a Module
// is a dlopen()ed, initialised Cryptoki library that is finalised when the last owner goes; a
// Session is logged out (if it logged in) and closed by its destructor. Raw CK_* handles stay
// inside libsign/pkcs11.

#include <p11-kit/pkcs11.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/secret.hpp"

namespace otasign::pkcs11 {

// The module used when neither --module nor the URI's module-path names one: p11-kit's proxy,
// which loads every module registered with p11-kit (OpenSC, SoftHSM, ...). Debian ships it as
// p11-kit-proxy.so in p11-kit-modules; that file is only a symlink to libp11-kit.so.0 (which
// exports the same C_GetFunctionList), so without it the library itself is used.
std::string default_module_path();

// "CKR_PIN_INCORRECT" for a return value, or "CKR_0x..." for vendor codes.
std::string rv_name(CK_RV rv);

class Module {
  public:
    // dlopen()s `path`, calls C_GetFunctionList and C_Initialize(CKF_OS_LOCKING_OK).
    // Errors: TokenNotFound (cannot load the file), TokenError (not a PKCS#11 module, init failed).
    static Result<Module> load(const std::string& path);

    Module(Module&& other) noexcept;
    Module& operator=(Module&&) = delete;
    Module(const Module&) = delete;
    Module& operator=(const Module&) = delete;
    ~Module();

    CK_FUNCTION_LIST* fn() const noexcept { return m_fn; }
    const std::string& path() const noexcept { return m_path; }
    // Library description and manufacturer (C_GetInfo), trimmed; empty when unavailable.
    std::string description() const;

    // Slots that have a token present. Errors: TokenError.
    Result<std::vector<CK_SLOT_ID>> slots_with_token() const;

  private:
    Module(std::string path, void* handle, CK_FUNCTION_LIST* fn, bool finalize) noexcept;
    std::string m_path;
    void* m_handle = nullptr;
    CK_FUNCTION_LIST* m_fn = nullptr;
    bool m_finalize = false;  // false when someone else in the process initialised the module
};

enum class LoginState { logged_out, logged_in };

class Session {
  public:
    // Opens a read-only serial session on `slot`. The module must outlive the session.
    // Errors: TokenError.
    static Result<Session> open(const Module& module, CK_SLOT_ID slot);

    Session(Session&& other) noexcept;
    Session& operator=(Session&&) = delete;
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;
    ~Session();

    CK_SESSION_HANDLE handle() const noexcept { return m_handle; }
    CK_SLOT_ID slot() const noexcept { return m_slot; }
    CK_FUNCTION_LIST* fn() const noexcept { return m_fn; }

    // C_Login with `pin` (nullptr: protected authentication path, the PIN pad). Returns the raw
    // CK_RV so the caller can tell PIN_INCORRECT from PIN_LOCKED; CKR_USER_ALREADY_LOGGED_IN
    // is reported as CKR_OK. A successful CKU_USER login is undone by the destructor.
    CK_RV login(CK_USER_TYPE user, const SecretBuffer* pin) noexcept;
    // Whether the session state says a user is logged in (by us or another session).
    bool user_logged_in() const noexcept;

    // Object handles matching `templ`. Errors: TokenError.
    Result<std::vector<CK_OBJECT_HANDLE>> find(std::vector<CK_ATTRIBUTE> templ) const;
    // One attribute's value, or std::nullopt when the object does not have it or will not
    // reveal it (CKR_ATTRIBUTE_TYPE_INVALID, CKR_ATTRIBUTE_SENSITIVE). Errors: TokenError.
    Result<std::optional<std::vector<std::uint8_t>>> attribute(CK_OBJECT_HANDLE object,
                                                               CK_ATTRIBUTE_TYPE type) const;
    // A CK_ULONG / CK_BBOOL attribute, or std::nullopt as above. Errors: TokenError.
    Result<std::optional<CK_ULONG>> ulong_attribute(CK_OBJECT_HANDLE object,
                                                    CK_ATTRIBUTE_TYPE type) const;
    Result<std::optional<bool>> bool_attribute(CK_OBJECT_HANDLE object,
                                               CK_ATTRIBUTE_TYPE type) const;

  private:
    Session(CK_FUNCTION_LIST* fn, CK_SESSION_HANDLE handle, CK_SLOT_ID slot) noexcept
        : m_fn(fn), m_handle(handle), m_slot(slot) {}
    CK_FUNCTION_LIST* m_fn = nullptr;
    CK_SESSION_HANDLE m_handle = CK_INVALID_HANDLE;
    CK_SLOT_ID m_slot = 0;
    LoginState m_login = LoginState::logged_out;
};

}  // namespace otasign::pkcs11
