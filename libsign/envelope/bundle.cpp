#include "envelope/bundle.hpp"

#include "envelope/pae.hpp"
#include "envelope/schema_check.hpp"
#include "json/canonical.hpp"
#include "json/kind.hpp"

namespace otasign::envelope {

std::string entry_pae(const SignatureEntry& e) { return pae(e.payload_type, e.payload); }

json::Value entry_to_json(const SignatureEntry& e) {
    return json::Value{{"payloadType", e.payload_type},
                       {"payload", base64_encode(e.payload)},
                       {"keyid", e.key_id},
                       {"algorithm", e.algorithm},
                       {"publicKey", e.public_key_pem},
                       {"sig", base64_encode(e.signature)}};
}

Result<SignatureEntry> entry_from_json(const json::Document& doc, const json::Value& v,
                                       const std::string& pointer, std::string_view source) {
    SignatureEntry e;
    e.payload_type = v.at("payloadType").get<std::string>();
    e.key_id = v.at("keyid").get<std::string>();
    e.algorithm = v.at("algorithm").get<std::string>();
    e.public_key_pem = v.at("publicKey").get<std::string>();
    for (const char* field : {"payload", "sig"}) {
        auto decoded = base64_decode(v.at(field).get<std::string>());
        std::string p = pointer + "/" + field;
        if (!decoded)
            return make_error(ErrorCode::InvalidInput, json::where(source, doc.position_of(p)) +
                                                           ": " + decoded.error().detail +
                                                           " (at JSON pointer " + p + ")");
        (std::string_view(field) == "payload" ? e.payload : e.signature) =
            std::move(decoded).value();
    }
    return e;
}

namespace {
Result<Bundle> read_bundle(std::string_view bytes, std::string_view source) {
    if (bytes.size() > kMaxBundleBytes)
        return make_error(ErrorCode::InvalidInput,
                          std::string(source) + ": a signature bundle of " +
                              std::to_string(bytes.size()) + " bytes, over the bound of " +
                              std::to_string(kMaxBundleBytes),
                          "a bundle holds at most " + std::to_string(kMaxBundleSignatures) +
                              " signatures (SIGNATURE-FORMAT.md)");
    OTASIGN_ASSIGN_OR_RETURN(json::Document doc, json::parse_strict(bytes, source));
    // Counted before the schema, which would otherwise look at every one of them.
    if (doc.value.is_object() && doc.value.contains("signatures") &&
        doc.value["signatures"].is_array() && doc.value["signatures"].size() > kMaxBundleSignatures)
        return make_error(
            ErrorCode::InvalidInput,
            json::where(source, doc.position_of("/signatures")) + ": " +
                std::to_string(doc.value["signatures"].size()) + " signatures, over the bound of " +
                std::to_string(kMaxBundleSignatures) + " (at JSON pointer /signatures)");
    OTASIGN_TRY(validate_schema(doc, Schema::signature_bundle, source));
    Bundle bundle;
    const auto& sigs = doc.value["signatures"];
    for (std::size_t i = 0; i < sigs.size(); ++i) {
        OTASIGN_ASSIGN_OR_RETURN(
            SignatureEntry e,
            entry_from_json(doc, sigs[i], "/signatures/" + std::to_string(i), source));
        bundle.signatures.push_back(std::move(e));
    }
    return bundle;
}
}  // namespace

Result<Bundle> parse_bundle(std::string_view bytes, std::string_view source) {
    auto r = read_bundle(bytes, source);
    if (!r)
        return json::name_other_kind(std::move(r).error(), bytes, source,
                                     json::DocumentKind::bundle);
    return r;
}

std::string serialize_bundle(const Bundle& bundle) {
    std::string out =
        "{\"mediaType\":" + json::canonicalize(json::Value(std::string(kBundleMediaType))) +
        ",\"signatures\":[\n";
    for (std::size_t i = 0; i < bundle.signatures.size(); ++i) {
        if (i) out += ",\n";
        out += json::canonicalize(entry_to_json(bundle.signatures[i]));
    }
    out += "\n]}\n";
    return out;
}

Result<Statement> open_entry(const SignatureEntry& entry, const PublicKey& key,
                             std::string_view source) {
    if (entry.payload_type != kStatementPayloadType)
        return make_error(
            ErrorCode::BadSignature,
            std::string(source) + ": unexpected payload type '" + entry.payload_type + "'");
    OTASIGN_TRY(verify_signature(key, entry_pae(entry), entry.signature));
    OTASIGN_ASSIGN_OR_RETURN(Statement st,
                             parse_statement(entry.payload, std::string(source) + " (statement)"));
    if (st.key_id != key.key_id)
        return make_error(ErrorCode::BadSignature,
                          std::string(source) + ": the statement names signer key " + st.key_id +
                              " but the signature is by key " + key.key_id);
    if (st.algorithm != sig_alg_name(key.alg))
        return make_error(ErrorCode::BadSignature,
                          std::string(source) + ": the statement names algorithm " + st.algorithm +
                              " but the key's algorithm is " + sig_alg_name(key.alg));
    return st;
}

Result<Statement> open_entry_self(const SignatureEntry& entry, std::string_view source) {
    OTASIGN_ASSIGN_OR_RETURN(
        PublicKey key,
        public_key_from_pem(entry.public_key_pem, std::string(source) + " publicKey"));
    // A signature object names its signer twice; opened with its own key, both must agree
    // (SIGNATURE-FORMAT.md 5a step 2), or an auditor's view of the signer could be another key's.
    if (entry.key_id != key.key_id)
        return make_error(ErrorCode::BadSignature, std::string(source) + ": keyid " + entry.key_id +
                                                       " is not the id of its publicKey (" +
                                                       key.key_id + ")");
    return open_entry(entry, key, source);
}

Status check_cosign(const Bundle& existing, std::string_view manifest_sha256, const PublicKey& key,
                    std::string_view source) {
    for (std::size_t i = 0; i < existing.signatures.size(); ++i) {
        std::string where = std::string(source) + " signature " + std::to_string(i);
        OTASIGN_ASSIGN_OR_RETURN(PublicKey embedded,
                                 public_key_from_pem(existing.signatures[i].public_key_pem, where));
        auto st = open_entry(existing.signatures[i], embedded, where);
        if (!st)
            return make_error(st.error().code, st.error().detail,
                              "refusing to add a signature to a bundle that does not verify");
        // A signature object names exactly the key that verified it (SIGNATURE-FORMAT.md 5a
        // step 2): verify would not count this one, so it is not extended either.
        if (existing.signatures[i].key_id != embedded.key_id)
            return make_error(ErrorCode::BadSignature,
                              where + ": keyid " + existing.signatures[i].key_id +
                                  " is not the id of its publicKey (" + embedded.key_id + ")",
                              "refusing to add a signature to a bundle that does not verify");
        if (st->manifest_sha256 != manifest_sha256)
            return make_error(
                ErrorCode::PolicyViolation,
                where + " signs the manifest sha256:" + st->manifest_sha256 +
                    ", not this manifest (sha256:" + std::string(manifest_sha256) + ")",
                "the bundle belongs to another manifest; pass --signature with a new path");
        if (embedded.key_id == key.key_id)
            return make_error(ErrorCode::PolicyViolation,
                              where + " is already by this key (" + key.key_id + ")",
                              "a co-signature must come from a second key");
    }
    return ok_status();
}

}  // namespace otasign::envelope
