#pragma once
// `sign --request`: the signing request and the workstation ledger it is judged against. The
// rules are libsign's (airgap/request.hpp, airgap/ledger.hpp); this file gathers their inputs
// for cmd_sign.cpp and words the ledger's part of the review screen.

#include <filesystem>
#include <optional>
#include <string>

#include "airgap/ledger.hpp"
#include "airgap/request.hpp"
#include "core/result.hpp"

namespace otasign::cli {

struct SignRequestMode {
    airgap::SigningRequest request;
    std::filesystem::path dir;       // the ledger
    std::filesystem::path response;  // where the response bundle goes (never overwritten)
    airgap::Ledger ledger;           // as read before the review
    airgap::SignCheck check;         // the ledger's verdict before the key (no key id yet)
    std::string previous_label;      // how the review screen names the base of the diff
};

// Reads and checks the request, finds the ledger and reads it (without writing anything).
// Errors: InvalidInput (request, existing response), BadSignature (ledger), Usage.
Result<SignRequestMode> open_sign_request(const std::string& request_path,
                                          const std::string& ledger_option,
                                          const std::string& response_option);

// Applies the ledger's rules to the request's manifest; when the ledger has a base for it,
// `previous` becomes the ledger's copy (the diff is against it). Returns the review screen's
// ledger lines. Errors: PolicyViolation (the ledger refuses).
Result<std::string> ledger_verdict(SignRequestMode& rq, const manifest::LoadedManifest& next,
                                   std::optional<manifest::LoadedManifest>& previous);

// Under the ledger lock: the ledger is still as reviewed, and `key_id` has not signed this
// manifest here. Errors: PolicyViolation, BadSignature, Io.
Status recheck_ledger(const SignRequestMode& rq, const manifest::LoadedManifest& next,
                      const std::string& key_id);

}  // namespace otasign::cli
