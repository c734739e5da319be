// The evidence log on arbitrary bytes: read_evidence_log accepts a well-chained log or refuses
// it; a log it accepts reads again the same, and a version-2 signature, which commits to its own
// position, can never be recorded a second time at the end.

#include "envelope/evidence_log.hpp"
#include "fuzz.hpp"

using namespace otasign;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto log = envelope::read_evidence_log(fuzz::bytes(data, size), "fuzz.log");
    if (!log.ok()) return 0;
    if (log->entries.size() != log->chain.lines.size()) fuzz::broken("entries and lines differ");
    auto again = envelope::read_evidence_log(log->chain.bytes, "again.log");
    if (!again.ok() || again->entries.size() != log->entries.size())
        fuzz::broken("an accepted log does not read again the same");
    if (log->entries.empty()) return 0;
    const envelope::EvidenceEntry& last = log->entries.back();
    if (last.entry_version == 2 && envelope::append_evidence(*log, last.signature).ok())
        fuzz::broken("a version-2 signature was recorded twice");
    return 0;
}
