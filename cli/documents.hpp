#pragma once
// The documents a command is given by name (manifests, trust policies, signature bundles), read
// whole and parsed, with the errors every command gives for them: the file's own problem, or,
// when the file is another kind of otasign document, which kind it is and where it belongs
// (name_wrong_kind). One place, so every command words a wrong file the same way.

#include <string>

#include "core/result.hpp"
#include "envelope/bundle.hpp"
#include "manifest/manifest.hpp"
#include "policy/policy.hpp"

namespace otasign::cli {

// What was read (`bytes`: some commands digest, store or compare them) and what it parsed to.
template <class T>
struct Document {
    std::string bytes;
    T value;
};

// PATH ("-": standard input) as a release manifest. Errors: Io, InvalidInput.
Result<Document<manifest::LoadedManifest>> read_manifest_document(const std::string& path);
// PATH as a trust policy. Errors: Io, InvalidInput.
Result<Document<policy::Policy>> read_policy_document(const std::string& path);
// PATH as a signature bundle. Errors: Io, InvalidInput.
Result<Document<envelope::Bundle>> read_bundle_document(const std::string& path);

}  // namespace otasign::cli
