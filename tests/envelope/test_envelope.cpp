#include <catch2/catch.hpp>

#include "core/digest.hpp"
#include "envelope/bundle.hpp"
#include "envelope/evidence_log.hpp"
#include "envelope/pae.hpp"
#include "envelope/testkeys.hpp"
#include "json/canonical.hpp"

using namespace otasign;
using namespace otasign::envelope;

namespace {

Statement sample_statement(const PublicKey& key, std::string manifest_sha = std::string(64, 'a')) {
    Statement s;
    s.manifest_sha256 = std::move(manifest_sha);
    s.manifest_size = 1234;
    s.release_id = "fw-2026.11";
    s.release_version = "2.0.0";
    s.release_channel = "stable";
    s.previous_sha256 = std::string(64, 'b');
    s.shown_text_sha256 = std::string(64, 'c');
    s.shown_diff_sha256 = std::string(64, 'd');
    s.key_id = key.key_id;
    s.algorithm = sig_alg_name(key.alg);
    s.approval.operator_name = "alice";
    s.approval.time = "2026-11-23T19:00:00Z";
    s.approval.method = ApprovalMethod::approve_flag;
    s.approval.token = {"SoftHSM project", "SoftHSM v2", "0123456789abcdef", "otasign-test"};
    s.approval.key_label = "p256";
    s.approval.pin_status = "ok";
    s.approval.tool = "otasign 0.1.0";
    s.approval.host = "signing-host";
    return s;
}

}  // namespace

TEST_CASE("pae follows DSSE v1 byte for byte", "[pae]") {
    CHECK(pae("", "") == "DSSEv1 0  0 ");
    CHECK(pae("http://example.com/HelloWorld", "hello world") ==
          "DSSEv1 29 http://example.com/HelloWorld 11 hello world");
    // Lengths count bytes, not characters.
    CHECK(pae("t", "\xc3\xa9") == "DSSEv1 1 t 2 \xc3\xa9");
}

TEST_CASE("statement bytes are RFC 8785 and round-trip", "[statement]") {
    auto key = test::make_key();
    Statement s = sample_statement(key.pub);
    std::string bytes = statement_bytes(s);
    CHECK(bytes.find('\n') == std::string::npos);
    CHECK(bytes.rfind("{\"approval\":{", 0) == 0);  // members sorted
    auto parsed = parse_statement(bytes, "stmt");
    REQUIRE(parsed.ok());
    CHECK(statement_bytes(*parsed) == bytes);
    CHECK(parsed->approval.operator_name == "alice");
    CHECK(parsed->previous_sha256 == std::string(64, 'b'));
}

TEST_CASE("statement: non-canonical bytes are refused", "[statement]") {
    auto key = test::make_key();
    std::string bytes = statement_bytes(sample_statement(key.pub));
    std::string spaced = bytes;
    spaced.insert(1, " ");
    auto r = parse_statement(spaced, "stmt");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::InvalidInput);
    CHECK(r.error().detail.find("canonical") != std::string::npos);
}

TEST_CASE("statement: unknown member is a schema violation with pointer", "[statement]") {
    auto key = test::make_key();
    json::Value v = statement_to_json(sample_statement(key.pub));
    v["approval"]["extra"] = 1;
    auto r = parse_statement(json::canonicalize(v), "stmt");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().detail.find("/approval") != std::string::npos);
}

TEST_CASE("sign then open an entry, for each algorithm", "[bundle]") {
    for (auto [type, curve] :
         {std::pair{"EC", "P-256"}, std::pair{"EC", "P-384"}, std::pair{"RSA", ""}}) {
        auto key = test::make_key(type, curve);
        auto e = make_entry(sample_statement(key.pub), key.pub, key.signer());
        REQUIRE(e.ok());
        auto st = open_entry(*e, key.pub, "b");
        REQUIRE(st.ok());
        CHECK(st->release_id == "fw-2026.11");
    }
}

TEST_CASE("tampered evidence breaks the signature", "[bundle][attack]") {
    auto key = test::make_key();
    auto e = make_entry(sample_statement(key.pub), key.pub, key.signer());
    REQUIRE(e.ok());
    auto tampered = *e;
    auto pos = tampered.payload.find("alice");
    tampered.payload.replace(pos, 5, "mallo");
    auto r = open_entry(tampered, key.pub, "b");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::BadSignature);
}

