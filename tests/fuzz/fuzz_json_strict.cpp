// The strict JSON reader on arbitrary bytes: it returns one value or an error with a position,
// never crashes, and the positions it indexes lie inside the input.

#include "fuzz.hpp"
#include "json/strict.hpp"

using namespace otasign;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto in = fuzz::bytes(data, size);
    json::Limits limits;
    limits.max_depth = 32;  // exercised at a depth libFuzzer's short inputs reach
    auto doc = json::parse_strict(in, "fuzz.json", limits);
    if (!doc.ok()) {
        if (doc.error().detail.rfind("fuzz.json:", 0) != 0) fuzz::broken("error without a source");
        return 0;
    }
    for (const auto& [pointer, pos] : doc->positions) {
        if (pos.offset >= size) fuzz::broken("a value's position lies outside the input");
        (void)doc->position_of(pointer + "/x");
    }
    auto lenient = json::parse_strict(in, "fuzz.json", limits, json::PositionIndex::none);
    if (!lenient.ok() || lenient->value != doc->value)
        fuzz::broken("the position index changed what was parsed");
    return 0;
}
