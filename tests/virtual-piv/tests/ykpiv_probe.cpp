// Drives the virtual card through libykpiv's C API, the way otasign's piv concern does, and
// checks what each call reports. Run inside run-with-card (see ykpiv_api.sh).

#include <ykpiv/ykpiv.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace {

int g_failures = 0;

void check(bool ok, const std::string& what) {
    std::printf("%s %s\n", ok ? "ok  " : "FAIL", what.c_str());
    if (!ok) ++g_failures;
}

struct StateFree { void operator()(ykpiv_state* s) const noexcept { ykpiv_done(s); } };
struct PkeyFree { void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); } };
struct PkeyCtxFree { void operator()(EVP_PKEY_CTX* p) const noexcept { EVP_PKEY_CTX_free(p); } };
struct BldFree { void operator()(OSSL_PARAM_BLD* p) const noexcept { OSSL_PARAM_BLD_free(p); } };
struct ParamFree { void operator()(OSSL_PARAM* p) const noexcept { OSSL_PARAM_free(p); } };
struct X509Free { void operator()(X509* p) const noexcept { X509_free(p); } };

std::unique_ptr<EVP_PKEY, PkeyFree> ec_public_key(const char* group, const uint8_t* point, size_t len) {
    std::unique_ptr<OSSL_PARAM_BLD, BldFree> bld(OSSL_PARAM_BLD_new());
    OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
    OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point, len);
    std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld.get()));
    std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    EVP_PKEY* key = nullptr;
    if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
        EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0)
        return nullptr;
    return std::unique_ptr<EVP_PKEY, PkeyFree>(key);
}

bool ecdsa_verifies(EVP_PKEY* key, const uint8_t* digest, size_t digest_len, const uint8_t* sig, size_t sig_len) {
    std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(EVP_PKEY_CTX_new(key, nullptr));
    return ctx && EVP_PKEY_verify_init(ctx.get()) > 0 &&
           EVP_PKEY_verify(ctx.get(), sig, sig_len, digest, digest_len) == 1;
}

// The value of a one-byte-tag TLV in GET METADATA output.
std::vector<uint8_t> metadata_item(const uint8_t* data, size_t len, uint8_t tag) {
    size_t i = 0;
    while (i + 2 <= len) {
        uint8_t t = data[i];
        size_t l = data[i + 1];
        size_t off = 2;
        if (l == 0x81) { l = data[i + 2]; off = 3; }
        else if (l == 0x82) { l = static_cast<size_t>(data[i + 2]) << 8 | data[i + 3]; off = 4; }
        if (i + off + l > len) break;
        if (t == tag) return std::vector<uint8_t>(data + i + off, data + i + off + l);
        i += off + l;
    }
    return {};
}

}  // namespace

