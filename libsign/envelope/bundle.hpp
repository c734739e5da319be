#pragma once
// The detached signature bundle (default MANIFEST.sig): a list of DSSE-style signatures, each
// over its own signed statement. Format: schemas/SIGNATURE-FORMAT.md.

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "envelope/keys.hpp"
#include "envelope/pae.hpp"
#include "envelope/statement.hpp"
#include "json/strict.hpp"

namespace otasign::envelope {

inline constexpr std::string_view kBundleMediaType =
    "application/vnd.enigm.otasign.bundle+json;version=1";

// Bounds on a bundle (SIGNATURE-FORMAT.md section 5): beyond them a bundle is malformed input,
// refused before any signature is checked, so foreign signatures cannot make a verifier work
// for minutes.
inline constexpr std::size_t kMaxBundleSignatures = 256;
inline constexpr std::size_t kMaxBundleBytes = 8u * 1024 * 1024;

// One signature. The embedded public key lets an auditor (and `evidence verify`) check the
// signature on its own; trust comes only from a policy, which never reads `algorithm` from here.
struct SignatureEntry {
    std::string payload_type;
    std::string payload;         // the statement's canonical bytes (decoded)
    std::string key_id;          // as claimed by the signer
    std::string algorithm;       // as claimed by the signer
    std::string public_key_pem;  // the signer's key
    std::string signature;       // DER for ECDSA, raw for RSA-PSS (decoded)
};

struct Bundle {
    std::vector<SignatureEntry> signatures;
};

json::Value entry_to_json(const SignatureEntry& e);
// Errors: InvalidInput naming `source` and `pointer` (where the entry sits).
Result<SignatureEntry> entry_from_json(const json::Document& doc, const json::Value& v,
                                       const std::string& pointer, std::string_view source);

// Parses a bundle strictly and checks its bounds, schema and base64. Does not verify anything.
// Errors: InvalidInput with "SOURCE:LINE:COL: ... (at JSON pointer P)", or naming the bound
// (over kMaxBundleBytes bytes, over kMaxBundleSignatures signatures).
Result<Bundle> parse_bundle(std::string_view bytes, std::string_view source);

// The bundle's bytes: one canonical signature per line, so appending a signature leaves the
// bytes of every earlier one untouched.
std::string serialize_bundle(const Bundle& bundle);

// Signs: builds the entry for `statement` by calling `sign` on the PAE bytes, then verifies
// the fresh signature with `key` before returning it (sign, then check).
// Errors: whatever `sign` returns; BadSignature when the fresh signature does not verify.
template <class SignFn>
Result<SignatureEntry> make_entry(const Statement& statement, const PublicKey& key, SignFn&& sign);

// Verifies `entry` with `key` (algorithm from `key`), then, and only then, parses its
// statement strictly and checks it names this key and algorithm.
// Errors: BadSignature (signature, payload type, signer mismatch), InvalidInput (statement).
Result<Statement> open_entry(const SignatureEntry& entry, const PublicKey& key,
                             std::string_view source);

// Opens `entry` with the public key embedded in it (for co-signing and the evidence log).
// Errors: as open_entry, InvalidInput for an unusable embedded key.
Result<Statement> open_entry_self(const SignatureEntry& entry, std::string_view source);

// Checks an existing bundle may take one more signature by `key` over the manifest whose
// canonical digest is `manifest_sha256`: every earlier signature verifies with its own key,
// names this manifest, and none is by `key`.
// Errors: BadSignature, PolicyViolation (other manifest, same key), InvalidInput.
Status check_cosign(const Bundle& existing, std::string_view manifest_sha256, const PublicKey& key,
                    std::string_view source);

// --- implementation of the template ---
std::string entry_pae(const SignatureEntry& e);
template <class SignFn>
Result<SignatureEntry> make_entry(const Statement& statement, const PublicKey& key, SignFn&& sign) {
    SignatureEntry e;
    e.payload_type = std::string(kStatementPayloadType);
    e.payload = statement_bytes(statement);
    e.key_id = key.key_id;
    e.algorithm = sig_alg_name(key.alg);
    e.public_key_pem = key.pem;
    Result<std::string> sig = sign(entry_pae(e));
    if (!sig) return std::move(sig).error();
    e.signature = std::move(sig).value();
    auto opened = open_entry(e, key, "the fresh signature");
    if (!opened)
        return make_error(ErrorCode::BadSignature,
                          "the token's signature does not verify with its own public key: " +
                              opened.error().detail,
                          "nothing was written; check that the key URI names one key pair");
    return e;
}

}  // namespace otasign::envelope
