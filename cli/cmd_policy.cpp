// otasign policy init|add-key|threshold|show: editing the trust policy. Every write replaces
// the file atomically and only after the edited policy re-validated.

#include <filesystem>
#include <iostream>
#include <optional>

#include "core/atomic_file.hpp"
#include "exit_codes.hpp"
#include "policy/policy.hpp"
#include "registry.hpp"

namespace otasign::cli {
namespace {

Result<policy::Policy> load_policy_file(const std::string& path) {
    OTASIGN_ASSIGN_OR_RETURN(std::string bytes, read_file(path));
    return policy::parse_policy(bytes, path);
}

CommandGroup g(40, [](CLI::App& app, int& exit_code) {
    CLI::App* group = subcommand_group(app, "policy", "Create, edit and show a trust policy");

    struct Args {
        std::string path, role = "manifest", pem, name, token_serial;
        std::uint32_t threshold = 1;
    };
    auto args = std::make_shared<Args>();

    CLI::App* init = group->add_subcommand(
        "init", "Create an empty trust policy (both roles empty, threshold 1)");
    init->add_option("POLICY", args->path, "Policy file to create (never overwritten)")->required();
    init->footer("Exit 3 when POLICY exists.\nExample:\n  otasign policy init policy.json");
    init->callback([args, &exit_code] {
        if (std::filesystem::exists(args->path)) {
            exit_code = report(
                make_error(ErrorCode::InvalidInput,
                           args->path + " exists; policy init never overwrites a policy",
                           "edit it with 'otasign policy add-key' and 'otasign policy threshold'"));
            return;
        }
        auto st = write_file_atomic(
            args->path, policy::serialize_policy(policy::empty_policy_document()), Overwrite::no);
        if (!st) {
            exit_code = report(st.error());
            return;
        }
        std::cout << "created " << args->path << "\n";
    });

    CLI::App* add = group->add_subcommand("add-key", "Add a public key to a role");
    add->add_option("POLICY", args->path, "Policy file")->required();
    add->add_option("--role", args->role, "manifest (OTA manifest-signing authority) or release")
        ->required()
        ->check(CLI::IsMember({"manifest", "release"}));
    add->add_option("--public-key", args->pem, "PEM public key file (SubjectPublicKeyInfo)")
        ->required();
    add->add_option("--name", args->name,
                    "Name shown in verification results (default: start of the key id)");
    add->add_option("--token-serial", args->token_serial,
                    "Only accept signatures made on the token with this serial");
    add->footer(
        "Example:\n  otasign policy add-key policy.json --role manifest --public-key alice.pem "
        "--name alice");
    add->callback([args, &exit_code] {
        auto run = [&]() -> Status {
            OTASIGN_ASSIGN_OR_RETURN(policy::Policy current, load_policy_file(args->path));
            OTASIGN_ASSIGN_OR_RETURN(std::string pem, read_file(args->pem, 64 * 1024));
            OTASIGN_ASSIGN_OR_RETURN(policy::Role role, policy::role_from_name(args->role));
            std::optional<std::string> serial;
            if (!args->token_serial.empty()) serial = args->token_serial;
            OTASIGN_ASSIGN_OR_RETURN(
                json::Value doc,
                policy::add_key(current.document, role, pem, args->name, serial, args->pem));
            OTASIGN_TRY(
                write_file_atomic(args->path, policy::serialize_policy(doc), Overwrite::yes));
            OTASIGN_ASSIGN_OR_RETURN(envelope::PublicKey key,
                                     envelope::public_key_from_pem(pem, args->pem));
            std::cout << "added key " << key.key_id << " (" << envelope::sig_alg_name(key.alg)
                      << ") to role " << args->role << " in " << args->path << "\n";
            return ok_status();
        };
        if (auto st = run(); !st) exit_code = report(st.error());
    });

    CLI::App* thr =
        group->add_subcommand("threshold", "Set how many distinct keys of a role must sign");
    thr->add_option("POLICY", args->path, "Policy file")->required();
    thr->add_option("--role", args->role, "manifest or release")
        ->required()
        ->check(CLI::IsMember({"manifest", "release"}));
    thr->add_option("N", args->threshold, "Number of distinct keys (1..number of keys in the role)")
        ->required();
    thr->footer("Example:\n  otasign policy threshold policy.json --role manifest 2");
    thr->callback([args, &exit_code] {
        auto run = [&]() -> Status {
            OTASIGN_ASSIGN_OR_RETURN(policy::Policy current, load_policy_file(args->path));
            OTASIGN_ASSIGN_OR_RETURN(policy::Role role, policy::role_from_name(args->role));
            OTASIGN_ASSIGN_OR_RETURN(
                json::Value doc,
                policy::set_threshold(current.document, role, args->threshold, args->path));
            OTASIGN_TRY(
                write_file_atomic(args->path, policy::serialize_policy(doc), Overwrite::yes));
            std::cout << "role " << args->role << " now needs " << args->threshold
                      << " distinct key(s)\n";
            return ok_status();
        };
        if (auto st = run(); !st) exit_code = report(st.error());
    });

    auto show_json = std::make_shared<bool>(false);
    CLI::App* show = group->add_subcommand("show", "Validate a policy and describe it");
    show->add_option("POLICY", args->path, "Policy file")->required();
    show->add_flag("--json", *show_json, "Print the validated policy document as JSON");
    show->footer("Example:\n  otasign policy show policy.json");
    show->callback([args, show_json, &exit_code] {
        auto p = load_policy_file(args->path);
        if (!p) {
            exit_code = report(p.error());
            return;
        }
        std::cout << (*show_json ? policy::serialize_policy(p->document) : policy::describe(*p));
    });
});

}  // namespace
}  // namespace otasign::cli
