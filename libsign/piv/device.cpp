#include "piv/device.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <ykpiv/ykpiv.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>

#include "core/digest.hpp"
#include "core/key_identity.hpp"

namespace otasign::piv {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

Error ykpiv_error(std::string_view what, ykpiv_rc rc, std::string hint = {}) {
    return make_error(
        ErrorCode::TokenError,
        std::string(what) + ": " + ykpiv_strerror(rc) + " (" + ykpiv_strerror_name(rc) + ")",
        std::move(hint));
}

// Frees buffers that ykpiv_util_* allocated.
struct UtilBuffer {
    ykpiv_state* state;
    std::uint8_t* data = nullptr;
    std::size_t size = 0;
    ~UtilBuffer() {
        if (data) ykpiv_util_free(state, data);
    }
};

// A minimal BER-TLV walk over GET METADATA's flat list of one-byte tags.
std::optional<std::vector<std::uint8_t>> tlv_find(const std::uint8_t* data, std::size_t size,
                                                  std::uint8_t tag) {
    std::size_t i = 0;
    while (i + 2 <= size) {
        std::uint8_t t = data[i++];
        std::size_t len = data[i++];
        if (len == 0x81) {
            if (i + 1 > size) return std::nullopt;
            len = data[i++];
        } else if (len == 0x82) {
            if (i + 2 > size) return std::nullopt;
            len = (std::size_t(data[i]) << 8) | data[i + 1];
            i += 2;
        } else if (len > 0x80) {
            return std::nullopt;
        }
        if (i + len > size) return std::nullopt;
        if (t == tag) return std::vector<std::uint8_t>(data + i, data + i + len);
        i += len;
    }
    return std::nullopt;
}

// Appends a PIN or PUK as the card wants it (6 to 8 bytes, padded with 0xff to 8) to `out`.
// The padded copy lives only in a SecretBuffer, which wipes it on every move and at the end.
// Errors: Usage.
Status append_padded_reference(SecretBuffer& out, const SecretBuffer& value,
                               std::string_view what) {
    if (value.size() < 6 || value.size() > 8)
        return make_error(ErrorCode::Usage, std::string(what) + " must be 6 to 8 characters long");
    for (std::size_t i = 0; i < 8; ++i)
        if (!out.push_back(i < value.size() ? value.data()[i] : std::uint8_t{0xff}))
            return make_error(ErrorCode::Internal, "PIN buffer full");
    return ok_status();
}

Status reference_status(int sw, std::string_view what) {
    if (sw == 0x9000) return ok_status();
    if ((sw & 0xfff0) == 0x63c0) {
        int left = sw & 0x0f;
        if (left == 0)
            return make_error(ErrorCode::PinLocked, std::string(what) + " is now blocked",
                              "unblock the PIN with the PUK, or reset the PIV applet");
        return make_error(
            ErrorCode::PinIncorrect,
            std::string(what) + " incorrect, " + std::to_string(left) + " tries left",
            "otasign never retries a PIN by itself; check the value before trying again");
    }
    if (sw == 0x6983)
        return make_error(ErrorCode::PinLocked, std::string(what) + " is blocked",
                          "unblock the PIN with the PUK, or reset the PIV applet");
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04X", static_cast<unsigned>(sw) & 0xffffu);
    return make_error(ErrorCode::TokenError, std::string(what) + ": card answered status " + buf);
}

const std::array<std::uint8_t, 24> kDefaultManagementKey = {1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4,
                                                            5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8};

}  // namespace

Result<ossl::Ptr<EVP_PKEY>> ec_public_key(Algorithm algorithm, const std::uint8_t* point,
                                          std::size_t size) {
    const char* group = algorithm == Algorithm::eccp256   ? "P-256"
                        : algorithm == Algorithm::eccp384 ? "P-384"
                                                          : nullptr;
    if (!group)
        return make_error(ErrorCode::InvalidInput,
                          "not an EC algorithm: " + algorithm_name(std::uint8_t(algorithm)));
    OSSL_PARAM params[3];
    params[0] =
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>(group), 0);
    params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
                                                  const_cast<std::uint8_t*>(point), size);
    params[2] = OSSL_PARAM_construct_end();
    ossl::Ptr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    EVP_PKEY* raw = nullptr;
    if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params) != 1)
        return make_error(ErrorCode::InvalidInput,
                          "the card returned an invalid EC public key: " + ossl::last_error());
    return ossl::Ptr<EVP_PKEY>(raw);
}

PivDevice::PivDevice(ykpiv_state* state, std::string reader)
    : m_state(state), m_reader(std::move(reader)) {}

PivDevice::PivDevice(PivDevice&& other) noexcept
    : m_state(std::exchange(other.m_state, nullptr)), m_reader(std::move(other.m_reader)) {}

