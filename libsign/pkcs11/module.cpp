#include "pkcs11/module.hpp"

#include <dlfcn.h>
#include <p11-kit/p11-kit.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>

namespace otasign::pkcs11 {

namespace {

// Two Module objects may load the same library (dlopen returns the same handle): the library
// is initialised by the first and finalised by the last, never under a live owner.
std::mutex g_init_mutex;
std::map<CK_FUNCTION_LIST*, int>& init_counts() {
    static std::map<CK_FUNCTION_LIST*, int> counts;
    return counts;
}

std::string trimmed(const unsigned char* text, std::size_t size) {
    return std::string(reinterpret_cast<const char*>(text), p11_kit_space_strlen(text, size));
}

}  // namespace

std::string default_module_path() {
#ifdef OTASIGN_P11KIT_PROXY
    if (::access(OTASIGN_P11KIT_PROXY, R_OK) == 0) return OTASIGN_P11KIT_PROXY;
#endif
    return "libp11-kit.so.0";
}

std::string rv_name(CK_RV rv) {
    switch (rv) {
#define OTASIGN_RV(x) \
    case x:           \
        return #x;
        OTASIGN_RV(CKR_OK)
        OTASIGN_RV(CKR_CANCEL)
        OTASIGN_RV(CKR_HOST_MEMORY)
        OTASIGN_RV(CKR_SLOT_ID_INVALID)
        OTASIGN_RV(CKR_GENERAL_ERROR)
        OTASIGN_RV(CKR_FUNCTION_FAILED)
        OTASIGN_RV(CKR_ARGUMENTS_BAD)
        OTASIGN_RV(CKR_ATTRIBUTE_SENSITIVE)
        OTASIGN_RV(CKR_ATTRIBUTE_TYPE_INVALID)
        OTASIGN_RV(CKR_DATA_INVALID)
        OTASIGN_RV(CKR_DATA_LEN_RANGE)
        OTASIGN_RV(CKR_DEVICE_ERROR)
        OTASIGN_RV(CKR_DEVICE_MEMORY)
        OTASIGN_RV(CKR_DEVICE_REMOVED)
        OTASIGN_RV(CKR_FUNCTION_CANCELED)
        OTASIGN_RV(CKR_FUNCTION_NOT_SUPPORTED)
        OTASIGN_RV(CKR_KEY_HANDLE_INVALID)
        OTASIGN_RV(CKR_KEY_TYPE_INCONSISTENT)
        OTASIGN_RV(CKR_KEY_FUNCTION_NOT_PERMITTED)
        OTASIGN_RV(CKR_MECHANISM_INVALID)
        OTASIGN_RV(CKR_MECHANISM_PARAM_INVALID)
        OTASIGN_RV(CKR_OBJECT_HANDLE_INVALID)
        OTASIGN_RV(CKR_OPERATION_ACTIVE)
        OTASIGN_RV(CKR_OPERATION_NOT_INITIALIZED)
        OTASIGN_RV(CKR_PIN_INCORRECT)
        OTASIGN_RV(CKR_PIN_INVALID)
        OTASIGN_RV(CKR_PIN_LEN_RANGE)
        OTASIGN_RV(CKR_PIN_EXPIRED)
        OTASIGN_RV(CKR_PIN_LOCKED)
        OTASIGN_RV(CKR_SESSION_CLOSED)
        OTASIGN_RV(CKR_SESSION_HANDLE_INVALID)
        OTASIGN_RV(CKR_TOKEN_NOT_PRESENT)
        OTASIGN_RV(CKR_TOKEN_NOT_RECOGNIZED)
        OTASIGN_RV(CKR_USER_ALREADY_LOGGED_IN)
        OTASIGN_RV(CKR_USER_NOT_LOGGED_IN)
        OTASIGN_RV(CKR_USER_PIN_NOT_INITIALIZED)
        OTASIGN_RV(CKR_USER_TYPE_INVALID)
        OTASIGN_RV(CKR_USER_ANOTHER_ALREADY_LOGGED_IN)
        OTASIGN_RV(CKR_BUFFER_TOO_SMALL)
        OTASIGN_RV(CKR_CRYPTOKI_NOT_INITIALIZED)
        OTASIGN_RV(CKR_CRYPTOKI_ALREADY_INITIALIZED)
#undef OTASIGN_RV
        default:
            break;
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "CKR_0x%08lx", static_cast<unsigned long>(rv));
    std::string out = buf;
    if (const char* text = p11_kit_strerror(rv)) out += std::string(" (") + text + ")";
    return out;
}

Module::Module(std::string path, void* handle, CK_FUNCTION_LIST* fn, bool finalize) noexcept
    : m_path(std::move(path)), m_handle(handle), m_fn(fn), m_finalize(finalize) {}

Module::Module(Module&& other) noexcept
    : m_path(std::move(other.m_path)),
      m_handle(other.m_handle),
      m_fn(other.m_fn),
      m_finalize(other.m_finalize) {
    other.m_handle = nullptr;
    other.m_fn = nullptr;
    other.m_finalize = false;
}

Module::~Module() {
    if (m_fn && m_finalize) {
        std::lock_guard lock(g_init_mutex);
        auto& counts = init_counts();
        auto it = counts.find(m_fn);
        if (it != counts.end() && --it->second == 0) {
            counts.erase(it);
            m_fn->C_Finalize(nullptr);
        }
    }
    if (m_handle) ::dlclose(m_handle);
}

Result<Module> Module::load(const std::string& path) {
    // RTLD_LOCAL: two modules exporting the same C_* symbols must not resolve into each other.
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char* why = ::dlerror();
        return make_error(
            ErrorCode::TokenNotFound,
            "cannot load PKCS#11 module " + path + ": " + (why ? why : "unknown error"),
            "check --module or the URI's module-path");
    }
    auto close_on_error = [&](Error e) -> Result<Module> {
        ::dlclose(handle);
        return e;
    };
    auto get_list = reinterpret_cast<CK_C_GetFunctionList>(::dlsym(handle, "C_GetFunctionList"));
    if (!get_list)
        return close_on_error(make_error(ErrorCode::TokenError,
                                         path + " is not a PKCS#11 module (no C_GetFunctionList)"));
    CK_FUNCTION_LIST* fn = nullptr;
    CK_RV rv = get_list(&fn);
    if (rv != CKR_OK || !fn)
        return close_on_error(
            make_error(ErrorCode::TokenError, path + ": C_GetFunctionList failed: " + rv_name(rv)));