TEST_CASE("a signature by another key does not open", "[bundle][attack]") {
    auto key = test::make_key();
    auto other = test::make_key();
    auto e = make_entry(sample_statement(key.pub), key.pub, key.signer());
    REQUIRE(e.ok());
    CHECK(open_entry(*e, other.pub, "b").error().code == ErrorCode::BadSignature);
}

TEST_CASE("make_entry refuses a signature the key does not verify", "[bundle]") {
    auto key = test::make_key();
    auto other = test::make_key();
    auto e = make_entry(sample_statement(key.pub), key.pub, other.signer());
    REQUIRE_FALSE(e.ok());
    CHECK(e.error().code == ErrorCode::BadSignature);
}

TEST_CASE("bundle: serialize, parse, append keeps earlier bytes", "[bundle]") {
    auto a = test::make_key();
    auto b = test::make_key("EC", "P-384");
    Bundle bundle;
    bundle.signatures.push_back(*make_entry(sample_statement(a.pub), a.pub, a.signer()));
    std::string one = serialize_bundle(bundle);
    auto parsed = parse_bundle(one, "m.sig");
    REQUIRE(parsed.ok());
    CHECK(serialize_bundle(*parsed) == one);
    REQUIRE(check_cosign(*parsed, std::string(64, 'a'), b.pub, "m.sig").ok());
    parsed->signatures.push_back(*make_entry(sample_statement(b.pub), b.pub, b.signer()));
    std::string two = serialize_bundle(*parsed);
    const std::string tail = "\n]}\n";
    CHECK(two.compare(0, one.size() - tail.size(), one, 0, one.size() - tail.size()) == 0);
}

TEST_CASE("co-sign refusals", "[bundle]") {
    auto a = test::make_key();
    Bundle bundle;
    bundle.signatures.push_back(*make_entry(sample_statement(a.pub), a.pub, a.signer()));
    SECTION("same key twice") {
        auto r = check_cosign(bundle, std::string(64, 'a'), a.pub, "m.sig");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == ErrorCode::PolicyViolation);
        CHECK(r.error().detail.find("already by this key") != std::string::npos);
    }
    SECTION("another manifest") {
        auto b = test::make_key();
        auto r = check_cosign(bundle, std::string(64, 'e'), b.pub, "m.sig");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == ErrorCode::PolicyViolation);
        CHECK(r.error().detail.find("not this manifest") != std::string::npos);
    }
    SECTION("a keyid that is not the embedded key's (verify refuses it: 5a step 2)") {
        auto b = test::make_key();
        auto c = test::make_key();
        bundle.signatures[0].key_id = c.pub.key_id;
        auto r = check_cosign(bundle, std::string(64, 'a'), b.pub, "m.sig");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == ErrorCode::BadSignature);
        CHECK(r.error().detail.find("keyid") != std::string::npos);
    }
}

TEST_CASE("bundle parse errors name file, line:column and pointer", "[bundle]") {
    struct Case {
        const char* name;
        std::string text;
        std::string expect;
    };
    std::vector<Case> cases = {
        {"syntax", "{\"mediaType\":", "m.sig:1:"},
        {"duplicate key", "{\"signatures\":[],\"signatures\":[]}", "m.sig:1:"},
        {"no signatures",
         "{\"mediaType\":\"application/"
         "vnd.enigm.otasign.bundle+json;version=1\",\"signatures\":[]}",
         "/signatures"},
        {"wrong media type", "{\"mediaType\":\"x\",\"signatures\":[]}", "/mediaType"},
        {"bad base64",
         "{\"mediaType\":\"application/vnd.enigm.otasign.bundle+json;version=1\",\"signatures\":[\n"
         "{\"algorithm\":\"ecdsa-p256-sha256\",\"keyid\":\"" +
             std::string(64, '0') +
             "\",\"payload\":\"AAB=\",\"payloadType\":\"application/"
             "vnd.enigm.otasign.statement+json;version=1\","
             "\"publicKey\":\"-----BEGIN PUBLIC KEY-----\\nx\",\"sig\":\"AAAA\"}]}",
         "m.sig:2:"},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        auto r = parse_bundle(c.text, "m.sig");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == ErrorCode::InvalidInput);
        CHECK(r.error().detail.find(c.expect) != std::string::npos);
    }
}