PivDevice& PivDevice::operator=(PivDevice&& other) noexcept {
    if (this != &other) {
        if (m_state) ykpiv_done(m_state);
        m_state = std::exchange(other.m_state, nullptr);
        m_reader = std::move(other.m_reader);
    }
    return *this;
}

PivDevice::~PivDevice() {
    // ykpiv_done disconnects and wipes the management key libykpiv keeps for reconnects.
    if (m_state) ykpiv_done(m_state);
}

namespace {
Result<std::vector<std::string>> readers_of(ykpiv_state* state) {
    std::vector<char> buf(4096);
    std::size_t len = buf.size();
    ykpiv_rc rc = ykpiv_list_readers(state, buf.data(), &len);
    if (rc == YKPIV_PCSC_ERROR)
        return make_error(ErrorCode::TokenNotFound,
                          "no smart card readers found (is pcscd running?)",
                          "plug in the YubiKey; on Linux start pcscd");
    if (rc != YKPIV_OK) return ykpiv_error("listing readers", rc);
    std::vector<std::string> out;
    for (std::size_t i = 0; i < len && buf[i] != '\0';) {
        std::string name(&buf[i]);
        i += name.size() + 1;
        out.push_back(std::move(name));
    }
    return out;
}
}  // namespace

Result<std::vector<std::string>> PivDevice::list_readers() {
    ykpiv_state* state = nullptr;
    if (ykpiv_init(&state, 0) != YKPIV_OK)
        return make_error(ErrorCode::TokenError, "libykpiv failed to initialise");
    auto result = readers_of(state);
    ykpiv_done(state);
    return result;
}

Result<PivDevice> PivDevice::open(std::string_view reader_substring) {
    ykpiv_state* state = nullptr;
    if (ykpiv_init(&state, 0) != YKPIV_OK)
        return make_error(ErrorCode::TokenError, "libykpiv failed to initialise");
    PivDevice device(state, {});
    OTASIGN_ASSIGN_OR_RETURN(auto readers, readers_of(state));
    std::string chosen;
    std::string wanted = lower(reader_substring);
    for (const auto& r : readers) {
        std::string l = lower(r);
        if (wanted.empty() ? l.find("yubikey") != std::string::npos
                           : l.find(wanted) != std::string::npos) {
            chosen = r;
            break;
        }
    }
    if (chosen.empty() && wanted.empty() && !readers.empty()) chosen = readers.front();
    if (chosen.empty())
        return make_error(ErrorCode::TokenNotFound,
                          wanted.empty()
                              ? "no smart card reader found"
                              : "no reader matches '" + std::string(reader_substring) + "'",
                          "run 'otasign token list' to see the readers");
    ykpiv_rc rc = ykpiv_connect(state, chosen.c_str());
    if (rc != YKPIV_OK)
        return make_error(
            ErrorCode::TokenNotFound,
            "cannot connect to the PIV applet in '" + chosen + "': " + ykpiv_strerror(rc),
            "is a YubiKey inserted, and is no other program holding it exclusively?");
    device.m_reader = chosen;
    return device;
}

Result<CredentialMetadata> PivDevice::credential_metadata(std::uint8_t reference) {
    std::uint8_t buf[256];
    std::size_t len = sizeof buf;
    ykpiv_rc rc = ykpiv_get_metadata(m_state, reference, buf, &len);
    if (rc != YKPIV_OK) return ykpiv_error("GET METADATA " + slot_name(reference), rc);
    CredentialMetadata md;
    if (auto v = tlv_find(buf, len, 0x05); v && v->size() == 1) md.is_default = (*v)[0] != 0;
    if (auto v = tlv_find(buf, len, 0x06); v && v->size() == 2) {
        md.retries_total = (*v)[0];
        md.retries_remaining = (*v)[1];
    }
    if (auto v = tlv_find(buf, len, 0x01); v && v->size() == 1) md.algorithm = (*v)[0];
    return md;
}

Result<std::optional<SlotMetadata>> PivDevice::slot_metadata(std::uint8_t slot) {
    std::uint8_t buf[1024];
    std::size_t len = sizeof buf;
    ykpiv_rc rc = ykpiv_get_metadata(m_state, slot, buf, &len);
    if (rc == YKPIV_KEY_ERROR) return std::optional<SlotMetadata>{};  // SW 6A88: no key in the slot
    if (rc == YKPIV_NOT_SUPPORTED)
        return make_error(ErrorCode::TokenError,
                          "this YubiKey has no GET METADATA (firmware before 5.3)",
                          "otasign needs firmware 5.3 or later to read slot policies");
    if (rc != YKPIV_OK) return ykpiv_error("GET METADATA " + slot_name(slot), rc);
    ykpiv_metadata parsed{};
    rc = ykpiv_util_parse_metadata(buf, len, &parsed);
    if (rc != YKPIV_OK) return ykpiv_error("parsing metadata of slot " + slot_name(slot), rc);
    SlotMetadata md;
    md.algorithm = parsed.algorithm;
    md.pin_policy = parsed.pin_policy;
    md.touch_policy = parsed.touch_policy;
    md.origin = parsed.origin;
    // The public key comes wrapped as in a GENERATE response: 0x86 holds an EC point,
    // 0x81/0x82 an RSA modulus and exponent (Yubico's GET METADATA description; ykman and
    // piv-go unwrap it the same way).
    if (auto point = tlv_find(parsed.pubkey, parsed.pubkey_len, 0x86))
        md.public_key = std::move(*point);
    else
        md.public_key.assign(parsed.pubkey, parsed.pubkey + parsed.pubkey_len);
    return std::optional<SlotMetadata>(std::move(md));
}

