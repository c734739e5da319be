#include "piv/keygen.hpp"

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <cstring>

#include "core/digest.hpp"
#include "core/key_identity.hpp"

namespace otasign::piv {
namespace {

HashAlg hash_for(Algorithm algorithm) {
    return algorithm == Algorithm::eccp384 ? HashAlg::sha384 : HashAlg::sha256;
}

Status authenticate_admin(PivDevice& device, const SecretBuffer& pin, ManagementKeyKind management,
                          const SecretBuffer* management_key) {
    switch (management) {
        case ManagementKeyKind::factory_default:
            return device.authenticate_default();
        case ManagementKeyKind::supplied:
            if (!management_key)
                return make_error(ErrorCode::Internal, "no management key supplied");
            return device.authenticate(*management_key);
        case ManagementKeyKind::pin_protected: {
            OTASIGN_TRY(device.verify_pin(pin));
            OTASIGN_ASSIGN_OR_RETURN(auto key, device.read_protected_management_key());
            return device.authenticate(key);
        }
    }
    return make_error(ErrorCode::Internal, "unknown management key kind");
}

Status add_extension(X509* cert, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    ossl::Ptr<X509_EXTENSION> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
    if (!ext || X509_add_ext(cert, ext.get(), -1) != 1)
        return make_error(ErrorCode::Internal, "building the certificate: " + ossl::last_error());
    return ok_status();
}

// The TBS part of a certificate for `public_key`, with the signature algorithm fields already
// set: OpenSSL fills them in while signing, so the certificate is first signed with a throwaway
// software key of the same curve, whose signature is then replaced by the card's.
Result<ossl::Ptr<X509>> unsigned_certificate(EVP_PKEY* public_key, Algorithm algorithm,
                                             const std::string& subject) {
    ossl::Ptr<X509> cert(X509_new());
    if (!cert) return make_error(ErrorCode::Internal, "out of memory");
    X509_set_version(cert.get(), 2);
    unsigned char serial[16];
    if (RAND_bytes(serial, sizeof serial) != 1)
        return make_error(ErrorCode::Internal, "no randomness: " + ossl::last_error());
    serial[0] &= 0x7f;
    ossl::Ptr<BIGNUM> bn(BN_bin2bn(serial, sizeof serial, nullptr));
    BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get()));
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(subject.c_str()), -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 60L * 60 * 24 * 365 * 20);
    if (X509_set_pubkey(cert.get(), public_key) != 1)
        return make_error(ErrorCode::Internal, "building the certificate: " + ossl::last_error());
    OTASIGN_TRY(add_extension(cert.get(), NID_basic_constraints, "critical,CA:FALSE"));
    OTASIGN_TRY(add_extension(cert.get(), NID_key_usage, "critical,digitalSignature"));
    OTASIGN_TRY(add_extension(cert.get(), NID_subject_key_identifier, "hash"));

    ossl::Ptr<EVP_PKEY> placeholder(
        EVP_EC_gen(algorithm == Algorithm::eccp384 ? "P-384" : "P-256"));
    const EVP_MD* md = algorithm == Algorithm::eccp384 ? EVP_sha384() : EVP_sha256();
    if (!placeholder || X509_sign(cert.get(), placeholder.get(), md) <= 0)
        return make_error(ErrorCode::Internal, "preparing the certificate: " + ossl::last_error());
    return cert;
}

}  // namespace

Result<SecretBuffer> management_key_from_hex(const SecretBuffer& hex) {
    if (hex.size() != 32 && hex.size() != 48 && hex.size() != 64)
        return make_error(ErrorCode::InvalidInput,
                          "a management key is 32 (AES-128), 48 (3DES or AES-192) or 64 (AES-256) "
                          "hex digits, got " +
                              std::to_string(hex.size()) + " characters");
    SecretBuffer key;
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        auto nib = [](std::uint8_t c) -> int {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            if (c >= 'A' && c <= 'F') return c - 'A' + 10;
            return -1;
        };
        int hi = nib(hex.data()[i]), lo = nib(hex.data()[i + 1]);
        if (hi < 0 || lo < 0)
            return make_error(ErrorCode::InvalidInput, "the management key is not hexadecimal");
        key.push_back(std::uint8_t(hi * 16 + lo));
    }
    return key;
}

Result<ossl::Ptr<EVP_PKEY>> slot_public_key(PivDevice& device, std::uint8_t slot) {
    OTASIGN_ASSIGN_OR_RETURN(auto md, device.slot_metadata(slot));
    if (!md)
        return make_error(ErrorCode::TokenNotFound, "slot " + slot_name(slot) + " holds no key");
    if (md->algorithm != std::uint8_t(Algorithm::eccp256) &&
        md->algorithm != std::uint8_t(Algorithm::eccp384))
        return make_error(ErrorCode::TokenError, "slot " + slot_name(slot) + " holds a " +
                                                     algorithm_name(md->algorithm) +
                                                     " key; otasign signs with ECCP256 or ECCP384");
    return ec_public_key(Algorithm(md->algorithm), md->public_key.data(), md->public_key.size());
}

