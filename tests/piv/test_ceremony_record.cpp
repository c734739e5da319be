// Ceremony records on the strict path (issue 9): read strictly and against their schema, every
// signature verified over the PAE with the record's own payload type before the payload is read,
// and the ceremony log on the evidence log's chain. Keys are made with OpenSSL here, so no card
// is needed.
#include <openssl/x509.h>

#include <catch2/catch.hpp>

#include "core/digest.hpp"
#include "envelope/pae.hpp"
#include "envelope/testkeys.hpp"
#include "piv/ceremony.hpp"

using namespace otasign;
using namespace otasign::piv;

namespace {

std::vector<std::uint8_t> spki_of(const test::TestKey& key) {
    unsigned char* der = nullptr;
    int n = i2d_PUBKEY(key.priv.get(), &der);
    std::vector<std::uint8_t> out(der, der + n);
    OPENSSL_free(der);
    return out;
}

CeremonyFacts facts_for(const test::TestKey& key) {
    CeremonyFacts f;
    f.created = "2026-12-01T10:00:00Z";
    f.operator_name = "alice";
    f.witness_name = "bob";
    f.location = "vault";
    f.attestation.slot = "9c";
    f.attestation.algorithm = "ECCP256";
    f.attestation.public_key_id = key.pub.key_id;
    f.attestation.spki_der = spki_of(key);
    f.attestation.pin_policy = "always";
    f.attestation.touch_policy = "always";
    f.attestation_pem = "-----BEGIN CERTIFICATE-----\n...\n";
    return f;
}

std::string record_over(const test::TestKey& key, const std::string& payload,
                        const std::string& signed_bytes) {
    std::string sig = *key.sign(signed_bytes);
    CeremonySignature s{"ceremony-key", key.pub.key_id, "ecdsa-p256-sha256", spki_of(key),
                        std::vector<std::uint8_t>(sig.begin(), sig.end())};
    return ceremony_record(payload, {s});
}

void replace_once(std::string& s, const std::string& from, const std::string& to) {
    auto pos = s.find(from);
    REQUIRE(pos != std::string::npos);
    s.replace(pos, from.size(), to);
}

}  // namespace

TEST_CASE("ceremony record: signed over its PAE, verified, payload read strictly", "[ceremony]") {
    auto key = test::make_key();
    std::string payload = ceremony_payload(facts_for(key));
    auto v = verify_ceremony_record(record_over(key, payload, ceremony_pae(payload)), "rec.json");
    REQUIRE(v.ok());
    CHECK_FALSE(v->legacy);
    CHECK(v->ceremony_key_id == key.pub.key_id);
    CHECK(v->payload_json["operator"] == "alice");
    CHECK(ceremony_pae(payload).rfind("DSSEv1 " + std::to_string(kCeremonyPayloadType.size()) +
                                          " " + std::string(kCeremonyPayloadType),
                                      0) == 0);
}

TEST_CASE("ceremony record attack: duplicate keys in the record are refused",
          "[ceremony][attack]") {
    auto key = test::make_key();
    std::string payload = ceremony_payload(facts_for(key));
    std::string record = record_over(key, payload, ceremony_pae(payload));
    replace_once(record, "{", "{\"signatures\": [],");
    auto v = verify_ceremony_record(record, "rec.json");
    REQUIRE_FALSE(v.ok());
    CHECK(v.error().code == ErrorCode::InvalidInput);
    CHECK(v.error().detail.find("rec.json:") != std::string::npos);
    CHECK(v.error().detail.find("duplicate") != std::string::npos);
}

TEST_CASE("ceremony record attack: a validly signed payload with a duplicate key is refused",
          "[ceremony][attack]") {
    auto key = test::make_key();
    std::string payload = ceremony_payload(facts_for(key));
    replace_once(payload, "{", "{\"operator\":\"mallory\",");
    auto v = verify_ceremony_record(record_over(key, payload, ceremony_pae(payload)), "rec.json");
    REQUIRE_FALSE(v.ok());
    CHECK(v.error().code == ErrorCode::InvalidInput);
    CHECK(v.error().detail.find("(payload)") != std::string::npos);
}

