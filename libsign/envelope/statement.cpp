#include "envelope/statement.hpp"

#include "envelope/schema_check.hpp"
#include "json/canonical.hpp"

namespace otasign::envelope {

const char* approval_method_name(ApprovalMethod m) noexcept {
    return m == ApprovalMethod::approve_flag ? "approve-flag" : "terminal-digest-suffix";
}

json::Value statement_to_json(const Statement& s) {
    json::Value token = {{"manufacturer", s.approval.token.manufacturer},
                         {"model", s.approval.token.model},
                         {"serial", s.approval.token.serial},
                         {"label", s.approval.token.label}};
    json::Value approval = {{"operator", s.approval.operator_name},
                            {"time", s.approval.time},
                            {"method", approval_method_name(s.approval.method)},
                            {"token", token},
                            {"keyLabel", s.approval.key_label},
                            {"pinStatus", s.approval.pin_status},
                            {"tool", s.approval.tool},
                            {"host", s.approval.host}};
    approval["pinRetriesLeft"] = s.approval.pin_retries_left
                                     ? json::Value(*s.approval.pin_retries_left)
                                     : json::Value(nullptr);
    if (const auto& p = s.approval.piv) {
        json::Value piv = {
            {"slot", p->slot},     {"pinPolicy", p->pin_policy}, {"touchPolicy", p->touch_policy},
            {"origin", p->origin}, {"serial", p->serial},        {"firmware", p->firmware}};
        if (p->attestation) piv["attestation"] = *p->attestation;
        approval["piv"] = piv;
    }
    if (!s.approval.accepted_risks.empty()) approval["acceptedRisks"] = s.approval.accepted_risks;
    json::Value shown = {{"textSha256", s.shown_text_sha256}};
    if (s.shown_diff_sha256) shown["diffSha256"] = *s.shown_diff_sha256;
    json::Value out = {
        {"statementVersion", s.statement_version()},
        {"manifest", {{"sha256", s.manifest_sha256}, {"size", s.manifest_size}}},
        {"release",
         {{"id", s.release_id}, {"version", s.release_version}, {"channel", s.release_channel}}},
        {"shown", shown},
        {"signer", {{"keyId", s.key_id}, {"algorithm", s.algorithm}}},
        {"approval", approval}};
    if (s.previous_sha256) out["previousManifest"] = {{"sha256", *s.previous_sha256}};
    if (s.log)
        out["log"] = {{"index", s.log->index},
                      {"previousEntrySha256", s.log->previous_entry_sha256},
                      {"manifestPath", s.log->manifest_path},
                      {"bundlePath", s.log->bundle_path}};
    return out;
}

std::string statement_bytes(const Statement& s) { return json::canonicalize(statement_to_json(s)); }

Result<Statement> parse_statement(std::string_view bytes, std::string_view source) {
    OTASIGN_ASSIGN_OR_RETURN(json::Document doc, json::parse_strict(bytes, source));
    if (json::canonicalize(doc.value) != bytes)
        return make_error(
            ErrorCode::InvalidInput,
            std::string(source) + ": the statement is not in RFC 8785 canonical form");
    OTASIGN_TRY(validate_schema(doc, Schema::statement, source));
    const json::Value& v = doc.value;
    Statement s;
    s.manifest_sha256 = v["manifest"]["sha256"].get<std::string>();
    s.manifest_size = v["manifest"]["size"].get<std::uint64_t>();
    s.release_id = v["release"]["id"].get<std::string>();
    s.release_version = v["release"]["version"].get<std::string>();
    s.release_channel = v["release"]["channel"].get<std::string>();
    if (v.contains("previousManifest"))
        s.previous_sha256 = v["previousManifest"]["sha256"].get<std::string>();
    s.shown_text_sha256 = v["shown"]["textSha256"].get<std::string>();
    if (v["shown"].contains("diffSha256"))
        s.shown_diff_sha256 = v["shown"]["diffSha256"].get<std::string>();
    s.key_id = v["signer"]["keyId"].get<std::string>();
    s.algorithm = v["signer"]["algorithm"].get<std::string>();
    const json::Value& a = v["approval"];
    s.approval.operator_name = a["operator"].get<std::string>();
    s.approval.time = a["time"].get<std::string>();
    s.approval.method = a["method"] == "approve-flag" ? ApprovalMethod::approve_flag
                                                      : ApprovalMethod::terminal_digest_suffix;
    s.approval.token.manufacturer = a["token"]["manufacturer"].get<std::string>();
    s.approval.token.model = a["token"]["model"].get<std::string>();
    s.approval.token.serial = a["token"]["serial"].get<std::string>();
    s.approval.token.label = a["token"]["label"].get<std::string>();
    s.approval.key_label = a["keyLabel"].get<std::string>();
    if (!a["pinRetriesLeft"].is_null())
        s.approval.pin_retries_left = a["pinRetriesLeft"].get<std::int64_t>();
    s.approval.pin_status = a["pinStatus"].get<std::string>();
    s.approval.tool = a["tool"].get<std::string>();
    s.approval.host = a["host"].get<std::string>();
    if (a.contains("acceptedRisks"))
        for (const auto& c : a["acceptedRisks"])
            s.approval.accepted_risks.push_back(c.get<std::string>());
    if (a.contains("piv")) {
        const json::Value& p = a["piv"];
        PivEvidence piv;
        piv.slot = p["slot"].get<std::string>();
        piv.pin_policy = p["pinPolicy"].get<std::string>();
        piv.touch_policy = p["touchPolicy"].get<std::string>();
        piv.origin = p["origin"].get<std::string>();
        piv.serial = p["serial"].get<std::uint32_t>();
        piv.firmware = p["firmware"].get<std::string>();
        if (p.contains("attestation")) piv.attestation = p["attestation"].get<std::string>();
        s.approval.piv = std::move(piv);
    }
    if (v["statementVersion"].get<int>() == 2) {
        const json::Value& l = v["log"];
        s.log = LogPosition{
            l["index"].get<std::uint64_t>(), l["previousEntrySha256"].get<std::string>(),
            l["manifestPath"].get<std::string>(), l["bundlePath"].get<std::string>()};
    }
    return s;
}

}  // namespace otasign::envelope
