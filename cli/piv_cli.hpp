#pragma once
// Shared by the PIV commands (token, key generate/attest/verify-attestation, ceremony): the
// operator UI, secrets from --*-source or the terminal, the management key choice and where the
// shipped attestation roots are.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "core/result.hpp"
#include "core/secret.hpp"
#include "core/ui.hpp"
#include "piv/device.hpp"
#include "piv/keygen.hpp"

namespace otasign::cli::piv_cli {

// The terminal when there is one, else stderr (questions are then refused).
std::unique_ptr<OperatorUi> make_ui();

// A secret from `source` (fd:N | file:PATH) or, without one, from the terminal.
// Errors: Usage, InvalidInput, Declined.
Result<SecretBuffer> obtain_secret(const std::string& source, OperatorUi& ui,
                                   const std::string& prompt);

// A new secret: from `source`, or typed twice on the terminal. Errors: as obtain_secret, Usage
// (mismatch).
Result<SecretBuffer> obtain_new_secret(const std::string& source, OperatorUi& ui,
                                       const std::string& what);

struct ManagementKey {
    piv::ManagementKeyKind kind = piv::ManagementKeyKind::factory_default;
    SecretBuffer key;  // only for `supplied`
};
// --management-key-source: "default", "protected", fd:N or file:PATH (32, 48 or 64 hex digits,
// for AES-128, 3DES/AES-192 or AES-256 as the card reports); empty
// means "protected" when the card says its key is PIN-protected, else the default key.
Result<ManagementKey> obtain_management_key(const std::string& source,
                                            const piv::TokenStatus& status, OperatorUi& ui);

// DATADIR/otasign/roots of the install prefix, as compiled in (named in --help).
std::string installed_roots_dir();

// The Yubico roots installed with otasign (ceremony/roots in the source tree), at the path
// compiled in as OTASIGN_ROOTS_DIR (DATADIR/otasign/roots of the install prefix). A build tree
// has none until installed: pass --roots there. Errors: InvalidInput when it is missing.
Result<std::filesystem::path> default_roots_dir();

}  // namespace otasign::cli::piv_cli