Result<std::uint32_t> PivDevice::serial() {
    std::uint32_t value = 0;
    ykpiv_rc rc = ykpiv_get_serial(m_state, &value);
    if (rc != YKPIV_OK) return ykpiv_error("reading the serial number", rc);
    return value;
}

Result<TokenStatus> PivDevice::status(StatusScope scope) {
    TokenStatus st;
    st.reader = m_reader;
    char version[32] = {};
    ykpiv_rc rc = ykpiv_get_version(m_state, version, sizeof version);
    if (rc != YKPIV_OK) return ykpiv_error("reading the firmware version", rc);
    st.firmware = version;
    std::sscanf(version, "%d.%d.%d", &st.firmware_major, &st.firmware_minor, &st.firmware_patch);
    rc = ykpiv_get_serial(m_state, &st.serial);
    if (rc != YKPIV_OK) return ykpiv_error("reading the serial number", rc);
    switch (ykpiv_util_devicemodel(m_state)) {
        case DEVTYPE_YK5:
            st.model = "YubiKey 5";
            break;
        case DEVTYPE_YK4:
            st.model = "YubiKey 4";
            break;
        case DEVTYPE_NEOr3:
            st.model = "YubiKey NEO";
            break;
        default:
            st.model = "unknown PIV device";
            break;
    }
    // The form factor is not readable through the PIV applet; the attestation carries it.

    // Counters first: nothing below verifies a PIN, and the fallback un-verifies it.
    auto pin_md = credential_metadata(0x80);
    if (pin_md.ok()) {
        st.metadata_supported = true;
        st.pin_retries = pin_md->retries_remaining;
        st.pin_default = pin_md->is_default;
        if (auto puk = credential_metadata(0x81); puk.ok()) {
            st.puk_retries = puk->retries_remaining;
            st.puk_default = puk->is_default;
        }
        if (auto mgm = credential_metadata(0x9b); mgm.ok()) {
            st.management_key_default = mgm->is_default;
            st.management_key_algorithm = mgm->algorithm;
        }
    } else {
        int tries = 0;
        if (ykpiv_get_pin_retries(m_state, &tries) == YKPIV_OK) st.pin_retries = tries;
    }
    if (scope == StatusScope::card) return st;

    ykpiv_config config{};
    if (ykpiv_util_get_config(m_state, &config) == YKPIV_OK) {
        switch (config.mgm_type) {
            case YKPIV_CONFIG_MGM_MANUAL:
                st.management_key_mode = ManagementKeyMode::manual;
                break;
            case YKPIV_CONFIG_MGM_DERIVED:
                st.management_key_mode = ManagementKeyMode::derived;
                break;
            case YKPIV_CONFIG_MGM_PROTECTED:
                st.management_key_mode = ManagementKeyMode::pin_protected;
                break;
            // With verbosity 0, libykpiv 2.2 says INVALID when the admin data flags a
            // PIN-protected key whose object cannot be read yet: the PIN is not verified here.
            case YKPIV_CONFIG_MGM_INVALID:
                st.management_key_mode = ManagementKeyMode::pin_protected;
                break;
            default:
                break;
        }
    }
    OPENSSL_cleanse(&config, sizeof config);

    for (std::uint8_t slot : kSlots) {
        SlotStatus s;
        s.slot = slot;
        if (st.metadata_supported) {
            OTASIGN_ASSIGN_OR_RETURN(s.key, slot_metadata(slot));
            if (s.key && (s.key->algorithm == 0x11 || s.key->algorithm == 0x14)) {
                auto pk = ec_public_key(Algorithm(s.key->algorithm), s.key->public_key.data(),
                                        s.key->public_key.size());
                if (pk.ok()) {
                    auto id = canonical_key_id(pk->get(), "the card's public key");
                    if (id.ok()) s.public_key_id = std::move(*id);
                }
            }
        }
        OTASIGN_ASSIGN_OR_RETURN(auto cert, read_certificate(slot));
        s.certificate_present = cert.has_value();
        st.slots.push_back(std::move(s));
    }
    return st;
}

