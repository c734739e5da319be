#include "envelope/evidence_log.hpp"

#include "json/canonical.hpp"
#include "json/kind.hpp"

namespace otasign::envelope {
namespace {

bool same_signature(const SignatureEntry& a, const SignatureEntry& b) {
    return a.payload_type == b.payload_type && a.payload == b.payload &&
           a.signature == b.signature && a.public_key_pem == b.public_key_pem;
}

}  // namespace

namespace {
Result<EvidenceLog> read_log(std::string_view bytes, std::string_view source) {
    OTASIGN_ASSIGN_OR_RETURN(ChainedLog chain,
                             read_chained_log(bytes, source, Schema::evidence_entry));
    EvidenceLog log;
    bool seen_v2 = false;
    for (std::size_t i = 0; i < chain.docs.size(); ++i) {
        const json::Document& doc = chain.docs[i];
        const json::Value& v = doc.value;
        std::string line_source = std::string(source) + " line " + std::to_string(i + 1);
        std::string where = std::string(source) + ":" + std::to_string(i + 1);
        EvidenceEntry e;
        e.entry_version = v["entryVersion"].get<int>();
        e.index = v["index"].get<std::uint64_t>();
        e.prev = v["prev"].get<std::string>();
        if (v.contains("recorded")) e.recorded = v["recorded"].get<std::string>();
        e.manifest_path = v["manifestPath"].get<std::string>();
        e.bundle_path = v["bundlePath"].get<std::string>();
        OTASIGN_ASSIGN_OR_RETURN(e.signature,
                                 entry_from_json(doc, v["signature"], "/signature", source));
        auto st = open_entry_self(e.signature, line_source);
        if (st) {
            e.statement = std::move(st).value();
        } else {
            e.signature_error = st.error().detail;
        }
        if (e.entry_version == 1) {
            if (seen_v2)
                return make_error(ErrorCode::BadSignature,
                                  where + ": a version-1 entry after a version-2 entry",
                                  "version-1 entries commit to no position; none may follow a "
                                  "version-2 entry (an entry was inserted or replaced)");
            if (e.statement && e.statement->log)
                return make_error(ErrorCode::BadSignature,
                                  where + ": a version-2 statement in a version-1 entry");
        } else {
            seen_v2 = true;
            if (!e.statement)
                return make_error(ErrorCode::BadSignature, where + ": " + e.signature_error,
                                  "a version-2 entry must carry a valid signature");
            const std::optional<LogPosition>& pos = e.statement->log;
            if (!pos)
                return make_error(ErrorCode::BadSignature,
                                  where + ": a version-1 statement in a version-2 entry");
            auto mismatch = [&](const std::string& member, const std::string& line_value,
                                const std::string& signed_value) {
                return make_error(ErrorCode::BadSignature,
                                  where + ": " + member + " is " + line_value +
                                      " but the signed statement says " + signed_value,
                                  "the entry was edited, moved, inserted or a line before it "
                                  "was removed; every later entry would have to be re-signed");
            };
            if (pos->index != e.index)
                return mismatch("index", std::to_string(e.index), std::to_string(pos->index));
            if (pos->previous_entry_sha256 != e.prev)
                return mismatch("prev", e.prev, pos->previous_entry_sha256);
            if (pos->manifest_path != e.manifest_path)
                return mismatch("manifestPath", "'" + e.manifest_path + "'",
                                "'" + pos->manifest_path + "'");
            if (pos->bundle_path != e.bundle_path)
                return mismatch("bundlePath", "'" + e.bundle_path + "'",
                                "'" + pos->bundle_path + "'");
        }
        log.entries.push_back(std::move(e));
    }
    log.chain = std::move(chain);
    return log;
}
}  // namespace

Result<EvidenceLog> read_evidence_log(std::string_view bytes, std::string_view source) {
    auto r = read_log(bytes, source);
    if (!r)
        return json::name_other_kind(std::move(r).error(), bytes, source,
                                     json::DocumentKind::evidence_log);
    return r;
}

LogPosition next_log_position(const EvidenceLog& log, std::string manifest_path,
                              std::string bundle_path) {
    return LogPosition{log.entries.size(), log.next_prev(), std::move(manifest_path),
                       std::move(bundle_path)};
}

Result<std::string> append_evidence(const EvidenceLog& log, const SignatureEntry& signature) {
    OTASIGN_ASSIGN_OR_RETURN(Statement st, open_entry_self(signature, "the new signature"));
    if (!st.log || st.log->index != log.entries.size() ||
        st.log->previous_entry_sha256 != log.next_prev())
        return make_error(ErrorCode::Internal,
                          "the new signature does not commit to the log's next position");
    json::Value v = {{"entryVersion", kEntryVersion},
                     {"manifestPath", st.log->manifest_path},
                     {"bundlePath", st.log->bundle_path},
                     {"signature", entry_to_json(signature)}};
    return log.chain.bytes + next_chained_line(log.chain, std::move(v)) + "\n";
}

Status check_bundle_recorded(const EvidenceLog& log, std::string_view log_source,
                             const Bundle& bundle, std::string_view bundle_source,
                             std::size_t* skipped) {
    if (skipped) *skipped = 0;
    for (std::size_t i = 0; i < bundle.signatures.size(); ++i) {
        std::string where = std::string(bundle_source) + " signature " + std::to_string(i);
        OTASIGN_ASSIGN_OR_RETURN(Statement st, open_entry_self(bundle.signatures[i], where));
        if (!st.log) {
            if (skipped) ++*skipped;
            continue;
        }
        const std::uint64_t at = st.log->index;
        if (at >= log.entries.size())
            return make_error(
                ErrorCode::PolicyViolation,
                where + " commits to entry " + std::to_string(at) + " of its evidence log, but " +
                    std::string(log_source) + " has only " + std::to_string(log.entries.size()) +
                    " entries",
                "the log was truncated or is not the log this signature was recorded in");
        if (!same_signature(log.entries[at].signature, bundle.signatures[i]))
            return make_error(
                ErrorCode::PolicyViolation,
                where + " commits to entry " + std::to_string(at) + " of its evidence log, but " +
                    std::string(log_source) + " entry " + std::to_string(at) +
                    " holds another signature",
                "the entry was removed or replaced, or this is not the log the signature was "
                "recorded in");
    }
    return ok_status();
}

}  // namespace otasign::envelope
