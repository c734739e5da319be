#pragma once
// What `sign` is judged against on the workstation: its ledger (every sign, with or without
// --request) and, for `sign --request`, the signing request. The rules are libsign's
// (airgap/request.hpp, airgap/ledger.hpp); this file gathers their inputs for cmd_sign.cpp and
// words the ledger's part of the review screen.

#include <filesystem>
#include <optional>
#include <string>

#include "airgap/ledger.hpp"
#include "airgap/request.hpp"
#include "core/result.hpp"

namespace otasign::cli {

// The workstation ledger as one sign sees it.
struct SignLedger {
    std::filesystem::path dir;
    airgap::Ledger ledger;       // as read before the review
    airgap::SignCheck check;     // the ledger's verdict before the key (no key id yet)
    std::string previous_label;  // how the review screen names the base of the diff
    // Whether the previous release is a pipeline's claim (sign --request), whose absence is
    // itself a mismatch when the ledger has a base; an operator's --previous is not.
    bool claim_required = false;
};

struct SignRequestMode {
    airgap::SigningRequest request;
    std::filesystem::path response;  // where the response bundle goes (never overwritten)
};

// Finds the ledger (--ledger, else the default) and reads it, creating its folders so that its
// lock can be taken; writes no file. Errors: BadSignature (ledger), Usage, Io.
Result<SignLedger> open_sign_ledger(const std::string& ledger_option);

// Reads and checks the request; the response must not exist yet.
// Errors: InvalidInput (request, existing response), Io.
Result<SignRequestMode> open_sign_request(const std::string& request_path,
                                          const std::string& response_option);

// Applies the ledger's rules to `next` with the claimed previous release (the request's, or
// the operator's --previous; null: none). When the ledger has a base for `next`, `previous`
// becomes the ledger's copy (the diff is against it). Returns the review screen's ledger lines.
// Errors: PolicyViolation (the ledger refuses).
Result<std::string> ledger_verdict(SignLedger& lg, const manifest::LoadedManifest& next,
                                   const manifest::LoadedManifest* claimed,
                                   std::optional<manifest::LoadedManifest>& previous);

// The review screen's line naming the request's origin (as the request claims it).
std::string request_line(const SignRequestMode& rq);

// Under the ledger lock: the ledger is still as reviewed, and `key_id` has not signed `next`
// here. Returns the ledger as it is now (what the commit writes against).
// Errors: PolicyViolation, BadSignature, Io.
Result<airgap::Ledger> recheck_ledger(const SignLedger& lg, const manifest::LoadedManifest& next,
                                      const manifest::LoadedManifest* claimed,
                                      const std::string& key_id);

}  // namespace otasign::cli
