#pragma once
// Secrets for PIV administration (PIN, PUK, management key) from a source the operator names:
// fd:N (a descriptor the caller opened) or file:PATH (a file only its owner can read). Never
// argv, never the environment. One line is read; a trailing CR/LF is dropped.

#include <string_view>

#include "core/result.hpp"
#include "core/secret.hpp"

namespace otasign::piv {

// Reads one secret line from "fd:N" or "file:PATH". Errors: Usage (bad spec), InvalidInput
// (unreadable, empty, too long, a file others can read).
Result<SecretBuffer> read_secret_source(std::string_view spec);

// A 3DES management key from 48 hex digits held in `hex` (wiped by the caller).
// Errors: InvalidInput.
Result<SecretBuffer> management_key_from_hex(const SecretBuffer& hex);

}  // namespace otasign::piv
