#pragma once
// Which kind of otasign document some bytes are, judged by shape alone (the members each
// schema requires), so that a file given in the wrong place can be named for what it is:
// "release-2.json is a release manifest, not a trust policy". Nothing here validates.

#include <string_view>

#include "core/result.hpp"

namespace otasign::json {

enum class DocumentKind {
    unknown,
    manifest,
    policy,
    bundle,
    evidence_log,
    ceremony_record,
    ceremony_log,
};

// "a release manifest", "a trust policy", "a signature bundle", "an evidence log",
// "a ceremony record", "a ceremony log"; "an unrecognised document" for unknown.
const char* document_kind_name(DocumentKind kind) noexcept;

// The kind whose required members the document (or, for an evidence log, its first line) has:
// manifest {schemaVersion, release, artifacts}, policy {policyVersion, roles}, bundle
// {mediaType, signatures}, evidence log line {entryVersion, index, prev, signature}, ceremony
// record {payload_type, payload, signatures}, ceremony log line {index, prev, record,
// record_sha256}. unknown when none fits or the JSON is broken.
DocumentKind recognise_document(std::string_view bytes);

// For bytes that failed to read as `expected`: when they have the shape of another kind, an
// InvalidInput error "SOURCE is a release manifest, not a trust policy" (what the file is, and
// what was expected, instead of what the reader of `expected` tripped over); else `error`.
// Every reader of an otasign document passes its failures through this.
Error name_other_kind(Error error, std::string_view bytes, std::string_view source,
                      DocumentKind expected);

}  // namespace otasign::json
