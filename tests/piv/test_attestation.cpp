// verify_attestation against certificate chains built here with OpenSSL: a test root, an f9
// "device" CA and a leaf carrying Yubico's extensions, plus the ways a chain can be wrong.

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "core/atomic_file.hpp"
#include "core/digest.hpp"
#include "core/key_identity.hpp"
#include "core/ossl.hpp"
#include "piv/attestation.hpp"

using namespace otasign;
namespace fs = std::filesystem;

namespace {

using Bytes = std::vector<std::uint8_t>;

ossl::Ptr<EVP_PKEY> ec_key(const char* curve = "P-256") {
    return ossl::Ptr<EVP_PKEY>(EVP_EC_gen(curve));
}

struct Ext {
    std::string oid;
    Bytes value;  // raw extnValue contents
};

Bytes der_of(X509* cert) {
    unsigned char* der = nullptr;
    int len = i2d_X509(cert, &der);
    Bytes out(der, der + len);
    OPENSSL_free(der);
    return out;
}

// A certificate for `subject_key` named `cn`, signed by `issuer_key` under `issuer` (self-signed
// when null).
ossl::Ptr<X509> make_cert(const std::string& cn, EVP_PKEY* subject_key, X509* issuer,
                          EVP_PKEY* issuer_key, bool ca, const std::vector<Ext>& exts = {}) {
    ossl::Ptr<X509> cert(X509_new());
    X509_set_version(cert.get(), 2);
    static long serial = 1;
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial++);
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
    X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
    X509_set_pubkey(cert.get(), subject_key);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer ? issuer : cert.get(), cert.get(), nullptr, nullptr, 0);
    if (ca) {
        X509_EXTENSION* bc =
            X509V3_EXT_conf_nid(nullptr, &ctx, NID_basic_constraints, "critical,CA:TRUE");
        X509_add_ext(cert.get(), bc, -1);
        X509_EXTENSION_free(bc);
        X509_EXTENSION* ku =
            X509V3_EXT_conf_nid(nullptr, &ctx, NID_key_usage, "critical,keyCertSign");
        X509_add_ext(cert.get(), ku, -1);
        X509_EXTENSION_free(ku);
    }
    for (const auto& e : exts) {
        ASN1_OBJECT* obj = OBJ_txt2obj(e.oid.c_str(), 1);
        ASN1_OCTET_STRING* os = ASN1_OCTET_STRING_new();
        ASN1_OCTET_STRING_set(os, e.value.data(), int(e.value.size()));
        X509_EXTENSION* ext = X509_EXTENSION_create_by_OBJ(nullptr, obj, 0, os);
        X509_add_ext(cert.get(), ext, -1);
        X509_EXTENSION_free(ext);
        ASN1_OCTET_STRING_free(os);
        ASN1_OBJECT_free(obj);
    }
    X509_sign(cert.get(), issuer_key, EVP_sha256());
    return cert;
}

Bytes der_integer(long v) {
    ASN1_INTEGER* i = ASN1_INTEGER_new();
    ASN1_INTEGER_set(i, v);
    unsigned char* der = nullptr;
    int len = i2d_ASN1_INTEGER(i, &der);
    Bytes out(der, der + len);
    OPENSSL_free(der);
    ASN1_INTEGER_free(i);
    return out;
}

std::vector<Ext> yubico_exts() {
    return {{"1.3.6.1.4.1.41482.3.3", {5, 4, 3}},
            {"1.3.6.1.4.1.41482.3.7", der_integer(12345678)},
            {"1.3.6.1.4.1.41482.3.8", {0x03, 0x02}},
            {"1.3.6.1.4.1.41482.3.9", {0x01}}};
}

