#include "piv/attestation.hpp"

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cstdio>
#include <system_error>

#include "core/atomic_file.hpp"
#include "core/digest.hpp"
#include "core/key_identity.hpp"
#include "core/ossl.hpp"
#include "piv/types.hpp"

namespace otasign::piv {
namespace {

using CertStack =
    std::unique_ptr<STACK_OF(X509),
                    decltype([](STACK_OF(X509) * s) { sk_X509_pop_free(s, X509_free); })>;

ossl::Ptr<X509> parse_der(const std::vector<std::uint8_t>& der) {
    const unsigned char* p = der.data();
    ossl::Ptr<X509> cert(d2i_X509(nullptr, &p, long(der.size())));
    if (cert && p != der.data() + der.size()) return nullptr;  // trailing bytes
    return cert;
}

std::string subject_of(X509* cert) {
    char buf[512];
    X509_NAME_oneline(X509_get_subject_name(cert), buf, sizeof buf);
    return buf;
}

std::string fingerprint(X509* cert) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    X509_digest(cert, EVP_sha256(), md, &len);
    return to_hex(md, len);
}

// The raw contents of a Yubico extension (its OCTET STRING value), nullopt when absent.
Result<std::optional<std::vector<std::uint8_t>>> extension_bytes(X509* cert, const char* oid) {
    ASN1_OBJECT* raw_obj = OBJ_txt2obj(oid, 1);
    if (!raw_obj) return make_error(ErrorCode::Internal, std::string("bad OID ") + oid);
    int index = X509_get_ext_by_OBJ(cert, raw_obj, -1);
    int again = index >= 0 ? X509_get_ext_by_OBJ(cert, raw_obj, index) : -1;
    ASN1_OBJECT_free(raw_obj);
    if (index < 0) return std::optional<std::vector<std::uint8_t>>{};
    if (again >= 0)
        return make_error(ErrorCode::InvalidInput,
                          std::string("extension ") + oid + " appears twice");
    X509_EXTENSION* ext = X509_get_ext(cert, index);
    const ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(ext);
    const unsigned char* p = ASN1_STRING_get0_data(data);
    return std::optional<std::vector<std::uint8_t>>(
        std::vector<std::uint8_t>(p, p + ASN1_STRING_length(data)));
}

std::string form_factor_name(std::uint8_t value) {
    // Bit 0x80 marks FIPS, 0x40 CSPN; the low bits are the physical form (Yubico's
    // "Form factor" table in the YubiKey attestation documentation).
    static const char* names[] = {"unknown",    "usb-a-keychain",  "usb-a-nano", "usb-c-keychain",
                                  "usb-c-nano", "usb-c-lightning", "usb-a-bio",  "usb-c-bio"};
    std::uint8_t form = value & 0x0f;
    std::string name =
        form < std::size(names) ? names[form] : "unknown(" + std::to_string(form) + ")";
    if (value & 0x80) name += "+fips";
    if (value & 0x40) name += "+cspn";
    return name;
}

Result<std::vector<ossl::Ptr<X509>>> load_pem_dir(const std::filesystem::path& dir) {
    std::vector<ossl::Ptr<X509>> out;
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) return out;
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
        if (entry.is_regular_file() && entry.path().extension() == ".pem")
            files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
        OTASIGN_ASSIGN_OR_RETURN(auto text, read_file(file, 1 << 20));
        OTASIGN_ASSIGN_OR_RETURN(auto ders, read_pem_certificates(text, file.string()));
        for (auto& der : ders) {
            auto cert = parse_der(der);
            if (!cert)
                return make_error(ErrorCode::InvalidInput,
                                  file.string() + ": malformed certificate");
            out.push_back(std::move(cert));
        }
    }
    return out;
}

std::string pem_of(const std::vector<std::uint8_t>& der) {
    ossl::Ptr<BIO> bio(BIO_new(BIO_s_mem()));
    PEM_write_bio(bio.get(), "CERTIFICATE", "", der.data(), long(der.size()));
    char* data = nullptr;
    long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, std::size_t(len));
}

}  // namespace

