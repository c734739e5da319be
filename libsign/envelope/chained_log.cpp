#include "envelope/chained_log.hpp"

#include "core/digest.hpp"
#include "json/canonical.hpp"

namespace otasign::envelope {

std::string ChainedLog::next_prev() const {
    return lines.empty() ? std::string(kGenesisPrev) : sha256_hex(lines.back());
}

Result<ChainedLog> parse_chained_lines(std::string_view bytes, std::string_view source,
                                       Schema schema) {
    ChainedLog log;
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
        OTASIGN_TRY(validate_schema(doc, schema, line_source));
        log.lines.emplace_back(line);
        log.docs.push_back(std::move(doc));
    }
    return log;
}

Status check_chain(const ChainedLog& log, std::string_view source) {
    std::string prev(kGenesisPrev);
    for (std::size_t i = 0; i < log.docs.size(); ++i) {
        std::string where = std::string(source) + ":" + std::to_string(i + 1);
        std::uint64_t index = log.docs[i].value["index"].get<std::uint64_t>();
        const std::string claimed = log.docs[i].value["prev"].get<std::string>();
        if (index != i)
            return make_error(ErrorCode::BadSignature, where + ": broken chain: index " +
                                                           std::to_string(index) + ", expected " +
                                                           std::to_string(i));
        if (claimed != prev)
            return make_error(ErrorCode::BadSignature,
                              where + ": broken chain: prev is " + claimed +
                                  " but the previous line hashes to " + prev,
                              "a line before this one was changed, removed or reordered");
        prev = sha256_hex(log.lines[i]);
    }
    return ok_status();
}

Result<ChainedLog> read_chained_log(std::string_view bytes, std::string_view source,
                                    Schema schema) {
    OTASIGN_ASSIGN_OR_RETURN(ChainedLog log, parse_chained_lines(bytes, source, schema));
    OTASIGN_TRY(check_chain(log, source));
    return log;
}

std::string next_chained_line(const ChainedLog& log, json::Value entry) {
    entry["index"] = static_cast<std::uint64_t>(log.lines.size());
    entry["prev"] = log.next_prev();
    return json::canonicalize(entry);
}

}  // namespace otasign::envelope
