#include "piv/device.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/param_build.h>
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

// PIN/PUK as the card wants them: up to 8 bytes, padded with 0xff.
Result<std::array<std::uint8_t, 8>> padded_reference(const SecretBuffer& value,
                                                     std::string_view what) {
    if (value.size() < 6 || value.size() > 8)
        return make_error(ErrorCode::Usage, std::string(what) + " must be 6 to 8 characters long");
    std::array<std::uint8_t, 8> out;
    out.fill(0xff);
    std::memcpy(out.data(), value.data(), value.size());
    return out;
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

std::vector<std::uint8_t> spki_der(EVP_PKEY* key) {
    auto canonical = canonical_key(key, "the card's public key");
    if (!canonical) return {};
    return std::vector<std::uint8_t>(canonical->spki_der.begin(), canonical->spki_der.end());
}

std::string public_key_id(EVP_PKEY* key) {
    auto id = canonical_key_id(key, "the card's public key");
    return id ? *id : std::string();
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

Result<TokenStatus> PivDevice::status() {
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
                if (pk.ok()) s.public_key_id = public_key_id(pk->get());
            }
        }
        OTASIGN_ASSIGN_OR_RETURN(auto cert, read_certificate(slot));
        s.certificate_present = cert.has_value();
        st.slots.push_back(std::move(s));
    }
    return st;
}

Status PivDevice::verify_pin(const SecretBuffer& pin) {
    OTASIGN_ASSIGN_OR_RETURN(auto padded, padded_reference(pin, "PIN"));
    const unsigned char templ[4] = {0x00, 0x20, 0x00, 0x80};
    unsigned char out[64];
    unsigned long out_len = sizeof out;
    int sw = 0;
    ykpiv_rc rc =
        ykpiv_transfer_data(m_state, templ, padded.data(), long(padded.size()), out, &out_len, &sw);
    OPENSSL_cleanse(padded.data(), padded.size());
    if (rc != YKPIV_OK) return ykpiv_error("VERIFY PIN", rc);
    return reference_status(sw, "PIN");
}

Status PivDevice::change_reference(std::uint8_t reference, const SecretBuffer& current,
                                   const SecretBuffer& replacement) {
    const char* what = reference == 0x80 ? "PIN" : "PUK";
    OTASIGN_ASSIGN_OR_RETURN(auto old_padded, padded_reference(current, what));
    auto new_padded = padded_reference(replacement, std::string("new ") + what);
    if (!new_padded.ok()) {
        OPENSSL_cleanse(old_padded.data(), old_padded.size());
        return std::move(new_padded).error();
    }
    std::array<std::uint8_t, 16> data;
    std::memcpy(data.data(), old_padded.data(), 8);
    std::memcpy(data.data() + 8, new_padded->data(), 8);
    OPENSSL_cleanse(old_padded.data(), old_padded.size());
    OPENSSL_cleanse(new_padded->data(), new_padded->size());
    const unsigned char templ[4] = {0x00, 0x24, 0x00, reference};
    unsigned char out[64];
    unsigned long out_len = sizeof out;
    int sw = 0;
    ykpiv_rc rc =
        ykpiv_transfer_data(m_state, templ, data.data(), long(data.size()), out, &out_len, &sw);
    OPENSSL_cleanse(data.data(), data.size());
    if (rc != YKPIV_OK) return ykpiv_error(std::string("CHANGE REFERENCE ") + what, rc);
    return reference_status(sw, what);
}

Status PivDevice::unblock_pin(const SecretBuffer& puk, const SecretBuffer& new_pin) {
    OTASIGN_ASSIGN_OR_RETURN(auto puk_padded, padded_reference(puk, "PUK"));
    auto pin_padded = padded_reference(new_pin, "new PIN");
    if (!pin_padded.ok()) {
        OPENSSL_cleanse(puk_padded.data(), puk_padded.size());
        return std::move(pin_padded).error();
    }
    std::array<std::uint8_t, 16> data;
    std::memcpy(data.data(), puk_padded.data(), 8);
    std::memcpy(data.data() + 8, pin_padded->data(), 8);
    OPENSSL_cleanse(puk_padded.data(), puk_padded.size());
    OPENSSL_cleanse(pin_padded->data(), pin_padded->size());
    const unsigned char templ[4] = {0x00, 0x2c, 0x00, 0x80};
    unsigned char out[64];
    unsigned long out_len = sizeof out;
    int sw = 0;
    ykpiv_rc rc =
        ykpiv_transfer_data(m_state, templ, data.data(), long(data.size()), out, &out_len, &sw);
    OPENSSL_cleanse(data.data(), data.size());
    if (rc != YKPIV_OK) return ykpiv_error("RESET RETRY COUNTER", rc);
    // The status words describe the PUK: 63Cx is a wrong PUK, 6983 a blocked one.
    return reference_status(sw, "PUK");
}

Status PivDevice::authenticate(const SecretBuffer& management_key) {
    if (management_key.size() != 24)
        return make_error(ErrorCode::Usage, "a 3DES management key is 24 bytes (48 hex digits)");
    ykpiv_rc rc = ykpiv_authenticate(m_state, management_key.data());
    if (rc == YKPIV_AUTHENTICATION_ERROR)
        return make_error(ErrorCode::TokenError, "the card rejected the management key",
                          "give the right key with --management-key-source, or 'protected' for a "
                          "PIN-protected key");
    if (rc != YKPIV_OK) return ykpiv_error("management key authentication", rc);
    return ok_status();
}

Status PivDevice::authenticate_default() {
    SecretBuffer key;
    key.assign(kDefaultManagementKey);
    return authenticate(key);
}

Result<SecretBuffer> PivDevice::read_protected_management_key() {
    ykpiv_mgm mgm{};
    ykpiv_rc rc = ykpiv_util_get_protected_mgm(m_state, &mgm);
    SecretBuffer key;
    key.assign(mgm.data);
    OPENSSL_cleanse(&mgm, sizeof mgm);
    if (rc != YKPIV_OK)
        return ykpiv_error(
            "reading the PIN-protected management key", rc,
            "the card has no PIN-protected management key; give --management-key-source");
    return key;
}

Status PivDevice::set_random_protected_management_key() {
    ykpiv_mgm mgm{};  // all zero: libykpiv draws a random key, retrying past weak 3DES keys
    ykpiv_rc rc = ykpiv_util_set_protected_mgm(m_state, &mgm);
    SecretBuffer set_key;
    set_key.assign(mgm.data);
    OPENSSL_cleanse(&mgm, sizeof mgm);
    if (rc != YKPIV_OK) return ykpiv_error("setting the PIN-protected management key", rc);
    // libykpiv reports success once the key is set even if storing it failed; prove it can be
    // read back, or the card would be left with a key nobody knows.
    OTASIGN_ASSIGN_OR_RETURN(auto stored, read_protected_management_key());
    if (!stored.equals(set_key.bytes()))
        return make_error(ErrorCode::TokenError,
                          "the management key was set but could not be stored under the PIN",
                          "reset the PIV applet and run the ceremony again");
    return authenticate(stored);
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

Result<std::optional<LocatedKey>> locate_key(std::string_view key_id) {
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
            if (!pk.ok() || public_key_id(pk->get()) != key_id) continue;
            LocatedKey found;
            found.reader = reader;
            found.slot = slot;
            found.metadata = std::move(m);
            if (auto serial = device->serial(); serial.ok()) found.serial = *serial;
            return std::optional<LocatedKey>(std::move(found));
        }
    }
    return std::optional<LocatedKey>{};
}

}  // namespace otasign::piv