Status PivDevice::verify_pin(const SecretBuffer& pin) {
    SecretBuffer padded;
    OTASIGN_TRY(append_padded_reference(padded, pin, "PIN"));
    const unsigned char templ[4] = {0x00, 0x20, 0x00, 0x80};
    unsigned char out[64];
    unsigned long out_len = sizeof out;
    int sw = 0;
    ykpiv_rc rc =
        ykpiv_transfer_data(m_state, templ, padded.data(), long(padded.size()), out, &out_len, &sw);
    if (rc != YKPIV_OK) return ykpiv_error("VERIFY PIN", rc);
    return reference_status(sw, "PIN");
}

Status PivDevice::change_reference(std::uint8_t reference, const SecretBuffer& current,
                                   const SecretBuffer& replacement) {
    const char* what = reference == 0x80 ? "PIN" : "PUK";
    SecretBuffer data;  // current || replacement, each padded to 8
    OTASIGN_TRY(append_padded_reference(data, current, what));
    OTASIGN_TRY(append_padded_reference(data, replacement, std::string("new ") + what));
    const unsigned char templ[4] = {0x00, 0x24, 0x00, reference};
    unsigned char out[64];
    unsigned long out_len = sizeof out;
    int sw = 0;
    ykpiv_rc rc =
        ykpiv_transfer_data(m_state, templ, data.data(), long(data.size()), out, &out_len, &sw);
    if (rc != YKPIV_OK) return ykpiv_error(std::string("CHANGE REFERENCE ") + what, rc);
    return reference_status(sw, what);
}

Status PivDevice::unblock_pin(const SecretBuffer& puk, const SecretBuffer& new_pin) {
    SecretBuffer data;  // PUK || new PIN, each padded to 8
    OTASIGN_TRY(append_padded_reference(data, puk, "PUK"));
    OTASIGN_TRY(append_padded_reference(data, new_pin, "new PIN"));
    const unsigned char templ[4] = {0x00, 0x2c, 0x00, 0x80};
    unsigned char out[64];
    unsigned long out_len = sizeof out;
    int sw = 0;
    ykpiv_rc rc =
        ykpiv_transfer_data(m_state, templ, data.data(), long(data.size()), out, &out_len, &sw);
    if (rc != YKPIV_OK) return ykpiv_error("RESET RETRY COUNTER", rc);
    // The status words describe the PUK: 63Cx is a wrong PUK, 6983 a blocked one.
    return reference_status(sw, "PUK");
}

Result<PivDevice::Response> PivDevice::transmit(std::uint8_t ins, std::uint8_t p1, std::uint8_t p2,
                                                std::span<const std::uint8_t> data,
                                                std::string_view what) {
    const unsigned char templ[4] = {0x00, ins, p1, p2};
    Response r;
    r.data.resize(4096);
    unsigned long out_len = r.data.size();
    ykpiv_rc rc = ykpiv_transfer_data(m_state, templ, data.data(), long(data.size()), r.data.data(),
                                      &out_len, &r.sw);
    if (rc != YKPIV_OK) return ykpiv_error(what, rc);
    r.data.resize(out_len);
    return r;
}

namespace {

std::string sw_hex(int sw) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04X", static_cast<unsigned>(sw) & 0xffffu);
    return buf;
}

const EVP_CIPHER* management_cipher(ManagementKeyAlgorithm algorithm) {
    switch (algorithm) {
        case ManagementKeyAlgorithm::tdes:
            return EVP_des_ede3_ecb();
        case ManagementKeyAlgorithm::aes128:
            return EVP_aes_128_ecb();
        case ManagementKeyAlgorithm::aes192:
            return EVP_aes_192_ecb();
        case ManagementKeyAlgorithm::aes256:
            return EVP_aes_256_ecb();
    }
    return nullptr;
}

enum class CipherDirection { encrypt, decrypt };

// One ECB block under the management key (the witness and challenge are exactly one block).
Result<std::vector<std::uint8_t>> management_block(ManagementKeyAlgorithm algorithm,
                                                   const SecretBuffer& key,
                                                   std::span<const std::uint8_t> block,
                                                   CipherDirection direction) {
    if (block.size() != management_key_block_size(algorithm))
        return make_error(ErrorCode::TokenError,
                          "the card sent a " + std::to_string(block.size()) +
                              "-byte management key witness; " +
                              algorithm_name(std::uint8_t(algorithm)) + " needs " +
                              std::to_string(management_key_block_size(algorithm)));
    ossl::Ptr<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
    std::vector<std::uint8_t> out(block.size() + 32);
    int len = 0, tail = 0;
    if (!ctx ||
        EVP_CipherInit_ex(ctx.get(), management_cipher(algorithm), nullptr, key.data(), nullptr,
                          direction == CipherDirection::encrypt ? 1 : 0) != 1 ||
        EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1 ||
        EVP_CipherUpdate(ctx.get(), out.data(), &len, block.data(), int(block.size())) != 1 ||
        EVP_CipherFinal_ex(ctx.get(), out.data() + len, &tail) != 1)
        return make_error(ErrorCode::Internal,
                          "management key cipher failed: " + ossl::last_error());
    out.resize(std::size_t(len + tail));
    return out;
}

