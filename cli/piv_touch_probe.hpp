#pragma once
// Whether the signing key wants a touch before each signature, for `otasign sign --touch auto`
// when the key is not on a card whose facts were already read (cli/piv_sign_evidence.hpp).

#include <string>

namespace otasign::cli {

enum class TouchRequirement { unknown, never, always };

// The key's public key (read through PKCS#11, no PIN) is looked up among the PIV cards' slots,
// and the slot's touch policy from GET METADATA decides; "cached" counts as always, since the
// card may ask. `unknown` when the key is on no connected PIV card or the slot says "default".
TouchRequirement probe_piv_touch(const std::string& key_uri, const std::string& module_path);

}  // namespace otasign::cli
