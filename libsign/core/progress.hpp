#pragma once
// Progress of long library work (hashing gigabytes of artifacts), reported to whoever wants to
// draw it. libsign never draws: the CLI turns these calls into a bar on a terminal.

#include <cstdint>
#include <functional>
#include <string_view>

namespace otasign {

// Called with the bytes done so far out of `total` (both over the whole job, not one file) and
// what is being worked on now (e.g. an artifact path). `done` never decreases; a last call has
// done == total. An empty function means nobody is watching.
using ProgressFn =
    std::function<void(std::uint64_t done, std::uint64_t total, std::string_view label)>;

}  // namespace otasign
