#include "piv/ceremony.hpp"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "core/digest.hpp"
#include "core/ossl.hpp"
#include "envelope/chained_log.hpp"
#include "envelope/keys.hpp"
#include "envelope/pae.hpp"
#include "envelope/schema_check.hpp"
#include "json/canonical.hpp"

namespace otasign::piv {
namespace {

void check(CardCheck& c, bool ok, const std::string& good, const std::string& bad) {
    (ok ? c.passed : c.problems).push_back(ok ? good : bad);
}

}  // namespace

CardCheck check_new_card(const TokenStatus& st) {
    CardCheck c;
    check(c, st.metadata_supported, "firmware " + st.firmware + " reports metadata",
          "firmware " + st.firmware +
              " has no GET METADATA: defaults and slot policies cannot be proven");
    check(c, st.pin_default.value_or(false), "PIN is the factory default",
          "PIN is not the factory default (card was used)");
    check(c, st.puk_default.value_or(false), "PUK is the factory default",
          "PUK is not the factory default (card was used)");
    const std::string mgm_alg = st.management_key_algorithm
                                    ? " (" + algorithm_name(*st.management_key_algorithm) + ")"
                                    : "";
    check(c, st.management_key_default.value_or(false),
          "management key is the factory default" + mgm_alg,
          "management key is not the factory default" + mgm_alg + " (card was used)");
    for (const auto& s : st.slots) {
        check(c, !s.key, "slot " + slot_name(s.slot) + " holds no key",
              "slot " + slot_name(s.slot) + " holds a key");
        check(c, !s.certificate_present, "slot " + slot_name(s.slot) + " holds no certificate",
              "slot " + slot_name(s.slot) + " holds a certificate");
    }
    c.is_new = c.problems.empty();
    return c;
}

CardCheck check_initialised_card(const TokenStatus& st) {
    CardCheck c;
    check(c, st.pin_default.has_value() && !*st.pin_default, "PIN changed",
          "PIN is still the factory default");
    check(c, st.puk_default.has_value() && !*st.puk_default, "PUK changed",
          "PUK is still the factory default");
    const std::string mgm_alg = st.management_key_algorithm
                                    ? " (" + algorithm_name(*st.management_key_algorithm) + ")"
                                    : "";
    check(c, st.management_key_default.has_value() && !*st.management_key_default,
          "management key changed" + mgm_alg, "management key is still the factory default");
    check(c, st.management_key_mode == ManagementKeyMode::pin_protected,
          "management key is PIN-protected",
          "management key is not PIN-protected (run 'otasign ceremony init')");
    c.is_new = c.problems.empty();
    return c;
}

std::string base64(const std::vector<std::uint8_t>& bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(),
                            int(bytes.size()));
    out.resize(std::size_t(n));
    return out;
}

std::string ceremony_payload(const CeremonyFacts& f) {
    const auto& a = f.attestation;
    json::Value slots = json::Value::array();
    for (const auto& s : f.card.slots) {
        json::Value j{{"slot", slot_name(s.slot)}, {"certificate", s.certificate_present}};
        if (s.key)
            j["key"] = {{"algorithm", algorithm_name(s.key->algorithm)},
                        {"pin_policy", pin_policy_name(s.key->pin_policy)},
                        {"touch_policy", touch_policy_name(s.key->touch_policy)},
                        {"origin", origin_name(s.key->origin)},
                        {"key_id", s.public_key_id}};
        else
            j["key"] = nullptr;
        slots.push_back(j);
    }
    json::Value doc{
        {"type", "otasign-ceremony-record/v1"},
        {"created", f.created},
        {"operator", f.operator_name},
        {"witness", f.witness_name},
        {"location", f.location},
        {"notes", f.notes},
        {"card",
         {{"model", f.card.model},
          {"serial", f.card.serial},
          {"firmware", f.card.firmware},
          {"pin_default", f.card.pin_default.value_or(true)},
          {"puk_default", f.card.puk_default.value_or(true)},
          {"management_key_default", f.card.management_key_default.value_or(true)},
          {"management_key_pin_protected",
           f.card.management_key_mode == ManagementKeyMode::pin_protected},
          {"slots", slots}}},
        {"key",
         {{"slot", a.slot},
          {"algorithm", a.algorithm},
          {"key_id", a.public_key_id},
          {"spki", base64(a.spki_der)},
          {"origin", a.origin},
          {"pin_policy", a.pin_policy},
          {"touch_policy", a.touch_policy}}},
        {"attestation",
         {{"pem", f.attestation_pem},
          {"serial", a.serial ? json::Value(*a.serial) : json::Value(nullptr)},
          {"firmware", a.firmware},
          {"form_factor", a.form_factor ? json::Value(a.form_factor_name) : json::Value(nullptr)},
          {"chain", a.chain_subjects},
          {"root_sha256", a.root_sha256}}},
    };
    return json::canonicalize(doc);
}