TEST_CASE("ceremony record attack: the signature is checked before the payload is read",
          "[ceremony][attack]") {
    auto key = test::make_key();
    std::string garbage = "{\"operator\": not json";
    auto v = verify_ceremony_record(record_over(key, garbage, "other bytes"), "rec.json");
    REQUIRE_FALSE(v.ok());
    CHECK(v.error().code == ErrorCode::BadSignature);
}

TEST_CASE("ceremony record attack: a signature over the bare payload or another type's PAE fails",
          "[ceremony][attack]") {
    auto key = test::make_key();
    std::string payload = ceremony_payload(facts_for(key));
    for (const std::string& signed_bytes :
         {payload, envelope::pae(envelope::kStatementPayloadType, payload)}) {
        auto v = verify_ceremony_record(record_over(key, payload, signed_bytes), "rec.json");
        REQUIRE_FALSE(v.ok());
        CHECK(v.error().code == ErrorCode::BadSignature);
    }
}

TEST_CASE("ceremony record: a legacy record (bare payload signature) still verifies",
          "[ceremony]") {
    auto key = test::make_key();
    std::string payload = ceremony_payload(facts_for(key));
    std::string record = record_over(key, payload, payload);
    replace_once(record, std::string(kCeremonyPayloadType),
                 std::string(kLegacyCeremonyPayloadType));
    auto v = verify_ceremony_record(record, "rec.json");
    REQUIRE(v.ok());
    CHECK(v->legacy);
}

TEST_CASE("ceremony record attack: the schema is enforced on record and payload",
          "[ceremony][attack]") {
    auto key = test::make_key();
    std::string payload = ceremony_payload(facts_for(key));
    SECTION("unknown member in the record") {
        std::string record = record_over(key, payload, ceremony_pae(payload));
        replace_once(record, "{", "{\"extra\": 1,");
        auto v = verify_ceremony_record(record, "rec.json");
        REQUIRE_FALSE(v.ok());
        CHECK(v.error().detail.find("schema violation") != std::string::npos);
    }
    SECTION("validly signed payload without a witness") {
        json::Value p = json::Value::parse(payload);
        p.erase("witness");
        std::string bad = json::Value(p).dump();  // sorted and compact: canonical here
        auto v = verify_ceremony_record(record_over(key, bad, ceremony_pae(bad)), "rec.json");
        REQUIRE_FALSE(v.ok());
        CHECK(v.error().code == ErrorCode::InvalidInput);
        CHECK(v.error().detail.find("schema violation") != std::string::npos);
    }
    SECTION("validly signed payload naming another key") {
        auto other = test::make_key();
        auto v =
            verify_ceremony_record(record_over(other, payload, ceremony_pae(payload)), "rec.json");
        REQUIRE_FALSE(v.ok());
        CHECK(v.error().code == ErrorCode::BadSignature);
    }
}

TEST_CASE("ceremony log: the evidence log's chain, read strictly", "[ceremony][attack]") {
    auto one = append_ceremony_log("", "c.log", "2026-12-01T10:00:00Z", "r1.json", "record one",
                                   std::string(64, 'a'), 7);
    REQUIRE(one.ok());
    auto two = append_ceremony_log(*one, "c.log", "2026-12-01T11:00:00Z", "r2.json", "record two",
                                   std::string(64, 'b'), 7);
    REQUIRE(two.ok());
    CHECK(*check_ceremony_log(*two, "c.log") == 2);
    CHECK(two->find("\"prev\":\"" + sha256_hex(one->substr(0, one->size() - 1)) + "\"") !=
          std::string::npos);
    SECTION("a duplicate key is refused") {
        std::string t = *two;
        replace_once(t, "{", "{\"serial\":9,");
        CHECK_FALSE(check_ceremony_log(t, "c.log").ok());
    }
    SECTION("an edited line breaks the chain") {
        std::string t = *two;
        replace_once(t, "\"serial\":7", "\"serial\":1");
        auto r = check_ceremony_log(t, "c.log");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == ErrorCode::BadSignature);
    }
    SECTION("an unknown member is a schema violation") {
        std::string t = *one;
        replace_once(t, "{", "{\"aaa\":1,");
        CHECK_FALSE(check_ceremony_log(t, "c.log").ok());
    }
}