    std::lock_guard lock(g_init_mutex);
    auto& counts = init_counts();
    if (auto it = counts.find(fn); it != counts.end()) {
        ++it->second;
        return Module(path, handle, fn, true);
    }
    CK_C_INITIALIZE_ARGS args{};
    args.flags = CKF_OS_LOCKING_OK;
    rv = fn->C_Initialize(&args);
    if (rv == CKR_CRYPTOKI_ALREADY_INITIALIZED) {
        // Initialised by other code in this process (e.g. an OpenSSL provider): not ours to
        // finalise.
        return Module(path, handle, fn, false);
    }
    if (rv != CKR_OK)
        return close_on_error(
            make_error(ErrorCode::TokenError, path + ": C_Initialize failed: " + rv_name(rv)));
    counts[fn] = 1;
    return Module(path, handle, fn, true);
}

std::string Module::description() const {
    CK_INFO info{};
    if (!m_fn || m_fn->C_GetInfo(&info) != CKR_OK) return {};
    return trimmed(info.libraryDescription, sizeof info.libraryDescription) + " (" +
           trimmed(info.manufacturerID, sizeof info.manufacturerID) + ")";
}

Result<std::vector<CK_SLOT_ID>> Module::slots_with_token() const {
    // The count can change between the two calls (a token plugged in): retry on BUFFER_TOO_SMALL.
    for (int attempt = 0; attempt < 4; ++attempt) {
        CK_ULONG count = 0;
        CK_RV rv = m_fn->C_GetSlotList(CK_TRUE, nullptr, &count);
        if (rv != CKR_OK)
            return make_error(ErrorCode::TokenError,
                              m_path + ": C_GetSlotList failed: " + rv_name(rv));
        std::vector<CK_SLOT_ID> slots(count);
        if (count == 0) return slots;
        rv = m_fn->C_GetSlotList(CK_TRUE, slots.data(), &count);
        if (rv == CKR_BUFFER_TOO_SMALL) continue;
        if (rv != CKR_OK)
            return make_error(ErrorCode::TokenError,
                              m_path + ": C_GetSlotList failed: " + rv_name(rv));
        slots.resize(count);
        return slots;
    }
    return make_error(ErrorCode::TokenError, m_path + ": the slot list keeps changing");
}

Result<Session> Session::open(const Module& module, CK_SLOT_ID slot) {
    CK_SESSION_HANDLE handle = CK_INVALID_HANDLE;
    CK_RV rv = module.fn()->C_OpenSession(slot, CKF_SERIAL_SESSION, nullptr, nullptr, &handle);
    if (rv != CKR_OK)
        return make_error(ErrorCode::TokenError, "C_OpenSession on slot " + std::to_string(slot) +
                                                     " failed: " + rv_name(rv));
    return Session(module.fn(), handle, slot);
}

