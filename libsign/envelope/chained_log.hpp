#pragma once
// One hash-chained JSON-lines log, shared by the evidence log and the ceremony log: every line
// is the RFC 8785 form of an object with "index" (0, 1, ...) and "prev" (hex SHA-256 of the
// previous line's bytes without its LF, 64 zeros for the first line), valid against a schema.
// Format: schemas/SIGNATURE-FORMAT.md section 6.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "envelope/schema_check.hpp"
#include "json/strict.hpp"

namespace otasign::envelope {

inline constexpr std::string_view kGenesisPrev =
    "0000000000000000000000000000000000000000000000000000000000000000";

struct ChainedLog {
    std::string bytes;                 // the whole file as read
    std::vector<std::string> lines;    // without LF
    std::vector<json::Document> docs;  // each line, strictly parsed and schema-checked
    // The "prev" value the next line must carry.
    std::string next_prev() const;
};

// Reads every line strictly (canonical, schema-valid) and checks index and prev.
// Errors: InvalidInput (malformed line, naming SOURCE:LINE), BadSignature (broken chain).
Result<ChainedLog> read_chained_log(std::string_view bytes, std::string_view source, Schema schema);

// The canonical line (without LF) of `entry` with its index and prev set to follow `log`.
std::string next_chained_line(const ChainedLog& log, json::Value entry);

}  // namespace otasign::envelope
