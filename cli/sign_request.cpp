#include "sign_request.hpp"

#include <system_error>

#include "airgap_cli.hpp"
#include "core/atomic_file.hpp"
#include "terminal_text.hpp"

namespace otasign::cli {
namespace fs = std::filesystem;
namespace {

std::string describe(const manifest::LoadedManifest& m) {
    return terminal_safe(m.manifest.release.id) + " " + terminal_safe(m.manifest.release.version) +
           " (sha256:" + m.sha256_hex + ")";
}

}  // namespace

Result<SignLedger> open_sign_ledger(const std::string& ledger_option) {
    SignLedger lg;
    OTASIGN_ASSIGN_OR_RETURN(lg.dir, ledger_dir(ledger_option));
    OTASIGN_ASSIGN_OR_RETURN(lg.ledger, airgap::load_ledger(lg.dir));
    // The folders the ledger writes into (and its lock file) exist before anything is locked;
    // nothing is recorded until a signature is made.
    std::error_code ec;
    fs::create_directories(lg.dir / "manifests", ec);
    if (ec)
        return make_error(ErrorCode::Io,
                          "cannot create the ledger " + lg.dir.string() + ": " + ec.message(),
                          "pass --ledger DIR");
    return lg;
}

Result<SignRequestMode> open_sign_request(const std::string& request_path,
                                          const std::string& response_option) {
    SignRequestMode rq;
    OTASIGN_ASSIGN_OR_RETURN(std::string bytes, read_file(request_path, airgap::kMaxRequestBytes));
    OTASIGN_ASSIGN_OR_RETURN(rq.request, airgap::read_request(bytes, request_path));
    rq.response = response_option.empty() ? fs::path(request_path + ".response.sig")
                                          : fs::path(response_option);
    std::error_code ec;
    if (fs::symlink_status(rq.response, ec).type() != fs::file_type::not_found)
        return make_error(ErrorCode::InvalidInput,
                          rq.response.string() + " exists; a response is never overwritten",
                          "name another file with --response");
    return rq;
}

std::string request_line(const SignRequestMode& rq) {
    return "  request     " + terminal_safe(rq.request.pipeline_identity) + " on " +
           terminal_safe(rq.request.pipeline_host) + " at " + terminal_safe(rq.request.created) +
           " (claimed by the request)\n";
}

Result<std::string> ledger_verdict(SignLedger& lg, const manifest::LoadedManifest& next,
                                   const manifest::LoadedManifest* claimed,
                                   std::optional<manifest::LoadedManifest>& previous) {
    const auto claim =
        lg.claim_required ? airgap::PreviousClaim::request : airgap::PreviousClaim::operator_given;
    const char* whose = lg.claim_required ? "the request's previous" : "the --previous given";
    OTASIGN_ASSIGN_OR_RETURN(lg.check, airgap::check_sign(lg.ledger, next, claimed, "", claim));
    const std::string channel = manifest::channel_name(next.manifest.release.channel);
    std::string out = "  ledger      " + terminal_safe(lg.dir.string()) + ", " +
                      plural(lg.ledger.releases.size(), "release") + "\n";
    if (lg.check.base) {
        previous = lg.check.base->manifest;
        lg.previous_label = "the ledger's last release in " + channel;
        if (lg.check.mismatch)
            out += "  MISMATCH    " + std::string(whose) + " is " +
                   (claimed ? describe(*claimed) : std::string("none")) +
                   "\n              the ledger's is " + describe(lg.check.base->manifest) + "\n";
        else if (claimed)
            out += "  base        " + std::string(whose) + " is the ledger's last release in " +
                   channel + "\n";
        else
            out += "  base        the ledger's last release in " + channel + "\n";
    } else {
        lg.previous_label = !claimed ? ""
                            : lg.claim_required
                                ? "the request's previous release (not in the ledger)"
                                : "";
        out += "  base        the ledger holds no earlier release in " + channel +
               (claimed ? "; the diff is against " + std::string(whose) : std::string()) + "\n";
    }
    if (lg.check.cosign)
        out +=
            "  co-sign     this workstation signed this exact manifest before, with another "
            "key\n";
    return out;
}

Result<airgap::Ledger> recheck_ledger(const SignLedger& lg, const manifest::LoadedManifest& next,
                                      const manifest::LoadedManifest* claimed,
                                      const std::string& key_id) {
    OTASIGN_ASSIGN_OR_RETURN(airgap::Ledger now, airgap::load_ledger(lg.dir));
    if (!airgap::same_state(lg.ledger, now, next.sha256_hex))
        return make_error(ErrorCode::PolicyViolation,
                          "the ledger " + lg.dir.string() +
                              " changed while this manifest was being reviewed; nothing was signed",
                          "run sign again to review against the ledger as it is now");
    const auto claim =
        lg.claim_required ? airgap::PreviousClaim::request : airgap::PreviousClaim::operator_given;
    OTASIGN_TRY(airgap::check_sign(now, next, claimed, key_id, claim));
    return now;
}

}  // namespace otasign::cli
