#include "piv_cli.hpp"

#include "pkcs11/pin_source.hpp"
#include "tty_ui.hpp"

namespace otasign::cli::piv_cli {

std::unique_ptr<OperatorUi> make_ui() {
    auto tty = TtyUi::open();
    if (tty.ok()) return std::move(tty).value();
    return std::make_unique<StderrUi>();
}

namespace {
// The pkcs11 concern's PIN source (fd:N or file:PATH, one line, files others can read refused).
Result<SecretBuffer> read_source(const std::string& spec, OperatorUi& ui) {
    OTASIGN_ASSIGN_OR_RETURN(auto source, pkcs11::PinSource::parse(spec));
    return source.read(ui);
}
}  // namespace

Result<SecretBuffer> obtain_secret(const std::string& source, OperatorUi& ui,
                                   const std::string& prompt) {
    if (!source.empty()) return read_source(source, ui);
    return ui.request_secret(prompt);
}

Result<SecretBuffer> obtain_new_secret(const std::string& source, OperatorUi& ui,
                                       const std::string& what) {
    if (!source.empty()) return read_source(source, ui);
    OTASIGN_ASSIGN_OR_RETURN(auto first, ui.request_secret("New " + what + ": "));
    OTASIGN_ASSIGN_OR_RETURN(auto second, ui.request_secret("Repeat the new " + what + ": "));
    if (!first.equals(second.bytes()))
        return make_error(ErrorCode::Usage, "the two " + what + " entries differ");
    return first;
}

Result<ManagementKey> obtain_management_key(const std::string& source,
                                            const piv::TokenStatus& status, OperatorUi& ui) {
    ManagementKey out;
    if (source == "default") return out;
    if (source == "protected" ||
        (source.empty() && status.management_key_mode == piv::ManagementKeyMode::pin_protected)) {
        out.kind = piv::ManagementKeyKind::pin_protected;
        return out;
    }
    if (source.empty()) return out;
    OTASIGN_ASSIGN_OR_RETURN(auto hex, read_source(source, ui));
    OTASIGN_ASSIGN_OR_RETURN(out.key, piv::management_key_from_hex(hex));
    out.kind = piv::ManagementKeyKind::supplied;
    return out;
}

Result<std::filesystem::path> default_roots_dir() {
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        // build/cli/otasign -> <source>/ceremony/roots, for a build tree inside the checkout.
        auto dir = exe.parent_path();
        for (int up = 0; up < 4 && !dir.empty(); ++up, dir = dir.parent_path()) {
            auto candidate = dir / "ceremony" / "roots";
            if (std::filesystem::is_directory(candidate, ec)) return candidate;
        }
        auto installed = exe.parent_path().parent_path() / "share" / "otasign" / "roots";
        if (std::filesystem::is_directory(installed, ec)) return installed;
    }
    return make_error(ErrorCode::InvalidInput,
                      "cannot find otasign's attestation roots (ceremony/roots)",
                      "pass --roots DIR");
}

}  // namespace otasign::cli::piv_cli
