#include "envelope/evidence_log.hpp"

#include "core/digest.hpp"
#include "envelope/schema_check.hpp"
#include "json/canonical.hpp"

namespace otasign::envelope {

std::string EvidenceLog::next_prev() const {
    return lines.empty() ? std::string(kGenesisPrev) : sha256_hex(lines.back());
}

std::string evidence_line(const EvidenceEntry& e) {
    json::Value v = {{"entryVersion", 1},
                     {"index", e.index},
                     {"prev", e.prev},
                     {"recorded", e.recorded},
                     {"manifestPath", e.manifest_path},
                     {"bundlePath", e.bundle_path},
                     {"signature", entry_to_json(e.signature)}};
    return json::canonicalize(v);
}

Result<EvidenceLog> read_evidence_log(std::string_view bytes, std::string_view source) {
    EvidenceLog log;
    log.bytes = std::string(bytes);
    std::size_t start = 0;
    std::uint64_t line_no = 0;
    while (start < bytes.size()) {
        ++line_no;
        std::size_t nl = bytes.find('\n', start);
        std::string where = std::string(source) + ":" + std::to_string(line_no);
        if (nl == std::string_view::npos)
            return make_error(ErrorCode::InvalidInput,
                              where + ": the last line has no line feed (truncated write?)");
        std::string_view line = bytes.substr(start, nl - start);
        start = nl + 1;
        std::string line_source = std::string(source) + " line " + std::to_string(line_no);
        OTASIGN_ASSIGN_OR_RETURN(json::Document doc, json::parse_strict(line, line_source));
        if (json::canonicalize(doc.value) != line)
            return make_error(ErrorCode::InvalidInput,
                              where + ": the line is not in RFC 8785 canonical form");
        OTASIGN_TRY(validate_schema(doc, Schema::evidence_entry, line_source));
        EvidenceEntry e;
        e.index = doc.value["index"].get<std::uint64_t>();
        e.prev = doc.value["prev"].get<std::string>();
        e.recorded = doc.value["recorded"].get<std::string>();
        e.manifest_path = doc.value["manifestPath"].get<std::string>();
        e.bundle_path = doc.value["bundlePath"].get<std::string>();
        OTASIGN_ASSIGN_OR_RETURN(
            e.signature, entry_from_json(doc, doc.value["signature"], "/signature", line_source));
        if (e.index != log.entries.size())
            return make_error(ErrorCode::BadSignature, where + ": broken chain: index " +
                                                           std::to_string(e.index) + ", expected " +
                                                           std::to_string(log.entries.size()));
        if (e.prev != log.next_prev())
            return make_error(ErrorCode::BadSignature,
                              where + ": broken chain: prev is " + e.prev +
                                  " but the previous line hashes to " + log.next_prev(),
                              "a line before this one was changed, removed or reordered");
        log.lines.emplace_back(line);
        log.entries.push_back(std::move(e));
    }
    return log;
}

std::string append_evidence(const EvidenceLog& log, EvidenceEntry entry) {
    entry.index = log.entries.size();
    entry.prev = log.next_prev();
    return log.bytes + evidence_line(entry) + "\n";
}

}  // namespace otasign::envelope
