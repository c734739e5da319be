#pragma once
// Which kind of otasign document some bytes are, judged by shape alone (the members each
// schema requires), so that a file given in the wrong place can be named for what it is:
// "release-2.json is a release manifest, not a trust policy". Nothing here validates.

#include <string_view>

namespace otasign::json {

enum class DocumentKind { unknown, manifest, policy, bundle, evidence_log, ceremony_record };

// "a release manifest", "a trust policy", "a signature bundle", "an evidence log",
// "a ceremony record"; "an unrecognised document" for unknown.
const char* document_kind_name(DocumentKind kind) noexcept;

// The kind whose required members the document (or, for an evidence log, its first line) has:
// manifest {schemaVersion, release, artifacts}, policy {policyVersion, roles}, bundle
// {mediaType, signatures}, evidence log line {entryVersion, index, prev, signature}, ceremony
// record {payload_type, payload, signatures}. unknown when none fits or the JSON is broken.
DocumentKind recognise_document(std::string_view bytes);

}  // namespace otasign::json
