// The PKCS#11 layer against a real SoftHSM2 token created per test case (no mocks).

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <openssl/ecdsa.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>

#include "core/digest.hpp"
#include "pkcs11/key.hpp"
#include "pkcs11/signer.hpp"
#include "pkcs11/uri.hpp"
#include "softhsm_token.hpp"

using namespace otasign;
using namespace otasign::pkcs11;
using otasign::test::ScriptedUi;
using otasign::test::SoftHsmToken;

namespace {

const KeyOptions kSoftHsm{otasign::test::kSoftHsmModule};

KeyHandle open_ok(std::string_view uri, const KeyOptions& options = kSoftHsm) {
    auto key = open_key(uri, options);
    if (!key.ok()) FAIL("open_key(" << uri << "): " << key.error().detail);
    return std::move(key).value();
}

// Verifies with OpenSSL alone (EVP_DigestVerify over the message, public key re-read from its
// PEM), independently of the signer's own check.
bool openssl_verifies(const std::string& pem, const std::string& message, const SignResult& r) {
    ossl::Ptr<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    ossl::Ptr<EVP_PKEY> key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
    REQUIRE(key);
    ossl::Ptr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;
    const EVP_MD* md = r.algorithm == "ecdsa-p384-sha384" ? EVP_sha384() : EVP_sha256();
    REQUIRE(EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, key.get()) == 1);
    if (r.algorithm == "rsa-pss-sha256") {
        REQUIRE(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1);
        REQUIRE(EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) == 1);
        REQUIRE(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) == 1);
    }
    return EVP_DigestVerify(ctx.get(), r.signature.data(), r.signature.size(),
                            reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
}

SignResult sign_ok(KeyHandle& key, const std::string& message, ScriptedUi& ui, const SignOptions& options = {}) {
    auto r = sign(key, message, options, ui);
    if (!r.ok()) FAIL("sign: " << r.error().detail);
    return std::move(r).value();
}

CK_FLAGS token_flags(KeyHandle& key) {
    auto info = key.refresh_token_info();
    REQUIRE(info.ok());
    return info->flags;
}

}  // namespace

// ---- URIs --------------------------------------------------------------------------------

TEST_CASE("URI: a key is selected by object label, by id, by token plus type, by serial") {
    SoftHsmToken token;
    CHECK(open_ok("pkcs11:object=p256").info().label == "p256");
    CHECK(open_ok("pkcs11:id=%02").info().label == "p384");
    CHECK(open_ok("pkcs11:token=otasign-test;object=rsa2048;type=private").info().key_type == "RSA 2048");
    auto p256 = open_ok("pkcs11:object=p256");
    std::string serial = p256.info().token.serial;
    REQUIRE_FALSE(serial.empty());
    CHECK(open_ok("pkcs11:serial=" + serial + ";id=%01").info().label == "p256");
    CHECK(open_ok("pkcs11:manufacturer=SoftHSM%20project;model=SoftHSM%20v2;object=p384").info().key_type == "EC P-384");
    // The URI a key reports selects that same key.
    auto again = open_ok(p256.info().uri);
    CHECK(again.key_id() == p256.key_id());
}

TEST_CASE("URI: a token or serial that does not match selects nothing") {
    SoftHsmToken token;
    auto wrong_token = open_key("pkcs11:token=other;object=p256", kSoftHsm);
    REQUIRE_FALSE(wrong_token.ok());
    CHECK(wrong_token.error().code == ErrorCode::TokenNotFound);
    CHECK(wrong_token.error().detail.find("otasign-test") != std::string::npos);  // lists the tokens seen
    auto wrong_serial = open_key("pkcs11:serial=0000;object=p256", kSoftHsm);
    REQUIRE_FALSE(wrong_serial.ok());
    CHECK(wrong_serial.error().code == ErrorCode::TokenNotFound);
    auto wrong_id = open_key("pkcs11:id=%7f", kSoftHsm);
    REQUIRE_FALSE(wrong_id.ok());
    CHECK(wrong_id.error().code == ErrorCode::TokenNotFound);
}

TEST_CASE("URI: module-path in the URI loads that module; --module overrides it") {
    SoftHsmToken token;
    auto key = open_key("pkcs11:object=p256?module-path=/usr/lib/softhsm/libsofthsm2.so", KeyOptions{});
    REQUIRE(key.ok());
    CHECK(key->info().token.module_path == "/usr/lib/softhsm/libsofthsm2.so");
    auto bad = open_key("pkcs11:object=p256?module-path=/nonexistent/module.so", KeyOptions{});
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().code == ErrorCode::TokenNotFound);
    CHECK(bad.error().detail.find("/nonexistent/module.so") != std::string::npos);
    auto overridden = open_key("pkcs11:object=p256?module-path=/nonexistent/module.so", kSoftHsm);
    CHECK(overridden.ok());
}