// 7C { tag value } with short BER lengths (GENERAL AUTHENTICATE's dynamic template).
std::vector<std::uint8_t> dynamic_template(
    std::initializer_list<std::pair<std::uint8_t, std::span<const std::uint8_t>>> items) {
    std::vector<std::uint8_t> inner;
    for (const auto& [tag, value] : items) {
        inner.push_back(tag);
        inner.push_back(std::uint8_t(value.size()));
        inner.insert(inner.end(), value.begin(), value.end());
    }
    // Sized once and copied into: GCC 12 at -O3 misreads an insert after the two header bytes
    // as a write out of bounds (-Warray-bounds, a false positive that fails a Release build).
    std::vector<std::uint8_t> out(inner.size() + 2);
    out[0] = 0x7c;
    out[1] = std::uint8_t(inner.size());
    std::copy(inner.begin(), inner.end(), out.begin() + 2);
    return out;
}

std::optional<std::vector<std::uint8_t>> dynamic_item(const std::vector<std::uint8_t>& response,
                                                      std::uint8_t tag) {
    auto outer = tlv_find(response.data(), response.size(), 0x7c);
    if (!outer) return std::nullopt;
    return tlv_find(outer->data(), outer->size(), tag);
}

constexpr int kObjectAdminData = 0x5fff00;  // ykman's and yubico-piv-tool's "PIV manager" data
constexpr std::uint8_t kAdminFlagProtectedMgm = 0x02;

}  // namespace

Result<ManagementKeyAlgorithm> PivDevice::management_key_algorithm() {
    std::uint8_t buf[256];
    std::size_t len = sizeof buf;
    ykpiv_rc rc = ykpiv_get_metadata(m_state, 0x9b, buf, &len);
    // No GET METADATA (before 5.3): those cards only know 3DES.
    if (rc == YKPIV_NOT_SUPPORTED) return ManagementKeyAlgorithm::tdes;
    if (rc != YKPIV_OK) return ykpiv_error("GET METADATA 9b", rc);
    auto v = tlv_find(buf, len, 0x01);
    if (!v || v->size() != 1) return ManagementKeyAlgorithm::tdes;
    auto algorithm = piv::management_key_algorithm((*v)[0]);
    if (!algorithm)
        return make_error(ErrorCode::TokenError,
                          "the card reports an unknown management key "
                          "algorithm " +
                              algorithm_name((*v)[0]));
    return *algorithm;
}

Status PivDevice::authenticate(const SecretBuffer& management_key) {
    OTASIGN_ASSIGN_OR_RETURN(auto algorithm, management_key_algorithm());
    const std::string alg_name = algorithm_name(std::uint8_t(algorithm));
    if (management_key.size() != management_key_length(algorithm))
        return make_error(ErrorCode::Usage,
                          "the card's management key is " + alg_name + ", which takes " +
                              std::to_string(management_key_length(algorithm)) + " bytes (" +
                              std::to_string(2 * management_key_length(algorithm)) +
                              " hex digits), not " + std::to_string(management_key.size()));
    const std::uint8_t p1 = std::uint8_t(algorithm);
    auto rejected = [&](int sw) {
        return make_error(
            ErrorCode::TokenError,
            "the card rejected the " + alg_name + " management key (status " + sw_hex(sw) + ")",
            "give the right key with --management-key-source, or 'protected' for a "
            "PIN-protected key");
    };
    // Step 1: the card sends a witness encrypted under its key.
    const std::uint8_t empty[1] = {};
    auto request = dynamic_template({{0x80, std::span<const std::uint8_t>(empty, 0)}});
    OTASIGN_ASSIGN_OR_RETURN(auto first,
                             transmit(0x87, p1, 0x9b, request, "management key authentication"));
    if (first.sw != 0x9000) return rejected(first.sw);
    auto witness = dynamic_item(first.data, 0x80);
    if (!witness)
        return make_error(ErrorCode::TokenError, "the card sent no management key witness");
    // Step 2: return it decrypted (proves we hold the key) and challenge the card in turn.
    OTASIGN_ASSIGN_OR_RETURN(auto plain, management_block(algorithm, management_key, *witness,
                                                          CipherDirection::decrypt));
    std::vector<std::uint8_t> challenge(management_key_block_size(algorithm));
    if (RAND_bytes(challenge.data(), int(challenge.size())) != 1)
        return make_error(ErrorCode::Internal, "no randomness: " + ossl::last_error());
    auto answer = dynamic_template({{0x80, plain}, {0x81, challenge}});
    OTASIGN_ASSIGN_OR_RETURN(auto second,
                             transmit(0x87, p1, 0x9b, answer, "management key authentication"));
    if (second.sw != 0x9000) return rejected(second.sw);
    // The card must prove it knows the key too: a card that accepts anything is not ours.
    auto response = dynamic_item(second.data, 0x82);
    OTASIGN_ASSIGN_OR_RETURN(auto expected, management_block(algorithm, management_key, challenge,
                                                             CipherDirection::encrypt));
    if (!response || response->size() != expected.size() ||
        CRYPTO_memcmp(response->data(), expected.data(), expected.size()) != 0)
        return make_error(ErrorCode::TokenError,
                          "the card did not prove that it knows the management key",
                          "this is not the card it claims to be; stop and investigate");
    return ok_status();
}

