#pragma once
// The evidence log: a hash-chained JSON-lines log (envelope/chained_log.hpp), one entry per
// signature `sign` made. A version-2 entry carries nothing unsigned: its index, prev and paths
// are copies of its signed statement's `log` member (statement version 2) and are checked
// against it, so rewriting an entry means re-signing every later one. Version-1 entries (from
// older otasign) are still read. Format: schemas/SIGNATURE-FORMAT.md section 6.

#include <cstdint>
#include <functional>
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

// Parses every line strictly, then checks the chain (index, prev), then each entry: its
// signature verifies with its embedded key before its statement is read, and a version-2 entry's
// index, prev and paths are its statement's; once a version-2 entry appears no version-1 entry
// may follow. A version-1 entry whose signature fails is kept (signature_error says why) so
// `evidence show` can display it; verify_evidence_log fails on it.
// Errors: InvalidInput (malformed line, naming SOURCE:LINE), BadSignature (broken chain, a
// version-2 entry whose signature or committed position does not match).
Result<EvidenceLog> read_evidence_log(std::string_view bytes, std::string_view source);

// The checks of `otasign evidence verify`, in their order (SIGNATURE-FORMAT.md section 6,
// "Verification algorithm"). `journal` is the caller's: it looks at files beside the log.
enum class EvidenceCheck {
    journal,
    nonempty,
    chain,
    entry_signature,
    entry_position,
    policy_signer,
    bundle_recorded
};
// The check's name as documented and printed by `evidence verify --json` ("entry-signature").
std::string_view evidence_check_name(EvidenceCheck check);

struct EvidenceFailure {
    EvidenceCheck check;
    Error error;
};

// A bundle whose signatures must be in the log (`evidence verify --bundle`), already parsed.
struct RecordedBundle {
    std::string source;
    Bundle bundle;
};

struct EvidenceVerdict {
    std::optional<EvidenceFailure> failure;  // the first check that failed; none: verified
    EvidenceLog log;                         // every entry (filled when no line is malformed)
    std::vector<std::size_t> found;          // per bundle: version-2 signatures found in place
    std::vector<std::size_t> not_checked;    // per bundle: version-1 signatures (no position)
};

// Runs the checks after `journal` in order and stops at the first failure: every line is
// well-formed (else InvalidInput), the log is not empty, its chain holds, every entry's signature
// verifies with its embedded key, version-2 entries are at their signed positions, every signer
// is known (when `signer_known` is given: a policy), and every version-2 signature of every
// bundle is the entry at its position.
// Errors: InvalidInput only: a malformed line (no verdict on a malformed log).
Result<EvidenceVerdict> verify_evidence_log(
    std::string_view bytes, std::string_view source, const std::vector<RecordedBundle>& bundles,
    const std::function<bool(std::string_view key_id)>& signer_known);

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
