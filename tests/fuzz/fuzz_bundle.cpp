// Signature bundle parsing on arbitrary bytes: parse_bundle accepts or refuses with an error,
// and what it accepts serializes to bytes that parse to the same serialization.

#include "envelope/bundle.hpp"
#include "fuzz.hpp"

using namespace otasign;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto bundle = envelope::parse_bundle(fuzz::bytes(data, size), "fuzz.sig");
    if (!bundle.ok()) return 0;
    const std::string bytes = envelope::serialize_bundle(*bundle);
    auto again = envelope::parse_bundle(bytes, "serialized.sig");
    if (!again.ok()) fuzz::broken("a serialized bundle does not parse");
    if (envelope::serialize_bundle(*again) != bytes) fuzz::broken("bundle round trip changed it");
    for (const auto& e : bundle->signatures) (void)envelope::open_entry_self(e, "fuzz.sig");
    return 0;
}
