#include "envelope/evidence_log.hpp"

#include "json/canonical.hpp"

namespace otasign::envelope {
namespace {

// A log entry holds "the signature object exactly as in the bundle": all six members.
bool same_signature(const SignatureEntry& a, const SignatureEntry& b) {
    return a.payload_type == b.payload_type && a.payload == b.payload && a.key_id == b.key_id &&
           a.algorithm == b.algorithm && a.public_key_pem == b.public_key_pem &&
           a.signature == b.signature;
}

// Every line's members, its signature object decoded (base64 as in a bundle), and its statement
// opened with the entry's own key (or why it could not be). Errors: InvalidInput.
Result<std::vector<EvidenceEntry>> read_entries(const ChainedLog& chain, std::string_view source) {
    std::vector<EvidenceEntry> entries;
    for (std::size_t i = 0; i < chain.docs.size(); ++i) {
        const json::Document& doc = chain.docs[i];
        const json::Value& v = doc.value;
        std::string line_source = std::string(source) + " line " + std::to_string(i + 1);
        EvidenceEntry e;
        e.entry_version = v["entryVersion"].get<int>();
        e.index = v["index"].get<std::uint64_t>();
        e.prev = v["prev"].get<std::string>();
        if (v.contains("recorded")) e.recorded = v["recorded"].get<std::string>();
        e.manifest_path = v["manifestPath"].get<std::string>();
        e.bundle_path = v["bundlePath"].get<std::string>();
        OTASIGN_ASSIGN_OR_RETURN(e.signature,
                                 entry_from_json(doc, v["signature"], "/signature", line_source));
        entries.push_back(std::move(e));
    }
    for (std::size_t i = 0; i < entries.size(); ++i) {
        auto st = open_entry_self(entries[i].signature,
                                  std::string(source) + " line " + std::to_string(i + 1));
        if (st)
            entries[i].statement = std::move(st).value();
        else
            entries[i].signature_error = st.error().detail;
    }
    return entries;
}

// The position rules of one entry whose signature verified: version-2 entries copy their
// statement's `log` member, and no version-1 entry follows a version-2 one.
std::optional<Error> position_problem(const EvidenceEntry& e, bool seen_v2,
                                      const std::string& where) {
    if (e.entry_version == 1) {
        if (seen_v2)
            return make_error(ErrorCode::BadSignature,
                              where + ": a version-1 entry after a version-2 entry",
                              "version-1 entries commit to no position; none may follow a "
                              "version-2 entry (an entry was inserted or replaced)");
        if (e.statement->log)
            return make_error(ErrorCode::BadSignature,
                              where + ": a version-2 statement in a version-1 entry");
        return std::nullopt;
    }
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
        return mismatch("bundlePath", "'" + e.bundle_path + "'", "'" + pos->bundle_path + "'");
    return std::nullopt;
}

Error signature_failure(const EvidenceEntry& e, const std::string& where) {
    return make_error(ErrorCode::BadSignature, where + ": " + e.signature_error,
                      "an entry's signature must verify with the key it carries");
}

}  // namespace

std::string_view evidence_check_name(EvidenceCheck check) {
    switch (check) {
        case EvidenceCheck::journal:
            return "journal";
        case EvidenceCheck::nonempty:
            return "nonempty";
        case EvidenceCheck::chain:
            return "chain";
        case EvidenceCheck::entry_signature:
            return "entry-signature";
        case EvidenceCheck::entry_position:
            return "entry-position";
        case EvidenceCheck::policy_signer:
            return "policy-signer";
        case EvidenceCheck::bundle_recorded:
            return "bundle-recorded";
    }
    return "unknown";
}

Result<EvidenceLog> read_evidence_log(std::string_view bytes, std::string_view source) {
    OTASIGN_ASSIGN_OR_RETURN(ChainedLog chain,
                             parse_chained_lines(bytes, source, Schema::evidence_entry));
    OTASIGN_ASSIGN_OR_RETURN(std::vector<EvidenceEntry> entries, read_entries(chain, source));
    OTASIGN_TRY(check_chain(chain, source));
    bool seen_v2 = false;
    for (const EvidenceEntry& e : entries) {
        std::string where = std::string(source) + ":" + std::to_string(e.index + 1);
        if (!e.statement) {
            if (e.entry_version == 1) continue;  // kept for `evidence show`
            return signature_failure(e, where);
        }
        if (auto p = position_problem(e, seen_v2, where)) return *p;
        seen_v2 = seen_v2 || e.entry_version == 2;
    }
    EvidenceLog log;
    log.chain = std::move(chain);
    log.entries = std::move(entries);
    return log;
}

Result<EvidenceVerdict> verify_evidence_log(
    std::string_view bytes, std::string_view source, const std::vector<RecordedBundle>& bundles,
    const std::function<bool(std::string_view key_id)>& signer_known) {
    EvidenceVerdict v;
    auto fail = [&](EvidenceCheck check, Error error) {
        v.failure = EvidenceFailure{check, std::move(error)};
        return std::move(v);
    };
    OTASIGN_ASSIGN_OR_RETURN(ChainedLog chain,
                             parse_chained_lines(bytes, source, Schema::evidence_entry));
    OTASIGN_ASSIGN_OR_RETURN(std::vector<EvidenceEntry> entries, read_entries(chain, source));
    v.log.chain = std::move(chain);
    v.log.entries = std::move(entries);
    if (v.log.entries.empty())
        return fail(EvidenceCheck::nonempty,
                    make_error(ErrorCode::BadSignature,
                               std::string(source) + " is empty: otasign never writes an empty log",
                               "the log was truncated; restore it from a backup"));
    if (auto st = check_chain(v.log.chain, source); !st)
        return fail(EvidenceCheck::chain, std::move(st).error());
    bool seen_v2 = false;
    for (const EvidenceEntry& e : v.log.entries) {
        std::string where = std::string(source) + ":" + std::to_string(e.index + 1);
        if (!e.statement) return fail(EvidenceCheck::entry_signature, signature_failure(e, where));
        if (auto p = position_problem(e, seen_v2, where))
            return fail(EvidenceCheck::entry_position, std::move(*p));
        seen_v2 = seen_v2 || e.entry_version == 2;
        if (signer_known && !signer_known(e.statement->key_id))
            return fail(EvidenceCheck::policy_signer,
                        make_error(ErrorCode::PolicyViolation,
                                   where + ": signer key " + e.statement->key_id +
                                       " is not a key of the trust policy"));
    }
    for (const RecordedBundle& b : bundles) {
        std::size_t skipped = 0;
        if (auto st = check_bundle_recorded(v.log, source, b.bundle, b.source, &skipped); !st)
            return fail(EvidenceCheck::bundle_recorded, std::move(st).error());
        v.found.push_back(b.bundle.signatures.size() - skipped);
        v.not_checked.push_back(skipped);
    }
    return v;
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