struct TempDir {
    fs::path path;
    TempDir() {
        char tmpl[] = "/tmp/otasign-piv-test.XXXXXX";
        path = mkdtemp(tmpl);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

void write_pem(const fs::path& file, X509* cert) {
    ossl::Ptr<BIO> bio(BIO_new_file(file.c_str(), "w"));
    PEM_write_bio_X509(bio.get(), cert);
}

struct Pki {
    ossl::Ptr<EVP_PKEY> root_key = ec_key("P-384");
    ossl::Ptr<X509> root =
        make_cert("Test PIV Root CA", root_key.get(), nullptr, root_key.get(), true);
    ossl::Ptr<EVP_PKEY> f9_key = ec_key();
    ossl::Ptr<X509> f9 =
        make_cert("Yubico PIV Attestation", f9_key.get(), root.get(), root_key.get(), true);
    ossl::Ptr<EVP_PKEY> slot_key = ec_key("P-384");
    TempDir roots;
    Pki() { write_pem(roots.path / "root.pem", root.get()); }
    ossl::Ptr<X509> leaf(const std::vector<Ext>& exts,
                         const std::string& cn = "YubiKey PIV Attestation 9c") {
        return make_cert(cn, slot_key.get(), f9.get(), f9_key.get(), false, exts);
    }
};

}  // namespace

TEST_CASE("a genuine chain reports Yubico's extensions", "[piv][attestation]") {
    Pki pki;
    auto leaf = pki.leaf(yubico_exts());
    auto r = piv::verify_attestation(der_of(leaf.get()), der_of(pki.f9.get()), pki.roots.path);
    REQUIRE(r.ok());
    CHECK(r->slot == "9c");
    CHECK(r->algorithm == "ECCP384");
    CHECK(r->firmware == "5.4.3");
    REQUIRE(r->serial.has_value());
    CHECK(*r->serial == 12345678u);
    CHECK(r->pin_policy == "always");
    CHECK(r->touch_policy == "always");
    CHECK(r->origin == "generated");
    CHECK(r->form_factor_name == "usb-a-keychain");
    CHECK(r->public_key_id == *canonical_key_id(pki.slot_key.get(), "test key"));
    CHECK(r->chain_subjects.size() == 3);
    CHECK(r->root_subject == "/CN=Test PIV Root CA");
}

TEST_CASE("the bundle PEM round-trips through verify_attestation_bundle", "[piv][attestation]") {
    Pki pki;
    auto leaf = pki.leaf(yubico_exts());
    auto pem = piv::attestation_bundle_pem(der_of(leaf.get()), der_of(pki.f9.get()));
    auto r = piv::verify_attestation_bundle(pem, "bundle.pem", pki.roots.path);
    REQUIRE(r.ok());
    CHECK(r->pin_policy == "always");

    auto one = piv::attestation_bundle_pem(der_of(leaf.get()), der_of(pki.f9.get()));
    one = one.substr(0, one.find("-----END CERTIFICATE-----") + 26);
    auto bad = piv::verify_attestation_bundle(one, "one.pem", pki.roots.path);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().code == ErrorCode::InvalidInput);
}

TEST_CASE("untrusted root: a chain to another CA is refused", "[piv][attestation][attack]") {
    Pki pki;
    Pki other;
    auto leaf = pki.leaf(yubico_exts());
    auto r = piv::verify_attestation(der_of(leaf.get()), der_of(pki.f9.get()), other.roots.path);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::PolicyViolation);
}

TEST_CASE("forged attestation: a leaf signed by a key that is not the f9 key is refused",
          "[piv][attestation][attack]") {
    Pki pki;
    auto rogue_key = ec_key();
    auto leaf = make_cert("YubiKey PIV Attestation 9c", pki.slot_key.get(), pki.f9.get(),
                          rogue_key.get(), false, yubico_exts());
    auto r = piv::verify_attestation(der_of(leaf.get()), der_of(pki.f9.get()), pki.roots.path);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::PolicyViolation);
}

TEST_CASE("tampered attestation: changing the policy bytes breaks the signature",
          "[piv][attestation][attack]") {
    Pki pki;
    auto leaf = pki.leaf(yubico_exts());
    Bytes der = der_of(leaf.get());
    // Find the 2-byte policy value 03 02 right after its OID and weaken it to never/never.
    const Bytes oid = {0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0xc4, 0x0a, 0x03, 0x08};
    auto it = std::search(der.begin(), der.end(), oid.begin(), oid.end());
    REQUIRE(it != der.end());
    const Bytes encoded = {0x04, 0x02, 0x03, 0x02};  // OCTET STRING { always, always }
    auto value = std::search(it, der.end(), encoded.begin(), encoded.end());
    REQUIRE(value != der.end());
    value[2] = 0x01;
    value[3] = 0x01;
    auto r = piv::verify_attestation(der, der_of(pki.f9.get()), pki.roots.path);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::PolicyViolation);
}

TEST_CASE("a different device certificate than the issuer is refused",
          "[piv][attestation][attack]") {
    Pki pki;
    auto other_f9_key = ec_key();
    auto other_f9 = make_cert("Yubico PIV Attestation", other_f9_key.get(), pki.root.get(),
                              pki.root_key.get(), true);
    auto leaf = pki.leaf(yubico_exts());
    auto r = piv::verify_attestation(der_of(leaf.get()), der_of(other_f9.get()), pki.roots.path);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::PolicyViolation);
}

TEST_CASE("malformed Yubico extensions are invalid input", "[piv][attestation]") {
    Pki pki;
    struct Case {
        const char* name;
        std::vector<Ext> exts;
    };
    std::vector<Case> cases = {
        {"missing policy", {{"1.3.6.1.4.1.41482.3.3", {5, 4, 3}}}},
        {"short policy", {{"1.3.6.1.4.1.41482.3.3", {5, 4, 3}}, {"1.3.6.1.4.1.41482.3.8", {0x03}}}},
        {"missing firmware", {{"1.3.6.1.4.1.41482.3.8", {0x03, 0x02}}}},
        {"serial not an INTEGER",
         {{"1.3.6.1.4.1.41482.3.3", {5, 4, 3}},
          {"1.3.6.1.4.1.41482.3.7", {0x01, 0x02}},
          {"1.3.6.1.4.1.41482.3.8", {3, 2}}}},
        {"form factor two bytes",
         {{"1.3.6.1.4.1.41482.3.3", {5, 4, 3}},
          {"1.3.6.1.4.1.41482.3.8", {3, 2}},
          {"1.3.6.1.4.1.41482.3.9", {1, 1}}}},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        auto leaf = pki.leaf(c.exts);
        auto r = piv::verify_attestation(der_of(leaf.get()), der_of(pki.f9.get()), pki.roots.path);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == ErrorCode::InvalidInput);
    }
    auto wrong_subject = pki.leaf(yubico_exts(), "Something else");
    auto r =
        piv::verify_attestation(der_of(wrong_subject.get()), der_of(pki.f9.get()), pki.roots.path);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::InvalidInput);
}