TEST_CASE("URI: without a module, p11-kit's proxy reaches the registered SoftHSM module") {
    SoftHsmToken token;
    auto key = open_key("pkcs11:token=otasign-test;object=p384", KeyOptions{});
    REQUIRE(key.ok());
    CHECK(key->info().token.module_path == default_module_path());
    CHECK(key->info().key_type == "EC P-384");
}

TEST_CASE("URI: pin-source is taken from the URI") {
    SoftHsmToken token;
    auto pin_file = token.dir() / "pin";
    { std::ofstream(pin_file) << "123456\n"; }
    ::chmod(pin_file.c_str(), 0600);
    auto key = open_ok("pkcs11:object=p256?pin-source=file:" + pin_file.string());
    REQUIRE(key.uri_pin_source().has_value());
    ScriptedUi ui;
    auto r = sign_ok(key, "message", ui);
    CHECK(ui.secret_requests == 0);
    CHECK(r.algorithm == "ecdsa-p256-sha256");
}

TEST_CASE("URI: malformed URIs, unknown attributes, pin-value, module-name and non-private types are refused") {
    for (const char* text : {"object=p256", "pkcs11:object=p256;objct=x", "pkcs11:object=p256?pin-value=123456",
                             "pkcs11:object=p256?module-name=softhsm2", "pkcs11:object=p256;type=public",
                             "pkcs11:object=p256;type=cert", "pkcs11:id=%zz"}) {
        CAPTURE(text);
        auto uri = KeyUri::parse(text);
        REQUIRE_FALSE(uri.ok());
        CHECK(uri.error().code == ErrorCode::Usage);
    }
    CHECK(KeyUri::parse("pkcs11:").ok());
    CHECK(KeyUri::parse("pkcs11:token=a;object=b;id=%01;type=private?pin-source=fd:3&module-path=/x.so").ok());
}

// ---- zero, one, several ------------------------------------------------------------------

TEST_CASE("several matching keys are refused as ambiguous, each candidate listed") {
    SoftHsmToken token;
    auto r = open_key("pkcs11:token=otasign-test", kSoftHsm);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::AmbiguousKey);
    for (const char* needle : {"4 private keys", "'p256'", "'p384'", "'p256-auth'", "'rsa2048'", "id 01", "id 04",
                               "EC P-384", "RSA 2048", "serial ", "id=%01;type=private", "type=private"})
        CHECK_THAT(r.error().detail, Catch::Contains(needle));
    CHECK_FALSE(r.error().hint.empty());
}

TEST_CASE("the same label on two tokens is ambiguous; the token attribute settles it") {
    SoftHsmToken token("softhsm_token_add second; SOFTHSM_LABEL=second softhsm_keygen p256 01 EC:secp256r1");
    auto r = open_key("pkcs11:object=p256", kSoftHsm);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::AmbiguousKey);
    CHECK_THAT(r.error().detail, Catch::Contains("'second'") && Catch::Contains("'otasign-test'"));
    CHECK(open_ok("pkcs11:token=second;object=p256").info().token.label == "second");
    auto keys = list_keys("pkcs11:", kSoftHsm);
    REQUIRE(keys.ok());
    CHECK(keys->size() == 5);
}

TEST_CASE("no matching key is TokenNotFound naming the URI") {
    SoftHsmToken token;
    auto r = open_key("pkcs11:object=missing", kSoftHsm);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::TokenNotFound);
    CHECK_THAT(r.error().detail, Catch::Contains("pkcs11:object=missing"));
}

// ---- signing -------------------------------------------------------------------------------

