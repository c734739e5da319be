#pragma once
// The signed statement: what one signature binds. It is serialized with RFC 8785 so the same
// statement always has the same bytes, and those bytes (inside DSSE's PAE) are what is signed.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "json/strict.hpp"

namespace otasign::envelope {

// Version 1 has no `log` member; version 2 commits to its evidence log entry (LogPosition).
// `sign` writes version 2; verifiers accept both.
inline constexpr int kStatementVersion = 2;

enum class ApprovalMethod { terminal_digest_suffix, approve_flag };
// "terminal-digest-suffix" or "approve-flag".
const char* approval_method_name(ApprovalMethod m) noexcept;

struct TokenEvidence {
    std::string manufacturer;
    std::string model;
    std::string serial;
    std::string label;  // token label
};

// When the key lives on a PIV card: what the card said about the slot (GET METADATA, read
// without a PIN) and the slot's attestation, so a verifier can check how the key was made.
struct PivEvidence {
    std::string slot;                        // "9c"
    std::string pin_policy;                  // "always", ... (piv::pin_policy_name)
    std::string touch_policy;                // "always", "cached", "never", ...
    std::string origin;                      // "generated" or "imported"
    std::uint32_t serial = 0;                // card serial
    std::string firmware;                    // "5.4.3"
    std::optional<std::string> attestation;  // attestation cert then f9 cert, PEM
};

struct Approval {
    std::string operator_name;
    std::string time;  // RFC 3339 UTC, "YYYY-MM-DDTHH:MM:SSZ"
    ApprovalMethod method = ApprovalMethod::terminal_digest_suffix;
    TokenEvidence token;
    std::string key_label;                         // slot or object label of the signing key
    std::optional<std::int64_t> pin_retries_left;  // absent when the token does not tell
    std::string pin_status;          // "ok", "low", "final-try" (pkcs11::PinStatus::state)
    std::string tool;                // "otasign 0.1.0"
    std::string host;                // gethostname()
    std::optional<PivEvidence> piv;  // only when the signing key was found on a PIV card
    // The high risks of the review the operator accepted one by one (typed on the terminal or
    // named with --accept-risk), in the review's order; empty (member absent) when there were none.
    std::vector<std::string> accepted_risks;
};

// Where the signature's evidence entry sits in the log, committed to by the signature itself:
// rewriting, dropping or reordering an entry then means re-signing every later one.
struct LogPosition {
    std::uint64_t index = 0;            // the entry's index (0 for the first line)
    std::string previous_entry_sha256;  // SHA-256 of the previous line's bytes, or 64 zeros
    std::string manifest_path;          // the entry's manifestPath, as given to `sign`
    std::string bundle_path;            // the entry's bundlePath
};

struct Statement {
    std::string manifest_sha256;  // of the manifest's RFC 8785 bytes
    std::uint64_t manifest_size = 0;
    std::string release_id;
    std::string release_version;
    std::string release_channel;
    std::optional<std::string> previous_sha256;    // canonical digest of --previous
    std::string shown_text_sha256;                 // the exact diff/summary text shown
    std::optional<std::string> shown_diff_sha256;  // canonical bytes of the diff as JSON
    std::string key_id;                            // SHA-256 of the signer's SPKI DER
    std::string algorithm;                         // sig_alg_name()
    Approval approval;
    // Present in a version-2 statement, absent in version 1 (statement_version says which).
    std::optional<LogPosition> log;
    int statement_version() const { return log ? 2 : 1; }
};

json::Value statement_to_json(const Statement& s);
// The RFC 8785 bytes that are signed.
std::string statement_bytes(const Statement& s);

// Parses statement bytes strictly, requires them to be canonical and schema-valid.
// Call only after the signature over them verified. Errors: InvalidInput naming `source`.
Result<Statement> parse_statement(std::string_view bytes, std::string_view source);

}  // namespace otasign::envelope