TEST_CASE("policy bytes map to names", "[piv][attestation]") {
    Pki pki;
    auto exts = yubico_exts();
    exts[2].value = {0x02, 0x03};  // once, cached
    auto leaf = pki.leaf(exts);
    auto r = piv::verify_attestation(der_of(leaf.get()), der_of(pki.f9.get()), pki.roots.path);
    REQUIRE(r.ok());
    CHECK(r->pin_policy == "once");
    CHECK(r->touch_policy == "cached");
}

TEST_CASE("the shipped Yubico roots are self-signed and match their recorded fingerprints",
          "[piv][roots]") {
    // Compiled in: catch_discover_tests passes only the first entry of OTASIGN_TEST_ENV.
    fs::path dir = fs::path(OTASIGN_TEST_SOURCE_DIR) / "ceremony" / "roots";
    auto readme = read_file(dir / "README.md");
    REQUIRE(readme.ok());
    int count = 0;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
        if (entry.path().extension() != ".pem") continue;
        auto text = read_file(entry.path());
        REQUIRE(text.ok());
        auto certs = piv::read_pem_certificates(*text, entry.path().string());
        REQUIRE(certs.ok());
        REQUIRE(certs->size() == 1);
        std::string fp = sha256_hex(std::string_view(
            reinterpret_cast<const char*>((*certs)[0].data()), (*certs)[0].size()));
        for (char& c : fp) c = char(std::toupper(static_cast<unsigned char>(c)));
        INFO(entry.path().string());
        CHECK(readme->find(fp) != std::string::npos);
        ++count;
    }
    CHECK(count >= 2);
}

TEST_CASE("attestation requirements: key, origin, policies and serial",
          "[piv][attestation][policy]") {
    Pki pki;
    auto leaf = pki.leaf(yubico_exts());
    auto r = piv::verify_attestation(der_of(leaf.get()), der_of(pki.f9.get()), pki.roots.path);
    REQUIRE(r.ok());
    piv::AttestationRequirements req;
    req.key_id = r->public_key_id;
    req.serial = 12345678u;
    CHECK(piv::check_attestation_requirements(*r, req).ok());

    auto other_key = req;
    other_key.key_id = std::string(64, 'a');
    auto bad = piv::check_attestation_requirements(*r, other_key);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().code == ErrorCode::PolicyViolation);

    auto other_card = req;
    other_card.serial = 1u;
    CHECK_FALSE(piv::check_attestation_requirements(*r, other_card).ok());

    auto weak = yubico_exts();
    weak[2].value = {0x01, 0x01};  // never, never
    auto weak_leaf = pki.leaf(weak);
    auto w = piv::verify_attestation(der_of(weak_leaf.get()), der_of(pki.f9.get()), pki.roots.path);
    REQUIRE(w.ok());
    req.key_id = w->public_key_id;
    auto refused = piv::check_attestation_requirements(*w, req);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().detail.find("PIN policy is never") != std::string::npos);
    CHECK(refused.error().detail.find("touch policy is never") != std::string::npos);
}

TEST_CASE("verify_attestation_bundle with anchors in memory, as a trust policy embeds them",
          "[piv][attestation]") {
    Pki pki;
    auto leaf = pki.leaf(yubico_exts());
    auto pem = piv::attestation_bundle_pem(der_of(leaf.get()), der_of(pki.f9.get()));
    auto r = piv::verify_attestation_bundle(pem, "statement", {der_of(pki.root.get())}, {});
    REQUIRE(r.ok());
    CHECK(r->public_key_id == *canonical_key_id(pki.slot_key.get(), "test key"));

    // Another anchor: the chain does not verify.
    Pki other;
    auto wrong = piv::verify_attestation_bundle(pem, "statement", {der_of(other.root.get())}, {});
    REQUIRE_FALSE(wrong.ok());
    CHECK(wrong.error().code == ErrorCode::PolicyViolation);
    // No anchor at all is malformed input, not a pass.
    auto none = piv::verify_attestation_bundle(pem, "statement", {}, {});
    REQUIRE_FALSE(none.ok());
    CHECK(none.error().code == ErrorCode::InvalidInput);
    // The f9 certificate as an anchor would skip the root: it is not self-signed, so it fails.
    auto f9_anchor = piv::verify_attestation_bundle(pem, "statement", {der_of(pki.f9.get())}, {});
    CHECK_FALSE(f9_anchor.ok());
}