Result<std::vector<std::uint8_t>> sign_with_slot(PivDevice& device, std::uint8_t slot,
                                                 const SecretBuffer& pin, std::string_view message,
                                                 OperatorUi& ui) {
    OTASIGN_ASSIGN_OR_RETURN(auto md, device.slot_metadata(slot));
    if (!md)
        return make_error(ErrorCode::TokenNotFound, "slot " + slot_name(slot) + " holds no key");
    auto algorithm = Algorithm(md->algorithm);
    auto digest = hash_bytes(hash_for(algorithm), message);
    if (md->pin_policy != std::uint8_t(PinPolicy::never)) OTASIGN_TRY(device.verify_pin(pin));
    // "cached" may or may not ask (15 s cache); saying so is better than a silent wait.
    bool touch = md->touch_policy == std::uint8_t(TouchPolicy::always) ||
                 md->touch_policy == std::uint8_t(TouchPolicy::cached);
    if (touch) ui.wait_begin("Touch the key now");
    auto sig = device.sign_digest(slot, algorithm, digest);
    if (touch) ui.wait_done();
    return sig;
}

Result<GeneratedKey> generate_signing_key(PivDevice& device, const GenerateRequest& request,
                                          const SecretBuffer& pin, ManagementKeyKind management,
                                          const SecretBuffer* management_key, OperatorUi& ui) {
    OTASIGN_ASSIGN_OR_RETURN(auto existing, device.slot_metadata(request.slot));
    if (existing && request.replace == ReplaceKey::no)
        return make_error(ErrorCode::PolicyViolation,
                          "slot " + slot_name(request.slot) + " already holds a " +
                              algorithm_name(existing->algorithm) +
                              " key; generating would destroy it",
                          "check 'otasign token status'; to replace the key on purpose pass "
                          "--replace-existing-key "
                          "and confirm");

    // A wrong PIN must leave the slot as it was: prove the PIN before anything is generated
    // (the certificate step needs it anyway).
    OTASIGN_TRY(device.verify_pin(pin));
    OTASIGN_TRY(authenticate_admin(device, pin, management, management_key));
    ui.display("Generating a " + algorithm_name(std::uint8_t(request.algorithm)) + " key in slot " +
               slot_name(request.slot) + " (PIN policy " +
               pin_policy_name(std::uint8_t(request.pin_policy)) + ", touch policy " +
               touch_policy_name(std::uint8_t(request.touch_policy)) + ")");
    OTASIGN_ASSIGN_OR_RETURN(
        auto public_key, device.generate_key(request.slot, request.algorithm, request.pin_policy,
                                             request.touch_policy));

    GeneratedKey out;
    OTASIGN_ASSIGN_OR_RETURN(auto canonical,
                             canonical_key(public_key.get(), "the generated public key"));
    out.spki_der.assign(canonical.spki_der.begin(), canonical.spki_der.end());
    out.key_id = std::move(canonical.key_id);

    OTASIGN_ASSIGN_OR_RETURN(auto cert, unsigned_certificate(public_key.get(), request.algorithm,
                                                             request.subject + " (slot " +
                                                                 slot_name(request.slot) + ")"));
    unsigned char* tbs = nullptr;
    int tbs_len = i2d_re_X509_tbs(cert.get(), &tbs);
    if (tbs_len <= 0)
        return make_error(ErrorCode::Internal, "encoding the certificate: " + ossl::last_error());
    std::string tbs_bytes(reinterpret_cast<const char*>(tbs), std::size_t(tbs_len));
    OPENSSL_free(tbs);

    ui.display("The new key now signs its own certificate, so that PKCS#11 software can find it");
    OTASIGN_ASSIGN_OR_RETURN(auto signature,
                             sign_with_slot(device, request.slot, pin, tbs_bytes, ui));

    const ASN1_BIT_STRING* sig_field = nullptr;
    const X509_ALGOR* sig_alg = nullptr;
    X509_get0_signature(&sig_field, &sig_alg, cert.get());
    auto* writable = const_cast<ASN1_BIT_STRING*>(sig_field);
    if (ASN1_BIT_STRING_set(writable, signature.data(), int(signature.size())) != 1)
        return make_error(ErrorCode::Internal, "storing the signature: " + ossl::last_error());
    writable->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07);
    writable->flags |= ASN1_STRING_FLAG_BITS_LEFT;

    unsigned char* der = nullptr;
    int der_len = i2d_X509(cert.get(), &der);
    if (der_len <= 0)
        return make_error(ErrorCode::Internal, "encoding the certificate: " + ossl::last_error());
    out.certificate_der.assign(der, der + der_len);
    OPENSSL_free(der);

    // Sign, then check: re-parse what will be stored and verify it with the card's public key.
    const unsigned char* p = out.certificate_der.data();
    ossl::Ptr<X509> reparsed(d2i_X509(nullptr, &p, long(out.certificate_der.size())));
    if (!reparsed || X509_verify(reparsed.get(), public_key.get()) != 1)
        return make_error(
            ErrorCode::TokenError, "the card's signature on the new certificate does not verify",
            "the key was generated but no certificate was stored; run 'otasign token status'");

    OTASIGN_TRY(device.write_certificate(request.slot, out.certificate_der));
    return out;
}

}  // namespace otasign::piv