Status PivDevice::authenticate_default() {
    SecretBuffer key;
    key.assign(kDefaultManagementKey);
    return authenticate(key);
}

Result<SecretBuffer> PivDevice::read_protected_management_key() {
    auto no_key = [](std::string what) {
        return make_error(
            ErrorCode::TokenError, "reading the PIN-protected management key: " + what,
            "the card has no PIN-protected management key; give --management-key-source");
    };
    // GET DATA 5FC109 (readable only after VERIFY PIN): 53 { 88 { 89 key } }.
    const std::uint8_t request[] = {0x5c, 0x03, 0x5f, 0xc1, 0x09};
    OTASIGN_ASSIGN_OR_RETURN(auto r, transmit(0xcb, 0x3f, 0xff, request, "GET DATA 5FC109"));
    SecretBuffer key;
    if (r.sw == 0x9000) {
        auto object = tlv_find(r.data.data(), r.data.size(), 0x53);
        auto protected_data =
            object ? tlv_find(object->data(), object->size(), 0x88) : std::nullopt;
        auto value = protected_data ? tlv_find(protected_data->data(), protected_data->size(), 0x89)
                                    : std::nullopt;
        if (value) key.assign(*value);
        for (auto* v : {&object, &protected_data, &value})
            if (*v) OPENSSL_cleanse((*v)->data(), (*v)->size());
    }
    OPENSSL_cleanse(r.data.data(), r.data.size());
    if (r.sw == 0x6982) return no_key("the PIN was not verified");
    if (r.sw == 0x6a82) return no_key("object 5FC109 does not exist");
    if (r.sw != 0x9000) return no_key("card answered status " + sw_hex(r.sw));
    if (key.size() != 16 && key.size() != 24 && key.size() != 32)
        return no_key("object 5FC109 holds no management key (tag 88/89)");
    return key;
}

Status PivDevice::set_management_key(ManagementKeyAlgorithm algorithm, const SecretBuffer& key) {
    if (key.size() != management_key_length(algorithm))
        return make_error(ErrorCode::Usage,
                          "a " + algorithm_name(std::uint8_t(algorithm)) + " management key is " +
                              std::to_string(management_key_length(algorithm)) + " bytes");
    SecretBuffer data;
    data.push_back(std::uint8_t(algorithm));
    data.push_back(0x9b);
    data.push_back(std::uint8_t(key.size()));
    for (auto b : key.bytes()) data.push_back(b);
    // P2 FF: no touch needed to use the key (FE would ask for one at every authentication).
    OTASIGN_ASSIGN_OR_RETURN(auto r,
                             transmit(0xff, 0xff, 0xff, data.bytes(), "SET MANAGEMENT KEY"));
    if (r.sw == 0x9000) return ok_status();
    if (r.sw == 0x6982)
        return make_error(ErrorCode::TokenError,
                          "SET MANAGEMENT KEY: the current management key was not authenticated");
    return make_error(ErrorCode::TokenError,
                      "SET MANAGEMENT KEY (" + algorithm_name(std::uint8_t(algorithm)) +
                          "): card answered status " + sw_hex(r.sw),
                      algorithm == ManagementKeyAlgorithm::tdes
                          ? std::string()
                          : "AES management keys need firmware 5.4.2 or later");
}