std::string attestation_bundle_pem(const std::vector<std::uint8_t>& attestation_der,
                                   const std::vector<std::uint8_t>& device_der) {
    return pem_of(attestation_der) + pem_of(device_der);
}

Result<std::vector<std::vector<std::uint8_t>>> read_pem_certificates(std::string_view pem,
                                                                     std::string_view name) {
    ossl::Ptr<BIO> bio(BIO_new_mem_buf(pem.data(), int(pem.size())));
    std::vector<std::vector<std::uint8_t>> out;
    for (;;) {
        char* pem_name = nullptr;
        char* header = nullptr;
        unsigned char* data = nullptr;
        long len = 0;
        if (PEM_read_bio(bio.get(), &pem_name, &header, &data, &len) != 1) {
            ERR_clear_error();
            break;
        }
        bool is_cert = std::string_view(pem_name) == "CERTIFICATE";
        if (is_cert) out.emplace_back(data, data + len);
        OPENSSL_free(pem_name);
        OPENSSL_free(header);
        OPENSSL_free(data);
        if (!is_cert)
            return make_error(
                ErrorCode::InvalidInput,
                std::string(name) + ": unexpected PEM block (only CERTIFICATE is allowed)");
    }
    if (out.empty())
        return make_error(ErrorCode::InvalidInput,
                          std::string(name) + ": no PEM certificate found");
    return out;
}

