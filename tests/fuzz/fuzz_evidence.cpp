// The evidence log on arbitrary bytes: read_evidence_log accepts a well-chained log or refuses
// it; a log it accepts takes one more entry, and the result reads again with the chain intact.

#include "envelope/evidence_log.hpp"
#include "fuzz.hpp"

using namespace otasign;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto log = envelope::read_evidence_log(fuzz::bytes(data, size), "fuzz.log");
    if (!log.ok()) return 0;
    if (log->entries.size() != log->lines.size()) fuzz::broken("entries and lines differ");
    if (log->entries.empty()) return 0;
    // The last entry again: valid by construction, so only the chain can make it fail.
    const std::string grown = envelope::append_evidence(*log, log->entries.back());
    auto again = envelope::read_evidence_log(grown, "grown.log");
    if (!again.ok()) fuzz::broken("an appended log does not read back");
    if (again->entries.size() != log->entries.size() + 1) fuzz::broken("append lost an entry");
    return 0;
}