int main() {
    ykpiv_state* raw = nullptr;
    if (ykpiv_init(&raw, 0) != YKPIV_OK) return 2;
    std::unique_ptr<ykpiv_state, StateFree> state(raw);
    ykpiv_state* s = state.get();

    check(ykpiv_connect(s, "Yubikey") == YKPIV_OK, "ykpiv_connect finds the virtual YubiKey");
    char version[16] = {0};
    bool version_ok = ykpiv_get_version(s, version, sizeof version) == YKPIV_OK;
    check(version_ok && std::strcmp(version, "5.4.3") == 0, std::string("version 5.4.3, got ") + version);
    uint32_t serial = 0;
    const char* want_serial = std::getenv("VIRTUAL_PIV_SERIAL");
    bool serial_ok = ykpiv_get_serial(s, &serial) == YKPIV_OK;
    check(serial_ok && want_serial && serial == std::strtoul(want_serial, nullptr, 10), "serial " + std::to_string(serial));
    check(ykpiv_util_devicemodel(s) == DEVTYPE_YK5, "device model YubiKey 5");

    int tries = 0;
    bool retries_ok = ykpiv_get_pin_retries(s, &tries) == YKPIV_OK;
    check(retries_ok && tries == 3, "3 PIN retries, got " + std::to_string(tries));
    uint8_t md[1024];
    size_t md_len = sizeof md;
    check(ykpiv_get_metadata(s, 0x80, md, &md_len) == YKPIV_OK, "PIN metadata");
    auto is_default = metadata_item(md, md_len, 0x05);
    auto retries = metadata_item(md, md_len, 0x06);
    check(is_default.size() == 1 && is_default[0] == 1, "the PIN is the default");
    check(retries.size() == 2 && retries[0] == 3 && retries[1] == 3, "PIN retries 3 of 3");
    md_len = sizeof md;
    check(ykpiv_get_metadata(s, 0x9b, md, &md_len) == YKPIV_OK, "management key metadata");
    auto mgm_alg = metadata_item(md, md_len, 0x01);
    check(mgm_alg.size() == 1 && mgm_alg[0] == YKPIV_ALGO_3DES, "management key is 3DES");
    md_len = sizeof md;
    check(ykpiv_get_metadata(s, 0x9c, md, &md_len) == YKPIV_KEY_ERROR, "no key in 9c: YKPIV_KEY_ERROR");

    tries = 0;
    check(ykpiv_verify(s, "000000", &tries) == YKPIV_WRONG_PIN && tries == 2, "wrong PIN: 2 tries left");
    check(ykpiv_verify(s, "123456", &tries) == YKPIV_OK, "PIN verifies");
    check(ykpiv_authenticate(s, nullptr) == YKPIV_OK, "default management key authenticates");

    uint8_t *modulus = nullptr, *exponent = nullptr, *point = nullptr;
    size_t modulus_len = 0, exponent_len = 0, point_len = 0;
    check(ykpiv_util_generate_key(s, 0x9c, YKPIV_ALGO_ECCP256, YKPIV_PINPOLICY_ALWAYS, YKPIV_TOUCHPOLICY_NEVER,
                                  &modulus, &modulus_len, &exponent, &exponent_len, &point, &point_len) == YKPIV_OK &&
              point_len == 65,
          "generate P-256 in 9c");
    std::vector<uint8_t> public_point(point, point + point_len);
    ykpiv_util_free(s, point);

    md_len = sizeof md;
    ykpiv_metadata meta{};
    check(ykpiv_get_metadata(s, 0x9c, md, &md_len) == YKPIV_OK &&
              ykpiv_util_parse_metadata(md, md_len, &meta) == YKPIV_OK,
          "9c metadata parses");
    check(meta.algorithm == YKPIV_ALGO_ECCP256 && meta.pin_policy == YKPIV_PINPOLICY_ALWAYS &&
              meta.touch_policy == YKPIV_TOUCHPOLICY_NEVER && meta.origin == YKPIV_METADATA_ORIGIN_GENERATED,
          "9c metadata: P-256, PIN always, touch never, generated");
    check(meta.pubkey_len == 67 && meta.pubkey[0] == 0x86 && meta.pubkey[1] == 65 &&
              std::memcmp(meta.pubkey + 2, public_point.data(), 65) == 0,
          "9c metadata carries the generated public point");

    auto key = ec_public_key("P-256", public_point.data(), public_point.size());
    check(key != nullptr, "public point is on P-256");
    uint8_t digest[32];
    SHA256(reinterpret_cast<const uint8_t*>("otasign"), 7, digest);
    uint8_t sig[128];
    size_t sig_len = sizeof sig;
    // The VERIFY before GENERATE still counts: nothing has used it yet.
    check(ykpiv_sign_data(s, digest, sizeof digest, sig, &sig_len, YKPIV_ALGO_ECCP256, 0x9c) == YKPIV_OK,
          "ykpiv_sign_data after VERIFY");
    check(key && ecdsa_verifies(key.get(), digest, sizeof digest, sig, sig_len), "the DER signature verifies");
    sig_len = sizeof sig;
    check(ykpiv_sign_data(s, digest, sizeof digest, sig, &sig_len, YKPIV_ALGO_ECCP256, 0x9c) != YKPIV_OK,
          "PIN policy always: no second signature without a new VERIFY");
    check(ykpiv_verify(s, "123456", &tries) == YKPIV_OK, "PIN verifies again");
    sig_len = sizeof sig;
    check(ykpiv_sign_data(s, digest, sizeof digest, sig, &sig_len, YKPIV_ALGO_ECCP256, 0x9c) == YKPIV_OK &&
              key && ecdsa_verifies(key.get(), digest, sizeof digest, sig, sig_len),
          "signature after the new VERIFY verifies");

    uint8_t att[4096];
    size_t att_len = sizeof att;
    check(ykpiv_attest(s, 0x9c, att, &att_len) == YKPIV_OK, "ykpiv_attest 9c");
    const uint8_t* p = att;
    std::unique_ptr<X509, X509Free> cert(d2i_X509(nullptr, &p, static_cast<long>(att_len)));
    check(cert && EVP_PKEY_eq(X509_get0_pubkey(cert.get()), key.get()) == 1, "attestation certifies the key");

    uint8_t* f9 = nullptr;
    size_t f9_len = 0;
    check(ykpiv_util_read_cert(s, 0xf9, &f9, &f9_len) == YKPIV_OK && f9_len > 0, "f9 certificate readable");
    ykpiv_util_free(s, f9);
    ykpiv_config config{};
    check(ykpiv_util_get_config(s, &config) == YKPIV_OK && config.mgm_type == YKPIV_CONFIG_MGM_MANUAL,
          "config: management key set manually (no admin data)");
    uint8_t count = 0;
    ykpiv_key* keys = nullptr;
    size_t keys_len = 0;
    check(ykpiv_util_list_keys(s, &count, &keys, &keys_len) == YKPIV_OK, "ykpiv_util_list_keys");
    ykpiv_util_free(s, keys);
    check(ykpiv_get_pin_retries(s, &tries) == YKPIV_OK && tries == 3, "PIN retries back to 3");
    check(ykpiv_disconnect(s) == YKPIV_OK, "disconnect");
    std::printf("%d failure(s)\n", g_failures);
    return g_failures == 0 ? 0 : 1;
}
