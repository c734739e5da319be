#include "airgap_cli.hpp"

#include <cstdlib>
#include <iostream>

#include "terminal_text.hpp"

namespace otasign::cli {

Result<std::filesystem::path> ledger_dir(const std::string& option) {
    if (!option.empty()) return std::filesystem::path(option);
    if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg == '/')
        return std::filesystem::path(xdg) / "otasign";
    if (const char* home = std::getenv("HOME"); home && *home == '/')
        return std::filesystem::path(home) / ".local" / "share" / "otasign";
    return make_error(ErrorCode::Usage, "no ledger: neither $XDG_DATA_HOME nor $HOME is set",
                      "pass --ledger DIR");
}

std::function<void()> announce_wait(const std::filesystem::path& lock_path,
                                    const std::string& what) {
    return [lock_path, what] {
        std::cerr << "otasign: waiting for " << terminal_safe(lock_path.string())
                  << ": another otasign is writing " << terminal_safe(what) << "\n";
    };
}

}  // namespace otasign::cli