Result<ManagementKeyAlgorithm> PivDevice::set_random_protected_management_key() {
    // Only the version: status() could un-verify the PIN on cards without GET METADATA.
    char version[32] = {};
    ykpiv_rc rc = ykpiv_get_version(m_state, version, sizeof version);
    if (rc != YKPIV_OK) return ykpiv_error("reading the firmware version", rc);
    int major = 0, minor = 0, patch = 0;
    std::sscanf(version, "%d.%d.%d", &major, &minor, &patch);
    // AES management keys came with 5.4.2 (Yubico's SET MANAGEMENT KEY documentation).
    const bool aes = major > 5 || (major == 5 && (minor > 4 || (minor == 4 && patch >= 2)));
    const auto algorithm = aes ? ManagementKeyAlgorithm::aes192 : ManagementKeyAlgorithm::tdes;
    SecretBuffer key;
    {
        std::array<std::uint8_t, 32> raw{};
        const std::size_t len = management_key_length(algorithm);
        bool drawn = false;
        if (algorithm == ManagementKeyAlgorithm::tdes) {
            // OpenSSL's DES key generation sets odd parity and skips weak keys, which the
            // card refuses.
            ossl::Ptr<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
            drawn = ctx &&
                    EVP_CipherInit_ex(ctx.get(), EVP_des_ede3_ecb(), nullptr, nullptr, nullptr,
                                      1) == 1 &&
                    EVP_CIPHER_CTX_rand_key(ctx.get(), raw.data()) == 1;
        } else {
            drawn = RAND_priv_bytes(raw.data(), int(len)) == 1;
        }
        if (drawn) key.assign(std::span<const std::uint8_t>(raw.data(), len));
        OPENSSL_cleanse(raw.data(), raw.size());
        if (!drawn) return make_error(ErrorCode::Internal, "no randomness: " + ossl::last_error());
    }

    // Store first, then switch keys: if the switch fails the card keeps its old key, and the
    // object it guards is rewritten by the next attempt.
    SecretBuffer object;
    object.push_back(0x88);
    object.push_back(std::uint8_t(key.size() + 2));
    object.push_back(0x89);
    object.push_back(std::uint8_t(key.size()));
    for (auto b : key.bytes()) object.push_back(b);
    rc = ykpiv_save_object(m_state, YKPIV_OBJ_PRINTED, object.data(), object.size());
    if (rc != YKPIV_OK)
        return ykpiv_error("storing the management key in the PIN-protected object", rc);
    OTASIGN_TRY(set_management_key(algorithm, key));
    OTASIGN_TRY(authenticate(key));

    // The admin data object says "the management key is PIN-protected" (flags tag 81, bit
    // 0x02); a salt (tag 82) would claim a PIN-derived key, which it no longer is.
    std::vector<std::uint8_t> admin_inner;
    {
        std::uint8_t buf[512];
        unsigned long len = sizeof buf;
        std::uint8_t flags = 0;
        if (ykpiv_fetch_object(m_state, kObjectAdminData, buf, &len) == YKPIV_OK) {
            if (auto admin = tlv_find(buf, len, 0x80)) {
                if (auto f = tlv_find(admin->data(), admin->size(), 0x81); f && f->size() == 1)
                    flags = (*f)[0];
                if (auto t = tlv_find(admin->data(), admin->size(), 0x83)) {
                    admin_inner.push_back(0x83);
                    admin_inner.push_back(std::uint8_t(t->size()));
                    admin_inner.insert(admin_inner.end(), t->begin(), t->end());
                }
            }
        }
        flags |= kAdminFlagProtectedMgm;
        admin_inner.insert(admin_inner.begin(), {0x81, 0x01, flags});
    }
    std::vector<std::uint8_t> admin{0x80, std::uint8_t(admin_inner.size())};
    admin.insert(admin.end(), admin_inner.begin(), admin_inner.end());
    rc = ykpiv_save_object(m_state, kObjectAdminData, admin.data(), admin.size());
    if (rc != YKPIV_OK) return ykpiv_error("marking the management key as PIN-protected", rc);

    OTASIGN_ASSIGN_OR_RETURN(auto stored, read_protected_management_key());
    if (!stored.equals(key.bytes()))
        return make_error(ErrorCode::TokenError,
                          "the management key was set but could not be stored under the PIN",
                          "reset the PIV applet and run the ceremony again");
    OTASIGN_TRY(authenticate(stored));
    return algorithm;
}

Result<ossl::Ptr<EVP_PKEY>> PivDevice::generate_key(std::uint8_t slot, Algorithm algorithm,
                                                    PinPolicy pin_policy,
                                                    TouchPolicy touch_policy) {
    UtilBuffer modulus{m_state}, exponent{m_state}, point{m_state};
    ykpiv_rc rc =
        ykpiv_util_generate_key(m_state, slot, std::uint8_t(algorithm), std::uint8_t(pin_policy),
                                std::uint8_t(touch_policy), &modulus.data, &modulus.size,
                                &exponent.data, &exponent.size, &point.data, &point.size);
    if (rc == YKPIV_AUTHENTICATION_ERROR)
        return make_error(ErrorCode::TokenError,
                          "the card refused to generate: management key not authenticated");
    if (rc != YKPIV_OK) return ykpiv_error("generating a key in slot " + slot_name(slot), rc);
    if (!point.data) return make_error(ErrorCode::TokenError, "the card returned no EC public key");
    return ec_public_key(algorithm, point.data, point.size);
}