namespace {

// The chain check and extension reading shared by the roots-folder and the in-memory variants.
Result<AttestationReport> verify_with(const std::vector<std::uint8_t>& attestation_der,
                                      const std::vector<std::uint8_t>& device_der,
                                      const std::vector<ossl::Ptr<X509>>& roots,
                                      const std::vector<ossl::Ptr<X509>>& intermediates,
                                      const std::string& roots_hint) {
    auto leaf = parse_der(attestation_der);
    if (!leaf)
        return make_error(ErrorCode::InvalidInput, "the attestation certificate is not valid DER");
    auto device = parse_der(device_der);
    if (!device)
        return make_error(ErrorCode::InvalidInput, "the device (f9) certificate is not valid DER");
    if (roots.empty())
        return make_error(ErrorCode::InvalidInput, "no attestation root certificates", roots_hint);

    ossl::Ptr<X509_STORE> store(X509_STORE_new());
    for (auto& root : roots) X509_STORE_add_cert(store.get(), root.get());
    CertStack untrusted(sk_X509_new_null());
    sk_X509_push(untrusted.get(), X509_dup(device.get()));
    for (auto& cert : intermediates) sk_X509_push(untrusted.get(), X509_dup(cert.get()));

    ossl::Ptr<X509_STORE_CTX> ctx(X509_STORE_CTX_new());
    X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), untrusted.get());
    X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
    X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_NO_CHECK_TIME);
    // The leaf carries Yubico's private extensions, which are not critical; anything critical
    // and unknown still fails.
    if (X509_verify_cert(ctx.get()) != 1) {
        int err = X509_STORE_CTX_get_error(ctx.get());
        return make_error(ErrorCode::PolicyViolation,
                          std::string("the attestation does not chain to a trusted root: ") +
                              X509_verify_cert_error_string(err),
                          "check that the attestation and f9 certificates come from the same card "
                          "and that " +
                              roots_hint);
    }

    // The device certificate given must be the leaf's issuer, not merely present.
    STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(ctx.get());
    if (sk_X509_num(chain) < 3 || X509_cmp(sk_X509_value(chain, 1), device.get()) != 0)
        return make_error(ErrorCode::PolicyViolation,
                          "the attestation was not issued by the given f9 device certificate");

    AttestationReport report;
    for (int i = 0; i < sk_X509_num(chain); ++i)
        report.chain_subjects.push_back(subject_of(sk_X509_value(chain, i)));
    X509* root = sk_X509_value(chain, sk_X509_num(chain) - 1);
    report.root_subject = subject_of(root);
    report.root_sha256 = fingerprint(root);

    // Subject "CN=YubiKey PIV Attestation 9c".
    char cn[128] = {};
    X509_NAME_get_text_by_NID(X509_get_subject_name(leaf.get()), NID_commonName, cn, sizeof cn);
    std::string_view cn_view(cn);
    const std::string_view prefix = "YubiKey PIV Attestation ";
    if (!cn_view.starts_with(prefix) || cn_view.size() != prefix.size() + 2)
        return make_error(ErrorCode::InvalidInput,
                          "the attestation subject is not 'YubiKey PIV Attestation <slot>': " +
                              std::string(cn_view));
    report.slot = std::string(cn_view.substr(prefix.size()));

    EVP_PKEY* key = X509_get0_pubkey(leaf.get());
    if (!key)
        return make_error(ErrorCode::InvalidInput,
                          "the attestation certificate has no usable public key");
    OTASIGN_ASSIGN_OR_RETURN(auto canonical, canonical_key(key, "the attested public key"));
    report.spki_der.assign(canonical.spki_der.begin(), canonical.spki_der.end());
    report.public_key_id = std::move(canonical.key_id);
    if (EVP_PKEY_is_a(key, "EC")) {
        char group[64] = {};
        std::size_t glen = 0;
        EVP_PKEY_get_utf8_string_param(key, "group", group, sizeof group, &glen);
        std::string_view g(group);
        report.algorithm = g == "prime256v1" || g == "P-256"  ? "ECCP256"
                           : g == "secp384r1" || g == "P-384" ? "ECCP384"
                                                              : "EC " + std::string(g);
    } else if (EVP_PKEY_is_a(key, "RSA")) {
        report.algorithm = "RSA" + std::to_string(EVP_PKEY_get_bits(key));
    } else {
        report.algorithm = EVP_PKEY_get0_type_name(key) ? EVP_PKEY_get0_type_name(key) : "unknown";
    }

    OTASIGN_ASSIGN_OR_RETURN(auto firmware, extension_bytes(leaf.get(), "1.3.6.1.4.1.41482.3.3"));
    if (!firmware || firmware->size() != 3)
        return make_error(
            ErrorCode::InvalidInput,
            "the attestation lacks a 3-byte firmware extension (1.3.6.1.4.1.41482.3.3)");
    report.firmware = std::to_string((*firmware)[0]) + "." + std::to_string((*firmware)[1]) + "." +
                      std::to_string((*firmware)[2]);

    OTASIGN_ASSIGN_OR_RETURN(auto serial, extension_bytes(leaf.get(), "1.3.6.1.4.1.41482.3.7"));
    if (serial) {
        const unsigned char* p = serial->data();
        ossl::Ptr<ASN1_STRING> integer(d2i_ASN1_INTEGER(nullptr, &p, long(serial->size())));
        std::uint64_t value = 0;
        if (!integer || p != serial->data() + serial->size() ||
            ASN1_INTEGER_get_uint64(&value, integer.get()) != 1 || value > 0xffffffffu)
            return make_error(ErrorCode::InvalidInput,
                              "the serial extension (1.3.6.1.4.1.41482.3.7) is not a DER INTEGER");
        report.serial = std::uint32_t(value);
    }

    OTASIGN_ASSIGN_OR_RETURN(auto policy, extension_bytes(leaf.get(), "1.3.6.1.4.1.41482.3.8"));
    if (!policy || policy->size() != 2)
        return make_error(
            ErrorCode::InvalidInput,
            "the attestation lacks the 2-byte policy extension (1.3.6.1.4.1.41482.3.8)");
    report.pin_policy = pin_policy_name((*policy)[0]);
    report.touch_policy = touch_policy_name((*policy)[1]);

    OTASIGN_ASSIGN_OR_RETURN(auto form, extension_bytes(leaf.get(), "1.3.6.1.4.1.41482.3.9"));
    if (form) {
        if (form->size() != 1)
            return make_error(ErrorCode::InvalidInput,
                              "the form factor extension (1.3.6.1.4.1.41482.3.9) is not one byte");
        report.form_factor = (*form)[0];
        report.form_factor_name = form_factor_name((*form)[0]);
    }
    return report;
}

}  // namespace