TEST_CASE("base64 is strict", "[keys]") {
    CHECK(*base64_decode("aGVsbG8=") == "hello");
    CHECK(*base64_decode("") == "");
    CHECK_FALSE(base64_decode("aGVsbG8").ok());
    CHECK_FALSE(base64_decode("aGVsbG9=").ok());  // non-zero trailing bits
    CHECK_FALSE(base64_decode("aGVs\nbG8=").ok());
    CHECK_FALSE(base64_decode("a=VsbG8=").ok());
}

TEST_CASE("key id is the SHA-256 of the SPKI DER", "[keys]") {
    auto key = test::make_key();
    CHECK(key.pub.key_id == sha256_hex(key.pub.spki_der));
    auto again = public_key_from_pem(key.pub.pem, "pem");
    REQUIRE(again.ok());
    CHECK(again->key_id == key.pub.key_id);
    CHECK_FALSE(public_key_from_pem("not a key", "pem").ok());
}

namespace {
// A version-2 signature committing to the next position of `log`.
SignatureEntry evidence_for(const test::TestKey& key, const EvidenceLog& log,
                            std::string manifest_path = "release-2.json") {
    Statement st = sample_statement(key.pub);
    st.log = next_log_position(log, std::move(manifest_path), "release-2.json.sig");
    return *make_entry(st, key.pub, key.signer());
}
std::string append(const EvidenceLog& log, const SignatureEntry& e) {
    auto r = append_evidence(log, e);
    REQUIRE(r.ok());
    return *r;
}
}  // namespace

TEST_CASE("evidence chain: append, read back, detect tampering", "[evidence]") {
    auto a = test::make_key();
    auto b = test::make_key();
    auto empty = read_evidence_log("", "log");
    REQUIRE(empty.ok());
    CHECK(empty->next_prev() == kGenesisPrev);
    std::string one = append(*empty, evidence_for(a, *empty));
    auto log1 = read_evidence_log(one, "log");
    REQUIRE(log1.ok());
    std::string two = append(*log1, evidence_for(b, *log1));
    auto log2 = read_evidence_log(two, "log");
    REQUIRE(log2.ok());
    REQUIRE(log2->entries.size() == 2);
    CHECK(log2->entries[0].prev == kGenesisPrev);
    CHECK(log2->entries[1].prev == sha256_hex(log2->chain.lines[0]));
    CHECK(log2->entries[1].statement->log->index == 1);
    CHECK(two.rfind(one, 0) == 0);

    SECTION("a changed first line breaks the chain") {
        std::string t = two;
        auto pos = t.find("release-2.json\"");
        t.replace(pos, 9, "release-9");
        auto r = read_evidence_log(t, "log");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == ErrorCode::BadSignature);
        CHECK(r.error().detail.find("log:2: broken chain") != std::string::npos);
    }
    SECTION("a changed first line with the chain recomputed breaks its signed position") {
        std::string line1 = log2->chain.lines[0];
        line1.replace(line1.find("release-2.json\""), 9, "release-9");
        json::Value second = log2->chain.docs[1].value;
        second["prev"] = sha256_hex(line1);
        std::string t = line1 + "\n" + json::canonicalize(second) + "\n";
        auto r = read_evidence_log(t, "log");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == ErrorCode::BadSignature);
        CHECK(r.error().detail.find("log:1: manifestPath") != std::string::npos);
    }
    SECTION("a removed line breaks the chain") {
        auto r = read_evidence_log(two.substr(one.size()), "log");
        REQUIRE_FALSE(r.ok());
    }
    SECTION("a truncated last line is refused") {
        auto r = read_evidence_log(two.substr(0, two.size() - 1), "log");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == ErrorCode::InvalidInput);
    }
    SECTION("each entry's signature opens with its embedded key") {
        for (const auto& e : log2->entries) CHECK(open_entry_self(e.signature, "log").ok());
    }
    SECTION("a signature for another position is not appended") {
        CHECK_FALSE(append_evidence(*log2, evidence_for(a, *log1)).ok());
    }
    SECTION("a bundle's signatures are found at their positions, and a cut log is detected") {
        Bundle bundle;
        bundle.signatures = {log2->entries[0].signature, log2->entries[1].signature};
        CHECK(check_bundle_recorded(*log2, "log", bundle, "bundle").ok());
        auto r = check_bundle_recorded(*log1, "log", bundle, "bundle");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().detail.find("has only 1 entries") != std::string::npos);
    }
}

