// Trust policy parsing on arbitrary bytes: parse_policy accepts or refuses with an error; an
// accepted policy can be described and written back, and what is written parses again.

#include "fuzz.hpp"
#include "policy/policy.hpp"

using namespace otasign;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto pol = policy::parse_policy(fuzz::bytes(data, size), "fuzz-policy.json");
    if (!pol.ok()) return 0;
    (void)policy::describe(*pol);
    auto again = policy::parse_policy(policy::serialize_policy(pol->document), "written.json");
    if (!again.ok()) fuzz::broken("a parsed policy, written back, does not parse");
    return 0;
}
