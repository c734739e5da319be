#pragma once
// What `otasign sign` learns from the PIV card that holds the signing key, read without a PIN
// and before any PIN is sent: the slot's policies and origin (GET METADATA), the exact PIN retry
// count (GET METADATA 0x80), and the slot's attestation (ATTEST + the f9 certificate).

#include <optional>
#include <string>

#include "envelope/statement.hpp"
#include "piv_touch_probe.hpp"

namespace otasign::cli {

struct PivSigningFacts {
    std::string reader;
    envelope::PivEvidence evidence;
    std::optional<int> pin_retries_left;
    TouchRequirement touch = TouchRequirement::unknown;
};

// nullopt when the key is not on a connected PIV card (a SoftHSM token, no PC/SC service). The
// PKCS#11 session used to read the key id is closed before libykpiv opens the card.
std::optional<PivSigningFacts> piv_signing_facts(const std::string& key_uri,
                                                 const std::string& module_path);

}  // namespace otasign::cli
