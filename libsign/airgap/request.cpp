#include "airgap/request.hpp"

#include "core/digest.hpp"
#include "envelope/keys.hpp"
#include "envelope/schema_check.hpp"
#include "json/canonical.hpp"
#include "policy/manifest_checks.hpp"
#include "policy/policy.hpp"

namespace otasign::airgap {
namespace {

json::Value document_json(const manifest::LoadedManifest& m) {
    return {{"sha256", m.sha256_hex},
            {"size", m.canonical.size()},
            {"canonical", envelope::base64_encode(m.canonical)}};
}

// Step 5 of the verification algorithm (REQUEST-FORMAT.md section 2) for the embedded document
// at `pointer`.
Result<manifest::LoadedManifest> read_document(const json::Document& doc,
                                               const std::string& pointer,
                                               std::string_view source) {
    const json::Value& v = doc.value.at(json::Value::json_pointer(pointer));
    std::string at = json::where(source, doc.position_of(pointer + "/canonical"));
    auto bytes = envelope::base64_decode(v["canonical"].get<std::string>());
    if (!bytes)
        return make_error(ErrorCode::InvalidInput,
                          at + ": not valid base64 (at JSON pointer " + pointer + "/canonical)");
    if (bytes->size() != v["size"].get<std::uint64_t>())
        return make_error(ErrorCode::InvalidInput,
                          at + ": decodes to " + std::to_string(bytes->size()) +
                              " bytes, the request says " +
                              std::to_string(v["size"].get<std::uint64_t>()) +
                              " (at JSON pointer " + pointer + "/size)");
    if (sha256_hex(*bytes) != v["sha256"].get<std::string>())
        return make_error(ErrorCode::InvalidInput, at + ": the decoded bytes have SHA-256 " +
                                                       sha256_hex(*bytes) + ", the request says " +
                                                       v["sha256"].get<std::string>() +
                                                       " (at JSON pointer " + pointer + "/sha256)");
    std::string name = std::string(source) + pointer;
    auto loaded = manifest::load_manifest(*bytes, name);
    if (!loaded)
        return make_error(ErrorCode::InvalidInput,
                          "the manifest in " + std::string(source) + " at JSON pointer " + pointer +
                              " is not a valid manifest: " + loaded.error().detail,
                          "positions are in the decoded canonical bytes ('otasign request show "
                          "--json' prints them)");
    if (loaded->canonical != *bytes)
        return make_error(ErrorCode::InvalidInput,
                          at +
                              ": the embedded manifest is not in RFC 8785 canonical form (at JSON "
                              "pointer " +
                              pointer + "/canonical)",
                          "a request carries exactly the canonical bytes that are signed");
    return loaded;
}

// Whether `text` is a string strict JSON accepts (valid UTF-8, no noncharacter): the pipeline's
// identity and host are the only text in a request that was not read through the strict reader
// (canonicalize copies the bytes of a string as they are, escaping only what RFC 8785 escapes).
bool strict_text(const std::string& text) {
    return json::parse_strict(json::canonicalize(json::Value(text)), "text").ok();
}

}  // namespace

Result<std::string> policy_digest(std::string_view policy_bytes, std::string_view source) {
    OTASIGN_TRY(policy::parse_policy(policy_bytes, source));
    OTASIGN_ASSIGN_OR_RETURN(std::string canonical,
                             json::canonicalize_strict(policy_bytes, source));
    return sha256_hex(canonical);
}

Result<std::string> make_request(const RequestInputs& in) {
    // Characters are code points, as the schema's maxLength counts them (the text is UTF-8).
    auto characters = [](const std::string& s) {
        std::size_t n = 0;
        for (unsigned char c : s) n += (c & 0xC0) != 0x80;
        return n;
    };
    if (in.pipeline_identity.empty() || characters(in.pipeline_identity) > 256 ||
        characters(in.pipeline_host) > 256)
        return make_error(
            ErrorCode::Usage,
            "the pipeline identity must be 1 to 256 characters (the host at most 256)");
    if (!strict_text(in.pipeline_identity) || !strict_text(in.pipeline_host))
        return make_error(ErrorCode::Usage,
                          "the pipeline identity and host must be valid UTF-8 without Unicode "
                          "noncharacters (SIGNATURE-FORMAT.md section 0)");
    json::Value req = {
        {"mediaType", kRequestMediaType},
        {"manifest", document_json(*in.manifest)},
        {"pipeline", {{"identity", in.pipeline_identity}, {"host", in.pipeline_host}}},
        {"created", manifest::timestamp_from_unix(in.now.seconds).text}};
    if (in.previous) {
        if (in.previous->sha256_hex == in.manifest->sha256_hex)
            return make_error(
                ErrorCode::PolicyViolation,
                "the previous release " + in.previous_source + " is the manifest itself",
                "name the release this one replaces");
        OTASIGN_TRY(policy::check_version(*in.manifest, *in.previous));
        OTASIGN_TRY(policy::check_rollback(in.manifest->manifest,
                                           in.previous->manifest.rollback_index,
                                           "the previous release's, " + in.previous_source));
        req["previous"] = document_json(*in.previous);
    }
    if (in.policy_sha256) req["policySha256"] = *in.policy_sha256;
    std::string bytes = json::canonicalize(req) + "\n";
    // Check before writing: never a request that its own reader refuses.
    if (auto back = read_request(bytes, "the new request"); !back)
        return make_error(ErrorCode::InvalidInput,
                          "the request would not pass its own verification algorithm "
                          "(REQUEST-FORMAT.md section 2): " +
                              back.error().detail);
    return bytes;
}

Result<SigningRequest> read_request(std::string_view bytes, std::string_view source) {
    const std::string src(source);
    if (bytes.size() > kMaxRequestBytes)
        return make_error(ErrorCode::InvalidInput, src + ": over " +
                                                       std::to_string(kMaxRequestBytes) +
                                                       " bytes, the bound of a signing request");
    json::Limits limits;
    limits.max_bytes = kMaxRequestBytes;
    OTASIGN_ASSIGN_OR_RETURN(json::Document doc, json::parse_strict(bytes, source, limits));
    OTASIGN_TRY(envelope::validate_schema(doc, envelope::Schema::signing_request, source));
    SigningRequest req;
    req.created = doc.value["created"].get<std::string>();
    if (auto t = manifest::parse_rfc3339_utc(req.created); !t)
        return make_error(ErrorCode::InvalidInput,
                          json::where(source, doc.position_of("/created")) + ": " +
                              t.error().detail + " (at JSON pointer /created)");
    OTASIGN_ASSIGN_OR_RETURN(req.manifest, read_document(doc, "/manifest", source));
    if (doc.value.contains("previous")) {
        OTASIGN_ASSIGN_OR_RETURN(req.previous, read_document(doc, "/previous", source));
        const std::string at = json::where(source, doc.position_of("/previous"));
        if (req.previous->sha256_hex == req.manifest.sha256_hex)
            return make_error(ErrorCode::InvalidInput,
                              at + ": the previous release is the manifest itself (at JSON "
                                   "pointer /previous)");
        // Step 7: a previous release that is not older is a claimed rollback; request create
        // never writes one, and no reader accepts it.
        Status older = policy::check_version(req.manifest, *req.previous);
        if (older)
            older =
                policy::check_rollback(req.manifest.manifest, req.previous->manifest.rollback_index,
                                       "the previous release's");
        if (!older)
            return make_error(ErrorCode::InvalidInput,
                              at + ": the previous release is not older than the manifest: " +
                                  older.error().detail + " (at JSON pointer /previous)",
                              "a request's previous release must have a lower version and a "
                              "rollback index not above the manifest's");
    }
    if (doc.value.contains("policySha256"))
        req.policy_sha256 = doc.value["policySha256"].get<std::string>();
    req.pipeline_identity = doc.value["pipeline"]["identity"].get<std::string>();
    req.pipeline_host = doc.value["pipeline"]["host"].get<std::string>();
    req.sha256 = sha256_hex(bytes);
    return req;
}

Status check_request_policy(const SigningRequest& req, const std::string* policy_bytes,
                            std::string_view policy_source) {
    if (!req.policy_sha256) return ok_status();
    if (!policy_bytes)
        return make_error(ErrorCode::PolicyViolation,
                          "the request expects the trust policy sha256:" + *req.policy_sha256 +
                              " and no --policy was given; nothing was signed",
                          "pass the workstation's own policy with --policy");
    OTASIGN_ASSIGN_OR_RETURN(std::string mine, policy_digest(*policy_bytes, policy_source));
    if (mine != *req.policy_sha256)
        return make_error(ErrorCode::PolicyViolation,
                          "the request expects the trust policy sha256:" + *req.policy_sha256 +
                              ", but " + std::string(policy_source) + " is sha256:" + mine +
                              "; nothing was signed",
                          "the pipeline and the workstation disagree on the policy: find out "
                          "which one changed before signing");
    return ok_status();
}

}  // namespace otasign::airgap