Result<AttestationReport> verify_attestation(const std::vector<std::uint8_t>& attestation_der,
                                             const std::vector<std::uint8_t>& device_der,
                                             const std::filesystem::path& roots_dir) {
    OTASIGN_ASSIGN_OR_RETURN(auto roots, load_pem_dir(roots_dir));
    if (roots.empty())
        return make_error(ErrorCode::InvalidInput,
                          "no root certificates (*.pem) in " + roots_dir.string(),
                          "pass --roots DIR with the attestation root CA certificates");
    OTASIGN_ASSIGN_OR_RETURN(auto intermediates, load_pem_dir(roots_dir / "intermediates"));
    return verify_with(attestation_der, device_der, roots, intermediates,
                       "--roots holds the right root");
}

Result<AttestationReport> verify_attestation_bundle(
    std::string_view pem, std::string_view name,
    const std::vector<std::vector<std::uint8_t>>& root_ders,
    const std::vector<std::vector<std::uint8_t>>& intermediate_ders) {
    OTASIGN_ASSIGN_OR_RETURN(auto certs, read_pem_certificates(pem, name));
    if (certs.size() != 2)
        return make_error(ErrorCode::InvalidInput,
                          std::string(name) +
                              ": expected 2 certificates (attestation, then f9 device), found " +
                              std::to_string(certs.size()));
    std::vector<ossl::Ptr<X509>> roots, intermediates;
    for (const auto* list : {&root_ders, &intermediate_ders})
        for (const auto& der : *list) {
            auto cert = parse_der(der);
            if (!cert)
                return make_error(ErrorCode::InvalidInput,
                                  "a trusted attestation certificate is not valid DER");
            (list == &root_ders ? roots : intermediates).push_back(std::move(cert));
        }
    return verify_with(certs[0], certs[1], roots, intermediates,
                       "the policy's attestationRoots hold the card's root");
}

Result<AttestationReport> verify_attestation_bundle(std::string_view pem, std::string_view name,
                                                    const std::filesystem::path& roots_dir) {
    OTASIGN_ASSIGN_OR_RETURN(auto certs, read_pem_certificates(pem, name));
    if (certs.size() != 2)
        return make_error(ErrorCode::InvalidInput,
                          std::string(name) +
                              ": expected 2 certificates (attestation, then f9 device), found " +
                              std::to_string(certs.size()));
    return verify_attestation(certs[0], certs[1], roots_dir);
}

Status check_attestation_requirements(const AttestationReport& report,
                                      const AttestationRequirements& required) {
    std::string problems;
    auto add = [&](const std::string& p) { problems += (problems.empty() ? "" : "; ") + p; };
    auto listed = [](const std::vector<std::string>& allowed, const std::string& v) {
        return allowed.empty() || std::find(allowed.begin(), allowed.end(), v) != allowed.end();
    };
    if (report.public_key_id != required.key_id)
        add("the attestation is for key " + report.public_key_id + ", not the signing key " +
            required.key_id);
    if (required.require_generated && report.origin != "generated")
        add("the key was not generated on the device");
    if (!listed(required.allowed_pin_policies, report.pin_policy))
        add("PIN policy is " + report.pin_policy);
    if (!listed(required.allowed_touch_policies, report.touch_policy))
        add("touch policy is " + report.touch_policy);
    if (required.serial && report.serial != required.serial)
        add("the key is on card " +
            (report.serial ? std::to_string(*report.serial) : std::string("(no serial)")) +
            ", not card " + std::to_string(*required.serial));
    if (!problems.empty())
        return make_error(ErrorCode::PolicyViolation,
                          "attestation requirements not met: " + problems);
    return ok_status();
}

}  // namespace otasign::piv
