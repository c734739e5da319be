#include "piv_touch_probe.hpp"

#include "piv/device.hpp"
#include "pkcs11/key.hpp"

namespace otasign::cli {

TouchRequirement probe_piv_touch(const std::string& key_uri, const std::string& module_path) {
    std::string key_id;
    {
        auto key = pkcs11::open_key(key_uri, pkcs11::KeyOptions{module_path});
        if (!key.ok()) return TouchRequirement::unknown;
        key_id = key->key_id();
    }  // the PKCS#11 session is closed before libykpiv opens the card
    if (key_id.empty()) return TouchRequirement::unknown;
    auto located = piv::locate_key(key_id);
    if (!located.ok() || !*located) return TouchRequirement::unknown;
    switch ((*located)->metadata.touch_policy) {
        case std::uint8_t(piv::TouchPolicy::always):
        case std::uint8_t(piv::TouchPolicy::cached):
            return TouchRequirement::always;
        case std::uint8_t(piv::TouchPolicy::never):
            return TouchRequirement::never;
        default:
            return TouchRequirement::unknown;  // "default" depends on the slot and firmware
    }
}

}  // namespace otasign::cli