TEST_CASE("P-256, P-384 and RSA-PSS signatures verify with OpenSSL") {
    SoftHsmToken token;
    const std::string message = R"({"canonical":"manifest","version":1})";
    struct Case { const char* uri; const char* algorithm; std::size_t digest; };
    for (const Case& c : {Case{"pkcs11:object=p256", "ecdsa-p256-sha256", 32},
                          Case{"pkcs11:object=p384", "ecdsa-p384-sha384", 48},
                          Case{"pkcs11:object=rsa2048", "rsa-pss-sha256", 32}}) {
        CAPTURE(c.uri);
        auto key = open_ok(c.uri);
        ScriptedUi ui;
        ui.secrets = {"123456"};
        SignResult r = sign_ok(key, message, ui);
        CHECK(r.algorithm == c.algorithm);
        CHECK(r.digest.size() == c.digest);
        CHECK(r.key_id == key.key_id());
        CHECK(r.pin_before.state == pkcs11::PinState::ok);
        CHECK(ui.secret_requests == 1);
        auto pem = key.spki_pem();
        REQUIRE(pem.ok());
        CHECK(openssl_verifies(*pem, message, r));
        CHECK_FALSE(openssl_verifies(*pem, message + " ", r));  // the check can fail
        // A second signature on the same handle needs no second PIN.
        SignResult again = sign_ok(key, "other", ui);
        CHECK(ui.secret_requests == 1);
        CHECK(openssl_verifies(*pem, "other", again));
        CHECK(r.token.serial == key.info().token.serial);
        CHECK(r.token.manufacturer == "SoftHSM project");
        CHECK(r.token.model == "SoftHSM v2");
        CHECK(r.token.firmware_version == "2.6");
        CHECK_FALSE(r.token.slot_description.empty());
        auto flags = r.token.flag_names();
        CHECK(std::find(flags.begin(), flags.end(), "login-required") != flags.end());
    }
}

TEST_CASE("an always-authenticate key gets a context-specific login between C_SignInit and C_Sign") {
    SoftHsmToken token;
    auto key = open_ok("pkcs11:object=p256-auth");
    ScriptedUi ui;
    ui.secrets = {"123456", "123456"};
    SignResult first = sign_ok(key, "first", ui);
    CHECK(ui.secret_requests == 1);  // the user PIN is reused for the context login of the same call
    SignResult second = sign_ok(key, "second", ui);
    CHECK(ui.secret_requests == 2);  // each further signature asks again
    auto pem = key.spki_pem();
    REQUIRE(pem.ok());
    CHECK(openssl_verifies(*pem, "first", first));
    CHECK(openssl_verifies(*pem, "second", second));
    // A wrong PIN at the context login is PinIncorrect, not a retry.
    ui.secrets = {"999999", "123456"};
    auto wrong = sign(key, "third", {}, ui);
    REQUIRE_FALSE(wrong.ok());
    CHECK(wrong.error().code == ErrorCode::PinIncorrect);
    CHECK(ui.secret_requests == 3);
    // The failed attempt left no signing operation behind: the next signature works.
    ui.secrets = {"123456"};
    SignResult fourth = sign_ok(key, "fourth", ui);
    CHECK(openssl_verifies(*pem, "fourth", fourth));
}

TEST_CASE("a wrong PIN is PinIncorrect at once, never retried, and costs exactly one try") {
    SoftHsmToken token;
    auto key = open_ok("pkcs11:object=p256");
    CHECK_FALSE(token_flags(key) & CKF_USER_PIN_COUNT_LOW);
    ScriptedUi ui;
    ui.secrets = {"000000", "123456"};  // a retry would find the right PIN: it must not happen
    auto r = sign(key, "message", {}, ui);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::PinIncorrect);
    CHECK(ui.secret_requests == 1);
    CHECK(ui.secrets.size() == 1);
    // SoftHSM counts failed logins and sets CKF_USER_PIN_COUNT_LOW after the first; the error
    // reports the flags as read after the attempt.
    CHECK(token_flags(key) & CKF_USER_PIN_COUNT_LOW);
    CHECK_THAT(r.error().detail, Catch::Contains("PIN status now: low") && Catch::Contains("CKR_PIN_INCORRECT"));

    // The next signature warns about the low count before asking, then succeeds.
    auto fresh = open_ok("pkcs11:object=p256");
    ScriptedUi ui2;
    ui2.secrets = {"123456"};
    SignResult ok = sign_ok(fresh, "message", ui2);
    CHECK(ok.pin_before.state == pkcs11::PinState::low);
    CHECK(ui2.displayed("few PIN tries left"));
    REQUIRE(ui2.events.size() >= 2);
    CHECK(ui2.events[0].starts_with("display:"));  // the warning comes before the PIN prompt
    CHECK(ui2.events[1].starts_with("secret:"));
}

