#pragma once
// The evidence log: a hash-chained JSON-lines log (envelope/chained_log.hpp), one entry per
// signature `sign` made. A version-2 entry carries nothing unsigned: its index, prev and paths
// are copies of its signed statement's `log` member (statement version 2) and are checked
// against it, so rewriting an entry means re-signing every later one. Version-1 entries (from
// older otasign) are still read. Format: schemas/SIGNATURE-FORMAT.md section 6.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "envelope/bundle.hpp"
#include "envelope/chained_log.hpp"

namespace otasign::envelope {

inline constexpr int kEntryVersion = 2;

struct EvidenceEntry {
    int entry_version = kEntryVersion;
    std::uint64_t index = 0;
    std::string prev;                     // hex SHA-256 of the previous line, or kGenesisPrev
    std::optional<std::string> recorded;  // version 1 only: unsigned time the line was written
    std::string manifest_path;            // as given to `sign`
    std::string bundle_path;              // where the signature went
    SignatureEntry signature;             // statement + signature + signer key
    // Filled by read_evidence_log: the statement, opened with the entry's embedded key, or why
    // it could not be (only a version-1 entry may be read with a signature that fails).
    std::optional<Statement> statement;
    std::string signature_error;
};

struct EvidenceLog {
    ChainedLog chain;
    std::vector<EvidenceEntry> entries;
    std::string next_prev() const { return chain.next_prev(); }
};

// Parses every line strictly, checks the chain (index, prev), verifies every signature with
// its embedded key before its statement is read, and for a version-2 entry checks that index,
// prev and paths are the statement's. Once a version-2 entry appears no version-1 entry may
// follow. Errors: InvalidInput (malformed line, naming SOURCE:LINE), BadSignature (broken
// chain, a version-2 entry whose signature or committed position does not match).
Result<EvidenceLog> read_evidence_log(std::string_view bytes, std::string_view source);

// Where the next entry goes: the position a version-2 statement must commit to.
LogPosition next_log_position(const EvidenceLog& log, std::string manifest_path,
                              std::string bundle_path);

// The log's bytes with one more version-2 entry for `signature`, whose statement must commit
// to next_log_position(log, ...). Errors: Internal when it does not.
Result<std::string> append_evidence(const EvidenceLog& log, const SignatureEntry& signature);

// Truncation and omission: every signature of `bundle` whose statement commits to a log
// position (version 2) must be, byte for byte, the entry at that position of `log`.
// Version-1 signatures carry no position and are skipped (`skipped` counts them).
// Errors: BadSignature (a signature not opened), PolicyViolation (missing or elsewhere).
Status check_bundle_recorded(const EvidenceLog& log, std::string_view log_source,
                             const Bundle& bundle, std::string_view bundle_source,
                             std::size_t* skipped = nullptr);

}  // namespace otasign::envelope
