// RFC 8785 canonicalization of whatever the strict reader accepts: the canonical bytes parse
// again, and canonicalizing them changes nothing (canon(canon(x)) == canon(x)).

#include "fuzz.hpp"
#include "json/canonical.hpp"
#include "json/strict.hpp"

using namespace otasign;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto doc =
        json::parse_strict(fuzz::bytes(data, size), "fuzz.json", {}, json::PositionIndex::none);
    if (!doc.ok()) return 0;
    const std::string canon = json::canonicalize(doc->value);
    auto again = json::parse_strict(canon, "canonical.json", {}, json::PositionIndex::none);
    if (!again.ok()) fuzz::broken("canonical bytes do not parse strictly");
    if (json::canonicalize(again->value) != canon) fuzz::broken("canon(canon(x)) != canon(x)");
    return 0;
}
