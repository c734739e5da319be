#pragma once
// The release manifest: its typed model, its validation (JSON Schema plus semantic rules, all
// problems at once) and the one-shot loader that the rest of otasign uses, so a manifest is
// read once and exactly its canonical bytes are displayed, digested and signed.
// The format is specified in schemas/MANIFEST-FORMAT.md.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "json/strict.hpp"
#include "manifest/semver.hpp"
#include "manifest/timestamp.hpp"

namespace otasign::manifest {

// Ordered for widening checks: draft < validation < limited < stable. security is a separate
// protected channel (MANIFEST-FORMAT.md, "Channels").
enum class Channel { draft, validation, limited, stable, security };

const char* channel_name(Channel channel) noexcept;
// The channel named `name`, if it is one.
std::optional<Channel> channel_from_name(std::string_view name) noexcept;
// stable and security: they reach the general fleet, so they demand enrollment and attestation.
bool is_protected(Channel channel) noexcept;
// Largest rollout percentage a channel may authorize (draft 0, validation 5, limited 25, 100).
int max_rollout_percentage(Channel channel) noexcept;

struct Release {
    std::string id;
    std::string version;  // SemVer 2.0.0 text, as written
    SemVer semver;        // parsed `version`
    std::string build;
    Channel channel = Channel::draft;
};

struct Wave {
    std::string name;
    int percentage = 0;
    Timestamp start;
};

struct Rollout {
    int percentage = 0;              // maximum exposure this manifest authorizes
    std::optional<Timestamp> start;  // absent: from `created`
    std::vector<Wave> waves;         // empty: no staging
};

struct Eligibility {
    std::vector<std::string> models;
    std::optional<std::vector<std::string>> hardware;  // absent: every revision
    std::vector<std::string> from_builds;
    std::optional<std::vector<std::string>> regions;  // absent: every region
    bool enrollment_required = false;
    bool attestation_required = false;
};

struct Artifact {
    std::string path;
    std::string role;
    std::uint64_t size = 0;
    std::string sha256;                 // 64 lowercase hex
    std::optional<std::string> sha512;  // 128 lowercase hex
};

struct Manifest {
    int schema_version = 1;
    Release release;
    std::uint64_t rollback_index = 0;
    Timestamp created;
    Timestamp expires;
    Rollout rollout;
    Eligibility eligibility;
    std::vector<Artifact> artifacts;
};

// One thing wrong with a manifest. `rule` is stable and machine-readable: "json" (strict
// parsing), "schema.<keyword>" (JSON Schema), or a semantic rule name (MANIFEST-FORMAT.md).
struct Problem {
    std::string pointer;  // RFC 6901 JSON pointer, "" for the whole document
    json::Position position;
    std::string rule;
    std::string message;
};

// "SOURCE:LINE:COL: MESSAGE (at POINTER)" ("(at /)" stands for the document root).
std::string format_problem(std::string_view source, const Problem& problem);

// The embedded schemas/manifest.schema.json, byte for byte.
std::string_view schema_text() noexcept;

// Every schema and semantic problem of a parsed document, in document order; empty means
// valid. Errors: Internal if the embedded schema cannot be loaded (a build defect).
Result<std::vector<Problem>> validate(const json::Document& document);

// The typed model of a document that validate() accepted. Errors: InvalidInput if it was
// not valid (the detail names the first problem).
Result<Manifest> to_manifest(const json::Document& document);

struct Checked {
    std::optional<json::Document> document;  // absent when strict parsing failed
    std::vector<Problem> problems;           // the parse error, or all validation problems
};

// Parses `bytes` strictly and validates them, turning a parse error into a Problem (rule
// "json") so a caller can report every failure the same way. Errors: Internal (as validate).
Result<Checked> check_manifest(std::string_view bytes, std::string_view source,
                               const json::Limits& limits = {});

// A manifest read once: the parsed document, its model, its RFC 8785 canonical bytes and the
// SHA-256 of those bytes. Sign and display exactly `canonical`.
struct LoadedManifest {
    json::Document document;
    Manifest manifest;
    std::string canonical;
    std::string sha256_hex;  // of `canonical`, 64 lowercase hex
};

// parse_strict -> validate -> to_manifest -> canonicalize, once. `source` names the input in
// messages. Errors: InvalidInput naming SOURCE:LINE:COL and the pointer of the first problem
// (the hint says how many there are); Internal.
Result<LoadedManifest> load_manifest(std::string_view bytes, std::string_view source,
                                     const json::Limits& limits = {});

// The second half of load_manifest, for a caller that already ran check_manifest (e.g. to list
// every problem) and must not parse again. Errors: InvalidInput if `checked` has problems
// (as load_manifest); Internal.
Result<LoadedManifest> load_checked(Checked checked, std::string_view source);

}  // namespace otasign::manifest
