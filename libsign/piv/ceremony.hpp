#pragma once
// The key ceremony's records: the new-card check, the signed ceremony record
// (schemas/ceremony-record.schema.json) and the append-only, hash-chained ceremony log.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "json/strict.hpp"
#include "piv/attestation.hpp"
#include "piv/device.hpp"

namespace otasign::piv {

// Whether a card is factory-new (or reset): default PIN, PUK and management key (from GET
// METADATA) and no key or certificate in 9a 9c 9d 9e. `problems` says what is not new.
struct CardCheck {
    bool is_new = false;
    std::vector<std::string> passed;
    std::vector<std::string> problems;
};
CardCheck check_new_card(const TokenStatus& status);

// Whether a card is ready for `ceremony generate`: PIN, PUK and management key changed, and
// the management key PIN-protected.
CardCheck check_initialised_card(const TokenStatus& status);

struct CeremonySignature {
    std::string role;       // "ceremony-key" (the new key) or "witness"
    std::string key_id;     // sha256 hex of the signer's SPKI DER
    std::string algorithm;  // "ecdsa-p384-sha384", ...
    std::vector<std::uint8_t> spki_der;
    std::vector<std::uint8_t> signature;  // DER
};

struct CeremonyFacts {
    std::string created;  // RFC 3339 UTC
    std::string operator_name;
    std::string witness_name;
    std::string location;
    TokenStatus card;
    AttestationReport attestation;
    std::string attestation_pem;
    std::string notes;
};

// A ceremony record's payload type. Its signatures cover the DSSE PAE of this type and the
// payload (envelope/pae.hpp), as a signed statement's do, so neither can stand for the other.
inline constexpr std::string_view kCeremonyPayloadType =
    "application/vnd.enigm.otasign.ceremony-record+json;version=2";
// Records written before: signatures over the bare payload bytes. Still read.
inline constexpr std::string_view kLegacyCeremonyPayloadType =
    "application/vnd.otasign.ceremony-record+json";

// The payload bytes: the RFC 8785 form of the ceremony facts.
std::string ceremony_payload(const CeremonyFacts& facts);
// What the ceremony key and the witness sign: PAE(kCeremonyPayloadType, payload).
std::string ceremony_pae(std::string_view payload);

// The record file: {"payload_type", "payload" (base64 of the payload bytes), "signatures"}.
std::string ceremony_record(std::string_view payload,
                            const std::vector<CeremonySignature>& signatures);

struct VerifiedRecord {
    std::string payload;
    json::Value payload_json;  // read strictly and schema-checked, after the signatures verified
    std::string ceremony_key_id;
    std::vector<std::string> signer_roles;
    bool legacy = false;  // kLegacyCeremonyPayloadType: signed over the bare payload
};
// Checks a record on the strict path: the record is read strictly and against
// schemas/ceremony-record.schema.json; every signature verifies with its SPKI (whose SHA-256
// is its key_id) over the PAE (the bare payload for the legacy type) before the payload is
// read; then the payload is read strictly (canonical for the current type) against the
// schema's payload definition, and the "ceremony-key" signature's key must be payload.key.
// Errors: InvalidInput (malformed, naming file:line:col and JSON pointer), BadSignature.
Result<VerifiedRecord> verify_ceremony_record(std::string_view record_bytes, std::string_view name);

// The ceremony log: the hash-chained log of envelope/chained_log.hpp (the evidence log's), one
// line per record (schemas/ceremony-log-entry.schema.json) carrying the record's SHA-256.
// Returns the log's bytes with one more line; the caller replaces the file atomically.
// Errors: InvalidInput (malformed existing log), BadSignature (broken chain: never extended).
Result<std::string> append_ceremony_log(std::string_view existing, std::string_view log_name,
                                        std::string_view recorded, std::string_view record_path,
                                        std::string_view record_bytes, std::string_view key_id,
                                        std::uint32_t serial);
// Checks the chain; returns the number of entries. Errors: InvalidInput, BadSignature.
Result<std::size_t> check_ceremony_log(std::string_view bytes, std::string_view log_name);
// Checks the chain and that one of its lines records `record_bytes` (its record_sha256);
// returns the number of entries. Errors: InvalidInput, BadSignature (broken chain),
// PolicyViolation (the record is not in the log).
Result<std::size_t> check_record_logged(std::string_view log_bytes, std::string_view log_name,
                                        std::string_view record_bytes,
                                        std::string_view record_name);

std::string base64(const std::vector<std::uint8_t>& bytes);

}  // namespace otasign::piv