Result<std::vector<std::uint8_t>> PivDevice::sign_digest(std::uint8_t slot, Algorithm algorithm,
                                                         const std::vector<std::uint8_t>& digest) {
    std::vector<std::uint8_t> sig(256);
    std::size_t sig_len = sig.size();
    ykpiv_rc rc = ykpiv_sign_data(m_state, digest.data(), digest.size(), sig.data(), &sig_len,
                                  std::uint8_t(algorithm), slot);
    if (rc == YKPIV_AUTHENTICATION_ERROR)
        return make_error(
            ErrorCode::TokenError, "the card refused to sign with slot " + slot_name(slot),
            "the PIN was not verified just before, or the key was not touched in time");
    if (rc != YKPIV_OK) return ykpiv_error("signing with slot " + slot_name(slot), rc);
    sig.resize(sig_len);
    return sig;
}

Result<std::optional<std::vector<std::uint8_t>>> PivDevice::read_certificate(std::uint8_t slot) {
    UtilBuffer cert{m_state};
    ykpiv_rc rc = ykpiv_util_read_cert(m_state, slot, &cert.data, &cert.size);
    // libykpiv maps SW 6A82 (no such object) to YKPIV_INVALID_OBJECT; some tools leave an
    // empty object behind instead.
    if (rc == YKPIV_INVALID_OBJECT || (rc == YKPIV_OK && cert.size == 0))
        return std::optional<std::vector<std::uint8_t>>{};
    if (rc != YKPIV_OK)
        return ykpiv_error("reading the certificate of slot " + slot_name(slot), rc);
    return std::optional<std::vector<std::uint8_t>>(
        std::vector<std::uint8_t>(cert.data, cert.data + cert.size));
}

Status PivDevice::write_certificate(std::uint8_t slot, const std::vector<std::uint8_t>& der) {
    std::vector<std::uint8_t> copy = der;  // libykpiv takes a non-const pointer
    ykpiv_rc rc =
        ykpiv_util_write_cert(m_state, slot, copy.data(), copy.size(), YKPIV_CERTINFO_UNCOMPRESSED);
    if (rc != YKPIV_OK)
        return ykpiv_error("storing the certificate of slot " + slot_name(slot), rc);
    return ok_status();
}

Result<std::vector<std::uint8_t>> PivDevice::attest(std::uint8_t slot) {
    std::vector<std::uint8_t> buf(3072);
    std::size_t len = buf.size();
    ykpiv_rc rc = ykpiv_attest(m_state, slot, buf.data(), &len);
    if (rc == YKPIV_KEY_ERROR || rc == YKPIV_ARGUMENT_ERROR)
        return make_error(
            ErrorCode::TokenNotFound,
            "slot " + slot_name(slot) + " has no key that can be attested",
            "only keys generated on the YubiKey can be attested; an imported key cannot");
    if (rc == YKPIV_NOT_SUPPORTED)
        return make_error(ErrorCode::TokenError,
                          "this device does not support PIV attestation (firmware before 4.3)");
    if (rc != YKPIV_OK) return ykpiv_error("attesting slot " + slot_name(slot), rc);
    buf.resize(len);
    return buf;
}

Result<std::vector<std::uint8_t>> PivDevice::read_attestation_device_certificate() {
    OTASIGN_ASSIGN_OR_RETURN(auto cert, read_certificate(YKPIV_KEY_ATTESTATION));
    if (!cert)
        return make_error(ErrorCode::TokenError,
                          "the card has no attestation certificate in slot f9",
                          "the f9 certificate is loaded at the factory; a card without it cannot "
                          "prove key origin");
    return std::move(*cert);
}

Result<std::optional<KeyOnCard>> find_key_on_card(std::string_view key_id) {
    OTASIGN_ASSIGN_OR_RETURN(auto readers, PivDevice::list_readers());
    for (const auto& reader : readers) {
        auto device = PivDevice::open(reader);
        if (!device.ok()) continue;  // a reader without a PIV card
        for (std::uint8_t slot : kSlots) {
            auto md = device->slot_metadata(slot);
            if (!md.ok() || !*md) continue;
            auto& m = **md;
            if (m.algorithm != 0x11 && m.algorithm != 0x14) continue;
            auto pk =
                ec_public_key(Algorithm(m.algorithm), m.public_key.data(), m.public_key.size());
            if (!pk.ok()) continue;
            auto id = canonical_key_id(pk->get(), "the card's public key");
            if (!id.ok() || *id != key_id) continue;
            LocatedKey found;
            found.reader = reader;
            found.slot = slot;
            found.metadata = std::move(m);
            if (auto serial = device->serial(); serial.ok()) found.serial = *serial;
            return std::optional<KeyOnCard>(KeyOnCard{std::move(found), std::move(device).value()});
        }
    }
    return std::optional<KeyOnCard>{};
}

Result<std::optional<LocatedKey>> locate_key(std::string_view key_id) {
    OTASIGN_ASSIGN_OR_RETURN(auto found, find_key_on_card(key_id));
    if (!found) return std::optional<LocatedKey>{};
    return std::optional<LocatedKey>(std::move(found->where));
}

}  // namespace otasign::piv
