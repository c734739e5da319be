// otasign policy require-attestation: make a role accept only signatures whose statement carries
// a PIV attestation of the signing key that chains to roots embedded in the policy, so `verify`
// needs nothing beside the policy file.

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "commands.hpp"
#include "core/atomic_file.hpp"
#include "core/words.hpp"
#include "exit_codes.hpp"
#include "piv/attestation.hpp"
#include "policy/policy.hpp"

namespace otasign::cli {
namespace {
namespace fs = std::filesystem;

struct Args {
    std::string path, role = "manifest", roots_dir;
    std::vector<std::string> root_files, intermediate_files;
    std::vector<std::string> pin_policies = {"always"}, touch_policies = {"always"};
};

// The *.pem files of a folder, sorted so the policy bytes do not depend on directory order.
std::vector<fs::path> pem_files(const fs::path& dir) {
    std::vector<fs::path> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.is_regular_file() && e.path().extension() == ".pem") out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

Status add_pems(const std::vector<fs::path>& files, std::vector<std::string>& out) {
    for (const auto& f : files) {
        OTASIGN_ASSIGN_OR_RETURN(std::string text, read_file(f, 1 << 20));
        OTASIGN_TRY(piv::read_pem_certificates(text, f.string()));  // reject non-certificates
        out.push_back(std::move(text));
    }
    return ok_status();
}

Status run(const Args& a) {
    OTASIGN_ASSIGN_OR_RETURN(std::string bytes, read_file(a.path));
    OTASIGN_ASSIGN_OR_RETURN(policy::Policy current, policy::parse_policy(bytes, a.path));
    OTASIGN_ASSIGN_OR_RETURN(policy::Role role, policy::role_from_name(a.role));
    std::vector<std::string> roots, intermediates;
    if (!a.roots_dir.empty()) {
        if (!fs::is_directory(a.roots_dir))
            return make_error(ErrorCode::InvalidInput, a.roots_dir + " is not a folder");
        OTASIGN_TRY(add_pems(pem_files(a.roots_dir), roots));
        OTASIGN_TRY(add_pems(pem_files(fs::path(a.roots_dir) / "intermediates"), intermediates));
    }
    OTASIGN_TRY(add_pems({a.root_files.begin(), a.root_files.end()}, roots));
    OTASIGN_TRY(
        add_pems({a.intermediate_files.begin(), a.intermediate_files.end()}, intermediates));
    policy::AttestationRequirement req;
    req.pin_policies = a.pin_policies;
    req.touch_policies = a.touch_policies;
    OTASIGN_ASSIGN_OR_RETURN(
        json::Value doc,
        policy::require_attestation(current.document, role, req, roots, intermediates, a.path));
    OTASIGN_TRY(write_file_atomic(a.path, policy::serialize_policy(doc), Overwrite::yes));
    std::cout << "role " << a.role << " now requires a PIV attestation (origin generated, "
              << plural(roots.size(), "root file") << ") in " << a.path << "\n";
    return ok_status();
}

}  // namespace

void add_policy_attestation_command(CLI::App& parent, int& exit_code) {
    CLI::App* group = &parent;
    auto a = std::make_shared<Args>();
    CLI::App* cmd = group->add_subcommand(
        "require-attestation",
        "Make a role count only signatures by PIV keys attested as generated on the card");
    cmd->add_option("POLICY", a->path, "Policy file (rewritten atomically)")->required();
    cmd->add_option("--role", a->role, "manifest or release")
        ->required()
        ->check(CLI::IsMember({"manifest", "release"}));
    cmd->add_option("--roots", a->roots_dir,
                    "Folder of attestation root certificates (*.pem; intermediates/*.pem as "
                    "intermediates), embedded in the policy");
    cmd->add_option("--root", a->root_files, "Root certificate PEM file (repeatable)");
    cmd->add_option("--intermediate", a->intermediate_files,
                    "Intermediate CA certificate PEM file (repeatable)");
    cmd->add_option("--pin-policy", a->pin_policies, "Accepted PIN policies (default: always)")
        ->check(CLI::IsMember({"never", "once", "always", "match-once", "match-always"}))
        ->delimiter(',');
    cmd->add_option("--touch-policy", a->touch_policies,
                    "Accepted touch policies (default: always)")
        ->check(CLI::IsMember({"never", "always", "cached"}))
        ->delimiter(',');
    cmd->footer(
        "The roots replace any earlier attestationRoots. verify then counts a signature for the "
        "role only if\n"
        "its statement carries an attestation of the signing key that chains to one of them and "
        "shows\n"
        "origin generated and the accepted policies. Exit 3 for an unreadable certificate.\n"
        "Example:\n  otasign policy require-attestation policy.json --role manifest "
        "--roots /usr/share/otasign/attestation-roots --touch-policy always,cached");
    cmd->callback([a, &exit_code] {
        if (a->roots_dir.empty() && a->root_files.empty()) {
            exit_code = report(make_error(ErrorCode::Usage, "give --roots DIR or --root PEM"));
            return;
        }
        if (auto st = run(*a); !st) exit_code = report(st.error());
    });
}

}  // namespace otasign::cli
