#pragma once
// What the PIV card that holds a signing key says about it, read without a PIN and before any
// PIN is sent: the slot's policies and origin (GET METADATA), the exact PIN retry count (GET
// METADATA 0x80), the firmware, and the slot's attestation (ATTEST + the f9 certificate).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "envelope/statement.hpp"

namespace otasign::signing {

// Whether the key wants a touch before each signature. `unknown` when no card says so (a key
// on no PIV card, or a slot whose touch policy is "default", which depends on slot and firmware).
enum class TouchRequirement { unknown, never, always };

// The touch requirement of a PIV slot's touch policy byte; "cached" counts as always, since the
// card may ask.
TouchRequirement touch_requirement(std::uint8_t touch_policy) noexcept;

struct PivFacts {
    std::string reader;
    // Slot, policies, origin, serial and firmware; the attestation when the card gave one.
    envelope::PivEvidence evidence;
    std::optional<int> pin_retries_left;
    TouchRequirement touch = TouchRequirement::unknown;
    // Why evidence.attestation is empty: TokenNotFound for an imported key (which has none, as
    // the evidence's origin "imported" says), another error when ATTEST or the f9 certificate
    // could not be read. A policy that requires attestation refuses either, naming this cause.
    std::optional<Error> attestation_unread;
};

// The facts of the card that holds the key whose canonical key id is `key_id`, through one
// libykpiv connection per reader searched (the card found is not opened again).
// nullopt is the normal outcome for a key on no PIV card: a SoftHSM or other token, no reader,
// no PC/SC service. An error means a card holds the key but its status (firmware, PIN retry
// count) could not be read: the caller refuses to sign, since otasign never sends a PIN to a
// PIV card whose retry count it does not know (it could be the final try). Errors: TokenError.
Result<std::optional<PivFacts>> read_piv_facts(std::string_view key_id);

}  // namespace otasign::signing
