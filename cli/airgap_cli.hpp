#pragma once
// What the air-gap commands (request, ledger, bundle merge, sign --request) share in the CLI:
// where the ledger is when --ledger is not given, and how a wait for its lock is announced.

#include <filesystem>
#include <functional>
#include <string>

#include "core/result.hpp"

namespace otasign::cli {

// --ledger DIR, else $XDG_DATA_HOME/otasign, else $HOME/.local/share/otasign.
// Errors: Usage when neither variable is set and no --ledger was given.
Result<std::filesystem::path> ledger_dir(const std::string& option);

// Says on stderr that otasign waits for `lock_path`, held by another otasign writing `what`.
std::function<void()> announce_wait(const std::filesystem::path& lock_path,
                                    const std::string& what);

}  // namespace otasign::cli
