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

std::string installed_roots_dir() { return OTASIGN_ROOTS_DIR; }

Result<std::filesystem::path> default_roots_dir() {
    // One place, fixed when otasign was built: never a folder found by searching, which would
    // let whoever can create a folder there choose the roots.
    const std::filesystem::path installed = installed_roots_dir();
    std::error_code ec;
    if (std::filesystem::is_directory(installed, ec)) return installed;
    return make_error(ErrorCode::InvalidInput,
                      "otasign's attestation roots are not installed at " + installed.string(),
                      "pass --roots DIR (in a source checkout: --roots ceremony/roots)");
}

}  // namespace otasign::cli::piv_cli
