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

// Reads every line strictly (LF-terminated, canonical, schema-valid); checks no chain.
// Errors: InvalidInput naming SOURCE:LINE.
Result<ChainedLog> parse_chained_lines(std::string_view bytes, std::string_view source,
                                       Schema schema);

// Checks every line's index (0, 1, ...) and prev (SHA-256 of the line before, genesis first).
// Errors: BadSignature (broken chain, naming SOURCE:LINE).
Status check_chain(const ChainedLog& log, std::string_view source);

// parse_chained_lines, then check_chain: every malformed line is found before any broken link,
// so a malformed log is malformed input (exit 3) wherever the chain breaks.
// Errors: InvalidInput (malformed line), BadSignature (broken chain).
Result<ChainedLog> read_chained_log(std::string_view bytes, std::string_view source, Schema schema);

// The canonical line (without LF) of `entry` with its index and prev set to follow `log`.
std::string next_chained_line(const ChainedLog& log, json::Value entry);

}  // namespace otasign::envelope