Session::Session(Session&& other) noexcept
    : m_fn(other.m_fn), m_handle(other.m_handle), m_slot(other.m_slot), m_login(other.m_login) {
    other.m_handle = CK_INVALID_HANDLE;
    other.m_login = LoginState::logged_out;
}

Session::~Session() {
    if (m_handle == CK_INVALID_HANDLE) return;
    if (m_login == LoginState::logged_in) m_fn->C_Logout(m_handle);
    m_fn->C_CloseSession(m_handle);
}

CK_RV Session::login(CK_USER_TYPE user, const SecretBuffer* pin) noexcept {
    CK_UTF8CHAR_PTR pin_ptr = pin ? const_cast<CK_UTF8CHAR_PTR>(pin->data()) : nullptr;
    CK_ULONG pin_len = pin ? static_cast<CK_ULONG>(pin->size()) : 0;
    CK_RV rv = m_fn->C_Login(m_handle, user, pin_ptr, pin_len);
    if (rv == CKR_USER_ALREADY_LOGGED_IN) return CKR_OK;
    if (rv == CKR_OK && user == CKU_USER) m_login = LoginState::logged_in;
    return rv;
}

bool Session::user_logged_in() const noexcept {
    CK_SESSION_INFO info{};
    if (m_fn->C_GetSessionInfo(m_handle, &info) != CKR_OK) return false;
    return info.state == CKS_RO_USER_FUNCTIONS || info.state == CKS_RW_USER_FUNCTIONS;
}

Result<std::vector<CK_OBJECT_HANDLE>> Session::find(std::vector<CK_ATTRIBUTE> templ) const {
    CK_RV rv = m_fn->C_FindObjectsInit(m_handle, templ.data(), static_cast<CK_ULONG>(templ.size()));
    if (rv != CKR_OK)
        return make_error(ErrorCode::TokenError, "C_FindObjectsInit failed: " + rv_name(rv));
    std::vector<CK_OBJECT_HANDLE> out;
    for (;;) {
        CK_OBJECT_HANDLE batch[32];
        CK_ULONG n = 0;
        rv = m_fn->C_FindObjects(m_handle, batch, 32, &n);
        if (rv != CKR_OK) {
            m_fn->C_FindObjectsFinal(m_handle);
            return make_error(ErrorCode::TokenError, "C_FindObjects failed: " + rv_name(rv));
        }
        if (n == 0) break;
        out.insert(out.end(), batch, batch + n);
    }
    m_fn->C_FindObjectsFinal(m_handle);
    return out;
}

Result<std::optional<std::vector<std::uint8_t>>> Session::attribute(CK_OBJECT_HANDLE object,
                                                                    CK_ATTRIBUTE_TYPE type) const {
    CK_ATTRIBUTE attr{type, nullptr, 0};
    CK_RV rv = m_fn->C_GetAttributeValue(m_handle, object, &attr, 1);
    if (rv == CKR_ATTRIBUTE_TYPE_INVALID || rv == CKR_ATTRIBUTE_SENSITIVE)
        return std::optional<std::vector<std::uint8_t>>();
    if (rv != CKR_OK)
        return make_error(ErrorCode::TokenError, "C_GetAttributeValue failed: " + rv_name(rv));
    if (attr.ulValueLen == CK_UNAVAILABLE_INFORMATION)
        return std::optional<std::vector<std::uint8_t>>();
    std::vector<std::uint8_t> value(attr.ulValueLen);
    attr.pValue = value.data();
    rv = m_fn->C_GetAttributeValue(m_handle, object, &attr, 1);
    if (rv != CKR_OK)
        return make_error(ErrorCode::TokenError, "C_GetAttributeValue failed: " + rv_name(rv));
    value.resize(attr.ulValueLen);
    return std::optional<std::vector<std::uint8_t>>(std::move(value));
}

Result<std::optional<CK_ULONG>> Session::ulong_attribute(CK_OBJECT_HANDLE object,
                                                         CK_ATTRIBUTE_TYPE type) const {
    OTASIGN_ASSIGN_OR_RETURN(auto raw, attribute(object, type));
    if (!raw || raw->size() != sizeof(CK_ULONG)) return std::optional<CK_ULONG>();
    CK_ULONG v = 0;
    std::memcpy(&v, raw->data(), sizeof v);
    return std::optional<CK_ULONG>(v);
}

Result<std::optional<bool>> Session::bool_attribute(CK_OBJECT_HANDLE object,
                                                    CK_ATTRIBUTE_TYPE type) const {
    OTASIGN_ASSIGN_OR_RETURN(auto raw, attribute(object, type));
    if (!raw || raw->size() != 1) return std::optional<bool>();
    return std::optional<bool>((*raw)[0] != 0);
}

}  // namespace otasign::pkcs11