std::string ceremony_pae(std::string_view payload) {
    return envelope::pae(kCeremonyPayloadType, payload);
}

std::string ceremony_record(std::string_view payload,
                            const std::vector<CeremonySignature>& signatures) {
    json::Value sigs = json::Value::array();
    for (const auto& s : signatures)
        sigs.push_back({{"role", s.role},
                        {"key_id", s.key_id},
                        {"algorithm", s.algorithm},
                        {"spki", base64(s.spki_der)},
                        {"signature", base64(s.signature)}});
    std::vector<std::uint8_t> bytes(payload.begin(), payload.end());
    json::Value doc{
        {"payload_type", kCeremonyPayloadType}, {"payload", base64(bytes)}, {"signatures", sigs}};
    return doc.dump(2) + "\n";
}

Result<VerifiedRecord> verify_ceremony_record(std::string_view record_bytes,
                                              std::string_view name) {
    const std::string source(name);
    OTASIGN_ASSIGN_OR_RETURN(json::Document doc, json::parse_strict(record_bytes, source));
    OTASIGN_TRY(envelope::validate_schema(doc, envelope::Schema::ceremony_record, source));
    VerifiedRecord out;
    out.legacy = doc.value["payload_type"].get<std::string>() == kLegacyCeremonyPayloadType;
    auto payload_bytes = envelope::base64_decode(doc.value["payload"].get<std::string>());
    if (!payload_bytes)
        return make_error(ErrorCode::InvalidInput,
                          source + ": payload: " + payload_bytes.error().detail);
    out.payload = std::move(payload_bytes).value();
    const std::string signed_bytes = out.legacy ? out.payload : ceremony_pae(out.payload);

    // Every signature first; the payload is not read until all of them verified. Keys and
    // algorithms as everywhere in otasign (SIGNATURE-FORMAT.md section 2): the algorithm comes
    // from the key, the key id is the canonical one.
    const auto& sigs = doc.value["signatures"];
    std::string ceremony_key;
    for (std::size_t i = 0; i < sigs.size(); ++i) {
        const json::Value& s = sigs[i];
        std::string where = source + " signature " + std::to_string(i);
        auto spki = envelope::base64_decode(s["spki"].get<std::string>());
        auto sig = envelope::base64_decode(s["signature"].get<std::string>());
        if (!spki || !sig)
            return make_error(ErrorCode::InvalidInput,
                              where + ": " + (spki ? sig : spki).error().detail);
        OTASIGN_ASSIGN_OR_RETURN(envelope::PublicKey key,
                                 envelope::public_key_from_spki(*spki, where + " spki"));
        const std::string& key_id = key.key_id;
        if (s["key_id"].get<std::string>() != key_id)
            return make_error(ErrorCode::BadSignature,
                              where + ": key_id is not the key id of its spki (" + key_id + ")");
        const std::string role = s["role"].get<std::string>();
        if (!envelope::verify_signature(key, signed_bytes, *sig).ok())
            return make_error(ErrorCode::BadSignature,
                              where + ": the " + role + " signature does not verify",
                              out.legacy ? ""
                                         : "a record's signatures cover the DSSE PAE of its "
                                           "payload type and payload");
        if (role == "ceremony-key") {
            if (!ceremony_key.empty())
                return make_error(ErrorCode::InvalidInput,
                                  where + ": a second ceremony-key signature");
            ceremony_key = key_id;
        }
        out.signer_roles.push_back(role);
    }
    if (ceremony_key.empty())
        return make_error(ErrorCode::BadSignature, source + ": not signed by the ceremony key");

    const std::string payload_source = source + " (payload)";
    OTASIGN_ASSIGN_OR_RETURN(json::Document payload,
                             json::parse_strict(out.payload, payload_source));
    if (!out.legacy && json::canonicalize(payload.value) != out.payload)
        return make_error(ErrorCode::InvalidInput,
                          payload_source + ": the payload is not in RFC 8785 canonical form");
    OTASIGN_TRY(
        envelope::validate_schema(payload, envelope::Schema::ceremony_payload, payload_source));
    if (payload.value["key"]["key_id"].get<std::string>() != ceremony_key)
        return make_error(ErrorCode::BadSignature,
                          source + ": signed by a key other than the attested one");
    // add-to-policy takes the key from key.spki: it must be the key that signed.
    auto key_spki = envelope::base64_decode(payload.value["key"]["spki"].get<std::string>());
    if (!key_spki)
        return make_error(ErrorCode::InvalidInput,
                          payload_source + ": key.spki: " + key_spki.error().detail);
    OTASIGN_ASSIGN_OR_RETURN(
        envelope::PublicKey named,
        envelope::public_key_from_spki(*key_spki, payload_source + " key.spki"));
    if (named.key_id != ceremony_key)
        return make_error(
            ErrorCode::BadSignature,
            payload_source + ": key.spki is another key than key.key_id (" + named.key_id + ")");
    out.ceremony_key_id = ceremony_key;
    out.payload_json = std::move(payload.value);
    return out;
}

