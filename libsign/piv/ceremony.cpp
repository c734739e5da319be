#include "piv/ceremony.hpp"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <nlohmann/json.hpp>

#include "core/digest.hpp"
#include "core/ossl.hpp"

namespace otasign::piv {
namespace {

constexpr std::string_view kPayloadType = "application/vnd.otasign.ceremony-record+json";
const std::string kZeros(64, '0');

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

Result<std::vector<std::uint8_t>> unbase64(std::string_view text) {
    if (text.size() % 4 != 0) return make_error(ErrorCode::InvalidInput, "malformed base64");
    std::vector<std::uint8_t> out(text.size() / 4 * 3 + 1);
    int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                            int(text.size()));
    if (n < 0) return make_error(ErrorCode::InvalidInput, "malformed base64");
    std::size_t pad = 0;
    if (!text.empty() && text.back() == '=') ++pad;
    if (text.size() > 1 && text[text.size() - 2] == '=') ++pad;
    out.resize(std::size_t(n) - pad);
    return out;
}

std::string ceremony_payload(const CeremonyFacts& f) {
    const auto& a = f.attestation;
    nlohmann::json slots = nlohmann::json::array();
    for (const auto& s : f.card.slots) {
        nlohmann::json j{{"slot", slot_name(s.slot)}, {"certificate", s.certificate_present}};
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
    nlohmann::json doc{
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
          {"serial", a.serial ? nlohmann::json(*a.serial) : nlohmann::json(nullptr)},
          {"firmware", a.firmware},
          {"form_factor",
           a.form_factor ? nlohmann::json(a.form_factor_name) : nlohmann::json(nullptr)},
          {"chain", a.chain_subjects},
          {"root_sha256", a.root_sha256}}},
    };
    return doc.dump();  // nlohmann objects are sorted maps: compact, key-sorted, deterministic
}

std::string ceremony_record(std::string_view payload,
                            const std::vector<CeremonySignature>& signatures) {
    nlohmann::json sigs = nlohmann::json::array();
    for (const auto& s : signatures)
        sigs.push_back({{"role", s.role},
                        {"key_id", s.key_id},
                        {"algorithm", s.algorithm},
                        {"spki", base64(s.spki_der)},
                        {"signature", base64(s.signature)}});
    std::vector<std::uint8_t> bytes(payload.begin(), payload.end());
    nlohmann::json doc{
        {"payload_type", kPayloadType}, {"payload", base64(bytes)}, {"signatures", sigs}};
    return doc.dump(2) + "\n";
}

Status verify_with_spki(const std::vector<std::uint8_t>& spki, std::string_view message,
                        const std::vector<std::uint8_t>& signature) {
    const unsigned char* p = spki.data();
    ossl::Ptr<EVP_PKEY> key(d2i_PUBKEY(nullptr, &p, long(spki.size())));
    if (!key) return make_error(ErrorCode::InvalidInput, "malformed public key");
    const EVP_MD* md = EVP_PKEY_get_bits(key.get()) > 256 ? EVP_sha384() : EVP_sha256();
    ossl::Ptr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
    if (EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key.get()) != 1 ||
        EVP_DigestVerify(ctx.get(), signature.data(), signature.size(),
                         reinterpret_cast<const unsigned char*>(message.data()),
                         message.size()) != 1) {
        ossl::last_error();
        return make_error(ErrorCode::BadSignature, "signature does not verify");
    }
    return ok_status();
}

