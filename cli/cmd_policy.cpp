// otasign policy init|add-key|threshold|upgrade|channel|show: editing the trust policy. Every write
// replaces the file atomically and only after the edited policy re-validated.

#include <filesystem>
#include <iostream>
#include <optional>

#include "commands.hpp"
#include "core/atomic_file.hpp"
#include "core/words.hpp"
#include "documents.hpp"
#include "exit_codes.hpp"
#include "options.hpp"
#include "policy/policy.hpp"

namespace otasign::cli {
namespace {

Result<policy::Policy> load_policy_file(const std::string& path) {
    OTASIGN_ASSIGN_OR_RETURN(Document<policy::Policy> p, read_policy_document(path));
    return std::move(p.value);
}

struct PolicyArgs {
    std::string path, role = "manifest", pem, name, token_serial;
    std::uint32_t threshold = 1;
};

}  // namespace

void add_policy_edit_commands(CLI::App& parent, int& exit_code) {
    CLI::App* group = &parent;
    auto args = std::make_shared<PolicyArgs>();

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
                json::Value doc, policy::add_key(current.document, role, pem, args->name, serial,
                                                 input_name(args->pem)));
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
        ->required()
        ->check(non_negative_integer(64));
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
            std::cout << "role " << args->role << " now needs "
                      << plural(args->threshold, "distinct key") << "\n";
            return ok_status();
        };
        if (auto st = run(); !st) exit_code = report(st.error());
    });

    CLI::App* upg = group->add_subcommand(
        "upgrade", "Rewrite a policyVersion 1 policy as version 2 (adds channel rules, none set)");
    upg->add_option("POLICY", args->path, "Policy file")->required();
    upg->footer(
        "Verifiers older than policyVersion 2 refuse the upgraded file: upgrade them first.\n"
        "Example:\n  otasign policy upgrade policy.json");
    upg->callback([args, &exit_code] {
        auto run = [&]() -> Status {
            OTASIGN_ASSIGN_OR_RETURN(policy::Policy current, load_policy_file(args->path));
            if (current.version == policy::kPolicyVersion) {
                std::cout << args->path << " is already policyVersion " << current.version << "\n";
                return ok_status();
            }
            OTASIGN_ASSIGN_OR_RETURN(json::Value doc,
                                     policy::upgrade(current.document, args->path));
            OTASIGN_TRY(
                write_file_atomic(args->path, policy::serialize_policy(doc), Overwrite::yes));
            std::cout << "upgraded " << args->path << " to policyVersion " << policy::kPolicyVersion
                      << "\n";
            return ok_status();
        };
        if (auto st = run(); !st) exit_code = report(st.error());
    });

    struct ChannelArgs {
        std::string path, channel, allowed_previous;
        std::optional<std::uint32_t> threshold, max_validity_days;
        bool require_attestation = false, no_require_attestation = false;
    };
    auto ch = std::make_shared<ChannelArgs>();
    CLI::App* chan = group->add_subcommand(
        "channel", "Set the release rules of one manifest channel (policyVersion 2)");
    chan->add_option("POLICY", ch->path, "Policy file")->required();
    chan->add_option("--channel", ch->channel, "draft, validation, limited, stable or security")
        ->required()
        ->check(CLI::IsMember({"draft", "validation", "limited", "stable", "security"}));
    chan->add_option("--threshold", ch->threshold,
                     "Distinct manifest-role keys a release in the channel needs (never below "
                     "the role's threshold)")
        ->check(non_negative_integer(64));
    chan->add_option("--max-validity-days", ch->max_validity_days,
                     "Longest validity (expires - created) a release in the channel may have")
        ->check(non_negative_integer(3650));
    auto* req = chan->add_flag("--require-attestation", ch->require_attestation,
                               "Count only manifest-role signatures from attested PIV keys");
    chan->add_flag("--no-require-attestation", ch->no_require_attestation,
                   "Drop the channel's attestation requirement")
        ->excludes(req);
    chan->add_option("--allowed-previous", ch->allowed_previous,
                     "Comma-separated channels the previous release may be in (e.g. "
                     "limited,stable)");
    chan->footer(
        "Members not given are kept. Example:\n"
        "  otasign policy channel policy.json --channel stable --threshold 2 "
        "--max-validity-days 30 \\\n"
        "    --require-attestation --allowed-previous limited,stable");
    chan->callback([ch, &exit_code] {
        auto run = [&]() -> Status {
            OTASIGN_ASSIGN_OR_RETURN(policy::Policy current, load_policy_file(ch->path));
            policy::ChannelEdit edit;
            edit.threshold = ch->threshold;
            edit.max_validity_days = ch->max_validity_days;
            if (ch->require_attestation) edit.require_attestation = true;
            if (ch->no_require_attestation) edit.require_attestation = false;
            if (!ch->allowed_previous.empty()) {
                edit.allowed_previous.emplace();
                std::string_view rest = ch->allowed_previous;
                while (!rest.empty()) {
                    std::size_t comma = rest.find(',');
                    std::string_view name = rest.substr(0, comma);
                    auto c = manifest::channel_from_name(name);
                    if (!c)
                        return make_error(
                            ErrorCode::Usage,
                            "--allowed-previous: unknown channel '" + std::string(name) + "'",
                            "channels are draft, validation, limited, stable and "
                            "security");
                    edit.allowed_previous->push_back(*c);
                    rest = comma == std::string_view::npos ? std::string_view()
                                                           : rest.substr(comma + 1);
                }
            }
            OTASIGN_ASSIGN_OR_RETURN(
                json::Value doc,
                policy::set_channel_rule(
                    current.document, *manifest::channel_from_name(ch->channel), edit, ch->path));
            OTASIGN_TRY(write_file_atomic(ch->path, policy::serialize_policy(doc), Overwrite::yes));
            std::cout << "channel " << ch->channel << " of " << ch->path << ": "
                      << doc["channels"][ch->channel].dump() << "\n";
            return ok_status();
        };
        if (auto st = run(); !st) exit_code = report(st.error());
    });
}

void add_policy_show_command(CLI::App& parent, int& exit_code) {
    auto args = std::make_shared<PolicyArgs>();
    auto show_json = std::make_shared<bool>(false);
    CLI::App* show = parent.add_subcommand("show", "Validate a policy and describe it");
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
}

}  // namespace otasign::cli
