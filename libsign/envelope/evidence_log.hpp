#pragma once
// The evidence log: JSON lines, each the RFC 8785 form of one entry, each carrying the SHA-256
// of the previous line's bytes (without its LF), so that changing, removing or reordering a
// line breaks the chain. Genesis "prev" is 64 zeros. Format: schemas/SIGNATURE-FORMAT.md.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "envelope/bundle.hpp"

namespace otasign::envelope {

inline constexpr std::string_view kGenesisPrev =
    "0000000000000000000000000000000000000000000000000000000000000000";

struct EvidenceEntry {
    std::uint64_t index = 0;
    std::string prev;           // hex SHA-256 of the previous line, or kGenesisPrev
    std::string recorded;       // RFC 3339 UTC time the line was written
    std::string manifest_path;  // as given to `sign`
    std::string bundle_path;    // where the signature went
    SignatureEntry signature;   // statement + signature + signer key
};

struct EvidenceLog {
    std::string bytes;               // the whole file as read
    std::vector<std::string> lines;  // without LF
    std::vector<EvidenceEntry> entries;
    // The "prev" value the next entry must carry.
    std::string next_prev() const;
};

// Parses every line strictly and checks the chain (index, prev). Does not verify signatures.
// Errors: InvalidInput (malformed line, naming SOURCE:LINE), BadSignature (broken chain).
Result<EvidenceLog> read_evidence_log(std::string_view bytes, std::string_view source);

// The canonical line (without LF) for `entry`.
std::string evidence_line(const EvidenceEntry& entry);

// The log's bytes with one more entry (index and prev filled in from `log`).
std::string append_evidence(const EvidenceLog& log, EvidenceEntry entry);

}  // namespace otasign::envelope