TEST_CASE("PIN flags: locked refuses, final try refuses unless allowed, low passes") {
    // SoftHSM 2.6 never sets CKF_USER_PIN_FINAL_TRY or CKF_USER_PIN_LOCKED (it only counts
    // failures into CKF_USER_PIN_COUNT_LOW), so these flag values cannot come from a real
    // token here; the gate the signer calls is a function of the flags alone.
    auto locked = check_pin_flags(CKF_LOGIN_REQUIRED | CKF_USER_PIN_LOCKED, AllowFinalPinTry::yes);
    REQUIRE_FALSE(locked.ok());
    CHECK(locked.error().code == ErrorCode::PinLocked);
    auto final_try = check_pin_flags(CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_COUNT_LOW, AllowFinalPinTry::no);
    REQUIRE_FALSE(final_try.ok());
    CHECK(final_try.error().code == ErrorCode::PinFinalTry);
    CHECK(check_pin_flags(CKF_USER_PIN_FINAL_TRY, AllowFinalPinTry::yes).ok());
    CHECK(check_pin_flags(CKF_USER_PIN_COUNT_LOW, AllowFinalPinTry::no).ok());
    CHECK(check_pin_flags(0, AllowFinalPinTry::no).ok());
    CHECK(pin_status_from_flags(0).state == PinState::ok);
    CHECK(pin_status_from_flags(CKF_USER_PIN_COUNT_LOW).state == PinState::low);
    CHECK(pin_status_from_flags(CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY).state ==
          PinState::final_try);
    CHECK(pin_status_from_flags(CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_LOCKED).state ==
          PinState::locked);
    // The names printed and signed (approval.pinStatus) stay as they were.
    CHECK(std::string(pin_state_name(PinState::ok)) == "ok");
    CHECK(std::string(pin_state_name(PinState::low)) == "low");
    CHECK(std::string(pin_state_name(PinState::final_try)) == "final-try");
    CHECK(std::string(pin_state_name(PinState::locked)) == "locked");
    CHECK_FALSE(pin_status_from_flags(CKF_USER_PIN_LOCKED).retries_left.has_value());
}

TEST_CASE("the exact retry count a lower layer supplies is reported with the PIN status") {
    SoftHsmToken token;
    auto key = open_ok("pkcs11:object=p256");
    ScriptedUi ui;
    ui.secrets = {"123456"};
    SignOptions options;
    options.pin_retries_left = 3;
    SignResult r = sign_ok(key, "m", ui, options);
    CHECK(r.pin_before.state == pkcs11::PinState::ok);
    REQUIRE(r.pin_before.retries_left.has_value());
    CHECK(*r.pin_before.retries_left == 3);
}

TEST_CASE("a key that needs a touch is announced right around C_Sign") {
    SoftHsmToken token;
    auto key = open_ok("pkcs11:object=p384");
    ScriptedUi ui;
    ui.secrets = {"123456"};
    SignOptions options;
    options.touch = TouchPolicy::required;
    sign_ok(key, "m", ui, options);
    REQUIRE(ui.events.size() == 3);
    CHECK(ui.events[0].starts_with("secret:"));
    CHECK(ui.events[1] == "wait_begin:Touch the key now");
    CHECK(ui.events[2] == "wait_done");
}

// ---- PIN sources ---------------------------------------------------------------------------

TEST_CASE("PIN from fd:N reads one line and nothing more") {
    SoftHsmToken token;
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const char text[] = "123456\nrest";
    REQUIRE(::write(fds[1], text, sizeof text - 1) == static_cast<ssize_t>(sizeof text - 1));
    ::close(fds[1]);
    auto source = PinSource::parse("fd:" + std::to_string(fds[0]));
    REQUIRE(source.ok());
    auto key = open_ok("pkcs11:object=p256");
    ScriptedUi ui;
    SignOptions options;
    options.pin_source = *source;
    sign_ok(key, "m", ui, options);
    CHECK(ui.secret_requests == 0);
    char rest[8] = {};
    CHECK(::read(fds[0], rest, sizeof rest) == 4);
    CHECK(std::string(rest, 4) == "rest");
    ::close(fds[0]);
}

TEST_CASE("PIN from file: is used when private, warned about when group-readable, refused when world-readable") {
    SoftHsmToken token;
    auto pin_file = token.dir() / "pin file";
    { std::ofstream(pin_file) << "123456\r\nignored\n"; }
    ::chmod(pin_file.c_str(), 0600);
    for (std::string spec : {"file:" + pin_file.string(), "file://" + (token.dir() / "pin%20file").string()}) {
        CAPTURE(spec);
        auto source = PinSource::parse(spec);
        REQUIRE(source.ok());
        auto key = open_ok("pkcs11:object=p256");
        ScriptedUi ui;
        SignOptions options;
        options.pin_source = *source;
        sign_ok(key, "m", ui, options);
        CHECK(ui.secret_requests == 0);
        CHECK(ui.events.empty());
    }
    ::chmod(pin_file.c_str(), 0640);
    {
        ScriptedUi ui;
        auto pin = PinSource::parse("file:" + pin_file.string())->read(ui);
        REQUIRE(pin.ok());
        CHECK(pin->size() == 6);
        CHECK(ui.displayed("readable by its group"));
    }
    ::chmod(pin_file.c_str(), 0644);
    {
        ScriptedUi ui;
        auto pin = PinSource::parse("file:" + pin_file.string())->read(ui);
        REQUIRE_FALSE(pin.ok());
        CHECK(pin.error().code == ErrorCode::InvalidInput);
        CHECK_THAT(pin.error().hint, Catch::Contains("chmod 600"));
    }
}