Result<std::size_t> check_ceremony_log(std::string_view bytes, std::string_view log_name) {
    auto log = envelope::read_chained_log(bytes, log_name, envelope::Schema::ceremony_log_entry);
    if (!log)
        return make_error(
            log.error().code, log.error().detail,
            log.error().hint.empty()
                ? "restore the ceremony log from the witness's copy"
                : log.error().hint + "; restore the ceremony log from the witness's copy");
    return log->lines.size();
}

Result<std::size_t> check_record_logged(std::string_view log_bytes, std::string_view log_name,
                                        std::string_view record_bytes,
                                        std::string_view record_name) {
    OTASIGN_ASSIGN_OR_RETURN(std::size_t n, check_ceremony_log(log_bytes, log_name));
    auto log =
        envelope::read_chained_log(log_bytes, log_name, envelope::Schema::ceremony_log_entry);
    const std::string want = sha256_hex(record_bytes);
    for (const auto& doc : log->docs)
        if (doc.value["record_sha256"].get<std::string>() == want) return n;
    return make_error(ErrorCode::PolicyViolation,
                      std::string(record_name) + " (sha256 " + want + ") is not recorded in " +
                          std::string(log_name),
                      "verify a record against the ceremony log it was written to");
}

Result<std::string> append_ceremony_log(std::string_view existing, std::string_view log_name,
                                        std::string_view recorded, std::string_view record_path,
                                        std::string_view record_bytes, std::string_view key_id,
                                        std::uint32_t serial) {
    OTASIGN_ASSIGN_OR_RETURN(
        envelope::ChainedLog log,
        envelope::read_chained_log(existing, log_name, envelope::Schema::ceremony_log_entry));
    json::Value entry{{"recorded", recorded},
                      {"record", record_path},
                      {"record_sha256", sha256_hex(record_bytes)},
                      {"key_id", key_id},
                      {"serial", serial}};
    return log.bytes + envelope::next_chained_line(log, std::move(entry)) + "\n";
}

}  // namespace otasign::piv
