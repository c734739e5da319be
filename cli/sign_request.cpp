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

Result<SignRequestMode> open_sign_request(const std::string& request_path,
                                          const std::string& ledger_option,
                                          const std::string& response_option) {
    SignRequestMode rq;
    OTASIGN_ASSIGN_OR_RETURN(std::string bytes, read_file(request_path, airgap::kMaxRequestBytes));
    OTASIGN_ASSIGN_OR_RETURN(rq.request, airgap::read_request(bytes, request_path));
    OTASIGN_ASSIGN_OR_RETURN(rq.dir, ledger_dir(ledger_option));
    rq.response = response_option.empty() ? fs::path(request_path + ".response.sig")
                                          : fs::path(response_option);
    std::error_code ec;
    if (fs::symlink_status(rq.response, ec).type() != fs::file_type::not_found)
        return make_error(ErrorCode::InvalidInput,
                          rq.response.string() + " exists; a response is never overwritten",
                          "name another file with --response");
    OTASIGN_ASSIGN_OR_RETURN(rq.ledger, airgap::load_ledger(rq.dir));
    // The folders the ledger writes into (and its lock file) exist before anything is locked;
    // nothing from the request is written until it is signed.
    fs::create_directories(rq.dir / "manifests", ec);
    if (ec)
        return make_error(ErrorCode::Io,
                          "cannot create the ledger " + rq.dir.string() + ": " + ec.message());
    return rq;
}

Result<std::string> ledger_verdict(SignRequestMode& rq, const manifest::LoadedManifest& next,
                                   std::optional<manifest::LoadedManifest>& previous) {
    const auto* claimed = rq.request.previous ? &*rq.request.previous : nullptr;
    OTASIGN_ASSIGN_OR_RETURN(rq.check, airgap::check_sign(rq.ledger, next, claimed, ""));
    const std::string channel = manifest::channel_name(next.manifest.release.channel);
    std::string out = "  request     " + terminal_safe(rq.request.pipeline_identity) + " on " +
                      terminal_safe(rq.request.pipeline_host) + " at " +
                      terminal_safe(rq.request.created) + " (claimed by the request)\n";
    out += "  ledger      " + terminal_safe(rq.dir.string()) + ", " +
           plural(rq.ledger.releases.size(), "release") + "\n";
    if (rq.check.base) {
        previous = rq.check.base->manifest;
        rq.previous_label = "the ledger's last release in " + channel;
        if (rq.check.mismatch)
            out += "  MISMATCH    the request's previous is " +
                   (claimed ? describe(*claimed) : std::string("none")) +
                   "\n              the ledger's is " + describe(rq.check.base->manifest) + "\n";
        else
            out += "  base        the request's previous is the ledger's last release in " +
                   channel + "\n";
    } else {
        rq.previous_label = claimed ? "the request's previous release (not in the ledger)" : "";
        out += "  base        the ledger holds no earlier release in " + channel +
               (claimed ? "; the diff is against the request's previous" : std::string()) + "\n";
    }
    if (rq.check.cosign)
        out +=
            "  co-sign     this workstation signed this exact manifest before, with another "
            "key\n";
    return out;
}

Status recheck_ledger(const SignRequestMode& rq, const manifest::LoadedManifest& next,
                      const std::string& key_id) {
    OTASIGN_ASSIGN_OR_RETURN(airgap::Ledger now, airgap::load_ledger(rq.dir));
    if (!airgap::same_state(rq.ledger, now))
        return make_error(ErrorCode::PolicyViolation,
                          "the ledger " + rq.dir.string() +
                              " changed while this request was being reviewed; nothing was signed",
                          "run sign again to review against the ledger as it is now");
    const auto* claimed = rq.request.previous ? &*rq.request.previous : nullptr;
    OTASIGN_TRY(airgap::check_sign(now, next, claimed, key_id));
    return ok_status();
}

}  // namespace otasign::cli
