#pragma once
// Strict JSON reading: untrusted bytes become exactly one value, or an error that names the
// source, the byte offset, line:column and the JSON pointer of the offending value.
//
// Built on nlohmann/json's SAX interface. Rejected (beyond RFC 8259 syntax): duplicate keys
// (compared after unescaping), nesting deeper than Limits::max_depth, input over
// Limits::max_bytes, invalid/overlong UTF-8, lone surrogates, a byte-order mark, raw control
// characters and raw NUL bytes (which nlohmann would read as the end of input), NaN/Infinity,
// numbers that overflow a double, integers outside +-(2^53-1) (I-JSON) whether spelled as
// integers or not (3.1e19 too: its canonical form 31000000000000000000 is an integer literal,
// and canonical output must always parse again), trailing content, comments, trailing commas,
// leading zeros; and, by default, Unicode noncharacters (U+FDD0..U+FDEF, U+xFFFE, U+xFFFF),
// which I-JSON 2.1 forbids and a manifest never needs. Numbers that underflow (1e-400) round
// to 0 like any decimal rounds to the nearest double.
//
// No recursion anywhere (nlohmann's parser and its 3.11 destructor are iterative, and so is
// canonicalize), but nlohmann's copy constructor, operator== and dump() do recurse: with a
// raised max_depth, do not copy or compare deep values.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace otasign::json {

using Value = nlohmann::json;

enum class Noncharacters { reject, accept };

struct Limits {
    std::size_t max_depth = 64;                     // arrays+objects open at once
    std::uint64_t max_bytes = 64ull * 1024 * 1024;  // whole input
    Noncharacters noncharacters = Noncharacters::reject;
    // Memory Document::positions may use (estimated). Each entry copies its pointer, so hostile
    // input (a long key above a long array) could otherwise need terabytes. Past the budget,
    // later values are not indexed and position_of names their nearest indexed ancestor.
    std::uint64_t max_index_bytes = 256ull * 1024 * 1024;
};

struct Position {
    std::uint64_t offset = 0;  // 0-based byte offset
    std::uint64_t line = 1;    // 1-based
    std::uint64_t column = 1;  // 1-based, in bytes
};

// A parsed document and where each value started, so later checks (schema, semantics) can
// name line:column for a JSON pointer.
struct Document {
    Value value;
    std::map<std::string, Position> positions;  // JSON pointer -> first byte of that value

    // Position of `pointer`, or of its nearest ancestor that has one.
    Position position_of(std::string_view pointer) const;
};

// "SOURCE:LINE:COL" for messages.
std::string where(std::string_view source, const Position& pos);

// Parses `bytes` strictly. `source` names the input in messages ("release-1.json", "<stdin>").
// Errors: InvalidInput, detail "SOURCE:LINE:COL: MESSAGE (at JSON pointer P, byte OFFSET)".
Result<Document> parse_strict(std::string_view bytes, std::string_view source,
                              const Limits& limits = {});

// Whether parse_strict fills Document::positions. The index costs about as much memory as the
// value tree itself (one map entry per value); callers that only canonicalize skip it. Parse
// errors carry line:column either way.
enum class PositionIndex { full, none };

// As above; with PositionIndex::none, Document::positions stays empty. Errors: as above.
Result<Document> parse_strict(std::string_view bytes, std::string_view source, const Limits& limits,
                              PositionIndex index);

// As above, for bytes that start at `origin` in their file (a line of a JSON-lines file): the
// lines of positions and messages count from origin.line and byte offsets from origin.offset,
// so a message reads "SOURCE:LINE:COL" with the file's own line. Errors: as above.
Result<Document> parse_strict_at(std::string_view bytes, std::string_view source,
                                 const Position& origin, const Limits& limits = {},
                                 PositionIndex index = PositionIndex::full);

// Escapes one reference token for a JSON pointer (RFC 6901: ~ -> ~0, / -> ~1).
std::string pointer_token(std::string_view key);

}  // namespace otasign::json
