#pragma once
// The key ceremony's records: the new-card check, the signed ceremony record
// (schemas/ceremony-record.schema.json) and the append-only, hash-chained ceremony log.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
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

// The exact bytes the ceremony key (and the witness) sign: compact JSON with sorted keys.
std::string ceremony_payload(const CeremonyFacts& facts);

// The record file: {"payload_type", "payload" (base64 of the payload bytes), "signatures"}.
std::string ceremony_record(std::string_view payload,
                            const std::vector<CeremonySignature>& signatures);

struct VerifiedRecord {
    std::string payload;
    std::string ceremony_key_id;
    std::vector<std::string> signer_roles;
};
// Checks a record: every signature verifies over the payload with its SPKI, and the
// "ceremony-key" signature's key is the attested key named in the payload.
// Errors: InvalidInput (malformed), BadSignature.
Result<VerifiedRecord> verify_ceremony_record(std::string_view record_bytes, std::string_view name);

// Verifies an ECDSA DER signature over SHA-256/384 of `message` with an SPKI DER (hash chosen
// by the curve). Errors: BadSignature, InvalidInput.
Status verify_with_spki(const std::vector<std::uint8_t>& spki, std::string_view message,
                        const std::vector<std::uint8_t>& signature);

// The ceremony log: JSON lines, each carrying the SHA-256 of the previous line (64 zeros for
// the first) and of the record file it logs. Returns the log's bytes with one more line; the
// caller replaces the file atomically. Errors: InvalidInput (malformed existing log),
// BadSignature (its chain is broken: never extended).
Result<std::string> append_ceremony_log(std::string_view existing, std::string_view log_name,
                                        std::string_view recorded, std::string_view record_path,
                                        std::string_view record_bytes, std::string_view key_id,
                                        std::uint32_t serial);
// Checks the chain; returns the number of entries. Errors: InvalidInput, BadSignature.
Result<std::size_t> check_ceremony_log(std::string_view bytes, std::string_view log_name);

std::string base64(const std::vector<std::uint8_t>& bytes);
Result<std::vector<std::uint8_t>> unbase64(std::string_view text);

}  // namespace otasign::piv