TEST_CASE("statement version 2 round-trips its log position; version 1 still parses",
          "[statement]") {
    auto key = test::make_key();
    Statement s = sample_statement(key.pub);
    CHECK(statement_bytes(s).find("\"statementVersion\":1") != std::string::npos);
    s.log = LogPosition{7, std::string(64, 'b'), "m.json", "m.json.sig"};
    std::string bytes = statement_bytes(s);
    CHECK(bytes.find("\"statementVersion\":2") != std::string::npos);
    auto back = parse_statement(bytes, "st");
    REQUIRE(back.ok());
    REQUIRE(back->log);
    CHECK(back->log->index == 7);
    CHECK(back->log->previous_entry_sha256 == std::string(64, 'b'));
    json::Value v = statement_to_json(s);
    SECTION("version 2 without log is refused") {
        v.erase("log");
        CHECK_FALSE(parse_statement(json::canonicalize(v), "st").ok());
    }
    SECTION("version 1 with a log is refused") {
        v["statementVersion"] = 1;
        CHECK_FALSE(parse_statement(json::canonicalize(v), "st").ok());
    }
}

TEST_CASE("statement: PIV evidence round-trips and is schema-checked", "[statement]") {
    auto key = test::make_key();
    Statement s = sample_statement(key.pub);
    s.approval.pin_retries_left = 3;
    PivEvidence piv;
    piv.slot = "9c";
    piv.pin_policy = "always";
    piv.touch_policy = "always";
    piv.origin = "generated";
    piv.serial = 4294967295u;  // the largest card serial stays far below 2^53
    piv.firmware = "5.4.3";
    piv.attestation = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    s.approval.piv = piv;
    std::string bytes = statement_bytes(s);
    auto parsed = parse_statement(bytes, "stmt");
    REQUIRE(parsed.ok());
    CHECK(statement_bytes(*parsed) == bytes);
    REQUIRE(parsed->approval.piv.has_value());
    CHECK(parsed->approval.piv->serial == 4294967295u);
    CHECK(parsed->approval.piv->attestation == piv.attestation);
    CHECK(*parsed->approval.pin_retries_left == 3);

    // Without an attestation (an imported key) the member is simply absent.
    s.approval.piv->attestation.reset();
    auto bare = parse_statement(statement_bytes(s), "stmt");
    REQUIRE(bare.ok());
    CHECK_FALSE(bare->approval.piv->attestation.has_value());

    // Unknown members and a serial beyond 32 bits are schema violations.
    json::Value v = statement_to_json(s);
    v["approval"]["piv"]["extra"] = true;
    CHECK_FALSE(parse_statement(json::canonicalize(v), "stmt").ok());
    v = statement_to_json(s);
    v["approval"]["piv"]["serial"] = 4294967296LL;
    CHECK_FALSE(parse_statement(json::canonicalize(v), "stmt").ok());
}

TEST_CASE("opened with its own key, a signature object's keyid must be that key's", "[bundle][attack]") {
    auto key = test::make_key();
    auto other = test::make_key();
    auto e = make_entry(sample_statement(key.pub), key.pub, key.signer());
    REQUIRE(e.ok());
    REQUIRE(open_entry_self(*e, "b").ok());
    auto lying = *e;
    lying.key_id = other.pub.key_id;
    auto r = open_entry_self(lying, "b");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::BadSignature);
    CHECK(r.error().detail.find("is not the id of its publicKey") != std::string::npos);
}