// SIGNATURE-FORMAT.md section 8: a witness countersigns with any otasign key, and every
// signature is verified under the algorithm section 2 derives from its key (RSA: RSASSA-PSS).
TEST_CASE("ceremony record: witnesses with P-384 and RSA keys verify under their key's algorithm",
          "[ceremony]") {
    auto key = test::make_key();
    std::string payload = ceremony_payload(facts_for(key));
    const std::string pae = ceremony_pae(payload);
    for (auto* kind : {"P-384", "RSA"}) {
        auto witness =
            std::string(kind) == "RSA" ? test::make_key("RSA") : test::make_key("EC", kind);
        std::string own = *key.sign(pae), theirs = *witness.sign(pae);
        std::vector<CeremonySignature> sigs{
            {"ceremony-key", key.pub.key_id, "ecdsa-p256-sha256", spki_of(key),
             std::vector<std::uint8_t>(own.begin(), own.end())},
            {"witness", witness.pub.key_id, envelope::sig_alg_name(witness.pub.alg),
             spki_of(witness), std::vector<std::uint8_t>(theirs.begin(), theirs.end())}};
        auto v = verify_ceremony_record(ceremony_record(payload, sigs), "rec.json");
        INFO(kind << ": " << (v.ok() ? std::string() : v.error().detail));
        CHECK(v.ok());
    }
}

TEST_CASE("ceremony record attack: base64 with non-zero padding bits is refused",
          "[ceremony][attack]") {
    auto key = test::make_key();
    CeremonyFacts f = facts_for(key);
    std::string payload = ceremony_payload(f);
    while (payload.size() % 3 != 1) {  // two '=': four unused bits in the last character
        f.notes += "x";
        payload = ceremony_payload(f);
    }
    std::string record = record_over(key, payload, ceremony_pae(payload));
    REQUIRE(verify_ceremony_record(record, "rec.json").ok());
    const std::string good = piv::base64(std::vector<std::uint8_t>(payload.begin(), payload.end()));
    REQUIRE(good.substr(good.size() - 2) == "==");
    std::string bad = good;
    const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    bad[bad.size() - 3] = alphabet[alphabet.find(bad[bad.size() - 3]) | 1];
    REQUIRE(bad != good);
    replace_once(record, good, bad);
    auto v = verify_ceremony_record(record, "rec.json");
    REQUIRE_FALSE(v.ok());
    CHECK(v.error().code == ErrorCode::InvalidInput);
}

TEST_CASE("ceremony record attack: payload key.spki must be the key that signed (key.key_id)",
          "[ceremony][attack]") {
    auto key = test::make_key();
    auto other = test::make_key();
    CeremonyFacts f = facts_for(key);
    f.attestation.spki_der = spki_of(other);
    std::string payload = ceremony_payload(f);
    auto v = verify_ceremony_record(record_over(key, payload, ceremony_pae(payload)), "rec.json");
    REQUIRE_FALSE(v.ok());
    CHECK(v.error().code == ErrorCode::BadSignature);
}

TEST_CASE("ceremony log attack: verify-record finds the record in the log, not only a chain",
          "[ceremony][attack]") {
    auto one = append_ceremony_log("", "c.log", "2026-12-01T10:00:00Z", "r1.json", "record one",
                                   std::string(64, 'a'), 7);
    REQUIRE(one.ok());
    CHECK(*check_record_logged(*one, "c.log", "record one", "r1.json") == 1);
    auto other = check_record_logged(*one, "c.log", "record two", "r2.json");
    REQUIRE_FALSE(other.ok());
    CHECK(other.error().code == ErrorCode::PolicyViolation);
}
