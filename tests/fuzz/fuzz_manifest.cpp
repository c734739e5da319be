// Manifest validation on arbitrary bytes: check_manifest reports problems with positions and
// never crashes; a manifest it accepts loads, and its canonical form loads to the same digest.

#include "fuzz.hpp"
#include "manifest/manifest.hpp"

using namespace otasign;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto in = fuzz::bytes(data, size);
    auto checked = manifest::check_manifest(in, "fuzz.json");
    if (!checked.ok()) fuzz::broken("check_manifest failed internally");
    for (const auto& p : checked->problems) (void)manifest::format_problem("fuzz.json", p);
    const bool valid = checked->problems.empty();
    auto loaded = manifest::load_checked(std::move(*checked), "fuzz.json");
    if (loaded.ok() != valid) fuzz::broken("load_checked disagrees with check_manifest");
    if (!loaded.ok()) return 0;
    auto reloaded = manifest::load_manifest(loaded->canonical, "canonical.json");
    if (!reloaded.ok()) fuzz::broken("the canonical form of a valid manifest does not load");
    if (reloaded->sha256_hex != loaded->sha256_hex) fuzz::broken("canonical digest changed");
    return 0;
}