Result<VerifiedRecord> verify_ceremony_record(std::string_view record_bytes,
                                              std::string_view name) {
    auto fail = [&](const std::string& what) {
        return make_error(ErrorCode::InvalidInput, std::string(name) + ": " + what);
    };
    nlohmann::json doc = nlohmann::json::parse(record_bytes, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) return fail("not a JSON object");
    if (doc.value("payload_type", "") != kPayloadType)
        return fail("payload_type is not " + std::string(kPayloadType));
    if (!doc.contains("payload") || !doc["payload"].is_string() || !doc.contains("signatures") ||
        !doc["signatures"].is_array())
        return fail("missing payload or signatures");
    OTASIGN_ASSIGN_OR_RETURN(auto payload_bytes, unbase64(doc["payload"].get<std::string>()));
    VerifiedRecord out;
    out.payload.assign(payload_bytes.begin(), payload_bytes.end());
    nlohmann::json payload = nlohmann::json::parse(out.payload, nullptr, false);
    if (payload.is_discarded() || !payload.is_object() || !payload.contains("key") ||
        !payload["key"].is_object())
        return fail("payload is not a ceremony record");
    std::string attested_key = payload["key"].value("key_id", "");
    bool ceremony_signed = false;
    for (const auto& s : doc["signatures"]) {
        if (!s.is_object() || !s.contains("spki") || !s.contains("signature") ||
            !s["spki"].is_string() || !s["signature"].is_string())
            return fail("malformed signature entry");
        OTASIGN_ASSIGN_OR_RETURN(auto spki, unbase64(s["spki"].get<std::string>()));
        OTASIGN_ASSIGN_OR_RETURN(auto sig, unbase64(s["signature"].get<std::string>()));
        std::string key_id =
            sha256_hex(std::string_view(reinterpret_cast<const char*>(spki.data()), spki.size()));
        if (s.value("key_id", "") != key_id)
            return fail("a signature's key_id does not match its spki");
        Status ok = verify_with_spki(spki, out.payload, sig);
        if (!ok.ok())
            return make_error(
                ErrorCode::BadSignature,
                std::string(name) + ": the " + s.value("role", "?") + " signature does not verify");
        std::string role = s.value("role", "");
        if (role == "ceremony-key") {
            if (key_id != attested_key)
                return make_error(
                    ErrorCode::BadSignature,
                    std::string(name) + ": signed by a key other than the attested one");
            ceremony_signed = true;
            out.ceremony_key_id = key_id;
        }
        out.signer_roles.push_back(role);
    }
    if (!ceremony_signed)
        return make_error(ErrorCode::BadSignature,
                          std::string(name) + ": not signed by the ceremony key");
    return out;
}

Result<std::size_t> check_ceremony_log(std::string_view bytes, std::string_view log_name) {
    std::string prev = kZeros;
    std::size_t count = 0, line_no = 0, pos = 0;
    while (pos < bytes.size()) {
        std::size_t end = bytes.find('\n', pos);
        if (end == std::string_view::npos)
            return make_error(ErrorCode::InvalidInput,
                              std::string(log_name) + ": last line has no newline (truncated?)");
        std::string_view line = bytes.substr(pos, end - pos);
        ++line_no;
        auto j = nlohmann::json::parse(line, nullptr, false);
        std::string where = std::string(log_name) + ":" + std::to_string(line_no);
        if (j.is_discarded() || !j.is_object())
            return make_error(ErrorCode::InvalidInput, where + ": not a JSON object");
        if (j.value("index", std::size_t(0) - 1) != count || j.value("prev", "") != prev)
            return make_error(ErrorCode::BadSignature,
                              where + ": the hash chain is broken (index or prev does not match)",
                              "the ceremony log was edited; restore it from the witness's copy");
        prev = sha256_hex(line);
        ++count;
        pos = end + 1;
    }
    return count;
}

Result<std::string> append_ceremony_log(std::string_view existing, std::string_view log_name,
                                        std::string_view recorded, std::string_view record_path,
                                        std::string_view record_bytes, std::string_view key_id,
                                        std::uint32_t serial) {
    OTASIGN_ASSIGN_OR_RETURN(auto count, check_ceremony_log(existing, log_name));
    std::string prev = kZeros;
    if (!existing.empty()) {
        std::string_view body = existing.substr(0, existing.size() - 1);
        std::size_t start = body.rfind('\n');
        prev = sha256_hex(body.substr(start == std::string_view::npos ? 0 : start + 1));
    }
    nlohmann::json entry{{"index", count},
                         {"prev", prev},
                         {"recorded", recorded},
                         {"record", record_path},
                         {"record_sha256", sha256_hex(record_bytes)},
                         {"key_id", key_id},
                         {"serial", serial}};
    return std::string(existing) + entry.dump() + "\n";
}

}  // namespace otasign::piv