TEST_CASE("PIN source specs other than fd:N and file: are refused") {
    for (const char* spec : {"", "fd:", "fd:-1", "fd:3x", "env:PIN", "123456", "file:", "file://otherhost/pin", "file:%zz"}) {
        CAPTURE(spec);
        auto s = PinSource::parse(spec);
        REQUIRE_FALSE(s.ok());
        CHECK(s.error().code == ErrorCode::Usage);
    }
}

TEST_CASE("an empty PIN and an operator who declines are errors, not logins") {
    SoftHsmToken token;
    auto key = open_ok("pkcs11:object=p256");
    ScriptedUi ui;  // no PINs queued: the operator declines
    auto r = sign(key, "m", {}, ui);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::Declined);
    CHECK_FALSE(token_flags(key) & CKF_USER_PIN_COUNT_LOW);  // no login was attempted
}

// ---- export and the DER loop ---------------------------------------------------------------

TEST_CASE("the exported public key equals the token's public key object") {
    SoftHsmToken token;
    // pkcs11-tool writes P-256 and RSA public keys as SubjectPublicKeyInfo DER.
    for (const char* id : {"01", "04"}) {
        CAPTURE(id);
        auto key = open_ok(std::string("pkcs11:id=%") + id);
        auto pem = key.spki_pem();
        REQUIRE(pem.ok());
        std::string expected = token.shell_output(
            std::string("pkcs11-tool --module \"$SOFTHSM_MODULE\" --read-object --type pubkey --id ") + id +
            " 2>/dev/null | openssl pkey -pubin -inform DER -outform PEM");
        REQUIRE_FALSE(expected.empty());
        CHECK(*pem == expected);
        CHECK(key.key_id() == sha256_hex(key.spki_der()));
    }
    // OpenSC 0.23 cannot export a P-384 public key ("cannot create EVP_PKEY"); its listing
    // shows CKA_EC_POINT, which must be the DER OCTET STRING of our key's point.
    auto p384 = open_ok("pkcs11:id=%02");
    unsigned char point[200];
    std::size_t len = 0;
    REQUIRE(EVP_PKEY_get_octet_string_param(p384.public_key(), "pub", point, sizeof point, &len) == 1);
    REQUIRE(len == 97);
    std::string listed = token.shell_output(
        "pkcs11-tool --module \"$SOFTHSM_MODULE\" --list-objects --type pubkey --id 02 2>/dev/null"
        " | sed -n 's/^ *EC_POINT: *//p' | grep '^0461'");
    CHECK(listed == "0461" + to_hex(point, len) + "\n");
}

TEST_CASE("10000 P-256 signatures through the raw-to-DER conversion all verify") {
    SoftHsmToken token;
    auto key = open_ok("pkcs11:object=p256");
    auto pem = key.spki_pem();
    REQUIRE(pem.ok());
    ScriptedUi ui;
    ui.secrets = {"123456"};
    int failures = 0, short_r_or_s = 0;
    auto started = std::chrono::steady_clock::now();
    for (int i = 0; i < 10000; ++i) {
        std::string message = "manifest " + std::to_string(i);
        auto r = sign(key, message, {}, ui);
        if (!r.ok() || !openssl_verifies(*pem, message, *r)) {
            ++failures;
            continue;
        }
        // An r or s shorter than 32 bytes arrives from the token with a leading zero byte: the
        // case a split at the first nonzero byte gets wrong.
        const unsigned char* p = r->signature.data();
        ossl::Ptr<ECDSA_SIG> sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(r->signature.size())));
        REQUIRE(sig);
        if (BN_num_bytes(ECDSA_SIG_get0_r(sig.get())) < 32 || BN_num_bytes(ECDSA_SIG_get0_s(sig.get())) < 32)
            ++short_r_or_s;
    }
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
    WARN("10000 P-256 signatures in " << ms << " ms; " << short_r_or_s << " had an r or s shorter than 32 bytes");
    CHECK(failures == 0);
    CHECK(short_r_or_s > 0);
}
